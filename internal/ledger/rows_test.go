package ledger_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// rowStore keeps hashes by leaf, as the stores do.
type rowStore map[int64][]byte

func (s rowStore) readRows(_ context.Context, leaves []int64) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	for _, l := range leaves {
		if r, ok := s[l]; ok {
			out[l] = r
		}
	}
	return out, nil
}

func (s rowStore) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return ledger.ReadHashRows(ctx, indexes, s.readRows)
}

// TestHashRows appends leaves in batches of random sizes with AppendRows,
// keeps the rows by leaf, and reads every stored hash back with
// ReadHashRows: each is the hash tlog.StoredHashes computes.
func TestHashRows(t *testing.T) {
	ctx := context.Background()
	leaves := testLeaves(t, 300)
	want := referenceHashes(t, leaves)
	store := rowStore{}
	rnd := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < len(leaves); {
		k := min(1+rnd.IntN(40), len(leaves)-n)
		rows, err := ledger.AppendRows(ctx, store, int64(n), leaves[n:n+k])
		if err != nil {
			t.Fatalf("append %d+%d: %v", n, k, err)
		}
		if len(rows) != k {
			t.Fatalf("append %d+%d: %d rows", n, k, len(rows))
		}
		for j, r := range rows {
			store[int64(n+j)] = r
		}
		n += k
	}
	all := make([]int64, len(want))
	for i := range all {
		all[i] = int64(i)
	}
	rnd.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	got, err := store.ReadHashes(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	for j, i := range all {
		if got[j] != want[i] {
			t.Fatalf("stored hash %d differs from tlog's", i)
		}
		if leaf, _ := ledger.HashRow(i); leaf >= int64(len(leaves)) {
			t.Fatalf("stored hash %d is kept by leaf %d, beyond the tree", i, leaf)
		}
	}
	// A hash whose row is gone is not found.
	delete(store, 7)
	if _, err := store.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, 7)}); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("a missing row: %v, want ErrNotFound", err)
	}
	// A bad leaf is refused, as Append refuses it.
	if _, err := ledger.AppendRows(ctx, store, int64(len(leaves)), [][]byte{{}}); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("an empty leaf: %v, want ErrInvalid", err)
	}
}

// TestHashCache: the cache answers as the reader does, and keeps only the
// upper levels of the tree.
func TestHashCache(t *testing.T) {
	ctx := context.Background()
	want := referenceHashes(t, testLeaves(t, 64))
	var asked []int64
	r := ledger.HashReaderFunc(func(_ context.Context, idx []int64) ([]tlog.Hash, error) {
		asked = append(asked, idx...)
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = want[x]
		}
		return out, nil
	})
	low, high := tlog.StoredHashIndex(0, 5), tlog.StoredHashIndex(5, 1)
	var c ledger.HashCache
	for round := range 2 {
		asked = nil
		got, err := c.ReadHashes(ctx, r, []int64{low, high})
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != want[low] || got[1] != want[high] {
			t.Fatalf("round %d: wrong hashes", round)
		}
		wantAsked := []int64{low, high}
		if round == 1 {
			wantAsked = []int64{low} // the level-5 hash is cached, the leaf hash is not
		}
		if len(asked) != len(wantAsked) || asked[0] != wantAsked[0] {
			t.Errorf("round %d: the reader was asked %v, want %v", round, asked, wantAsked)
		}
	}
	bad := ledger.HashReaderFunc(func(context.Context, []int64) ([]tlog.Hash, error) { return nil, nil })
	if _, err := c.ReadHashes(ctx, bad, []int64{low}); err == nil {
		t.Error("a reader that returns too few hashes: no error")
	}
}

func TestCosignerKey(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{"— witness.example AQIDBAUGBwg=", "witness.example+01020304"},
		{"— w AQIDBA==", "w+01020304"},
		{"— w AQID", ""},        // a key hash needs 4 bytes
		{"— w not-base64!", ""}, // not base64
		{"— nospace", ""},       // no signature
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ledger.CosignerKey(tt.line)
		if tt.want == "" {
			if !errors.Is(err, ledger.ErrInvalid) {
				t.Errorf("CosignerKey(%q) = %q, %v; want ErrInvalid", tt.line, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CosignerKey(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
}
