package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce/internal/ledger"
)

// dayReport is what the pages show of a daily report's JSON.
type dayReport struct {
	Day string `json:"day"`
	Air struct {
		Drones   airFigures `json:"drones"`
		Missiles airFigures `json:"missiles"`
		Reported bool       `json:"reported"`
	} `json:"air"`
	Alerts      []alertRow `json:"alerts"`
	AlertTotals struct {
		Regions int `json:"regions"`
		Alerts  int `json:"alerts"`
	} `json:"alert_totals"`
}

// alertRow is one oblast's alerts on the day.
type alertRow struct {
	Region  string  `json:"region"`
	Count   int     `json:"count"`
	Minutes float64 `json:"minutes"`
}

type airFigures struct {
	Launched  int `json:"launched"`
	Destroyed int `json:"destroyed"`
}

// seriesDay is one day of the air series (GET /api/v1/reports/air).
type seriesDay struct {
	Day          string  `json:"day"`
	Drones       int     `json:"drones"`
	Missiles     int     `json:"missiles"`
	Alerts       int     `json:"alerts"`
	AlertMinutes float64 `json:"alert_minutes"`
}

// seriesDays is how many days the dashboard's charts cover;
// dashboardFindings how many released findings it lists.
const (
	seriesDays        = 30
	dashboardFindings = 10
)

// indexData is the dashboard's data.
type indexData struct {
	Day string // the report form's day
	// Latest is the latest daily report with figures; nil if none.
	Latest     *dayReport
	DroneChart template.HTML
	MissChart  template.HTML
	AlertChart template.HTML
	From, To   string // the charts' days
	// Incidents are the incidents the public may see; Released false when
	// the API shows the public none.
	Released  bool
	Incidents incidentList
	Map       template.HTML
	// Findings are the latest findings released to the public;
	// FindingsShown whether the API answered.
	Findings      []findingJSON
	FindingsShown bool
	// TreeSize is the ledger's size at the latest checkpoint, -1 if none.
	TreeSize int64
}

func (h *Handler) lastDay() time.Time {
	if !h.cfg.DefaultDay.IsZero() {
		return h.cfg.DefaultDay
	}
	return h.cfg.Now().UTC().AddDate(0, 0, -1)
}

// serveIndex is the public dashboard. It reads the API as the public, so
// everyone sees the same page: what has been released.
func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	last := h.lastDay()
	first := last.AddDate(0, 0, -(seriesDays - 1))
	d := indexData{Day: last.Format(time.DateOnly), From: first.Format(time.DateOnly), To: last.Format(time.DateOnly), TreeSize: -1}

	// The air series, for the charts and to find the latest report.
	var series struct {
		Items []seriesDay `json:"items"`
	}
	latestDay := d.Day
	q := url.Values{"from": {d.From}, "to": {d.To}}
	if err := h.getJSON(r, "", "/api/v1/reports/air?"+q.Encode(), &series); err == nil && len(series.Items) > 0 {
		d.DroneChart = barChart(v, v.T("chart.drones.title", v.Date(d.From), v.Date(d.To)), series.Items, func(s seriesDay) int { return s.Drones }, "#2f6f9f")
		d.MissChart = barChart(v, v.T("chart.missiles.title", v.Date(d.From), v.Date(d.To)), series.Items, func(s seriesDay) int { return s.Missiles }, "#a4463f")
		for _, s := range slices.Backward(series.Items) {
			if s.Drones+s.Missiles+s.Alerts > 0 {
				latestDay = s.Day
				break
			}
		}
	}
	var rep dayReport
	if err := h.getJSON(r, "", "/api/v1/reports/daily/"+url.PathEscape(latestDay), &rep); err == nil {
		d.Latest = &rep
		d.AlertChart = alertChart(v, v.T("chart.alerts.title", v.Date(rep.Day)), rep)
	}

	// Released incidents: what the API shows the public.
	var list incidentPage
	if err := h.getJSON(r, "", "/api/v1/incidents?limit="+itoa(maxMapIncidents), &list); err == nil {
		d.Released = true
		d.Incidents = newIncidentList(list.Items, 10, list.NextCursor != "")
		d.Map = h.incidentMap(v, list.Items, "domain", v.T("map.released.title"), "")
	}
	// Findings released to the public: what the API lists to the public.
	var findings struct {
		Items []findingJSON `json:"items"`
	}
	if err := h.getJSON(r, "", "/api/v1/findings?limit="+itoa(dashboardFindings), &findings); err == nil {
		d.Findings, d.FindingsShown = findings.Items, true
	}
	if size, err := h.treeSize(r); err == nil {
		d.TreeSize = size
	}
	return view{name: "index", title: v.T("index.title"), data: d}, nil
}

