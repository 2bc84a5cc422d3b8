package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
// Each new record gets a fresh commitment salt and the next ledger index.
// Its AcceptedAt is raised, if need be, to the previous entry's, so the
// ledger's times never decrease; its Body is then re-encoded.
func (s *Store) WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write observations: begin: %w", err)
	}
	defer tx.Rollback()
	h, err := ledgerHead(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write observations: %w", err)
	}
	known, err := contentHashes(ctx, tx, recs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write observations: %w", err)
	}
	out := make([]observation.Outcome, len(recs))
	var rows [][]any
	var leaves [][]byte
	accepted := h.lastAccepted
	for i := range recs {
		r := recs[i] // a copy: the caller's records are not changed
		if hash, ok := known[r.ID]; ok {
			out[i] = observation.Conflict
			if hash == r.ContentHash {
				out[i] = observation.Duplicate
			}
			continue
		}
		known[r.ID] = r.ContentHash
		out[i] = observation.Created
		if r.AcceptedAt.Before(accepted) {
			r.AcceptedAt = accepted
			r.Body = r.Record.Canonical()
		}
		accepted = r.AcceptedAt
		salt := ledger.NewSalt()
		leaf, err := ledger.Entry{Type: observation.EntryType, ID: r.ID, AcceptedAt: r.AcceptedAt, Commitment: ledger.Commit(salt, r.Body)}.Encode()
		if err != nil {
			return nil, fmt.Errorf("sqlite: write observations: entry for %s: %w", r.ID, err)
		}
		var lat, lon sql.NullFloat64
		if r.HasPoint() {
			lat = sql.NullFloat64{Float64: *r.Lat, Valid: true}
			lon = sql.NullFloat64{Float64: *r.Lon, Valid: true}
		}
		id, ok := uuidBytes(r.ID)
		if !ok {
			return nil, fmt.Errorf("sqlite: write observations: id %q is not a UUID", r.ID)
		}
		rows = append(rows, []any{id, r.ContentHash[:], r.ObservedAt.UnixNano(), r.AcceptedAt.UnixNano(),
			string(r.Domain), string(r.Kind), string(r.Source), r.Organization, r.Party, r.SubmitterID,
			r.Region, lat, lon, r.Body, salt, h.size + int64(len(leaves))})
		leaves = append(leaves, leaf)
	}
	if err := s.insertRows(ctx, tx, "observations", []string{"id", "content_hash", "observed_at", "accepted_at",
		"domain", "kind", "source", "organization", "party", "submitter_id", "region", "lat", "lon", "body", "salt", "ledger_idx"}, rows); err != nil {
		return nil, fmt.Errorf("sqlite: write observations: %w", err)
	}
	if !s.withoutLedger {
		if err := s.appendLeaves(ctx, tx, h.size, leaves); err != nil {
			return nil, fmt.Errorf("sqlite: write observations: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: write observations: commit: %w", err)
	}
	return out, nil
}

// contentHashes returns the content hashes of the stored observations among
// recs' ids.
func contentHashes(ctx context.Context, tx *sql.Tx, recs []observation.Prepared) (map[string][32]byte, error) {
	known := make(map[string][32]byte)
	for start := 0; start < len(recs); start += maxParams {
		chunk := recs[start:min(start+maxParams, len(recs))]
		args := make([]any, 0, len(chunk))
		for _, r := range chunk {
			if id, ok := uuidBytes(r.ID); ok {
				args = append(args, id)
			}
		}
		if len(args) == 0 {
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, content_hash FROM observations WHERE id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("existing ids: %w", err)
		}
		for rows.Next() {
			var id, h []byte
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("existing ids: %w", err)
			}
			var hash [32]byte
			copy(hash[:], h)
			known[uuidString(id)] = hash
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("existing ids: %w", err)
		}
	}
	return known, nil
}

// Observation returns the stored observation with this id if scope allows
// it, else derrors.ErrNotFound (a reader cannot tell "hidden" from
// "absent").
func (s *Store) Observation(ctx context.Context, id string, scope observation.Scope) (observation.Stored, error) {
	var st observation.Stored
	key, ok := uuidBytes(strings.ToLower(id))
	if !ok {
		return st, derrors.ErrNotFound
	}
	where, args := storesql.Scope(scope, []any{key})
	var ns int64
	err := s.read.QueryRowContext(ctx,
		`SELECT seq, observed_at, body, ledger_idx, salt FROM observations WHERE id = $1 AND `+where, args...,
	).Scan(&st.Seq, &ns, &st.Body, &st.LedgerIndex, &st.Salt)
	if errors.Is(err, sql.ErrNoRows) {
		return st, derrors.ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("sqlite: observation %s: %w", id, err)
	}
	st.ID = uuidString(key)
	st.ObservedAt = time.Unix(0, ns).UTC()
	return st, nil
}

// ListObservations returns up to f.Limit (at most MaxList) observations
// matching f, ordered by observation time then arrival, or by arrival alone
// (which is ledger order) if f.ArrivalOrder.
func (s *Store) ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error) {
	q, args := storesql.SelectObservations(f)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list observations: %w", err)
	}
	defer rows.Close()
	var out []observation.Stored
	for rows.Next() {
		var st observation.Stored
		var ns int64
		var id []byte
		if err := rows.Scan(&st.Seq, &id, &ns, &st.Body, &st.LedgerIndex, &st.Salt); err != nil {
			return nil, fmt.Errorf("sqlite: list observations: %w", err)
		}
		st.ID = uuidString(id)
		st.ObservedAt = time.Unix(0, ns).UTC()
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list observations: %w", err)
	}
	return out, nil
}

// CountObservations returns how many observations are stored.
func (s *Store) CountObservations(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM observations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count observations: %w", err)
	}
	return n, nil
}
