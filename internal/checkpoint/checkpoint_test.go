package checkpoint_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"truce/internal/checkpoint"
	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

func TestVerifierKey(t *testing.T) {
	// Base64 key data often holds '+', the field separator: try many keys.
	for range 100 {
		skey, vkey, err := ledger.GenerateKey("example.org/log")
		if err != nil {
			t.Fatal(err)
		}
		got, err := checkpoint.VerifierKey(skey)
		if err != nil || got != vkey {
			t.Fatalf("VerifierKey: got %q, %v; want %q", got, err, vkey)
		}
	}
	for _, bad := range []string{"", "PRIVATE+KEY+x", "example.org/log+01234567+AQ==", "PRIVATE+KEY+n+00000000+!!"} {
		if _, err := checkpoint.VerifierKey(bad); err == nil {
			t.Errorf("VerifierKey(%q) succeeded", bad)
		}
	}
}

type fixture struct {
	store *sqlite.Store
	path  string
	pub   *checkpoint.Publisher
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	store, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	skey, _, _ := ledger.GenerateKey("example.org/log")
	pub, err := checkpoint.New(store, skey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store, path, pub}
}

func (f *fixture) write(t *testing.T, from, to int) {
	t.Helper()
	var recs []observation.Prepared
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for n := from; n < to; n++ {
		recs = append(recs, storetest.Rec(t, n, base, "Mission", "", observation.Land, "artillery"))
	}
	if _, err := f.store.WriteObservations(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
}

// exec changes the database behind the store's back.
func (f *fixture) exec(t *testing.T, q string) {
	t.Helper()
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) latest(t *testing.T) ledger.Checkpoint {
	t.Helper()
	msg, err := f.store.LatestCheckpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c, err := ledger.OpenCheckpoint(msg, f.pub.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPublishFollowsTheLedger(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	steps := []struct {
		write    int
		wantSize int64
	}{{0, 0}, {5, 5}, {0, 5}, {300, 305}}
	n := 0
	for _, st := range steps {
		f.write(t, n, n+st.write)
		n += st.write
		size, err := f.pub.Publish(ctx)
		if err != nil || size != st.wantSize {
			t.Fatalf("Publish: %d, %v; want %d", size, err, st.wantSize)
		}
		c := f.latest(t)
		root, _ := ledger.RootHash(ctx, f.store, c.Size)
		if c.Size != st.wantSize || c.Root != root || c.Origin != "example.org/log" {
			t.Errorf("checkpoint %+v, want size %d and the tree's root", c, st.wantSize)
		}
	}
}

func TestPublishRefusesATamperedLedger(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
	}{
		{"entries deleted", `DELETE FROM ledger_entries WHERE idx >= 8`},
		// Row 7 holds the root of the complete subtree of leaves 0-7, which
		// every later root is built on. (A change deeper down leaves the roots
		// alone: the full audit of truce verify finds those.)
		{"a stored subtree hash changed", `UPDATE ledger_entries SET hashes = zeroblob(length(hashes)) WHERE idx = 7`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.write(t, 0, 10)
			if _, err := f.pub.Publish(t.Context()); err != nil {
				t.Fatal(err)
			}
			f.exec(t, tt.tamper)
			f.write(t, 100, 103)
			if _, err := f.pub.Publish(t.Context()); !errors.Is(err, checkpoint.ErrInconsistent) {
				t.Errorf("got %v, want ErrInconsistent", err)
			}
			if c := f.latest(t); c.Size != 10 {
				t.Errorf("a checkpoint of size %d was signed over a tampered ledger", c.Size)
			}
		})
	}
}

func TestPublishRefusesAnotherKey(t *testing.T) {
	f := newFixture(t)
	f.write(t, 0, 3)
	if _, err := f.pub.Publish(t.Context()); err != nil {
		t.Fatal(err)
	}
	skey, _, _ := ledger.GenerateKey("example.org/log")
	other, _ := checkpoint.New(f.store, skey, nil)
	f.write(t, 3, 4)
	if _, err := other.Publish(t.Context()); err == nil {
		t.Error("a publisher with another key signed over this log's checkpoints")
	}
}
