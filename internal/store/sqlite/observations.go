package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
)

// MaxList caps the rows one ListObservations call returns, whatever the
// caller asks for.
const MaxList = 10000

// WriteObservations stores records in one transaction and reports, per
// record, whether it was created, was an identical duplicate, or conflicted
// with a stored record of the same id. An error means nothing was written.
func (s *Store) WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write observations: begin: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO observations
		(id, content_hash, observed_at, accepted_at, domain, kind, source, organization, party, submitter_id, region, lat, lon, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (id) DO NOTHING RETURNING seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write observations: prepare: %w", err)
	}
	defer ins.Close()
	out := make([]observation.Outcome, len(recs))
	for i := range recs {
		r := &recs[i]
		var seq int64
		var lat, lon sql.NullFloat64
		if r.HasPoint() {
			lat = sql.NullFloat64{Float64: *r.Lat, Valid: true}
			lon = sql.NullFloat64{Float64: *r.Lon, Valid: true}
		}
		err := ins.QueryRowContext(ctx, r.ID, r.ContentHash[:], r.ObservedAt.UnixNano(), r.AcceptedAt.UnixNano(),
			string(r.Domain), string(r.Kind), string(r.Source), r.Organization, r.Party, r.SubmitterID,
			r.Region, lat, lon, r.Body).Scan(&seq)
		switch {
		case err == nil:
			out[i] = observation.Created
		case errors.Is(err, sql.ErrNoRows):
			var h []byte
			if err := tx.QueryRowContext(ctx, `SELECT content_hash FROM observations WHERE id = $1`, r.ID).Scan(&h); err != nil {
				return nil, fmt.Errorf("sqlite: write observations: existing %s: %w", r.ID, err)
			}
			out[i] = observation.Conflict
			if bytes.Equal(h, r.ContentHash[:]) {
				out[i] = observation.Duplicate
			}
		default:
			return nil, fmt.Errorf("sqlite: write observations: insert %s: %w", r.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: write observations: commit: %w", err)
	}
	return out, nil
}

// scopeSQL returns the WHERE clause that limits rows to what scope allows.
func scopeSQL(sc observation.Scope, args []any) (string, []any) {
	switch {
	case sc.All:
		return "1 = 1", args
	case sc.Party != "":
		args = append(args, sc.Party)
		return fmt.Sprintf("party = $%d", len(args)), args
	case sc.Org != "":
		args = append(args, sc.Org)
		return fmt.Sprintf("party = '' AND organization = $%d", len(args)), args
	}
	return "1 = 0", args
}

// Observation returns the stored observation with this id if scope allows
// it, else derrors.ErrNotFound (a reader cannot tell "hidden" from
// "absent").
func (s *Store) Observation(ctx context.Context, id string, scope observation.Scope) (observation.Stored, error) {
	where, args := scopeSQL(scope, []any{strings.ToLower(id)})
	var st observation.Stored
	var ns int64
	err := s.read.QueryRowContext(ctx,
		`SELECT seq, id, observed_at, body FROM observations WHERE id = $1 AND `+where, args...,
	).Scan(&st.Seq, &st.ID, &ns, &st.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return st, derrors.ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("sqlite: observation %s: %w", id, err)
	}
	st.ObservedAt = time.Unix(0, ns).UTC()
	return st, nil
}

// ListObservations returns up to f.Limit (at most MaxList) observations
// matching f, ordered by observation time then arrival.
func (s *Store) ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error) {
	where, args := scopeSQL(f.Scope, nil)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !f.From.IsZero() {
		add("observed_at >= $%d", f.From.UnixNano())
	}
	if !f.To.IsZero() {
		add("observed_at < $%d", f.To.UnixNano())
	}
	if f.Domain != "" {
		add("domain = $%d", string(f.Domain))
	}
	if f.Kind != "" {
		add("kind = $%d", string(f.Kind))
	}
	if f.Source != "" {
		add("source = $%d", string(f.Source))
	}
	if f.After != nil {
		args = append(args, f.After.ObservedAt.UnixNano(), f.After.Seq)
		conds = append(conds, fmt.Sprintf("(observed_at, seq) > ($%d, $%d)", len(args)-1, len(args)))
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	args = append(args, limit)
	q := `SELECT seq, id, observed_at, body FROM observations WHERE ` + strings.Join(conds, " AND ") +
		fmt.Sprintf(` ORDER BY observed_at, seq LIMIT $%d`, len(args))
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list observations: %w", err)
	}
	defer rows.Close()
	var out []observation.Stored
	for rows.Next() {
		var st observation.Stored
		var ns int64
		if err := rows.Scan(&st.Seq, &st.ID, &ns, &st.Body); err != nil {
			return nil, fmt.Errorf("sqlite: list observations: %w", err)
		}
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