// treeSize is the size of the ledger's latest checkpoint.
func (h *Handler) treeSize(r *http.Request) (int64, error) {
	st, body := h.api(r, "", "/ledger/checkpoint")
	if st != http.StatusOK {
		return 0, &apiError{Status: st}
	}
	return ledger.CheckpointSize(body)
}

// serveReportForm sends the report form's day to the report's page.
func (h *Handler) serveReportForm(w http.ResponseWriter, r *http.Request) {
	day, err := time.Parse(time.DateOnly, r.URL.Query().Get("day"))
	if err != nil {
		h.page(func(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
			return view{}, &pageError{status: http.StatusBadRequest, Key: "error.day"}
		})(w, r)
		return
	}
	setSecurityHeaders(w)
	http.Redirect(w, r, "/reports/daily/"+day.Format(time.DateOnly), http.StatusSeeOther)
}

// reportData is the report page's data.
type reportData struct {
	Day        string
	Prev, Next string
	// Body is the report renderer's HTML page's body, as the API gives it
	// to this viewer.
	Body template.HTML
}

// serveReport shows the daily report: the body of the report renderer's
// own HTML page (the API's ?format=html, which is what `truce report`
// writes) in the viewer's language inside the site's layout, with links to the printable page and
// the other formats.
func (h *Handler) serveReport(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	day, err := time.Parse(time.DateOnly, r.PathValue("day"))
	if err != nil {
		return view{}, &pageError{status: http.StatusBadRequest, Key: "error.day"}
	}
	ds := day.Format(time.DateOnly)
	st, body := h.api(r, v.token, "/api/v1/reports/daily/"+ds+"?format=html&lang="+v.Lang)
	if st != http.StatusOK {
		return view{}, pageErrorFor(w, r, v, &apiError{Status: st})
	}
	d := reportData{Day: ds, Prev: day.AddDate(0, 0, -1).Format(time.DateOnly), Next: day.AddDate(0, 0, 1).Format(time.DateOnly),
		Body: template.HTML(reportBody(body))}
	return view{name: "report", title: v.T("report.title", v.Date(ds)), data: d}, nil
}

// reportBody returns what is between <body> and </body> of the renderer's
// page: its own <style> stays behind (the site's stylesheet styles the
// same classes, and the site's CSP allows no inline styles).
func reportBody(page []byte) []byte {
	_, rest, ok := bytes.Cut(page, []byte("<body>"))
	if !ok {
		return nil
	}
	body, _, _ := bytes.Cut(rest, []byte("</body>"))
	return body
}

// ledgerData is the ledger page's data.
type ledgerData struct {
	Origin   string
	Size     int64
	Root     string
	Text     string
	Verified bool // the log's signature checked against Config.LogVerifier
	Checked  bool // whether there was a key to check it with
	// Witnesses are the names of the keys that cosigned the checkpoint.
	Witnesses []string
	None      bool
}

func (h *Handler) serveLedger(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	d := ledgerData{}
	st, body := h.api(r, "", "/ledger/checkpoint")
	switch {
	case st == http.StatusNotFound:
		d.None = true
	case st != http.StatusOK:
		return view{}, &apiError{Status: st}
	default:
		d.Text = string(body)
		text, sigs, _ := strings.Cut(string(body), "\n\n")
		c, err := ledger.ParseCheckpoint([]byte(text + "\n"))
		if err != nil {
			return view{}, err
		}
		d.Origin, d.Size, d.Root = c.Origin, c.Size, encodeRoot(c.Root[:])
		for line := range strings.Lines(sigs) {
			rest, ok := strings.CutPrefix(line, "— ")
			if !ok {
				continue
			}
			name, _, _ := strings.Cut(rest, " ")
			if name != c.Origin {
				d.Witnesses = append(d.Witnesses, name)
			}
		}
		if h.cfg.LogVerifier != nil {
			d.Checked = true
			_, err := ledger.OpenCheckpoint(body, h.cfg.LogVerifier)
			d.Verified = err == nil
		}
	}
	return view{name: "ledger", title: v.T("ledger.title"), data: d}, nil
}

func encodeRoot(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func itoa(n int) string { return strconv.Itoa(n) }
