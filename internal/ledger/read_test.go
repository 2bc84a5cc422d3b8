package ledger_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/ledger/ledgertest"
)

// newTestLog returns an in-memory log of n test entries with a signed
// checkpoint, and the log's signer and verifier.
func newTestLog(t testing.TB, n int) (*ledgertest.Memory, note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey("ledger.truce.test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	m := ledgertest.New()
	if err := m.AppendLeaves(t.Context(), testLeaves(t, n)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Sign(t.Context(), signer); err != nil {
		t.Fatal(err)
	}
	return m, signer, verifier
}

func bytesSlices(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func TestProofsVerifyWithMerkle(t *testing.T) {
	const total = 600
	ctx := t.Context()
	leaves := testLeaves(t, total)
	m := ledgertest.New()
	if err := m.AppendLeaves(ctx, leaves); err != nil {
		t.Fatal(err)
	}
	roots := merkleRoots(t, leaves)
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int64{1, 2, 3, 4, 7, 8, 9, 255, 256, 257, 511, 512, 513, total}
	for range 30 {
		sizes = append(sizes, 1+rng.Int64N(total))
	}
	for _, n := range sizes {
		for _, i := range []int64{0, n / 2, n - 1, rng.Int64N(n)} {
			t.Run(fmt.Sprintf("inclusion/%d/%d", i, n), func(t *testing.T) {
				p, err := ledger.InclusionProof(ctx, m, i, n)
				if err != nil {
					t.Fatal(err)
				}
				leaf := rfc6962.DefaultHasher.HashLeaf(leaves[i])
				if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), uint64(n), leaf, bytesSlices(p), roots[n][:]); err != nil {
					t.Errorf("merkle rejects inclusion proof: %v", err)
				}
				wrong := rfc6962.DefaultHasher.HashLeaf(append(leaves[i], ' '))
				if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), uint64(n), wrong, bytesSlices(p), roots[n][:]); err == nil {
					t.Error("merkle accepts the proof for an altered leaf")
				}
			})
		}
		for _, n1 := range []int64{0, 1, n / 3, n - 1, n} {
			if n1 < 0 {
				continue
			}
			t.Run(fmt.Sprintf("consistency/%d/%d", n1, n), func(t *testing.T) {
				p, err := ledger.ConsistencyProof(ctx, m, n1, n)
				if err != nil {
					t.Fatal(err)
				}
				if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(n1), uint64(n), bytesSlices(p), roots[n1][:], roots[n][:]); err != nil {
					t.Errorf("merkle rejects consistency proof: %v", err)
				}
				if n1 > 0 && n1 < n {
					other := roots[n1]
					other[0] ^= 1
					if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(n1), uint64(n), bytesSlices(p), other[:], roots[n][:]); err == nil {
						t.Error("merkle accepts the proof for a forked old root")
					}
				}
			})
		}
	}
}

func TestProofArguments(t *testing.T) {
	ctx := t.Context()
	m, _, _ := newTestLog(t, 10)
	tests := []struct {
		name string
		err  error
	}{
		{"inclusion index = size", func() error { _, err := ledger.InclusionProof(ctx, m, 10, 10); return err }()},
		{"inclusion negative index", func() error { _, err := ledger.InclusionProof(ctx, m, -1, 10); return err }()},
		{"inclusion in empty tree", func() error { _, err := ledger.InclusionProof(ctx, m, 0, 0); return err }()},
		{"consistency from > to", func() error { _, err := ledger.ConsistencyProof(ctx, m, 5, 4); return err }()},
		{"consistency negative", func() error { _, err := ledger.ConsistencyProof(ctx, m, -1, 4); return err }()},
		{"root negative", func() error { _, err := ledger.RootHash(ctx, m, -1); return err }()},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, ledger.ErrInvalid) {
			t.Errorf("%s: error = %v, want ErrInvalid", tt.name, tt.err)
		}
	}
	if _, err := ledger.InclusionProof(ctx, m, 0, 11); err == nil {
		t.Error("InclusionProof beyond the stored tree: no error")
	}
	root, err := ledger.RootHash(ctx, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := rfc6962.DefaultHasher.EmptyRoot(); string(root[:]) != string(want) {
		t.Errorf("RootHash(0) = %x, want SHA-256(\"\") = %x", root, want)
	}
}

// httpTileReader is a tlog.TileReader over a tlog-tiles server.
type httpTileReader struct {
	t    *testing.T
	base string
}

func (r httpTileReader) Height() int { return ledger.TileHeight }

func (r httpTileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		resp, err := http.Get(r.base + "/" + ledger.TilePath(tile))
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", ledger.TilePath(tile), resp.Status)
		}
		out[i] = data
	}
	return out, nil
}

