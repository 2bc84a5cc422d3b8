package person

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/gowebpki/jcs"

	"truce/internal/derrors"
)

// ChildStatus is where a child's case stands.
type ChildStatus string

// The statuses of a child's case, in the order a case usually moves.
const (
	ChildMissing  ChildStatus = "missing"
	ChildLocated  ChildStatus = "located"
	ChildInReturn ChildStatus = "in_return"
	ChildReturned ChildStatus = "returned"
)

// ChildStatuses returns every status in order.
func ChildStatuses() []ChildStatus {
	return []ChildStatus{ChildMissing, ChildLocated, ChildInReturn, ChildReturned}
}

// Circumstances a case may record.
var circumstances = []string{"deportation", "forced_document_change", "adoption", "separation", "other"}

// ChildCase is one child's case in the registry: personal data of a
// minor, readable only by its assigned caseworkers and the mediator, every
// read logged; the public sees counts by status only.
type ChildCase struct {
	ID              string      `json:"id"`
	Version         int         `json:"version"`
	FamilyName      string      `json:"family_name"`
	GivenName       string      `json:"given_name"`
	Patronymic      string      `json:"patronymic,omitempty"`
	BirthDate       Date        `json:"birth_date"`
	Circumstances   []string    `json:"circumstances"`
	LastKnownPlace  string      `json:"last_known_place,omitempty"`
	GuardianContact string      `json:"guardian_contact,omitempty"`
	Status          ChildStatus `json:"status"`
	Caseworkers     []int64     `json:"caseworkers"` // the user ids of the assigned caseworkers
}

// Validate checks a case. Its errors name the field and never repeat the
// value.
func (c *ChildCase) Validate() error {
	for _, f := range []struct {
		name, v string
		max     int
		need    bool
	}{
		{"family_name", c.FamilyName, 200, true}, {"given_name", c.GivenName, 200, true}, {"patronymic", c.Patronymic, 200, false},
		{"last_known_place", c.LastKnownPlace, 500, false}, {"guardian_contact", c.GuardianContact, 500, false},
	} {
		if f.need && f.v == "" {
			return derrors.Invalid(f.name, "required")
		}
		if len(f.v) > f.max {
			return derrors.Invalid(f.name, "longer than %d bytes", f.max)
		}
	}
	if !slices.Contains(ChildStatuses(), c.Status) {
		return derrors.Invalid("status", "must be one of %v", ChildStatuses())
	}
	if len(c.Circumstances) > len(circumstances) {
		return derrors.Invalid("circumstances", "too many")
	}
	for i, x := range c.Circumstances {
		if !slices.Contains(circumstances, x) {
			return derrors.Invalid(fmt.Sprintf("circumstances[%d]", i), "must be one of %v", circumstances)
		}
	}
	if len(c.Caseworkers) > 20 {
		return derrors.Invalid("caseworkers", "at most 20")
	}
	return nil
}

// Canonical returns the case's RFC 8785 JSON: what is stored and what the
// ledger's commitment covers.
func (c *ChildCase) Canonical() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("person: child case: %w", err)
	}
	return jcs.Transform(b)
}
