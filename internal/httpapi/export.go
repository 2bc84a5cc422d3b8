package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/export"
)

// exportIncidents streams every incident (or those starting in [from, to))
// in one of the export formats, replayed from the store in constant memory
// (export.Replay). Analysts and the mediator only, as for incidents.
//
// Errors found before the first byte is written are answered as usual. Once
// the body has started, the status is sent and cannot change: the handler
// logs the error and aborts the response, so the client sees a truncated
// transfer rather than a well-formed but incomplete file.
func (h *Handler) exportIncidents(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ReadIncidents(u); err != nil {
		return err
	}
	q := export.Query{Locate: h.locate}
	var f export.Format
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		var err error
		switch key {
		case "format":
			f, err = export.ParseFormat(v)
		case "from":
			q.From, err = parseTime(key, v)
		case "to":
			q.To, err = parseTime(key, v)
		default:
			err = derrors.Invalid(key, "unknown query parameter")
		}
		if err != nil {
			return err
		}
	}
	if f == "" {
		return derrors.Invalid("format", "required: acled, ucdp, geojson or jsonl")
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return derrors.Invalid("to", "must be after from")
	}
	now := h.now()
	cw := &countingWriter{w: w}
	ew, err := export.NewWriter(cw, f, export.Options{Generated: now})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="truce-incidents-`+now.UTC().Format("20060102T150405Z")+f.Ext()+`"`)
	stats, err := export.Export(r.Context(), h.store, q, ew)
	if err != nil {
		if cw.n == 0 {
			w.Header().Del("Content-Disposition")
			return err
		}
		h.log.ErrorContext(r.Context(), "export aborted", slog.String("format", string(f)), slog.Int64("bytes", cw.n), slog.Any("err", err))
		panic(http.ErrAbortHandler)
	}
	h.log.InfoContext(r.Context(), "exported", slog.String("format", string(f)), slog.Int("incidents", stats.Incidents),
		slog.Int("observations", stats.Observations), slog.Duration("took", time.Since(now)))
	return nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
