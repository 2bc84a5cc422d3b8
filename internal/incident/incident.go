package incident

import (
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
)

// Incident is one real event as fusion and the analysts' decisions
// reconstruct it from the observations that describe it. Its JSON form is
// the contract in DESIGN.md ("Incident").
type Incident struct {
	// ID is derived from the smallest observation id among Observations
	// (see IncidentID), so anyone fusing the same records gets the same ids.
	ID     string             `json:"id"`
	Domain observation.Domain `json:"domain"`
	Kind   observation.Kind   `json:"kind"`
	// Start and End span the observed times of the incident's precise
	// observations (of all of them when none is precise).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Lat and Lon are the uncertainty-weighted mean position; nil when every
	// observation gives only a region.
	Lat     *float64 `json:"lat,omitempty"`
	Lon     *float64 `json:"lon,omitempty"`
	RadiusM float64  `json:"radius_m"`
	Region  string   `json:"region,omitempty"`
	// Observations are the ids of the incident's observations, sorted.
	Observations []string `json:"observations"`
	// Sources counts independent sources: distinct (organisation,
	// submitter, source) triples. Organizations counts distinct
	// organisations.
	Sources       int    `json:"sources"`
	Organizations int    `json:"organizations"`
	Count         Count  `json:"count"`
	Status        Status `json:"status"`
	// StatusReason is the analyst's reason for Status; empty for the
	// automatic statuses.
	StatusReason          string     `json:"status_reason,omitempty"`
	AttributedTo          string     `json:"attributed_to,omitempty"`
	AttributionConfidence Confidence `json:"attribution_confidence,omitempty"`
	// Violation is filled by the package that judges incidents against the
	// agreements; fusion leaves it nil.
	Violation *Violation `json:"violation"`
}

// Count is an estimate of how many munitions, craft or rounds an incident
// involved, as a range rather than a sum of duplicate reports.
type Count struct {
	Low  int `json:"low"`
	Best int `json:"best"`
	High int `json:"high"`
}

// Violation names the agreement and term an incident breaches.
type Violation struct {
	Agreement string `json:"agreement"`
	Term      string `json:"term"`
}

// Confidence grades an attribution.
type Confidence string

// The attribution confidences.
const (
	Low    Confidence = "low"
	Medium Confidence = "medium"
	High   Confidence = "high"
)

// ValidConfidence reports whether c is one of low, medium, high.
func ValidConfidence(c Confidence) bool { return c == Low || c == Medium || c == High }

// Status is where an incident stands in verification.
type Status string

// The statuses. Reported and Corroborated are set by fusion; Verified,
// Unverified and Refuted only by an analyst's decision.
const (
	// Reported: the observations come from one organisation, or only from
	// parties.
	Reported Status = "reported"
	// Corroborated: independent sources of at least two non-party
	// organisations agree.
	Corroborated Status = "corroborated"
	// Verified: an analyst confirmed the incident.
	Verified Status = "verified"
	// Unverified: an analyst looked and could not confirm it.
	Unverified Status = "unverified"
	// Refuted: an analyst found it did not happen as reported.
	Refuted Status = "refuted"
)

// Statuses returns every status in state-machine order.
func Statuses() []Status { return []Status{Reported, Corroborated, Verified, Unverified, Refuted} }

// ValidStatus reports whether s is a known status.
func ValidStatus(s Status) bool {
	for _, x := range Statuses() {
		if x == s {
			return true
		}
	}
	return false
}

// Actor says who moves an incident from one status to another.
type Actor int

// The actors of the state machine.
const (
	// Fusion is the automatic re-derivation of Reported/Corroborated from
	// the observations.
	Fusion Actor = iota + 1
	// Analyst is a person's decision, which always carries a reason.
	Analyst
)

// transitions is the state machine: from -> to -> who may make the move.
//
//	reported     -> corroborated                   fusion (independent organisations agree)
//	corroborated -> reported                       fusion (a split or re-fusion removed the corroboration)
//	reported, corroborated -> verified, unverified, refuted   analyst
//	verified, unverified, refuted -> the other two            analyst (a revision, with its reason)
//
// Nothing returns to reported or corroborated once an analyst has decided.
var transitions = map[Status]map[Status]Actor{
	Reported:     {Corroborated: Fusion, Verified: Analyst, Unverified: Analyst, Refuted: Analyst},
	Corroborated: {Reported: Fusion, Verified: Analyst, Unverified: Analyst, Refuted: Analyst},
	Verified:     {Unverified: Analyst, Refuted: Analyst},
	Unverified:   {Verified: Analyst, Refuted: Analyst},
	Refuted:      {Verified: Analyst, Unverified: Analyst},
}

// CanTransition reports whether actor may move an incident from status
// from to status to.
func CanTransition(from, to Status, actor Actor) bool {
	a, ok := transitions[from][to]
	return ok && a == actor
}

// Transition checks the move from -> to by actor. It returns an error
// wrapping derrors.ErrInvalid (a *derrors.FieldError on "status") when the
// state machine does not allow it.
func Transition(from, to Status, actor Actor) error {
	if !ValidStatus(to) {
		return derrors.Invalid("status", "must be one of %v", Statuses())
	}
	if !CanTransition(from, to, actor) {
		who := "fusion"
		if actor == Analyst {
			who = "an analyst"
		}
		return derrors.Invalid("status", "%s cannot move an incident from %s to %s", who, from, to)
	}
	return nil
}
