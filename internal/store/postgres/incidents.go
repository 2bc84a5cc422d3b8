package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

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
		return fmt.Errorf("postgres: put finished incidents: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		stored, err := storedBodies(ctx, tx, rows)
		if err != nil {
			return err
		}
		changed := storesql.Changed(rows, stored)
		if len(changed) == 0 {
			return nil
		}
		// One batch, one round trip: the statements run in order, and the
		// first error ends the transaction.
		var b pgx.Batch
		for _, r := range changed {
			inc := r.Inc
			b.Queue(`DELETE FROM finished_members WHERE incident_id = $1`, inc.ID)
			b.Queue(`INSERT INTO finished_incidents (id, start_at, end_at, domain, kind, status, region, lat, lon, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, domain = excluded.domain,
				kind = excluded.kind, status = excluded.status, region = excluded.region, lat = excluded.lat, lon = excluded.lon, body = excluded.body`,
				inc.ID, inc.Start.UnixNano(), inc.End.UnixNano(), string(inc.Domain), string(inc.Kind), string(inc.Status), inc.Region,
				inc.Lat, inc.Lon, r.Body)
			b.Queue(`INSERT INTO finished_members (obs_id, incident_id) SELECT unnest($1::uuid[]), $2
			ON CONFLICT (obs_id) DO UPDATE SET incident_id = excluded.incident_id`, r.Members, inc.ID)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: put finished incidents: %w", err)
	}
	return nil
}

// storedBodies returns the stored bodies of the incidents of rows, by id.
func storedBodies(ctx context.Context, tx pgx.Tx, rows []storesql.FinishedRow) (map[string][]byte, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Inc.ID
	}
	res, err := tx.Query(ctx, `SELECT id, body FROM finished_incidents WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	var id string
	var body []byte
	_, err = pgx.ForEachRow(res, []any{&id, &body}, func() error {
		out[id] = slices.Clone(body)
		return nil
	})
	return out, err
}

// FinishedTag returns the tag ResetFinishedIncidents last set: what the
// stored finished incidents were made with; "" when never set.
func (s *Store) FinishedTag(ctx context.Context) (string, error) {
	var tag string
	err := s.pool.QueryRow(ctx, `SELECT tag FROM finished_state WHERE id = 1`).Scan(&tag)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("postgres: finished tag: %w", err)
	}
	return tag, nil
}

// ResetFinishedIncidents removes every stored finished incident and every
// mapping of an observation to one, and sets the tag, in one transaction:
// a replay that makes them otherwise than the stored ones were made then
// stores them again.
func (s *Store) ResetFinishedIncidents(ctx context.Context, tag string) error {
	// DELETE rather than TRUNCATE: readers keep their snapshots and are not
	// locked out meanwhile.
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM finished_members`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM finished_incidents`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO finished_state (id, tag) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET tag = excluded.tag`, tag)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: reset finished incidents: %w", err)
	}
	return nil
}

func (s *Store) finishedIncident(ctx context.Context, query string, arg any) (incident.Incident, error) {
	var start, end int64
	var body []byte
	if err := s.pool.QueryRow(ctx, query, arg).Scan(&start, &end, &body); err != nil {
		return incident.Incident{}, err
	}
	return storesql.DecodeFinished(start, end, body)
}

// FinishedIncident returns the stored finished incident with this id, or
// an error wrapping derrors.ErrNotFound.
func (s *Store) FinishedIncident(ctx context.Context, id string) (incident.Incident, error) {
	inc, err := s.finishedIncident(ctx, `SELECT `+storesql.FinishedColumns+` FROM finished_incidents WHERE id = $1`, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return incident.Incident{}, fmt.Errorf("postgres: finished incident %s: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return incident.Incident{}, fmt.Errorf("postgres: finished incident %s: %w", id, err)
	}
	return inc, nil
}

// FinishedIncidentOf returns the stored finished incident that holds the
// observation obsID, or an error wrapping derrors.ErrNotFound.
func (s *Store) FinishedIncidentOf(ctx context.Context, obsID string) (incident.Incident, error) {
	key, ok := storesql.UUIDKey(obsID)
	if !ok {
		return incident.Incident{}, fmt.Errorf("postgres: finished incident of %s: %w", obsID, derrors.ErrNotFound)
	}
	inc, err := s.finishedIncident(ctx, `SELECT `+storesql.FinishedColumns+` FROM finished_members m
		JOIN finished_incidents i ON i.id = m.incident_id WHERE m.obs_id = $1`, key)
	if errors.Is(err, pgx.ErrNoRows) {
		return incident.Incident{}, fmt.Errorf("postgres: finished incident of %s: %w", obsID, derrors.ErrNotFound)
	}
	if err != nil {
		return incident.Incident{}, fmt.Errorf("postgres: finished incident of %s: %w", obsID, err)
	}
	return inc, nil
}

// ListFinishedIncidents returns the stored finished incidents q.Match
// selects, ordered as incident.Less orders them (start time, then id, in
// byte order: the id column's collation is "C"), at most q.Limit of them
// (all of them if q.Limit ≤ 0). The order and the From, To and After
// bounds are read from the (start_at, id) index; the other filters are
// tested on the rows it yields.
func (s *Store) ListFinishedIncidents(ctx context.Context, q incident.Query) ([]incident.Incident, error) {
	query, args := storesql.SelectFinished(q)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list finished incidents: %w", err)
	}
	var out []incident.Incident
	var start, end int64
	var body []byte
	_, err = pgx.ForEachRow(rows, []any{&start, &end, &body}, func() error {
		inc, err := storesql.DecodeFinished(start, end, body)
		if err != nil {
			return err
		}
		out = append(out, inc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list finished incidents: %w", err)
	}
	return out, nil
}

// CountFinishedIncidents returns how many finished incidents are stored.
func (s *Store) CountFinishedIncidents(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM finished_incidents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count finished incidents: %w", err)
	}
	return n, nil
}
