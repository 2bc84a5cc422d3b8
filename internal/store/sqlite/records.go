package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/record"
)

// AppendRecord stores a new record and its ledger entry in one transaction
// and returns it as stored, with its acceptance time (never earlier than the
// previous entry's) and ledger index. A second record of the same type and
// id is derrors.ErrConflict.
func (s *Store) AppendRecord(ctx context.Context, typ, id string, authorID int64, body []byte) (record.Stored, error) {
	key, ok := uuidBytes(id)
	if !ok {
		return record.Stored{}, fmt.Errorf("sqlite: append record: id %q: %w", id, derrors.ErrInvalid)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	defer tx.Rollback()
	h, err := ledgerHead(ctx, tx)
	if err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE type = $1 AND id = $2`, typ, key).Scan(&n); err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	if n > 0 {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %s %s: %w", typ, id, derrors.ErrConflict)
	}
	r := record.Stored{Type: typ, ID: id, AuthorID: authorID, AcceptedAt: s.Now().UTC(), Body: body, Salt: ledger.NewSalt(), LedgerIndex: h.size}
	if r.AcceptedAt.Before(h.lastAccepted) {
		r.AcceptedAt = h.lastAccepted
	}
	leaf, err := ledger.Entry{Type: typ, ID: id, AcceptedAt: r.AcceptedAt, Commitment: ledger.Commit(r.Salt, body)}.Encode()
	if err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO records (type, id, author_id, accepted_at, body, salt, ledger_idx)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
		typ, key, authorID, r.AcceptedAt.UnixNano(), body, r.Salt, r.LedgerIndex).Scan(&r.Seq)
	if err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	if err := s.appendLeaves(ctx, tx, h.size, [][]byte{leaf}); err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: append record: commit: %w", err)
	}
	return r, nil
}

// ListRecords returns up to limit records of a type stored after seq, in
// the order they were stored.
func (s *Store) ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error) {
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	rows, err := s.read.QueryContext(ctx, `SELECT seq, id, author_id, accepted_at, body, salt, ledger_idx
		FROM records WHERE type = $1 AND seq > $2 ORDER BY seq LIMIT $3`, typ, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list records: %w", err)
	}
	defer rows.Close()
	var out []record.Stored
	for rows.Next() {
		r := record.Stored{Type: typ}
		var id []byte
		var ns int64
		if err := rows.Scan(&r.Seq, &id, &r.AuthorID, &ns, &r.Body, &r.Salt, &r.LedgerIndex); err != nil {
			return nil, fmt.Errorf("sqlite: list records: %w", err)
		}
		r.ID, r.AcceptedAt = uuidString(id), time.Unix(0, ns).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetRecord returns the record of a type with this id, or
// derrors.ErrNotFound.
func (s *Store) GetRecord(ctx context.Context, typ, id string) (record.Stored, error) {
	key, ok := uuidBytes(id)
	if !ok {
		return record.Stored{}, derrors.ErrNotFound
	}
	r := record.Stored{Type: typ, ID: id}
	var ns int64
	err := s.read.QueryRowContext(ctx, `SELECT seq, author_id, accepted_at, body, salt, ledger_idx FROM records WHERE type = $1 AND id = $2`,
		typ, key).Scan(&r.Seq, &r.AuthorID, &ns, &r.Body, &r.Salt, &r.LedgerIndex)
	if errors.Is(err, sql.ErrNoRows) {
		return record.Stored{}, derrors.ErrNotFound
	}
	if err != nil {
		return record.Stored{}, fmt.Errorf("sqlite: record: %w", err)
	}
	r.AcceptedAt = time.Unix(0, ns).UTC()
	return r, nil
}
