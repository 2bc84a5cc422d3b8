// Package fusion keeps the live view of incidents: it fuses observations
// into incidents as they are committed, applies analysts' decisions and
// judges incidents against the agreements in force (both kept as
// ledger-covered records), answers queries, and on start rebuilds the same
// view by replaying the store in ledger order — which is what makes the
// incidents reproducible by anyone holding the records.
package fusion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gowebpki/jcs"

	"truce/internal/agreement"
	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/record"
)

// Store is what the service reads and writes.
type Store interface {
	ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error)
	ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error)
	AppendRecord(ctx context.Context, typ, id string, authorID int64, body []byte) (record.Stored, error)
	FinishedStore
}

// Service is the live view. Its methods are safe for concurrent use.
type Service struct {
	store Store
	cfg   incident.Config
	log   *slog.Logger

	mu     sync.Mutex
	fuser  *incident.Fuser
	byID   map[string]*incident.Incident
	sorted []*incident.Incident // byID in listing order (view.go); nil until first asked
	// gone and added are the changes to byID since sorted was last
	// brought up to date.
	gone, added []*incident.Incident
	// stale means records were fused since the view last took the
	// fuser's changes. The next reader brings the view up to date, so the
	// cost of re-clustering is paid once per read, not once per commit.
	stale bool

	// agreements holds the latest version of each agreement.
	agreements []agreement.Agreement

	// pending holds committed records not yet fused, in commit order.
	// The write path only appends to it; fusing happens off that path
	// (Run, or the next reader).
	pendMu  sync.Mutex
	pending []observation.Record

	// announcer publishes new incidents (notify.go); nil publishes none.
	announcer *announcer

	// unsaved holds finished incidents the store has not taken yet
	// (finished.go); they stay in byID until it has.
	unsaved []incident.Incident
}

// New returns an empty service; call Load before use.
func New(store Store, cfg incident.Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, cfg: cfg, log: log, fuser: incident.New(cfg), byID: map[string]*incident.Incident{}}
}

const replayPage = 5000

// Load rebuilds the view from the store: every observation in ledger order,
// then every decision in the order it was made.
func (s *Service) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(ctx)
}

// load is Load with s.mu held. Observations and decisions are replayed
// in ledger order, each decision after the observations stored before it,
// as the live view applied it; with a horizon, the incidents finished on
// the way are stored again where they differ from the stored ones.
func (s *Service) load(ctx context.Context) error {
	start := time.Now()
	s.pendMu.Lock()
	s.pending = nil // the store holds them; the replay reads them
	s.pendMu.Unlock()
	s.fuser = incident.New(s.cfg)
	s.unsaved = nil
	if err := s.checkFinished(ctx); err != nil {
		return fmt.Errorf("fusion: load: %w", err)
	}
	obs := pager[observation.Stored]{next: func(after int64) ([]observation.Stored, error) {
		f := observation.Filter{Scope: observation.Scope{All: true}, ArrivalOrder: true, Limit: replayPage}
		if after > 0 {
			f.After = &observation.Position{Seq: after}
		}
		return s.store.ListObservations(ctx, f)
	}, seq: func(o observation.Stored) int64 { return o.Seq }}
	decs := pager[record.Stored]{next: func(after int64) ([]record.Stored, error) {
		return s.store.ListRecords(ctx, record.TypeIncidentDecision, after, replayPage)
	}, seq: func(r record.Stored) int64 { return r.Seq }}
	n, d := 0, 0
	for {
		o, oOK, err := obs.peek()
		if err != nil {
			return fmt.Errorf("fusion: load: %w", err)
		}
		r, rOK, err := decs.peek()
		if err != nil {
			return fmt.Errorf("fusion: load: %w", err)
		}
		switch {
		case oOK && (!rOK || o.LedgerIndex < r.LedgerIndex):
			obs.pop()
			var rec observation.Record
			if err := json.Unmarshal(o.Body, &rec); err != nil {
				return fmt.Errorf("fusion: load: observation %s: %w", o.ID, err)
			}
			if err := s.fuser.Add(rec); err != nil {
				return fmt.Errorf("fusion: load: observation %s: %w", o.ID, err)
			}
			if n++; n%replayPage == 0 {
				if err := s.saveFinished(ctx); err != nil {
					return fmt.Errorf("fusion: load: %w", err)
				}
			}
		case rOK:
			decs.pop()
			var dec incident.Decision
			if err := json.Unmarshal(r.Body, &dec); err != nil {
				return fmt.Errorf("fusion: load: decision %s: %w", r.ID, err)
			}
			if err := s.reapply(ctx, dec); err != nil {
				return fmt.Errorf("fusion: load: decision %s: %w", r.ID, err)
			}
			d++
		default:
			if err := s.saveFinished(ctx); err != nil {
				return fmt.Errorf("fusion: load: %w", err)
			}
			if err := s.loadAgreements(ctx); err != nil {
				return err
			}
			s.resetView()
			s.absorbQuietly()
			s.log.InfoContext(ctx, "incidents loaded", slog.Int("observations", n), slog.Int("decisions", d),
				slog.Int("live_incidents", len(s.byID)), slog.Duration("took", time.Since(start)))
			return nil
		}
	}
}

