package export

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"truce/internal/agreement"
	"truce/internal/derrors"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/record"
)

// Store is what Replay reads: observations in observed_at order, one
// observation by id, and the analysts' decisions in ledger order.
type Store interface {
	ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error)
	Observation(ctx context.Context, id string, scope observation.Scope) (observation.Stored, error)
	ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error)
}

// Query says which incidents to replay and how to fuse them.
type Query struct {
	// From and To select incidents whose Start is in [From, To). Zero
	// values do not bound.
	From, To time.Time
	// Locate is fusion's region lookup (incident.Config.Locate); pass the
	// server's, or the incidents' regions may differ from the live view's.
	Locate func(lat, lon float64) (string, bool)
	// Gate is fusion's gate (incident.Config.Gate); zero is the default.
	Gate float64
}

// Stats says what a replay did.
type Stats struct {
	Observations int // observations read and fused
	Incidents    int // incidents handed over (within From and To)
	Decisions    int // decisions applied
	// Skipped are decisions not applied: they name an observation outside
	// the replayed window or no longer stored (see
	// docs/export.md).
	Skipped int
	// Horizon is the Fuser's Config.Horizon: DefaultHorizon, or longer when
	// a merge or split spans more time.
	Horizon time.Duration
	// MaxLive is the most observations the Fuser held at once: what memory
	// is proportional to.
	MaxLive int
}

// pageSize is how many observations one store read returns.
const pageSize = 5000

// reach is the longest time apart two compatible observations can be
// (incident's Gate × √2 × its 12 h cap on time uncertainty). A replay
// for incidents from From reads observations from From − Horizon − reach.
func reach(gate float64) time.Duration {
	if gate <= 0 {
		gate = incident.DefaultGate
	}
	return time.Duration(gate * math.Sqrt2 * float64(12*time.Hour))
}

// Replay fuses the store's observations into incidents and calls emit with
// each incident whose Start is in [q.From, q.To), once, as soon as it can no
// longer change. Incidents come roughly in start order (exactly, within each
// batch fusion finishes). emit must not keep the pointer. Replay returns
// emit's error, or the store's wrapped, as soon as one occurs.
//
// Observations are read in observed_at order (store pages, Scope All) and
// fused with Config.Horizon set, so memory holds the observations of a few
// days, not of the whole store. In observed_at order no observation is ever
// late, so the incidents are those of a Fuser holding everything — those
// the server's live view shows. The analysts' merges and splits are applied
// in ledger order as soon as fusion holds every observation they name; the
// horizon is stretched to the longest time a merge or split spans, which
// keeps them applicable. Status and attribution decisions are applied to
// each incident as it is handed over, the latest last, as fusion would.
// Decisions that cannot be applied are counted in Stats.Skipped.
func Replay(ctx context.Context, st Store, q Query, emit func(*incident.Incident) error) (Stats, error) {
	var stats Stats
	r := reach(q.Gate)
	var first, stop time.Time // the observed_at window read; zero: unbounded
	decs, err := loadDecisions(ctx, st)
	if err != nil {
		return stats, err
	}
	// The horizon must cover the longest span a merge or split needs live;
	// a longer one widens the window, which may bring in more decisions.
	horizon := incident.DefaultHorizon
	for {
		first, stop = time.Time{}, time.Time{}
		if !q.From.IsZero() {
			first = q.From.Add(-horizon - r)
		}
		if !q.To.IsZero() {
			stop = q.To.Add(horizon + r)
		}
		need := decs.plan(first, stop)
		if need <= horizon {
			break
		}
		horizon = need.Truncate(time.Hour) + time.Hour
	}
	stats.Horizon = horizon
	stats.Skipped = decs.dropped

	f := incident.New(incident.Config{Locate: q.Locate, Gate: q.Gate, Horizon: horizon})
	out := func(incs []incident.Incident) error {
		for i := range incs {
			inc := &incs[i]
			if (!q.From.IsZero() && inc.Start.Before(q.From)) || (!q.To.IsZero() && !inc.Start.Before(q.To)) {
				continue
			}
			decs.annotate(inc)
			if err := emit(inc); err != nil {
				return err
			}
			stats.Incidents++
		}
		return nil
	}
	var after *observation.Position
	for done := false; !done; {
		rows, err := st.ListObservations(ctx, observation.Filter{Scope: observation.Scope{All: true}, From: first, After: after, Limit: pageSize})
		if err != nil {
			return stats, fmt.Errorf("export: replay: %w", err)
		}
		done = len(rows) < pageSize
		for i := range rows {
			row := &rows[i]
			if !stop.IsZero() && !row.ObservedAt.Before(stop) {
				done = true
				break
			}
			var rec observation.Record
			if err := json.Unmarshal(row.Body, &rec); err != nil {
				return stats, fmt.Errorf("export: replay: observation %s: %w", row.ID, err)
			}
			// Fusion's clock is then observed_at, which this order never
			// moves backwards: no observation is late.
			rec.AcceptedAt = time.Time{}
			if err := f.Add(rec); err != nil {
				return stats, fmt.Errorf("export: replay: observation %s: %w", row.ID, err)
			}
			stats.Observations++
			stats.Decisions += decs.arrived(f, rec.ID, &stats.Skipped)
			stats.MaxLive = max(stats.MaxLive, f.Len())
		}
		if len(rows) > 0 {
			last := rows[len(rows)-1]
			after = &observation.Position{ObservedAt: last.ObservedAt, Seq: last.Seq}
		}
		if err := out(f.Finished()); err != nil {
			return stats, err
		}
		if err := ctx.Err(); err != nil {
			return stats, fmt.Errorf("export: replay: %w", err)
		}
	}
	stats.Skipped += decs.pending()
	f.Settle()
	if err := out(f.Finished()); err != nil {
		return stats, err
	}
	if err := out(f.Incidents()); err != nil {
		return stats, err
	}
	return stats, nil
}

