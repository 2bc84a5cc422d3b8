package incident_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func scenario(t testing.TB, cfg simulate.Config) *simulate.Scenario {
	t.Helper()
	s, err := simulate.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fuseRecords(t testing.TB, recs []observation.Record) *incident.Fuser {
	t.Helper()
	f := incident.New(incident.Config{Locate: simulate.Locate})
	for _, rec := range recs {
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func encode(t testing.TB, incs []incident.Incident) []byte {
	t.Helper()
	b, err := json.MarshalIndent(incs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestArrivalOrder: whatever order the records arrive in — reversed,
// shuffled, or with a fifth of them held back as a batch that arrives hours
// after the rest — the incidents are byte-identical.
func TestArrivalOrder(t *testing.T) {
	s := scenario(t, simulate.Default())
	want := encode(t, fuseRecords(t, s.Records).Incidents())

	reversed := slices.Clone(s.Records)
	slices.Reverse(reversed)
	shuffled := slices.Clone(s.Records)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	var onTime, lateBatch []observation.Record
	for i, rec := range s.Records {
		if i%5 == 2 {
			lateBatch = append(lateBatch, rec)
		} else {
			onTime = append(onTime, rec)
		}
	}
	orders := map[string][]observation.Record{
		"reversed":   reversed,
		"shuffled":   shuffled,
		"late batch": append(onTime, lateBatch...),
	}
	for name, recs := range orders {
		t.Run(name, func(t *testing.T) {
			got := encode(t, fuseRecords(t, recs).Incidents())
			if !bytes.Equal(got, want) {
				t.Errorf("incidents differ from arrival order (%d vs %d bytes)", len(got), len(want))
			}
		})
	}
}

// TestGolden pins the incidents of a small scenario: any change to fusion's
// rules shows here. Rebuild with go test ./internal/incident -update.
func TestGolden(t *testing.T) {
	cfg := simulate.Config{Seed: 42, Days: 1, ShellingPerDay: 40, Barrages: 1, BarrageImpacts: 20,
		NavalPerDay: 4, FalseRate: 0.05, InventedRate: 0.05, MisstateRate: 0.1}
	s := scenario(t, cfg)
	got := encode(t, fuseRecords(t, s.Records).Incidents())
	name := filepath.Join("testdata", "small.golden.json")
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
		t.Errorf("incidents differ from %s; run go test ./internal/incident -update and review the diff", name)
	}
}

// goldenDigests is the SHA-256 of testdata/small.golden.json under each
// Version.
var goldenDigests = map[int]string{
	1: "710fa447761914f3b92f05e039693b7865e27e713fedcf45584eeec297d71fde",
}

// TestVersion fails when the golden incidents change without a new
// Version: raise incident.Version and add the new file's digest above, so
// that servers make their stored incidents again.
func TestVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "small.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%x", sha256.Sum256(b))
	if want := goldenDigests[incident.Version]; got != want {
		t.Errorf("the golden incidents are %s, Version %d names %q: raise incident.Version and record the digest", got, incident.Version, want)
	}
}

// TestChanges: a store that applies each Changes result mirrors Incidents,
// through batches of arrivals and decisions.
func TestChanges(t *testing.T) {
	s := scenario(t, simulate.Default())
	f := incident.New(incident.Config{Locate: simulate.Locate})
	mirror := map[string]incident.Incident{}
	apply := func() {
		changed, removed := f.Changes()
		for _, id := range removed {
			if _, ok := mirror[id]; !ok {
				t.Errorf("removed %s, which the mirror does not hold", id)
			}
			delete(mirror, id)
		}
		for _, inc := range changed {
			mirror[inc.ID] = inc
		}
	}
	step := len(s.Records) / 7
	for start := 0; start < len(s.Records); start += step {
		for _, rec := range s.Records[start:min(start+step, len(s.Records))] {
			if err := f.Add(rec); err != nil {
				t.Fatal(err)
			}
		}
		if start == 3*step {
			// Merge two incidents and split one.
			incs := f.Incidents()
			var big []incident.Incident
			for _, inc := range incs {
				if len(inc.Observations) >= 3 {
					big = append(big, inc)
				}
			}
			if err := f.Apply(incident.Decision{Kind: incident.Merge, Observations: []string{big[0].Observations[0], big[1].Observations[0]}}); err != nil {
				t.Fatal(err)
			}
			if err := f.Apply(incident.Decision{Kind: incident.Split, Observations: big[2].Observations[1:2]}); err != nil {
				t.Fatal(err)
			}
			if err := f.Apply(incident.Decision{Kind: incident.SetStatus, Observations: big[3].Observations, Status: incident.Refuted, Reason: "no trace"}); err != nil {
				t.Fatal(err)
			}
		}
		apply()
	}
	want := f.Incidents()
	if len(mirror) != len(want) {
		t.Fatalf("mirror holds %d incidents, Incidents returns %d", len(mirror), len(want))
	}
	for _, inc := range want {
		got, ok := mirror[inc.ID]
		if !ok {
			t.Fatalf("mirror lacks %s", inc.ID)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(inc)
		if !bytes.Equal(a, b) {
			t.Fatalf("mirror's %s differs:\n%s\n%s", inc.ID, a, b)
		}
	}
	if changed, removed := f.Changes(); len(changed)+len(removed) != 0 {
		t.Errorf("Changes after no change = %d changed, %d removed", len(changed), len(removed))
	}
}

// TestEveryObservationOnce: each observation is in exactly one incident.
func TestEveryObservationOnce(t *testing.T) {
	s := scenario(t, simulate.Default())
	seen := map[string]int{}
	for _, inc := range fuseRecords(t, s.Records).Incidents() {
		for _, o := range inc.Observations {
			seen[o]++
		}
	}
	for _, rec := range s.Records {
		if seen[rec.ID] != 1 {
			t.Fatalf("observation %s is in %d incidents", rec.ID, seen[rec.ID])
		}
	}
	if len(seen) != len(s.Records) {
		t.Errorf("%d observations in incidents, %d added", len(seen), len(s.Records))
	}
}
