package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"truce/internal/store/sqlite"
)

// dataFile is a shipped data file, from cmd/truce.
func dataFile(rel string) string { return filepath.Join("..", "..", "data", rel) }

var (
	bulletinCSV     = dataFile("missile_attacks_daily/missile_attacks_daily_2025-04-01_2025-07-31.csv")
	alertFiles      = []string{dataFile("air_raid_alerts_raw_2024/official_2024-01-01_2024-02-29.csv"), dataFile("air_raid_alerts_raw_2024/volunteer_2024-01-01_2024-02-29.csv"), dataFile("air_raid_alerts_oblast_2025/alerts_oblast_merged_2025-04-01_2025-07-31.csv")}
	bulletinHeader  = "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,not_reach_goal,still_attacking,is_shahed,num_hit_location,num_fall_fragment_location,carrier,affected region,destroyed_details,launched_details,launch_place_details,source"
	goodBulletinRow = `2025-05-31 19:30,2025-06-01 13:30,Shahed-136/131,Kursk oblast,Ukraine,,472.0,210.0,172.0,,,,,,"['Kyiv oblast']",,,,kpszsu/posts/pfbidTEST1`
)

// runCmd runs truce through run() and returns its stdout, stderr and error.
func runTruce(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// counts returns the stored bulletins, alerts and ledger entries, and
// fails if any record lacks its entry.
func counts(t *testing.T, db string) (bulletins, alerts int64) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, a, err := s.CountAirwar(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	size, err := s.TreeSize(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if size != b+a {
		t.Errorf("%d ledger entries for %d bulletins and %d alerts: a record without its entry, or the reverse", size, b, a)
	}
	return b, a
}

func TestImportShippedDataAndReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, _, err := runTruce(t, "import", "-db", "sqlite:"+db, "-format", "airforce", bulletinCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Air Force bulletins: 448 rows read, 448 imported, 0 already present, 0 skipped") {
		t.Errorf("summary: %s", out)
	}
	out, _, err = runTruce(t, append([]string{"import", "-db", "sqlite:" + db, "-format", "alerts"}, alertFiles...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"official alerts: 3777 rows read, 3777 imported", "volunteer alerts: 3667 rows read, 3667 imported", "merged2025 alerts: 5149 rows read, 5149 imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// Twice: nothing added.
	out, _, err = runTruce(t, "import", "-db", "sqlite:"+db, "-format", "airforce", bulletinCSV)
	if err != nil || !strings.Contains(out, "448 rows read, 0 imported, 448 already present, 0 skipped") {
		t.Errorf("second import: %v\n%s", err, out)
	}
	if b, a := counts(t, db); b != 448 || a != 3777+3667+5149 {
		t.Errorf("stored %d bulletins and %d alerts", b, a)
	}

	for _, tt := range []struct {
		day              string
		drones, missiles int
	}{{"2025-06-01", 472, 7}, {"2025-07-09", 728, 13}} {
		out, _, err = runTruce(t, "report", "-db", "sqlite:"+db, "-day", tt.day, "-format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Day string
			Air struct{ Drones, Missiles struct{ Launched int } }
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("report JSON: %v\n%s", err, out)
		}
		if r.Day != tt.day || r.Air.Drones.Launched != tt.drones || r.Air.Missiles.Launched != tt.missiles {
			t.Errorf("%s: got %+v, want %d drones and %d missiles", tt.day, r, tt.drones, tt.missiles)
		}
	}
	for _, f := range []string{"md", "html"} {
		file := filepath.Join(t.TempDir(), "r."+f)
		if _, _, err := runTruce(t, "report", "-db", "sqlite:"+db, "-day", "2025-06-01", "-format", f, "-o", file); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(file)
		if err != nil || !bytes.Contains(b, []byte("472")) {
			t.Errorf("%s report: %v, %d bytes without 472", f, err, len(b))
		}
	}
	// -lang: the report's own text in Ukrainian or Russian.
	for _, tt := range []struct{ lang, format, want string }{
		{"uk", "md", "| дрони | 472 |"},
		{"ru", "md", "| дроны | 472 |"},
		{"uk", "html", `<html lang="uk">`},
	} {
		out, _, err := runTruce(t, "report", "-db", "sqlite:"+db, "-day", "2025-06-01", "-format", tt.format, "-lang", tt.lang)
		if err != nil || !strings.Contains(out, tt.want) {
			t.Errorf("-lang %s -format %s: %v, lacks %q", tt.lang, tt.format, err, tt.want)
		}
	}
}

func TestImportMalformed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	second := strings.Replace(goodBulletinRow, "pfbidTEST1", "pfbidTEST2", 1)
	tests := []struct {
		name, format, content string
		wantErr               string   // "" if the import must succeed
		wantOut               []string // in the summary
		bulletins, alerts     int64
	}{
		{"bad rows", "airforce", bulletinHeader + "\n" + goodBulletinRow + "\n" +
			strings.Replace(goodBulletinRow, "2025-06-01 13:30", "1 June", 1) + "\n" +
			strings.Replace(goodBulletinRow, "472.0", "-3", 1) + "\n" +
			strings.Replace(goodBulletinRow, "Shahed-136/131", "", 1) + "\n" + second + "\n",
			"", []string{"5 rows read, 2 imported, 0 already present, 3 skipped", "skipped line 3: time_end:", "skipped line 4: launched:", "skipped line 5: model: empty"}, 2, 0},
		{"truncated last line", "airforce", bulletinHeader + "\n" + goodBulletinRow + "\n" + goodBulletinRow[:40],
			"", []string{"2 rows read, 1 imported, 0 already present, 1 skipped", "skipped line 3: 3 fields, header has 19"}, 1, 0},
		{"unterminated quote", "airforce", bulletinHeader + "\n" + goodBulletinRow + "\n" + strings.TrimSuffix(goodBulletinRow[:strings.Index(goodBulletinRow, "]")], "'"),
			"", []string{"1 imported", "1 skipped", "skipped line 3:"}, 1, 0},
		{"unknown model", "airforce", bulletinHeader + "\n" + strings.Replace(goodBulletinRow, "Shahed-136/131", "Shahed-136/131 and Zircon-9", 1) + "\n",
			"", []string{"1 rows read, 1 imported", `note: line 2: model "Shahed-136/131 and Zircon-9": ["Zircon-9"] not in the weapon table; counted as a missile row`}, 1, 0},
		{"alert rows", "alerts", "region,started_at,finished_at,naive\n" +
			"Kyivska oblast,2024-01-01 00:20:18+00:00,2024-01-01 00:47:01+00:00,False\n" +
			"Atlantis oblast,2024-01-01 00:20:18+00:00,2024-01-01 00:47:01+00:00,False\n" +
			"Kyivska oblast,2024-01-01 01:20:18+00:00,2024-01-01 00:47:01+00:00,False\n" +
			"Kyivska oblast,2024-01-01 02:20:18+00:00,2024-01-01 02:47:01+00:00,maybe\n" +
			"Kyiv City,2024-01-01 00:20:18+00:00,2024-01-01 00:47:01+00:00,True\n",
			"", []string{"volunteer alerts: 5 rows read, 2 imported, 0 already present, 3 skipped", `skipped line 3: region: unknown oblast "Atlantis oblast"`, "skipped line 4: finished_at: alert ends before it starts", "skipped line 5: naive:"}, 0, 2},
		{"wrong header for alerts", "alerts", "model,category\nShahed-136/131,UAV\n", "is not an official, volunteer or merged alert file", nil, 0, 0},
		{"wrong header for bulletins", "airforce", "region,started_at,finished_at,naive\nKyivska oblast,2024-01-01 00:20:18+00:00,2024-01-01 00:47:01+00:00,False\n", "lacks one of", nil, 0, 0},
		{"empty file", "alerts", "", "empty file", nil, 0, 0},
		{"empty bulletin file", "airforce", "", "empty file", nil, 0, 0},
		{"header only", "airforce", bulletinHeader + "\n", "", []string{"0 rows read, 0 imported, 0 already present, 0 skipped"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "t.db")
			file := write(strings.ReplaceAll(tt.name, " ", "_")+".csv", tt.content)
			out, _, err := runTruce(t, "import", "-db", "sqlite:"+db, "-format", tt.format, file)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("import: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), file)) {
				t.Fatalf("import: got error %v, want one naming the file and %q", err, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("summary lacks %q:\n%s", w, out)
				}
			}
			if b, a := counts(t, db); b != tt.bulletins || a != tt.alerts {
				t.Errorf("stored %d bulletins and %d alerts, want %d and %d", b, a, tt.bulletins, tt.alerts)
			}
		})
	}
}

func TestReportCommandErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"report", "-db", db, "-day", "2025-02-30"}, "-day"},
		{[]string{"report", "-db", db, "-day", "yesterday"}, "-day"},
		{[]string{"report", "-db", db, "-day", "2025-06-01", "-format", "pdf"}, "-format"},
		{[]string{"report", "-db", db, "-day", "2025-06-01", "-lang", "de"}, "-lang"},
		{[]string{"report", "-db", db}, "usage"},
		{[]string{"import", "-db", db, "-format", "csv", "x.csv"}, "unknown -format"},
		{[]string{"import", "-db", db, "-format", "airforce", filepath.Join(t.TempDir(), "absent.csv")}, "no such file"},
	}
	for _, tt := range tests {
		_, _, err := runTruce(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want an error mentioning %q", tt.args, err, tt.want)
		}
	}
	// A day with no data is a report that says so, not an error.
	out, _, err := runTruce(t, "report", "-db", db, "-day", "2025-06-01", "-format", "md")
	if err != nil || !strings.Contains(out, "No Air Force bulletin") {
		t.Errorf("empty database: %v\n%s", err, out)
	}
}

