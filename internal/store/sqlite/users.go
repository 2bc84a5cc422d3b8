package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
)

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
	err := s.write.QueryRowContext(ctx,
		`INSERT INTO users (name, role, org, token_hash, public_key, witness_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		strings.TrimSpace(u.Name), string(u.Role), u.Org, tokenHash[:], pub, u.WitnessKey, s.Now().UTC().Format(time.RFC3339Nano),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sqlite: create user: %w", err)
	}
	return id, nil
}

// UserByTokenHash returns the user whose token hashes to h, or
// derrors.ErrNotFound.
func (s *Store) UserByTokenHash(ctx context.Context, h [32]byte) (*auth.User, error) {
	var u auth.User
	var role string
	var pub []byte
	err := s.read.QueryRowContext(ctx,
		`SELECT id, name, role, org, public_key, witness_key FROM users WHERE token_hash = $1`, h[:],
	).Scan(&u.ID, &u.Name, &role, &u.Org, &pub, &u.WitnessKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, derrors.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user by token: %w", err)
	}
	u.Role = auth.Role(role)
	if len(pub) > 0 {
		u.PublicKey = pub
	}
	return &u, nil
}
