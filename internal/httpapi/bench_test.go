package httpapi_test

import (
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/observation"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
)

// BenchmarkIngest measures durable ingest through the HTTP API with
// concurrent clients, and in the same run this machine's ceilings, so the
// results read as ratios:
//
//	go test ./internal/httpapi -run '^$' -bench Ingest -benchtime 5s
//
// Sub-benchmarks run in order: the two ceilings first, then ingest, whose
// "of-ceiling" metric divides by the ceiling that bounds it (SQLite inserts
// for unsigned ingest, Ed25519 verification for signed ingest).
func BenchmarkIngest(b *testing.B) {
	const clients, batch = 16, 500
	var verifyCeiling, insertCeiling float64

	b.Run("ceiling=ed25519-verify-all-cores", func(b *testing.B) {
		pub, priv, _ := ed25519.GenerateKey(nil)
		msg := obs(1, nil)
		sig := ed25519.Sign(priv, msg)
		b.SetParallelism(1) // one goroutine per GOMAXPROCS
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !ed25519.Verify(pub, msg, sig) {
					panic("verify")
				}
			}
		})
		verifyCeiling = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(verifyCeiling, "verifies/s")
	})

	b.Run("ceiling=sqlite-batched-insert", func(b *testing.B) {
		// As many records per transaction as the committer's groups reach
		// under this load (16 clients × 500 in flight, groups up to 5,000).
		insertCeiling = bareInsertRate(b, 4096)
		b.ReportMetric(insertCeiling, "rows/s")
	})

	for _, tc := range []struct {
		name    string
		signed  bool
		batch   int
		ceiling *float64
	}{
		{"unsigned/batch=500", false, batch, &insertCeiling},
		{"signed/batch=500", true, batch, &verifyCeiling},
		{"unsigned/batch=1", false, 1, &insertCeiling},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := newServer(b, 0)
			var pub ed25519.PublicKey
			var priv ed25519.PrivateKey
			if tc.signed {
				pub, priv, _ = ed25519.GenerateKey(nil)
			}
			tok := s.user(auth.Monitor, "Mission", pub)
			bodies := makeBodies(b, b.N, tc.batch, priv)
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
						postBench(b, client, s.url, tok, bodies[i], tc.batch > 1)
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			rate := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(rate, "obs/s")
			if *tc.ceiling > 0 {
				b.ReportMetric(rate / *tc.ceiling, "of-ceiling")
			}
			if n := s.count(); n != int64(b.N) {
				b.Fatalf("%d stored, want %d", n, b.N)
			}
		})
	}
}

// makeBodies builds n observations in request bodies of batch lines each,
// signed with priv when it is not nil. The observations are a simulated
// scenario's (front-line shelling, barrages, naval strikes, allegations),
// so that fusion sees realistic density.
func makeBodies(b *testing.B, n, batch int, priv ed25519.PrivateKey) [][]byte {
	b.Helper()
	cfg := simulate.Bench(n)
	cfg.Start = now.AddDate(0, 0, -cfg.Days-1).Truncate(24 * time.Hour)
	sc, err := simulate.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for len(sc.Records) < n { // Bench(n) gives about n; top up with another seed
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
			b.Fatal(err)
		}
		if priv != nil {
			if o, err = observation.Sign(priv, o); err != nil {
				b.Fatal(err)
			}
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

func postBench(b *testing.B, c *http.Client, url, tok string, body []byte, batch bool) {
	req, _ := http.NewRequest("POST", url+"/api/v1/observations", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if batch {
		req.Header.Set("Content-Type", "application/x-ndjson")
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		b.Errorf("status %d", resp.StatusCode)
	}
}

// bareInsertRate measures the storage engine alone: the rows one record
// needs (its observations row and its ledger_entries row, same schema and
// indexes, typical sizes) inserted with multi-row INSERTs, batch records per
// transaction, with the store's durability settings. No HTTP, no JSON, no
// hashing: the ceiling the write path works under.
func bareInsertRate(b *testing.B, batch int) float64 {
	path := filepath.Join(b.TempDir(), "bare.db")
	s, err := sqlite.Open(b.Context(), path) // creates the schema
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	body := bytes.Repeat([]byte("x"), 330) // the size of a typical canonical record
	leaf := bytes.Repeat([]byte("y"), 170) // and of a ledger entry
	hash := make([]byte, 32)
	const perStmt = 100
	obsSQL := "INSERT INTO observations (id, content_hash, observed_at, accepted_at, domain, kind, source, organization, party, submitter_id, region, lat, lon, body, salt, ledger_idx) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, 'land', 'artillery', 'patrol', 'Mission', '', 1, '', ?, ?, ?, ?, ?), ", perStmt), ", ")
	entrySQL := "INSERT INTO ledger_entries (idx, leaf, hashes) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", perStmt), ", ")
	b.ResetTimer()
	start := time.Now()
	done := 0
	for done < b.N {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < batch; j += perStmt {
			var obsArgs, entryArgs []any
			for k := 0; k < perStmt; k, done = k+1, done+1 {
				id := fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(done*2654435761), done)
				obsArgs = append(obsArgs, id, hash, int64(done%40000)*1e9, int64(done), 47.0+float64(done%1000)/1000, 35.0, body, hash, done)
				entryArgs = append(entryArgs, done, leaf, append(hash, hash...))
			}
			if _, err := tx.Exec(obsSQL, obsArgs...); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(entrySQL, entryArgs...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return float64(done) / time.Since(start).Seconds()
}
