package auth

import (
	"strconv"

	"truce/internal/derrors"
	"truce/internal/finding"
)

// The release of findings and incidents in tiers (DESIGN.md, "Agreements
// and the parties' loop"; docs/parties.md). A finding's own visibility is
// finding.Visible; an incident is released to a viewer through the findings
// on it.

// FindingActor returns u as the parties' loop knows it: its role, its
// party's code for a party, and its id. A nil u is the public.
func FindingActor(u *User) finding.Actor {
	if u == nil {
		return finding.Actor{Role: finding.Public}
	}
	a := finding.Actor{Role: finding.Role(u.Role), ID: strconv.FormatInt(u.ID, 10)}
	if u.Role == Party {
		a.Party = u.Org
	}
	return a
}

// WriteFindings reports whether u may write findings on incidents:
// analysts and the mediator.
func WriteFindings(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Analyst, Mediator:
		return nil
	}
	return derrors.ErrForbidden
}

// ActOnFindings reports whether u may attempt a transition of a finding at
// all: any user with a token. The state machine (finding.Transition) then
// decides by role, party and state, answering derrors.ErrNotFound to whoever
// may not see the finding.
func ActOnFindings(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	return nil
}

// Release is how much of an incident a viewer sees.
type Release int

// The release tiers of an incident, from nothing to everything.
const (
	// Unreleased: the viewer does not see the incident.
	Unreleased Release = iota
	// ReleasedPublic: the public view, with locations rounded to 0.1°,
	// monitors pseudonymised and no narrative but released findings.
	ReleasedPublic
	// ReleasedParties: the first tier (the party concerned, then both
	// parties and the observers): exact locations, monitors pseudonymised,
	// no narrative but the findings released to the viewer.
	ReleasedParties
	// Internal: the mission's own view, as fusion and the analysts made it.
	Internal
)

// String returns the tier's name as the API shows it.
func (r Release) String() string {
	switch r {
	case ReleasedPublic:
		return "public"
	case ReleasedParties:
		return "parties"
	case Internal:
		return "internal"
	}
	return "unreleased"
}

// IncidentRelease says how u sees an incident with the given findings on it:
// analysts and the mediator see every incident whole (Internal). Anyone
// else sees it once one of its findings is visible to them
// (finding.Visible): a party once a finding concerning it was sent or any
// finding reached the observers, an observer from the observers' tier,
// both in the first tier (ReleasedParties); everyone else, the public
// without a token included, once a finding was released to the public, in
// the public tier.
func IncidentRelease(u *User, findings []finding.Finding) Release {
	if SeesIdentities(u) {
		return Internal
	}
	a := FindingActor(u)
	for i := range findings {
		if !finding.Visible(findings[i], a) {
			continue
		}
		if u != nil && (u.Role == Observer || u.Role == Party && a.Party != "") {
			return ReleasedParties
		}
		return ReleasedPublic
	}
	return Unreleased
}

// SeesIdentities reports whether u may see who reported: the monitors'
// organisations and the users behind records. Analysts and the mediator
// do; parties, observers and the public see stable pseudonyms instead.
func SeesIdentities(u *User) bool {
	return u != nil && (u.Role == Analyst || u.Role == Mediator)
}

// ReadAllegations says whose allegations (a party's own submissions) u may
// list: analysts and the mediator every party's (all), a party its own
// (party). Nobody else; never the public.
func ReadAllegations(u *User) (all bool, party string, err error) {
	if u == nil {
		return false, "", derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Analyst, Mediator:
		return true, "", nil
	case Party:
		return false, u.Org, nil
	}
	return false, "", derrors.ErrForbidden
}

// FindingAudience is who may learn of f as it stands, for its events:
// analysts and the mediator always; the party concerned once it was sent;
// every party and the observers once it reached the observers; everyone
// once it is public. It is finding.Visible as an Audience.
func FindingAudience(f finding.Finding) Audience {
	a := Audience{Roles: []Role{Analyst, Mediator}}
	if !f.SentAt.IsZero() {
		a.Parties = []string{f.Party}
	}
	if !f.ObserversAt.IsZero() {
		a.Roles = append(a.Roles, Party, Observer)
	}
	if !f.PublicAt.IsZero() {
		a.Public = true
	}
	return a
}
