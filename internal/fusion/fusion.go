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
}

// Service is the live view. Its methods are safe for concurrent use.
type Service struct {
	store Store
	cfg   incident.Config
	log   *slog.Logger

	mu     sync.Mutex
	fuser  *incident.Fuser
	byID   map[string]*incident.Incident
	sorted []*incident.Incident // by Start, then ID; nil when stale
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

// load is Load with s.mu held.
func (s *Service) load(ctx context.Context) error {
	start := time.Now()
	s.pendMu.Lock()
	s.pending = nil // the store holds them; the replay reads them
	s.pendMu.Unlock()
	s.fuser = incident.New(s.cfg)
	var after *observation.Position
	n := 0
	for {
		rows, err := s.store.ListObservations(ctx, observation.Filter{Scope: observation.Scope{All: true}, ArrivalOrder: true, After: after, Limit: replayPage})
		if err != nil {
			return fmt.Errorf("fusion: load: %w", err)
		}
		for _, st := range rows {
			var r observation.Record
			if err := json.Unmarshal(st.Body, &r); err != nil {
				return fmt.Errorf("fusion: load: observation %s: %w", st.ID, err)
			}
			if err := s.fuser.Add(r); err != nil {
				return fmt.Errorf("fusion: load: observation %s: %w", st.ID, err)
			}
		}
		n += len(rows)
		if len(rows) < replayPage {
			break
		}
		after = &observation.Position{Seq: rows[len(rows)-1].Seq}
	}
	var seq int64
	d := 0
	for {
		recs, err := s.store.ListRecords(ctx, record.TypeIncidentDecision, seq, replayPage)
		if err != nil {
			return fmt.Errorf("fusion: load: %w", err)
		}
		for _, r := range recs {
			var dec incident.Decision
			if err := json.Unmarshal(r.Body, &dec); err != nil {
				return fmt.Errorf("fusion: load: decision %s: %w", r.ID, err)
			}
			// Reapply, not Apply: observations stored after the decision
			// may have made it moot (fusion has since joined what a merge
			// named), which changes nothing the live view holds. It fails
			// only when the decision names an observation the store does
			// not hold: the records changed behind our back.
			if err := s.fuser.Reapply(dec); err != nil {
				return fmt.Errorf("fusion: load: decision %s: %w", r.ID, err)
			}
			seq = r.Seq
		}
		d += len(recs)
		if len(recs) < replayPage {
			break
		}
	}
	if err := s.loadAgreements(ctx); err != nil {
		return err
	}
	s.byID = map[string]*incident.Incident{}
	s.sorted = nil
	s.absorbQuietly()
	s.log.InfoContext(ctx, "incidents loaded", slog.Int("observations", n), slog.Int("decisions", d),
		slog.Int("incidents", len(s.byID)), slog.Duration("took", time.Since(start)))
	return nil
}

// absorb takes the fuser's changes into the view. The caller holds s.mu.
func (s *Service) absorb() {
	s.stale = false
	changed, removed := s.fuser.Changes()
	s.announce(changed, removed)
	for _, id := range removed {
		delete(s.byID, id)
	}
	for i := range changed {
		s.byID[changed[i].ID] = &changed[i]
	}
	if len(changed) > 0 || len(removed) > 0 {
		s.sorted = nil
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

// fuse fuses the queued records. The caller holds s.mu.
func (s *Service) fuse() {
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
	}
}

// fresh brings the view up to date. The caller holds s.mu.
func (s *Service) fresh() {
	s.fuse()
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
				s.fresh() // new incidents are announced within one interval
			} else {
				s.fuse()
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

// Get returns the incident with this id, or derrors.ErrNotFound.
func (s *Service) Get(id string) (incident.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh()
	inc, ok := s.byID[id]
	if !ok {
		return incident.Incident{}, derrors.ErrNotFound
	}
	return s.judge(*inc), nil
}

// Len returns the number of incidents.
func (s *Service) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh()
	return len(s.byID)
}

// Decide applies an analyst's decision to the incident with id inc and
// keeps it as a ledger-covered record. Decisions name observations: the
// incident's own observations are put first, so that the decision follows
// the incident whatever later fusion does to its id. It returns the
// incident as it is afterwards.
func (s *Service) Decide(ctx context.Context, inc string, d incident.Decision, authorID int64) (incident.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fresh()
	cur, ok := s.byID[inc]
	if !ok {
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
		return incident.Incident{}, err
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

// List returns up to q.Limit incidents matching q, and whether more follow.
func (s *Service) List(q Query) ([]incident.Incident, bool) {
	s.mu.Lock() // the view may need bringing up to date
	s.fresh()
	if s.sorted == nil {
		s.sorted = make([]*incident.Incident, 0, len(s.byID))
		for _, inc := range s.byID {
			s.sorted = append(s.sorted, inc)
		}
		slices.SortFunc(s.sorted, incident.Less)
	}
	sorted := s.sorted
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
