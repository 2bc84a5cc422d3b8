package fusion

import (
	"context"
	"errors"
	"fmt"

	"truce/internal/derrors"
	"truce/internal/incident"
)

// IncidentOf returns the incident that holds the observation with id
// obsID, judged like Get's, or an error wrapping derrors.ErrNotFound. Records
// anchored to an observation (decisions, findings) follow their incident
// through it whatever later fusion does to the incident's id.
func (s *Service) IncidentOf(ctx context.Context, obsID string) (incident.Incident, error) {
	s.mu.Lock()
	s.fresh(ctx)
	got, err := s.fuser.Get(obsID)
	var inc *incident.Incident
	var v incident.Incident
	if err == nil {
		inc = s.byID[got.ID]
		if inc != nil {
			v = s.judge(*inc)
		}
	}
	s.mu.Unlock()
	switch {
	case inc != nil:
		return v, nil
	case err == nil:
		return incident.Incident{}, derrors.ErrNotFound
	case !s.horizon() || !errors.Is(err, derrors.ErrNotFound):
		return incident.Incident{}, err
	}
	fin, err := s.store.FinishedIncidentOf(ctx, obsID)
	if err != nil {
		return incident.Incident{}, fmt.Errorf("fusion: %w", err)
	}
	return s.judgeFinished(fin), nil
}
