package person

import (
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/gowebpki/jcs"

	"truce/internal/derrors"
)

// List is one party's list of persons for one purpose (an exchange, a
// search), as it is stored: personal data, readable only by the roles that
// need it, and entering the ledger only as a salted commitment.
type List struct {
	Party   string   `json:"party"`   // the submitting party's code
	Purpose string   `json:"purpose"` // free text, e.g. "exchange 2025-06"
	Persons []Person `json:"persons"`
	// Caseworkers are the user ids of the caseworkers assigned to the list
	// when it was stored; the mediator may assign others later.
	Caseworkers []int64 `json:"caseworkers,omitempty"`
}

var partyRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks the list's own fields (the persons were checked when read).
func (l *List) Validate() error {
	if !partyRE.MatchString(l.Party) {
		return derrors.Invalid("party", "must be a two-letter party code such as UA or RU")
	}
	if len(l.Purpose) > 200 {
		return derrors.Invalid("purpose", "is longer than 200 bytes")
	}
	if len(l.Persons) == 0 {
		return derrors.Invalid("body", "the list holds no valid person")
	}
	return nil
}

// Canonical returns the list's RFC 8785 JSON: what is stored and what the
// ledger's commitment covers.
func (l *List) Canonical() ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("person: list: %w", err)
	}
	return jcs.Transform(b)
}
