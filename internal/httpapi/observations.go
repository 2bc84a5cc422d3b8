package httpapi

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/observation"
)

// result is one line's answer in a batch.
type result struct {
	Line   int       `json:"line"`
	ID     string    `json:"id,omitempty"`
	Status string    `json:"status"` // created, duplicate, conflict, rejected
	Error  *apiError `json:"error,omitempty"`
}

// batchResponse answers a batch: 200 when every line was accepted (created
// or duplicate), 207 when some were not.
type batchResponse struct {
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Results  []result `json:"results"`
}

var outcomeNames = map[observation.Outcome]string{
	observation.Created: "created", observation.Duplicate: "duplicate", observation.Conflict: "conflict",
}

func conflictError(id string) error {
	return &derrors.FieldError{Field: "id", Message: "an observation with id " + id + " and different content already exists", Err: derrors.ErrConflict}
}

func (h *Handler) postObservations(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.SubmitObservations(u); err != nil {
		return err
	}
	items, batch, err := readItems(r, http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		return err
	}
	h.m.batchSize.Observe(float64(len(items)))
	h.prepare(items, u, h.now().UTC())

	var good []observation.Prepared
	for i := range items {
		if items[i].err == nil {
			good = append(good, items[i].prep)
		}
	}
	outcomes, err := h.writer.Write(r.Context(), good)
	if err != nil {
		return err
	}
	for i, j := 0, 0; i < len(items); i++ {
		if items[i].err == nil {
			items[i].outcome = outcomes[j]
			j++
			h.m.observations.Add(1, outcomeNames[items[i].outcome])
		} else {
			h.m.observations.Add(1, "rejected")
		}
	}

	if !batch {
		it := items[0]
		switch {
		case it.err != nil:
			return it.err
		case it.outcome == observation.Conflict:
			return conflictError(it.prep.ID)
		case it.outcome == observation.Created:
			writeJSON(w, http.StatusCreated, result{Line: 1, ID: it.prep.ID, Status: "created"})
		default:
			writeJSON(w, http.StatusOK, result{Line: 1, ID: it.prep.ID, Status: "duplicate"})
		}
		return nil
	}

	resp := batchResponse{Results: make([]result, len(items))}
	for i, it := range items {
		res := result{Line: it.line, ID: it.prep.ID, Status: outcomeNames[it.outcome]}
		err := it.err
		if err == nil && it.outcome == observation.Conflict {
			err = conflictError(it.prep.ID)
		}
		if err != nil {
			_, body := errorStatus(err)
			res.Error = &body
			if res.Status == "" {
				res.Status = "rejected"
			}
			resp.Rejected++
		} else {
			resp.Accepted++
		}
		resp.Results[i] = res
	}
	status := http.StatusOK
	if resp.Rejected > 0 {
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, resp)
	return nil
}

func (h *Handler) getObservation(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	scope, err := auth.ObservationScope(u)
	if err != nil {
		return err
	}
	st, err := h.store.Observation(r.Context(), r.PathValue("id"), scope)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(st.Body, '\n'))
	return nil
}

// List paging. Every list endpoint answers {"items": [...], "next_cursor": "..."};
// next_cursor is absent on the last page.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

func (h *Handler) listObservations(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	scope, err := auth.ObservationScope(u)
	if err != nil {
		return err
	}
	f, err := parseObservationFilter(r)
	if err != nil {
		return err
	}
	f.Scope = scope
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	rows, err := h.store.ListObservations(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		next = encodeCursor(observation.Position{ObservedAt: last.ObservedAt, Seq: last.Seq})
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"items":[`)
	for i, st := range rows {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(st.Body)
	}
	bw.WriteString(`]`)
	if next != "" {
		fmt.Fprintf(bw, `,"next_cursor":%q`, next)
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// parseObservationFilter reads the list query. Unknown parameters are an
// error: a mistyped filter must not silently widen the answer.
func parseObservationFilter(r *http.Request) (observation.Filter, error) {
	f := observation.Filter{Limit: defaultLimit}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		var err error
		switch key {
		case "from":
			f.From, err = parseTime(key, v)
		case "to":
			f.To, err = parseTime(key, v)
		case "domain":
			f.Domain, err = parseDomain(key, v)
		case "kind":
			f.Kind, err = parseKind(key, v)
		case "source":
			f.Source = observation.Source(v)
			if !observation.ValidSource(f.Source) {
				err = derrors.Invalid(key, "must be one of %v", observation.Sources())
			}
		case "limit":
			f.Limit, err = parseLimit(key, v)
		case "cursor":
			var p observation.Position
			p, err = decodeCursor(v)
			f.After = &p
		default:
			err = derrors.Invalid(key, "unknown query parameter")
		}
		if err != nil {
			return f, err
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, derrors.Invalid("to", "must be after from")
	}
	return f, nil
}

// A cursor is opaque to clients: base64url of "o1:<unix ns>:<seq>".
func encodeCursor(p observation.Position) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "o1:%d:%d", p.ObservedAt.UnixNano(), p.Seq))
}

func decodeCursor(s string) (observation.Position, error) {
	bad := derrors.Invalid("cursor", "is not a cursor this server issued")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return observation.Position{}, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "o1" {
		return observation.Position{}, bad
	}
	ns, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return observation.Position{}, bad
	}
	return observation.Position{ObservedAt: time.Unix(0, ns).UTC(), Seq: seq}, nil
}
