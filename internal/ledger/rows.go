package ledger

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// The stores keep the tree's stored hashes by leaf: the row of leaf i holds
// its encoded entry and, concatenated, the stored hashes its append wrote
// (tlog.StoredHashIndex(0, i) up to, not including, that of i+1). A node at
// level L, index k, is completed by leaf ((k+1) << L) - 1, so every stored
// hash has one row. The functions below are that layout, so that each store
// has only its SQL to write.

// HashRow returns the leaf whose row holds stored hash index i, and i's
// offset among that row's hashes.
func HashRow(i int64) (leaf, offset int64) {
	level, k := tlog.SplitStoredHashIndex(i)
	leaf = (k+1)<<level - 1
	return leaf, i - tlog.StoredHashIndex(0, leaf)
}

// ReadHashRows returns the stored hashes at indexes, in order, reading the
// rows they are kept in through readRows, which gets each leaf once and
// returns the rows' hashes by leaf. A hash whose row is missing or short is
// an error wrapping ErrNotFound.
func ReadHashRows(ctx context.Context, indexes []int64, readRows func(ctx context.Context, leaves []int64) (map[int64][]byte, error)) ([]tlog.Hash, error) {
	seen := make(map[int64]bool, len(indexes))
	var leaves []int64
	for _, i := range indexes {
		if leaf, _ := HashRow(i); !seen[leaf] {
			seen[leaf] = true
			leaves = append(leaves, leaf)
		}
	}
	rows, err := readRows(ctx, leaves)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for j, i := range indexes {
		leaf, off := HashRow(i)
		h := rows[leaf]
		if int64(len(h)) < (off+1)*tlog.HashSize {
			return nil, fmt.Errorf("ledger: stored hash %d (leaf %d): %w", i, leaf, ErrNotFound)
		}
		copy(out[j][:], h[off*tlog.HashSize:])
	}
	return out, nil
}

// AppendRows is Append for stores that keep hashes by leaf: it computes
// the stored hashes that appending leaves to the tree of size n adds,
// reading the hashes it needs through r (the store's write transaction),
// and returns each leaf's row of hashes, rows[k] for leaf n+k.
func AppendRows(ctx context.Context, r HashReader, n int64, leaves [][]byte) ([][]byte, error) {
	hs := &collect{r: r}
	if _, err := Append(ctx, hs, n, leaves); err != nil {
		return nil, err
	}
	end := n + int64(len(leaves))
	if len(leaves) > 0 && (hs.start != tlog.StoredHashIndex(0, n) || int64(len(hs.written)) != tlog.StoredHashIndex(0, end)-hs.start) {
		return nil, fmt.Errorf("ledger: append wrote hashes %d+%d for leaves %d..%d", hs.start, len(hs.written), n, end)
	}
	rows := make([][]byte, len(leaves))
	for k := range leaves {
		i := n + int64(k)
		lo, hi := tlog.StoredHashIndex(0, i)-hs.start, tlog.StoredHashIndex(0, i+1)-hs.start
		row := make([]byte, 0, (hi-lo)*tlog.HashSize)
		for _, h := range hs.written[lo:hi] {
			row = append(row, h[:]...)
		}
		rows[k] = row
	}
	return rows, nil
}

// collect is a HashStore that reads through r and keeps what Append
// writes.
type collect struct {
	r       HashReader
	start   int64
	written []tlog.Hash
}

func (c *collect) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return c.r.ReadHashes(ctx, indexes)
}

func (c *collect) WriteHashes(_ context.Context, start int64, hashes []tlog.Hash) error {
	if c.written != nil {
		return fmt.Errorf("ledger: second WriteHashes in one append")
	}
	c.start, c.written = start, hashes
	return nil
}

// HashReaderFunc is a function that reads stored hashes, as a HashReader.
type HashReaderFunc func(ctx context.Context, indexes []int64) ([]tlog.Hash, error)

// ReadHashes calls f.
func (f HashReaderFunc) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return f(ctx, indexes)
}

// HashCache keeps stored hashes of the tree's upper levels, which every
// proof and tile needs. Stored hashes never change, so the cache needs no
// invalidation, only a bound. The zero value is ready; it is safe for
// concurrent use.
type HashCache struct {
	mu sync.Mutex
	m  map[int64]tlog.Hash
}

const (
	hashCacheMinLevel = 4       // nodes over at least 16 leaves
	hashCacheMax      = 1 << 17 // 128k hashes, 4 MiB
)

// ReadHashes returns the stored hashes at indexes, from the cache where it
// has them and through r for the rest, which it then keeps if they are of
// the upper levels.
func (c *HashCache) ReadHashes(ctx context.Context, r HashReader, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	c.mu.Lock()
	for j, i := range indexes {
		if h, ok := c.m[i]; ok {
			out[j] = h
			continue
		}
		missing = append(missing, i)
		at = append(at, j)
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	read, err := r.ReadHashes(ctx, missing)
	if err != nil {
		return nil, err
	}
	if len(read) != len(missing) {
		return nil, fmt.Errorf("ledger: read %d hashes, got %d", len(missing), len(read))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, h := range read {
		out[at[k]] = h
		if level, _ := tlog.SplitStoredHashIndex(missing[k]); level >= hashCacheMinLevel {
			if c.m == nil || len(c.m) >= hashCacheMax {
				c.m = make(map[int64]tlog.Hash)
			}
			c.m[missing[k]] = h
		}
	}
	return out, nil
}
