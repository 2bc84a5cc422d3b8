package storesql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"truce/internal/derrors"
	"truce/internal/incident"
)

// FinishedRow is a finished incident as a store writes it.
type FinishedRow struct {
	Inc     *incident.Incident
	Body    []byte     // its JSON, without Violation (judged at read time)
	Members [][16]byte // its observations' UUIDs, sorted, each once
}

// FinishedRows checks every finished incident and encodes it, before
// anything is written. Of incidents with one ID, only the last is kept. An incident without an ID, without observations, or with an
// observation id that is not a UUID (in its 36-character form) is an error
// wrapping derrors.ErrInvalid that names it.
func FinishedRows(incs []incident.Incident) ([]FinishedRow, error) {
	rows := make([]FinishedRow, len(incs))
	for i := range incs {
		inc := &incs[i]
		if inc.ID == "" {
			return nil, fmt.Errorf("incident %d: no id: %w", i, derrors.ErrInvalid)
		}
		if len(inc.Observations) == 0 {
			return nil, fmt.Errorf("incident %d (%s): no observations: %w", i, inc.ID, derrors.ErrInvalid)
		}
		members := make([][16]byte, len(inc.Observations))
		for j, o := range inc.Observations {
			key, ok := UUIDKey(o)
			if !ok {
				return nil, fmt.Errorf("incident %d (%s): observation id %q is not a UUID: %w", i, inc.ID, o, derrors.ErrInvalid)
			}
			members[j] = key
		}
		// An INSERT … ON CONFLICT DO UPDATE may not touch a row twice.
		slices.SortFunc(members, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
		members = slices.Compact(members)
		stored := *inc
		stored.Violation = nil
		body, err := json.Marshal(&stored)
		if err != nil {
			return nil, fmt.Errorf("incident %d (%s): %w", i, inc.ID, err)
		}
		rows[i] = FinishedRow{Inc: inc, Body: body, Members: members}
	}
	// An incident put twice in one batch is put once, as it is last: a
	// store may then write the batch's rows in one statement each.
	last := make(map[string]int, len(rows))
	for i, r := range rows {
		last[r.Inc.ID] = i
	}
	if len(last) < len(rows) {
		kept := rows[:0]
		for i, r := range rows {
			if last[r.Inc.ID] == i {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	return rows, nil
}

// UUIDKey returns the 16 bytes of a UUID in its 8-4-4-4-12 form (the only
// form ids take; other spellings uuid.Parse accepts are not ids).
func UUIDKey(s string) ([16]byte, bool) {
	if len(s) != 36 {
		return [16]byte{}, false
	}
	u, err := uuid.Parse(s)
	return u, err == nil
}

// FinishedColumns are the columns DecodeFinished reads, in its order.
const FinishedColumns = `start_at, end_at, body`

// DecodeFinished makes the incident of a row of FinishedColumns. Start and End come from
// the integer columns, in UTC, as fusion makes them.
func DecodeFinished(start, end int64, body []byte) (incident.Incident, error) {
	var inc incident.Incident
	if err := json.Unmarshal(body, &inc); err != nil {
		return incident.Incident{}, err
	}
	inc.Start, inc.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
	return inc, nil
}

// SelectFinished returns the query that lists the stored incidents q.Match
// selects, ordered as incident.Less orders them (start time, then id), at
// most q.Limit of them (all of them if q.Limit ≤ 0), and its arguments.
// The order and the From, To and After bounds come from the (start_at, id)
// index; the other filters are tested on the rows it yields.
func SelectFinished(q incident.Query) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !q.From.IsZero() {
		add("start_at >= $%d", q.From.UnixNano())
	}
	if !q.To.IsZero() {
		add("start_at < $%d", q.To.UnixNano())
	}
	if q.After != nil {
		args = append(args, q.After.Start.UnixNano(), q.After.ID)
		conds = append(conds, fmt.Sprintf("(start_at, id) > ($%d, $%d)", len(args)-1, len(args)))
	}
	if q.Domain != "" {
		add("domain = $%d", string(q.Domain))
	}
	if q.Kind != "" {
		add("kind = $%d", string(q.Kind))
	}
	if q.Status != "" {
		add("status = $%d", string(q.Status))
	}
	if q.Region != "" {
		add("region = $%d", q.Region)
	}
	if b := q.BBox; b != nil {
		add("lon >= $%d", b[0])
		add("lat >= $%d", b[1])
		add("lon <= $%d", b[2])
		add("lat <= $%d", b[3])
	}
	query := `SELECT ` + FinishedColumns + ` FROM finished_incidents`
	if len(conds) > 0 {
		query += ` WHERE ` + strings.Join(conds, " AND ")
	}
	query += ` ORDER BY start_at, id`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	return query, args
}

// Changed returns the rows whose body differs from the body stored under
// their id (stored maps the ids of those stored to their bodies): a replay
// that makes the same incidents again writes nothing.
func Changed(rows []FinishedRow, stored map[string][]byte) []FinishedRow {
	out := rows[:0:0]
	for _, r := range rows {
		if b, ok := stored[r.Inc.ID]; !ok || !bytes.Equal(b, r.Body) {
			out = append(out, r)
		}
	}
	return out
}
