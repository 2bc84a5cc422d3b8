package agreement

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"truce/internal/derrors"
	"truce/internal/observation"
)

// Limits on an agreement. Parse and Validate refuse anything beyond them.
const (
	MaxBodyBytes   = 1 << 20 // the JSON body
	MaxTitle       = 200     // characters of the title
	MaxParties     = 10
	MaxTerms       = 100
	MaxKinds       = 32 // prohibited kinds per term
	MaxTargets     = 20 // target categories per term
	MaxZonePoints  = 10000
	MaxZoneRings   = 100 // rings per polygon
	MaxZonePolygon = 100 // polygons per zone
)

// Agreement is one version of a ceasefire agreement between parties. The
// server assigns ID, Version and Adopted; Parse leaves them zero.
type Agreement struct {
	ID      string   `json:"id"`
	Version int      `json:"version"`
	Title   string   `json:"title"`
	Parties []string `json:"parties"`
	Terms   []Term   `json:"terms"`
	// Adopted is when this version took effect in truce. An amendment may
	// not change how anything before its Adopted time is judged (see Amend).
	Adopted time.Time `json:"adopted"`
}

// Term is one obligation of an agreement: during [From, To), no incident of
// its Domains (and, when Kinds is set, of those kinds), inside its Zone when
// it has one, against its Targets when it has them.
type Term struct {
	ID      string               `json:"id"`
	Domains []observation.Domain `json:"domains"`
	From    time.Time            `json:"from"`
	To      time.Time            `json:"to"`
	// Kinds are the prohibited kinds; empty means every kind of Domains.
	Kinds []observation.Kind `json:"kinds,omitempty"`
	// Zone limits the term to a place; nil means everywhere.
	Zone *Zone `json:"zone,omitempty"`
	// Targets limits the term to incidents against these target
	// categories (see JudgeWith); empty means whatever the target.
	Targets []string `json:"targets,omitempty"`
}

// InForce reports whether t falls in the term's window [From, To).
func (t *Term) InForce(at time.Time) bool {
	return !at.Before(t.From) && at.Before(t.To)
}

var (
	partyRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	termIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	targetRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// Validate checks an agreement's content: title, parties and terms. It
// returns a *derrors.FieldError naming the first field at fault (such as
// "terms[1].zone.coordinates[0][0]"). It does not check ID, Version or
// Adopted, which the server assigns.
func (a *Agreement) Validate() error {
	if n := utf8.RuneCountInString(a.Title); a.Title == "" || n > MaxTitle || !utf8.ValidString(a.Title) {
		return derrors.Invalid("title", "must be 1 to %d characters", MaxTitle)
	}
	if len(a.Parties) < 2 || len(a.Parties) > MaxParties {
		return derrors.Invalid("parties", "must list 2 to %d parties", MaxParties)
	}
	for i, p := range a.Parties {
		if !partyRE.MatchString(p) {
			return derrors.Invalid(fmt.Sprintf("parties[%d]", i), "must be a party's two-letter code, such as UA or RU")
		}
		if slices.Contains(a.Parties[:i], p) {
			return derrors.Invalid(fmt.Sprintf("parties[%d]", i), "duplicate party %q", p)
		}
	}
	if len(a.Terms) == 0 || len(a.Terms) > MaxTerms {
		return derrors.Invalid("terms", "must hold 1 to %d terms", MaxTerms)
	}
	for i := range a.Terms {
		t := &a.Terms[i]
		if err := t.validate(fmt.Sprintf("terms[%d]", i)); err != nil {
			return err
		}
		for j := range i {
			if a.Terms[j].ID == t.ID {
				return derrors.Invalid(fmt.Sprintf("terms[%d].id", i), "duplicate term id %q", t.ID)
			}
		}
	}
	return nil
}

func (t *Term) validate(field string) error {
	if !termIDRE.MatchString(t.ID) {
		return derrors.Invalid(field+".id", "must be 1 to 64 letters, digits or ._- starting with a letter or digit")
	}
	if len(t.Domains) == 0 {
		return derrors.Invalid(field+".domains", "must name at least one of %v", observation.Domains())
	}
	for i, d := range t.Domains {
		if !slices.Contains(observation.Domains(), d) {
			return derrors.Invalid(fmt.Sprintf("%s.domains[%d]", field, i), "unknown domain %q, want one of %v", d, observation.Domains())
		}
		if slices.Contains(t.Domains[:i], d) {
			return derrors.Invalid(fmt.Sprintf("%s.domains[%d]", field, i), "duplicate domain %q", d)
		}
	}
	if t.From.IsZero() {
		return derrors.Invalid(field+".from", "is required (RFC 3339)")
	}
	if t.To.IsZero() {
		return derrors.Invalid(field+".to", "is required (RFC 3339)")
	}
	if !t.From.Before(t.To) {
		return derrors.Invalid(field+".to", "must be after from")
	}
	if len(t.Kinds) > MaxKinds {
		return derrors.Invalid(field+".kinds", "at most %d kinds", MaxKinds)
	}
	for i, k := range t.Kinds {
		d, ok := observation.DomainOf(k)
		if !ok {
			return derrors.Invalid(fmt.Sprintf("%s.kinds[%d]", field, i), "unknown kind %q", k)
		}
		if !slices.Contains(t.Domains, d) {
			return derrors.Invalid(fmt.Sprintf("%s.kinds[%d]", field, i), "kind %q belongs to domain %q, which the term does not name", k, d)
		}
		if slices.Contains(t.Kinds[:i], k) {
			return derrors.Invalid(fmt.Sprintf("%s.kinds[%d]", field, i), "duplicate kind %q", k)
		}
	}
	if t.Zone != nil {
		if err := t.Zone.validate(field + ".zone"); err != nil {
			return err
		}
	}
	if len(t.Targets) > MaxTargets {
		return derrors.Invalid(field+".targets", "at most %d target categories", MaxTargets)
	}
	for i, c := range t.Targets {
		if !targetRE.MatchString(c) {
			return derrors.Invalid(fmt.Sprintf("%s.targets[%d]", field, i), "must be a snake_case category such as energy_infrastructure")
		}
		if slices.Contains(t.Targets[:i], c) {
			return derrors.Invalid(fmt.Sprintf("%s.targets[%d]", field, i), "duplicate target %q", c)
		}
	}
	return nil
}

// ValidTarget reports whether c is well-formed as a target category
// (snake_case, such as "energy_infrastructure").
func ValidTarget(c string) bool { return targetRE.MatchString(c) }
