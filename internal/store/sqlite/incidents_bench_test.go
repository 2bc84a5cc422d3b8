package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"truce/internal/incident"
	"truce/internal/observation"
)

// BenchmarkPutFinishedIncidents stores finished incidents of two
// observations each in batches, as a fusion sweep hands them over, and
// reports incidents per second.
//
//	go test ./internal/store/sqlite -run '^$' -bench PutFinishedIncidents -benchtime 20000x
func BenchmarkPutFinishedIncidents(b *testing.B) {
	for _, batch := range []int{10, 500} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "b.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
			incs := make([]incident.Incident, b.N)
			for i := range incs {
				lat, lon := 48+float64(i%100)/100, 35+float64(i%37)/37
				a, c := fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*i), fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*i+1)
				incs[i] = incident.Incident{ID: incident.IncidentID(a), Domain: observation.Land, Kind: "artillery",
					Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i)*time.Second + time.Minute),
					Lat: &lat, Lon: &lon, RadiusM: 300, Region: "UA-23", Observations: []string{a, c},
					Sources: 2, Organizations: 1, Count: incident.Count{Low: 1, Best: 2, High: 3}, Status: incident.Reported}
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < len(incs); i += batch {
				if err := s.PutFinishedIncidents(b.Context(), incs[i:min(i+batch, len(incs))]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "incidents/s")
		})
	}
}
