package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"truce/internal/airwar"
	"truce/internal/report"
)

func fptr(v float64) *float64 { return &v }

// at is a time on 1 June 2025 in UTC (Kyiv is UTC+3).
func at(h, m int) time.Time { return time.Date(2025, 6, 1, h, m, 0, 0, time.UTC) }

// fixtureIncidents are the monitoring mission's incidents around 1 June
// 2025 as a test writes them by hand: two fall outside the Kyiv day.
func fixtureIncidents() []report.IncidentSummary {
	v := &report.Violation{Agreement: "a-energy", Term: "t-1"}
	return []report.IncidentSummary{
		{ID: "inc-01", Domain: "air", Kind: "drone", Start: at(0, 10), End: at(0, 40), Region: "UA-32", Lat: fptr(50.35), Lon: fptr(30.2), Status: "corroborated", CountLow: 10, CountBest: 12, CountHigh: 15, Sources: 3, AttributedTo: "RU", Violation: v},
		{ID: "inc-02", Domain: "air", Kind: "missile", Start: at(1, 5), End: at(1, 6), Region: "UA-30", Lat: fptr(50.45), Lon: fptr(30.52), Status: "verified", CountLow: 2, CountBest: 2, CountHigh: 3, Sources: 4},
		{ID: "inc-03", Domain: "land", Kind: "artillery", Start: at(4, 0), End: at(4, 30), Region: "UA-63", Lat: fptr(49.99), Lon: fptr(36.23), Status: "reported", CountLow: 20, CountBest: 30, CountHigh: 40, Sources: 1},
		{ID: "inc-04", Domain: "land", Kind: "artillery", Start: at(5, 0), End: at(5, 10), Region: "UA-63", Lat: fptr(50.1), Lon: fptr(36.5), Status: "corroborated", CountLow: 5, CountBest: 6, CountHigh: 8, Sources: 2, AttributedTo: "UA"},
		{ID: "inc-05", Domain: "land", Kind: "small_arms", Start: at(7, 30), End: at(7, 45), Region: "UA-14", Status: "unverified", CountLow: 1, CountBest: 1, CountHigh: 1, Sources: 1},
		{ID: "inc-06", Domain: "sea", Kind: "naval_drone", Start: at(9, 0), End: at(9, 20), Lat: fptr(44.9), Lon: fptr(31.5), Status: "verified", CountLow: 3, CountBest: 4, CountHigh: 4, Sources: 2, Violation: &report.Violation{Agreement: "a-sea", Term: "t-2"}},
		{ID: "inc-07", Domain: "land", Kind: "explosion", Start: at(12, 0), End: at(12, 0), Region: "UA-65", Lat: fptr(46.63), Lon: fptr(32.61), Status: "refuted", CountLow: 1, CountBest: 1, CountHigh: 2, Sources: 1},
		{ID: "inc-08", Domain: "air", Kind: "drone", Start: at(20, 59), End: at(21, 30), Region: "UA-51", Lat: fptr(46.48), Lon: fptr(30.72), Status: "corroborated", CountLow: 30, CountBest: 35, CountHigh: 41, Sources: 5},
		// Before and after the Kyiv day.
		{ID: "inc-00", Domain: "air", Kind: "drone", Start: time.Date(2025, 5, 31, 20, 59, 0, 0, time.UTC), End: at(0, 1), Region: "UA-32", Status: "verified", CountLow: 100, CountBest: 100, CountHigh: 100, Sources: 9},
		{ID: "inc-09", Domain: "air", Kind: "drone", Start: at(21, 0), End: at(21, 30), Region: "UA-32", Status: "verified", CountLow: 100, CountBest: 100, CountHigh: 100, Sources: 9},
	}
}

func incidentsReport(t testing.TB, view string, incs []report.IncidentSummary) report.Report {
	t.Helper()
	d, _ := airwar.ParseDay("2025-06-01")
	in, err := report.Load(context.Background(), store(t), d)
	if err != nil {
		t.Fatal(err)
	}
	in.Incidents, in.IncidentsIncluded, in.IncidentsView = incs, true, view
	return report.Build(in)
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s (run go test -update if the change is intended)", path)
	}
}

