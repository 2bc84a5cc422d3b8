// Package observation defines what a monitor (or a party) reports: the
// Observation, its closed vocabularies, its validation and its canonical
// form. It is plain Go: no SQL and no HTTP.
//
// The wire format is the contract in DESIGN.md ("Observation"). Parse turns
// one JSON object into a validated Observation or a *derrors.FieldError that
// names the field at fault; Canonical gives the deterministic bytes (RFC 8785)
// that content comparison and the ledger use; SigningBytes gives the bytes a
// submitter's Ed25519 signature covers.
package observation

import (
	"time"
)

// Domain is where an event happened: on land, at sea or in the air.
type Domain string

// The domains.
const (
	Land Domain = "land"
	Sea  Domain = "sea"
	Air  Domain = "air"
)

// Kind is what happened, from a closed vocabulary per domain.
type Kind string

// kinds maps each domain to the kinds it allows, in the order DESIGN.md lists them.
var kinds = map[Domain][]Kind{
	Land: {"explosion", "artillery", "mortar", "mlrs", "tank_fire", "small_arms", "ground_assault", "mine", "heavy_weapons_movement"},
	Air:  {"drone", "missile", "guided_bomb", "air_strike", "airspace_violation"},
	Sea:  {"naval_strike", "naval_drone", "mine_laying", "ship_movement"},
}

// Domains returns the domains in a fixed order.
func Domains() []Domain { return []Domain{Land, Sea, Air} }

// Kinds returns the kinds allowed in domain d (nil for an unknown domain).
func Kinds(d Domain) []Kind { return append([]Kind(nil), kinds[d]...) }

// ValidKind reports whether k belongs to domain d.
func ValidKind(d Domain, k Kind) bool {
	for _, x := range kinds[d] {
		if x == k {
			return true
		}
	}
	return false
}

// DomainOf returns the domain a kind belongs to, if any.
func DomainOf(k Kind) (Domain, bool) {
	for _, d := range Domains() {
		if ValidKind(d, k) {
			return d, true
		}
	}
	return "", false
}

// Source is how an observation was made.
type Source string

// The sources. Party marks an allegation by one of the parties.
const (
	Patrol     Source = "patrol"
	Camera     Source = "camera"
	UAV        Source = "uav"
	Acoustic   Source = "acoustic"
	Radar      Source = "radar"
	Satellite  Source = "satellite"
	Party      Source = "party"
	OpenSource Source = "open_source"
)

// Sources returns every source in a fixed order.
func Sources() []Source {
	return []Source{Patrol, Camera, UAV, Acoustic, Radar, Satellite, Party, OpenSource}
}

// ValidSource reports whether s is a known source.
func ValidSource(s Source) bool {
	for _, x := range Sources() {
		if x == s {
			return true
		}
	}
	return false
}

// Evidence is a hash of a piece of evidence held elsewhere (a photo, a
// recording); truce keeps only the hash.
type Evidence struct {
	SHA256    string `json:"sha256"`
	MediaType string `json:"media_type,omitempty"`
}

// Observation is one report of one event, as submitted. Lat and Lon are nil
// when only a region is given. Field order is alphabetical by JSON name so
// that encoding/json's output is already in canonical key order.
type Observation struct {
	AttributedTo         string     `json:"attributed_to,omitempty"`
	Count                int        `json:"count"`
	Domain               Domain     `json:"domain"`
	Evidence             []Evidence `json:"evidence,omitempty"`
	ID                   string     `json:"id"`
	Kind                 Kind       `json:"kind"`
	Lat                  *float64   `json:"lat,omitempty"`
	LocationUncertaintyM float64    `json:"location_uncertainty_m"`
	Lon                  *float64   `json:"lon,omitempty"`
	Narrative            string     `json:"narrative,omitempty"`
	ObservedAt           time.Time  `json:"observed_at"`
	Region               string     `json:"region,omitempty"`
	Signature            string     `json:"signature,omitempty"`
	Source               Source     `json:"source"`
	TimeUncertaintyS     float64    `json:"time_uncertainty_s"`
}

// HasPoint reports whether the observation gives coordinates.
func (o *Observation) HasPoint() bool { return o.Lat != nil && o.Lon != nil }

// Record is an accepted observation with what the server adds: who
// submitted it (derived from the token, never from the payload) and when it
// was accepted.
type Record struct {
	Observation
	// Organization is the submitter's organisation, or its party code for a
	// party's allegation.
	Organization string `json:"organization"`
	// SubmitterID is the submitting user's id.
	SubmitterID int64 `json:"submitter_id"`
	// AcceptedAt is when the store committed the record.
	AcceptedAt time.Time `json:"accepted_at"`
}
