package incident_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/observation"
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

// TestHorizonDelayedReports: reports that arrive late but within the
// horizon (a patrol's batch uploaded a day after the event) join blocks
// that look old, and the vague observations already attached near them
// must be decided again. With a third of the records delayed by up to 40
// hours (the scenario's own delays reach 30) and a 48-hour horizon, so
// that none is late, the incidents are still byte-identical to those of a
// Fuser without a horizon. A freeze test (see attach) that took such a
// block for one that can no longer change fails here.
func TestHorizonDelayedReports(t *testing.T) {
	const horizon, delay = 48 * time.Hour, 40 * time.Hour
	s := scenario(t, simulate.Bench(30_000))
	recs := slices.Clone(s.Records)
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range recs {
		if rng.IntN(3) == 0 {
			d := time.Duration(rng.Int64N(int64(delay)))
			recs[i].AcceptedAt = recs[i].ObservedAt.Add(d)
		}
	}
	slices.SortStableFunc(recs, func(a, b observation.Record) int { return a.AcceptedAt.Compare(b.AcceptedAt) })
	want := encode(t, fuseRecords(t, recs).Incidents())

	f := incident.New(incident.Config{Locate: simulate.Locate, Horizon: horizon})
	var got []incident.Incident
	for i, rec := range recs {
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			got = append(got, f.Finished()...)
		}
	}
	got = append(got, f.Finished()...)
	if len(got) == 0 {
		t.Fatal("no incident finished")
	}
	got = append(got, f.Incidents()...)
	sortByStart(got)
	if b := encode(t, got); !bytes.Equal(b, want) {
		t.Errorf("finished + live incidents differ from fusion without a horizon (%d vs %d bytes)", len(b), len(want))
	}
}

// TestHorizonFreezeBound: a block observed just under Gate × √2 × 15
// minutes (4,455 s) before clock − Horizon can still change (a precise
// report observed at clock − Horizon is not late and may join it), so a
// vague observation attached by a sweep must still watch it. Here a
// party's allegation lies halfway between two single reports, 4,400 s
// before clock − Horizon, and is its own incident; a delayed report joins
// one of them and moves its centre away, and the allegation must now join
// the other, as without a horizon. A freeze bound a minute too late fails.
func TestHorizonFreezeBound(t *testing.T) {
	const h = 3600.0 // the horizon, s; sweeps run every 3 hours of clock
	precise := func(n int, sec, yKm float64) r {
		return r{n: n, sec: sec, tu: 900, lat: lat0 + yKm*0.009, lon: lon0, lu: 1000,
			kind: "explosion", source: observation.Acoustic, org: "m", sub: int64(n)}
	}
	far := func(n int, sec float64) r { x := precise(n, sec, 0); x.lon += 5; return x }
	allegation := r{n: 4, sec: 2800, tu: 1800, lat: lat0 - 15*0.009, lon: lon0, lu: 5000,
		kind: "explosion", source: observation.Party, org: "p", sub: 9, isParty: true}
	steps := []accepted{
		{far(10, -70*h), -70 * h}, // starts the clock
		{far(11, 0), 0},           // a sweep; the next at 3 h
		{precise(1, 2800, 0), 2800},
		{precise(2, 2800, -30), 2800},
		{allegation, 2800},
		{far(12, -65*h), 3 * h}, // late; its arrival sweeps with clock − Horizon = 7200
		{precise(3, 7210, 0.5), 3 * h},
	}
	sameWithHorizon(t, steps, "1,3|10|11|12|2,4", func(i int, f *incident.Fuser) {
		if i != 5 {
			return
		}
		if got := groups(f.Incidents()); got != "1|11|2|4" {
			t.Fatalf("before the delayed report: %s, want 1|11|2|4", got)
		}
	})
}

// TestHorizonWatcherDelays: a block does not finish while a vague
// observation compared with it may still be decided again. Here a party's
// allegation with a 12-hour time uncertainty, 40 hours after a report,
// joins its incident at a sweep whose cut has passed the report but not
// the allegation; a report 40.5 hours after the allegation then makes it
// ambiguous, and it must leave: the first report's block cannot have been
// finished with it.
func TestHorizonWatcherDelays(t *testing.T) {
	const hour = 3600.0
	precise := func(n int, sec float64) r {
		return r{n: n, sec: sec, tu: 900, lat: lat0, lon: lon0, lu: 1000,
			kind: "explosion", source: observation.Acoustic, org: "m", sub: int64(n)}
	}
	far := precise(10, 81*hour)
	far.lon += 5
	allegation := r{n: 3, sec: 40 * hour, tu: 12 * hour, lat: lat0, lon: lon0, lu: 5000,
		kind: "explosion", source: observation.Party, org: "p", sub: 9, isParty: true}
	steps := []accepted{{precise(1, 0), 0}, {allegation, 40 * hour}, {far, 81 * hour}, {precise(2, 80.5*hour), 81 * hour}}
	sameWithHorizon(t, steps, "1|10|2|3", nil)
}

// accepted is a test observation and when it is accepted, in seconds
// after t0.
type accepted struct {
	x  r
	at float64
}

// sameWithHorizon adds steps to a Fuser with a one-hour horizon, calling
// check (when not nil) after each, and requires its finished and live
// incidents to group the observations as a Fuser without a horizon does,
// which must be want.
func sameWithHorizon(t *testing.T, steps []accepted, want string, check func(i int, f *incident.Fuser)) {
	t.Helper()
	var recs []observation.Record
	f := incident.New(incident.Config{Horizon: time.Hour})
	var finished []incident.Incident
	for i, st := range steps {
		rec := st.x.record()
		rec.AcceptedAt = t0.Add(time.Duration(st.at * float64(time.Second)))
		recs = append(recs, rec)
		if err := f.Add(rec); err != nil {
			t.Fatal(err)
		}
		finished = append(finished, f.Finished()...)
		if check != nil {
			check(i, f)
		}
	}
	if got := groups(fuseRecords(t, recs).Incidents()); got != want {
		t.Fatalf("without a horizon: %s, want %s", got, want)
	}
	if got := groups(append(finished, f.Incidents()...)); got != want {
		t.Errorf("with a horizon: %s, want %s", got, want)
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
