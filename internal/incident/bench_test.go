package incident_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"truce/internal/incident"
	"truce/internal/simulate"
)

// Benchmarks: go test ./internal/incident -run '^$' -bench 'Fuse|Stream' -benchtime 1x
//
// BenchmarkFuse100k and BenchmarkFuse1M fuse simulate.Bench(n) in arrival
// order (Add for every record, then Settle) and report ns/obs (wall),
// cpu-ns/obs (process CPU time, the collector included) and the heap the
// Fuser retains per observation (heapB/obs). BenchmarkIncidents100k adds
// the cost of building every Incident value. The figures are in
// docs/benchmarks.md.

var benchScenarios sync.Map // n -> *simulate.Scenario

func benchScenario(b *testing.B, n int) *simulate.Scenario {
	b.Helper()
	if s, ok := benchScenarios.Load(n); ok {
		return s.(*simulate.Scenario)
	}
	cfg := simulate.Default()
	if n > 0 {
		cfg = simulate.Bench(n)
	}
	s, err := simulate.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchScenarios.Store(n, s)
	return s
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func benchFuse(b *testing.B, n int, incidents bool) { benchFuseCfg(b, n, incidents, 0, 0) }

// benchFuseCfg is benchFuse with a Horizon: Finished is drained every
// thousand records, as a server would store the finished incidents. With
// settleEvery > 0, Settle is also called after every settleEvery-th record,
// as a server reading while records arrive does.
func benchFuseCfg(b *testing.B, n int, incidents bool, horizon time.Duration, settleEvery int) {
	s := benchScenario(b, n)
	var retained uint64
	var f *incident.Fuser
	var elapsed, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		f = nil
		before := heap()
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		f = incident.New(incident.Config{Locate: simulate.Locate, Horizon: horizon})
		for i, r := range s.Records {
			if err := f.Add(r); err != nil {
				b.Fatal(err)
			}
			if horizon > 0 && i%1000 == 999 {
				f.Finished()
			}
			if settleEvery > 0 && i%settleEvery == settleEvery-1 {
				f.Settle()
			}
		}
		f.Settle()
		if incidents {
			if len(f.Incidents()) == 0 {
				b.Fatal("no incidents")
			}
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		retained = heap() - before
		b.StartTimer()
	}
	runtime.KeepAlive(f)
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/float64(len(s.Records)), "ns/obs")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(len(s.Records)), "cpu-ns/obs")
	b.ReportMetric(float64(retained)/float64(len(s.Records)), "heapB/obs")
	b.ReportMetric(float64(len(s.Records)), "obs")
}

func BenchmarkFuseDefault(b *testing.B)   { benchFuse(b, 0, false) }
func BenchmarkFuse100k(b *testing.B)      { benchFuse(b, 100_000, false) }
func BenchmarkFuse1M(b *testing.B)        { benchFuse(b, 1_000_000, false) }
func BenchmarkIncidents100k(b *testing.B) { benchFuse(b, 100_000, true) }

// BenchmarkStream100k and BenchmarkStream1M fuse with DefaultHorizon, so
// finished incidents are built (as Incident values) and dropped as the
// records stream through; heapB/obs is what the Fuser still holds at the
// end.
func BenchmarkStream100k(b *testing.B) { benchFuseCfg(b, 100_000, false, incident.DefaultHorizon, 0) }
func BenchmarkStream1M(b *testing.B)   { benchFuseCfg(b, 1_000_000, false, incident.DefaultHorizon, 0) }

// BenchmarkLive100k is BenchmarkFuse100k with a read (Settle) after every
// hundred records: the flushes then see vague observations settled before
// the precise ones that match them arrive.
func BenchmarkLive100k(b *testing.B) { benchFuseCfg(b, 100_000, false, 0, 100) }

// BenchmarkMemoryLatency measures this machine's ceiling for work that
// reads memory at random, as fusion does once its working set outgrows
// the caches: the time of one dependent read from tables of growing size
// (a random cyclic chain, one read per 64-byte line).
//
//	go test ./internal/incident -run '^$' -bench MemoryLatency
func BenchmarkMemoryLatency(b *testing.B) {
	for _, kb := range []int{256, 1 << 10, 4 << 10, 8 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("%dKiB", kb), func(b *testing.B) {
			lines := kb << 10 / 64
			perm := rand.New(rand.NewPCG(1, 2)).Perm(lines)
			chain := make([]int64, lines*8)
			for i, p := range perm {
				chain[p*8] = int64(perm[(i+1)%lines] * 8)
			}
			p := int64(0)
			for b.Loop() {
				p = chain[p]
			}
			if p < 0 {
				b.Fatal("broken chain")
			}
		})
	}
}
