package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/store/storesql"
)

// Finished incidents are fusion's output for incidents whose observations
// are all older than its horizon: fusion can never change them again, so
// the server keeps them here rather than in memory. They are derived data,
// reproducible from the ledger's records by replay, and not covered by the
// ledger.

// PutFinishedIncidents stores finished incidents in one transaction: each
// replaces any stored incident with its ID, and each of its observations is
// mapped to it (replacing an earlier mapping of that observation). When an
// incident is replaced, the observations it no longer holds are unmapped.
// The incidents are applied in order, so a later one in incs wins over an
// earlier one with the same ID or observation.
//
// An incident without an ID, without observations, or with an observation
// id that is not a UUID is an error wrapping derrors.ErrInvalid that names
// it, and nothing is written. Violation is not stored.
func (s *Store) PutFinishedIncidents(ctx context.Context, incs []incident.Incident) error {
	rows, err := storesql.FinishedRows(incs)
	if err != nil {
		return fmt.Errorf("sqlite: put finished incidents: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: put finished incidents: %w", err)
	}
	defer tx.Rollback()
	stored, err := storedBodies(ctx, tx, rows)
	if err != nil {
		return fmt.Errorf("sqlite: put finished incidents: %w", err)
	}
	if rows = storesql.Changed(rows, stored); len(rows) == 0 {
		return nil
	}
	incRows := make([][]any, len(rows))
	ids := make([]any, len(rows))
	var memRows [][]any
	for i, r := range rows {
		inc := r.Inc
		ids[i] = inc.ID
		incRows[i] = []any{inc.ID, inc.Start.UnixNano(), inc.End.UnixNano(), string(inc.Domain), string(inc.Kind),
			string(inc.Status), inc.Region, inc.Lat, inc.Lon, r.Body}
		for _, key := range r.Members {
			memRows = append(memRows, []any{key[:], inc.ID})
		}
	}
	// Unmap what the incidents being replaced held; then insert or
	// replace the incidents, and map their observations.
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		if _, err := tx.ExecContext(ctx, `DELETE FROM finished_members WHERE incident_id IN (`+placeholders(len(chunk))+`)`, chunk...); err != nil {
			return fmt.Errorf("sqlite: put finished incidents: %w", err)
		}
	}
	err = s.upsertRows(ctx, tx, "finished_incidents",
		[]string{"id", "start_at", "end_at", "domain", "kind", "status", "region", "lat", "lon", "body"}, incRows,
		` ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, domain = excluded.domain,
			kind = excluded.kind, status = excluded.status, region = excluded.region, lat = excluded.lat, lon = excluded.lon, body = excluded.body`)
	if err == nil {
		err = s.upsertRows(ctx, tx, "finished_members", []string{"obs_id", "incident_id"}, memRows,
			` ON CONFLICT (obs_id) DO UPDATE SET incident_id = excluded.incident_id`)
	}
	if err != nil {
		return fmt.Errorf("sqlite: put finished incidents: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: put finished incidents: commit: %w", err)
	}
	return nil
}

// storedBodies returns the stored bodies of the incidents of rows, by id.
func storedBodies(ctx context.Context, tx *sql.Tx, rows []storesql.FinishedRow) (map[string][]byte, error) {
	out := map[string][]byte{}
	for start := 0; start < len(rows); start += maxParams {
		chunk := rows[start:min(start+maxParams, len(rows))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r.Inc.ID
		}
		res, err := tx.QueryContext(ctx, `SELECT id, body FROM finished_incidents WHERE id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var id string
			var body []byte
			if err := res.Scan(&id, &body); err != nil {
				res.Close()
				return nil, err
			}
			out[id] = body
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FinishedTag returns the tag ResetFinishedIncidents last set: what the
// stored finished incidents were made with; "" when never set.
func (s *Store) FinishedTag(ctx context.Context) (string, error) {
	var tag string
	err := s.read.QueryRowContext(ctx, `SELECT tag FROM finished_state WHERE id = 1`).Scan(&tag)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: finished tag: %w", err)
	}
	return tag, nil
}

// ResetFinishedIncidents removes every stored finished incident and every
// mapping of an observation to one, and sets the tag, in one transaction:
// a replay that makes them otherwise than the stored ones were made then
// stores them again.
func (s *Store) ResetFinishedIncidents(ctx context.Context, tag string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: reset finished incidents: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM finished_members`, `DELETE FROM finished_incidents`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: reset finished incidents: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO finished_state (id, tag) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET tag = excluded.tag`, tag); err != nil {
		return fmt.Errorf("sqlite: reset finished incidents: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: reset finished incidents: commit: %w", err)
	}
	return nil
}

// FinishedIncident returns the stored finished incident with this id, or
// an error wrapping derrors.ErrNotFound.
func (s *Store) FinishedIncident(ctx context.Context, id string) (incident.Incident, error) {
	inc, err := scanFinished(s.read.QueryRowContext(ctx, `SELECT `+storesql.FinishedColumns+` FROM finished_incidents WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return incident.Incident{}, fmt.Errorf("sqlite: finished incident %s: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return incident.Incident{}, fmt.Errorf("sqlite: finished incident %s: %w", id, err)
	}
	return inc, nil
}

// FinishedIncidentOf returns the stored finished incident that holds the
// observation obsID, or an error wrapping derrors.ErrNotFound.
func (s *Store) FinishedIncidentOf(ctx context.Context, obsID string) (incident.Incident, error) {
	key, ok := uuidBytes(obsID)
	if !ok {
		return incident.Incident{}, fmt.Errorf("sqlite: finished incident of %s: %w", obsID, derrors.ErrNotFound)
	}
	inc, err := scanFinished(s.read.QueryRowContext(ctx, `SELECT `+storesql.FinishedColumns+` FROM finished_members m
		JOIN finished_incidents i ON i.id = m.incident_id WHERE m.obs_id = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return incident.Incident{}, fmt.Errorf("sqlite: finished incident of %s: %w", obsID, derrors.ErrNotFound)
	}
	if err != nil {
		return incident.Incident{}, fmt.Errorf("sqlite: finished incident of %s: %w", obsID, err)
	}
	return inc, nil
}

// ListFinishedIncidents returns the stored finished incidents q.Match
// selects, ordered as incident.Less orders them (start time, then id), at
// most q.Limit of them (all of them if q.Limit ≤ 0). The order and the
// From, To and After bounds are read from the (start_at, id) index; the
// other filters are tested on the rows it yields.
func (s *Store) ListFinishedIncidents(ctx context.Context, q incident.Query) ([]incident.Incident, error) {
	query, args := storesql.SelectFinished(q)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list finished incidents: %w", err)
	}
	defer rows.Close()
	var out []incident.Incident
	for rows.Next() {
		inc, err := scanFinished(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list finished incidents: %w", err)
		}
		out = append(out, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list finished incidents: %w", err)
	}
	return out, nil
}

// CountFinishedIncidents returns how many finished incidents are stored.
func (s *Store) CountFinishedIncidents(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM finished_incidents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count finished incidents: %w", err)
	}
	return n, nil
}

// scanFinished reads a row of storesql.FinishedColumns.
func scanFinished(row interface{ Scan(...any) error }) (incident.Incident, error) {
	var start, end int64
	var body []byte
	if err := row.Scan(&start, &end, &body); err != nil {
		return incident.Incident{}, err
	}
	return storesql.DecodeFinished(start, end, body)
}
