package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkRandomKeyIndex shows what bounds ingest here: the same minimal
// table (a rowid, a 16-byte id, a time, a 450-byte body), 4,096 rows per
// transaction, with synchronous=FULL, with and without a unique index on
// the id, for random and for sequential ids.
//
//	go test ./internal/store/sqlite -run '^$' -bench RandomKeyIndex -benchtime 64000x
func BenchmarkRandomKeyIndex(b *testing.B) {
	random := func(i int) any { return []byte(fmt.Sprintf("%08x%08x", uint32(i*2654435761), i))[:16] }
	sequential := func(i int) any { return []byte(fmt.Sprintf("%016x", i)) }
	for _, tc := range []struct {
		name   string
		schema string
		key    func(int) any
	}{
		{"no-index", "CREATE TABLE t (seq INTEGER PRIMARY KEY, id BLOB, ts INTEGER, body BLOB)", random},
		{"unique-sequential", "CREATE TABLE t (seq INTEGER PRIMARY KEY, id BLOB UNIQUE, ts INTEGER, body BLOB)", sequential},
		{"unique-random", "CREATE TABLE t (seq INTEGER PRIMARY KEY, id BLOB UNIQUE, ts INTEGER, body BLOB)", random},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "x.db")+
				"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_txlock=immediate")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(tc.schema); err != nil {
				b.Fatal(err)
			}
			body := strings.Repeat("x", 450)
			q := "INSERT INTO t (id, ts, body) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", 64), ", ")
			b.ResetTimer()
			start := time.Now()
			done := 0
			for done < b.N {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				for j := 0; j < 4096/64 && done < b.N; j++ {
					args := make([]any, 0, 64*3)
					for range 64 {
						args = append(args, tc.key(done), done, body)
						done++
					}
					if _, err := tx.Exec(q, args...); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(done)/time.Since(start).Seconds(), "rows/s")
		})
	}
}
