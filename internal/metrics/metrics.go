// Package metrics keeps counters and histograms and writes them in the
// Prometheus text exposition format (version 0.0.4). It is deliberately
// small: what truce measures, no more.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds a set of metrics. The zero value is not usable; call New.
type Registry struct {
	mu      sync.Mutex
	metrics []writer
}

type writer interface {
	write(w io.Writer)
}

// New returns an empty registry.
func New() *Registry { return &Registry{} }

func (r *Registry) add(m writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = append(r.metrics, m)
}

// WriteText writes every metric in the text exposition format.
func (r *Registry) WriteText(w io.Writer) {
	r.mu.Lock()
	ms := append([]writer(nil), r.metrics...)
	r.mu.Unlock()
	for _, m := range ms {
		m.write(w)
	}
}

// ServeHTTP serves the metrics.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	r.WriteText(w)
}

// family is what counters and histograms share: a name, help, label names,
// and one series per distinct label values.
type family[S any] struct {
	name, help, typ string
	labels          []string
	mu              sync.RWMutex
	series          map[string]*S
	newSeries       func() *S
}

func (f *family[S]) with(values []string) *S {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.RLock()
	s := f.series[key]
	f.mu.RUnlock()
	if s != nil {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s = f.series[key]; s == nil {
		s = f.newSeries()
		f.series[key] = s
	}
	return s
}

// each calls fn for every series, in label order, with its label text.
func (f *family[S]) each(w io.Writer, fn func(labels string, s *S)) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.typ)
	f.mu.RLock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	series := make([]*S, len(keys))
	for i, k := range keys {
		series[i] = f.series[k]
	}
	f.mu.RUnlock()
	for i, k := range keys {
		var parts []string
		if len(f.labels) > 0 {
			for j, v := range strings.Split(k, "\xff") {
				parts = append(parts, fmt.Sprintf("%s=%q", f.labels[j], v))
			}
		}
		fn(strings.Join(parts, ","), series[i])
	}
}

// Counter is a family of monotonically increasing counts.
type Counter struct{ f *family[atomic.Uint64] }

// Counter registers and returns a counter with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	c := &Counter{&family[atomic.Uint64]{name: name, help: help, typ: "counter", labels: labels,
		series: map[string]*atomic.Uint64{}, newSeries: func() *atomic.Uint64 { return new(atomic.Uint64) }}}
	r.add(c)
	return c
}

// Add adds n to the series with these label values.
func (c *Counter) Add(n uint64, labelValues ...string) { c.f.with(labelValues).Add(n) }

// Value returns the current count of a series.
func (c *Counter) Value(labelValues ...string) uint64 { return c.f.with(labelValues).Load() }

func (c *Counter) write(w io.Writer) {
	c.f.each(w, func(labels string, s *atomic.Uint64) {
		fmt.Fprintf(w, "%s%s %d\n", c.f.name, braces(labels), s.Load())
	})
}

// Histogram is a family of distributions over fixed buckets.
type Histogram struct {
	f       *family[histSeries]
	buckets []float64
}

type histSeries struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; last is +Inf
	sum    float64
	n      uint64
}

// Histogram registers and returns a histogram with the given upper bucket
// bounds (ascending) and label names.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	h := &Histogram{buckets: buckets}
	h.f = &family[histSeries]{name: name, help: help, typ: "histogram", labels: labels,
		series: map[string]*histSeries{}, newSeries: func() *histSeries { return &histSeries{counts: make([]uint64, len(buckets)+1)} }}
	r.add(h)
	return h
}

// Observe records one value in the series with these label values.
func (h *Histogram) Observe(v float64, labelValues ...string) {
	s := h.f.with(labelValues)
	i := sort.SearchFloat64s(h.buckets, v)
	s.mu.Lock()
	s.counts[i]++
	s.sum += v
	s.n++
	s.mu.Unlock()
}

func (h *Histogram) write(w io.Writer) {
	h.f.each(w, func(labels string, s *histSeries) {
		s.mu.Lock()
		counts, sum, n := append([]uint64(nil), s.counts...), s.sum, s.n
		s.mu.Unlock()
		sep := ""
		if labels != "" {
			sep = ","
		}
		var cum uint64
		for i, c := range counts {
			cum += c
			le := "+Inf"
			if i < len(h.buckets) {
				le = strconv.FormatFloat(h.buckets[i], 'g', -1, 64)
			}
			fmt.Fprintf(w, "%s_bucket{%s%sle=%q} %d\n", h.f.name, labels, sep, le, cum)
		}
		fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", h.f.name, braces(labels), formatFloat(sum), h.f.name, braces(labels), n)
	})
}

func braces(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

func formatFloat(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
