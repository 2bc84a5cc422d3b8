// Package ledgertest provides an in-memory ledger store for tests of the
// ledger, its verifiers and its users. It implements ledger.HashStore,
// ledger.Reader, ledger.Checkpoints and ledger.CosignatureStore the way a
// database store should, minus durability.
package ledgertest

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// Memory is an in-memory ledger. Its exported fields hold the log's state;
// tamper tests may change them directly while no request is being served.
type Memory struct {
	mu sync.Mutex
	// Hashes are the stored hashes, by tlog.StoredHashIndex.
	Hashes []tlog.Hash
	// Entries are the leaves, by index.
	Entries [][]byte
	// Checkpoints are the signed checkpoint notes, with merged cosignatures,
	// by tree size.
	Checkpoints map[int64][]byte
	// Latest is the size of the checkpoint LatestCheckpoint returns, or -1.
	Latest int64
}

// New returns an empty Memory.
func New() *Memory {
	return &Memory{Checkpoints: make(map[int64][]byte), Latest: -1}
}

// tx is the view of Memory that ledger.Append runs against while Memory is
// locked, like a store's open transaction.
type tx struct{ m *Memory }

func (t tx) ReadHashes(_ context.Context, indexes []int64) ([]tlog.Hash, error) {
	return t.m.readHashes(indexes)
}

func (t tx) WriteHashes(_ context.Context, start int64, hashes []tlog.Hash) error {
	return t.m.writeHashes(start, hashes)
}

// ReadHashes implements ledger.HashReader.
func (m *Memory) ReadHashes(_ context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readHashes(indexes)
}

func (m *Memory) readHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		if idx < 0 || idx >= int64(len(m.Hashes)) {
			return nil, fmt.Errorf("ledgertest: hash %d: %w", idx, ledger.ErrNotFound)
		}
		out[i] = m.Hashes[idx]
	}
	return out, nil
}

// WriteHashes implements ledger.HashStore. It refuses to write anywhere but
// at the end, as a primary key on the index would.
func (m *Memory) WriteHashes(_ context.Context, start int64, hashes []tlog.Hash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.writeHashes(start, hashes)
}

func (m *Memory) writeHashes(start int64, hashes []tlog.Hash) error {
	if start != int64(len(m.Hashes)) {
		return fmt.Errorf("ledgertest: write hashes at %d, have %d", start, len(m.Hashes))
	}
	m.Hashes = append(m.Hashes, hashes...)
	return nil
}

// ReadEntries implements ledger.Reader.
func (m *Memory) ReadEntries(_ context.Context, start, end int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start < 0 || end < start {
		return nil, fmt.Errorf("ledgertest: entries [%d, %d): %w", start, end, ledger.ErrInvalid)
	}
	start = min(start, int64(len(m.Entries)))
	end = min(end, int64(len(m.Entries)))
	out := make([][]byte, 0, end-start)
	for _, e := range m.Entries[start:end] {
		out = append(out, append([]byte(nil), e...))
	}
	return out, nil
}

// Size returns the number of entries.
func (m *Memory) Size() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.Entries))
}

// Append encodes entries and appends them in one batch, all or nothing.
func (m *Memory) Append(ctx context.Context, entries ...ledger.Entry) error {
	leaves := make([][]byte, len(entries))
	for i, e := range entries {
		b, err := e.Encode()
		if err != nil {
			return err
		}
		leaves[i] = b
	}
	return m.AppendLeaves(ctx, leaves)
}

// AppendLeaves appends leaves in one batch, all or nothing.
func (m *Memory) AppendLeaves(ctx context.Context, leaves [][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := int64(len(m.Entries))
	hashes := len(m.Hashes)
	if _, err := ledger.Append(ctx, tx{m}, n, leaves); err != nil {
		m.Hashes = m.Hashes[:hashes] // roll back
		return err
	}
	for _, l := range leaves {
		m.Entries = append(m.Entries, append([]byte(nil), l...))
	}
	return nil
}

// Sign signs a checkpoint of the current tree with signer (whose name is the
// origin), keeps it and makes it the latest, and returns it.
func (m *Memory) Sign(ctx context.Context, signer note.Signer) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := int64(len(m.Entries))
	root, err := ledger.RootHash(ctx, tx{m}, n)
	if err != nil {
		return nil, err
	}
	cp, err := ledger.SignCheckpoint(signer, signer.Name(), n, root)
	if err != nil {
		return nil, err
	}
	m.Checkpoints[n] = cp
	m.Latest = n
	return cp, nil
}

// LatestCheckpoint implements ledger.Checkpoints.
func (m *Memory) LatestCheckpoint(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp, ok := m.Checkpoints[m.Latest]
	if !ok {
		return nil, fmt.Errorf("ledgertest: no checkpoint: %w", ledger.ErrNotFound)
	}
	return cp, nil
}

// SetLatest stores checkpoint note cp, unchecked, as the latest: tests use
// it to serve rolled-back or forged checkpoints.
func (m *Memory) SetLatest(cp []byte) error {
	size, err := ledger.CheckpointSize(cp)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Checkpoints[size] = cp
	m.Latest = size
	return nil
}

// AddCosignature implements ledger.CosignatureStore.
func (m *Memory) AddCosignature(_ context.Context, c ledger.Checkpoint, line string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp, ok := m.Checkpoints[c.Size]
	if !ok {
		return fmt.Errorf("ledgertest: no checkpoint of size %d: %w", c.Size, ledger.ErrNotFound)
	}
	if size, err := ledger.CheckpointSize(cp); err != nil || size != c.Size || !containsText(cp, c.Text()) {
		return fmt.Errorf("ledgertest: checkpoint of size %d has another root: %w", c.Size, ledger.ErrNotFound)
	}
	merged, err := ledger.AddCosignatures(cp, []byte(line))
	if err != nil {
		return err
	}
	m.Checkpoints[c.Size] = merged
	return nil
}

func containsText(note, text []byte) bool {
	return len(note) > len(text) && string(note[:len(text)]) == string(text) && note[len(text)] == '\n'
}