// reapply applies a stored decision during a replay: with Reapply, not
// Apply, because observations stored after it may have made it moot
// (fusion has since joined what a merge named), which changes nothing the
// live view holds. It fails when the decision names an observation
// neither fusion nor (with a horizon) a finished incident holds: the
// records changed behind our back.
func (s *Service) reapply(ctx context.Context, dec incident.Decision) error {
	err := s.fuser.Reapply(dec)
	if err == nil || !s.horizon() || !errors.Is(err, derrors.ErrNotFound) {
		return err
	}
	return s.reapplyFinished(ctx, dec)
}

// pager reads a store's rows page by page, in seq order.
type pager[T any] struct {
	next  func(after int64) ([]T, error)
	seq   func(T) int64
	buf   []T
	after int64
	done  bool
}

// peek returns the next row, if any.
func (p *pager[T]) peek() (T, bool, error) {
	if len(p.buf) == 0 && !p.done {
		rows, err := p.next(p.after)
		if err != nil {
			var zero T
			return zero, false, err
		}
		p.buf = rows
		p.done = len(rows) < replayPage
		if len(rows) > 0 {
			p.after = p.seq(rows[len(rows)-1])
		}
	}
	if len(p.buf) == 0 {
		var zero T
		return zero, false, nil
	}
	return p.buf[0], true, nil
}

func (p *pager[T]) pop() { p.buf = p.buf[1:] }

// absorb takes the fuser's changes into the view. The caller holds s.mu.
func (s *Service) absorb() {
	s.stale = false
	changed, removed := s.fuser.Changes()
	s.announce(changed, removed)
	for _, id := range removed {
		s.remove(id)
	}
	for i := range changed {
		s.set(&changed[i])
	}
}

// Add queues newly committed records for fusion. Call it in commit order;
// it returns at once.
func (s *Service) Add(recs []observation.Record) {
	if len(recs) == 0 {
		return
	}
	s.pendMu.Lock()
	s.pending = append(s.pending, recs...)
	s.pendMu.Unlock()
}

// fuse fuses the queued records, and with a horizon stores the incidents
// that finished. The caller holds s.mu.
func (s *Service) fuse(ctx context.Context) {
	s.pendMu.Lock()
	recs := s.pending
	s.pending = nil
	s.pendMu.Unlock()
	for _, r := range recs {
		// A record already fused (a reload read it from the store while it
		// was queued) is a conflict, and nothing to do.
		if err := s.fuser.Add(r); err != nil && !errors.Is(err, derrors.ErrConflict) {
			s.log.Error("fusion: add", slog.String("observation", r.ID), slog.Any("err", err))
		}
	}
	if len(recs) > 0 {
		s.stale = true
		if err := s.saveFinished(ctx); err != nil {
			s.log.ErrorContext(ctx, "fusion: storing finished incidents (kept in memory, tried again)", slog.Any("err", err))
		}
	}
}

// fresh brings the view up to date. The caller holds s.mu.
func (s *Service) fresh(ctx context.Context) {
	s.fuse(ctx)
	if s.stale {
		s.absorb()
	}
}

// Run fuses queued records every interval until ctx is done, so that the
// queue stays short between reads.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			if s.announcer != nil {
				s.fresh(ctx) // new incidents are announced within one interval
			} else {
				s.fuse(ctx)
			}
			s.mu.Unlock()
		}
	}
}

// observationWriter is the store's write method the committer calls.
type observationWriter interface {
	WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error)
}

// Writer wraps the store's observation writer so that every record it
// creates is fused as soon as it is committed.
func (s *Service) Writer(w observationWriter) observationWriter {
	return fusingWriter{w, s}
}

type fusingWriter struct {
	w observationWriter
	s *Service
}

func (f fusingWriter) WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error) {
	out, err := f.w.WriteObservations(ctx, recs)
	if err != nil {
		return nil, err
	}
	created := make([]observation.Record, 0, len(recs))
	for i, o := range out {
		if o == observation.Created {
			created = append(created, recs[i].Record)
		}
	}
	f.s.Add(created)
	return out, nil
}

