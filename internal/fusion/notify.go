package fusion

import (
	"time"

	"github.com/google/uuid"

	"truce/internal/auth"
	"truce/internal/incident"
	"truce/internal/notify"
)

// Publisher takes the events the service publishes (package notify's hub).
type Publisher interface {
	Publish(notify.Event)
}

// MaxCreatedEvents is the most incident.created events one refresh of the
// view publishes. A refresh that finds more new incidents (a large import)
// publishes one incidents.created event with their count instead, so that
// receivers are told once and list the incidents through the API.
const MaxCreatedEvents = 20

// announcer publishes the incidents fusion creates.
type announcer struct {
	pub Publisher
	now func() time.Time
}

// Notify makes the service publish an incident.created event (audience:
// auth.IncidentsAudience) for each incident fusion creates from now on,
// coalesced per refresh of the view (see MaxCreatedEvents). With a
// publisher set, Run brings the view up to date at each tick rather than
// at the next read, so that events go out within one interval. Incidents
// made by replaying the store (Load) and by analysts' decisions (splits)
// are not announced. now is the clock (time.Now if nil).
func (s *Service) Notify(p Publisher, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.announcer = &announcer{pub: p, now: now}
	if p == nil {
		s.announcer = nil
	}
}

// announce publishes the incidents among changed that are new: not in the
// view yet, and not a renamed incident (one whose observations belonged to
// a removed incident, as when a smaller observation id joins it). The
// caller holds s.mu and calls it before the view takes the changes.
func (s *Service) announce(changed []incident.Incident, removed []string) {
	a := s.announcer
	if a == nil || len(changed) == 0 {
		return
	}
	var was map[string]bool // observations of removed incidents
	for _, id := range removed {
		if old, ok := s.byID[id]; ok {
			if was == nil {
				was = map[string]bool{}
			}
			for _, o := range old.Observations {
				was[o] = true
			}
		}
	}
	var created []string
	for i := range changed {
		inc := &changed[i]
		if _, ok := s.byID[inc.ID]; ok {
			continue
		}
		renamed := false
		for _, o := range inc.Observations {
			if was[o] {
				renamed = true
				break
			}
		}
		if !renamed {
			created = append(created, inc.ID)
		}
	}
	if len(created) == 0 {
		return
	}
	at := a.now().UTC()
	if len(created) > MaxCreatedEvents {
		a.pub.Publish(notify.Event{ID: uuid.NewString(), Type: notify.IncidentsCreated, At: at, Count: len(created), Audience: auth.IncidentsAudience()})
		return
	}
	for _, id := range created {
		a.pub.Publish(notify.Event{ID: uuid.NewString(), Type: notify.IncidentCreated, Subject: id, At: at, Audience: auth.IncidentsAudience()})
	}
}

// absorbQuietly is absorb without announcing: for replays and decisions.
// The caller holds s.mu.
func (s *Service) absorbQuietly() {
	a := s.announcer
	s.announcer = nil
	defer func() { s.announcer = a }()
	s.absorb()
}
