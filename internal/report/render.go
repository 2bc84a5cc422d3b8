package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/mapsvg"
	"truce/internal/region"
)

// Format is a rendering of a report.
type Format string

// The formats a Renderer writes.
const (
	JSON     Format = "json"
	Markdown Format = "md"
	HTML     Format = "html"
)

// ParseFormat returns the format named s ("json", "md" or "html"; "" is
// JSON), or an error wrapping derrors.ErrInvalid.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case JSON, Markdown, HTML:
		return f, nil
	case "":
		return JSON, nil
	}
	return "", fmt.Errorf("report: format %q: want json, md or html: %w", s, derrors.ErrInvalid)
}

// ContentType returns the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case Markdown:
		return "text/markdown; charset=utf-8"
	case HTML:
		return "text/html; charset=utf-8"
	}
	return "application/json"
}

//go:embed templates/*.html
var templates embed.FS

// Renderer renders reports. It holds the parsed page template and the
// projected oblast outlines; it is immutable and safe for concurrent use.
type Renderer struct {
	page *template.Template
	base *mapsvg.Base // nil without boundaries
	// links is where the incident map's points link ("" for no links).
	links string
}

// LinkIncidents returns a copy of rd whose HTML reports link each incident
// on the map to prefix + "/" + its id, and each hexagon of a binned map to
// prefix + "?from=…&to=…&bbox=…" (the day's incidents in the hexagon),
// e.g. prefix "/incidents" for the web pages. Without it the report links
// nowhere, so that a saved file has no dead links.
func (rd *Renderer) LinkIncidents(prefix string) *Renderer {
	c := *rd
	c.links = strings.TrimSuffix(prefix, "/")
	return &c
}

// NewRenderer returns a Renderer that draws its maps from b (the oblast
// outlines, region.LoadBoundaries); with b nil, HTML reports have no map.
func NewRenderer(b *region.Boundaries) (*Renderer, error) {
	page, err := template.New("daily.html").Funcs(template.FuncMap{
		"minutes":   fmtMinutes,
		"clock":     kyivClock,
		"count":     countRange,
		"violation": violationText,
	}).ParseFS(templates, "templates/daily.html")
	if err != nil {
		return nil, fmt.Errorf("report: parse templates: %w", err)
	}
	rd := &Renderer{page: page}
	if b != nil {
		rd.base = mapsvg.New(b.Regions(), mapWidth)
	}
	return rd, nil
}

// Render writes r in format f. Its only errors are w's.
func (rd *Renderer) Render(w io.Writer, r Report, f Format) error {
	switch f {
	case Markdown:
		return writeMarkdown(w, r)
	case HTML:
		return rd.writeHTML(w, r)
	}
	return writeJSON(w, r)
}

func writeJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func fmtMinutes(m float64) string { return strconv.FormatFloat(m, 'f', 1, 64) }

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.Join(strings.Fields(s), " ")
}

