package airwar

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"truce/data"
)

func TestClassify(t *testing.T) {
	w := shippedWeapons(t)
	tests := []struct {
		model   string
		kind    Kind
		unknown []string
	}{
		{"Shahed-136/131", KindDrone, nil},
		{"Молнія", KindDrone, nil},
		{"Молнія and Lancet", KindDrone, nil},
		{"Orlan-10 and ZALA and Supercam", KindDrone, nil},
		{"Unknown UAV", KindDrone, nil},
		{"Iskander-M/KN-23", KindMissile, nil},
		{"X-101/X-555 and Iskander-K", KindMissile, nil},
		{"Iskander-M/KN-23 and Iskander-K and X-59/X-69", KindMissile, nil},
		{"Shahed-136/131 and Iskander-M", KindMissile, nil},
		{"GBU", KindMissile, nil},
		{"C-300/C-400", KindMissile, nil},
		{"  shahed-136/131  ", KindDrone, nil},
		// Unknown parts: a drone by name, else a missile; always reported.
		{"Shahed-136/131 and decoys", KindDrone, []string{"decoys"}},
		{"Gerbera", KindDrone, []string{"Gerbera"}},
		{"Shahed-136/131 and imitator drones", KindDrone, []string{"imitator drones"}},
		{"Zircon-2", KindMissile, []string{"Zircon-2"}},
		{"Shahed-136/131 and Zircon-2", KindMissile, []string{"Zircon-2"}},
		{"", KindMissile, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			kind, unknown := w.Classify(tt.model)
			if kind != tt.kind || !slices.Equal(unknown, tt.unknown) {
				t.Errorf("Classify(%q) = %q, %q; want %q, %q", tt.model, kind, unknown, tt.kind, tt.unknown)
			}
		})
	}
	if got := w.Len(); got != 64 {
		t.Errorf("weapon table has %d models, want 64", got)
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"472.0", 472, false}, {"7", 7, false}, {"", 0, false}, {"NaN", 0, false}, {"0.0", 0, false},
		{"-1", 0, true}, {"3.5", 0, true}, {"many", 0, true}, {"1e12", 0, true}, {"Inf", 0, true},
	}
	for _, tt := range tests {
		got, err := parseCount(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseCount(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPage(t *testing.T) {
	tests := []struct{ source, page string }{
		{"kpszsu/posts/pfbid02qTz4", "kpszsu"},
		{"PvKPivden/posts/pfbid02bi", "PvKPivden"},
		{"GeneralStaff.ua/posts/pfbid02p4", "GeneralStaff.ua"},
		{"https://t.me/ChiefUkrDIU/185", "https://t.me/ChiefUkrDIU"},
		{"https://t.me/war_monitor/27083", "https://t.me/war_monitor"},
		{"https://example.org", "https://example.org"},
	}
	for _, tt := range tests {
		if got := page(tt.source); got != tt.page {
			t.Errorf("page(%q) = %q, want %q", tt.source, got, tt.page)
		}
	}
}

func TestReadBulletinsShipped(t *testing.T) {
	bs := shippedBulletins(t)
	if len(bs) != 448 {
		t.Fatalf("%d bulletins, want 448", len(bs))
	}
	ids := map[string]bool{}
	commands := map[Command]int{}
	for _, b := range bs {
		ids[b.ID] = true
		commands[b.Command]++
		if len(b.UnknownModels) != 0 {
			t.Errorf("line %d: unknown models %q", b.Line, b.UnknownModels)
		}
		if b.Start.Location() != Kyiv() {
			t.Errorf("line %d: start in %v, want Kyiv", b.Line, b.Start.Location())
		}
	}
	if len(ids) != len(bs) {
		t.Errorf("%d distinct ids for %d rows", len(ids), len(bs))
	}
	// SOURCE.md: 235 rows from kpszsu, 210 from PvKPivden, 3 others (one of
	// which is the General Staff, national).
	want := map[Command]int{CommandNational: 236, CommandRegional: 210, CommandOther: 2}
	for c, n := range want {
		if commands[c] != n {
			t.Errorf("%d %s rows, want %d", commands[c], c, n)
		}
	}

	// Reading again gives the same ids: importing twice adds nothing.
	again := shippedBulletins(t)
	for i := range bs {
		if bs[i].ID != again[i].ID {
			t.Fatalf("line %d: id %s, then %s", bs[i].Line, bs[i].ID, again[i].ID)
		}
	}
}

func TestBulletinFields(t *testing.T) {
	bs := shippedBulletins(t)
	byLine := map[int]Bulletin{}
	for _, b := range bs {
		byLine[b.Line] = b
	}
	kyiv := Kyiv()
	// Line 245: the Shahed row of the night ending 1 June 2025.
	b := byLine[245]
	if want := time.Date(2025, 5, 31, 19, 30, 0, 0, kyiv); !b.Start.Equal(want) {
		t.Errorf("start = %v, want %v", b.Start, want)
	}
	if want := time.Date(2025, 6, 1, 13, 30, 0, 0, kyiv); !b.End.Equal(want) {
		t.Errorf("end = %v, want %v", b.End, want)
	}
	if b.Start.UTC().Hour() != 16 {
		t.Errorf("start in UTC = %v, want 16:30 (Kyiv is UTC+3 in summer)", b.Start.UTC())
	}
	if b.Day.String() != "2025-06-01" || b.DateOnly {
		t.Errorf("day = %v, date only %v", b.Day, b.DateOnly)
	}
	if b.Kind != KindDrone || b.Launched != 472 || b.Destroyed != 210 || b.Suppressed != 172 || b.Command != CommandNational {
		t.Errorf("line 245 = %+v", b)
	}
	wantRegions := []string{"UA-12", "UA-14", "UA-18", "UA-23", "UA-51", "UA-59", "UA-63"}
	if !slices.Equal(b.Regions, wantRegions) {
		t.Errorf("regions = %q, want %q", b.Regions, wantRegions)
	}
	if b.Page != "kpszsu" || !strings.HasPrefix(b.Source, "kpszsu/posts/pfbid02qTz4") {
		t.Errorf("page %q, source %q", b.Page, b.Source)
	}
	// Line 247: a date-only row of Air Command South.
	b = byLine[247]
	if !b.DateOnly || b.Day.String() != "2025-06-01" || b.Command != CommandRegional || b.Kind != KindDrone {
		t.Errorf("line 247 = %+v", b)
	}
	if want := time.Date(2025, 6, 2, 0, 0, 0, 0, kyiv); !b.End.Equal(want) {
		t.Errorf("date-only end = %v, want %v", b.End, want)
	}
	// Line 2: launch places and affected regions with Kyiv oblast.
	b = byLine[2]
	if want := []string{"Primorsko-Akhtarsk", "Kursk oblast", "Millerovo"}; !slices.Equal(b.LaunchPlaces, want) {
		t.Errorf("launch places = %q, want %q", b.LaunchPlaces, want)
	}
	if want := []string{"UA-12", "UA-14", "UA-32", "UA-63"}; !slices.Equal(b.Regions, want) {
		t.Errorf("regions = %q, want %q", b.Regions, want)
	}
	// Line 152: a national row whose target is Kyiv (the city).
	if b = byLine[152]; !slices.Equal(b.Regions, []string{"UA-30"}) || b.Kind != KindMissile {
		t.Errorf("line 152 regions %q kind %s", b.Regions, b.Kind)
	}
	// Line 397: "Dnipro and Kharkiv".
	if b = byLine[397]; !slices.Equal(b.Regions, []string{"UA-12", "UA-63"}) {
		t.Errorf("line 397 regions %q", b.Regions)
	}
	// Line 415: a Telegram channel: other.
	if b = byLine[415]; b.Command != CommandOther || b.Page != "https://t.me/ChiefUkrDIU" || !slices.Equal(b.Regions, []string{"UA-59"}) {
		t.Errorf("line 415 = %+v", b)
	}
}

func TestReadBulletinsBadRows(t *testing.T) {
	in := strings.Join([]string{
		"time_start,time_end,model,target,launched,destroyed,not_reach_goal,source",
		"2025-06-01 01:00,2025-06-01 05:00,Shahed-136/131,Ukraine,10.0,8.0,1.0,kpszsu/posts/a", // 2 good
		"yesterday,2025-06-01 05:00,Shahed-136/131,Ukraine,10,8,1,kpszsu/posts/b",              // 3 bad start
		"2025-06-01 01:00,2025-06-01 05:00,Kalibr,Ukraine,-2,0,0,kpszsu/posts/c",               // 4 negative
		"2025-06-01 01:00,2025-06-01 05:00,Kalibr,Ukraine,2,0",                                 // 5 short row
		"2025-06-01 06:00,2025-06-01 05:00,Kalibr,Ukraine,2,0,0,kpszsu/posts/d",                // 6 ends before start
		"2025-06-01 01:00,2025-06-01 05:00,,Ukraine,2,0,0,kpszsu/posts/e",                      // 7 no model
		"2025-06-01 01:00,2025-06-01 05:00,Kalibr,Ukraine,2,1.5,0,kpszsu/posts/f",              // 8 fractional
		`2025-06-01 01:00,2025-06-01 05:00,Kal"ibr,Ukraine,2,0,0,kpszsu/posts/g`,               // 9 bare quote
		"2025-06-01 01:00,2025-06-01 05:00,Kalibr,Ukraine,2,0,0,",                              // 10 no source
		"2025-06-02,2025-06-02,Orlan-10,south,1.0,1.0,,PvKPivden/posts/h",                      // 11 good
	}, "\n") + "\n"
	bs, bad, err := ReadBulletins(strings.NewReader(in), shippedWeapons(t))
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, b := range bs {
		lines = append(lines, b.Line)
	}
	if want := []int{2, 11}; !slices.Equal(lines, want) {
		t.Errorf("good rows at lines %v, want %v", lines, want)
	}
	wantBad := []struct {
		line int
		col  string
	}{{3, "time_start"}, {4, "launched"}, {5, ""}, {6, "time_end"}, {7, "model"}, {8, "destroyed"}, {9, ""}, {10, "source"}}
	if len(bad) != len(wantBad) {
		t.Fatalf("%d bad rows %v, want %d", len(bad), bad, len(wantBad))
	}
	for i, w := range wantBad {
		if bad[i].Line != w.line || bad[i].Column != w.col {
			t.Errorf("bad row %d = %v (line %d, column %q), want line %d column %q", i, bad[i], bad[i].Line, bad[i].Column, w.line, w.col)
		}
	}
}

func TestNewBulletinReaderLayout(t *testing.T) {
	for _, in := range []string{"", "a,b,c\n1,2,3\n", "region,started_at,finished_at,naive\n"} {
		_, err := NewBulletinReader(strings.NewReader(in), shippedWeapons(t))
		if !errors.Is(err, ErrLayout) {
			t.Errorf("NewBulletinReader(%q): err = %v, want ErrLayout", in, err)
		}
	}
}

func TestDailyAirRequired(t *testing.T) {
	bs := shippedBulletins(t)
	tests := []struct {
		day              string
		drones, missiles int
	}{
		{"2025-06-01", 472, 7},
		{"2025-07-09", 728, 13},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			a := DailyAir(bs, mustDay(t, tt.day))
			if a.Drones.Launched != tt.drones || a.Missiles.Launched != tt.missiles {
				t.Errorf("DailyAir(%s) launched %d drones, %d missiles; want %d, %d",
					tt.day, a.Drones.Launched, a.Missiles.Launched, tt.drones, tt.missiles)
			}
		})
	}
	a := DailyAir(bs, mustDay(t, "2025-06-01"))
	if a.Drones != (Figures{472, 210, 172}) || a.Missiles != (Figures{7, 3, 0}) {
		t.Errorf("1 June = %+v", a)
	}
	if len(a.Counted) != 3 || len(a.Overlapped) != 2 {
		t.Errorf("1 June counted %d rows, overlapped %d; want 3 and 2", len(a.Counted), len(a.Overlapped))
	}
}

// TestDailyAirIndependent recomputes every day's figures straight from the
// CSV text with a different code path (string comparison of times, a plain
// category lookup) and compares with DailyAir.
func TestDailyAirIndependent(t *testing.T) {
	uav := map[string]bool{}
	for _, rec := range readCSV(t, data.Weapons)[1:] {
		uav[rec[0]] = rec[1] == "UAV"
	}
	recs := readCSV(t, data.Bulletins)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	type rowT struct {
		day, from, to   string
		national, drone bool
		launched        int
		destroyed       int
	}
	var rows []rowT
	for _, rec := range recs[1:] {
		src := rec[col["source"]]
		from, to := rec[col["time_start"]], rec[col["time_end"]]
		if len(from) == 10 {
			from += " 00:00"
		}
		if len(to) == 10 {
			to += " 24:00" // sorts after every time of the day
		}
		drone := true
		for _, part := range strings.Split(rec[col["model"]], " and ") {
			drone = drone && uav[part]
		}
		n := func(s string) int {
			f := 0
			for _, c := range strings.TrimSuffix(s, ".0") {
				f = f*10 + int(c-'0')
			}
			return f
		}
		rows = append(rows, rowT{
			day:       rec[col["time_end"]][:10],
			from:      from,
			to:        to,
			national:  strings.HasPrefix(src, "kpszsu/") || strings.HasPrefix(src, "GeneralStaff.ua/"),
			drone:     drone,
			launched:  n(rec[col["launched"]]),
			destroyed: n(rec[col["destroyed"]]),
		})
	}
	want := map[string][4]int{} // day → drones launched, destroyed, missiles launched, destroyed
	for _, r := range rows {
		if !r.national {
			clash := false
			for _, o := range rows {
				if o.national && r.from <= o.to && o.from <= r.to {
					clash = true
				}
			}
			if clash {
				continue
			}
		}
		w := want[r.day]
		if r.drone {
			w[0] += r.launched
			w[1] += r.destroyed
		} else {
			w[2] += r.launched
			w[3] += r.destroyed
		}
		want[r.day] = w
	}

	bs := shippedBulletins(t)
	days := AirDays(bs)
	withRows := 0
	for _, a := range days {
		if len(a.Counted) > 0 {
			withRows++
		}
	}
	if withRows != len(want) {
		t.Errorf("AirDays: %d days with counted rows, independent count %d", withRows, len(want))
	}
	for _, a := range days {
		got := [4]int{a.Drones.Launched, a.Drones.Destroyed, a.Missiles.Launched, a.Missiles.Destroyed}
		if w := want[a.Day.String()]; got != w {
			t.Errorf("%s: got drones %d/%d missiles %d/%d, independent %d/%d %d/%d", a.Day, got[0], got[1], got[2], got[3], w[0], w[1], w[2], w[3])
		}
	}
	// A handful of days checked by name, so a silent empty result cannot pass.
	for _, d := range []string{"2025-04-04", "2025-04-13", "2025-05-10", "2025-06-17", "2025-07-04", "2025-07-20", "2025-07-31"} {
		if a := DailyAir(bs, mustDay(t, d)); a.Drones.Launched+a.Missiles.Launched == 0 || [4]int{a.Drones.Launched, a.Drones.Destroyed, a.Missiles.Launched, a.Missiles.Destroyed} != want[d] {
			t.Errorf("%s: %+v, independent %v", d, a, want[d])
		}
	}
}

// TestDailyAirOverlap checks the overlap rule on small hand-made inputs.
func TestDailyAirOverlap(t *testing.T) {
	kyiv := Kyiv()
	at := func(d, h int) time.Time { return time.Date(2025, 6, d, h, 0, 0, 0, kyiv) }
	day := func(d int) Day { return Day{2025, 6, d} }
	nat := Bulletin{ID: "n", Command: CommandNational, Kind: KindDrone, Start: at(1, 20), End: at(2, 9), Day: day(2), Launched: 100}
	regSame := Bulletin{ID: "r1", Command: CommandRegional, Kind: KindDrone, DateOnly: true, Start: at(2, 0), End: at(3, 0), Day: day(2), Launched: 5}
	regFree := Bulletin{ID: "r2", Command: CommandRegional, Kind: KindDrone, DateOnly: true, Start: at(4, 0), End: at(5, 0), Day: day(4), Launched: 3}
	otherAfter := Bulletin{ID: "o", Command: CommandOther, Kind: KindMissile, Start: at(2, 12), End: at(2, 12), Day: day(2), Launched: 2}
	otherInside := Bulletin{ID: "o2", Command: CommandOther, Kind: KindMissile, Start: at(2, 3), End: at(2, 3), Day: day(2), Launched: 1}
	all := []Bulletin{nat, regSame, regFree, otherAfter, otherInside}
	tests := []struct {
		day                 Day
		drones, missiles    int
		counted, overlapped []string
	}{
		{day(2), 100, 2, []string{"n", "o"}, []string{"r1", "o2"}},
		{day(4), 3, 0, []string{"r2"}, nil},
		{day(3), 0, 0, nil, nil},
	}
	for _, tt := range tests {
		a := DailyAir(all, tt.day)
		if a.Drones.Launched != tt.drones || a.Missiles.Launched != tt.missiles ||
			!slices.Equal(a.Counted, tt.counted) || !slices.Equal(a.Overlapped, tt.overlapped) {
			t.Errorf("DailyAir(%v) = %+v; want drones %d missiles %d counted %v overlapped %v",
				tt.day, a, tt.drones, tt.missiles, tt.counted, tt.overlapped)
		}
	}
}

func TestAirDaysGolden(t *testing.T) {
	type dayJSON struct {
		Day        string  `json:"day"`
		Drones     Figures `json:"drones"`
		Missiles   Figures `json:"missiles"`
		Counted    int     `json:"rows_counted"`
		Overlapped int     `json:"rows_overlapped"`
	}
	var out []dayJSON
	for _, a := range AirDays(shippedBulletins(t)) {
		out = append(out, dayJSON{a.Day.String(), a.Drones, a.Missiles, len(a.Counted), len(a.Overlapped)})
	}
	compareGoldenJSON(t, "airdays.golden.json", out)
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := data.FS().Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return recs
}

func BenchmarkReadBulletins(b *testing.B) {
	w := shippedWeapons(b)
	raw, err := fsReadFile(data.Bulletins)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, _, err := ReadBulletins(strings.NewReader(string(raw)), w); err != nil {
			b.Fatal(err)
		}
	}
}
