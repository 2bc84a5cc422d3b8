package ledger

import (
	"context"
	"encoding/binary"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// HashReader reads stored hashes. It is the read half of HashStore.
type HashReader interface {
	// ReadHashes returns the stored hashes at the given indexes (see
	// tlog.StoredHashIndex), one per index and in the same order, or an error.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
}

// Reader is what serving and proving need from the store. It is read-only
// and may run outside any write transaction.
type Reader interface {
	HashReader
	// ReadEntries returns the stored leaves (encoded entries) with indexes
	// start ≤ i < end, in index order. If rows are missing it MAY return fewer
	// (the server then serves what it has and clients detect the gap); it MUST
	// NOT return more.
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
}

// hashReader adapts a HashReader to tlog.HashReader, which has no context,
// and checks the length of what the store returns.
func hashReader(ctx context.Context, r HashReader) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes, err := r.ReadHashes(ctx, indexes)
		if err != nil {
			return nil, err
		}
		if len(hashes) != len(indexes) {
			return nil, fmt.Errorf("read %d hashes, got %d", len(indexes), len(hashes))
		}
		return hashes, nil
	})
}

// RootHash returns the RFC 6962 root hash of the tree of size n: for n = 0
// the hash of the empty string. It reads at most 1+log₂ n hashes in one call.
func RootHash(ctx context.Context, r HashReader, n int64) (tlog.Hash, error) {
	if n < 0 {
		return tlog.Hash{}, fmt.Errorf("ledger: root hash of size %d: %w", n, ErrInvalid)
	}
	h, err := tlog.TreeHash(n, hashReader(ctx, r))
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("ledger: root hash of size %d: %w", n, err)
	}
	return h, nil
}

// InclusionProof returns the RFC 6962 inclusion proof (audit path) that the
// tree of size n contains the leaf at index i. It returns an error wrapping
// ErrInvalid unless 0 ≤ i < n. The caller MUST check that n is not larger
// than the tree actually stored.
func InclusionProof(ctx context.Context, r HashReader, i, n int64) (tlog.RecordProof, error) {
	if i < 0 || i >= n {
		return nil, fmt.Errorf("ledger: inclusion proof of %d in size %d: %w", i, n, ErrInvalid)
	}
	p, err := tlog.ProveRecord(n, i, hashReader(ctx, r))
	if err != nil {
		return nil, fmt.Errorf("ledger: inclusion proof of %d in size %d: %w", i, n, err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 6962 consistency proof that the tree of
// size n2 contains the tree of size n1 as a prefix. The proof is empty when
// n1 is 0 or n1 = n2. It returns an error wrapping ErrInvalid unless
// 0 ≤ n1 ≤ n2. The caller MUST check that n2 is not larger than the tree
// actually stored.
func ConsistencyProof(ctx context.Context, r HashReader, n1, n2 int64) (tlog.TreeProof, error) {
	if n1 < 0 || n1 > n2 {
		return nil, fmt.Errorf("ledger: consistency proof from %d to %d: %w", n1, n2, ErrInvalid)
	}
	if n1 == 0 || n1 == n2 {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(n2, n1, hashReader(ctx, r))
	if err != nil {
		return nil, fmt.Errorf("ledger: consistency proof from %d to %d: %w", n1, n2, err)
	}
	return p, nil
}

// TileData returns the content of tile t (as returned by ParseTilePath) of a
// tree of size n:
//
//   - a hash tile (t.L ≥ 0): t.W concatenated 32-byte hashes at tree level
//     8·t.L, starting at hash 256·t.N;
//   - an entry bundle (t.L = -1): t.W entries starting at index 256·t.N, each
//     as a big-endian uint16 length followed by the entry bytes.
//
// It returns an error wrapping ErrNotFound if the tile reaches beyond the tree
// of size n, and ErrInvalid if t is not a tile of height TileHeight. An entry
// bundle has fewer entries than t.W only if the store returned fewer.
func TileData(ctx context.Context, r Reader, t tlog.Tile, n int64) ([]byte, error) {
	if err := checkTile(t); err != nil {
		return nil, fmt.Errorf("ledger: tile %s: %w", TilePath(t), err)
	}
	if !tileInTree(t, n) {
		return nil, fmt.Errorf("ledger: tile %s: beyond tree size %d: %w", TilePath(t), n, ErrNotFound)
	}
	if t.L >= 0 {
		data, err := tlog.ReadTileData(t, hashReader(ctx, r))
		if err != nil {
			return nil, fmt.Errorf("ledger: tile %s: %w", TilePath(t), err)
		}
		return data, nil
	}
	start := t.N * TileWidth
	entries, err := r.ReadEntries(ctx, start, start+int64(t.W))
	if err != nil {
		return nil, fmt.Errorf("ledger: tile %s: %w", TilePath(t), err)
	}
	if len(entries) > t.W {
		return nil, fmt.Errorf("ledger: tile %s: read %d entries, got %d", TilePath(t), t.W, len(entries))
	}
	size := 0
	for _, e := range entries {
		size += 2 + len(e)
	}
	data := make([]byte, 0, size)
	for i, e := range entries {
		if len(e) > MaxEntrySize {
			return nil, fmt.Errorf("ledger: tile %s: entry %d has %d bytes, more than %d", TilePath(t), start+int64(i), len(e), MaxEntrySize)
		}
		data = binary.BigEndian.AppendUint16(data, uint16(len(e)))
		data = append(data, e...)
	}
	return data, nil
}

// tileInTree reports whether tile t lies entirely within the tree of size n:
// its last hash (or entry) must exist, that is (256·N + W)·256^L ≤ n.
func tileInTree(t tlog.Tile, n int64) bool {
	width := n // number of hashes at tree level 8·L
	for range max(t.L, 0) {
		width /= TileWidth
	}
	if t.N > width/TileWidth {
		return false
	}
	return t.N*TileWidth+int64(t.W) <= width
}

// ParseEntryBundle splits entry bundle data into its entries. It returns an
// error wrapping ErrInvalid if the data is truncated.
func ParseEntryBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for off := 0; off < len(data); {
		if len(data)-off < 2 {
			return nil, fmt.Errorf("ledger: entry bundle: truncated length at byte %d (entry %d): %w", off, len(entries), ErrInvalid)
		}
		size := int(binary.BigEndian.Uint16(data[off:]))
		off += 2
		if len(data)-off < size {
			return nil, fmt.Errorf("ledger: entry bundle: entry %d at byte %d wants %d bytes, %d left: %w", len(entries), off-2, size, len(data)-off, ErrInvalid)
		}
		entries = append(entries, data[off:off+size:off+size])
		off += size
	}
	return entries, nil
}

// Tiles lists every hash tile and entry bundle that a tlog-tiles server
// publishes for the tree of size n: at each level, the full tiles and the
// rightmost partial one, then the entry bundles, all in path order within a
// level. Writing TileData of each at its TilePath, with the checkpoint at
// "checkpoint", makes a static copy of the log that verifiers read as they
// read the server.
func Tiles(n int64) []tlog.Tile {
	var tiles []tlog.Tile
	add := func(level int, hashes int64) {
		for k := int64(0); k*TileWidth < hashes; k++ {
			tiles = append(tiles, tlog.Tile{H: TileHeight, L: level, N: k, W: int(min(TileWidth, hashes-k*TileWidth))})
		}
	}
	for level, hashes := 0, n; hashes > 0; level, hashes = level+1, hashes/TileWidth {
		add(level, hashes)
	}
	add(-1, n)
	return tiles
}
