package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"truce/internal/incident"
	"truce/internal/mapsvg"
	"truce/internal/observation"
)

// incidentJSON is what the pages show of an incident as the API gives it.
type incidentJSON struct {
	ID           string    `json:"id"`
	Domain       string    `json:"domain"`
	Kind         string    `json:"kind"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Lat          *float64  `json:"lat"`
	Lon          *float64  `json:"lon"`
	RadiusM      float64   `json:"radius_m"`
	Region       string    `json:"region"`
	Observations []string  `json:"observations"`
	Sources      int       `json:"sources"`
	Orgs         int       `json:"organizations"`
	Count        struct {
		Low  int `json:"low"`
		Best int `json:"best"`
		High int `json:"high"`
	} `json:"count"`
	Status       string `json:"status"`
	StatusReason string `json:"status_reason"`
	AttributedTo string `json:"attributed_to"`
	Confidence   string `json:"attribution_confidence"`
	Violation    *struct {
		Agreement string `json:"agreement"`
		Term      string `json:"term"`
	} `json:"violation"`
	// Release is the tier the viewer sees the incident in (parties or
	// public); empty for the mission's own view.
	Release string `json:"release"`
	// ReportedBy counts the observations by reporter and source (one
	// incident only).
	ReportedBy []struct {
		Reporter     string `json:"reporter"`
		Source       string `json:"source"`
		Observations int    `json:"observations"`
	} `json:"reported_by"`
}

// incidentPage is one page of GET /api/v1/incidents.
type incidentPage struct {
	Items      []incidentJSON `json:"items"`
	NextCursor string         `json:"next_cursor"`
}

// Limits that keep a page under a megabyte: the table shows a page of
// pageSize incidents, the map and timeline at most maxMapIncidents (binned
// by the map above mapsvg.DefaultBinAbove), an incident's observations at
// most maxObservations.
const (
	pageSize        = 100
	maxMapIncidents = 1000
	maxObservations = 50
	maxDecisionScan = 10 // pages of 1,000 decisions
)

// incidentList is a table of incidents.
type incidentList struct {
	Rows  []incidentJSON
	Total int  // how many the list was cut from
	More  bool // whether there are more than Total
}

// newIncidentList keeps the latest n of items, newest first.
func newIncidentList(items []incidentJSON, n int, more bool) incidentList {
	rows := slices.Clone(items)
	slices.SortStableFunc(rows, func(a, b incidentJSON) int { return b.Start.Compare(a.Start) })
	return incidentList{Rows: rows[:min(n, len(rows))], Total: len(items), More: more}
}

// incidentMap draws incidents on the oblast map, coloured by "domain" or
// "status"; dense maps are binned, each hexagon linking to the listing of
// its area under base (if not empty).
func (h *Handler) incidentMap(v *viewer, items []incidentJSON, by, title, base string) template.HTML {
	if h.cfg.Map == nil {
		return ""
	}
	classes := mapsvg.DomainClasses()
	if by == "status" {
		classes = mapsvg.StatusClasses()
	}
	for i := range classes {
		classes[i].Label = v.T(by + "." + classes[i].Key)
	}
	m := mapsvg.Map{Title: title, Desc: v.T("map.desc"), Noun: v.T("map.noun"), Classes: classes, Lang: v.Lang}
	for _, inc := range items {
		class := inc.Domain
		if by == "status" {
			class = inc.Status
		}
		m.Points = append(m.Points, mapsvg.Point{Lat: inc.Lat, Lon: inc.Lon, Region: inc.Region, Class: class,
			Href: "/incidents/" + url.PathEscape(inc.ID), Title: v.T("kind."+inc.Kind) + ", " + v.Time(inc.Start)})
	}
	if base != "" {
		m.BinHref = func(b [4]float64) string {
			u, _ := url.Parse(base)
			q := u.Query()
			q.Set("bbox", strings.Join([]string{ftoa(b[0]), ftoa(b[1]), ftoa(b[2]), ftoa(b[3])}, ","))
			q.Del("cursor")
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return h.cfg.Map.SVG(m)
}

// incidentFilter is the listing's filter, as the form gives it.
type incidentFilter struct {
	From, To, Domain, Kind, Status, Region, BBox, By, Cursor string
}

// apiQuery maps the form's filter to the API's query parameters. Days
// (YYYY-MM-DD) are whole days in UTC: from at its start, to at the end.
func (f incidentFilter) apiQuery() (url.Values, *pageError) {
	q := url.Values{}
	day := func(field, s string, end bool) *pageError {
		if s == "" {
			return nil
		}
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			if end {
				t = t.AddDate(0, 0, 1)
			}
			q.Set(field, t.Format(time.RFC3339))
			return nil
		}
		if _, err := time.Parse(time.RFC3339, s); err == nil {
			q.Set(field, s)
			return nil
		}
		return &pageError{status: http.StatusBadRequest, Key: "error.invalid", Detail: field + ": YYYY-MM-DD"}
	}
	if pe := day("from", f.From, false); pe != nil {
		return nil, pe
	}
	if pe := day("to", f.To, true); pe != nil {
		return nil, pe
	}
	for k, val := range map[string]string{"domain": f.Domain, "kind": f.Kind, "status": f.Status, "region": f.Region, "bbox": f.BBox, "cursor": f.Cursor} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return q, nil
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// incidentsData is the listing's data.
type incidentsData struct {
	Filter   incidentFilter
	Domains  []option
	Kinds    []option
	Statuses []option
	Regions  []option
	ByOpts   []option
	Error    string // the API's refusal of a filter
	List     incidentList
	Map      template.HTML
	Timeline template.HTML
	// Next and First are the paging links; empty when there is none.
	Next, First string
	Shown       int // incidents on the map and timeline
	MapMore     bool
}

func (h *Handler) serveIncidents(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	in := r.URL.Query()
	f := incidentFilter{From: in.Get("from"), To: in.Get("to"), Domain: in.Get("domain"), Kind: in.Get("kind"), Status: in.Get("status"),
		Region: in.Get("region"), BBox: in.Get("bbox"), By: in.Get("by"), Cursor: in.Get("cursor")}
	if f.By != "status" {
		f.By = "domain"
	}
	d := incidentsData{Filter: f}
	d.fillOptions(v)
	done := func(status int) (view, error) {
		return view{name: "incidents", status: status, title: v.T("incidents.title"), data: d}, nil
	}
	q, pe := f.apiQuery()
	if pe != nil {
		d.Error = pe.Detail
		return done(http.StatusBadRequest)
	}
	q.Set("limit", itoa(pageSize))
	var page incidentPage
	if err := h.getJSON(r, v.token, "/api/v1/incidents?"+q.Encode(), &page); err != nil {
		pe := pageErrorFor(w, r, v, err)
		if p, ok := pe.(*pageError); ok && p.status == http.StatusBadRequest {
			d.Error = p.Detail
			return done(http.StatusBadRequest)
		}
		return view{}, pe
	}
	d.List = newIncidentList(page.Items, pageSize, page.NextCursor != "")
	d.List.Rows = page.Items // the API's order, so that paging reads on
	self := url.URL{Path: "/incidents", RawQuery: r.URL.RawQuery}
	if page.NextCursor != "" {
		nq := self.Query()
		nq.Set("cursor", page.NextCursor)
		nq.Del("lang")
		d.Next = "/incidents?" + nq.Encode()
	}
	if f.Cursor != "" {
		fq := self.Query()
		fq.Del("cursor")
		fq.Del("lang")
		d.First = "/incidents?" + fq.Encode()
	}

	// The map and the timeline: up to maxMapIncidents from the start of
	// the filter, regardless of the table's page.
	q.Del("cursor")
	q.Set("limit", itoa(maxMapIncidents))
	var all incidentPage
	if err := h.getJSON(r, v.token, "/api/v1/incidents?"+q.Encode(), &all); err == nil {
		d.Shown, d.MapMore = len(all.Items), all.NextCursor != ""
		base := self.Query()
		base.Del("lang")
		d.Map = h.incidentMap(v, all.Items, f.By, v.T("map.incidents.title"), "/incidents?"+base.Encode())
		d.Timeline = timeline(v, all.Items)
	}
	return done(http.StatusOK)
}

func (d *incidentsData) fillOptions(v *viewer) {
	f := d.Filter
	opt := func(value, label, cur string) option {
		return option{Value: value, Label: label, Selected: value == cur}
	}
	d.Domains = []option{opt("", v.T("filter.any"), f.Domain)}
	d.Kinds = []option{opt("", v.T("filter.any"), f.Kind)}
	for _, dom := range observation.Domains() {
		d.Domains = append(d.Domains, opt(string(dom), v.T("domain."+string(dom)), f.Domain))
		for _, k := range observation.Kinds(dom) {
			d.Kinds = append(d.Kinds, opt(string(k), v.T("kind."+string(k)), f.Kind))
		}
	}
	d.Statuses = []option{opt("", v.T("filter.any"), f.Status)}
	for _, s := range incident.Statuses() {
		d.Statuses = append(d.Statuses, opt(string(s), v.T("status."+string(s)), f.Status))
	}
	d.Regions = []option{opt("", v.T("filter.any"), f.Region)}
	for _, code := range v.regionCodes() {
		d.Regions = append(d.Regions, opt(code, v.Region(code), f.Region))
	}
	d.ByOpts = []option{opt("domain", v.T("filter.by.domain"), f.By), opt("status", v.T("filter.by.status"), f.By)}
}

// observationJSON is what the incident page shows of an observation.
type observationJSON struct {
	ID           string    `json:"id"`
	ObservedAt   time.Time `json:"observed_at"`
	Domain       string    `json:"domain"`
	Kind         string    `json:"kind"`
	Count        int       `json:"count"`
	Source       string    `json:"source"`
	Region       string    `json:"region"`
	Lat          *float64  `json:"lat"`
	Lon          *float64  `json:"lon"`
	Organization string    `json:"organization"`
	Party        string    `json:"party"`
	AttributedTo string    `json:"attributed_to"`
	Narrative    string    `json:"narrative"`
}

// decisionJSON is an analyst's decision as its ledger record holds it.
type decisionJSON struct {
	Kind         string    `json:"kind"`
	Observations []string  `json:"observations"`
	Status       string    `json:"status"`
	AttributedTo string    `json:"attributed_to"`
	Confidence   string    `json:"confidence"`
	Reason       string    `json:"reason"`
	Author       string    `json:"author"`
	At           time.Time `json:"at"`
	Index        int64     `json:"-"`
}

// findingJSON is a finding about an incident, as far as the page shows it.
type findingJSON struct {
	ID           string    `json:"id"`
	Party        string    `json:"party"`
	State        string    `json:"state"`
	Established  string    `json:"established"`
	AttributedTo string    `json:"attributed_to"`
	Confidence   string    `json:"confidence"`
	Incident     string    `json:"incident"`
	CreatedAt    time.Time `json:"created_at"`
	PublicAt     time.Time `json:"public_at"`
	// Events are the finding's transitions the viewer may see.
	Events []struct {
		To string    `json:"to"`
		At time.Time `json:"at"`
	} `json:"events"`
}

// incidentData is the incident page's data.
type incidentData struct {
	Inc incidentJSON
	Map template.HTML
	// Observations are those the viewer may read; Hidden counts the
	// others; Unlisted those beyond maxObservations.
	Observations []observationJSON
	Hidden       int
	Unlisted     int
	// Included counts the observations (of the first maxObservations) that
	// the latest checkpoint covers; Checked how many were asked; Size is
	// the checkpoint's tree size; Indexes the entries.
	Included, Checked int
	Size              int64
	Indexes           []int64
	// Decisions are the analysts' decisions on the incident's
	// observations; DecisionsHidden says the viewer may not read them.
	Decisions       []decisionJSON
	DecisionsHidden bool
	// Findings about the incident; FindingsShown whether the API offers
	// them to the viewer at all.
	Findings      []findingJSON
	FindingsShown bool
	// Events are the above in time order, drawn on Timeline.
	Events   []event
	Timeline template.HTML
}

func (h *Handler) serveIncident(w http.ResponseWriter, r *http.Request, v *viewer) (view, error) {
	id := r.PathValue("id")
	if id == "" || len(id) > 100 {
		return view{}, &pageError{status: http.StatusNotFound, Key: "error.notfound"}
	}
	var d incidentData
	if err := h.getJSON(r, v.token, "/api/v1/incidents/"+url.PathEscape(id), &d.Inc); err != nil {
		return view{}, pageErrorFor(w, r, v, err)
	}
	d.Map = h.incidentMap(v, []incidentJSON{d.Inc}, "status", v.T("map.incident.title"), "")
	obs := d.Inc.Observations
	if len(obs) > maxObservations {
		d.Unlisted = len(obs) - maxObservations
		obs = obs[:maxObservations]
	}
	for _, oid := range obs {
		var o observationJSON
		if err := h.getJSON(r, v.token, "/api/v1/observations/"+url.PathEscape(oid), &o); err != nil {
			d.Hidden++
		} else {
			d.Observations = append(d.Observations, o)
		}
		// Anyone may ask for a record's inclusion proof: its entry is
		// public; the API leaves the record out for whoever may not read it.
		var proof struct {
			Index int64 `json:"index"`
			Size  int64 `json:"size"`
		}
		d.Checked++
		if err := h.getJSON(r, "", "/api/v1/ledger/proof?"+url.Values{"type": {"observation"}, "id": {oid}}.Encode(), &proof); err == nil {
			d.Included++
			d.Size = proof.Size
			d.Indexes = append(d.Indexes, proof.Index)
		}
	}
	if d.Size == 0 {
		if size, err := h.treeSize(r); err == nil {
			d.Size = size
		}
	}
	d.Decisions, d.DecisionsHidden = h.decisionsOf(r, v, d.Inc.Observations)
	var findings struct {
		Items []findingJSON `json:"items"`
	}
	if err := h.getJSON(r, v.token, "/api/v1/findings?"+url.Values{"incident": {d.Inc.ID}}.Encode(), &findings); err == nil {
		d.Findings, d.FindingsShown = findings.Items, true
	}
	d.Events = incidentEvents(v, &d)
	d.Timeline = eventStrip(v, d.Inc, d.Events)
	return view{name: "incident", title: v.T("incident.title", v.T("kind."+d.Inc.Kind), v.Date(d.Inc.Start)), data: d}, nil
}

// decisionsOf returns the decisions the ledger holds on any of obs, as far
// as the viewer may read decisions (hidden true if not at all).
func (h *Handler) decisionsOf(r *http.Request, v *viewer, obs []string) (ds []decisionJSON, hidden bool) {
	set := make(map[string]bool, len(obs))
	for _, o := range obs {
		set[o] = true
	}
	cursor := ""
	for range maxDecisionScan {
		q := url.Values{"type": {"incident_decision"}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items []struct {
				Index  int64           `json:"index"`
				Record json.RawMessage `json:"record"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := h.getJSON(r, v.token, "/api/v1/ledger/records?"+q.Encode(), &page); err != nil {
			return ds, len(ds) == 0
		}
		for _, it := range page.Items {
			var d decisionJSON
			if json.Unmarshal(it.Record, &d) != nil {
				continue
			}
			if slices.ContainsFunc(d.Observations, func(o string) bool { return set[o] }) {
				d.Index = it.Index
				ds = append(ds, d)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	return ds, false
}
