package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"truce/data"
	"truce/internal/airwar"
	"truce/internal/region"
	"truce/internal/report"
)

// TestAirFiguresAnnounced holds the report to the figures the Air Force
// announced.
func TestAirFiguresAnnounced(t *testing.T) {
	tests := []struct {
		day              string
		drones, missiles int
	}{
		{"2025-06-01", 472, 7},
		{"2025-07-09", 728, 13},
	}
	for _, tt := range tests {
		r := dailyReport(t, tt.day)
		if r.Air.Drones.Launched != tt.drones || r.Air.Missiles.Launched != tt.missiles {
			t.Errorf("%s: got %d drones and %d missiles launched, want %d and %d",
				tt.day, r.Air.Drones.Launched, r.Air.Missiles.Launched, tt.drones, tt.missiles)
		}
	}
}

// rawBulletin is a row of the bulletin CSV as this test reads it, without
// package airwar.
type rawBulletin struct {
	day                           string
	start, end                    time.Time
	national, drone               bool
	launched, destroyed, suppress int
}

// rawBulletins reads the shipped bulletin table with encoding/csv and
// applies the documented rules itself: the day is the date of time_end; a
// row is national if posted by kpszsu or GeneralStaff.ua; a drone row if
// every " and "-part of its model is a UAV in the weapon table.
func rawBulletins(t *testing.T) []rawBulletin {
	t.Helper()
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	uav := map[string]bool{}
	weapons, _ := csv.NewReader(strings.NewReader(readData(t, data.Weapons))).ReadAll()
	for _, rec := range weapons[1:] {
		uav[strings.ToLower(strings.TrimSpace(rec[0]))] = rec[1] == "UAV"
	}
	recs, err := csv.NewReader(strings.NewReader(readData(t, data.Bulletins))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	num := func(s string) int {
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("count %q: %v", s, err)
		}
		return int(f)
	}
	parse := func(s string, end bool) time.Time {
		if len(s) == 10 {
			d, _ := time.ParseInLocation("2006-01-02", s, kyiv)
			if end {
				d = d.AddDate(0, 0, 1)
			}
			return d
		}
		d, err := time.ParseInLocation("2006-01-02 15:04", s, kyiv)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var out []rawBulletin
	for _, rec := range recs[1:] {
		src := rec[col["source"]]
		page, _, _ := strings.Cut(src, "/posts/")
		drone := true
		for _, part := range strings.Split(rec[col["model"]], " and ") {
			isUAV, known := uav[strings.ToLower(strings.TrimSpace(part))]
			if !known {
				isUAV = strings.Contains(strings.ToLower(part), "uav") || strings.Contains(strings.ToLower(part), "shahed") || strings.Contains(strings.ToLower(part), "decoy")
			}
			drone = drone && isUAV
		}
		out = append(out, rawBulletin{
			day: rec[col["time_end"]][:10], start: parse(rec[col["time_start"]], false), end: parse(rec[col["time_end"]], true),
			national: page == "kpszsu" || page == "GeneralStaff.ua", drone: drone,
			launched: num(rec[col["launched"]]), destroyed: num(rec[col["destroyed"]]), suppress: num(rec[col["not_reach_goal"]]),
		})
	}
	return out
}

// TestAirFiguresAgainstRawCSV compares a handful of days with sums
// computed here from the CSV.
func TestAirFiguresAgainstRawCSV(t *testing.T) {
	rows := rawBulletins(t)
	for _, day := range []string{"2025-04-04", "2025-04-13", "2025-04-24", "2025-05-10", "2025-05-25", "2025-06-01", "2025-06-17", "2025-07-04", "2025-07-09", "2025-07-31"} {
		var want [2]airwar.Figures // drones, missiles
		for _, b := range rows {
			if b.day != day {
				continue
			}
			if !b.national {
				overlapped := false
				for _, n := range rows {
					if n.national && !b.start.After(n.end) && !n.start.After(b.end) {
						overlapped = true
					}
				}
				if overlapped {
					continue
				}
			}
			k := 1
			if b.drone {
				k = 0
			}
			want[k].Launched += b.launched
			want[k].Destroyed += b.destroyed
			want[k].Suppressed += b.suppress
		}
		r := dailyReport(t, day)
		if r.Air.Drones != want[0] || r.Air.Missiles != want[1] {
			t.Errorf("%s: got drones %+v missiles %+v, want %+v %+v", day, r.Air.Drones, r.Air.Missiles, want[0], want[1])
		}
		if day == "2025-05-10" && (r.Air.BulletinsCounted == 0 || want[0].Launched+want[1].Launched == 0) {
			t.Errorf("%s: a day with regional rows only must count them", day)
		}
	}
}

// TestAlertsAgainstMergedCSV compares 2025 days (the merged table, where no
// fusion applies) with counts and minutes computed here from the CSV.
func TestAlertsAgainstMergedCSV(t *testing.T) {
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	recs, err := csv.NewReader(strings.NewReader(readData(t, data.AlertsMerged2025))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2025-04-15", "2025-06-01", "2025-06-17", "2025-07-09", "2025-07-30"} {
		d0, _ := time.ParseInLocation("2006-01-02", day, kyiv)
		d1 := d0.AddDate(0, 0, 1)
		count := map[string]int{}
		minutes := map[string]float64{}
		for _, rec := range recs[1:] {
			s, _ := time.Parse(time.RFC3339, rec[1])
			e, _ := time.Parse(time.RFC3339, rec[2])
			name := rec[0]
			if !s.Before(d0) && s.Before(d1) {
				count[name]++
			}
			cs, ce := s, e
			if cs.Before(d0) {
				cs = d0
			}
			if ce.After(d1) {
				ce = d1
			}
			if cs.Before(ce) {
				minutes[name] += ce.Sub(cs).Minutes() // merged intervals of one oblast never overlap
			}
		}
		r := dailyReport(t, day)
		got := map[string]report.AlertRow{}
		for _, a := range r.Alerts {
			got[a.Region] = a
		}
		if len(r.Alerts) != len(minutes) {
			t.Errorf("%s: %d oblasts with alerts, want %d", day, len(r.Alerts), len(minutes))
		}
		for name, m := range minutes {
			code, ok := region.Code(name)
			if !ok {
				t.Fatalf("unknown oblast %q", name)
			}
			row := got[code]
			if row.Count != count[name] || math.Abs(row.Minutes-m) > 0.051 {
				t.Errorf("%s %s: got %d alerts, %.1f min; want %d, %.1f", day, name, row.Count, row.Minutes, count[name], m)
			}
		}
	}
}

// TestAlertsMatchWholeFeeds checks that the report, reading only around
// each day, gives the figures that fusing the whole 2024 feeds gives, for
// every day they cover, and that they are bounded by the raw counts.
func TestAlertsMatchWholeFeeds(t *testing.T) {
	var all []airwar.Alert
	for _, name := range []string{data.AlertsOfficial2024, data.AlertsVolunteer2024} {
		as, _, err := airwar.ReadAlerts(strings.NewReader(readData(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, as...)
	}
	fused := airwar.Fuse(all, airwar.DefaultTolerance())
	for d := (airwar.Day{Y: 2024, M: 1, D: 1}); d.Before(airwar.Day{Y: 2024, M: 3, D: 1}); d = d.Next() {
		want := airwar.DailyAlerts(fused, d, airwar.Kyiv())
		r := dailyReport(t, d.String())
		if len(r.Alerts) != len(want) {
			t.Errorf("%s: %d oblasts, want %d", d, len(r.Alerts), len(want))
			continue
		}
		for i, w := range want {
			g := r.Alerts[i]
			if g.Region != w.Region || g.Count != w.Count || math.Abs(g.Minutes-w.Minutes) > 0.051 {
				t.Errorf("%s: got %+v, want %+v", d, g, w)
			}
			official := 0
			for _, a := range all {
				if a.Feed == airwar.FeedOfficial && a.RegionWide() && a.Region == w.Region && airwar.DayOf(a.Start, airwar.Kyiv()) == d {
					official++
				}
			}
			if g.Count < official {
				t.Errorf("%s %s: %d alerts, fewer than the %d official ones", d, w.Region, g.Count, official)
			}
		}
	}
}

func TestEmptyDay(t *testing.T) {
	r := dailyReport(t, "2020-01-01")
	if r.Air.Reported || len(r.Alerts) != 0 || len(r.Bulletins) != 0 || r.Incidents.Included {
		t.Errorf("a day without data: %+v", r)
	}
	b, _ := json.Marshal(r)
	for _, key := range []string{`"alerts":[]`, `"items":[]`, `"notable":[]`, `"bulletins":[]`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "missing, not zero") {
		t.Errorf("notes do not say the figures are missing: %q", r.Notes)
	}
}

// TestGolden compares the three renderings of two days with testdata;
// go test -update rewrites them.
func TestGolden(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2025-06-01", "2024-01-15"} {
		r := dailyReport(t, day)
		for _, f := range []report.Format{report.JSON, report.Markdown, report.HTML} {
			var b bytes.Buffer
			if err := rd.Render(&b, r, f); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", day+"."+string(f)+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from %s (run go test -update if the change is intended)", f, golden)
			}
		}
	}
}