var reportURLRE = regexp.MustCompile(`(http://\S+/api/v1/reports/daily/2025-06-01\?format=html)`)

// TestServeDemoReport starts the demo and reads the report whose URL it
// prints: the real figures of 1 June 2025, loaded through the store.
func TestServeDemoReport(t *testing.T) {
	_, stdout := startServe(t, "--demo")
	var url string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && url == ""; time.Sleep(20 * time.Millisecond) {
		if m := reportURLRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("the demo prints no report URL:\n%s", stdout)
	}
	if !strings.Contains(stdout.String(), "448 Air Force bulletin rows") {
		t.Errorf("the demo does not say it imported the bulletins:\n%s", stdout)
	}
	for _, u := range []string{url, strings.TrimSuffix(url, "?format=html")} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte("472")) {
			t.Errorf("%s: %d, body without 472: %.300s", u, resp.StatusCode, b)
		}
	}
	// Let the demo finish loading its simulated day before serve stops.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !strings.Contains(stdout.String(), "demo loaded"); {
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReportIncidents: with -incidents the report holds the day's incidents
// (the staff view), the same ones truce export gives for the Kyiv day;
// without it, none.
func TestReportIncidents(t *testing.T) {
	db, _ := simulatedDB(t)
	stdout, stderr, err := runTruce(t, "export", "-db", db, "-format", "jsonl", "-from", "2025-05-31T21:00:00Z", "-to", "2025-06-01T21:00:00Z")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	want := strings.Count(stdout, "\n")
	if want == 0 {
		t.Fatal("the simulated day exports no incident")
	}
	type rep struct {
		Incidents struct {
			Included bool
			View     string
			Total    int
			ByDomain []struct{ Incidents int } `json:"by_domain"`
		}
	}
	read := func(args ...string) rep {
		t.Helper()
		out, stderr, err := runTruce(t, append([]string{"report", "-db", db, "-day", "2025-06-01"}, args...)...)
		if err != nil {
			t.Fatalf("report %v: %v\n%s", args, err, stderr)
		}
		var r rep
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := read("-incidents")
	sum := 0
	for _, d := range r.Incidents.ByDomain {
		sum += d.Incidents
	}
	if !r.Incidents.Included || r.Incidents.View != "staff" || r.Incidents.Total != want || sum != want {
		t.Errorf("-incidents: included %v, view %q, total %d, by domain %d; want staff and %d", r.Incidents.Included, r.Incidents.View, r.Incidents.Total, sum, want)
	}
	if r := read(); r.Incidents.Included || r.Incidents.Total != 0 {
		t.Errorf("without -incidents: %+v", r.Incidents)
	}
	html := filepath.Join(t.TempDir(), "r.html")
	if _, stderr, err := runTruce(t, "report", "-db", db, "-day", "2025-06-01", "-incidents", "-format", "html", "-o", html); err != nil {
		t.Fatalf("html: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(html)
	if err != nil || !bytes.Contains(b, []byte(`aria-label="Incidents on 2025-06-01"`)) || len(b) > 1_000_000 {
		t.Errorf("html report: %v, %d bytes, incident map %v", err, len(b), bytes.Contains(b, []byte("Incidents on 2025-06-01")))
	}
}
