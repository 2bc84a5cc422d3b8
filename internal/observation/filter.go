package observation

import "time"

// Scope says which observations a reader may see; auth.ObservationScope
// decides it, stores apply it. Exactly one form holds: All; Org (a
// monitoring organisation's own records, not parties'); Party (one party's
// own allegations). The zero Scope allows nothing.
type Scope struct {
	All   bool
	Org   string
	Party string
}

// Allows reports whether r is within the scope.
func (s Scope) Allows(r *Record) bool {
	switch {
	case s.All:
		return true
	case s.Party != "":
		return r.Party == s.Party
	case s.Org != "":
		return r.Party == "" && r.Organization == s.Org
	}
	return false
}

// Position is where a listing stopped: lists are ordered by observation time,
// then arrival.
type Position struct {
	ObservedAt time.Time
	Seq        int64
}

// Filter selects observations for a listing. Zero fields do not filter.
type Filter struct {
	From, To time.Time // observed_at in [From, To)
	Domain   Domain
	Kind     Kind
	Source   Source
	Scope    Scope     // required: the zero Scope lists nothing
	After    *Position // continue after this position
	Limit    int       // at most this many; stores cap it
	// ArrivalOrder lists by arrival (Position.Seq alone), which is also the
	// order of the records' ledger entries, instead of by observation time.
	ArrivalOrder bool
}
