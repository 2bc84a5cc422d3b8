package airwar

import (
	"errors"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"truce/data"
)

func TestReadAlertsShipped(t *testing.T) {
	tests := []struct {
		file   string
		feed   Feed
		rows   int
		levels map[Level]int
	}{
		{data.AlertsOfficial2024, FeedOfficial, 3777, map[Level]int{LevelOblast: 3172, LevelHromada: 604, LevelRaion: 1}},
		{data.AlertsVolunteer2024, FeedVolunteer, 3667, map[Level]int{LevelOblast: 3667}},
		{data.AlertsMerged2025, FeedMerged2025, 5149, map[Level]int{LevelOblast: 5149}},
	}
	for _, tt := range tests {
		t.Run(string(tt.feed), func(t *testing.T) {
			as := shippedAlerts(t, tt.file)
			if len(as) != tt.rows {
				t.Fatalf("%d alerts, want %d", len(as), tt.rows)
			}
			levels := map[Level]int{}
			ids := map[string]bool{}
			for _, a := range as {
				levels[a.Level]++
				ids[a.ID] = true
				if a.Feed != tt.feed || !slices.Equal(a.Feeds, []Feed{tt.feed}) {
					t.Fatalf("line %d: feed %s %v", a.Line, a.Feed, a.Feeds)
				}
				if a.Start.Location() != time.UTC || a.End.Before(a.Start) {
					t.Fatalf("line %d: %v → %v", a.Line, a.Start, a.End)
				}
				if a.RegionWide() != (a.Raion == "" && a.Hromada == "") && a.Level != LevelRaion {
					t.Errorf("line %d: level %s with raion %q hromada %q", a.Line, a.Level, a.Raion, a.Hromada)
				}
			}
			if len(ids) != len(as) {
				t.Errorf("%d distinct ids for %d alerts", len(ids), len(as))
			}
			for l, n := range tt.levels {
				if levels[l] != n {
					t.Errorf("%d %s alerts, want %d", levels[l], l, n)
				}
			}
		})
	}
}

func TestAlertFields(t *testing.T) {
	off := shippedAlerts(t, data.AlertsOfficial2024)
	a := off[0] // Kyivska oblast,,,oblast,2024-01-01 00:20:05+00:00,2024-01-01 00:46:51+00:00,official
	if a.Region != "UA-32" || a.Line != 2 || !a.Start.Equal(time.Date(2024, 1, 1, 0, 20, 5, 0, time.UTC)) ||
		!a.End.Equal(time.Date(2024, 1, 1, 0, 46, 51, 0, time.UTC)) || !a.RegionWide() {
		t.Errorf("first official alert = %+v", a)
	}
	var hromada Alert
	for _, a := range off {
		if a.Level == LevelHromada {
			hromada = a
			break
		}
	}
	if hromada.Region != "UA-12" && hromada.Region != "UA-14" || hromada.Hromada == "" || hromada.Raion == "" {
		t.Errorf("first hromada alert = %+v", hromada)
	}
	vol := shippedAlerts(t, data.AlertsVolunteer2024)
	naive := 0
	for _, a := range vol {
		if a.Naive {
			naive++
			if a.End.Sub(a.Start) != 30*time.Minute {
				t.Errorf("line %d: naive alert lasts %v", a.Line, a.End.Sub(a.Start))
			}
		}
	}
	if naive != 169 {
		t.Errorf("%d naive volunteer alerts, want 169", naive)
	}
	m := shippedAlerts(t, data.AlertsMerged2025)
	if m[0].Region != "UA-59" || m[0].SubAlerts != 1 || !m[0].Start.Equal(time.Date(2025, 4, 1, 0, 9, 49, 0, time.UTC)) {
		t.Errorf("first merged alert = %+v", m[0])
	}
	regions := map[string]bool{}
	for _, a := range m {
		regions[a.Region] = true
	}
	if len(regions) != 23 || regions["UA-63"] {
		t.Errorf("merged 2025: %d regions (Kharkiv present: %v), want 23 without Kharkiv", len(regions), regions["UA-63"])
	}
}

