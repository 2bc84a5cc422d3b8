package sqlite

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"truce/internal/checkpoint"
	"truce/internal/ledger"
	"truce/internal/ledger/audit"
)

// BenchmarkLedger1M measures, on a ledger of a million entries in SQLite,
// inclusion proofs (p50 and p99 latency) and a full audit over HTTP (every
// entry bundle and tile fetched and the tree recomputed):
//
//	go test ./internal/store/sqlite -run '^$' -bench Ledger1M -benchtime 1x -timeout 30m
func BenchmarkLedger1M(b *testing.B) {
	const size = 1_000_000
	ctx := b.Context()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "ledger.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for n := int64(0); n < size; n += 10_000 {
		leaves := make([][]byte, 10_000)
		for i := range leaves {
			e := ledger.Entry{Type: "observation", ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(n)+uint32(i), n+int64(i)),
				AcceptedAt: base.Add(time.Duration(n+int64(i)) * time.Millisecond), Commitment: [32]byte{byte(i)}}
			if leaves[i], err = e.Encode(); err != nil {
				b.Fatal(err)
			}
		}
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.appendLeaves(ctx, tx, n, leaves); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %d entries in %v", size, time.Since(start).Round(time.Millisecond))
	skey, _, _ := ledger.GenerateKey("bench.example/log")
	pub, err := checkpoint.New(s, skey, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pub.Publish(ctx); err != nil {
		b.Fatal(err)
	}

	b.Run("inclusion-proof", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		lat := make([]time.Duration, 0, max(b.N, 10_000))
		for range max(b.N, 10_000) {
			i := rng.Int64N(size)
			t := time.Now()
			if _, err := ledger.InclusionProof(ctx, s, i, size); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})

	for _, gzip := range []bool{false, true} {
		b.Run(fmt.Sprintf("full-audit-http/gzip=%v", gzip), func(b *testing.B) {
			srv := httptest.NewServer(ledger.NewHandler(ledger.HandlerConfig{Checkpoints: s, Reader: s}))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{DisableCompression: !gzip, MaxIdleConnsPerHost: 16}}
			for range b.N {
				t := time.Now()
				res, err := audit.Verify(ctx, audit.NewHTTPFetcher(srv.URL+"/", client), audit.Options{LogVerifier: pub.Verifier(), Full: true})
				if err != nil || !res.OK() || res.Entries != size {
					b.Fatalf("audit: %v, %d entries, problems %v", err, res.Entries, res.Problems)
				}
				b.ReportMetric(time.Since(t).Seconds(), "s/audit")
			}
		})
	}
}
