package report

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
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
	// lang is the language of the Markdown and HTML's fixed text.
	lang    string
	cats    map[string]*catalogue
	regions map[string]region.Subdivision
}

// InLanguage returns a copy of rd that writes the fixed text of Markdown
// and HTML reports — headings, labels, table headers, captions, legends,
// the maps' and chart's text alternatives, and the standard notes, method
// and reasons — in lang ("en", "uk" or "ru"; see ParseLang; English for any
// other). Data from the sources (place names in the bulletins, issuers'
// citations, narratives) stays as recorded; regions are named in lang by
// their codes. JSON is the same in every language: its keys and values
// are a contract, and its sentences stay English.
func (rd *Renderer) InLanguage(lang string) *Renderer {
	c := *rd
	c.lang = "en"
	if slices.Contains(languages, lang) {
		c.lang = lang
	}
	return &c
}

// words returns the fixed text of rd's language.
func (rd *Renderer) words() words {
	l := cmp.Or(rd.lang, "en")
	return words{lang: l, c: rd.cats[l], en: rd.cats["en"], regions: rd.regions}
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
		"summary":   summary,
		"feeds":     feedNames,
	}).ParseFS(templates, "templates/daily.html")
	if err != nil {
		return nil, fmt.Errorf("report: parse templates: %w", err)
	}
	cats, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	rd := &Renderer{page: page, lang: "en", cats: cats, regions: map[string]region.Subdivision{}}
	for _, s := range region.All() {
		rd.regions[s.Code] = s
	}
	if b != nil {
		rd.base = mapsvg.New(b.Regions(), mapWidth)
	}
	return rd, nil
}

