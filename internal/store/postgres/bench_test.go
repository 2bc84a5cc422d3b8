package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"truce/internal/observation"
	"truce/internal/store/postgres"
	"truce/internal/store/postgres/pgtest"
)

// BenchmarkWriteObservations measures the store alone: records written
// with their ledger entries in groups of the committer's sizes, as
// package sqlite's benchmark of the same name does:
//
//	go test ./internal/store/postgres -run '^$' -bench WriteObservations -benchtime 100000x
func BenchmarkWriteObservations(b *testing.B) {
	for _, group := range []int{500, 4000} {
		b.Run(fmt.Sprintf("group=%d", group), func(b *testing.B) {
			s, err := postgres.Open(b.Context(), pgtest.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			recs := benchRecords(b.N)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < len(recs); i += group {
				if _, err := s.WriteObservations(b.Context(), recs[i:min(i+group, len(recs))]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "obs/s")
		})
	}
}

func benchRecords(n int) []observation.Prepared {
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]observation.Prepared, n)
	for i := range recs {
		lat, lon := 47+float64(i%1000)/1000, 35+float64(i%777)/1000
		o := observation.Observation{
			ID:         fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(i*2654435761), i),
			ObservedAt: base.Add(time.Duration(i%40000) * time.Second), Lat: &lat, Lon: &lon,
			Domain: observation.Land, Kind: "artillery", Count: 3, Source: observation.Patrol,
			TimeUncertaintyS: 60, LocationUncertaintyM: 500,
		}
		recs[i] = observation.Prepare(observation.Record{Observation: o, Organization: "Mission", SubmitterID: 1, AcceptedAt: base})
	}
	return recs
}
