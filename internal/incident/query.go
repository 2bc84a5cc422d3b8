package incident

import (
	"cmp"
	"time"

	"truce/internal/observation"
)

// Query selects incidents, as the incidents API's parameters do. Zero
// fields do not filter. Listings are ordered by start time, then id.
type Query struct {
	From, To time.Time   // Start in [From, To)
	BBox     *[4]float64 // min lon, min lat, max lon, max lat
	Domain   observation.Domain
	Kind     observation.Kind
	Status   Status
	Region   string
	After    *Position // continue after this position
	Limit    int       // at most this many; zero or less means no limit
}

// Position is where a listing stopped: incidents are listed by start time,
// then id.
type Position struct {
	Start time.Time
	ID    string
}

// Less orders incidents as listings do: by start time, then id.
func Less(a, b *Incident) int { return a.cmpPosition(b.Start, b.ID) }

func (a *Incident) cmpPosition(start time.Time, id string) int {
	if c := a.Start.Compare(start); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, id)
}

// Before reports whether position p comes before inc in listing order.
func (p Position) Before(inc *Incident) bool { return inc.cmpPosition(p.Start, p.ID) > 0 }

// Match reports whether inc is selected by q's filters (time window, box,
// domain, kind, status, region) and comes after q.After. q.Limit is the
// caller's.
func (q *Query) Match(inc *Incident) bool {
	if !q.To.IsZero() && !inc.Start.Before(q.To) {
		return false
	}
	if q.After != nil && !q.After.Before(inc) {
		return false
	}
	return q.Filters(inc)
}

// Filters reports whether inc passes q's filters other than To and After:
// From, the box, domain, kind, status and region.
func (q *Query) Filters(inc *Incident) bool {
	switch {
	case !q.From.IsZero() && inc.Start.Before(q.From),
		q.Domain != "" && inc.Domain != q.Domain,
		q.Kind != "" && inc.Kind != q.Kind,
		q.Status != "" && inc.Status != q.Status,
		q.Region != "" && inc.Region != q.Region:
		return false
	}
	if b := q.BBox; b != nil {
		if inc.Lat == nil || inc.Lon == nil || *inc.Lon < b[0] || *inc.Lat < b[1] || *inc.Lon > b[2] || *inc.Lat > b[3] {
			return false
		}
	}
	return true
}