func TestReadAlertsBadRows(t *testing.T) {
	in := strings.Join([]string{
		"oblast,raion,hromada,level,started_at,finished_at,source",
		"Kyivska oblast,,,oblast,2024-01-01 00:20:05+00:00,2024-01-01 00:46:51+00:00,official",  // 2 good
		"Atlantis oblast,,,oblast,2024-01-01 00:20:05+00:00,2024-01-01 00:46:51+00:00,official", // 3 region
		"Kyivska oblast,,,village,2024-01-01 00:20:05+00:00,2024-01-01 00:46:51+00:00,official", // 4 level
		"Kyivska oblast,,,oblast,soon,2024-01-01 00:46:51+00:00,official",                       // 5 start
		"Kyivska oblast,,,oblast,2024-01-01 00:20:05+00:00,,official",                           // 6 no end
		"Kyivska oblast,,,oblast,2024-01-01 01:20:05+00:00,2024-01-01 00:46:51+00:00,official",  // 7 end<start
		"Kyivska oblast,,,oblast", // 8 short
		"Odeska oblast,Odeskyi raion,,raion,2024-01-02 00:20:05+00:00,2024-01-02 00:46:51+00:00,", // 9 good
	}, "\n")
	as, bad, err := ReadAlerts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Line != 2 || as[1].Line != 9 || as[1].Level != LevelRaion || as[1].Region != "UA-51" {
		t.Errorf("good alerts = %+v", as)
	}
	wantBad := []struct {
		line int
		col  string
	}{{3, "oblast"}, {4, "level"}, {5, "started_at"}, {6, "finished_at"}, {7, "finished_at"}, {8, ""}}
	if len(bad) != len(wantBad) {
		t.Fatalf("bad = %v, want %d", bad, len(wantBad))
	}
	for i, w := range wantBad {
		if bad[i].Line != w.line || bad[i].Column != w.col {
			t.Errorf("bad[%d] = %v, want line %d column %q", i, bad[i], w.line, w.col)
		}
	}
	if _, _, err := ReadAlerts(strings.NewReader("a,b\n1,2\n")); !errors.Is(err, ErrLayout) {
		t.Errorf("unknown layout: err = %v, want ErrLayout", err)
	}
	for _, tt := range []struct {
		header string
		feed   Feed
	}{
		{"oblast,raion,hromada,level,started_at,finished_at,source", FeedOfficial},
		{"region,started_at,finished_at,naive", FeedVolunteer},
		{"region,started_at_utc,finished_at_utc,n_subalerts,duration_minutes", FeedMerged2025},
		{"\ufeffregion,started_at,finished_at,naive", FeedVolunteer},
	} {
		ar, err := NewAlertReader(strings.NewReader(tt.header + "\n"))
		if err != nil || ar.Feed() != tt.feed {
			t.Errorf("NewAlertReader(%q) = %v, %v; want %s", tt.header, ar, err, tt.feed)
		}
	}
}

