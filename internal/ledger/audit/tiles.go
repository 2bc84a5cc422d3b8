package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

var hasher = rfc6962.DefaultHasher

// errTiles marks a proof that could not be built because tiles could not be
// fetched or were malformed, as opposed to one that does not verify.
var errTiles = errors.New("cannot build proof from tiles")

// tiles reads the hash tiles and entry bundles of a tree of a given size
// through a Fetcher, caching them. Nothing it returns is trusted: callers
// check hashes against a signed root with transparency-dev/merkle.
type tiles struct {
	f    Fetcher
	size int64

	mu    sync.Mutex
	cache map[tlog.Tile][]byte
}

func newTiles(f Fetcher, size int64) *tiles {
	return &tiles{f: f, size: size, cache: make(map[tlog.Tile][]byte)}
}

// width returns the width of tile n at level l (l = -1 for entry bundles)
// in the tree, or 0 if the tree has no such tile.
func (c *tiles) width(l int, n int64) int {
	if l >= 8 || n < 0 {
		return 0
	}
	hashes := c.size >> (8 * max(l, 0)) // hashes at tree level 8l
	if n > hashes/ledger.TileWidth {
		return 0
	}
	return int(min(ledger.TileWidth, hashes-n*ledger.TileWidth))
}

// tile returns the data of tile n at level l (l = -1: entry bundle) as
// served, after checking the length of a hash tile.
func (c *tiles) tile(ctx context.Context, l int, n int64) ([]byte, error) {
	w := c.width(l, n)
	if w <= 0 {
		return nil, fmt.Errorf("tile %d/%d is beyond tree size %d", l, n, c.size)
	}
	t := tlog.Tile{H: ledger.TileHeight, L: l, N: n, W: w}
	c.mu.Lock()
	data, ok := c.cache[t]
	c.mu.Unlock()
	if ok {
		return data, nil
	}
	data, err := c.f.Fetch(ctx, ledger.TilePath(t))
	if err != nil {
		return nil, err
	}
	if l >= 0 && len(data) != w*tlog.HashSize {
		return nil, fmt.Errorf("tile %s has %d bytes, want %d", ledger.TilePath(t), len(data), w*tlog.HashSize)
	}
	c.mu.Lock()
	c.cache[t] = data
	c.mu.Unlock()
	return data, nil
}

// node returns the hash of the perfect subtree id, from the tile that holds
// its leaves' level.
func (c *tiles) node(ctx context.Context, id compact.NodeID) ([]byte, error) {
	l, sub := int(id.Level/ledger.TileHeight), id.Level%ledger.TileHeight
	first := id.Index << sub
	count := uint64(1) << sub
	data, err := c.tile(ctx, l, int64(first/ledger.TileWidth))
	if err != nil {
		return nil, err
	}
	off := first % ledger.TileWidth
	if (off+count)*tlog.HashSize > uint64(len(data)) {
		return nil, fmt.Errorf("node %d/%d is beyond tree size %d", id.Level, id.Index, c.size)
	}
	hashes := make([][]byte, count)
	for i := range hashes {
		p := (off + uint64(i)) * tlog.HashSize
		hashes[i] = data[p : p+tlog.HashSize]
	}
	for len(hashes) > 1 {
		for i := 0; i < len(hashes); i += 2 {
			hashes[i/2] = hasher.HashChildren(hashes[i], hashes[i+1])
		}
		hashes = hashes[:len(hashes)/2]
	}
	return hashes[0], nil
}

func (c *tiles) rehash(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		h, err := c.node(ctx, id)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// inclusionProof builds the inclusion proof of leaf index in the tree of
// size n ≤ c.size from tiles.
func (c *tiles) inclusionProof(ctx context.Context, index, n int64) ([][]byte, error) {
	nodes, err := proof.Inclusion(uint64(index), uint64(n))
	if err != nil {
		return nil, err
	}
	return c.rehash(ctx, nodes)
}

// consistencyProof builds the consistency proof between trees of sizes
// n1 ≤ n2 ≤ c.size from tiles.
func (c *tiles) consistencyProof(ctx context.Context, n1, n2 int64) ([][]byte, error) {
	nodes, err := proof.Consistency(uint64(n1), uint64(n2))
	if err != nil {
		return nil, err
	}
	return c.rehash(ctx, nodes)
}

// verifyInclusion checks with transparency-dev/merkle that the leaf with
// hash leafHash is at index in the tree of size c.size with the given root.
func (c *tiles) verifyInclusion(ctx context.Context, leafHash tlog.Hash, index int64, root tlog.Hash) error {
	p, err := c.inclusionProof(ctx, index, c.size)
	if err != nil {
		return fmt.Errorf("%w: %w", errTiles, err)
	}
	return readable(proof.VerifyInclusion(hasher, uint64(index), uint64(c.size), leafHash[:], p, root[:]))
}

// verifyConsistency checks with transparency-dev/merkle that the tree of
// size old.Size is a prefix of the tree of size c.size = cur.Size.
func (c *tiles) verifyConsistency(ctx context.Context, old, cur ledger.Checkpoint) error {
	if old.Size == 0 {
		return nil
	}
	p, err := c.consistencyProof(ctx, old.Size, cur.Size)
	if err != nil {
		return fmt.Errorf("%w: %w", errTiles, err)
	}
	return readable(proof.VerifyConsistency(hasher, uint64(old.Size), uint64(cur.Size), p, old.Root[:], cur.Root[:]))
}

// readable rewrites merkle's root mismatch error on one line, in base64.
func readable(err error) error {
	var rm proof.RootMismatchError
	if errors.As(err, &rm) {
		return fmt.Errorf("the proof leads to root %s, not %s", base64.StdEncoding.EncodeToString(rm.CalculatedRoot), base64.StdEncoding.EncodeToString(rm.ExpectedRoot))
	}
	return err
}

// parallel runs fn(0), …, fn(n-1) on up to conc goroutines and returns the
// first error, or ctx's.
func parallel(ctx context.Context, n, conc int, fn func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(conc, 1))
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}
