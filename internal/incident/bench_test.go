package incident_test

import (
	"testing"

	"truce/internal/incident"
	"truce/internal/simulate"
)

func benchScenario(b *testing.B, cfg simulate.Config) *simulate.Scenario {
	b.Helper()
	s, err := simulate.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchFuse(b *testing.B, s *simulate.Scenario) {
	b.ReportAllocs()
	for b.Loop() {
		f := incident.New(incident.Config{Locate: simulate.Locate})
		for _, r := range s.Records {
			if err := f.Add(r); err != nil {
				b.Fatal(err)
			}
		}
		f.Settle()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.Records)), "ns/obs")
}

func BenchmarkFuseDefault(b *testing.B) { benchFuse(b, benchScenario(b, simulate.Default())) }

func BenchmarkFuse100k(b *testing.B) { benchFuse(b, benchScenario(b, simulate.Bench(100_000))) }