func TestFuse(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	off := func(id string, start, end time.Duration) Alert {
		return Alert{ID: id, Feed: FeedOfficial, Feeds: []Feed{FeedOfficial}, Region: "UA-32", Level: LevelOblast, Start: t0.Add(start), End: t0.Add(end)}
	}
	vol := func(id string, start, end time.Duration) Alert {
		return Alert{ID: id, Feed: FeedVolunteer, Feeds: []Feed{FeedVolunteer}, Region: "UA-32", Level: LevelOblast, Start: t0.Add(start), End: t0.Add(end)}
	}
	s := time.Second
	tests := []struct {
		name    string
		in      []Alert
		matched map[string]string // official id → volunteer id
		out     int
	}{
		{"one pair", []Alert{off("o", 0, 600*s), vol("v", 26*s, 610*s)}, map[string]string{"o": "v"}, 1},
		{"too far apart", []Alert{off("o", 0, 600*s), vol("v", 200*s, 1200*s)}, nil, 2},
		{"late start, same end", []Alert{off("o", 0, 3600*s), vol("v", 600*s, 3650*s)}, map[string]string{"o": "v"}, 1},
		{"late start, naive end", func() []Alert {
			v := vol("v", 600*s, 2400*s)
			v.Naive = true
			return []Alert{off("o", 0, 2400*s), v}
		}(), nil, 2},
		{"one official, two volunteers: closest wins, other stays", []Alert{off("o", 0, 600*s), vol("v1", 90*s, 600*s), vol("v2", 10*s, 600*s)}, map[string]string{"o": "v2"}, 2},
		{"two officials, one volunteer", []Alert{off("o1", 0, 600*s), off("o2", 250*s, 900*s), vol("v", 200*s, 700*s)}, map[string]string{"o2": "v"}, 2},
		{"other oblast", []Alert{off("o", 0, 600*s), func() Alert { v := vol("v", 0, 600*s); v.Region = "UA-30"; return v }()}, nil, 2},
		{"sub-regional official never fuses", []Alert{func() Alert { o := off("o", 0, 600*s); o.Level = LevelHromada; return o }(), vol("v", 0, 600*s)}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Fuse(tt.in, DefaultTolerance())
			if len(out) != tt.out {
				t.Errorf("%d alerts out, want %d", len(out), tt.out)
			}
			got := map[string]string{}
			for _, a := range out {
				if a.Matched != "" {
					got[a.ID] = a.Matched
					if !slices.Equal(a.Feeds, []Feed{FeedOfficial, FeedVolunteer}) {
						t.Errorf("%s: feeds %v", a.ID, a.Feeds)
					}
				}
			}
			if len(got) != len(tt.matched) {
				t.Errorf("matched %v, want %v", got, tt.matched)
			}
			for o, v := range tt.matched {
				if got[o] != v {
					t.Errorf("matched %v, want %v", got, tt.matched)
				}
			}
			again := Fuse(out, DefaultTolerance())
			if len(again) != len(out) {
				t.Errorf("Fuse is not idempotent: %d then %d alerts", len(out), len(again))
			}
		})
	}
}

// TestFuseShipped fuses the two real 2024 feeds and checks the pairing
// against a brute-force matcher over all pairs.
func TestFuseShipped(t *testing.T) {
	off := shippedAlerts(t, data.AlertsOfficial2024)
	vol := shippedAlerts(t, data.AlertsVolunteer2024)
	fused := Fuse(append(slices.Clone(off), vol...), DefaultTolerance())
	matched := 0
	for _, a := range fused {
		if a.Matched != "" {
			matched++
		}
	}
	want := bruteForcePairs(off, vol)
	if matched != len(want) {
		t.Errorf("Fuse matched %d pairs, brute force %d", matched, len(want))
	}
	if matched < 2238 {
		t.Errorf("Fuse matched %d pairs; fewer than the 2,238 SOURCE.md finds within 120 s", matched)
	}
	if got, wantN := len(fused), len(off)+len(vol)-matched; got != wantN {
		t.Errorf("%d fused alerts, want %d", got, wantN)
	}
	for _, a := range fused {
		if a.Matched != "" && want[a.ID] != a.Matched {
			t.Errorf("official %s (line %d) matched %s, brute force says %s", a.ID, a.Line, a.Matched, want[a.ID])
		}
	}
	t.Logf("fused %d official and %d volunteer alerts into %d (%d pairs)", len(off), len(vol), len(fused), matched)
}

