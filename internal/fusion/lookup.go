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
