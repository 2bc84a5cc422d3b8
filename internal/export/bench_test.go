package export_test

import (
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"truce/internal/export"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
)

// The benchmarks, on the shared 2-core machine: see docs/export.md.
//
//	go test ./internal/export -run '^$' -bench Write1M -benchtime 1x
//	go test ./internal/export -run '^$' -bench ExportStore100k -benchtime 1x

// counter is an io.Writer that counts and discards.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// heapPeak samples the live heap; call sample now and then.
type heapPeak struct{ max uint64 }

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.max = max(h.max, m.HeapAlloc)
}

// generator fills one reused Incident with the i-th of a varied stream:
// every kind, points and region-only, attributions, statuses, one to five
// observations. Nothing accumulates, so the benchmark measures the writer.
type generator struct {
	ids    []string
	kinds  []observation.Kind
	lat    float64
	lon    float64
	t0     time.Time
	region []string
}

func newGenerator() *generator {
	g := &generator{t0: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), region: []string{"UA-14", "UA-32", "UA-65", "UA-23", ""}}
	for i := range 1024 {
		g.ids = append(g.ids, fmt.Sprintf("6f1c7a2e-0d0b-4a6e-9d1f-%012d", i))
	}
	for _, d := range observation.Domains() {
		g.kinds = append(g.kinds, observation.Kinds(d)...)
	}
	return g
}

func (g *generator) fill(i int, inc *incident.Incident) {
	k := g.kinds[i%len(g.kinds)]
	d, _ := observation.DomainOf(k)
	*inc = incident.Incident{
		ID: g.ids[(i*7)%len(g.ids)], Domain: d, Kind: k,
		Start: g.t0.Add(time.Duration(i) * 3 * time.Second), RadiusM: float64(100 + i%30000),
		Region:       g.region[i%len(g.region)],
		Observations: g.ids[i%1000 : i%1000+1+i%5],
		Sources:      1 + i%4, Organizations: 1 + i%3,
		Count:  incident.Count{Low: i % 5, Best: i%5 + 1, High: i%5 + 3},
		Status: incident.Statuses()[i%5],
	}
	inc.End = inc.Start.Add(time.Duration(i%600) * time.Second)
	if i%7 != 0 {
		g.lat, g.lon = 46+float64(i%600)/100, 30+float64(i%800)/100
		inc.Lat, inc.Lon = &g.lat, &g.lon
	}
	switch i % 3 {
	case 0:
		inc.AttributedTo, inc.AttributionConfidence = "RU", incident.Medium
	case 1:
		inc.AttributedTo, inc.AttributionConfidence = "UA", incident.Low
	}
}

// BenchmarkWrite1M writes a million generated incidents in each format to
// a discarding writer, and reports the output size, the time and the live
// heap's peak (sampled every 100,000 incidents).
func BenchmarkWrite1M(b *testing.B) {
	const n = 1_000_000
	for _, f := range export.Formats() {
		b.Run(string(f), func(b *testing.B) {
			g := newGenerator()
			var inc incident.Incident
			var out counter
			var peak heapPeak
			runtime.GC()
			peak.sample()
			start := time.Now()
			for b.Loop() {
				out.n = 0
				w, err := export.NewWriter(&out, f, export.Options{Generated: g.t0})
				if err != nil {
					b.Fatal(err)
				}
				for i := range n {
					g.fill(i, &inc)
					if err := w.Write(&inc); err != nil {
						b.Fatal(err)
					}
					if i%100_000 == 0 {
						peak.sample()
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			el := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(el.Seconds(), "s/1M")
			b.ReportMetric(float64(el.Nanoseconds())/n, "ns/incident")
			b.ReportMetric(float64(out.n)/1e6, "MB")
			b.ReportMetric(float64(peak.max)/(1<<20), "heapMiB")
		})
	}
}

// BenchmarkExportStore100k exports a SQLite database of 100,000 simulated
// observations end to end (store pages, fusion with a horizon, the writer)
// in each format, and reports the time, the incidents, the most
// observations fusion held at once and the live heap's peak.
func BenchmarkExportStore100k(b *testing.B) {
	st := simulatedStore(b, 100_000)
	q := export.Query{Locate: simulate.Locate}
	for _, f := range export.Formats() {
		b.Run(string(f), func(b *testing.B) {
			var stats export.Stats
			var out counter
			var peak heapPeak
			runtime.GC()
			start := time.Now()
			for b.Loop() {
				out.n = 0
				w, _ := export.NewWriter(&out, f, export.Options{})
				n := 0
				var err error
				stats, err = export.Replay(b.Context(), st, q, func(inc *incident.Incident) error {
					if n++; n%10_000 == 0 {
						peak.sample()
					}
					return w.Write(inc)
				})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			el := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(el.Seconds(), "s/export")
			b.ReportMetric(float64(stats.Observations), "observations")
			b.ReportMetric(float64(stats.Incidents), "incidents")
			b.ReportMetric(float64(stats.MaxLive), "maxLiveObs")
			b.ReportMetric(float64(out.n)/1e6, "MB")
			b.ReportMetric(float64(peak.max)/(1<<20), "heapMiB")
		})
	}
}

var _ io.Writer = (*counter)(nil)