func writeMarkdown(w io.Writer, r Report) error {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Daily report, %s\n\n", r.Day)
	p("All times are Kyiv time (%s).\n\n", r.TimeZone)
	p("## Air attacks\n\n")
	if r.Air.Reported {
		p("| | launched | destroyed | suppressed (EW) |\n|---|---:|---:|---:|\n")
		p("| drones | %d | %d | %d |\n", r.Air.Drones.Launched, r.Air.Drones.Destroyed, r.Air.Drones.Suppressed)
		p("| missiles | %d | %d | %d |\n\n", r.Air.Missiles.Launched, r.Air.Missiles.Destroyed, r.Air.Missiles.Suppressed)
		p("From %d bulletin rows counted; %d regional or other rows left out because a national bulletin already counts their launches.\n\n",
			r.Air.BulletinsCounted, r.Air.BulletinsOverlapped)
		if len(r.Air.Models) > 0 {
			p("### By weapon model\n\n| model | kind | launched | destroyed | suppressed |\n|---|---|---:|---:|---:|\n")
			for _, m := range r.Air.Models {
				p("| %s | %s | %d | %d | %d |\n", mdCell(m.Model), m.Kind, m.Launched, m.Destroyed, m.Suppressed)
			}
			p("\n")
		}
		if len(r.Air.Regions) > 0 {
			names := make([]string, len(r.Air.Regions))
			for i, rr := range r.Air.Regions {
				names[i] = fmt.Sprintf("%s (%s)", rr.Name, rr.Region)
			}
			p("Regions named in the bulletins: %s.\n\n", strings.Join(names, ", "))
		}
	} else {
		p("No Air Force bulletin for this day.\n\n")
	}
	p("## Air-raid alerts\n\n")
	if len(r.Alerts) > 0 {
		p("%d region-wide alerts in %d oblasts (feeds: %s); %d sub-regional alerts not counted.\n\n",
			r.AlertTotals.Alerts, r.AlertTotals.Regions, strings.Join(r.AlertTotals.Feeds, ", "), r.AlertTotals.SubRegional)
		p("| region | code | alerts | minutes | reported by both feeds |\n|---|---|---:|---:|---:|\n")
		for _, a := range r.Alerts {
			p("| %s | %s | %d | %s | %d |\n", mdCell(a.Name), a.Region, a.Count, fmtMinutes(a.Minutes), a.BothFeeds)
		}
		p("\n")
	} else {
		p("No region-wide alert on this day in the data.\n\n")
	}
	p("## Incidents\n\n")
	writeIncidentsMarkdown(&b, r.Incidents)
	if len(r.Bulletins) > 0 {
		p("## Bulletin rows\n\n| window (end) | issuer | model | launched | destroyed | suppressed | counted |\n|---|---|---|---:|---:|---:|---|\n")
		for _, br := range r.Bulletins {
			counted := "yes"
			if !br.Counted {
				counted = "no: " + br.Reason
			}
			p("| %s → %s | [%s](%s) | %s | %d | %d | %d | %s |\n", br.Start, br.End, mdCell(br.Issuer), br.Post, mdCell(br.Model),
				br.Launched, br.Destroyed, br.Suppressed, counted)
		}
		p("\n")
	}
	if len(r.Notes) > 0 {
		p("## Notes\n\n")
		for _, n := range r.Notes {
			p("- %s\n", n)
		}
		p("\n")
	}
	p("## Sources\n\n")
	for _, s := range r.Sources {
		p("- **%s**, %s. <%s>. Licence: %s. Attribution: %s.", s.Name, s.Publisher, s.URL, s.Licence, s.Attribution)
		if s.Note != "" {
			p(" %s", s.Note)
		}
		p("\n")
	}
	p("\n## Method\n\n")
	for _, m := range r.Method {
		p("- %s\n", m)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// page is what the HTML template reads.
type page struct {
	Report
	Headline      string
	Map           *svgMap
	Chart         svgChart
	IncidentsLead string
	IncidentMap   template.HTML
	// IncidentsBinned says the incident map bins its points.
	IncidentsBinned bool
}

func (rd *Renderer) writeHTML(w io.Writer, r Report) error {
	pg := page{Report: r, Headline: r.String(), Chart: airChart(r.Air), IncidentsLead: incidentsLead(r.Incidents)}
	if rd.base != nil {
		pg.Map = rd.alertMap(r)
		if r.Incidents.Included && r.Incidents.Total > 0 {
			pg.IncidentMap = rd.incidentMap(r)
			pg.IncidentsBinned = len(r.all) > mapsvg.DefaultBinAbove
		}
	}
	var b bytes.Buffer
	if err := rd.page.Execute(&b, pg); err != nil {
		return fmt.Errorf("report: render html: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// incidentsLead is the sentence that opens the incidents section.
func incidentsLead(in Incidents) string {
	view := "The monitoring mission's incidents"
	if in.View == ViewReleased {
		view = "The monitoring mission's incidents released to you"
	}
	switch {
	case !in.Included:
		return "Not included in this report."
	case in.Total == 0:
		return view + ": none on this day."
	}
	return fmt.Sprintf("%s: %d %s on this day, %d in violation of an agreement in force.", view, in.Total, plural(in.Total, "incident", "incidents"), in.Violations)
}

// violationText says which term an incident breaches, or "".
func violationText(v *Violation) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("term %s of agreement %s", v.Term, v.Agreement)
}

func writeIncidentsMarkdown(b *bytes.Buffer, in Incidents) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("%s\n\n", incidentsLead(in))
	if !in.Included || in.Total == 0 {
		return
	}
	p("### By domain\n\n| domain | incidents | munitions (best) | low | high | violations |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range in.ByDomain {
		p("| %s | %d | %d | %d | %d | %d |\n", c.Domain, c.Incidents, c.CountBest, c.CountLow, c.CountHigh, c.Violations)
	}
	p("\n### By kind\n\n| domain | kind | incidents | munitions (best) | low | high | violations |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, c := range in.ByKind {
		p("| %s | %s | %d | %d | %d | %d | %d |\n", c.Domain, c.Kind, c.Incidents, c.CountBest, c.CountLow, c.CountHigh, c.Violations)
	}
	p("\n### By region\n\n| region | code | incidents | munitions (best) | low | high | violations |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, c := range in.ByRegion {
		p("| %s | %s | %d | %d | %d | %d | %d |\n", mdCell(c.Name), c.Region, c.Incidents, c.CountBest, c.CountLow, c.CountHigh, c.Violations)
	}
	p("\n### Notable incidents\n\n")
	if len(in.Notable) == 0 {
		p("None verified or corroborated.\n")
	}
	for i, n := range in.Notable {
		p("%d. %s (`%s`)\n", i+1, mdCell(n.Summary), n.ID)
	}
	p("\n### List\n\n| time (Kyiv) | domain | kind | region | status | count | sources | attributed to | violation | id |\n|---|---|---|---|---|---:|---:|---|---|---|\n")
	for _, s := range in.Items {
		p("| %s–%s | %s | %s | %s | %s | %s | %d | %s | %s | `%s` |\n", kyivClock(s.Start), kyivClock(s.End), s.Domain, s.Kind, s.Region, s.Status,
			countRange(s.CountBest, s.CountLow, s.CountHigh), s.Sources, mdCell(s.AttributedTo), mdCell(violationText(s.Violation)), s.ID)
	}
	if in.Omitted > 0 {
		p("\nAnd %d more, less significant; the tables above count them all.\n", in.Omitted)
	}
	p("\n")
}

// incidentMap draws the day's incidents (all of them, not only the listed
// ones) coloured by domain, binned when dense.
func (rd *Renderer) incidentMap(r Report) template.HTML {
	m := mapsvg.Map{
		Title:   "Incidents on " + r.Day,
		Desc:    fmt.Sprintf("Map of the monitoring mission's incidents starting on %s (Kyiv time), coloured by domain.", r.Day),
		Noun:    "incidents",
		Classes: mapsvg.DomainClasses(),
		Points:  make([]mapsvg.Point, len(r.all)),
	}
	titles := len(r.all) <= mapsvg.DefaultBinAbove // a binned map shows no per-point titles
	for i := range r.all {
		s := &r.all[i]
		p := mapsvg.Point{Lat: s.Lat, Lon: s.Lon, Region: s.Region, Class: s.Domain}
		if titles {
			p.Title = fmt.Sprintf("%s (%s), %s Kyiv time, %s, %s", humanKind(s.Kind), s.Domain, kyivClock(s.Start), s.Status, countRange(s.CountBest, s.CountLow, s.CountHigh))
			if s.Violation != nil {
				p.Title += ", violation"
			}
			if rd.links != "" {
				p.Href = rd.links + "/" + url.PathEscape(s.ID)
			}
		}
		m.Points[i] = p
	}
	if rd.links != "" {
		day, _ := time.Parse(time.DateOnly, r.Day)
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, airwar.Kyiv()).UTC().Format(time.RFC3339)
		to := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, airwar.Kyiv()).UTC().Format(time.RFC3339)
		m.BinHref = func(bb [4]float64) string {
			q := url.Values{"from": {from}, "to": {to}, "bbox": {fmt.Sprintf("%g,%g,%g,%g", bb[0], bb[1], bb[2], bb[3])}}
			return rd.links + "?" + q.Encode()
		}
	}
	return rd.base.SVG(m)
}