// bruteForcePairs is an independent matcher: every official oblast alert
// against every volunteer alert, all acceptable pairs sorted by gaps,
// taken greedily.
func bruteForcePairs(off, vol []Alert) map[string]string {
	type cand struct {
		sg, eg float64
		o, v   Alert
	}
	var cands []cand
	for _, o := range off {
		if o.Level != LevelOblast {
			continue
		}
		for _, v := range vol {
			if o.Region != v.Region {
				continue
			}
			sg := math.Abs(o.Start.Sub(v.Start).Seconds())
			eg := math.Abs(o.End.Sub(v.End).Seconds())
			if sg <= 180 || (sg <= 900 && !v.Naive && eg <= 180) {
				cands = append(cands, cand{sg, eg, o, v})
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.sg != b.sg {
			return a.sg < b.sg
		}
		if a.eg != b.eg {
			return a.eg < b.eg
		}
		if !a.o.Start.Equal(b.o.Start) {
			return a.o.Start.Before(b.o.Start)
		}
		if a.o.ID != b.o.ID {
			return a.o.ID < b.o.ID
		}
		return a.v.ID < b.v.ID
	})
	pairs := map[string]string{}
	usedV := map[string]bool{}
	for _, c := range cands {
		if _, ok := pairs[c.o.ID]; ok || usedV[c.v.ID] {
			continue
		}
		pairs[c.o.ID] = c.v.ID
		usedV[c.v.ID] = true
	}
	return pairs
}

func TestDailyAlertsMidnight(t *testing.T) {
	kyiv := Kyiv()
	a := Alert{ID: "a", Feed: FeedOfficial, Feeds: []Feed{FeedOfficial}, Region: "UA-46", Level: LevelOblast,
		Start: time.Date(2024, 1, 10, 23, 0, 0, 0, kyiv).UTC(), End: time.Date(2024, 1, 11, 1, 0, 0, 0, kyiv).UTC()}
	sub := Alert{ID: "h", Feed: FeedOfficial, Feeds: []Feed{FeedOfficial}, Region: "UA-46", Level: LevelHromada, Hromada: "x",
		Start: time.Date(2024, 1, 11, 5, 0, 0, 0, kyiv).UTC(), End: time.Date(2024, 1, 11, 9, 0, 0, 0, kyiv).UTC()}
	// An unmatched volunteer alert inside the official one adds a count but no minutes.
	inner := Alert{ID: "v", Feed: FeedVolunteer, Feeds: []Feed{FeedVolunteer}, Region: "UA-46", Level: LevelOblast,
		Start: time.Date(2024, 1, 10, 23, 20, 0, 0, kyiv).UTC(), End: time.Date(2024, 1, 10, 23, 40, 0, 0, kyiv).UTC()}
	tests := []struct {
		day  string
		want []AlertDay
	}{
		{"2024-01-10", []AlertDay{{"UA-46", "Lviv Oblast", 2, 60}}},
		{"2024-01-11", []AlertDay{{"UA-46", "Lviv Oblast", 0, 60}}},
		{"2024-01-12", []AlertDay{}},
	}
	for _, tt := range tests {
		got := DailyAlerts([]Alert{a, sub, inner}, mustDay(t, tt.day), kyiv)
		if !slices.Equal(got, tt.want) {
			t.Errorf("DailyAlerts(%s) = %+v, want %+v", tt.day, got, tt.want)
		}
	}
	if got := DailyAlerts([]Alert{sub}, mustDay(t, "2024-01-11"), kyiv); len(got) != 0 {
		t.Errorf("sub-regional alert alone gives %+v, want nothing", got)
	}
}

// TestDailyAlertsIndependent checks DailyAlerts on the real feeds against
// a per-second tally built from the brute-force pairing.
func TestDailyAlertsIndependent(t *testing.T) {
	kyiv := Kyiv()
	off := shippedAlerts(t, data.AlertsOfficial2024)
	vol := shippedAlerts(t, data.AlertsVolunteer2024)
	raw := append(slices.Clone(off), vol...)
	pairs := bruteForcePairs(off, vol)
	absorbed := map[string]bool{}
	for _, v := range pairs {
		absorbed[v] = true
	}
	var kept []Alert
	for _, a := range raw {
		if a.Level == LevelOblast && !absorbed[a.ID] {
			kept = append(kept, a)
		}
	}
	fusedOnce := Fuse(raw, DefaultTolerance())
	for d := mustDay(t, "2024-01-01"); d.Before(mustDay(t, "2024-03-01")); d = d.Next() {
		from, to := d.Start(kyiv), d.End(kyiv)
		secs := int(to.Sub(from) / time.Second)
		want := map[string]*AlertDay{}
		under := map[string][]bool{}
		for _, a := range kept {
			if !a.Start.Before(to) || (a.Start.Before(from) && !a.End.After(from)) {
				continue // neither starts on the day nor covers any of it
			}
			w := want[a.Region]
			if w == nil {
				w = &AlertDay{Region: a.Region}
				under[a.Region] = make([]bool, secs)
			}
			touched := false
			if !a.Start.Before(from) && a.Start.Before(to) {
				w.Count++
				touched = true
			}
			// Mark each second of the day the alert covers. Alert times
			// are whole seconds, so seconds are exact.
			first := max(0, int(a.Start.Sub(from)/time.Second))
			last := min(secs, int(a.End.Sub(from)/time.Second))
			for s := first; s < last; s++ {
				under[a.Region][s] = true
				touched = true
			}
			if touched {
				want[a.Region] = w
			}
		}
		for code, w := range want {
			n := 0
			for _, b := range under[code] {
				if b {
					n++
				}
			}
			w.Minutes = float64(n) / 60
		}
		got := DailyAlerts(raw, d, kyiv)
		gotFused := DailyAlerts(fusedOnce, d, kyiv)
		if !slices.Equal(got, gotFused) {
			t.Errorf("%v: raw input and fused input differ:\n%+v\n%+v", d, got, gotFused)
		}
		if len(got) != len(want) {
			t.Errorf("%v: %d regions, independent %d", d, len(got), len(want))
		}
		for _, g := range got {
			w := want[g.Region]
			if w == nil || g.Count != w.Count || math.Abs(g.Minutes-w.Minutes) > 1e-9 {
				t.Errorf("%v %s: got %+v, independent %+v", d, g.Region, g, w)
			}
		}
	}
}

func TestDailyAlertsGolden(t *testing.T) {
	kyiv := Kyiv()
	raw := append(shippedAlerts(t, data.AlertsOfficial2024), shippedAlerts(t, data.AlertsVolunteer2024)...)
	merged := shippedAlerts(t, data.AlertsMerged2025)
	out := map[string][]AlertDay{
		"2024-01-02": DailyAlerts(raw, mustDay(t, "2024-01-02"), kyiv), // the 2 January 2024 strike
		"2024-02-07": DailyAlerts(raw, mustDay(t, "2024-02-07"), kyiv),
		"2025-06-01": DailyAlerts(merged, mustDay(t, "2025-06-01"), kyiv),
		"2025-07-09": DailyAlerts(merged, mustDay(t, "2025-07-09"), kyiv),
	}
	compareGoldenJSON(t, "dailyalerts.golden.json", out)
	// SOURCE.md: Kyivska oblast 2025-05-31T20:42:27Z → 2025-06-01T08:15:08Z;
	// so 1 June (Kyiv, UTC+3) is under alert from 00:00 to 11:15:08 at least.
	for _, a := range out["2025-06-01"] {
		if a.Region == "UA-32" && a.Minutes < 675 {
			t.Errorf("Kyiv Oblast on 1 June: %.2f minutes, want at least 675", a.Minutes)
		}
	}
}

func BenchmarkFuse(b *testing.B) {
	raw := append(shippedAlerts(b, data.AlertsOfficial2024), shippedAlerts(b, data.AlertsVolunteer2024)...)
	for b.Loop() {
		Fuse(raw, DefaultTolerance())
	}
}

func BenchmarkDailyAlerts(b *testing.B) {
	raw := append(shippedAlerts(b, data.AlertsOfficial2024), shippedAlerts(b, data.AlertsVolunteer2024)...)
	d := Day{2024, 1, 2}
	for b.Loop() {
		DailyAlerts(raw, d, Kyiv())
	}
}
