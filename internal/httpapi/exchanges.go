package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/person"
	"truce/internal/record"
)

// Exchanges: commitments agreed at talks, tracked to completion in stages.
// Each commitment and each stage is a ledger record; a person returned in a
// stage shows as released on its list. The mediator records them; anyone
// may read the tallies, which hold counts, not persons.

func (h *Handler) postExchange(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ManageAgreements(u); err != nil {
		return err
	}
	var e person.Exchange
	if err := decodeStrict(w, r, 64<<10, &e); err != nil {
		return err
	}
	e.ID = uuid.NewString()
	if err := e.Validate(); err != nil {
		return err
	}
	body, err := person.Canonical(e)
	if err != nil {
		return err
	}
	if _, err := h.store.AppendRecord(r.Context(), record.TypeExchange, e.ID, u.ID, body); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

// exchangeBook is what the stored exchanges say: the commitments, their
// stages in order, and which persons have been returned.
type exchangeBook struct {
	exchanges []person.Exchange
	stages    []person.Stage
	returned  map[person.PersonRef]string // → the stage that returned the person
	lists     map[string]person.List      // the lists stages name, by id
}

func (h *Handler) loadExchanges(ctx context.Context) (*exchangeBook, error) {
	b := &exchangeBook{returned: map[person.PersonRef]string{}, lists: map[string]person.List{}}
	err := h.eachRecord(ctx, record.TypeExchange, func(r record.Stored) error {
		var e person.Exchange
		if err := json.Unmarshal(r.Body, &e); err != nil {
			return err
		}
		b.exchanges = append(b.exchanges, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = h.eachRecord(ctx, record.TypeExchangeStage, func(r record.Stored) error {
		var s person.Stage
		if err := json.Unmarshal(r.Body, &s); err != nil {
			return err
		}
		b.stages = append(b.stages, s)
		for _, p := range s.Persons {
			b.returned[p] = s.ID
		}
		return nil
	})
	return b, err
}

// list returns a stored person list, read once per book.
func (h *Handler) list(ctx context.Context, b *exchangeBook, id string) (person.List, error) {
	if l, ok := b.lists[id]; ok {
		return l, nil
	}
	rec, err := h.store.GetRecord(ctx, record.TypePersonList, id)
	if err != nil {
		return person.List{}, err
	}
	var l person.List
	if err := json.Unmarshal(rec.Body, &l); err != nil {
		return person.List{}, err
	}
	b.lists[id] = l
	return l, nil
}

func (h *Handler) postExchangeStage(w http.ResponseWriter, r *http.Request, u *auth.User) error {
	if err := auth.ManageAgreements(u); err != nil {
		return err
	}
	book, err := h.loadExchanges(r.Context())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(book.exchanges, func(e person.Exchange) bool { return e.ID == r.PathValue("id") })
	if i < 0 {
		return derrors.ErrNotFound
	}
	ex := book.exchanges[i]
	var s person.Stage
	if err := decodeStrict(w, r, 8<<20, &s); err != nil {
		return err
	}
	s.ID, s.Exchange = uuid.NewString(), ex.ID
	if s.At.IsZero() {
		s.At = h.now().UTC()
	}
	if err := s.Validate(); err != nil {
		return err
	}
	for k, p := range s.Persons {
		field := fmt.Sprintf("persons[%d]", k)
		l, err := h.list(r.Context(), book, p.List)
		if err != nil {
			return derrors.Invalid(field+".list", "no person list %s", p.List)
		}
		if !slices.ContainsFunc(l.Persons, func(x person.Person) bool { return x.ID == p.Person }) {
			return derrors.Invalid(field+".person", "not on list %s", p.List)
		}
		if _, ok := ex.Targets[l.Party]; !ok {
			return derrors.Invalid(field+".list", "a list of %s, not a party of this exchange", l.Party)
		}
		if stage, ok := book.returned[p]; ok {
			return derrors.Invalid(field, "already returned in stage %s", stage)
		}
	}
	body, err := person.Canonical(s)
	if err != nil {
		return err
	}
	if _, err := h.store.AppendRecord(r.Context(), record.TypeExchangeStage, s.ID, u.ID, body); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s)
	return nil
}

// exchangeTally is an exchange as the public sees it: counts, no persons.
type exchangeTally struct {
	person.Exchange
	Stages   []stageTally   `json:"stages"`
	Returned map[string]int `json:"returned"` // party → persons returned so far
	Complete bool           `json:"complete"` // every party's numeric target reached
}

type stageTally struct {
	ID       string         `json:"id"`
	At       string         `json:"at"`
	Returned map[string]int `json:"returned"`
}

func (h *Handler) listExchanges(w http.ResponseWriter, r *http.Request, _ *auth.User) error {
	book, err := h.loadExchanges(r.Context())
	if err != nil {
		return err
	}
	items := []exchangeTally{}
	for _, ex := range book.exchanges {
		t := exchangeTally{Exchange: ex, Stages: []stageTally{}, Returned: map[string]int{}}
		for p := range ex.Targets {
			t.Returned[p] = 0
		}
		for _, s := range book.stages {
			if s.Exchange != ex.ID {
				continue
			}
			st := stageTally{ID: s.ID, At: s.At.UTC().Format("2006-01-02T15:04:05Z07:00"), Returned: map[string]int{}}
			for _, p := range s.Persons {
				l, err := h.list(r.Context(), book, p.List)
				if err != nil {
					return err
				}
				st.Returned[l.Party]++
				t.Returned[l.Party]++
			}
			t.Stages = append(t.Stages, st)
		}
		t.Complete = true
		for p, n := range ex.Targets {
			if n == 0 || t.Returned[p] < n { // 0: no number to reach ("all …")
				t.Complete = false
			}
		}
		items = append(items, t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}
