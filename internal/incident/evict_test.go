package incident_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"runtime"
	"slices"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/simulate"
)

var long = flag.Bool("long", false, "run the long variants of tests (a million observations)")

// sortByStart orders incidents as Incidents does.
func sortByStart(incs []incident.Incident) {
	slices.SortFunc(incs, func(a, b incident.Incident) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
}

// TestHorizonSameIncidents: with a Horizon, a stream in arrival order
// whose reports are never later than the horizon gives the same incidents,
// byte for byte, as a Fuser that keeps everything — the finished ones
// through Finished, the rest through Incidents — while holding only a
// window of observations.
func TestHorizonSameIncidents(t *testing.T) {
	s := scenario(t, simulate.Bench(30_000)) // 13 days
	want := encode(t, fuseRecords(t, s.Records).Incidents())

	f := incident.New(incident.Config{Locate: simulate.Locate, Horizon: 36 * time.Hour})
	var got []incident.Incident
	maxLen := 0
	for i, rec := range s.Records {
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			got = append(got, f.Finished()...)
		}
		maxLen = max(maxLen, f.Len())
	}
	got = append(got, f.Finished()...)
	finished := len(got)
	got = append(got, f.Incidents()...)
	sortByStart(got)
	if finished == 0 {
		t.Fatal("no incident finished")
	}
	if maxLen > len(s.Records)/2 {
		t.Errorf("the Fuser held up to %d of %d observations, want a window", maxLen, len(s.Records))
	}
	t.Logf("%d observations, %d incidents finished, at most %d observations held", len(s.Records), finished, maxLen)
	if b := encode(t, got); !bytes.Equal(b, want) {
		t.Errorf("finished + live incidents differ from fusion without a horizon (%d vs %d bytes)", len(b), len(want))
	}
}

// TestHorizonChanges: a store that applies Changes and stores Finished
// holds exactly the incidents of a Fuser without a horizon.
func TestHorizonChanges(t *testing.T) {
	s := scenario(t, simulate.Bench(15_000))
	want := fuseRecords(t, s.Records).Incidents()

	f := incident.New(incident.Config{Locate: simulate.Locate, Horizon: 24 * time.Hour})
	mirror := map[string]incident.Incident{}
	sync := func() {
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
		for _, inc := range f.Finished() {
			mirror[inc.ID] = inc
		}
	}
	for i, rec := range s.Records {
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
		if i%700 == 0 {
			sync()
		}
	}
	sync()
	if len(mirror) != len(want) {
		t.Fatalf("mirror holds %d incidents, want %d", len(mirror), len(want))
	}
	for _, inc := range want {
		a, _ := json.Marshal(mirror[inc.ID])
		b, _ := json.Marshal(inc)
		if !bytes.Equal(a, b) {
			t.Fatalf("mirror's %s differs:\n%s\n%s", inc.ID, a, b)
		}
	}
}

// TestHorizonLate: an observation later than the horizon still gets an
// incident: it joins a live incident it matches unambiguously, and is an
// incident of its own when nothing live matches (here: its event is
// finished). It never changes a finished incident.
func TestHorizonLate(t *testing.T) {
	f := incident.New(incident.Config{Horizon: time.Hour})
	add := func(x r, accepted time.Time) {
		t.Helper()
		rec := x.record()
		rec.AcceptedAt = accepted
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
	}
	// Day 0: an event heard by two sensors.
	add(acoustic(1, 0, 0, 0, "a", 1), t0)
	add(acoustic(2, 3, 0.3, 0, "a", 2), t0)
	// Day 5: another event, which moves the clock on and finishes the first.
	day5 := t0.Add(5 * 24 * time.Hour)
	add(acoustic(3, 5*86400, 0, 0, "a", 1), day5)
	add(acoustic(4, 5*86400+2, 0.3, 0, "a", 2), day5)
	fin := f.Finished()
	if got := groups(fin); got != "1,2" {
		t.Fatalf("finished %s, want 1,2", got)
	}
	if _, err := f.Get(id(1)); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Get(finished observation) = %v, want ErrNotFound", err)
	}
	// A late report of the day-0 event: its incident is finished, so it
	// stands alone, and is finished at once. A late report of the day-5 event (2 hours late, beyond
	// the 1-hour horizon) joins the live incident.
	late := t0.Add(5*24*time.Hour + 3*time.Hour)
	add(acoustic(5, 1, 0.1, 0, "a", 3), late)
	add(acoustic(6, 5*86400+1, 0.1, 0, "a", 3), late)
	if got := groups(f.Finished()); got != "5" {
		t.Errorf("finished %s, want 5", got)
	}
	if got := groups(f.Incidents()); got != "3,4,6" {
		t.Errorf("live incidents %s, want 3,4,6", got)
	}
}

// TestHorizonPinned: incidents named by a merge or split stay live.
func TestHorizonPinned(t *testing.T) {
	f := incident.New(incident.Config{Horizon: time.Hour})
	add := func(x r) {
		t.Helper()
		if err := f.Add(x.record()); err != nil {
			t.Fatal(err)
		}
	}
	add(acoustic(1, 0, 0, 0, "a", 1))
	add(acoustic(2, 3, 0.3, 0, "a", 2))
	add(acoustic(3, 0, 30, 0, "a", 3))
	if err := f.Apply(incident.Decision{Kind: incident.Merge, Observations: []string{id(1), id(3)}, Reason: "one salvo"}); err != nil {
		t.Fatal(err)
	}
	add(acoustic(4, 5*86400, 0, 0, "a", 1))
	if got := groups(f.Finished()); got != "" {
		t.Errorf("finished %s, want nothing", got)
	}
	if got := groups(f.Incidents()); got != "1,2,3|4" {
		t.Errorf("incidents %s, want 1,2,3|4", got)
	}
}

// TestHorizonHeapFlat: as a year of observations streams through a Fuser
// with a Horizon, the heap it holds stays flat. go test -run HeapFlat -v
// -long prints the figures at 100k, 500k and 1M observations.
func TestHorizonHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200,000 observations")
	}
	n := 200_000
	marks := []int{50_000, 100_000, 200_000}
	if *long {
		n, marks = 1_000_000, []int{100_000, 500_000, 1_000_000}
	}
	s := scenario(t, simulate.Bench(n))
	base := heapInUse()
	f := incident.New(incident.Config{Locate: simulate.Locate, Horizon: incident.DefaultHorizon})
	var heaps []float64
	for i, rec := range s.Records {
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			f.Finished()
		}
		if slices.Contains(marks, i+1) {
			f.Finished()
			h := float64(int64(heapInUse())-int64(base)) / (1 << 20)
			heaps = append(heaps, h)
			t.Logf("%8d observations: %6.1f MiB held, %d observations live", i+1, h, f.Len())
		}
	}
	runtime.KeepAlive(f)
	runtime.KeepAlive(s) // its records are in base
	for _, h := range heaps[1:] {
		if h > 1.5*heaps[0]+4 {
			t.Errorf("heap grew from %.1f MiB to %.1f MiB", heaps[0], h)
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
