package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/record"
)

// ledgerRecord is one record with what ties it to the ledger: enough for a
// reader to check the record against its entry's commitment.
type ledgerRecord struct {
	Type   string          `json:"type"`
	ID     string          `json:"id"`
	Index  int64           `json:"index"`
	Salt   string          `json:"salt,omitempty"`   // base64, when the caller may read the record
	Record json.RawMessage `json:"record,omitempty"` // the canonical bytes, when the caller may read the record
}

// listLedgerRecords lists, in ledger order, every record of one type
// (?type=, observation by default) that the caller may read, with its
// index and salt: what `truce verify -token` checks.
func (h *Handler) listLedgerRecords(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	typ, limit, after := observation.EntryType, defaultLimit, int64(0)
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "type":
			typ = v
		case "limit":
			n, err := parseLimit(key, v)
			if err != nil {
				return err
			}
			limit = n
		case "cursor":
			p, err := decodeCursor(v)
			if err != nil {
				return err
			}
			after = p.Seq
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	var items []ledgerRecord
	var seqs []int64 // each item's position in its listing, for the cursor
	switch typ {
	case observation.EntryType:
		scope, err := auth.ObservationScope(u)
		if err != nil {
			return err
		}
		rows, err := h.store.ListObservations(r.Context(), observation.Filter{Scope: scope, ArrivalOrder: true,
			After: &observation.Position{Seq: after}, Limit: limit + 1})
		if err != nil {
			return err
		}
		for _, st := range rows {
			items = append(items, ledgerRecord{Type: typ, ID: st.ID, Index: st.LedgerIndex,
				Salt: base64.StdEncoding.EncodeToString(st.Salt), Record: st.Body})
			seqs = append(seqs, st.Seq)
		}
	case record.TypeIncidentDecision, record.TypeFindingEvent, record.TypeBulletin, record.TypeAlert:
		var rows []record.Stored
		var err error
		if typ == record.TypeIncidentDecision || typ == record.TypeFindingEvent { // the mission's records, drafts included
			if err := auth.ReadIncidents(u); err != nil {
				return err
			}
			rows, err = h.store.ListRecords(r.Context(), typ, after, limit+1)
		} else { // public-source records: anyone may read them
			rows, err = h.store.ListAirwarRecords(r.Context(), typ, after, limit+1)
		}
		if err != nil {
			return err
		}
		for _, st := range rows {
			items = append(items, ledgerRecord{Type: typ, ID: st.ID, Index: st.LedgerIndex,
				Salt: base64.StdEncoding.EncodeToString(st.Salt), Record: st.Body})
			seqs = append(seqs, st.Seq)
		}
	default:
		return derrors.Invalid("type", "must be one of %s, %s, %s, %s, %s", observation.EntryType, record.TypeIncidentDecision, record.TypeFindingEvent, record.TypeBulletin, record.TypeAlert)
	}
	page := struct {
		Items      []ledgerRecord `json:"items"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = encodeCursor(observation.Position{Seq: seqs[limit-1]})
	}
	if page.Items == nil {
		page.Items = []ledgerRecord{}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// recordProof answers an inclusion proof for a record by its type and id,
// in the tree of the latest checkpoint (or of size=N, if not larger). Anyone
// may ask: a record's type, id and entry are public. The record and its salt
// are included only when the caller may read the record.
func (h *Handler) recordProof(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	q := r.URL.Query()
	for key := range q {
		if key != "type" && key != "id" && key != "size" {
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	if t := q.Get("type"); t != observation.EntryType {
		return derrors.Invalid("type", "must be %s", observation.EntryType)
	}
	st, err := h.store.Observation(r.Context(), q.Get("id"), observation.Scope{All: true})
	if err != nil {
		return err
	}
	cp, err := h.store.LatestCheckpoint(r.Context())
	if errors.Is(err, ledger.ErrNotFound) {
		return derrors.Invalid("id", "the ledger has no checkpoint yet; try again shortly")
	}
	if err != nil {
		return err
	}
	size, err := ledger.CheckpointSize(cp)
	if err != nil {
		return err
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > size {
			return derrors.Invalid("size", "must be a tree size from 1 to the latest checkpoint's %d", size)
		}
		size = n
	}
	if st.LedgerIndex >= size {
		return derrors.Invalid("id", "the record's entry %d is not yet covered by a checkpoint of size %d; try again shortly", st.LedgerIndex, size)
	}
	proof, err := ledger.InclusionProof(r.Context(), h.store, st.LedgerIndex, size)
	if err != nil {
		return err
	}
	entries, err := h.store.ReadEntries(r.Context(), st.LedgerIndex, st.LedgerIndex+1)
	if err != nil {
		return err
	}
	if len(entries) != 1 {
		return errors.New("httpapi: record proof: entry missing")
	}
	resp := struct {
		ledgerRecord
		Size   int64    `json:"size"`
		Entry  string   `json:"entry"`
		Hashes []string `json:"hashes"`
	}{ledgerRecord: ledgerRecord{Type: observation.EntryType, ID: st.ID, Index: st.LedgerIndex}, Size: size, Entry: string(entries[0]), Hashes: []string{}}
	for _, hh := range proof {
		resp.Hashes = append(resp.Hashes, base64.StdEncoding.EncodeToString(hh[:]))
	}
	if scope, err := auth.ObservationScope(u); err == nil {
		var rec observation.Record
		if err := json.Unmarshal(st.Body, &rec); err != nil {
			return err
		}
		if scope.Allows(&rec) {
			resp.Record, resp.Salt = st.Body, base64.StdEncoding.EncodeToString(st.Salt)
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
