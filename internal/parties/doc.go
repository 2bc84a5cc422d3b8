// Package parties runs the parties' loop (package finding's state machine)
// on the ledger: every transition of a finding is one record of type
// record.TypeFindingEvent, appended with its ledger entry in one
// transaction, and the service rebuilds the findings on start by replaying
// those records in order. A clock (Sweep, Run) expires findings at their
// reply deadline and releases them to the public when due, each move a
// record like any other. Every transition is published as a thin
// notify.Event to the audience that may see the finding afterwards.
//
// A finding is anchored to an observation of its incident (the incident's
// first when the finding is written), not to the incident's id, which
// changes when fusion regroups observations; the current incident is the
// one that holds the anchor.
package parties
