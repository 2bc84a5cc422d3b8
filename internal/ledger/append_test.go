package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/ledger/ledgertest"
)

// testLeaves returns n deterministic encoded entries.
func testLeaves(t testing.TB, n int) [][]byte {
	t.Helper()
	leaves := make([][]byte, n)
	for i := range leaves {
		e, _, _ := testEntry(i)
		b, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		leaves[i] = b
	}
	return leaves
}

// referenceHashes stores leaves one at a time with tlog.StoredHashes, the
// way the tlog package documents.
func referenceHashes(t testing.TB, leaves [][]byte) []tlog.Hash {
	t.Helper()
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, l := range leaves {
		h, err := tlog.StoredHashes(int64(i), l, r)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, h...)
	}
	return stored
}

// merkleRoots returns the root of every tree size 1..len(leaves) computed
// with transparency-dev/merkle's compact ranges.
func merkleRoots(t testing.TB, leaves [][]byte) []tlog.Hash {
	t.Helper()
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	cr := rf.NewEmptyRange(0)
	roots := make([]tlog.Hash, len(leaves)+1)
	copy(roots[0][:], rfc6962.DefaultHasher.EmptyRoot())
	for i, l := range leaves {
		if err := cr.Append(rfc6962.DefaultHasher.HashLeaf(l), nil); err != nil {
			t.Fatal(err)
		}
		root, err := cr.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		copy(roots[i+1][:], root)
	}
	return roots
}

func TestAppendBatchesMatchReference(t *testing.T) {
	const total = 1000
	leaves := testLeaves(t, total)
	want := referenceHashes(t, leaves)
	roots := merkleRoots(t, leaves)
	ctx := t.Context()

	for seed := range uint64(6) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			m := ledgertest.New()
			maxBatch := []int{1, 3, 17, 64, 300, 1000}[seed]
			for n := 0; n < total; {
				k := min(1+rng.IntN(maxBatch), total-n)
				if err := m.AppendLeaves(ctx, leaves[n:n+k]); err != nil {
					t.Fatalf("append %d leaves at %d: %v", k, n, err)
				}
				n += k
				root, err := ledger.RootHash(ctx, m, int64(n))
				if err != nil {
					t.Fatal(err)
				}
				if root != roots[n] {
					t.Fatalf("after batch to size %d: root %v, want %v (merkle)", n, root, roots[n])
				}
			}
			if len(m.Hashes) != len(want) {
				t.Fatalf("stored %d hashes, want %d", len(m.Hashes), len(want))
			}
			for i := range want {
				if m.Hashes[i] != want[i] {
					t.Fatalf("stored hash %d = %v, want %v", i, m.Hashes[i], want[i])
				}
			}
			for n := int64(0); n <= total; n++ {
				root, err := ledger.RootHash(ctx, m, n)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := tlog.TreeHash(n, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
					out := make([]tlog.Hash, len(idx))
					for i, x := range idx {
						out[i] = want[x]
					}
					return out, nil
				}))
				if err != nil {
					t.Fatal(err)
				}
				if root != ref || root != roots[n] {
					t.Fatalf("RootHash(%d) = %v, want %v (tlog) and %v (merkle)", n, root, ref, roots[n])
				}
			}
		})
	}
}

// countingStore wraps a HashStore and counts calls.
type countingStore struct {
	ledger.HashStore
	reads, writes int
	writeErr      error
}

func (c *countingStore) ReadHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	c.reads++
	return c.HashStore.ReadHashes(ctx, idx)
}

func (c *countingStore) WriteHashes(ctx context.Context, start int64, h []tlog.Hash) error {
	c.writes++
	if c.writeErr != nil {
		return c.writeErr
	}
	return c.HashStore.WriteHashes(ctx, start, h)
}

func TestAppendOneReadOneWrite(t *testing.T) {
	ctx := t.Context()
	leaves := testLeaves(t, 700)
	m := ledgertest.New()
	if err := m.AppendLeaves(ctx, leaves[:333]); err != nil { // size 333 has 5 complete subtrees
		t.Fatal(err)
	}
	cs := &countingStore{HashStore: m}
	n, err := ledger.Append(ctx, cs, 333, leaves[333:])
	if err != nil {
		t.Fatal(err)
	}
	if n != 700 {
		t.Errorf("Append returned size %d, want 700", n)
	}
	if cs.reads != 1 || cs.writes != 1 {
		t.Errorf("Append made %d reads and %d writes, want 1 and 1", cs.reads, cs.writes)
	}
	// A tree whose size is a power of two has one complete subtree; size 0 none.
	cs = &countingStore{HashStore: ledgertest.New()}
	if _, err := ledger.Append(ctx, cs, 0, leaves[:5]); err != nil {
		t.Fatal(err)
	}
	if cs.reads != 0 || cs.writes != 1 {
		t.Errorf("Append to empty tree made %d reads and %d writes, want 0 and 1", cs.reads, cs.writes)
	}
}

func TestAppendErrors(t *testing.T) {
	ctx := t.Context()
	good := testLeaves(t, 2)
	boom := errors.New("boom")
	tests := []struct {
		name     string
		n        int64
		leaves   [][]byte
		writeErr error
		want     error
	}{
		{"negative size", -1, good, nil, ledger.ErrInvalid},
		{"empty leaf", 0, [][]byte{good[0], {}}, nil, ledger.ErrInvalid},
		{"leaf too large", 0, [][]byte{bytes.Repeat([]byte("a"), ledger.MaxEntrySize+1)}, nil, ledger.ErrInvalid},
		{"size beyond store", 5, good, nil, ledger.ErrNotFound},
		{"write fails", 0, good, boom, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ledgertest.New()
			cs := &countingStore{HashStore: m, writeErr: tt.writeErr}
			_, err := ledger.Append(ctx, cs, tt.n, tt.leaves)
			if !errors.Is(err, tt.want) {
				t.Errorf("Append() error = %v, want %v", err, tt.want)
			}
			if len(m.Hashes) != 0 {
				t.Errorf("Append() failed but stored %d hashes", len(m.Hashes))
			}
		})
	}
	// Appending nothing is a no-op.
	m := ledgertest.New()
	if n, err := ledger.Append(ctx, m, 0, nil); n != 0 || err != nil {
		t.Errorf("Append(nothing) = %d, %v, want 0, nil", n, err)
	}
	// A leaf of exactly MaxEntrySize bytes is accepted.
	if _, err := ledger.Append(ctx, m, 0, [][]byte{bytes.Repeat([]byte("a"), ledger.MaxEntrySize)}); err != nil {
		t.Errorf("Append(MaxEntrySize bytes) = %v", err)
	}
}

// BenchmarkAppend measures Append against an in-memory store, one leaf per
// call and 1000 per call; ns/leaf is the figure to compare.
//
//	go test ./internal/ledger -run '^$' -bench Append -benchmem
func BenchmarkAppend(b *testing.B) {
	for _, batch := range []int{1, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := b.Context()
			leaves := testLeaves(b, batch)
			m := ledgertest.New()
			n := int64(0)
			for b.Loop() {
				var err error
				if n, err = ledger.Append(ctx, m, n, leaves); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/leaf")
		})
	}
}
