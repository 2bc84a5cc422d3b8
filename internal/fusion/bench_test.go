package fusion_test

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
)

// BenchmarkServiceMemory streams simulated observations (simulate.Bench,
// some 400 days) through the service as a server does — queued in
// batches of 500, a read after each — without and with a horizon, and
// reports the heap the service holds at the end per observation (the
// records themselves, held by the benchmark, are not counted), and how
// many of the incidents are in memory. Its ns/obs is the service's whole
// cost per observation, reads included; with a horizon it is dominated by
// storing the finished incidents, since the benchmark's 400 days of
// records make a sweep, and so a SQLite transaction, every 2,500 or so.
//
//	go test ./internal/fusion -run '^$' -bench ServiceMemory -benchtime 1x
func BenchmarkServiceMemory(b *testing.B) {
	const n = 200_000
	sc := generate(b, simulate.Bench(n))
	recs := sc.Records
	for _, tc := range []struct {
		name    string
		horizon time.Duration
	}{{"all-in-memory", 0}, {"horizon=72h", incident.DefaultHorizon}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				store, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "t.db"))
				if err != nil {
					b.Fatal(err)
				}
				s := fusion.New(store, incident.Config{Locate: simulate.Locate, Horizon: tc.horizon}, nil)
				if err := s.Load(b.Context()); err != nil {
					b.Fatal(err)
				}
				var before runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				for i := 0; i < len(recs); i += 500 {
					s.Add(recs[i:min(i+500, len(recs))])
					if _, _, err := s.List(b.Context(), fusion.Query{Limit: 1}); err != nil {
						b.Fatal(err)
					}
				}
				took := time.Since(start)
				var after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&after)
				live, _, err := s.List(b.Context(), fusion.Query{Limit: 1})
				if err != nil || len(live) == 0 {
					b.Fatal(err)
				}
				finished, err := store.CountFinishedIncidents(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				total, err := s.Len(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "heapB/obs")
				b.ReportMetric(float64(total-int(finished)), "incidents-in-memory")
				b.ReportMetric(float64(total), "incidents")
				b.ReportMetric(float64(took.Nanoseconds())/n, "ns/obs")
				runtime.KeepAlive(s)
				store.Close()
			}
		})
	}
	runtime.KeepAlive(recs)
}

// BenchmarkServiceLoad measures a start: the replay of a store of
// simulated observations (simulate.Bench, some 400 days), without a
// horizon, with one on a store that holds no finished incidents yet (the
// replay stores them all), and with one again (it stores only what
// differs: nothing).
//
//	go test ./internal/fusion -run '^$' -bench ServiceLoad -benchtime 1x
func BenchmarkServiceLoad(b *testing.B) {
	const n = 200_000
	sc := generate(b, simulate.Bench(n))
	store := openStore(b)
	for i := 0; i < len(sc.Records); i += 5000 {
		var prep []observation.Prepared
		for _, r := range sc.Records[i:min(i+5000, len(sc.Records))] {
			prep = append(prep, observation.Prepare(r))
		}
		if _, err := store.WriteObservations(b.Context(), prep); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		horizon time.Duration
	}{{"all-in-memory", 0}, {"horizon=72h/first", incident.DefaultHorizon}, {"horizon=72h/again", incident.DefaultHorizon}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				s := fusion.New(store, incident.Config{Locate: simulate.Locate, Horizon: tc.horizon}, nil)
				start := time.Now()
				if err := s.Load(b.Context()); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/load")
			}
		})
	}
}
