package person_test

import (
	"testing"
	"time"

	"truce/internal/person"
)

// BenchmarkReconcile50k reconciles generated lists of about 50,000
// persons a side (with a history of earlier exchanges) and reports the
// quality beside the time:
//
//	go test ./internal/person -run '^$' -bench Reconcile50k -benchtime 1x
func BenchmarkReconcile50k(b *testing.B) {
	ds := person.Generate(person.GenerateConfig{Seed: 31, N: 50_000})
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res, err := person.Reconcile(b.Context(), ds.A, ds.B, ds.History, person.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/reconcile")
		m := person.Evaluate(ds, res)
		b.ReportMetric(float64(len(ds.A)), "persons-a")
		b.ReportMetric(float64(len(ds.B)), "persons-b")
		b.ReportMetric(m.Precision, "precision")
		b.ReportMetric(m.Recall, "recall")
	}
}
