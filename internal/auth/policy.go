package auth

import (
	"truce/internal/derrors"
	"truce/internal/observation"
)

// The policy. A nil *User is the public: a request without a valid token.
// Each function answers derrors.ErrUnauthenticated for the public where a
// token is needed, and derrors.ErrForbidden for a role that may not act.

// SubmitObservations reports whether u may post observations. Monitors and
// analysts submit observations; a party submits allegations, which intake
// marks with source "party" whatever the payload says.
func SubmitObservations(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Monitor, Analyst, Party:
		return nil
	}
	return derrors.ErrForbidden
}

// PrepareSubmission applies what the token says about an observation the
// user submits: the organisation and party come from the user, never from
// the payload, and a party's submission is an allegation.
func PrepareSubmission(u *User, o observation.Observation) observation.Record {
	r := observation.Record{Observation: o, Organization: u.Org, SubmitterID: u.ID}
	if u.Role == Party {
		r.Party = u.Org
		r.Source = observation.Party
	}
	return r
}

// ObservationScope returns the observations u may read: monitors their
// organisation's, analysts and the mediator all, a party its own
// allegations. Other roles and the public read none.
func ObservationScope(u *User) (observation.Scope, error) {
	if u == nil {
		return observation.Scope{}, derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Analyst, Mediator:
		return observation.Scope{All: true}, nil
	case Monitor:
		return observation.Scope{Org: u.Org}, nil
	case Party:
		return observation.Scope{Party: u.Org}, nil
	}
	return observation.Scope{}, derrors.ErrForbidden
}

// CosignCheckpoints reports whether u may post cosignatures of the ledger's
// checkpoints: witnesses only, with their registered key.
func CosignCheckpoints(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	if u.Role != Witness || u.WitnessKey == "" {
		return derrors.ErrForbidden
	}
	return nil
}

// ReadIncidents reports whether u may read incidents. For now the
// mission's analysts and the mediator do; the release of incidents to the
// parties, observers and the public comes with the parties' loop.
func ReadIncidents(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Analyst, Mediator:
		return nil
	}
	return derrors.ErrForbidden
}

// DecideIncidents reports whether u may merge, split, verify and attribute
// incidents: analysts and the mediator.
func DecideIncidents(u *User) error {
	return ReadIncidents(u)
}

// ManageAgreements reports whether u may adopt and amend ceasefire
// agreements: the mediator. Anyone, without a token too, may read them:
// they are what the parties signed.
func ManageAgreements(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	if u.Role != Mediator {
		return derrors.ErrForbidden
	}
	return nil
}

// PersonLists says whose person lists u may read: the mediator every list
// (all), a party its own party's (party), a caseworker the lists it is
// assigned to (the caller checks with AssignedTo). Person lists hold
// personal data: nobody else reads them, and the public never does.
func PersonLists(u *User) (all bool, party string, err error) {
	if u == nil {
		return false, "", derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Mediator:
		return true, "", nil
	case Caseworker:
		return false, "", nil
	case Party:
		return false, u.Org, nil
	}
	return false, "", derrors.ErrForbidden
}

// ChildCases says whose children's cases u may open and read: the mediator
// every case (all), a caseworker the cases it is assigned to (the caller
// checks the assignment with AssignedTo). Nobody else; never the public.
func ChildCases(u *User) (all bool, err error) {
	if u == nil {
		return false, derrors.ErrUnauthenticated
	}
	switch u.Role {
	case Mediator:
		return true, nil
	case Caseworker:
		return false, nil
	}
	return false, derrors.ErrForbidden
}

// AssignedTo reports whether u is among a case's assigned caseworkers.
func AssignedTo(u *User, caseworkers []int64) bool {
	for _, id := range caseworkers {
		if id == u.ID {
			return true
		}
	}
	return false
}
