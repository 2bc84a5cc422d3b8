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
// when only a region is given.
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
	// Organization is the submitter's organisation (a party's code for a
	// party's allegation).
	Organization string `json:"organization"`
	// Party is the party's code when a party submitted the record as an
	// allegation, else empty.
	Party string `json:"party,omitempty"`
	// SubmitterID is the submitting user's id.
	SubmitterID int64 `json:"submitter_id"`
	// AcceptedAt is when the store committed the record.
	AcceptedAt time.Time `json:"accepted_at"`
}

// EntryType is the type of an observation's ledger entry.
const EntryType = "observation"

// Outcome is what storing one record did.
type Outcome int

// The outcomes of storing a record.
const (
	// Created: the record is new and now stored.
	Created Outcome = iota + 1
	// Duplicate: a record with the same id and the same content was already
	// stored; nothing changed.
	Duplicate
	// Conflict: a record with the same id but other content was already
	// stored; nothing changed.
	Conflict
)

// Prepared is a record ready to be stored: with its canonical bytes and
// content hash computed, which is work done before (and outside) the
// write transaction.
type Prepared struct {
	Record
	Body        []byte   // Record.Canonical
	ContentHash [32]byte // Observation.ContentHash
}

// Prepare computes what storing r needs.
func Prepare(r Record) Prepared {
	return Prepared{Record: r, Body: r.Canonical(), ContentHash: r.Observation.ContentHash()}
}

// Stored is a record as a store returns it: its canonical bytes (Body, the
// JSON every reader gets) and the keys it is listed by.
type Stored struct {
	Seq         int64     // arrival order in this store
	ID          string    // the observation id
	ObservedAt  time.Time // for time filters and cursors
	Body        []byte    // Record.Canonical
	LedgerIndex int64     // the index of its ledger entry
	Salt        []byte    // the salt of the entry's commitment to Body
}
