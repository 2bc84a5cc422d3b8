package fusion

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/uuid"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/record"
)

// Finished incidents. With a horizon (incident.Config.Horizon), the
// service's fuser hands over the incidents that can no longer change and
// forgets their observations, so memory is bounded by the time window,
// not by how many observations the store holds. The service keeps them in
// the store: every read (List, Get, IncidentOf) answers from memory and
// from the store together, and decisions about a finished incident are
// applied to its stored copy. Stored finished incidents are derived data,
// like the view in memory: a restart's replay of the ledger's records
// makes them again, and stores those that differ from the stored ones —
// none, when the records, the fusion rules and the horizon are those they
// were made with. When the rules or the horizon changed (the store's tag
// says), the replay deletes them all first, so that none made otherwise
// remains.

// FinishedStore keeps the incidents a fuser with a horizon finished.
type FinishedStore interface {
	// PutFinishedIncidents stores incidents, each replacing any stored
	// one with its id, and maps their observations to them.
	PutFinishedIncidents(ctx context.Context, incs []incident.Incident) error
	// ResetFinishedIncidents deletes them all and sets the tag that
	// FinishedTag returns: what they are made with.
	ResetFinishedIncidents(ctx context.Context, tag string) error
	FinishedTag(ctx context.Context) (string, error)
	FinishedIncident(ctx context.Context, id string) (incident.Incident, error)
	FinishedIncidentOf(ctx context.Context, obsID string) (incident.Incident, error)
	// ListFinishedIncidents returns those q.Match selects, in
	// incident.Less order, at most q.Limit.
	ListFinishedIncidents(ctx context.Context, q incident.Query) ([]incident.Incident, error)
	CountFinishedIncidents(ctx context.Context) (int64, error)
}

func (s *Service) horizon() bool { return s.cfg.Horizon > 0 }

// finishedTag says what the service makes finished incidents with.
func (s *Service) finishedTag() string {
	gate := s.cfg.Gate
	if gate == 0 {
		gate = incident.DefaultGate
	}
	return fmt.Sprintf("fusion %d, horizon %s, gate %g", incident.Version, s.cfg.Horizon, gate)
}

// checkFinished deletes the stored finished incidents when they were made
// otherwise than this service makes them, before a replay.
func (s *Service) checkFinished(ctx context.Context) error {
	if !s.horizon() {
		return nil
	}
	tag, err := s.store.FinishedTag(ctx)
	if err != nil || tag == s.finishedTag() {
		return err
	}
	s.log.InfoContext(ctx, "fusion: finished incidents made otherwise: making them again",
		slog.String("was", tag), slog.String("now", s.finishedTag()))
	return s.store.ResetFinishedIncidents(ctx, s.finishedTag())
}

// saveFinished stores the incidents the fuser finished, then drops them
// from the view. When the store refuses, they stay in the view and are
// tried again next time. The caller holds s.mu.
func (s *Service) saveFinished(ctx context.Context) error {
	if !s.horizon() {
		return nil
	}
	s.unsaved = append(s.unsaved, s.fuser.Finished()...)
	if len(s.unsaved) == 0 {
		return nil
	}
	if err := s.store.PutFinishedIncidents(ctx, s.unsaved); err != nil {
		for i := range s.unsaved {
			if s.byID[s.unsaved[i].ID] == nil {
				s.set(&s.unsaved[i])
			}
		}
		return err
	}
	for i := range s.unsaved {
		s.remove(s.unsaved[i].ID)
	}
	s.unsaved = nil
	return nil
}

// reapplyFinished applies a stored decision to the finished incident
// holding its first observation, during a replay. A merge or split naming
// a finished incident is skipped: the live view refused those, so one can
// only be here when the horizon was shorter than when it was made.
func (s *Service) reapplyFinished(ctx context.Context, d incident.Decision) error {
	if err := s.saveFinished(ctx); err != nil { // it may have just finished
		return err
	}
	fin, err := s.store.FinishedIncidentOf(ctx, d.Observations[0])
	if err != nil {
		return err
	}
	if d.Kind == incident.Merge || d.Kind == incident.Split {
		s.log.WarnContext(ctx, "fusion: a merge or split names a finished incident: skipped (was the horizon shortened?)",
			slog.String("incident", fin.ID), slog.String("kind", string(d.Kind)))
		return nil
	}
	d.Annotate(&fin)
	return s.store.PutFinishedIncidents(ctx, []incident.Incident{fin})
}

