package parties

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gowebpki/jcs"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/finding"
	"truce/internal/notify"
	"truce/internal/record"
)

// Store is what the service reads and writes.
type Store interface {
	ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error)
	AppendRecord(ctx context.Context, typ, id string, authorID int64, body []byte) (record.Stored, error)
}

// Publisher takes the events of transitions (package notify's hub).
type Publisher interface {
	Publish(notify.Event)
}

// Config is what New needs.
type Config struct {
	Store Store
	// Events receives an event per transition; nil drops them.
	Events Publisher
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	Log *slog.Logger
}

// Entry is a finding with what the service keeps beside it.
type Entry struct {
	finding.Finding
	// Anchor is the observation the finding's incident is found through.
	Anchor string
	// Events are the finding's transitions, oldest first.
	Events []finding.Event
}

// Service keeps the findings. Its methods are safe for concurrent use.
type Service struct {
	store  Store
	events Publisher
	now    func() time.Time
	log    *slog.Logger

	mu       sync.Mutex
	byID     map[string]*Entry
	order    []*Entry            // in order of creation
	byAnchor map[string][]*Entry // by anchor observation
}

// New returns an empty service; call Load before use.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, events: cfg.Events, now: cfg.Now, log: cfg.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.reset()
	return s
}

func (s *Service) reset() {
	s.byID, s.order, s.byAnchor = map[string]*Entry{}, nil, map[string][]*Entry{}
}

// eventRecord is the canonical body of a finding_event record: the event,
// and what the transition carried (the draft on create, the content on
// revise, the reply as given, the new deadline on extend), enough to replay
// it through package finding.
type eventRecord struct {
	Finding string             `json:"finding"`
	Action  finding.ActionKind `json:"action"`
	From    finding.State      `json:"from,omitempty"`
	To      finding.State      `json:"to"`
	Actor   actorJSON          `json:"actor"`
	Reason  string             `json:"reason"`
	At      time.Time          `json:"at"`

	Draft    *draftJSON       `json:"draft,omitempty"`   // create
	Content  *finding.Content `json:"content,omitempty"` // revise
	Reply    *replyJSON       `json:"reply,omitempty"`   // reply
	Deadline time.Time        `json:"deadline,omitzero"` // extend
}

type actorJSON struct {
	Role  finding.Role `json:"role"`
	Party string       `json:"party,omitempty"`
	ID    string       `json:"id"`
}

type draftJSON struct {
	Incident string `json:"incident"` // its id when the finding was written
	Anchor   string `json:"anchor"`
	Party    string `json:"party"`
	finding.Content
	ReplyWindowS int64 `json:"reply_window_s"`
	PublicDelayS int64 `json:"public_delay_s"`
}

type replyJSON struct {
	Text     string   `json:"text"`
	Evidence []string `json:"evidence,omitempty"`
}

const maxRecordBytes = 1 << 20

// replayPage is how many records Load reads at a time.
const replayPage = 1000

// Load rebuilds the findings from the store, replaying every transition in
// the order it was recorded. A record that no longer applies means the
// records changed behind the service's back: Load fails.
func (s *Service) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset()
	var seq int64
	n := 0
	for {
		recs, err := s.store.ListRecords(ctx, record.TypeFindingEvent, seq, replayPage)
		if err != nil {
			return fmt.Errorf("parties: load: %w", err)
		}
		for _, r := range recs {
			var er eventRecord
			if err := json.Unmarshal(r.Body, &er); err != nil {
				return fmt.Errorf("parties: load: record %s: %w", r.ID, err)
			}
			if err := s.replay(er); err != nil {
				return fmt.Errorf("parties: load: record %s no longer applies: %w", r.ID, err)
			}
			seq = r.Seq
		}
		n += len(recs)
		if len(recs) < replayPage {
			break
		}
	}
	s.log.InfoContext(ctx, "findings loaded", slog.Int("events", n), slog.Int("findings", len(s.byID)))
	return nil
}

