package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"truce/internal/airwar"
	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/report"
)

// dailyReport answers the daily report of {day} (YYYY-MM-DD, Kyiv time),
// as JSON or, with ?format=md or html, Markdown or an HTML page. Anyone may
// read it, without a token: it holds only public-source information (the
// Air Force's bulletins and the air-raid alert feeds) until the incidents
// work adds released incidents to it.
func (h *Handler) dailyReport(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	day, err := airwar.ParseDay(r.PathValue("day"))
	if err != nil {
		return derrors.Invalid("day", "must be a date, YYYY-MM-DD")
	}
	format := report.JSON
	for key, vals := range r.URL.Query() {
		switch key {
		case "format":
			if format, err = report.ParseFormat(vals[len(vals)-1]); err != nil {
				return derrors.Invalid("format", "must be json, md or html")
			}
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	rd := h.reports
	if rd == nil {
		return fmt.Errorf("httpapi: daily report: no renderer configured")
	}
	in, err := report.Load(r.Context(), h.store, day)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := rd.Render(&b, report.Build(in), format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Write(b.Bytes())
	return nil
}