// decideFinished is Decide for the finished incident with id inc: status
// and attribution decisions apply to its stored copy; merges and splits
// are refused (ErrConflict). The caller holds s.mu.
func (s *Service) decideFinished(ctx context.Context, inc string, d incident.Decision, authorID int64) (incident.Incident, error) {
	fin, err := s.store.FinishedIncident(ctx, inc)
	if err != nil {
		return incident.Incident{}, fmt.Errorf("fusion: %w", err)
	}
	d.Observations = append([]string{fin.Observations[0]}, d.Observations...)
	if d.Kind == incident.SetStatus || d.Kind == incident.Attribute {
		d.Observations = d.Observations[:1]
	}
	if err := incident.ApplyFinished(&fin, d); err != nil {
		return incident.Incident{}, err
	}
	body, err := canonical(d)
	if err == nil {
		_, err = s.store.AppendRecord(ctx, record.TypeIncidentDecision, uuid.NewString(), authorID, body)
	}
	if err == nil {
		err = s.store.PutFinishedIncidents(ctx, []incident.Incident{fin})
	}
	if err != nil {
		// Memory and the store must hold what the ledger holds: rebuild
		// both from the records (which hold the decision if it was
		// appended).
		if lerr := s.load(context.WithoutCancel(ctx)); lerr != nil {
			s.log.ErrorContext(ctx, "fusion: reload after a failed decision", slog.Any("err", lerr))
		}
		return incident.Incident{}, fmt.Errorf("fusion: decision: %w", err)
	}
	return s.judge(fin), nil
}

// finishedConflict explains err, the fuser's refusal of decision d about
// a live incident: when d names an observation of a finished incident
// (which the fuser no longer holds, so it answered not found), that is a
// conflict, as a decision about the finished incident itself is.
func (s *Service) finishedConflict(ctx context.Context, d incident.Decision, err error) error {
	if !s.horizon() || !errors.Is(err, derrors.ErrNotFound) {
		return err
	}
	for _, o := range d.Observations {
		if fin, ferr := s.store.FinishedIncidentOf(ctx, o); ferr == nil {
			return fmt.Errorf("fusion: decision: observation %s is in incident %s, finished (older than the fusion horizon), which can no longer be merged or split: %w", o, fin.ID, derrors.ErrConflict)
		}
	}
	return err
}

// withFinished merges a page of live incidents (live, more: listLive's
// answer to q) with the finished incidents the store selects for q, in
// listing order. An incident that finished between the two reads may be
// in both: it is listed once.
func (s *Service) withFinished(ctx context.Context, q Query, live []incident.Incident, more bool) ([]incident.Incident, bool, error) {
	sq := q
	if q.Limit > 0 {
		sq.Limit = q.Limit + 1
	}
	fin, err := s.store.ListFinishedIncidents(ctx, sq)
	if err != nil {
		return nil, false, fmt.Errorf("fusion: %w", err)
	}
	s.mu.Lock()
	for i := range fin {
		fin[i] = s.judge(fin[i])
	}
	s.mu.Unlock()
	out := make([]incident.Incident, 0, len(live)+len(fin))
	i, j := 0, 0
	for i < len(live) || j < len(fin) {
		switch {
		case j == len(fin) || (i < len(live) && incident.Less(&live[i], &fin[j]) < 0):
			out = append(out, live[i])
			i++
		case i < len(live) && live[i].ID == fin[j].ID:
			out = append(out, fin[j])
			i++
			j++
		default:
			out = append(out, fin[j])
			j++
		}
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out, more = out[:q.Limit], true
	}
	return out, more, nil
}

// judgeFinished is judge for an incident read from the store; it takes
// s.mu.
func (s *Service) judgeFinished(inc incident.Incident) incident.Incident {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.judge(inc)
}