// replay applies one stored transition. The caller holds s.mu.
func (s *Service) replay(er eventRecord) error {
	actor := finding.Actor(er.Actor)
	if er.Action == finding.Create {
		if er.Draft == nil {
			return derrors.Invalid("draft", "missing")
		}
		f, ev, err := finding.New(er.Draft.finding(er.Finding), actor, er.At)
		if err != nil {
			return err
		}
		ev.Reason = er.Reason
		s.add(&Entry{Finding: f, Anchor: er.Draft.Anchor, Events: []finding.Event{ev}})
		return nil
	}
	e, ok := s.byID[er.Finding]
	if !ok {
		return fmt.Errorf("finding %s: %w", er.Finding, derrors.ErrNotFound)
	}
	f, ev, err := finding.Transition(e.Finding, er.action(), actor, er.At)
	if err != nil {
		return err
	}
	if f.State != er.To {
		return fmt.Errorf("finding %s: %s led to %s, recorded %s: %w", er.Finding, er.Action, f.State, er.To, derrors.ErrConflict)
	}
	e.Finding = f
	e.Events = append(e.Events, ev)
	return nil
}

func (d *draftJSON) finding(id string) finding.Finding {
	return finding.Finding{ID: id, Incident: d.Incident, Party: d.Party, Content: d.Content,
		ReplyWindow: time.Duration(d.ReplyWindowS) * time.Second, PublicDelay: time.Duration(d.PublicDelayS) * time.Second}
}

func (er *eventRecord) action() finding.Action {
	a := finding.Action{Kind: er.Action, Reason: er.Reason, Content: er.Content, Deadline: er.Deadline}
	if er.Reply != nil {
		a.Reply = &finding.Reply{Text: er.Reply.Text, Evidence: er.Reply.Evidence}
	}
	return a
}

// add indexes a new entry. The caller holds s.mu.
func (s *Service) add(e *Entry) {
	s.byID[e.ID] = e
	s.order = append(s.order, e)
	s.byAnchor[e.Anchor] = append(s.byAnchor[e.Anchor], e)
}

// Create writes a new draft finding, concerning f.Party, on the incident
// f.Incident found through the observation anchor, by author. It gives the
// finding its id. Errors are finding.New's (derrors.ErrForbidden, a
// *derrors.FieldError), or the store's.
func (s *Service) Create(ctx context.Context, f finding.Finding, anchor string, author finding.Actor, authorID int64) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.ID = uuid.NewString()
	now := s.now().UTC()
	f, ev, err := finding.New(f, author, now)
	if err != nil {
		return Entry{}, err
	}
	if anchor == "" {
		return Entry{}, derrors.Invalid("incident", "has no observation to anchor the finding to")
	}
	er := eventRecord{Draft: &draftJSON{Incident: f.Incident, Anchor: anchor, Party: f.Party, Content: f.Content,
		ReplyWindowS: int64(f.ReplyWindow / time.Second), PublicDelayS: int64(f.PublicDelay / time.Second)}}
	if err := s.append(ctx, ev, er, authorID); err != nil {
		return Entry{}, err
	}
	e := &Entry{Finding: f, Anchor: anchor, Events: []finding.Event{ev}}
	s.add(e)
	s.publish(ev, f)
	return e.clone(), nil
}

// Act applies action by actor to the finding with id and records it. It
// returns the finding as it is afterwards. Errors are finding.Transition's
// (derrors.ErrNotFound for an actor who may not see the finding or an
// unknown id, derrors.ErrForbidden, derrors.ErrConflict, a
// *derrors.FieldError), or the store's; a refused or unrecorded transition
// changes nothing.
func (s *Service) Act(ctx context.Context, id string, action finding.Action, actor finding.Actor, authorID int64) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return Entry{}, derrors.ErrNotFound
	}
	if err := s.act(ctx, e, action, actor, authorID, s.now().UTC()); err != nil {
		return Entry{}, err
	}
	return e.clone(), nil
}

// act is Act on an entry at now. The caller holds s.mu.
func (s *Service) act(ctx context.Context, e *Entry, action finding.Action, actor finding.Actor, authorID int64, now time.Time) error {
	f, ev, err := finding.Transition(e.Finding, action, actor, now)
	if err != nil {
		return err
	}
	er := eventRecord{Content: action.Content}
	switch action.Kind {
	case finding.ReplyAction:
		er.Reply = &replyJSON{Text: f.Reply.Text, Evidence: f.Reply.Evidence}
	case finding.Extend:
		er.Deadline = f.Deadline
	}
	if err := s.append(ctx, ev, er, authorID); err != nil {
		return err
	}
	e.Finding = f
	e.Events = append(e.Events, ev)
	s.publish(ev, f)
	return nil
}

