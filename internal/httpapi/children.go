package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/person"
	"truce/internal/record"
)

// Children's cases: each version of a case is a ledger-covered record
// (personal data of a minor, in the ledger only as a salted commitment);
// only the mediator and the case's assigned caseworkers read it, every
// read is logged, and the public sees counts by status only.

const maxChildCaseBytes = 64 << 10

// eachRecord calls fn for every stored record of a type, in the order
// stored, a page at a time.
func (h *Handler) eachRecord(ctx context.Context, typ string, fn func(record.Stored) error) error {
	var seq int64
	for {
		recs, err := h.store.ListRecords(ctx, typ, seq, 1000)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
			seq = r.Seq
		}
		if len(recs) < 1000 {
			return nil
		}
	}
}

// childCases returns the latest version of every case, by case id.
func (h *Handler) childCases(ctx context.Context) (map[string]person.ChildCase, error) {
	latest := map[string]person.ChildCase{}
	err := h.eachRecord(ctx, record.TypeChildCase, func(r record.Stored) error {
		var c person.ChildCase
		if err := json.Unmarshal(r.Body, &c); err != nil {
			return err
		}
		latest[c.ID] = c
		return nil
	})
	return latest, err
}

// readChildCase decodes a case from the request body, strictly.
func readChildCase(w http.ResponseWriter, r *http.Request) (person.ChildCase, error) {
	var c person.ChildCase
	err := decodeStrict(w, r, maxChildCaseBytes, &c)
	return c, err
}

func (h *Handler) saveChildCase(ctx context.Context, c person.ChildCase, u *auth.User) error {
	if err := c.Validate(); err != nil {
		return err
	}
	body, err := c.Canonical()
	if err != nil {
		return err
	}
	_, err = h.store.AppendRecord(ctx, record.TypeChildCase, uuid.NewString(), u.ID, body)
	return err
}

// postChildCase opens a case. A caseworker who opens one is assigned to it;
// the mediator assigns caseworkers.
func (h *Handler) postChildCase(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	all, err := auth.ChildCases(u)
	if err != nil {
		return err
	}
	c, err := readChildCase(w, r)
	if err != nil {
		return err
	}
	c.ID, c.Version = uuid.NewString(), 1
	if !all {
		c.Caseworkers = []int64{u.ID}
	}
	if err := h.saveChildCase(r.Context(), c, u); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// visibleCase returns the case if u may read it; a case u may not read is
// not found, so its existence is not revealed.
func (h *Handler) visibleCase(ctx context.Context, u *auth.User, id string) (person.ChildCase, error) {
	all, err := auth.ChildCases(u)
	if err != nil {
		return person.ChildCase{}, err
	}
	cases, err := h.childCases(ctx)
	if err != nil {
		return person.ChildCase{}, err
	}
	c, ok := cases[id]
	if !ok || !all && !auth.AssignedTo(u, c.Caseworkers) {
		return person.ChildCase{}, derrors.ErrNotFound
	}
	return c, nil
}

// updateChildCase stores the next version of a case. Only the mediator
// changes who is assigned.
func (h *Handler) updateChildCase(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	cur, err := h.visibleCase(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	next, err := readChildCase(w, r)
	if err != nil {
		return err
	}
	next.ID, next.Version = cur.ID, cur.Version+1
	if u.Role != auth.Mediator {
		next.Caseworkers = cur.Caseworkers
	}
	if err := h.saveChildCase(r.Context(), next, u); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, next)
	return nil
}

// getChildCase answers one case, and logs the read.
func (h *Handler) getChildCase(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	c, err := h.visibleCase(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.store.LogAccess(r.Context(), u.ID, record.TypeChildCase, c.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// listChildCases answers the cases the caller may read, by id, a page at a
// time; every case answered is a logged read.
func (h *Handler) listChildCases(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	all, err := auth.ChildCases(u)
	if err != nil {
		return err
	}
	limit, after := defaultLimit, ""
	for key, vals := range r.URL.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "limit":
			if limit, err = parseLimit(key, v); err != nil {
				return err
			}
		case "cursor":
			b, err := base64.RawURLEncoding.DecodeString(v)
			if err != nil {
				return derrors.Invalid("cursor", "is not a cursor this server issued")
			}
			after = string(b)
		default:
			return derrors.Invalid(key, "unknown query parameter")
		}
	}
	cases, err := h.childCases(r.Context())
	if err != nil {
		return err
	}
	var ids []string
	for id, c := range cases {
		if id > after && (all || auth.AssignedTo(u, c.Caseworkers)) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	page := struct {
		Items      []person.ChildCase `json:"items"`
		NextCursor string             `json:"next_cursor,omitempty"`
	}{Items: []person.ChildCase{}}
	if len(ids) > limit {
		ids = ids[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(ids[limit-1]))
	}
	for _, id := range ids {
		if err := h.store.LogAccess(r.Context(), u.ID, record.TypeChildCase, id); err != nil {
			return err
		}
		page.Items = append(page.Items, cases[id])
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// childCaseCounts answers the number of cases by status: all the public
// sees of the registry.
func (h *Handler) childCaseCounts(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	cases, err := h.childCases(r.Context())
	if err != nil {
		return err
	}
	counts := map[person.ChildStatus]int{}
	for _, s := range person.ChildStatuses() {
		counts[s] = 0
	}
	for _, c := range cases {
		counts[c.Status]++
	}
	writeJSON(w, http.StatusOK, counts)
	return nil
}