// structural is a merge or split waiting for its observations.
type structural struct {
	d        incident.Decision
	min, max time.Time // observed_at of the observations it names
	missing  int       // how many of them fusion does not hold yet
	ok       bool      // every observation exists and lies in the window
}

// anchored is a status or attribution decision, by ledger position.
type anchored struct {
	seq int64
	d   incident.Decision
}

// decisionSet holds the store's decisions during a replay. It costs memory
// in proportion to the decisions, not to the observations.
type decisionSet struct {
	all      []structural     // merges and splits, in ledger order
	queue    []int            // indices into all still to apply, in order
	byObs    map[string][]int // observation id -> indices into all naming it
	byAnchor map[string][]anchored
	dropped  int
}

func loadDecisions(ctx context.Context, st Store) (*decisionSet, error) {
	ds := &decisionSet{byObs: map[string][]int{}, byAnchor: map[string][]anchored{}}
	var seq int64
	for {
		recs, err := st.ListRecords(ctx, record.TypeIncidentDecision, seq, pageSize)
		if err != nil {
			return nil, fmt.Errorf("export: decisions: %w", err)
		}
		for _, r := range recs {
			seq = r.Seq
			var d incident.Decision
			if err := json.Unmarshal(r.Body, &d); err != nil {
				return nil, fmt.Errorf("export: decision %s: %w", r.ID, err)
			}
			if len(d.Observations) == 0 {
				ds.dropped++
				continue
			}
			switch d.Kind {
			case incident.Merge, incident.Split:
				s := structural{d: d, ok: true}
				for _, id := range d.Observations {
					o, err := st.Observation(ctx, id, observation.Scope{All: true})
					if errors.Is(err, derrors.ErrNotFound) {
						s.ok = false
						continue
					}
					if err != nil {
						return nil, fmt.Errorf("export: decision %s: %w", r.ID, err)
					}
					if s.min.IsZero() || o.ObservedAt.Before(s.min) {
						s.min = o.ObservedAt
					}
					if o.ObservedAt.After(s.max) {
						s.max = o.ObservedAt
					}
				}
				ds.all = append(ds.all, s)
			default:
				a := d.Observations[0]
				ds.byAnchor[a] = append(ds.byAnchor[a], anchored{r.Seq, d})
			}
		}
		if len(recs) < pageSize {
			return ds, nil
		}
	}
}

// plan queues the merges and splits whose observations all lie in
// [first, stop) and returns the horizon that keeps each one applicable:
// a decision is applied when fusion holds all its observations and every
// earlier decision is applied, and none of its observations may be
// finished by then.
func (ds *decisionSet) plan(first, stop time.Time) time.Duration {
	ds.queue = ds.queue[:0]
	clear(ds.byObs)
	ds.dropped = 0
	var ready time.Time // when the queue so far is applied (observed_at clock)
	var need time.Duration
	for i := range ds.all {
		s := &ds.all[i]
		if !s.ok || (!first.IsZero() && s.min.Before(first)) || (!stop.IsZero() && !s.max.Before(stop)) {
			ds.dropped++
			continue
		}
		s.missing = 0
		seen := map[string]bool{}
		for _, id := range s.d.Observations {
			if !seen[id] {
				seen[id] = true
				s.missing++
				ds.byObs[id] = append(ds.byObs[id], i)
			}
		}
		if s.max.After(ready) {
			ready = s.max
		}
		need = max(need, ready.Sub(s.min))
		ds.queue = append(ds.queue, i)
	}
	return need
}

// arrived notes that fusion now holds observation id and applies the
// decisions at the head of the queue that became applicable. It returns
// how many it applied and counts in *skipped those naming an observation
// fusion no longer holds.
func (ds *decisionSet) arrived(f *incident.Fuser, id string, skipped *int) int {
	is, ok := ds.byObs[id]
	if !ok {
		return 0
	}
	delete(ds.byObs, id)
	for _, i := range is {
		ds.all[i].missing--
	}
	n := 0
	for len(ds.queue) > 0 && ds.all[ds.queue[0]].missing == 0 {
		if err := f.Reapply(ds.all[ds.queue[0]].d); err != nil {
			*skipped++
		} else {
			n++
		}
		ds.queue = ds.queue[1:]
	}
	return n
}

// pending returns how many queued decisions were never applied.
func (ds *decisionSet) pending() int { return len(ds.queue) }

// annotate applies the status and attribution decisions anchored on the
// incident's observations, in ledger order, as incident.Fuser does.
func (ds *decisionSet) annotate(inc *incident.Incident) {
	if len(ds.byAnchor) == 0 {
		return
	}
	var as []anchored
	for _, id := range inc.Observations {
		as = append(as, ds.byAnchor[id]...)
	}
	if len(as) == 0 {
		return
	}
	slices.SortFunc(as, func(a, b anchored) int { return cmp.Compare(a.seq, b.seq) })
	for _, a := range as {
		a.d.Annotate(inc)
	}
}

// Export replays the store (see Replay) into w and closes it. It returns
// what Replay did and the first error from either.
func Export(ctx context.Context, st Store, q Query, w Writer) (Stats, error) {
	agreements, err := fusion.LatestAgreements(ctx, st)
	if err != nil {
		return Stats{}, err
	}
	stats, err := Replay(ctx, st, q, func(inc *incident.Incident) error {
		inc.Violation = agreement.Judge(*inc, agreements)
		return w.Write(inc)
	})
	if err != nil {
		return stats, err
	}
	if err := w.Close(); err != nil {
		return stats, err
	}
	return stats, nil
}
