package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"truce/internal/export"
	"truce/internal/observation"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
)

// simulatedDB writes a simulated scenario into a fresh database and
// returns its path and the number of observations.
func simulatedDB(t *testing.T) (string, int) {
	t.Helper()
	cfg := simulate.Default()
	cfg.Days = 1
	sc, err := simulate.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "t.db")
	s, err := sqlite.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	prep := make([]observation.Prepared, len(sc.Records))
	for i, r := range sc.Records {
		prep[i] = observation.Prepare(r)
	}
	if _, err := s.WriteObservations(t.Context(), prep); err != nil {
		t.Fatal(err)
	}
	return db, len(prep)
}

// TestExportFormats exports a simulated day in every format through run()
// and reads each back: the same incidents in each, every observation in
// exactly one.
func TestExportFormats(t *testing.T) {
	db, nobs := simulatedDB(t)
	stdout, stderr, err := runTruce(t, "export", "-db", db, "-format", "jsonl")
	if err != nil {
		t.Fatalf("export jsonl: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "observations") {
		t.Errorf("no summary on stderr: %q", stderr)
	}
	seen := map[string]bool{}
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var inc struct {
			ID           string   `json:"id"`
			Observations []string `json:"observations"`
		}
		if err := json.Unmarshal(sc.Bytes(), &inc); err != nil {
			t.Fatalf("jsonl: %v", err)
		}
		ids = append(ids, inc.ID)
		for _, o := range inc.Observations {
			if seen[o] {
				t.Errorf("observation %s in two incidents", o)
			}
			seen[o] = true
		}
	}
	if len(seen) != nobs {
		t.Errorf("%d observations in the export, %d stored", len(seen), nobs)
	}

	for _, tt := range []struct {
		format string
		cols   []string
		id     func(row []string) string
	}{
		{"acled", export.ACLEDColumns, func(r []string) string { return strings.TrimPrefix(r[0], "UKR-") }},
		{"ucdp", export.UCDPColumns, func(r []string) string { return r[0] }},
	} {
		out := filepath.Join(t.TempDir(), "x.csv")
		if _, stderr, err := runTruce(t, "export", "-db", db, "-format", tt.format, "-o", out); err != nil {
			t.Fatalf("export %s: %v\n%s", tt.format, err, stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tt.format, err)
		}
		if strings.Join(rows[0], ",") != strings.Join(tt.cols, ",") {
			t.Errorf("%s header %v", tt.format, rows[0])
		}
		if len(rows)-1 != len(ids) {
			t.Fatalf("%s: %d rows, jsonl has %d incidents", tt.format, len(rows)-1, len(ids))
		}
		for i, r := range rows[1:] {
			if tt.id(r) != ids[i] {
				t.Fatalf("%s row %d: incident %s, jsonl has %s", tt.format, i, tt.id(r), ids[i])
			}
		}
	}

	stdout, stderr, err = runTruce(t, "export", "-db", db, "-format", "geojson")
	if err != nil {
		t.Fatalf("export geojson: %v\n%s", err, stderr)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string          `json:"type"`
			ID       string          `json:"id"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(stdout), &fc); err != nil {
		t.Fatalf("geojson: %v", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(ids) {
		t.Fatalf("geojson: type %q, %d features, want %d", fc.Type, len(fc.Features), len(ids))
	}
	for i, f := range fc.Features {
		if f.Type != "Feature" || f.ID != ids[i] || len(f.Geometry) == 0 {
			t.Fatalf("feature %d: %+v", i, f)
		}
	}
}

// TestExportWindow checks -from and -to: the window's incidents are those
// of the whole export that start in it.
func TestExportWindow(t *testing.T) {
	db, _ := simulatedDB(t)
	all, _, err := runTruce(t, "export", "-db", db, "-format", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	from, to := "2025-06-01T06:00:00Z", "2025-06-01T12:00:00Z"
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(all), "\n") {
		var inc struct{ Start string }
		json.Unmarshal([]byte(line), &inc)
		if inc.Start >= from && inc.Start < to {
			want = append(want, line)
		}
	}
	if len(want) == 0 {
		t.Fatal("no incidents in the window; the scenario changed?")
	}
	got, stderr, err := runTruce(t, "export", "-db", db, "-format", "jsonl", "-from", from, "-to", to)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if strings.TrimSpace(got) != strings.Join(want, "\n") {
		t.Errorf("window export differs from the whole export's incidents in the window: %d lines, want %d",
			strings.Count(got, "\n"), len(want))
	}
}

func TestExportBadCommandLine(t *testing.T) {
	db, _ := simulatedDB(t)
	for _, tt := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no format", []string{"-db", db}, true, ""},
		{"unknown format", []string{"-db", db, "-format", "xlsx"}, false, "format"},
		{"bad from", []string{"-db", db, "-format", "jsonl", "-from", "yesterday"}, false, "-from"},
		{"to before from", []string{"-db", db, "-format", "jsonl", "-from", "2025-06-02", "-to", "2025-06-01"}, false, "-to"},
		{"stray argument", []string{"-db", db, "-format", "jsonl", "extra"}, true, ""},
		{"unwritable output", []string{"-db", db, "-format", "jsonl", "-o", filepath.Join(t.TempDir(), "no", "such", "dir", "x")}, false, "export"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runTruce(t, append([]string{"export"}, tt.args...)...)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.usage && !errors.Is(err, errUsage):
				t.Errorf("got %v, want a usage error", err)
			case !tt.usage && !strings.Contains(err.Error(), tt.want):
				t.Errorf("got %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
