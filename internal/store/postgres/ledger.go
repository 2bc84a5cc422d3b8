package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// The ledger lives in ledger_entries, one row per leaf holding the encoded
// entry and the stored hashes its append wrote (the layout of
// ledger.HashRow), as in package sqlite.

// querier is what reading needs: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readHashes reads stored hashes through q.
func readHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	hs, err := ledger.ReadHashRows(ctx, indexes, func(ctx context.Context, leaves []int64) (map[int64][]byte, error) {
		rs, err := q.Query(ctx, `SELECT idx, hashes FROM ledger_entries WHERE idx = ANY($1)`, leaves)
		if err != nil {
			return nil, err
		}
		rows := make(map[int64][]byte, len(leaves))
		var idx int64
		var h []byte
		_, err = pgx.ForEachRow(rs, []any{&idx, &h}, func() error {
			rows[idx] = h
			return nil
		})
		return rows, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read hashes: %w", err)
	}
	return hs, nil
}

// ReadHashes returns stored ledger hashes by tlog stored-hash index, the
// tree's upper levels from memory once read.
func (s *Store) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return s.hashes.ReadHashes(ctx, ledger.HashReaderFunc(func(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
		return readHashes(ctx, s.pool, indexes)
	}), indexes)
}

// ReadEntries returns the encoded entries with start ≤ index < end.
func (s *Store) ReadEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT leaf FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
	if err != nil {
		return nil, fmt.Errorf("postgres: read entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("postgres: read entries: %w", err)
	}
	return out, nil
}

// TreeSize returns the number of entries in the ledger.
func (s *Store) TreeSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT size FROM ledger_head`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: tree size: %w", err)
	}
	return n, nil
}

// head is the end of the ledger as a write transaction finds it.
type head struct {
	size         int64
	lastAccepted time.Time
}

// lockHead locks the ledger's head row for the rest of tx and returns it.
// Every append holds this lock: it is what serialises appends across
// connections and servers. Under READ COMMITTED, each later statement of
// tx sees what the previous holder committed.
func lockHead(ctx context.Context, tx pgx.Tx) (head, error) {
	var size, last int64
	if err := tx.QueryRow(ctx, `SELECT size, last_accepted FROM ledger_head FOR UPDATE`).Scan(&size, &last); err != nil {
		return head{}, fmt.Errorf("ledger head: %w", err)
	}
	h := head{size: size}
	if size > 0 {
		h.lastAccepted = time.Unix(0, last).UTC()
	}
	return h, nil
}

// appendLeaves appends encoded entries to the ledger whose head h tx has
// locked: the leaves and their stored hashes, one row per leaf, and the new
// head, whose last acceptance time is last.
func appendLeaves(ctx context.Context, tx pgx.Tx, h head, leaves [][]byte, last time.Time) error {
	if len(leaves) == 0 {
		return nil
	}
	n := h.size
	hashes, err := ledger.AppendRows(ctx, ledger.HashReaderFunc(func(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
		return readHashes(ctx, tx, indexes)
	}), n, leaves)
	if err != nil {
		return err
	}
	rows := make([][]any, len(leaves))
	for k, leaf := range leaves {
		rows[k] = []any{n + int64(k), leaf, hashes[k]}
	}
	if err := insertRows(ctx, tx, "ledger_entries", []string{"idx", "leaf", "hashes"}, rows); err != nil {
		return err
	}
	if last.Before(h.lastAccepted) {
		last = h.lastAccepted
	}
	if _, err := tx.Exec(ctx, `UPDATE ledger_head SET size = $1, last_accepted = $2`, n+int64(len(leaves)), last.UnixNano()); err != nil {
		return fmt.Errorf("ledger head: %w", err)
	}
	return nil
}

// copyFromRows is the batch size from which insertRows uses COPY rather
// than a multi-row INSERT: COPY costs a round trip more to start, and
// less per row.
const copyFromRows = 32

// insertRows inserts rows into table within tx.
func insertRows(ctx context.Context, tx pgx.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if len(rows) >= copyFromRows {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	args := make([]any, 0, len(rows)*len(cols))
	for r, row := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", len(args)+c+1)
		}
		b.WriteByte(')')
		args = append(args, row...)
	}
	if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// SaveCheckpoint stores a checkpoint the log signed for a tree of size; a
// second checkpoint of the same size is an error (when two servers sign the
// same size, the first one stored stands).
func (s *Store) SaveCheckpoint(ctx context.Context, size int64, note []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO ledger_checkpoints (size, note, signed_at) VALUES ($1, $2, $3)`,
		size, note, s.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("postgres: save checkpoint %d: %w", size, err)
	}
	return nil
}

// LatestCheckpoint returns the newest signed checkpoint with the
// cosignatures collected for it, or an error wrapping ledger.ErrNotFound.
func (s *Store) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var size int64
	var note []byte
	err := s.pool.QueryRow(ctx, `SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &note)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: latest checkpoint: %w", ledger.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: latest checkpoint: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT line FROM ledger_cosignatures WHERE size = $1 ORDER BY witness`, size)
	if err != nil {
		return nil, fmt.Errorf("postgres: latest checkpoint: %w", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: latest checkpoint: %w", err)
	}
	if len(lines) == 0 {
		return note, nil
	}
	cosigs := make([][]byte, len(lines))
	for i, l := range lines {
		cosigs[i] = []byte(l)
	}
	return ledger.AddCosignatures(note, cosigs...)
}

// AddCosignature stores a verified witness cosignature line for the
// checkpoint of c.Size, replacing an earlier one by the same key.
func (s *Store) AddCosignature(ctx context.Context, c ledger.Checkpoint, line string) error {
	var note []byte
	err := s.pool.QueryRow(ctx, `SELECT note FROM ledger_checkpoints WHERE size = $1`, c.Size).Scan(&note)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: add cosignature: no checkpoint of size %d: %w", c.Size, ledger.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: add cosignature: %w", err)
	}
	if !strings.HasPrefix(string(note), string(c.Text())) {
		return fmt.Errorf("postgres: add cosignature: the log signed another checkpoint of size %d: %w", c.Size, ledger.ErrNotFound)
	}
	key, err := ledger.CosignerKey(line)
	if err != nil {
		return fmt.Errorf("postgres: add cosignature: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO ledger_cosignatures (size, witness, line) VALUES ($1, $2, $3)
		ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line`, c.Size, key, line)
	if err != nil {
		return fmt.Errorf("postgres: add cosignature: %w", err)
	}
	return nil
}
