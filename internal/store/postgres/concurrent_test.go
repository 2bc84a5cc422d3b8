package postgres_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/record"
	"truce/internal/store/postgres"
	"truce/internal/store/postgres/pgtest"
	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

// TestConcurrentAppenders writes observations, the same observations again
// (duplicates and conflicts) and records from two Store values on one
// database, as two servers would, and checks that the ledger is dense, that
// every id was created once, and that every stored hash is the one the
// leaves imply.
func TestConcurrentAppenders(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	const writers, batches, batch = 4, 8, 40 // batches of 40 go through COPY, records through INSERT
	var mu sync.Mutex
	outcomes := map[observation.Outcome]int{}
	var wg sync.WaitGroup
	for w := range writers {
		s := stores[w%2]
		wg.Go(func() {
			for b := range batches {
				// Writers w and w^1 (on the other store) write the same ids;
				// odd writers change every fifth record's content.
				recs := make([]observation.Prepared, batch)
				for i := range recs {
					n := (w/2)*batches*batch + b*batch + i + 1
					kind := observation.Kind("artillery")
					if w%2 == 1 && i%5 == 0 {
						kind = "mortar"
					}
					recs[i] = storetest.Rec(t, n, base, "Mission", "", observation.Land, kind)
				}
				out, err := s.WriteObservations(t.Context(), recs)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.AppendRecord(t.Context(), "decision", fmt.Sprintf("00000000-0000-4000-9000-%06d%06d", w, b), 1, []byte(`{}`)); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, o := range out {
					outcomes[o]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	ids := writers / 2 * batches * batch
	if outcomes[observation.Created] != ids || outcomes[observation.Duplicate]+outcomes[observation.Conflict] != ids {
		t.Errorf("outcomes %v; want %d created, %d duplicates or conflicts", outcomes, ids, ids)
	}
	if want := ids / 5; outcomes[observation.Conflict] != want {
		t.Errorf("%d conflicts, want %d", outcomes[observation.Conflict], want)
	}
	s := stores[0]
	n, err := s.TreeSize(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(ids + writers*batches); n != want {
		t.Fatalf("tree size %d, want %d", n, want)
	}
	leaves, err := s.ReadEntries(t.Context(), 0, n)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(leaves)) != n {
		t.Fatalf("%d entries for a tree of %d: not dense", len(leaves), n)
	}
	checkHashes(t, s, leaves)
	var last time.Time
	for i, l := range leaves {
		e, err := ledger.ParseEntry(l)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if e.AcceptedAt.Before(last) {
			t.Errorf("entry %d accepted %v, before entry %d's %v", i, e.AcceptedAt, i-1, last)
		}
		last = e.AcceptedAt
		if e.Type != observation.EntryType {
			continue
		}
		st, err := s.Observation(t.Context(), e.ID, observation.Scope{All: true})
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if st.LedgerIndex != int64(i) || ledger.Commit(st.Salt, st.Body) != e.Commitment {
			t.Errorf("entry %d: observation %s has index %d, or its commitment differs", i, e.ID, st.LedgerIndex)
		}
	}
}

// checkHashes recomputes every stored hash of the tree over leaves and
// compares it with what s stores.
func checkHashes(t *testing.T, s *postgres.Store, leaves [][]byte) {
	t.Helper()
	var want []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = want[x]
		}
		return out, nil
	})
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(int64(i), l, reader)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, hs...)
	}
	idx := make([]int64, len(want))
	for i := range idx {
		idx[i] = int64(i)
	}
	got, err := s.ReadHashes(t.Context(), idx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stored hash %d: got %x, want %x", i, got[i], want[i])
		}
	}
}

// TestReopen: reopening a database (a restart, or a second server
// starting) applies no migration twice and keeps the data.
func TestReopen(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	for i := range 3 {
		s, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		rec := storetest.Rec(t, i+1, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "Mission", "", observation.Land, "artillery")
		if _, err := s.WriteObservations(t.Context(), []observation.Prepared{rec}); err != nil {
			t.Fatal(err)
		}
		n, err := s.CountObservations(t.Context())
		s.Close()
		if err != nil || n != int64(i+1) {
			t.Fatalf("after open %d: %d observations, err %v; want %d", i, n, err, i+1)
		}
	}
	// Servers starting together: concurrent first opens of a fresh schema.
	url = pgtest.URL(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), url)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
}

// TestAirwarBodiesMatchSQLite: the PostgreSQL store keeps the same
// canonical records as the SQLite store, byte for byte, for every shipped
// bulletin and alert (their ledger commitments are over these bytes).
func TestAirwarBodiesMatchSQLite(t *testing.T) {
	t.Parallel()
	pg, err := postgres.Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	lite, err := sqlite.Open(t.Context(), t.TempDir()+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	bs, as := storetest.ShippedBulletins(t), storetest.ShippedAlerts(t)
	if len(as) > 3000 {
		as = as[:3000]
	}
	if _, err := pg.WriteBulletins(t.Context(), bs, accepted); err != nil {
		t.Fatal(err)
	}
	if _, err := lite.WriteBulletins(t.Context(), bs, accepted); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.WriteAlerts(t.Context(), as, accepted); err != nil {
		t.Fatal(err)
	}
	if _, err := lite.WriteAlerts(t.Context(), as, accepted); err != nil {
		t.Fatal(err)
	}
	check := func(typ, id string) {
		a, _, ai, err := pg.AirwarRecord(t.Context(), typ, id)
		if err != nil {
			t.Fatal(err)
		}
		b, _, bi, err := lite.AirwarRecord(t.Context(), typ, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || ai != bi {
			t.Fatalf("%s %s: postgres keeps (%d) %s\nsqlite keeps (%d) %s", typ, id, ai, a, bi, b)
		}
	}
	for _, b := range bs {
		check(record.TypeBulletin, b.ID)
	}
	for _, a := range as {
		check(record.TypeAlert, a.ID)
	}
}
