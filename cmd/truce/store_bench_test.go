package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"truce/internal/simulate"
	"truce/internal/store/postgres/pgtest"
)

// BenchmarkServeIngest measures durable ingest through the HTTP API of a
// running truce serve, on SQLite and on PostgreSQL (TRUCE_TEST_POSTGRES;
// skipped without it), with 16 clients posting batches of 500 simulated
// observations:
//
//	go test ./cmd/truce -run '^$' -bench ServeIngest -benchtime 50000x
func BenchmarkServeIngest(b *testing.B) {
	const clients, batch = 16, 500
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run("db="+db, func(b *testing.B) {
			url := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
			if db == "postgres" {
				url = pgtest.URL(b)
			}
			var out bytes.Buffer
			if err := run(b.Context(), []string{"user", "add", "-db", url, "-role", "monitor", "-org", "Mission", "-name", "Bench"}, &out, io.Discard); err != nil {
				b.Fatal(err)
			}
			tok := lastLine(out.String())
			base := benchServe(b, url)
			bodies := benchBodies(b, b.N, batch)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= len(bodies) {
							return
						}
						req, _ := http.NewRequest("POST", base+"/api/v1/observations", bytes.NewReader(bodies[i]))
						req.Header.Set("Authorization", "Bearer "+tok)
						req.Header.Set("Content-Type", "application/x-ndjson")
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "obs/s")
		})
	}
}

// benchServe starts truce serve on db for the benchmark and returns its
// base URL; it stops when the benchmark ends.
func benchServe(b *testing.B, db string) string {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	stopped := make(chan struct{})
	args := []string{"serve", "-addr", "127.0.0.1:0", "-db", db, "-log-key", filepath.Join(b.TempDir(), "log.key")}
	go func() {
		defer close(stopped)
		if err := run(ctx, args, stdout, io.Discard); err != nil {
			b.Error(err)
		}
	}()
	b.Cleanup(func() {
		cancel()
		<-stopped
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listenRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1]
		}
	}
	b.Fatal("serve did not start")
	return ""
}

// benchBodies builds n simulated observations in request bodies of batch
// lines each.
func benchBodies(b *testing.B, n, batch int) [][]byte {
	b.Helper()
	cfg := simulate.Bench(n)
	cfg.Start = time.Now().AddDate(0, 0, -cfg.Days-1).Truncate(24 * time.Hour)
	sc, err := simulate.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for len(sc.Records) < n {
		cfg.Seed++
		more, err := simulate.Generate(cfg)
		if err != nil {
			b.Fatal(err)
		}
		sc.Records = append(sc.Records, more.Records...)
	}
	var bodies [][]byte
	var buf bytes.Buffer
	for i := range n {
		o, err := json.Marshal(&sc.Records[i].Observation)
		if err != nil {
			b.Fatal(fmt.Errorf("record %d: %w", i, err))
		}
		buf.Write(o)
		buf.WriteByte('\n')
		if (i+1)%batch == 0 || i == n-1 {
			bodies = append(bodies, bytes.Clone(buf.Bytes()))
			buf.Reset()
		}
	}
	return bodies
}
