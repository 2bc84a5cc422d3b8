package simulate_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"truce/internal/observation"
	"truce/internal/simulate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// later is a clock after every scenario, for observation.Parse.
var later = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func generate(t *testing.T, cfg simulate.Config) *simulate.Scenario {
	t.Helper()
	s, err := simulate.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeterministic(t *testing.T) {
	var outs [2]bytes.Buffer
	for i := range outs {
		s := generate(t, simulate.Default())
		if err := simulate.WriteJSONL(&outs[i], s.Records); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteTruth(&outs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Error("two runs of one config differ")
	}
	cfg := simulate.Default()
	cfg.Seed++
	var other bytes.Buffer
	simulate.WriteJSONL(&other, generate(t, cfg).Records)
	if bytes.HasPrefix(outs[0].Bytes(), other.Bytes()[:200]) {
		t.Error("another seed gives the same records")
	}
}

// TestValid: every line WriteJSONL writes is an observation Parse accepts,
// and parses back to the observation written.
func TestValid(t *testing.T) {
	for name, cfg := range map[string]simulate.Config{"default": simulate.Default(), "demo": simulate.Demo()} {
		t.Run(name, func(t *testing.T) {
			s := generate(t, cfg)
			var buf bytes.Buffer
			if err := simulate.WriteJSONL(&buf, s.Records); err != nil {
				t.Fatal(err)
			}
			lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
			if len(lines) != len(s.Records) {
				t.Fatalf("%d lines for %d records", len(lines), len(s.Records))
			}
			for i, line := range lines {
				o, err := observation.Parse(line, later)
				if err != nil {
					t.Fatalf("line %d: %v\n%s", i+1, err, line)
				}
				want := s.Records[i].Observation.Canonical()
				got := o.Canonical()
				if !bytes.Equal(got, want) {
					t.Fatalf("line %d parses to\n%s\nwant\n%s", i+1, got, want)
				}
			}
		})
	}
}

func TestArrivalOrderAndTruth(t *testing.T) {
	s := generate(t, simulate.Default())
	if len(s.Truth) != len(s.Records) {
		t.Fatalf("%d truths for %d records", len(s.Truth), len(s.Records))
	}
	late := 0
	for i, r := range s.Records {
		if i > 0 && r.AcceptedAt.Before(s.Records[i-1].AcceptedAt) {
			t.Fatalf("record %d accepted before record %d", i, i-1)
		}
		if !r.AcceptedAt.After(r.ObservedAt) {
			t.Fatalf("record %d accepted at %v, observed at %v", i, r.AcceptedAt, r.ObservedAt)
		}
		if r.AcceptedAt.Sub(r.ObservedAt) > 4*time.Hour {
			late++
		}
		if int(s.Truth[i]) >= len(s.Events) {
			t.Fatalf("record %d: truth %d out of range", i, s.Truth[i])
		}
	}
	if late == 0 {
		t.Error("no record arrives hours late")
	}
}

func TestWriteReadDir(t *testing.T) {
	s := generate(t, simulate.Config{Seed: 5, Days: 1, ShellingPerDay: 50, Barrages: 1, BarrageImpacts: 30, NavalPerDay: 5, FalseRate: 0.05, InventedRate: 0.05})
	dir := t.TempDir()
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, org := range s.Organizations {
		if _, err := os.Stat(filepath.Join(dir, org.Name+".jsonl")); err != nil {
			t.Errorf("no file for %s: %v", org.Name, err)
		}
	}
	back, err := simulate.ReadDir(dir, later)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(s.TruthOf())
	b, _ := json.Marshal(back.TruthOf())
	if !bytes.Equal(a, b) {
		t.Error("truth differs after a round trip")
	}
	for i := range s.Records {
		x := s.Records[i].Canonical()
		y := back.Records[i].Canonical()
		if !bytes.Equal(x, y) {
			t.Fatalf("record %d differs after a round trip:\n%s\n%s", i, x, y)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	for name, cfg := range map[string]simulate.Config{
		"no days":       {ShellingPerDay: 1},
		"negative":      {Days: 1, ShellingPerDay: -1},
		"misstate > 1":  {Days: 1, MisstateRate: 2},
		"negative rate": {Days: 1, FalseRate: -0.1},
	} {
		if _, err := simulate.Generate(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestGoldenMix pins the default scenario's mix: observations per
// scenario and source, events per scenario. Rebuild with -update.
func TestGoldenMix(t *testing.T) {
	s := generate(t, simulate.Default())
	mix := map[string]int{}
	for i, r := range s.Records {
		mix[fmt.Sprintf("observations %s/%s", s.Events[s.Truth[i]].Scenario, r.Source)]++
		if !r.HasPoint() {
			mix["observations region-only"]++
		}
	}
	for _, e := range s.Events {
		mix["events "+e.Scenario]++
	}
	var lines []string
	for k, v := range mix {
		lines = append(lines, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(lines)
	got := []byte(strings.Join(lines, "\n") + "\n")
	name := filepath.Join("testdata", "default-mix.golden")
	if *update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("mix differs from %s:\n%s", name, got)
	}
}

func TestLocate(t *testing.T) {
	tests := []struct {
		lat, lon float64
		want     string
	}{
		{50.45, 30.52, "UA-30"}, // Kyiv
		{47.57, 35.78, "UA-23"}, // Orikhiv
		{48.14, 37.75, "UA-14"}, // Avdiivka
		{46.48, 30.73, "UA-51"}, // Odesa
		{49.99, 36.23, "UA-63"}, // Kharkiv
		{40.0, 30.0, ""},        // outside
	}
	for _, tt := range tests {
		got, ok := simulate.Locate(tt.lat, tt.lon)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Locate(%v, %v) = %q, %v; want %q", tt.lat, tt.lon, got, ok, tt.want)
		}
	}
}
