package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// The ledger lives in ledger_entries, one row per leaf holding the encoded
// entry and the stored hashes its append wrote (the layout of
// ledger.HashRow).

// querier is what hash reading needs: the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readHashes reads stored hashes through q.
func readHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	hs, err := ledger.ReadHashRows(ctx, indexes, func(ctx context.Context, leaves []int64) (map[int64][]byte, error) {
		rows := make(map[int64][]byte, len(leaves))
		for start := 0; start < len(leaves); start += maxParams {
			chunk := leaves[start:min(start+maxParams, len(leaves))]
			args := make([]any, len(chunk))
			for i, l := range chunk {
				args[i] = l
			}
			rs, err := q.QueryContext(ctx, `SELECT idx, hashes FROM ledger_entries WHERE idx IN (`+placeholders(len(chunk))+`)`, args...)
			if err != nil {
				return nil, err
			}
			for rs.Next() {
				var idx int64
				var h []byte
				if err := rs.Scan(&idx, &h); err != nil {
					rs.Close()
					return nil, err
				}
				rows[idx] = h
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return nil, err
			}
		}
		return rows, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: read hashes: %w", err)
	}
	return hs, nil
}

// ReadHashes returns stored ledger hashes by tlog stored-hash index, the
// tree's upper levels from memory once read.
func (s *Store) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return s.hashes.ReadHashes(ctx, ledger.HashReaderFunc(func(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
		return readHashes(ctx, s.read, indexes)
	}), indexes)
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

// appendLeaves appends encoded entries to the ledger of size n within tx:
// the leaves and their stored hashes, one row per leaf.
func (s *Store) appendLeaves(ctx context.Context, tx *sql.Tx, n int64, leaves [][]byte) error {
	if len(leaves) == 0 {
		return nil
	}
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
	key, err := ledger.CosignerKey(line)
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
	return s.upsertRows(ctx, tx, table, cols, rows, "")
}

// upsertRows is insertRows with an upsert clause ("ON CONFLICT …") after
// each statement's rows, which SQLite applies row by row, in order.
func (s *Store) upsertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any, onConflict string) error {
	for start := 0; start < len(rows); start += rowsPerInsert {
		chunk := rows[start:min(start+rowsPerInsert, len(rows))]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, insertSQL(table, cols, len(chunk))+onConflict, args...); err != nil {
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
