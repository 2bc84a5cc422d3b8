package sqlite

import (
	"context"
	"fmt"
	"time"
)

// An Access is one logged read of a record.
type Access struct {
	At     time.Time
	UserID int64
}

// LogAccess records that a user read a record.
func (s *Store) LogAccess(ctx context.Context, userID int64, typ, id string) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO access_log (at, user_id, type, record_id) VALUES ($1, $2, $3, $4)`,
		s.Now().UnixNano(), userID, typ, id); err != nil {
		return fmt.Errorf("sqlite: log access: %w", err)
	}
	return nil
}

// Accesses returns the logged reads of a record, oldest first.
func (s *Store) Accesses(ctx context.Context, typ, id string) ([]Access, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, user_id FROM access_log WHERE type = $1 AND record_id = $2 ORDER BY seq`, typ, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accesses: %w", err)
	}
	defer rows.Close()
	var out []Access
	for rows.Next() {
		var a Access
		var ns int64
		if err := rows.Scan(&ns, &a.UserID); err != nil {
			return nil, fmt.Errorf("sqlite: accesses: %w", err)
		}
		a.At = time.Unix(0, ns).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
