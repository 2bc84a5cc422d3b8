package ledger

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// HashStore is the storage Append runs against. The store implements it over
// an open database transaction, so that the hashes are committed together with
// the records and entries they cover. It lives here because Append is its only
// user.
type HashStore interface {
	// ReadHashes returns the stored hashes at the given indexes (see
	// tlog.StoredHashIndex), one per index and in the same order, or an error.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// WriteHashes stores hashes at indexes start, start+1, …. Storage is
	// append-only: start is always the number of hashes stored so far, and an
	// implementation SHOULD refuse to overwrite an existing index (for example
	// with a primary key), which also makes a concurrent append fail.
	WriteHashes(ctx context.Context, start int64, hashes []tlog.Hash) error
}

// Append adds leaves (encoded entries, see Entry.Encode) to the tree of size n
// kept in hs and returns the new size, n+len(leaves).
//
// Append reads at most one batch of hashes (the O(log n) roots of the complete
// subtrees of the tree of size n) and writes all the new hashes in one
// contiguous WriteHashes call, however many leaves there are. The caller MUST
// call it inside the transaction that stores the records and entry bytes, and
// MUST serialise appends (see the package contract). A leaf longer than
// MaxEntrySize or an empty leaf is an error wrapping ErrInvalid, and nothing
// is written.
func Append(ctx context.Context, hs HashStore, n int64, leaves [][]byte) (int64, error) {
	if n < 0 {
		return 0, fmt.Errorf("ledger: append at %d: negative tree size: %w", n, ErrInvalid)
	}
	if len(leaves) == 0 {
		return n, nil
	}
	for i, leaf := range leaves {
		if len(leaf) == 0 || len(leaf) > MaxEntrySize {
			return 0, fmt.Errorf("ledger: append at %d: leaf %d has %d bytes, want 1 to %d: %w", n, i, len(leaf), MaxEntrySize, ErrInvalid)
		}
	}

	// The only hashes of the existing tree that new hashes depend on are the
	// roots of its complete subtrees, the "right edge". Read them in one call.
	start := tlog.StoredHashIndex(0, n)
	edge := edgeIndexes(n)
	old := make(map[int64]tlog.Hash, len(edge))
	if len(edge) > 0 {
		hashes, err := hs.ReadHashes(ctx, edge)
		if err != nil {
			return 0, fmt.Errorf("ledger: append at %d: read hashes: %w", n, err)
		}
		if len(hashes) != len(edge) {
			return 0, fmt.Errorf("ledger: append at %d: read %d hashes, got %d", n, len(edge), len(hashes))
		}
		for i, idx := range edge {
			old[idx] = hashes[i]
		}
	}

	// New hashes go to an overlay that later leaves of the batch read from.
	overlay := make([]tlog.Hash, 0, 2*len(leaves)+8)
	var missing []int64
	r := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, idx := range indexes {
			switch h, ok := old[idx]; {
			case idx >= start && idx-start < int64(len(overlay)):
				out[i] = overlay[idx-start]
			case ok:
				out[i] = h
			default:
				missing = append(missing, idx)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("hashes %v not in the right edge of the tree", missing)
		}
		return out, nil
	})
	for i, leaf := range leaves {
		hashes, err := tlog.StoredHashesForRecordHash(n+int64(i), tlog.RecordHash(leaf), r)
		if err != nil {
			return 0, fmt.Errorf("ledger: append at %d: leaf %d: %w", n, i, err)
		}
		overlay = append(overlay, hashes...)
	}
	if err := hs.WriteHashes(ctx, start, overlay); err != nil {
		return 0, fmt.Errorf("ledger: append at %d: write hashes: %w", n, err)
	}
	return n + int64(len(leaves)), nil
}

// edgeIndexes returns the stored hash indexes of the roots of the complete
// subtrees that make up a tree of size n, largest first.
func edgeIndexes(n int64) []int64 {
	var idx []int64
	var off int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			idx = append(idx, tlog.StoredHashIndex(level, off>>level))
			off += 1 << level
		}
	}
	return idx
}
