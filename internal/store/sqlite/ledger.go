package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/derrors"
	"truce/internal/ledger"
)

// The ledger lives in ledger_entries, one row per leaf holding the encoded
// entry and the stored hashes its append wrote. A stored hash index maps to
// the leaf whose append wrote it: the node (level L, index k) is completed by
// leaf ((k+1) << L) - 1.

// leafOf returns the leaf row holding stored hash index i, and i's offset
// among that row's hashes.
func leafOf(i int64) (leaf int64, offset int64) {
	level, k := tlog.SplitStoredHashIndex(i)
	leaf = (k+1)<<level - 1
	return leaf, i - tlog.StoredHashIndex(0, leaf)
}

// querier is what hash reading needs: the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	leaves := make(map[int64][]byte, len(indexes))
	var want []any
	for _, i := range indexes {
		leaf, _ := leafOf(i)
		if _, ok := leaves[leaf]; !ok {
			leaves[leaf] = nil
			want = append(want, leaf)
		}
	}
	for start := 0; start < len(want); start += maxParams {
		chunk := want[start:min(start+maxParams, len(want))]
		rows, err := q.QueryContext(ctx, `SELECT idx, hashes FROM ledger_entries WHERE idx IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: read hashes: %w", err)
		}
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: read hashes: %w", err)
			}
			leaves[idx] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlite: read hashes: %w", err)
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for j, i := range indexes {
		leaf, off := leafOf(i)
		h := leaves[leaf]
		if int64(len(h)) < (off+1)*tlog.HashSize {
			return nil, fmt.Errorf("sqlite: read hashes: stored hash %d (leaf %d): %w", i, leaf, derrors.ErrNotFound)
		}
		copy(out[j][:], h[off*tlog.HashSize:])
	}
	return out, nil
}

// ReadHashes returns stored ledger hashes by tlog stored-hash index.
// Stored hashes never change, so the upper levels of the tree, which every
// proof and tile needs, are kept in memory once read.
func (s *Store) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	for j, i := range indexes {
		if h, ok := s.hashes.get(i); ok {
			out[j] = h
			continue
		}
		missing = append(missing, i)
		at = append(at, j)
	}
	if len(missing) == 0 {
		return out, nil
	}
	read, err := readHashes(ctx, s.read, missing)
	if err != nil {
		return nil, err
	}
	for k, h := range read {
		out[at[k]] = h
		s.hashes.put(missing[k], h)
	}
	return out, nil
}

// hashCache keeps stored hashes of the tree's upper levels. They are
// immutable, so the cache needs no invalidation, only a bound.
type hashCache struct {
	mu sync.Mutex
	m  map[int64]tlog.Hash
}

const (
	hashCacheMinLevel = 4       // nodes over at least 16 leaves
	hashCacheMax      = 1 << 17 // 128k hashes, 4 MiB
)

func (c *hashCache) get(i int64) (tlog.Hash, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[i]
	return h, ok
}

func (c *hashCache) put(i int64, h tlog.Hash) {
	if level, _ := tlog.SplitStoredHashIndex(i); level < hashCacheMinLevel {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= hashCacheMax {
		c.m = make(map[int64]tlog.Hash)
	}
	c.m[i] = h
}

// ReadEntries returns the encoded entries with start ≤ index < end.
func (s *Store) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT leaf FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read entries: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var leaf []byte
		if err := rows.Scan(&leaf); err != nil {
			return nil, fmt.Errorf("sqlite: read entries: %w", err)
		}
		out = append(out, leaf)
	}
	return out, rows.Err()
}

// TreeSize returns the number of entries in the ledger.
func (s *Store) TreeSize(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT max(idx) FROM ledger_entries`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: tree size: %w", err)
	}
	if !n.Valid {
		return 0, nil
	}
	return n.Int64 + 1, nil
}

// head is the end of the ledger as a write transaction finds it.
type head struct {
	size         int64
	lastAccepted time.Time
}

func ledgerHead(ctx context.Context, tx *sql.Tx) (head, error) {
	var idx int64
	var leaf []byte
	err := tx.QueryRowContext(ctx, `SELECT idx, leaf FROM ledger_entries ORDER BY idx DESC LIMIT 1`).Scan(&idx, &leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, nil
	}
	if err != nil {
		return head{}, fmt.Errorf("ledger head: %w", err)
	}
	e, err := ledger.ParseEntry(leaf)
	if err != nil {
		return head{}, fmt.Errorf("ledger head: entry %d: %w", idx, err)
	}
	return head{size: idx + 1, lastAccepted: e.AcceptedAt}, nil
}

// txHashes is a ledger.HashStore over a write transaction. It reads through
// the transaction and keeps what Append writes, for appendLeaves to store
// with the leaves.
type txHashes struct {
	tx      *sql.Tx
	start   int64
	written []tlog.Hash
}

func (h *txHashes) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readHashes(ctx, h.tx, indexes)
}

func (h *txHashes) WriteHashes(_ context.Context, start int64, hashes []tlog.Hash) error {
	if h.written != nil {
		return fmt.Errorf("sqlite: ledger: second WriteHashes in one append")
	}
	h.start, h.written = start, hashes
	return nil
}

