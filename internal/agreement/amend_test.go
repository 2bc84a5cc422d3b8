package agreement

import (
	"errors"
	"testing"

	"truce/internal/derrors"
	"truce/internal/observation"
)

func TestAmend(t *testing.T) {
	sea := []observation.Domain{observation.Sea}
	air := []observation.Domain{observation.Air}
	prev := Agreement{ID: "ag1", Version: 3, Title: "Black Sea", Parties: []string{"UA", "RU"}, Adopted: day(1), Terms: []Term{
		{ID: "sea", Domains: sea, From: day(2), To: day(20)},
		{ID: "later", Domains: air, From: day(15), To: day(25)},
		{ID: "ended", Domains: air, From: day(2), To: day(5)},
	}}
	// next returns prev's content adopted on day 10, changed by f.
	next := func(f func(a *Agreement)) Agreement {
		a := prev
		a.ID, a.Version, a.Adopted = "", 0, day(10)
		a.Terms = append([]Term(nil), prev.Terms...)
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		next  Agreement
		field string // "" when the amendment is allowed
	}{
		{"new title", next(func(a *Agreement) { a.Title = "Black Sea, amended" }), ""},
		{"parties in another order", next(func(a *Agreement) { a.Parties = []string{"RU", "UA"} }), ""},
		{"end a term now", next(func(a *Agreement) { a.Terms[0].To = day(10) }), ""},
		{"extend a term", next(func(a *Agreement) { a.Terms[0].To = day(28) }), ""},
		{"change a term not begun", next(func(a *Agreement) { a.Terms[1].Domains = sea; a.Terms[1].From = day(12) }), ""},
		{"remove a term not begun", next(func(a *Agreement) { a.Terms = a.Terms[:1:1]; a.Terms = append(a.Terms, prev.Terms[2]) }), ""},
		{"add a future term", next(func(a *Agreement) {
			a.Terms = append(a.Terms, Term{ID: "new", Domains: air, From: day(10), To: day(11)})
		}), ""},
		{"other parties", next(func(a *Agreement) { a.Parties = []string{"UA", "BY"} }), "parties"},
		{"remove a term begun", next(func(a *Agreement) { a.Terms = a.Terms[1:] }), "terms"},
		{"end a term in the past", next(func(a *Agreement) { a.Terms[0].To = day(9) }), "terms[0].to"},
		{"revive an ended term", next(func(a *Agreement) { a.Terms[2].To = day(12) }), "terms[2].to"},
		{"change domains of a term begun", next(func(a *Agreement) { a.Terms[0].Domains = air }), "terms[0].domains"},
		{"move from of a term begun", next(func(a *Agreement) { a.Terms[0].From = day(3) }), "terms[0].from"},
		{"add kinds to a term begun", next(func(a *Agreement) { a.Terms[0].Kinds = []observation.Kind{"naval_strike"} }), "terms[0].kinds"},
		{"add a zone to a term begun", next(func(a *Agreement) {
			a.Terms[0].Zone = &Zone{Type: "Polygon", Polygons: [][][][2]float64{{square(31, 46, 1)}}}
		}), "terms[0].zone"},
		{"add targets to a term begun", next(func(a *Agreement) { a.Terms[0].Targets = []string{"port"} }), "terms[0].targets"},
		{"move a term not begun into the past", next(func(a *Agreement) { a.Terms[1].From = day(9) }), "terms[1].from"},
		{"add a retroactive term", next(func(a *Agreement) {
			a.Terms = append(a.Terms, Term{ID: "new", Domains: air, From: day(9), To: day(11)})
		}), "terms[3].from"},
		{"adopted not after previous", next(func(a *Agreement) { a.Adopted = day(1) }), "adopted"},
		{"another id", next(func(a *Agreement) { a.ID = "ag2" }), "id"},
		{"wrong version", next(func(a *Agreement) { a.Version = 5 }), "version"},
		{"invalid content", next(func(a *Agreement) { a.Title = "" }), "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Amend(prev, tt.next)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want the amendment allowed", err)
				}
				if got.ID != "ag1" || got.Version != 4 {
					t.Errorf("got id %q version %d, want ag1 version 4", got.ID, got.Version)
				}
				return
			}
			var fe *derrors.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("got %v, want an invalid field %q", err, tt.field)
			}
		})
	}
}
