package person

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/gowebpki/jcs"

	"truce/internal/derrors"
)

// Exchange is a commitment agreed at talks ("1,000 for 1,000", "all
// severely wounded", "6,000 for 6,000" remains), tracked to completion in
// stages. Targets count the persons to be returned to each party; a target
// of 0 is a commitment without a number ("all severely wounded"), which the
// tallies count but never call complete.
type Exchange struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Category Category       `json:"category"`
	Targets  map[string]int `json:"targets"` // party code → persons to be returned to it
}

// Stage is one handover of an exchange: the persons returned, each named by
// a stored list (whose party is the one the person is returned to) and the
// person's id on that list.
type Stage struct {
	ID       string      `json:"id"`
	Exchange string      `json:"exchange"`
	At       time.Time   `json:"at"`
	Persons  []PersonRef `json:"persons"`
}

// PersonRef names a person on a stored list.
type PersonRef struct {
	List   string `json:"list"`
	Person string `json:"person"`
}

var codeRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks an exchange's own fields.
func (e *Exchange) Validate() error {
	if e.Title == "" || len(e.Title) > 200 {
		return derrors.Invalid("title", "must be 1 to 200 bytes")
	}
	if _, err := ParseCategory(string(e.Category)); err != nil {
		return derrors.Invalid("category", "must be pow, civilian, remains or child")
	}
	if len(e.Targets) == 0 || len(e.Targets) > 10 {
		return derrors.Invalid("targets", "must name 1 to 10 parties")
	}
	for p, n := range e.Targets {
		if !codeRE.MatchString(p) {
			return derrors.Invalid("targets", "keys must be two-letter party codes")
		}
		if n < 0 || n > 1_000_000 {
			return derrors.Invalid("targets."+p, "must be from 0 (no number: \"all …\") to 1000000")
		}
	}
	return nil
}

// Validate checks a stage's own fields; that the persons exist and were
// not returned before is the caller's to check against the stored lists.
func (s *Stage) Validate() error {
	if len(s.Persons) == 0 || len(s.Persons) > 100_000 {
		return derrors.Invalid("persons", "must name 1 to 100000 persons")
	}
	seen := map[PersonRef]bool{}
	for i, p := range s.Persons {
		if p.List == "" || p.Person == "" {
			return derrors.Invalid(fmt.Sprintf("persons[%d]", i), "list and person are required")
		}
		if seen[p] {
			return derrors.Invalid(fmt.Sprintf("persons[%d]", i), "named twice in this stage")
		}
		seen[p] = true
	}
	return nil
}

// Canonical returns v's RFC 8785 JSON, for storing exchanges and stages.
func Canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("person: canonical: %w", err)
	}
	return jcs.Transform(b)
}
