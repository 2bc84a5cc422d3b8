package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/observation"
	"truce/internal/record"
	"truce/internal/store/storesql"
)

// WriteBulletins stores bulletin rows in one transaction, with a ledger
// entry of type "bulletin" for each new one, and reports per row whether it
// was created, was already stored with the same content (Duplicate), or
// was stored with other content under the same id (Conflict; a later row of
// the same call counts as stored). Bulletin IDs are name-based (airwar), so
// importing a file twice adds nothing. An error means nothing was written.
//
// Each new record gets a fresh commitment salt and the next ledger index;
// its accepted time is accepted, raised if need be to the previous entry's,
// so the ledger's times never decrease.
func (s *Store) WriteBulletins(ctx context.Context, bs []airwar.Bulletin, accepted time.Time) ([]observation.Outcome, error) {
	recs, err := storesql.BulletinRecords(bs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write bulletins: %w", err)
	}
	out, err := s.writeAir(ctx, storesql.Bulletins, recs, accepted)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write bulletins: %w", err)
	}
	return out, nil
}

// WriteAlerts stores air-raid alerts as WriteBulletins stores bulletins,
// with ledger entries of type "alert". Alerts are stored as their feed
// reported them: fusing the official and volunteer reports of one alert is
// the reader's business (airwar.Fuse), so that both reports stay on record.
func (s *Store) WriteAlerts(ctx context.Context, as []airwar.Alert, accepted time.Time) ([]observation.Outcome, error) {
	recs, err := storesql.AlertRecords(as)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write alerts: %w", err)
	}
	out, err := s.writeAir(ctx, storesql.Alerts, recs, accepted)
	if err != nil {
		return nil, fmt.Errorf("sqlite: write alerts: %w", err)
	}
	return out, nil
}

// writeAir is WriteObservations for the air war's tables: one transaction,
// a ledger entry per new record, appended with the records.
func (s *Store) writeAir(ctx context.Context, t storesql.AirTable, recs []storesql.AirRecord, accepted time.Time) ([]observation.Outcome, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	h, err := ledgerHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	known, err := storedHashes(ctx, tx, t.Name, ids)
	if err != nil {
		return nil, err
	}
	if accepted.Before(h.lastAccepted) {
		accepted = h.lastAccepted
	}
	out, rows, leaves, err := t.Plan(recs, known, accepted, h.size)
	if err != nil {
		return nil, err
	}
	if err := s.insertRows(ctx, tx, t.Name, t.Columns(), rows); err != nil {
		return nil, err
	}
	if err := s.appendLeaves(ctx, tx, h.size, leaves); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

// storedHashes returns the content hashes of the records of table among ids.
func storedHashes(ctx context.Context, tx *sql.Tx, table string, ids []string) (map[string][32]byte, error) {
	known := make(map[string][32]byte)
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, content_hash FROM `+table+` WHERE id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("existing ids: %w", err)
		}
		for rows.Next() {
			var id string
			var h []byte
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("existing ids: %w", err)
			}
			known[id] = [32]byte(h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("existing ids: %w", err)
		}
	}
	return known, nil
}

// overlapping streams the bodies of table's records overlapping [from, to].
func (s *Store) overlapping(ctx context.Context, t storesql.AirTable, from, to time.Time, each func(body []byte) (bool, error)) error {
	rows, err := s.read.QueryContext(ctx, t.OverlapQuery("BINARY"), storesql.OverlapArgs(from, to)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return err
		}
		more, err := each(body)
		if err != nil || !more {
			return err
		}
	}
	return rows.Err()
}

// Bulletins streams the stored bulletin rows whose reporting window meets
// [from, to] (closed intervals: a window ending at from is included),
// ordered by window start, then id. The read is streamed in constant
// memory; it stops at the first error, which it yields (from the store, or
// a stored record that does not decode). Line is zero: the store does not
// keep where a row was read from.
func (s *Store) Bulletins(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Bulletin, error] {
	scan := func(each func(body []byte) (bool, error)) error {
		return s.overlapping(ctx, storesql.Bulletins, from, to, each)
	}
	return storesql.Decoded(scan, airwar.DecodeBulletin, "sqlite: bulletins")
}

// Alerts streams the stored alerts, of every feed and level, whose
// [start, end] meets [from, to], ordered by start, then id, as Bulletins
// does. The alerts are as their feeds reported them (Feeds is the one
// feed); fuse them with airwar.Fuse.
func (s *Store) Alerts(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Alert, error] {
	scan := func(each func(body []byte) (bool, error)) error {
		return s.overlapping(ctx, storesql.Alerts, from, to, each)
	}
	return storesql.Decoded(scan, airwar.DecodeAlert, "sqlite: alerts")
}

// AirwarRecord returns what ties a stored bulletin or alert to the ledger:
// its canonical record, its commitment salt and the index of its entry.
// entryType is record.TypeBulletin or record.TypeAlert. It returns an error
// wrapping derrors.ErrNotFound if there is no such record, and one wrapping
// derrors.ErrInvalid for another entry type.
func (s *Store) AirwarRecord(ctx context.Context, entryType, id string) (body, salt []byte, index int64, err error) {
	t, err := storesql.AirTableOf(entryType)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sqlite: airwar record: %w", err)
	}
	err = s.read.QueryRowContext(ctx, `SELECT body, salt, ledger_idx FROM `+t.Name+` WHERE id = $1`, id).Scan(&body, &salt, &index)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, 0, fmt.Errorf("sqlite: airwar record: %s %s: %w", entryType, id, derrors.ErrNotFound)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("sqlite: airwar record: %s %s: %w", entryType, id, err)
	}
	return body, salt, index, nil
}

// CountAirwar returns how many bulletin rows and alerts are stored.
func (s *Store) CountAirwar(ctx context.Context) (bulletins, alerts int64, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM bulletins), (SELECT count(*) FROM alerts)`).Scan(&bulletins, &alerts)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: count airwar: %w", err)
	}
	return bulletins, alerts, nil
}

// ListAirwarRecords returns up to limit stored bulletins or alerts
// (entryType record.TypeBulletin or record.TypeAlert) after seq, in the order
// they were stored (which is ledger order), with what ties each to its
// ledger entry.
func (s *Store) ListAirwarRecords(ctx context.Context, entryType string, afterSeq int64, limit int) ([]record.Stored, error) {
	t, err := storesql.AirTableOf(entryType)
	if err != nil {
		return nil, fmt.Errorf("sqlite: airwar records: %w", err)
	}
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	rows, err := s.read.QueryContext(ctx, `SELECT seq, id, accepted_at, body, salt, ledger_idx FROM `+t.Name+
		` WHERE seq > $1 ORDER BY seq LIMIT $2`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: airwar records: %w", err)
	}
	defer rows.Close()
	var out []record.Stored
	for rows.Next() {
		r := record.Stored{Type: entryType}
		var ns int64
		if err := rows.Scan(&r.Seq, &r.ID, &ns, &r.Body, &r.Salt, &r.LedgerIndex); err != nil {
			return nil, fmt.Errorf("sqlite: airwar records: %w", err)
		}
		r.AcceptedAt = time.Unix(0, ns).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
