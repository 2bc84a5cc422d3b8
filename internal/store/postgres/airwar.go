package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/record"
)

// The ledger entry types of the air war's public records.
const (
	// BulletinEntryType is the entry type of an Air Force bulletin row.
	BulletinEntryType = "bulletin"
	// AlertEntryType is the entry type of an air-raid alert.
	AlertEntryType = "alert"
)

// longSpan is the span from which a window or alert is found through the
// partial end_at index rather than by its start (migrations/0001_init.sql): two days.
const longSpan = 48 * time.Hour

// airRow is one record to write: its id, the hash of its content (the
// record without accepted_at), its body for an accepted time, and its
// index columns.
type airRow struct {
	id   string
	hash [32]byte
	body func(accepted time.Time) ([]byte, error)
	cols []any
}

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
	rows := make([]airRow, 0, len(bs))
	for _, b := range bs {
		content, err := airwar.BulletinContent(b)
		if err != nil {
			return nil, fmt.Errorf("postgres: write bulletins: %w", err)
		}
		rows = append(rows, airRow{
			id: b.ID, hash: sha256.Sum256(content),
			body: func(t time.Time) ([]byte, error) { return airwar.WithAccepted(content, t), nil },
			cols: []any{b.Day.String(), b.Start.UnixNano(), b.End.UnixNano(), string(b.Kind), string(b.Command)},
		})
	}
	out, err := s.writeAir(ctx, "bulletins", BulletinEntryType, []string{"day", "start_at", "end_at", "kind", "command"}, rows, accepted)
	if err != nil {
		return nil, fmt.Errorf("postgres: write bulletins: %w", err)
	}
	return out, nil
}

// WriteAlerts stores air-raid alerts as WriteBulletins stores bulletins,
// with ledger entries of type "alert". Alerts are stored as their feed
// reported them: fusing the official and volunteer reports of one alert is
// the reader's business (airwar.Fuse), so that both reports stay on record.
func (s *Store) WriteAlerts(ctx context.Context, as []airwar.Alert, accepted time.Time) ([]observation.Outcome, error) {
	rows := make([]airRow, 0, len(as))
	for _, a := range as {
		content, err := airwar.AlertContent(a)
		if err != nil {
			return nil, fmt.Errorf("postgres: write alerts: %w", err)
		}
		rows = append(rows, airRow{
			id: a.ID, hash: sha256.Sum256(content),
			body: func(t time.Time) ([]byte, error) { return airwar.WithAccepted(content, t), nil },
			cols: []any{string(a.Feed), a.Region, string(a.Level), a.Start.UnixNano(), a.End.UnixNano()},
		})
	}
	out, err := s.writeAir(ctx, "alerts", AlertEntryType, []string{"feed", "region", "level", "start_at", "end_at"}, rows, accepted)
	if err != nil {
		return nil, fmt.Errorf("postgres: write alerts: %w", err)
	}
	return out, nil
}