// TestHTML parses the page: one document, a language, a title, both
// figures, the map with a path per subdivision and a text alternative, a
// print stylesheet, and nothing fetched from elsewhere.
func TestHTML(t *testing.T) {
	rd, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rd.Render(&b, dailyReport(t, "2025-06-01"), report.HTML); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 1<<20 {
		t.Errorf("page weighs %d bytes, over 1 MB", b.Len())
	}
	dec := xml.NewDecoder(&b)
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var (
		lang, title, text, style string
		paths, svgs, descs       int
		stack                    []string
	)
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
			stack = append(stack, x.Name.Local)
			for _, a := range x.Attr {
				if x.Name.Local == "html" && a.Name.Local == "lang" {
					lang = a.Value
				}
				// An empty data: icon keeps browsers from asking for
				// /favicon.ico; nothing else may load.
				if a.Name.Local == "src" || (x.Name.Local == "link" && a.Name.Local == "href" && a.Value != "data:,") {
					t.Errorf("external asset: <%s %s=%q>", x.Name.Local, a.Name.Local, a.Value)
				}
				if x.Name.Local == "path" && a.Name.Local == "id" && strings.HasPrefix(a.Value, "region-UA-") {
					paths++
				}
			}
			switch x.Name.Local {
			case "svg":
				svgs++
			case "desc":
				descs++
			case "script":
				t.Errorf("the page has a script")
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch stack[len(stack)-1] {
			case "title":
				if len(stack) >= 2 && stack[len(stack)-2] == "head" {
					title += string(x)
				}
			case "style":
				style += string(x)
			}
			text += string(x)
		}
	}
	if lang != "en" || !strings.Contains(title, "2025-06-01") {
		t.Errorf("lang %q, title %q", lang, title)
	}
	if svgs != 2 || descs != 2 || paths != 27 {
		t.Errorf("%d svg, %d desc, %d region paths; want 2, 2 and 27", svgs, descs, paths)
	}
	if !strings.Contains(style, "@media print") {
		t.Errorf("no print stylesheet")
	}
	for _, s := range []string{"472", "drones launched", "missiles launched", "Kyiv Oblast", "ODbL", "Petro Ivaniuk"} {
		if !strings.Contains(text, s) {
			t.Errorf("page text lacks %q", s)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want report.Format
		ok   bool
	}{{"", report.JSON, true}, {"json", report.JSON, true}, {"md", report.Markdown, true}, {"html", report.HTML, true}, {"pdf", "", false}} {
		got, err := report.ParseFormat(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// BenchmarkDailyReport measures loading, building and rendering one day
// from a store with all the shipped data:
//
//	go test ./internal/report -run '^$' -bench DailyReport -benchmem
func BenchmarkDailyReport(b *testing.B) {
	rd, err := report.NewRenderer(boundaries(b))
	if err != nil {
		b.Fatal(err)
	}
	s := store(b)
	day := airwar.Day{Y: 2025, M: 6, D: 1}
	for _, f := range []report.Format{report.JSON, report.Markdown, report.HTML} {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				in, err := report.Load(context.Background(), s, day)
				if err != nil {
					b.Fatal(err)
				}
				if err := rd.Render(io.Discard, report.Build(in), f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
