package fusion

import (
	"truce/internal/derrors"
	"truce/internal/incident"
)

// IncidentOf returns the incident that holds the observation with id
// obsID, judged like Get's, or an error wrapping derrors.ErrNotFound. Records
// anchored to an observation (decisions, findings) follow their incident
// through it whatever later fusion does to the incident's id.
func (s *Service) IncidentOf(obsID string) (incident.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh()
	got, err := s.fuser.Get(obsID)
	if err != nil {
		return incident.Incident{}, err
	}
	inc, ok := s.byID[got.ID]
	if !ok {
		return incident.Incident{}, derrors.ErrNotFound
	}
	return s.judge(*inc), nil
}

// Match reports whether inc is selected by q's filters (time window, box,
// domain, kind, status, region) and comes after q.After. It lets a caller
// that lists incidents from its own index, such as those released to a
// viewer, filter and page them as List does; q.Limit is the caller's.
func (q Query) Match(inc *incident.Incident) bool {
	if !q.To.IsZero() && !inc.Start.Before(q.To) {
		return false
	}
	if q.After != nil && less(inc, q.After.Start, q.After.ID) <= 0 {
		return false
	}
	return q.matches(inc)
}

// Less orders incidents as List does: by start time, then id.
func Less(a, b *incident.Incident) int { return less(a, b.Start, b.ID) }