// appendLeaves appends encoded entries to the ledger of size n within tx:
// the leaves and their stored hashes, one row per leaf.
func (s *Store) appendLeaves(ctx context.Context, tx *sql.Tx, n int64, leaves [][]byte) error {
	if len(leaves) == 0 {
		return nil
	}
	hs := &txHashes{tx: tx}
	if _, err := ledger.Append(ctx, hs, n, leaves); err != nil {
		return err
	}
	if hs.start != tlog.StoredHashIndex(0, n) || int64(len(hs.written)) != tlog.StoredHashIndex(0, n+int64(len(leaves)))-hs.start {
		return fmt.Errorf("sqlite: ledger: append wrote hashes %d+%d for leaves %d..%d", hs.start, len(hs.written), n, n+int64(len(leaves)))
	}
	rows := make([][]any, len(leaves))
	for k, leaf := range leaves {
		i := n + int64(k)
		lo, hi := tlog.StoredHashIndex(0, i)-hs.start, tlog.StoredHashIndex(0, i+1)-hs.start
		buf := make([]byte, 0, (hi-lo)*tlog.HashSize)
		for _, h := range hs.written[lo:hi] {
			buf = append(buf, h[:]...)
		}
		rows[k] = []any{i, leaf, buf}
	}
	return s.insertRows(ctx, tx, "ledger_entries", []string{"idx", "leaf", "hashes"}, rows)
}

// SaveCheckpoint stores a checkpoint the log signed for a tree of size.
func (s *Store) SaveCheckpoint(ctx context.Context, size int64, note []byte) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO ledger_checkpoints (size, note, signed_at) VALUES ($1, $2, $3)`,
		size, note, s.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("sqlite: save checkpoint %d: %w", size, err)
	}
	return nil
}

// LatestCheckpoint returns the newest signed checkpoint with the
// cosignatures collected for it, or an error wrapping ledger.ErrNotFound.
func (s *Store) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var size int64
	var note []byte
	err := s.read.QueryRowContext(ctx, `SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: latest checkpoint: %w", ledger.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: latest checkpoint: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT line FROM ledger_cosignatures WHERE size = $1 ORDER BY witness`, size)
	if err != nil {
		return nil, fmt.Errorf("sqlite: latest checkpoint: %w", err)
	}
	defer rows.Close()
	var cosigs [][]byte
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("sqlite: latest checkpoint: %w", err)
		}
		cosigs = append(cosigs, []byte(line))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: latest checkpoint: %w", err)
	}
	if len(cosigs) == 0 {
		return note, nil
	}
	return ledger.AddCosignatures(note, cosigs...)
}

// AddCosignature stores a verified witness cosignature line for the
// checkpoint of c.Size, replacing an earlier one by the same key.
func (s *Store) AddCosignature(ctx context.Context, c ledger.Checkpoint, line string) error {
	var note []byte
	err := s.read.QueryRowContext(ctx, `SELECT note FROM ledger_checkpoints WHERE size = $1`, c.Size).Scan(&note)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: add cosignature: no checkpoint of size %d: %w", c.Size, ledger.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: add cosignature: %w", err)
	}
	if !strings.HasPrefix(string(note), string(c.Text())) {
		return fmt.Errorf("sqlite: add cosignature: the log signed another checkpoint of size %d: %w", c.Size, ledger.ErrNotFound)
	}
	key, err := cosignerKey(line)
	if err != nil {
		return fmt.Errorf("sqlite: add cosignature: %w", err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO ledger_cosignatures (size, witness, line) VALUES ($1, $2, $3)
		ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line`, c.Size, key, line)
	if err != nil {
		return fmt.Errorf("sqlite: add cosignature: %w", err)
	}
	return nil
}

// cosignerKey identifies the key of a signature line "— name base64(keyhash || sig)"
// as name and hex key hash.
func cosignerKey(line string) (string, error) {
	name, b64, ok := strings.Cut(strings.TrimPrefix(line, "— "), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if !ok || err != nil || len(raw) < 4 {
		return "", fmt.Errorf("malformed signature line: %w", ledger.ErrInvalid)
	}
	return fmt.Sprintf("%s+%x", name, raw[:4]), nil
}

// maxParams bounds the parameters of one statement, well under SQLite's
// limit of 32766.
const maxParams = 4000

// placeholders returns n anonymous parameters, "?, ?, …". Long lists use
// "?" rather than "$n": SQLite looks numbered names up one by one, which
// is quadratic in the number of parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rowsPerInsert is how many rows one multi-row INSERT holds.
const rowsPerInsert = 64

// insertRows inserts rows into table with multi-row INSERT statements.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	for start := 0; start < len(rows); start += rowsPerInsert {
		chunk := rows[start:min(start+rowsPerInsert, len(rows))]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, insertSQL(table, cols, len(chunk)), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

func insertSQL(table string, cols []string, rows int) string {
	row := "(" + placeholders(len(cols)) + ")"
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", table, strings.Join(cols, ", "),
		strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "))
}
