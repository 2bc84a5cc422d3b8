// Package record defines the stored form shared by records other than
// observations — analysts' incident decisions now; agreements, findings,
// replies and releases later: canonical JSON under a ledger entry of the
// record's type.
package record

import "time"

// The ledger entry types of these records.
const (
	TypeIncidentDecision = "incident_decision"
	TypeAgreement        = "agreement"              // one version of a ceasefire agreement
	TypePersonList       = "person_list"            // a party's list of persons: personal data, never public
	TypeChildCase        = "child_case"             // one version of a child's case: personal data of a minor
	TypeExchange         = "exchange"               // a commitment to exchange persons, agreed at talks
	TypeExchangeStage    = "exchange_stage"         // one handover of an exchange
	TypeListAssignment   = "person_list_assignment" // the caseworkers assigned to a person list
	TypeBulletin         = "bulletin"               // an Air Force bulletin row (public source)
	TypeAlert            = "alert"                  // an air-raid alert (public source)
	TypeFindingEvent     = "finding_event"          // one transition of a finding in the parties' loop
)

// Stored is a record as a store keeps it.
type Stored struct {
	Seq         int64     // arrival order among records of its type
	Type        string    // its ledger entry type
	ID          string    // a UUID
	AuthorID    int64     // the user who made it
	AcceptedAt  time.Time // when the store accepted it; its entry's accepted_at
	Body        []byte    // canonical JSON (RFC 8785)
	Salt        []byte    // the salt of its entry's commitment
	LedgerIndex int64     // the index of its entry
}
