package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/store/storesql"
)

// MaxList caps the rows one ListObservations call returns, whatever the
// caller asks for.
const MaxList = storesql.MaxList

// WriteObservations stores records in one transaction, with a ledger entry
// for each new one, and reports per record whether it was created, was an
// identical duplicate, or conflicted with a stored record of the same id (a
// later record of the same batch counts as stored). An error means nothing
// was written.
//
// The transaction holds the ledger's head lock from its first statement,
// so the ids it checks cannot be written by another writer before it
// commits. Each new record gets a fresh commitment salt and the next ledger
// index; its AcceptedAt is raised, if need be, to the previous entry's, so
// the ledger's times never decrease, and its Body is then re-encoded.
func (s *Store) WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error) {
	var out []observation.Outcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = writeObservations(ctx, tx, recs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: write observations: %w", err)
	}
	return out, nil
}

func writeObservations(ctx context.Context, tx pgx.Tx, recs []observation.Prepared) ([]observation.Outcome, error) {
	h, err := lockHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	keys := make([][16]byte, len(recs))
	for i, r := range recs {
		k, ok := storesql.UUIDKey(r.ID)
		if !ok {
			return nil, fmt.Errorf("id %q is not a UUID: %w", r.ID, derrors.ErrInvalid)
		}
		keys[i] = k
	}
	known, err := contentHashes(ctx, tx, `SELECT id, content_hash FROM observations WHERE id = ANY($1)`, keys)
	if err != nil {
		return nil, err
	}
	out := make([]observation.Outcome, len(recs))
	var rows [][]any
	var leaves [][]byte
	accepted := h.lastAccepted
	for i := range recs {
		r := recs[i] // a copy: the caller's records are not changed
		if hash, ok := known[keys[i]]; ok {
			out[i] = observation.Conflict
			if hash == r.ContentHash {
				out[i] = observation.Duplicate
			}
			continue
		}
		known[keys[i]] = r.ContentHash
		out[i] = observation.Created
		if r.AcceptedAt.Before(accepted) {
			r.AcceptedAt = accepted
			r.Body = r.Record.Canonical()
		}
		accepted = r.AcceptedAt
		salt := ledger.NewSalt()
		leaf, err := ledger.Entry{Type: observation.EntryType, ID: r.ID, AcceptedAt: r.AcceptedAt, Commitment: ledger.Commit(salt, r.Body)}.Encode()
		if err != nil {
			return nil, fmt.Errorf("entry for %s: %w", r.ID, err)
		}
		var lat, lon *float64
		if r.HasPoint() {
			lat, lon = r.Lat, r.Lon
		}
		rows = append(rows, []any{keys[i], r.ContentHash[:], r.ObservedAt.UnixNano(), r.AcceptedAt.UnixNano(),
			string(r.Domain), string(r.Kind), string(r.Source), r.Organization, r.Party, r.SubmitterID,
			r.Region, lat, lon, r.Body, salt, h.size + int64(len(leaves))})
		leaves = append(leaves, leaf)
	}
	if err := insertRows(ctx, tx, "observations", []string{"id", "content_hash", "observed_at", "accepted_at",
		"domain", "kind", "source", "organization", "party", "submitter_id", "region", "lat", "lon", "body", "salt", "ledger_idx"}, rows); err != nil {
		return nil, err
	}
	if err := appendLeaves(ctx, tx, h, leaves, accepted); err != nil {
		return nil, err
	}
	return out, nil
}

// contentHashes runs query, which selects (id, content_hash) of the rows
// whose id is in $1, and returns the hashes by id.
func contentHashes[K comparable](ctx context.Context, tx pgx.Tx, query string, ids []K) (map[K][32]byte, error) {
	known := make(map[K][32]byte)
	if len(ids) == 0 {
		return known, nil
	}
	rows, err := tx.Query(ctx, query, ids)
	if err != nil {
		return nil, fmt.Errorf("existing ids: %w", err)
	}
	var id K
	var h []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &h}, func() error {
		if len(h) != 32 {
			return fmt.Errorf("content hash of %v has %d bytes", id, len(h))
		}
		known[id] = [32]byte(h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("existing ids: %w", err)
	}
	return known, nil
}

// Observation returns the stored observation with this id if scope allows
// it, else derrors.ErrNotFound (a reader cannot tell "hidden" from
// "absent").
func (s *Store) Observation(ctx context.Context, id string, scope observation.Scope) (observation.Stored, error) {
	var st observation.Stored
	key, ok := storesql.UUIDKey(strings.ToLower(id))
	if !ok {
		return st, derrors.ErrNotFound
	}
	where, args := storesql.Scope(scope, []any{key})
	var ns int64
	err := s.pool.QueryRow(ctx,
		`SELECT seq, observed_at, body, ledger_idx, salt FROM observations WHERE id = $1 AND `+where, args...,
	).Scan(&st.Seq, &ns, &st.Body, &st.LedgerIndex, &st.Salt)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, derrors.ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("postgres: observation %s: %w", id, err)
	}
	st.ID = uuid.UUID(key).String()
	st.ObservedAt = time.Unix(0, ns).UTC()
	return st, nil
}

// ListObservations returns up to f.Limit (at most MaxList) observations
// matching f, ordered by observation time then arrival, or by arrival alone
// (which is ledger order) if f.ArrivalOrder.
func (s *Store) ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error) {
	q, args := storesql.SelectObservations(f)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list observations: %w", err)
	}
	var out []observation.Stored
	var st observation.Stored
	var ns int64
	var id [16]byte
	_, err = pgx.ForEachRow(rows, []any{&st.Seq, &id, &ns, &st.Body, &st.LedgerIndex, &st.Salt}, func() error {
		st.ID = uuid.UUID(id).String()
		st.ObservedAt = time.Unix(0, ns).UTC()
		out = append(out, st)
		st = observation.Stored{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list observations: %w", err)
	}
	return out, nil
}

// CountObservations returns how many observations are stored.
func (s *Store) CountObservations(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM observations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count observations: %w", err)
	}
	return n, nil
}
