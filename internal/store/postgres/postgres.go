// Package postgres is truce's PostgreSQL store, for when one machine is
// not enough: the same behaviour as package sqlite (the conformance suite
// internal/store/storetest checks both), through github.com/jackc/pgx/v5,
// with embedded migrations.
//
// Several truce servers may share one database. Every transaction that
// appends to the ledger first locks its one head row (SELECT … FOR
// UPDATE), so appends are serialised across connections and processes:
// the tree's indexes stay dense, each append's hashes are computed over the
// tree as committed, and the idempotency checks on ids (duplicate or
// conflict) see every earlier write. Writes that do not touch the ledger
// take narrower locks of their own (see webhooks.go).
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"truce/internal/ledger"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a truce database on a PostgreSQL server.
type Store struct {
	pool *pgxpool.Pool
	// Now is the clock; tests replace it.
	Now func() time.Time
	// hashes caches the ledger's upper-level hashes.
	hashes ledger.HashCache
}

// Open connects to the database at url (postgres://user:pass@host/db?…;
// a search_path parameter selects a schema) and brings its schema up to
// date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err) // pgconn hides the password
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: pool, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations not yet applied, in file-name
// order, in one transaction holding an advisory lock of the schema, so
// that servers starting together migrate once.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	sort.Strings(names)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('truce.migrate.' || current_schema()))`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
			return err
		}
		for _, name := range names {
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)`, name).Scan(&done); err != nil {
				return err
			}
			if done {
				continue
			}
			body, err := fs.ReadFile(migrations, name)
			if err != nil {
				return err
			}
			// Without arguments, Exec uses the simple protocol, which runs
			// the file's statements in order.
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, s.Now().UTC()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}
