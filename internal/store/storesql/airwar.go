package storesql

import (
	"crypto/sha256"
	"fmt"
	"iter"
	"time"

	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/record"
)

// AirTable is one of the air war's tables: its name, the ledger entry type
// of its records, and the columns its records are found by.
type AirTable struct {
	Name      string
	EntryType string
	cols      []string
}

// The air war's tables.
var (
	Bulletins = AirTable{"bulletins", record.TypeBulletin, []string{"day", "start_at", "end_at", "kind", "command"}}
	Alerts    = AirTable{"alerts", record.TypeAlert, []string{"feed", "region", "level", "start_at", "end_at"}}
)

// AirTableOf returns the table of entry type record.TypeBulletin or
// record.TypeAlert, or an error wrapping derrors.ErrInvalid.
func AirTableOf(entryType string) (AirTable, error) {
	switch entryType {
	case record.TypeBulletin:
		return Bulletins, nil
	case record.TypeAlert:
		return Alerts, nil
	}
	return AirTable{}, fmt.Errorf("entry type %q: %w", entryType, derrors.ErrInvalid)
}

// Columns are the columns an insert of Plan's rows writes, in their order.
func (t AirTable) Columns() []string {
	return append(append([]string{"id", "content_hash"}, t.cols...), "accepted_at", "body", "salt", "ledger_idx")
}

// AirRecord is a bulletin row or an alert to write: its id, its canonical
// content (the record without accepted_at) and that content's hash, and
// the values of its table's own columns.
type AirRecord struct {
	ID      string
	Content []byte
	Hash    [32]byte
	Cols    []any
}

// BulletinRecords returns the records of bulletin rows.
func BulletinRecords(bs []airwar.Bulletin) ([]AirRecord, error) {
	out := make([]AirRecord, 0, len(bs))
	for _, b := range bs {
		content, err := airwar.BulletinContent(b)
		if err != nil {
			return nil, err
		}
		out = append(out, AirRecord{ID: b.ID, Content: content, Hash: sha256.Sum256(content),
			Cols: []any{b.Day.String(), b.Start.UnixNano(), b.End.UnixNano(), string(b.Kind), string(b.Command)}})
	}
	return out, nil
}

// AlertRecords returns the records of alerts.
func AlertRecords(as []airwar.Alert) ([]AirRecord, error) {
	out := make([]AirRecord, 0, len(as))
	for _, a := range as {
		content, err := airwar.AlertContent(a)
		if err != nil {
			return nil, err
		}
		out = append(out, AirRecord{ID: a.ID, Content: content, Hash: sha256.Sum256(content),
			Cols: []any{string(a.Feed), a.Region, string(a.Level), a.Start.UnixNano(), a.End.UnixNano()}})
	}
	return out, nil
}

// Plan decides what writing recs does, given the content hashes already
// stored under their ids (known, which it extends): per record, whether it
// is created, a duplicate (same content) or a conflict (other content; a
// later record of the same call counts as stored). For the created ones it
// returns the rows to insert (Columns' order) and their ledger leaves, the
// first at ledger index size, each accepted at accepted with a fresh salt.
func (t AirTable) Plan(recs []AirRecord, known map[string][32]byte, accepted time.Time, size int64) ([]observation.Outcome, [][]any, [][]byte, error) {
	out := make([]observation.Outcome, len(recs))
	var rows [][]any
	var leaves [][]byte
	for i, r := range recs {
		if hash, ok := known[r.ID]; ok {
			out[i] = observation.Conflict
			if hash == r.Hash {
				out[i] = observation.Duplicate
			}
			continue
		}
		known[r.ID] = r.Hash
		out[i] = observation.Created
		body := airwar.WithAccepted(r.Content, accepted)
		salt := ledger.NewSalt()
		leaf, err := ledger.Entry{Type: t.EntryType, ID: r.ID, AcceptedAt: accepted, Commitment: ledger.Commit(salt, body)}.Encode()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("entry for %s: %w", r.ID, err)
		}
		row := make([]any, 0, len(r.Cols)+6)
		row = append(row, r.ID, r.Hash[:])
		row = append(row, r.Cols...)
		row = append(row, accepted.UnixNano(), body, salt, size+int64(len(leaves)))
		rows = append(rows, row)
		leaves = append(leaves, leaf)
	}
	return out, rows, leaves, nil
}

// LongSpan is the span from which a window or alert is found through the
// partial end_at index rather than by its start: two days (the indexes
// are in both stores' migrations).
const LongSpan = 48 * time.Hour

// OverlapQuery selects the bodies of t's records whose [start_at,
// end_at] meets [$3, $2], ordered by start, then id (in byte order, which
// collation names: BINARY in SQLite, "C" in PostgreSQL). Its two parts are
// disjoint: records that start less than LongSpan before $3 (found by
// start_at), and longer ones that started earlier (found by the partial
// end_at index). $1 is $3 − LongSpan: OverlapArgs gives all three.
func (t AirTable) OverlapQuery(collation string) string {
	long := fmt.Sprint(int64(LongSpan))
	return `SELECT body FROM (
		SELECT id, start_at, body FROM ` + t.Name + ` WHERE start_at > $1 AND start_at <= $2 AND end_at >= $3
		UNION ALL
		SELECT id, start_at, body FROM ` + t.Name + ` WHERE end_at - start_at >= ` + long + ` AND end_at >= $3 AND start_at <= $1
	) AS overlapping ORDER BY start_at, id COLLATE ` + collation
}

// OverlapArgs are OverlapQuery's arguments for [from, to].
func OverlapArgs(from, to time.Time) []any {
	return []any{from.Add(-LongSpan).UnixNano(), to.UnixNano(), from.UnixNano()}
}

// Decoded streams the records a store's scan yields (the bodies of
// OverlapQuery's rows, in order), decoded. It stops at the first error —
// the scan's or a body that does not decode — and yields it, wrapped with
// what.
func Decoded[T any](scan func(each func(body []byte) (bool, error)) error, decode func([]byte) (T, error), what string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := scan(func(body []byte) (bool, error) {
			v, err := decode(body)
			if err != nil {
				return false, err
			}
			return yield(v, nil), nil
		})
		if err != nil {
			var zero T
			yield(zero, fmt.Errorf("%s: %w", what, err))
		}
	}
}