func (r httpTileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// TestTilesReadByTlog serves tiles over HTTP and reads them back with
// tlog.TileHashReader, which checks every tile against the tree hash.
func TestTilesReadByTlog(t *testing.T) {
	ctx := t.Context()
	for _, n := range []int{1, 255, 256, 257, 1000, 65536 + 300} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m, _, _ := newTestLog(t, n)
			srv := httptest.NewServer(ledger.NewHandler(ledger.HandlerConfig{Checkpoints: m, Reader: m}))
			defer srv.Close()
			root, err := ledger.RootHash(ctx, m, int64(n))
			if err != nil {
				t.Fatal(err)
			}
			tree := tlog.Tree{N: int64(n), Hash: root}
			thr := tlog.TileHashReader(tree, httpTileReader{t, srv.URL})
			got, err := tlog.TreeHash(int64(n), thr)
			if err != nil {
				t.Fatalf("TreeHash over tiles: %v", err)
			}
			if got != root {
				t.Errorf("TreeHash over tiles = %v, want %v", got, root)
			}
			for _, i := range []int64{0, int64(n) / 2, int64(n) - 1} {
				p, err := tlog.ProveRecord(int64(n), i, thr)
				if err != nil {
					t.Fatalf("ProveRecord(%d) over tiles: %v", i, err)
				}
				if err := tlog.CheckRecord(p, int64(n), root, i, ledger.LeafHash(m.Entries[i])); err != nil {
					t.Errorf("CheckRecord(%d): %v", i, err)
				}
			}
		})
	}
}

func TestTileData(t *testing.T) {
	ctx := t.Context()
	m, _, _ := newTestLog(t, 70000)
	tests := []struct {
		path    string
		size    int64
		wantErr error
	}{
		// The tree of size 70,000 of C2SP tlog-tiles.
		{"tile/0/000", 70000, nil},
		{"tile/0/272", 70000, nil},
		{"tile/0/273.p/112", 70000, nil},
		{"tile/0/273.p/5", 70000, nil}, // a partial tile of an earlier checkpoint
		{"tile/0/273.p/113", 70000, ledger.ErrNotFound},
		{"tile/0/273", 70000, ledger.ErrNotFound},
		{"tile/0/274.p/1", 70000, ledger.ErrNotFound},
		{"tile/1/000", 70000, nil},
		{"tile/1/001.p/17", 70000, nil},
		{"tile/1/001.p/18", 70000, ledger.ErrNotFound},
		{"tile/1/001", 70000, ledger.ErrNotFound},
		{"tile/2/000.p/1", 70000, nil},
		{"tile/2/000.p/2", 70000, ledger.ErrNotFound},
		{"tile/3/000.p/1", 70000, ledger.ErrNotFound},
		{"tile/63/000.p/1", 70000, ledger.ErrNotFound},
		{"tile/entries/000", 70000, nil},
		{"tile/entries/273.p/112", 70000, nil},
		{"tile/entries/273", 70000, ledger.ErrNotFound},
		{"tile/entries/x001/x234/067", 70000, ledger.ErrNotFound},
		{"tile/0/000", 255, ledger.ErrNotFound},
		{"tile/0/000.p/255", 255, nil},
		{"tile/0/000.p/1", 0, ledger.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s@%d", tt.path, tt.size), func(t *testing.T) {
			tile, err := ledger.ParseTilePath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			data, err := ledger.TileData(ctx, m, tile, tt.size)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("TileData() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if tile.L >= 0 {
				if len(data) != tile.W*tlog.HashSize {
					t.Fatalf("hash tile has %d bytes, want %d", len(data), tile.W*tlog.HashSize)
				}
				// The first hash of a level-L tile is the root of the first
				// 256^L leaves it covers.
				span := int64(1) << (8 * tile.L)
				first := tile.N * 256 * span
				idx := tlog.StoredHashIndex(8*tile.L, first/span)
				if want := m.Hashes[idx]; string(data[:32]) != string(want[:]) {
					t.Errorf("first hash %x, want %x", data[:32], want)
				}
				return
			}
			entries, err := ledger.ParseEntryBundle(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != tile.W {
				t.Fatalf("bundle has %d entries, want %d", len(entries), tile.W)
			}
			for i, e := range entries {
				if want := m.Entries[tile.N*256+int64(i)]; string(e) != string(want) {
					t.Fatalf("entry %d = %q, want %q", i, e, want)
				}
			}
		})
	}
}

func TestParseEntryBundle(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want int
		err  error
	}{
		{"empty", nil, 0, nil},
		{"one", []byte{0, 2, 'h', 'i'}, 1, nil},
		{"two", []byte{0, 1, 'a', 0, 0}, 2, nil},
		{"truncated length", []byte{0, 1, 'a', 0}, 0, ledger.ErrInvalid},
		{"truncated entry", []byte{0, 3, 'a', 'b'}, 0, ledger.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.ParseEntryBundle(tt.data)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("ParseEntryBundle() error = %v, want %v", err, tt.err)
			}
			if len(got) != tt.want {
				t.Errorf("ParseEntryBundle() = %d entries, want %d", len(got), tt.want)
			}
		})
	}
}

// BenchmarkInclusionProof measures InclusionProof at a tree of 1,000,000
// entries against an in-memory store (the store's query adds to it):
//
//	go test ./internal/ledger -run '^$' -bench InclusionProof
func BenchmarkInclusionProof(b *testing.B) {
	const n = 1_000_000
	ctx := b.Context()
	m := ledgertest.New()
	leaves := make([][]byte, n)
	for i := range leaves {
		leaves[i] = fmt.Appendf(nil, `{"leaf":%d}`, i)
	}
	if err := m.AppendLeaves(ctx, leaves); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := ledger.InclusionProof(ctx, m, rng.Int64N(n), n); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
}