// Render writes r in format f. Its only errors are w's.
func (rd *Renderer) Render(w io.Writer, r Report, f Format) error {
	switch f {
	case Markdown:
		return writeMarkdown(w, r, rd.words())
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

// mdHeader writes a Markdown table's header row from the message keys of
// its columns and their alignments ("---" or "---:").
func mdHeader(t words, cols ...string) string {
	var head, rule strings.Builder
	head.WriteString("|")
	rule.WriteString("|")
	for i := 0; i+1 < len(cols); i += 2 {
		head.WriteString(" ")
		if cols[i] != "" {
			head.WriteString(t.T(cols[i]) + " ")
		}
		head.WriteString("|")
		rule.WriteString(cols[i+1] + "|")
	}
	return head.String() + "\n" + rule.String() + "\n"
}

func writeMarkdown(w io.Writer, r Report, t words) error {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s\n\n", t.T("title", r.Day))
	p("%s\n\n", t.T("md.times", r.TimeZone))
	p("## %s\n\n", t.T("air"))
	if r.Air.Reported {
		p("%s", mdHeader(t, "", "---", "col.launched", "---:", "col.destroyed", "---:", "col.suppressed_ew", "---:"))
		p("| %s | %d | %d | %d |\n", t.T("row.drones"), r.Air.Drones.Launched, r.Air.Drones.Destroyed, r.Air.Drones.Suppressed)
		p("| %s | %d | %d | %d |\n\n", t.T("row.missiles"), r.Air.Missiles.Launched, r.Air.Missiles.Destroyed, r.Air.Missiles.Suppressed)
		p("%s\n\n", t.T("air.counted", r.Air.BulletinsCounted, r.Air.BulletinsOverlapped))
		if len(r.Air.Models) > 0 {
			p("### %s\n\n%s", t.T("air.models"), mdHeader(t, "col.model", "---", "col.kind", "---", "col.launched", "---:", "col.destroyed", "---:", "col.suppressed", "---:"))
			for _, m := range r.Air.Models {
				p("| %s | %s | %d | %d | %d |\n", mdCell(m.Model), t.Term("kind", m.Kind), m.Launched, m.Destroyed, m.Suppressed)
			}
			p("\n")
		}
		if len(r.Air.Regions) > 0 {
			names := make([]string, len(r.Air.Regions))
			for i, rr := range r.Air.Regions {
				names[i] = fmt.Sprintf("%s (%s)", t.Region(rr.Region, rr.Name), rr.Region)
			}
			p("%s\n\n", t.T("air.regions", strings.Join(names, ", ")))
		}
	} else {
		p("%s\n\n", t.T("air.none.md"))
	}
	p("## %s\n\n", t.T("alerts"))
	if len(r.Alerts) > 0 {
		p("%s\n\n", t.T("alerts.totals", r.AlertTotals.Alerts, r.AlertTotals.Regions, feedNames(t, r.AlertTotals.Feeds), r.AlertTotals.SubRegional))
		p("%s", mdHeader(t, "col.region", "---", "col.code", "---", "col.alerts", "---:", "col.minutes", "---:", "col.both_feeds", "---:"))
		for _, a := range r.Alerts {
			p("| %s | %s | %d | %s | %d |\n", mdCell(t.Region(a.Region, a.Name)), a.Region, a.Count, fmtMinutes(a.Minutes), a.BothFeeds)
		}
		p("\n")
	} else {
		p("%s\n\n", t.T("alerts.none"))
	}
	p("## %s\n\n", t.T("incidents"))
	writeIncidentsMarkdown(&b, r.Incidents, t)
	if len(r.Bulletins) > 0 {
		p("## %s\n\n%s", t.T("bulletins"), mdHeader(t, "col.window.md", "---", "col.issuer", "---", "col.model", "---", "col.launched", "---:",
			"col.destroyed", "---:", "col.suppressed", "---:", "col.counted", "---"))
		for _, br := range r.Bulletins {
			counted := t.T("yes")
			if !br.Counted {
				counted = t.T("no", t.S(br.Reason))
			}
			p("| %s → %s | [%s](%s) | %s | %d | %d | %d | %s |\n", br.Start, br.End, mdCell(t.S(br.Issuer)), br.Post, mdCell(br.Model),
				br.Launched, br.Destroyed, br.Suppressed, counted)
		}
		p("\n")
	}
	if len(r.Notes) > 0 {
		p("## %s\n\n", t.T("notes"))
		for _, n := range r.Notes {
			p("- %s\n", t.S(n))
		}
		p("\n")
	}
	p("## %s\n\n", t.T("sources"))
	for _, s := range r.Sources {
		p("- **%s**, %s. <%s>. %s", s.Name, s.Publisher, s.URL, t.T("source.terms", t.S(s.Licence), s.Attribution))
		if s.Note != "" {
			p(" %s", t.S(s.Note))
		}
		p("\n")
	}
	p("\n## %s\n\n", t.T("method"))
	for _, m := range r.Method {
		p("- %s\n", t.S(m))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// feedNames lists the alert feeds in the language.
func feedNames(t words, feeds []string) string {
	names := make([]string, len(feeds))
	for i, f := range feeds {
		names[i] = t.Term("feed", f)
	}
	return strings.Join(names, ", ")
}

// headline is the report's one-line headline in the language (in English,
// Report.String).
func headline(t words, r Report) string {
	if !r.Air.Reported {
		return t.T("headline.noair", r.Day, r.AlertTotals.Alerts, r.AlertTotals.Regions)
	}
	return t.T("headline", r.Day, r.Air.Drones.Launched, r.Air.Missiles.Launched, r.Air.Drones.Destroyed, r.Air.Missiles.Destroyed,
		r.AlertTotals.Alerts, r.AlertTotals.Regions)
}

// page is what the HTML template reads.
type page struct {
	Report
	// W writes the fixed text in the report's language; Lang is it.
	W             words
	Lang          string
	Headline      string
	Map           *svgMap
	Chart         svgChart
	IncidentsLead string
	IncidentMap   template.HTML
	// IncidentsBinned says the incident map bins its points.
	IncidentsBinned bool
	// RegionsNamed lists the regions the bulletins name, in the language.
	RegionsNamed string
}

func (rd *Renderer) writeHTML(w io.Writer, r Report) error {
	t := rd.words()
	pg := page{Report: r, W: t, Lang: t.lang, Headline: headline(t, r), Chart: airChart(t, r.Air), IncidentsLead: incidentsLead(t, r.Incidents)}
	names := make([]string, len(r.Air.Regions))
	for i, rr := range r.Air.Regions {
		names[i] = fmt.Sprintf("%s (%s)", t.Region(rr.Region, rr.Name), rr.Region)
	}
	pg.RegionsNamed = strings.Join(names, ", ")
	if rd.base != nil {
		pg.Map = rd.alertMap(t, r)
		if r.Incidents.Included && r.Incidents.Total > 0 {
			pg.IncidentMap = rd.incidentMap(t, r)
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
func incidentsLead(t words, in Incidents) string {
	view := t.T("lead.staff")
	if in.View == ViewReleased {
		view = t.T("lead.released")
	}
	switch {
	case !in.Included:
		return t.T("lead.excluded")
	case in.Total == 0:
		return t.T("lead.none", view)
	}
	return t.T(t.Plural("lead", in.Total), view, in.Total, in.Violations)
}

// violationText says which term an incident breaches, or "".
func violationText(t words, v *Violation) string {
	if v == nil {
		return ""
	}
	return t.T("violation", v.Term, v.Agreement)
}

// summary is a notable incident's sentence in the language: in English the
// report's own (Summary), else written anew.
func summary(t words, s IncidentSummary) string {
	if t.lang == "en" && s.Summary != "" {
		return s.Summary
	}
	return sentenceIn(t, &s)
}

func writeIncidentsMarkdown(b *bytes.Buffer, in Incidents, t words) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("%s\n\n", incidentsLead(t, in))
	if !in.Included || in.Total == 0 {
		return
	}
	p("### %s\n\n%s", t.T("inc.bydomain"), mdHeader(t, "col.domain", "---", "col.incidents", "---:", "col.munitions", "---:", "col.low", "---:", "col.high", "---:", "col.violations", "---:"))
	for _, c := range in.ByDomain {
		p("| %s | %d | %d | %d | %d | %d |\n", t.Term("domain", c.Domain), c.Incidents, c.CountBest, c.CountLow, c.CountHigh, c.Violations)
	}
	p("\n### %s\n\n%s", t.T("inc.bykind"), mdHeader(t, "col.domain", "---", "col.kind", "---", "col.incidents", "---:", "col.munitions", "---:", "col.low", "---:", "col.high", "---:", "col.violations", "---:"))
	for _, c := range in.ByKind {
		p("| %s | %s | %d | %d | %d | %d | %d |\n", t.Term("domain", c.Domain), t.Term("kind", c.Kind), c.Incidents, c.CountBest, c.CountLow, c.CountHigh, c.Violations)
	}
	p("\n### %s\n\n%s", t.T("inc.byregion"), mdHeader(t, "col.region", "---", "col.code", "---", "col.incidents", "---:", "col.munitions", "---:", "col.low", "---:", "col.high", "---:", "col.violations", "---:"))
	for _, c := range in.ByRegion {
		p("| %s | %s | %d | %d | %d | %d | %d |\n", mdCell(t.Region(c.Region, c.Name)), c.Region, c.Incidents, c.CountBest, c.CountLow, c.CountHigh, c.Violations)
	}
	p("\n### %s\n\n", t.T("inc.notable"))
	if len(in.Notable) == 0 {
		p("%s\n", t.T("inc.notable.none"))
	}
	for i, n := range in.Notable {
		p("%d. %s (`%s`)\n", i+1, mdCell(summary(t, n)), n.ID)
	}
	p("\n### %s\n\n%s", t.T("inc.list"), mdHeader(t, "col.time", "---", "col.domain", "---", "col.kind", "---", "col.region", "---", "col.status", "---",
		"col.count", "---:", "col.sources", "---:", "col.attributed", "---", "col.violation", "---", "col.id", "---"))
	for _, s := range in.Items {
		p("| %s–%s | %s | %s | %s | %s | %s | %d | %s | %s | `%s` |\n", kyivClock(s.Start), kyivClock(s.End), t.Term("domain", s.Domain), t.Term("kind", s.Kind),
			t.RegionCode(s.Region), t.Term("status", s.Status),
			countRange(s.CountBest, s.CountLow, s.CountHigh), s.Sources, mdCell(s.AttributedTo), mdCell(violationText(t, s.Violation)), s.ID)
	}
	if in.Omitted > 0 {
		p("\n%s\n", t.T("inc.omitted.md", in.Omitted))
	}
	p("\n")
}

// incidentMap draws the day's incidents (all of them, not only the listed
// ones) coloured by domain, binned when dense.
func (rd *Renderer) incidentMap(t words, r Report) template.HTML {
	m := mapsvg.Map{
		Title:   t.T("incmap.title", r.Day),
		Desc:    t.T("incmap.desc", r.Day),
		Noun:    t.T("incmap.noun"),
		Classes: mapsvg.DomainClasses(),
		Points:  make([]mapsvg.Point, len(r.all)),
		Lang:    t.lang,
	}
	for i := range m.Classes {
		m.Classes[i].Label = t.Term("domain", m.Classes[i].Key)
	}
	titles := len(r.all) <= mapsvg.DefaultBinAbove // a binned map shows no per-point titles
	for i := range r.all {
		s := &r.all[i]
		p := mapsvg.Point{Lat: s.Lat, Lon: s.Lon, Region: s.Region, Class: s.Domain}
		if titles {
			p.Title = t.T("incmap.point", t.Kind(s.Kind), t.Term("domain", s.Domain), kyivClock(s.Start), t.Term("status", s.Status), countRange(s.CountBest, s.CountLow, s.CountHigh))
			if s.Violation != nil {
				p.Title += t.T("incmap.violation")
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