// writeAir is WriteObservations for the air war's tables: one transaction
// holding the ledger's head lock, a ledger entry per new record, appended
// with the records.
func (s *Store) writeAir(ctx context.Context, table, entryType string, cols []string, recs []airRow, accepted time.Time) ([]observation.Outcome, error) {
	var out []observation.Outcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		h, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.id
		}
		known, err := contentHashes(ctx, tx, `SELECT id, content_hash FROM `+table+` WHERE id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		if accepted.Before(h.lastAccepted) {
			accepted = h.lastAccepted
		}
		out = make([]observation.Outcome, len(recs))
		var rows [][]any
		var leaves [][]byte
		for i, r := range recs {
			if hash, ok := known[r.id]; ok {
				out[i] = observation.Conflict
				if hash == r.hash {
					out[i] = observation.Duplicate
				}
				continue
			}
			known[r.id] = r.hash
			out[i] = observation.Created
			body, err := r.body(accepted)
			if err != nil {
				return fmt.Errorf("record %s: %w", r.id, err)
			}
			salt := ledger.NewSalt()
			leaf, err := ledger.Entry{Type: entryType, ID: r.id, AcceptedAt: accepted, Commitment: ledger.Commit(salt, body)}.Encode()
			if err != nil {
				return fmt.Errorf("entry for %s: %w", r.id, err)
			}
			row := make([]any, 0, len(r.cols)+6)
			row = append(row, r.id, r.hash[:])
			row = append(row, r.cols...)
			row = append(row, accepted.UnixNano(), body, salt, h.size+int64(len(leaves)))
			rows = append(rows, row)
			leaves = append(leaves, leaf)
		}
		all := append(append([]string{"id", "content_hash"}, cols...), "accepted_at", "body", "salt", "ledger_idx")
		if err := insertRows(ctx, tx, table, all, rows); err != nil {
			return err
		}
		return appendLeaves(ctx, tx, h, leaves, accepted)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// overlapQuery selects the bodies of table's records whose [start_at,
// end_at] meets [$3, $2], ordered by start, then id. Its two parts are
// disjoint: records that start less than longSpan before $3 (found by
// start_at), and longer ones that started earlier (found by the partial
// end_at index). $1 is $3 - longSpan.
func overlapQuery(table string) string {
	long := fmt.Sprint(int64(longSpan))
	return `SELECT id, body FROM (
		SELECT id, start_at, body FROM ` + table + ` WHERE start_at > $1 AND start_at <= $2 AND end_at >= $3
		UNION ALL
		SELECT id, start_at, body FROM ` + table + ` WHERE end_at - start_at >= ` + long + ` AND end_at >= $3 AND start_at <= $1
	) AS overlapping ORDER BY start_at, id COLLATE "C"`
}

// overlapping streams the bodies of table's records overlapping [from, to].
func (s *Store) overlapping(ctx context.Context, table string, from, to time.Time, yield func(id string, body []byte) (bool, error)) error {
	rows, err := s.pool.Query(ctx, overlapQuery(table), from.Add(-longSpan).UnixNano(), to.UnixNano(), from.UnixNano())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		more, err := yield(id, body)
		if err != nil || !more {
			return err
		}
	}
	return rows.Err()
}

// Bulletins streams the stored bulletin rows whose reporting window meets
// [from, to] (closed intervals: a window ending at from is included),
// ordered by window start, then id. The read is streamed; it stops at the
// first error, which it yields (from the store, or a stored record that
// does not decode). Line is zero: the store does not keep where a row was
// read from.
func (s *Store) Bulletins(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Bulletin, error] {
	return func(yield func(airwar.Bulletin, error) bool) {
		err := s.overlapping(ctx, "bulletins", from, to, func(id string, body []byte) (bool, error) {
			b, err := airwar.DecodeBulletin(body)
			if err != nil {
				return false, err
			}
			return yield(b, nil), nil
		})
		if err != nil {
			yield(airwar.Bulletin{}, fmt.Errorf("postgres: bulletins: %w", err))
		}
	}
}

// Alerts streams the stored alerts, of every feed and level, whose
// [start, end] meets [from, to], ordered by start, then id, as Bulletins
// does. The alerts are as their feeds reported them (Feeds is the one
// feed); fuse them with airwar.Fuse.
func (s *Store) Alerts(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Alert, error] {
	return func(yield func(airwar.Alert, error) bool) {
		err := s.overlapping(ctx, "alerts", from, to, func(id string, body []byte) (bool, error) {
			a, err := airwar.DecodeAlert(body)
			if err != nil {
				return false, err
			}
			return yield(a, nil), nil
		})
		if err != nil {
			yield(airwar.Alert{}, fmt.Errorf("postgres: alerts: %w", err))
		}
	}
}

// airTable returns the table of an air war entry type.
func airTable(entryType string) (string, error) {
	switch entryType {
	case BulletinEntryType:
		return "bulletins", nil
	case AlertEntryType:
		return "alerts", nil
	}
	return "", fmt.Errorf("entry type %q: %w", entryType, derrors.ErrInvalid)
}

// AirwarRecord returns what ties a stored bulletin or alert to the ledger:
// its canonical record, its commitment salt and the index of its entry.
// entryType is BulletinEntryType or AlertEntryType. It returns an error
// wrapping derrors.ErrNotFound if there is no such record, and one wrapping
// derrors.ErrInvalid for another entry type.
func (s *Store) AirwarRecord(ctx context.Context, entryType, id string) (body, salt []byte, index int64, err error) {
	table, err := airTable(entryType)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("postgres: airwar record: %w", err)
	}
	err = s.pool.QueryRow(ctx, `SELECT body, salt, ledger_idx FROM `+table+` WHERE id = $1`, id).Scan(&body, &salt, &index)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, 0, fmt.Errorf("postgres: airwar record: %s %s: %w", entryType, id, derrors.ErrNotFound)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("postgres: airwar record: %s %s: %w", entryType, id, err)
	}
	return body, salt, index, nil
}

// CountAirwar returns how many bulletin rows and alerts are stored.
func (s *Store) CountAirwar(ctx context.Context) (bulletins, alerts int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM bulletins), (SELECT count(*) FROM alerts)`).Scan(&bulletins, &alerts)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: count airwar: %w", err)
	}
	return bulletins, alerts, nil
}

// ListAirwarRecords returns up to limit stored bulletins or alerts
// (entryType BulletinEntryType or AlertEntryType) after seq, in the order
// they were stored (which is ledger order), with what ties each to its
// ledger entry.
func (s *Store) ListAirwarRecords(ctx context.Context, entryType string, afterSeq int64, limit int) ([]record.Stored, error) {
	table, err := airTable(entryType)
	if err != nil {
		return nil, fmt.Errorf("postgres: airwar records: %w", err)
	}
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, id, accepted_at, body, salt, ledger_idx FROM `+table+
		` WHERE seq > $1 ORDER BY seq LIMIT $2`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: airwar records: %w", err)
	}
	var out []record.Stored
	r := record.Stored{Type: entryType}
	var ns int64
	_, err = pgx.ForEachRow(rows, []any{&r.Seq, &r.ID, &ns, &r.Body, &r.Salt, &r.LedgerIndex}, func() error {
		r.AcceptedAt = time.Unix(0, ns).UTC()
		out = append(out, r)
		r = record.Stored{Type: entryType}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: airwar records: %w", err)
	}
	return out, nil
}
