package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"truce/internal/airwar"
	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/fusion"
	"truce/internal/report"
)

// dailyReport answers the daily report of {day} (YYYY-MM-DD, Kyiv time),
// as JSON or, with ?format=md or html, Markdown or an HTML page, whose
// fixed text is in ?lang= (en, uk or ru), else the language the request's
// Accept-Language prefers, else English (the JSON is the same in every
// language). Anyone may
// read it, without a token. Its air and alert figures are public-source
// information; its incidents are the day's incidents each as the reader
// may see it (incidentFor): every incident for analysts and the mediator,
// the released ones, as released, for everyone else, so the public's
// version holds released and public-source information only.
func (h *Handler) dailyReport(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	day, err := airwar.ParseDay(r.PathValue("day"))
	if err != nil {
		return derrors.Invalid("day", "must be a date, YYYY-MM-DD")
	}
	format := report.JSON
	lang := report.AcceptLanguage(r.Header.Get("Accept-Language"))
	for key, vals := range r.URL.Query() {
		switch key {
		case "format":
			if format, err = report.ParseFormat(vals[len(vals)-1]); err != nil {
				return derrors.Invalid("format", "must be json, md or html")
			}
		case "lang":
			if v := vals[len(vals)-1]; v != "" {
				if lang, err = report.ParseLang(v); err != nil {
					return derrors.Invalid("lang", "must be en, uk or ru")
				}
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
	if h.incidents != nil {
		if in.Incidents, err = h.dayIncidents(r.Context(), u, day); err != nil {
			return err
		}
		in.IncidentsIncluded = true
		in.IncidentsView = report.ViewReleased
		if auth.ReadIncidents(u) == nil {
			in.IncidentsView = report.ViewStaff
		}
	}
	if u != nil {
		// Signed-in readers' incident pages exist; a saved public report
		// links nowhere.
		rd = rd.LinkIncidents("/incidents")
	}
	if format != report.JSON {
		rd = rd.InLanguage(lang)
	}
	var b bytes.Buffer
	if err := rd.Render(&b, report.Build(in), format); err != nil {
		return err
	}
	w.Header().Set("Content-Type", format.ContentType())
	if u == nil {
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", "private, max-age=60")
	}
	w.Header().Set("Vary", "Authorization, Cookie, Accept-Language")
	if format != report.JSON {
		w.Header().Set("Content-Language", lang)
	}
	w.Write(b.Bytes())
	return nil
}

// reportPage is how many incidents dayIncidents reads from the live view
// at a time.
const reportPage = 1000

// dayIncidents returns the incidents that start on day (Kyiv time), each
// as u may see it (incidentFor), paging through the live view by start
// time. It returns ctx's error if the request is abandoned.
func (h *Handler) dayIncidents(ctx context.Context, u *auth.User, day airwar.Day) ([]report.IncidentSummary, error) {
	loc := airwar.Kyiv()
	q := fusion.Query{From: day.Start(loc), To: day.End(loc), Limit: reportPage}
	// Pages are kept apart and joined once at the end, so that a day of
	// 50,000 incidents is not copied over and over as one slice grows.
	var pages [][]report.IncidentSummary
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("httpapi: daily report incidents: %w", err)
		}
		page, more, err := h.incidents.List(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("httpapi: daily report incidents: %w", err)
		}
		sums := make([]report.IncidentSummary, 0, len(page))
		for _, inc := range page {
			if v, ok := h.incidentFor(u, inc); ok {
				sums = append(sums, report.SummaryOf(v))
			}
		}
		pages = append(pages, sums)
		n += len(sums)
		if !more || len(page) == 0 {
			break
		}
		last := page[len(page)-1]
		q.After = &fusion.Position{Start: last.Start, ID: last.ID}
	}
	if len(pages) == 1 {
		return pages[0], nil
	}
	out := make([]report.IncidentSummary, 0, n)
	for _, p := range pages {
		out = append(out, p...)
	}
	return out, nil
}

// airSeries answers the daily air figures from ?from= to ?to= (YYYY-MM-DD,
// Kyiv days, both included, at most report.MaxSeriesDays), each day as its
// daily report counts it: {"items": [{"day", "drones", "missiles",
// "alerts", "alert_minutes", …}]}. Public, like the daily report; the range
// is bounded, so there is no cursor.
func (h *Handler) airSeries(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	var first, last airwar.Day
	var haveFrom, haveTo bool
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		var err error
		switch key {
		case "from":
			first, err = airwar.ParseDay(v)
			haveFrom = true
		case "to":
			last, err = airwar.ParseDay(v)
			haveTo = true
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
		if err != nil {
			return derrors.Invalid(key, "must be a date, YYYY-MM-DD")
		}
	}
	switch {
	case !haveFrom:
		return derrors.Invalid("from", "is required (YYYY-MM-DD)")
	case !haveTo:
		return derrors.Invalid("to", "is required (YYYY-MM-DD)")
	case last.Before(first):
		return derrors.Invalid("to", "must not be before from")
	}
	if n := daysFrom(first, last); n > report.MaxSeriesDays {
		return derrors.Invalid("to", "the range may span at most %d days", report.MaxSeriesDays)
	}
	items, err := report.Series(r.Context(), h.store, first, last)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, http.StatusOK, struct {
		Items []report.DayFigures `json:"items"`
	}{items})
	return nil
}

// daysFrom counts the days from first to last, both included.
func daysFrom(first, last airwar.Day) int {
	n := 1
	for d := first; d.Before(last) && n <= report.MaxSeriesDays; d = d.Next() {
		n++
	}
	return n
}