// append stores the event as one record with its ledger entry.
func (s *Service) append(ctx context.Context, ev finding.Event, er eventRecord, authorID int64) error {
	er.Finding, er.Action, er.From, er.To = ev.Finding, ev.Action, ev.From, ev.To
	er.Actor, er.Reason, er.At = actorJSON(ev.Actor), ev.Reason, ev.At
	b, err := json.Marshal(er)
	if err == nil {
		b, err = jcs.Transform(b)
	}
	if err != nil {
		return fmt.Errorf("parties: %s: %w", ev.Action, err)
	}
	if len(b) > maxRecordBytes {
		return derrors.Invalid("body", "the record would be %d bytes, more than %d", len(b), maxRecordBytes)
	}
	if _, err := s.store.AppendRecord(ctx, record.TypeFindingEvent, uuid.NewString(), authorID, b); err != nil {
		return fmt.Errorf("parties: %s finding %s: %w", ev.Action, ev.Finding, err)
	}
	return nil
}

// EventType is the notify.Event type of each action.
func EventType(a finding.ActionKind) string {
	switch a {
	case finding.Create:
		return "finding.created"
	case finding.Revise:
		return "finding.revised"
	case finding.Send:
		return "finding.sent"
	case finding.ReplyAction:
		return "finding.replied"
	case finding.Expire:
		return "finding.deadline_passed"
	case finding.Extend:
		return "finding.extended"
	case finding.ReleaseObservers:
		return "finding.released_observers"
	case finding.ReleasePublic:
		return "finding.released_public"
	case finding.Withdraw:
		return "finding.withdrawn"
	}
	return "finding." + string(a)
}

// publish tells the finding's audience, as it stands after ev, what
// happened.
func (s *Service) publish(ev finding.Event, f finding.Finding) {
	if s.events == nil {
		return
	}
	s.events.Publish(notify.Event{ID: uuid.NewString(), Type: EventType(ev.Action), Subject: f.ID, At: ev.At,
		Audience: auth.FindingAudience(f)})
}

func (e *Entry) clone() Entry {
	c := *e
	c.Events = slices.Clone(e.Events)
	if e.Reply != nil {
		r := *e.Reply
		r.Evidence = slices.Clone(r.Evidence)
		c.Reply = &r
	}
	return c
}

// Get returns the finding with id, or derrors.ErrNotFound. The caller
// decides whether its user may see it (finding.Visible).
func (s *Service) Get(id string) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return Entry{}, derrors.ErrNotFound
	}
	return e.clone(), nil
}

// On returns the findings anchored to any of the observations, in order of
// creation: with an incident's observations, the findings on that
// incident.
func (s *Service) On(observations []string) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Entry
	for _, o := range observations {
		out = append(out, s.byAnchor[o]...)
	}
	slices.SortFunc(out, func(a, b *Entry) int { return a.CreatedAt.Compare(b.CreatedAt) })
	res := make([]Entry, len(out))
	for i, e := range out {
		res[i] = e.clone()
	}
	return res
}

// List returns, in order of creation, up to limit findings after the one
// with id after ("" from the start) for which keep is true, and whether
// more follow. keep runs under the service's lock: it must not call the
// service.
func (s *Service) List(keep func(*Entry) bool, after string, limit int) ([]Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := 0
	if after != "" {
		e, ok := s.byID[after]
		if !ok {
			return nil, false, derrors.Invalid("cursor", "is not a cursor this server issued")
		}
		i = slices.Index(s.order, e) + 1
	}
	var out []Entry
	for ; i < len(s.order); i++ {
		e := s.order[i]
		if !keep(e) {
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, e.clone())
	}
	return out, false, nil
}

// Clock returns the actor of the clock's moves.
func Clock() finding.Actor { return finding.Actor{Role: finding.System, ID: "clock"} }

// Sweep expires findings whose reply deadline has passed and releases to
// the public those whose public release is due, at now, each move a record.
// It returns how many moves it made.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	n := 0
	for _, e := range s.order {
		var a finding.ActionKind
		switch {
		case e.State == finding.Sent && !now.Before(e.Deadline):
			a = finding.Expire
		case e.State == finding.ReleasedObservers && !now.Before(e.PublicDue()):
			a = finding.ReleasePublic
		default:
			continue
		}
		if err := s.act(ctx, e, finding.Action{Kind: a}, Clock(), 0, now); err != nil {
			return n, fmt.Errorf("parties: sweep: %w", err)
		}
		n++
	}
	return n, nil
}

// Run sweeps every interval until ctx is done, logging what it did.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.Sweep(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "findings sweep", slog.Any("err", err))
			}
			if n > 0 {
				s.log.InfoContext(ctx, "findings swept", slog.Int("moves", n))
			}
		}
	}
}
