package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/observation"
	"truce/internal/person"
	"truce/internal/record"
)

// maxPersonListBytes bounds an uploaded person list (CSV).
const maxPersonListBytes = 16 << 20

// personList is a stored list as the API shows it.
type personList struct {
	ID         string    `json:"id"`
	AcceptedAt time.Time `json:"accepted_at"`
	person.List
}

// postPersons stores a person list (CSV with the columns of
// person.Columns) for a party: a party's token submits its own list; the
// mediator and caseworkers name the party with ?party=. Bad rows are
// reported with their line and field, and the good ones are stored.
func (h *Handler) postPersons(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	all, own, err := auth.PersonLists(u)
	if err != nil {
		return err
	}
	caseworker := u.Role == auth.Caseworker
	l := person.List{Party: own}
	if caseworker {
		l.Caseworkers = []int64{u.ID} // assigned to what it submits
	}
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "party":
			if !all && !caseworker && v != own {
				return derrors.Invalid("party", "a party submits its own lists only")
			}
			l.Party = v
		case "purpose":
			l.Purpose = v
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	ps, bad, err := person.ReadAll(r.Context(), http.MaxBytesReader(w, r.Body, maxPersonListBytes), person.Limits{MaxBytes: maxPersonListBytes})
	if err != nil {
		return err
	}
	l.Persons = ps
	if err := l.Validate(); err != nil {
		return err
	}
	body, err := l.Canonical()
	if err != nil {
		return err
	}
	st, err := h.store.AppendRecord(r.Context(), record.TypePersonList, uuid.NewString(), u.ID, body)
	if err != nil {
		return err
	}
	resp := struct {
		ID       string     `json:"id"`
		Party    string     `json:"party"`
		Persons  int        `json:"persons"`
		Rejected []apiError `json:"rejected"`
	}{ID: st.ID, Party: l.Party, Persons: len(ps), Rejected: []apiError{}}
	for _, b := range bad {
		_, e := errorStatus(b.Err)
		e.Message = "line " + strconv.Itoa(b.Line) + ": " + e.Message
		resp.Rejected = append(resp.Rejected, e)
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// listPersons answers the person lists the caller may read, oldest first,
// a page of lists at a time.
func (h *Handler) listPersons(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	all, own, err := auth.PersonLists(u)
	if err != nil {
		return err
	}
	limit, after := 10, int64(0)
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "limit":
			if limit, err = parseLimit(key, v); err != nil {
				return err
			}
			limit = min(limit, 100)
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
	book, err := h.loadExchanges(r.Context()) // who has been returned since a list was submitted
	if err != nil {
		return err
	}
	assigned, err := h.listAssignments(r.Context())
	if err != nil {
		return err
	}
	page := struct {
		Items      []personList `json:"items"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}{Items: []personList{}}
	for len(page.Items) < limit {
		recs, err := h.store.ListRecords(r.Context(), record.TypePersonList, after, limit)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			after = rec.Seq
			var l person.List
			if err := json.Unmarshal(rec.Body, &l); err != nil {
				return err
			}
			if canReadList(u, all, own, rec.ID, l, assigned) {
				for i, p := range l.Persons {
					if _, ok := book.returned[person.PersonRef{List: rec.ID, Person: p.ID}]; ok {
						l.Persons[i].Status = person.Released
					}
				}
				page.Items = append(page.Items, personList{ID: rec.ID, AcceptedAt: rec.AcceptedAt, List: l})
				if len(page.Items) == limit {
					page.NextCursor = encodeCursor(observation.Position{Seq: after})
					break
				}
			}
		}
		if len(recs) < limit {
			break
		}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// canReadList applies auth.PersonLists to one list: the mediator (all),
// the list's own party, or a caseworker assigned to it — by the latest
// assignment if the mediator made one, else as the list was stored.
func canReadList(u *auth.User, all bool, own, id string, l person.List, assigned map[string][]int64) bool {
	switch {
	case all:
		return true
	case own != "":
		return l.Party == own
	case u.Role == auth.Caseworker:
		cws, ok := assigned[id]
		if !ok {
			cws = l.Caseworkers
		}
		return auth.AssignedTo(u, cws)
	}
	return false
}

// listAssignment is the mediator's assignment of caseworkers to a list.
type listAssignment struct {
	List        string  `json:"list"`
	Caseworkers []int64 `json:"caseworkers"`
}

// listAssignments returns the latest assignment of every list that has one.
func (h *Handler) listAssignments(ctx context.Context) (map[string][]int64, error) {
	out := map[string][]int64{}
	err := h.eachRecord(ctx, record.TypeListAssignment, func(r record.Stored) error {
		var a listAssignment
		if err := json.Unmarshal(r.Body, &a); err != nil {
			return err
		}
		out[a.List] = a.Caseworkers
		return nil
	})
	return out, err
}

// assignCaseworkers sets the caseworkers assigned to a list (the mediator).
func (h *Handler) assignCaseworkers(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ManageAgreements(u); err != nil { // the mediator
		return err
	}
	if _, err := h.store.GetRecord(r.Context(), record.TypePersonList, r.PathValue("id")); err != nil {
		return err
	}
	var a listAssignment
	if err := decodeStrict(w, r, 4096, &a); err != nil {
		return err
	}
	if len(a.Caseworkers) > 50 {
		return derrors.Invalid("caseworkers", "at most 50")
	}
	a.List = r.PathValue("id")
	if a.Caseworkers == nil {
		a.Caseworkers = []int64{}
	}
	body, err := person.Canonical(a)
	if err != nil {
		return err
	}
	if _, err := h.store.AppendRecord(r.Context(), record.TypeListAssignment, uuid.NewString(), u.ID, body); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// reconcileRequest names the stored lists to reconcile.
type reconcileRequest struct {
	A       string `json:"a"`
	B       string `json:"b"`
	History string `json:"history"` // optional: a list of persons already exchanged
}

// reconcilePersons matches two stored person lists (and flags persons in an
// earlier exchange's list): the mediator and caseworkers, who may read every
// list. The result holds the lists' person ids, never names.
func (h *Handler) reconcilePersons(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	all, _, err := auth.PersonLists(u)
	if err != nil {
		return err
	}
	if !all && u.Role != auth.Caseworker {
		return derrors.ErrForbidden // a party may not read the other party's list
	}
	assigned, err := h.listAssignments(r.Context())
	if err != nil {
		return err
	}
	var req reconcileRequest
	if err := decodeStrict(w, r, 4096, &req); err != nil {
		return err
	}
	load := func(field, id string) ([]person.Person, error) {
		if id == "" {
			return nil, nil
		}
		rec, err := h.store.GetRecord(r.Context(), record.TypePersonList, id)
		if err != nil {
			return nil, derrors.Invalid(field, "no person list %s", id)
		}
		var l person.List
		if err := json.Unmarshal(rec.Body, &l); err != nil {
			return nil, err
		}
		if !canReadList(u, all, "", id, l, assigned) {
			return nil, derrors.Invalid(field, "no person list %s", id) // as if absent
		}
		return l.Persons, nil
	}
	if req.A == "" || req.B == "" {
		return derrors.Invalid("a", "a and b are required: the ids of two stored lists")
	}
	a, err := load("a", req.A)
	if err != nil {
		return err
	}
	b, err := load("b", req.B)
	if err != nil {
		return err
	}
	hist, err := load("history", req.History)
	if err != nil {
		return err
	}
	res, err := person.Reconcile(r.Context(), a, b, hist, person.Options{})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
