package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/record"
	"truce/internal/store/storesql"
)

// AppendRecord stores a new record and its ledger entry in one transaction
// and returns it as stored, with its acceptance time (never earlier than the
// previous entry's) and ledger index. A second record of the same type and
// id is derrors.ErrConflict.
func (s *Store) AppendRecord(ctx context.Context, typ, id string, authorID int64, body []byte) (record.Stored, error) {
	key, ok := storesql.UUIDKey(id)
	if !ok {
		return record.Stored{}, fmt.Errorf("postgres: append record: id %q: %w", id, derrors.ErrInvalid)
	}
	var r record.Stored
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		h, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM records WHERE type = $1 AND id = $2)`, typ, key).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("%s %s: %w", typ, id, derrors.ErrConflict)
		}
		r = record.Stored{Type: typ, ID: id, AuthorID: authorID, AcceptedAt: s.Now().UTC(), Body: body, Salt: ledger.NewSalt(), LedgerIndex: h.size}
		if r.AcceptedAt.Before(h.lastAccepted) {
			r.AcceptedAt = h.lastAccepted
		}
		leaf, err := ledger.Entry{Type: typ, ID: id, AcceptedAt: r.AcceptedAt, Commitment: ledger.Commit(r.Salt, body)}.Encode()
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO records (type, id, author_id, accepted_at, body, salt, ledger_idx)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
			typ, key, authorID, r.AcceptedAt.UnixNano(), body, r.Salt, r.LedgerIndex).Scan(&r.Seq)
		if err != nil {
			return err
		}
		return appendLeaves(ctx, tx, h, [][]byte{leaf}, r.AcceptedAt)
	})
	if err != nil {
		return record.Stored{}, fmt.Errorf("postgres: append record: %w", err)
	}
	return r, nil
}

// ListRecords returns up to limit records of a type stored after seq, in
// the order they were stored.
func (s *Store) ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error) {
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, id, author_id, accepted_at, body, salt, ledger_idx
		FROM records WHERE type = $1 AND seq > $2 ORDER BY seq LIMIT $3`, typ, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list records: %w", err)
	}
	var out []record.Stored
	r := record.Stored{Type: typ}
	var id [16]byte
	var ns int64
	_, err = pgx.ForEachRow(rows, []any{&r.Seq, &id, &r.AuthorID, &ns, &r.Body, &r.Salt, &r.LedgerIndex}, func() error {
		r.ID, r.AcceptedAt = uuid.UUID(id).String(), time.Unix(0, ns).UTC()
		out = append(out, r)
		r = record.Stored{Type: typ}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list records: %w", err)
	}
	return out, nil
}

// GetRecord returns the record of a type with this id, or
// derrors.ErrNotFound.
func (s *Store) GetRecord(ctx context.Context, typ, id string) (record.Stored, error) {
	key, ok := storesql.UUIDKey(id)
	if !ok {
		return record.Stored{}, derrors.ErrNotFound
	}
	r := record.Stored{Type: typ, ID: id}
	var ns int64
	err := s.pool.QueryRow(ctx, `SELECT seq, author_id, accepted_at, body, salt, ledger_idx FROM records WHERE type = $1 AND id = $2`,
		typ, key).Scan(&r.Seq, &r.AuthorID, &ns, &r.Body, &r.Salt, &r.LedgerIndex)
	if errors.Is(err, pgx.ErrNoRows) {
		return record.Stored{}, derrors.ErrNotFound
	}
	if err != nil {
		return record.Stored{}, fmt.Errorf("postgres: record: %w", err)
	}
	r.AcceptedAt = time.Unix(0, ns).UTC()
	return r, nil
}

// An Access is one logged read of a record.
type Access struct {
	At     time.Time
	UserID int64
}

// LogAccess records that a user read a record.
func (s *Store) LogAccess(ctx context.Context, userID int64, typ, id string) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO access_log (at, user_id, type, record_id) VALUES ($1, $2, $3, $4)`,
		s.Now().UnixNano(), userID, typ, id); err != nil {
		return fmt.Errorf("postgres: log access: %w", err)
	}
	return nil
}

// Accesses returns the logged reads of a record, oldest first.
func (s *Store) Accesses(ctx context.Context, typ, id string) ([]Access, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, user_id FROM access_log WHERE type = $1 AND record_id = $2 ORDER BY seq`, typ, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: accesses: %w", err)
	}
	var out []Access
	var ns, user int64
	_, err = pgx.ForEachRow(rows, []any{&ns, &user}, func() error {
		out = append(out, Access{At: time.Unix(0, ns).UTC(), UserID: user})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: accesses: %w", err)
	}
	return out, nil
}

// CreateUser stores u with the hash of its token and returns its id. The
// token itself is never stored.
func (s *Store) CreateUser(ctx context.Context, u *auth.User, tokenHash [32]byte) (int64, error) {
	if err := u.Validate(); err != nil {
		return 0, err
	}
	var pub []byte
	if u.PublicKey != nil {
		pub = u.PublicKey
	}
	var id int64
	err := s.pool.QueryRow(ctx,
		`INSERT INTO users (name, role, org, token_hash, public_key, witness_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		strings.TrimSpace(u.Name), string(u.Role), u.Org, tokenHash[:], pub, u.WitnessKey, s.Now().UTC(),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: create user: %w", err)
	}
	return id, nil
}

const userColumns = `id, name, role, org, public_key, witness_key`

func scanUser(row pgx.Row) (*auth.User, error) {
	var u auth.User
	var role string
	var pub []byte
	if err := row.Scan(&u.ID, &u.Name, &role, &u.Org, &pub, &u.WitnessKey); err != nil {
		return nil, err
	}
	u.Role = auth.Role(role)
	if len(pub) > 0 {
		u.PublicKey = pub
	}
	return &u, nil
}

// UserByTokenHash returns the user whose token hashes to h, or
// derrors.ErrNotFound.
func (s *Store) UserByTokenHash(ctx context.Context, h [32]byte) (*auth.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE token_hash = $1`, h[:]))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, derrors.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user by token: %w", err)
	}
	return u, nil
}

// UserByID returns the user with id, or derrors.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, derrors.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user %d: %w", id, err)
	}
	return u, nil
}