// Get returns the incident with this id, live or finished, or an error
// wrapping derrors.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (incident.Incident, error) {
	s.mu.Lock()
	s.fresh(ctx)
	inc, ok := s.byID[id]
	var v incident.Incident
	if ok {
		v = s.judge(*inc)
	}
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	if !s.horizon() {
		return incident.Incident{}, derrors.ErrNotFound
	}
	fin, err := s.store.FinishedIncident(ctx, id)
	if err != nil {
		return incident.Incident{}, fmt.Errorf("fusion: %w", err)
	}
	return s.judgeFinished(fin), nil
}

// Len returns the number of incidents, live and finished.
func (s *Service) Len(ctx context.Context) (int, error) {
	s.mu.Lock()
	s.fresh(ctx)
	n := len(s.byID)
	s.mu.Unlock()
	if !s.horizon() {
		return n, nil
	}
	m, err := s.store.CountFinishedIncidents(ctx)
	if err != nil {
		return 0, fmt.Errorf("fusion: %w", err)
	}
	return n + int(m), nil
}

// Decide applies an analyst's decision to the incident with id inc and
// keeps it as a ledger-covered record. Decisions name observations: the
// incident's own observations are put first, so that the decision follows
// the incident whatever later fusion does to its id. It returns the
// incident as it is afterwards.
func (s *Service) Decide(ctx context.Context, inc string, d incident.Decision, authorID int64) (incident.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh(ctx)
	cur, ok := s.byID[inc]
	if !ok {
		if s.horizon() {
			return s.decideFinished(ctx, inc, d, authorID)
		}
		return incident.Incident{}, derrors.ErrNotFound
	}
	switch d.Kind {
	case incident.SetStatus, incident.Attribute:
		d.Observations = []string{cur.Observations[0]}
	case incident.Merge:
		d.Observations = append([]string{cur.Observations[0]}, d.Observations...)
	}
	if err := d.Validate(); err != nil {
		return incident.Incident{}, err
	}
	if err := s.fuser.Apply(d); err != nil {
		return incident.Incident{}, s.finishedConflict(ctx, d, err)
	}
	body, err := canonical(d)
	if err == nil {
		_, err = s.store.AppendRecord(ctx, record.TypeIncidentDecision, uuid.NewString(), authorID, body)
	}
	if err != nil {
		// The decision is applied in memory but not stored: rebuild the
		// view from what is stored, so memory never holds more than the
		// ledger.
		if lerr := s.load(context.WithoutCancel(ctx)); lerr != nil {
			s.log.ErrorContext(ctx, "fusion: reload after a failed decision", slog.Any("err", lerr))
		}
		return incident.Incident{}, fmt.Errorf("fusion: decision: %w", err)
	}
	s.absorbQuietly()
	after, err := s.fuser.Get(d.Observations[0])
	if err != nil {
		return incident.Incident{}, err
	}
	return s.judge(after), nil
}

func canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(b)
}

// Query selects incidents (see incident.Query).
type Query = incident.Query

// Position is where a listing stopped (see incident.Position).
type Position = incident.Position

// List returns up to q.Limit incidents matching q, live and finished, and
// whether more follow.
func (s *Service) List(ctx context.Context, q Query) ([]incident.Incident, bool, error) {
	live, more := s.listLive(ctx, q)
	if !s.horizon() {
		return live, more, nil
	}
	return s.withFinished(ctx, q, live, more)
}

// listLive is List over the incidents in memory.
func (s *Service) listLive(ctx context.Context, q Query) ([]incident.Incident, bool) {
	s.mu.Lock() // the view may need bringing up to date
	s.fresh(ctx)
	sorted := s.sortedView()
	agreements := s.agreements
	s.mu.Unlock()

	i := 0
	switch {
	case q.After != nil:
		i, _ = slices.BinarySearchFunc(sorted, *q.After, func(a *incident.Incident, p Position) int {
			if p.Before(a) {
				return 1
			}
			return -1
		})
	case !q.From.IsZero():
		i, _ = slices.BinarySearchFunc(sorted, q.From, func(a *incident.Incident, t time.Time) int {
			if a.Start.Before(t) {
				return -1
			}
			return 1
		})
	}
	var out []incident.Incident
	for ; i < len(sorted); i++ {
		inc := sorted[i]
		if !q.To.IsZero() && !inc.Start.Before(q.To) {
			break
		}
		if !q.Filters(inc) {
			continue
		}
		if q.Limit > 0 && len(out) == q.Limit {
			return out, true
		}
		v := *inc
		v.Violation = agreement.Judge(v, agreements)
		out = append(out, v)
	}
	return out, false
}