// TestIncidentsGolden renders the day with the fixture incidents in the
// three formats (HTML with links to the incident pages).
func TestIncidentsGolden(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	rd = rd.LinkIncidents("/incidents")
	r := incidentsReport(t, report.ViewStaff, fixtureIncidents())
	for _, f := range []report.Format{report.JSON, report.Markdown, report.HTML} {
		var b bytes.Buffer
		if err := rd.Render(&b, r, f); err != nil {
			t.Fatal(err)
		}
		compareGolden(t, "2025-06-01-incidents."+string(f)+".golden", b.Bytes())
	}
}

// TestIncidentTables checks the tables by domain, kind and region against
// sums computed here from the fixture, and that the day is the Kyiv day.
func TestIncidentTables(t *testing.T) {
	r := incidentsReport(t, report.ViewStaff, fixtureIncidents())
	kyiv := airwar.Kyiv()
	type sums struct{ n, low, best, high, viol int }
	byDomain, byKind, byRegion := map[string]sums{}, map[string]sums{}, map[string]sums{}
	total, violations := 0, 0
	for _, s := range fixtureIncidents() {
		if s.Start.In(kyiv).Format(time.DateOnly) != "2025-06-01" {
			continue
		}
		total++
		v := 0
		if s.Violation != nil {
			v = 1
			violations++
		}
		for _, m := range []struct {
			m map[string]sums
			k string
		}{{byDomain, s.Domain}, {byKind, s.Domain + "/" + s.Kind}, {byRegion, s.Region}} {
			x := m.m[m.k]
			m.m[m.k] = sums{x.n + 1, x.low + s.CountLow, x.best + s.CountBest, x.high + s.CountHigh, x.viol + v}
		}
	}
	in := r.Incidents
	if in.Total != total || total != 8 || in.Violations != violations || len(in.Items) != total || in.Omitted != 0 {
		t.Errorf("total %d, violations %d, items %d, omitted %d; want %d (8), %d, %d, 0", in.Total, in.Violations, len(in.Items), in.Omitted, total, violations, total)
	}
	check := func(name string, rows []report.CountRow, key func(report.CountRow) string, want map[string]sums) {
		got := map[string]sums{}
		for _, c := range rows {
			got[key(c)] = sums{c.Incidents, c.CountLow, c.CountBest, c.CountHigh, c.Violations}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
		if !slices.IsSortedFunc(rows, func(a, b report.CountRow) int {
			if (a.Region == "") != (b.Region == "") && name == "by region" {
				return 0
			}
			return b.Incidents - a.Incidents
		}) {
			t.Errorf("%s: not sorted by incidents, most first: %v", name, rows)
		}
	}
	check("by domain", in.ByDomain, func(c report.CountRow) string { return c.Domain }, byDomain)
	check("by kind", in.ByKind, func(c report.CountRow) string { return c.Domain + "/" + c.Kind }, byKind)
	check("by region", in.ByRegion, func(c report.CountRow) string { return c.Region }, byRegion)
	if last := in.ByRegion[len(in.ByRegion)-1]; last.Region != "" || last.Name != "no region given" {
		t.Errorf("the incidents without a region should come last, named: %+v", last)
	}
	for i, s := range in.Items {
		if i > 0 && s.Start.Before(in.Items[i-1].Start) {
			t.Errorf("items not in time order at %d", i)
		}
	}
}

// TestNotableRule: verified or corroborated only; violations first, then
// verified before corroborated, then the highest best count.
func TestNotableRule(t *testing.T) {
	r := incidentsReport(t, report.ViewStaff, fixtureIncidents())
	var got []string
	for _, n := range r.Incidents.Notable {
		got = append(got, n.ID)
		if n.Summary == "" {
			t.Errorf("%s: no summary", n.ID)
		}
	}
	// inc-06 verified+violation, inc-01 corroborated+violation, inc-02
	// verified, then corroborated by count: inc-08 (35), inc-04 (6).
	want := []string{"inc-06", "inc-01", "inc-02", "inc-08", "inc-04"}
	if !slices.Equal(got, want) {
		t.Errorf("notable %v, want %v", got, want)
	}
	if s := r.Incidents.Notable[1].Summary; s != "Drone (air), Kyiv Oblast, 03:10–03:40 Kyiv time: 12 (10–15), corroborated by 3 sources, attributed to RU; violates term t-1 of agreement a-energy." {
		t.Errorf("summary %q", s)
	}
	// At most MaxNotable.
	many := denseIncidents(500, 1)
	r = incidentsReport(t, report.ViewStaff, many)
	if n := len(r.Incidents.Notable); n != report.MaxNotable {
		t.Errorf("%d notable of 500, want %d", n, report.MaxNotable)
	}
	if !strings.Contains(strings.Join(r.Method, " "), "Notable incidents are those verified or corroborated") {
		t.Error("the method does not state the notable rule")
	}
}

// TestIncidentsViews: a report without incidents says so; the released
// view warns that unreleased incidents are not shown.
func TestIncidentsViews(t *testing.T) {
	none := dailyReport(t, "2025-06-01")
	if none.Incidents.Included || none.Incidents.View != "" || len(none.Incidents.Items) != 0 {
		t.Errorf("without incidents: %+v", none.Incidents)
	}
	rel := incidentsReport(t, report.ViewReleased, nil)
	if !rel.Incidents.Included || rel.Incidents.View != report.ViewReleased || rel.Incidents.Total != 0 {
		t.Errorf("released, none: %+v", rel.Incidents)
	}
	if !strings.Contains(strings.Join(rel.Notes, " "), "released to this report's readers") {
		t.Errorf("released view notes: %q", rel.Notes)
	}
	b, _ := json.Marshal(rel.Incidents)
	if !strings.Contains(string(b), `"items":[]`) || !strings.Contains(string(b), `"by_domain":[]`) {
		t.Errorf("empty lists must be [] in JSON: %s", b)
	}
}

// denseIncidents returns n incidents spread over 1 June 2025 (Kyiv) and
// over Ukraine, deterministic for a seed.
func denseIncidents(n int, seed uint64) []report.IncidentSummary {
	rng := rand.New(rand.NewPCG(seed, 2))
	kinds := [][2]string{{"land", "artillery"}, {"land", "mortar"}, {"air", "drone"}, {"air", "missile"}, {"sea", "naval_drone"}}
	statuses := []string{"reported", "corroborated", "verified", "unverified", "refuted"}
	regions := []string{"UA-63", "UA-14", "UA-65", "UA-23", "UA-59", "UA-32", ""}
	start := time.Date(2025, 5, 31, 21, 0, 0, 0, time.UTC)
	out := make([]report.IncidentSummary, n)
	for i := range out {
		k := kinds[rng.IntN(len(kinds))]
		best := 1 + rng.IntN(40)
		s := start.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		out[i] = report.IncidentSummary{ID: fmt.Sprintf("d-%06d", i), Domain: k[0], Kind: k[1], Start: s, End: s.Add(10 * time.Minute),
			Region: regions[rng.IntN(len(regions))], Lat: fptr(46 + rng.Float64()*5), Lon: fptr(30 + rng.Float64()*8),
			Status: statuses[rng.IntN(len(statuses))], CountLow: best - best/4, CountBest: best, CountHigh: best + best/3, Sources: 1 + rng.IntN(4)}
		if rng.IntN(50) == 0 {
			out[i].Violation = &report.Violation{Agreement: "a", Term: "t"}
		}
	}
	return out
}

// TestDenseDayPageWeight holds a day of 30,000 incidents to the page
// budget: the HTML page weighs at most 1 MB, lists MaxListed incidents and
// says how many more there are, and its map bins.
func TestDenseDayPageWeight(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	rd = rd.LinkIncidents("/incidents")
	r := incidentsReport(t, report.ViewStaff, denseIncidents(30000, 5))
	if r.Incidents.Total != 30000 || len(r.Incidents.Items) != report.MaxListed || r.Incidents.Omitted != 30000-report.MaxListed {
		t.Errorf("total %d, items %d, omitted %d", r.Incidents.Total, len(r.Incidents.Items), r.Incidents.Omitted)
	}
	// The listed ones are the most significant: every violation first.
	viol := 0
	for _, s := range r.Incidents.Items {
		if s.Violation != nil {
			viol++
		}
	}
	if viol != min(r.Incidents.Violations, report.MaxListed) {
		t.Errorf("%d violations listed of %d", viol, r.Incidents.Violations)
	}
	// The same incidents as a full sort by the stated order picks.
	all := slices.Clone(denseIncidents(30000, 5))
	rank := func(s report.IncidentSummary) int {
		return map[string]int{"verified": 0, "corroborated": 1, "reported": 2, "unverified": 3, "refuted": 4}[s.Status]
	}
	slices.SortFunc(all, func(a, b report.IncidentSummary) int {
		va, vb := 1, 1
		if a.Violation != nil {
			va = 0
		}
		if b.Violation != nil {
			vb = 0
		}
		if c := va - vb; c != 0 {
			return c
		}
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		if c := b.CountBest - a.CountBest; c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var want, got []string
	for _, s := range all[:report.MaxListed] {
		want = append(want, s.ID)
	}
	for _, s := range r.Incidents.Items {
		got = append(got, s.ID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the listed incidents are not the %d most significant", report.MaxListed)
	}
	for _, f := range []report.Format{report.HTML, report.JSON, report.Markdown} {
		var b bytes.Buffer
		if err := rd.Render(&b, r, f); err != nil {
			t.Fatal(err)
		}
		if b.Len() > 1_000_000 {
			t.Errorf("%s: %d bytes, want ≤ 1 MB", f, b.Len())
		}
		if f == report.HTML && (!strings.Contains(b.String(), "binned into") || !strings.Contains(b.String(), fmt.Sprintf("And %d more", 30000-report.MaxListed))) {
			t.Errorf("html: the map should bin and the list say how many more")
		}
	}
}

// TestIncidentsHTML parses the page with incidents: a third inline SVG,
// the incident map, with its text alternative and links to the incident
// pages; the tables' headings; no script, no external asset.
func TestIncidentsHTML(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rd.LinkIncidents("/incidents").Render(&b, incidentsReport(t, report.ViewStaff, fixtureIncidents()), report.HTML); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&b)
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var svgs, descs int
	var label, desc, text string
	var links []string
	inDesc := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("HTML does not parse: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range x.Attr {
				attr[a.Name.Local] = a.Value
				if a.Name.Local == "src" {
					t.Errorf("external asset: <%s src=%q>", x.Name.Local, a.Value)
				}
			}
			switch x.Name.Local {
			case "svg":
				svgs++
				if strings.HasPrefix(attr["aria-label"], "Incidents") {
					if attr["role"] != "img" {
						t.Errorf("the incident map's role is %q", attr["role"])
					}
					label = attr["aria-label"]
				}
			case "desc":
				descs++
				inDesc = svgs == 3
			case "a":
				if strings.HasPrefix(attr["href"], "/incidents") {
					links = append(links, attr["href"])
				}
			case "script":
				t.Error("the page has a script")
			}
		case xml.EndElement:
			inDesc = false
		case xml.CharData:
			if inDesc {
				desc += string(x)
			}
			text += string(x)
		}
	}
	if svgs != 3 || descs != 3 || label != "Incidents on 2025-06-01" {
		t.Errorf("%d svg, %d desc, incident map labelled %q; want 3, 3, Incidents on 2025-06-01", svgs, descs, label)
	}
	if !strings.Contains(desc, "8 incidents drawn: 4 land, 1 sea, 3 air") {
		t.Errorf("the incident map's text alternative: %q", desc)
	}
	if len(links) != 8 || !slices.Contains(links, "/incidents/inc-01") {
		t.Errorf("links %v, want one per incident", links)
	}
	for _, s := range []string{"By domain", "By kind", "By region", "Notable incidents", "term t-1 of agreement a-energy", "Kharkiv Oblast"} {
		if !strings.Contains(text, s) {
			t.Errorf("page text lacks %q", s)
		}
	}
}
