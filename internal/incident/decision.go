package incident

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"truce/internal/derrors"
)

// DecisionKind says what an analyst's decision does.
type DecisionKind string

// The decision kinds.
const (
	// Merge makes one incident of the incidents that contain the listed
	// observations.
	Merge DecisionKind = "merge"
	// Split moves the listed observations out of their incident into a new
	// incident of their own.
	Split DecisionKind = "split"
	// SetStatus sets Status (verified, unverified or refuted) with a reason.
	SetStatus DecisionKind = "status"
	// Attribute sets AttributedTo and Confidence with a reason.
	Attribute DecisionKind = "attribution"
)

// Decision is an analyst's decision about incidents. Decisions name
// observations, never incident ids, because incident ids follow their
// smallest observation id and change as observations arrive; naming
// observations is what lets a decision survive later fusion.
//
//   - Merge: the incidents containing Observations become one (at least two
//     observations, in at least two incidents at the time of the decision).
//   - Split: Observations (all in one incident, not all of it) leave it and
//     form a new incident together. Observations fused later stay with the
//     rest of the original incident.
//   - SetStatus and Attribute apply to the incident that contains
//     Observations[0], whatever else it contains later; the API should list
//     the incident's observations with the one its id derives from first.
//
// Decisions apply in the order given, after fusion: fusion groups the
// observations, then each merge and split in turn regroups them, then the
// status and attribution decisions are applied, the latest winning.
type Decision struct {
	Kind         DecisionKind `json:"kind"`
	Observations []string     `json:"observations"`
	Status       Status       `json:"status,omitempty"`
	AttributedTo string       `json:"attributed_to,omitempty"`
	Confidence   Confidence   `json:"confidence,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	Author       string       `json:"author,omitempty"`
	At           time.Time    `json:"at"`
}

var partyRE = regexp.MustCompile(`^[A-Z]{2}$`)

// MaxReasonBytes bounds a decision's reason.
const MaxReasonBytes = 4 << 10

// Validate checks the decision on its own, without looking at incidents.
// It returns a *derrors.FieldError naming the field at fault.
func (d *Decision) Validate() error {
	if len(d.Reason) > MaxReasonBytes {
		return derrors.Invalid("reason", "is longer than %d bytes", MaxReasonBytes)
	}
	for i, id := range d.Observations {
		if _, ok := parseUUID(id); !ok {
			return derrors.Invalid(fmt.Sprintf("observations[%d]", i), "must be an observation id (a UUID)")
		}
	}
	switch d.Kind {
	case Merge:
		if len(d.Observations) < 2 {
			return derrors.Invalid("observations", "a merge names at least two observations")
		}
	case Split:
		if len(d.Observations) < 1 {
			return derrors.Invalid("observations", "a split names the observations to move out")
		}
	case SetStatus:
		if len(d.Observations) < 1 {
			return derrors.Invalid("observations", "required: the incident's observations")
		}
		if d.Status != Verified && d.Status != Unverified && d.Status != Refuted {
			return derrors.Invalid("status", "an analyst sets verified, unverified or refuted")
		}
		if d.Reason == "" {
			return derrors.Invalid("reason", "required for a status")
		}
	case Attribute:
		if len(d.Observations) < 1 {
			return derrors.Invalid("observations", "required: the incident's observations")
		}
		if d.AttributedTo != "" && !partyRE.MatchString(d.AttributedTo) {
			return derrors.Invalid("attributed_to", "must be a two-letter party code such as RU or UA, or empty to clear")
		}
		if d.AttributedTo != "" && !ValidConfidence(d.Confidence) {
			return derrors.Invalid("confidence", "must be low, medium or high")
		}
		if d.Reason == "" {
			return derrors.Invalid("reason", "required for an attribution")
		}
	default:
		return derrors.Invalid("kind", "must be merge, split, status or attribution")
	}
	return nil
}

// decisions is the Fuser's record of applied decisions.
type decisions struct {
	list       []Decision
	obs        [][]int32         // resolved observation indices, per decision
	structural []int             // indices of merges and splits, in order
	byAnchor   map[int32][]int32 // Observations[0] -> status/attribution decisions
	lastFinal  []int32           // smallest members of the decision layer's incidents, as last emitted
	changed    bool              // a decision arrived since the last Changes
}

// Apply records an analyst's decision after checking it against the
// current incidents. It returns an error wrapping derrors.ErrInvalid (a
// *derrors.FieldError) when the decision is malformed or the state does not
// allow it — a merge of observations already in one incident, a split that
// would move a whole incident or spans incidents, a status move the state
// machine forbids — and one wrapping derrors.ErrNotFound when it names an
// observation the Fuser does not hold (with Config.Horizon, also one whose
// incident is finished). A rejected decision changes nothing. The
// observations a merge or split names are never finished.
//
// Replaying the same records and decisions in the same order always accepts
// the same decisions and yields the same incidents.
func (f *Fuser) Apply(d Decision) error {
	idx, err := f.resolve(d)
	if err != nil {
		return err
	}
	f.flush()
	groupOf, groups := f.finalGroupsOf(idx)
	switch d.Kind {
	case Merge:
		if len(groups) < 2 {
			return fmt.Errorf("incident: decision: %w", derrors.Invalid("observations", "are already in one incident"))
		}
	case Split:
		if len(groups) != 1 {
			return fmt.Errorf("incident: decision: %w", derrors.Invalid("observations", "a split moves observations out of one incident; these are in %d", len(groups)))
		}
		moved := map[int32]bool{}
		for _, x := range idx {
			moved[x] = true
		}
		if len(moved) == len(groups[0]) {
			return fmt.Errorf("incident: decision: %w", derrors.Invalid("observations", "would move the whole incident"))
		}
	case SetStatus:
		cur := f.summarize(groups[groupOf[0]]).Status
		if err := Transition(cur, d.Status, Analyst); err != nil {
			return fmt.Errorf("incident: decision: %w", err)
		}
	}
	f.record(d, idx)
	return nil
}

// Reapply applies a decision that Apply accepted before, as a replay of
// the ledger does: it checks the decision's own form and that the Fuser
// holds the observations it names (an error wrapping derrors.ErrNotFound
// otherwise, also for a finished one), but not the incidents it was
// judged against then. Observations fused since may have made it moot —
// a merge of observations fusion has since put in one incident, a split
// of observations no longer together — and the decision layer does with
// it what Apply's acceptance would have led to had they arrived first:
// a moot merge changes nothing, a split still takes its observations out
// together, and a status or attribution still applies to the incident of
// its first observation. Replaying the accepted decisions with Reapply
// gives the incidents the live Fuser holds, whatever arrived in between.
func (f *Fuser) Reapply(d Decision) error {
	idx, err := f.resolve(d)
	if err != nil {
		return err
	}
	f.flush()
	f.record(d, idx)
	return nil
}

// ApplyFinished applies a status or attribution decision to inc, an
// incident a Fuser with a horizon has finished (Apply and Reapply no
// longer reach it), as the Fuser would have applied it. It returns an
// error wrapping derrors.ErrInvalid when d is malformed or the status move
// is one the state machine forbids, and one wrapping derrors.ErrConflict
// for a merge or split: a finished incident is never regrouped. A rejected
// decision changes nothing.
func ApplyFinished(inc *Incident, d Decision) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("incident: decision: %w", err)
	}
	switch d.Kind {
	case Merge, Split:
		return fmt.Errorf("incident: decision: incident %s is finished (older than the fusion horizon) and can no longer be merged or split: %w", inc.ID, derrors.ErrConflict)
	case SetStatus:
		if err := Transition(inc.Status, d.Status, Analyst); err != nil {
			return fmt.Errorf("incident: decision: %w", err)
		}
	}
	d.Annotate(inc)
	return nil
}

// Annotate sets what a status or attribution decision decides on inc,
// without judging it; merges and splits change nothing here.
func (d *Decision) Annotate(inc *Incident) {
	switch d.Kind {
	case SetStatus:
		inc.Status, inc.StatusReason = d.Status, d.Reason
	case Attribute:
		inc.AttributedTo, inc.AttributionConfidence = d.AttributedTo, d.Confidence
		if d.AttributedTo == "" {
			inc.AttributionConfidence = ""
		}
	}
}

// resolve checks d's form and returns the slots of the observations it
// names.
func (f *Fuser) resolve(d Decision) ([]int32, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("incident: decision: %w", err)
	}
	idx := make([]int32, len(d.Observations))
	for i, s := range d.Observations {
		u, _ := parseUUID(s)
		x, ok := f.lookup(u)
		if !ok {
			return nil, fmt.Errorf("incident: decision: observation %s: %w", s, derrors.ErrNotFound)
		}
		idx[i] = x
	}
	return idx, nil
}

// record adds decision d, naming slots idx, to the decisions applied.
func (f *Fuser) record(d Decision, idx []int32) {
	n := int32(len(f.dec.list))
	f.dec.list = append(f.dec.list, d)
	f.dec.obs = append(f.dec.obs, idx)
	switch d.Kind {
	case Merge, Split:
		f.dec.structural = append(f.dec.structural, int(n))
		for _, x := range idx {
			f.obs.at(x).flags |= fPinned // the decision layer needs them for good
		}
	default:
		if f.dec.byAnchor == nil {
			f.dec.byAnchor = map[int32][]int32{}
		}
		f.dec.byAnchor[idx[0]] = append(f.dec.byAnchor[idx[0]], n)
	}
	f.dec.changed = true
	for _, x := range idx {
		f.touch(f.hot[x].clus)
	}
}

// Decisions returns the decisions applied so far, in order.
func (f *Fuser) Decisions() []Decision { return slices.Clone(f.dec.list) }

// finalGroupsOf returns the final incidents (as member lists) that contain
// the observations xs, and for each x the index of its group.
func (f *Fuser) finalGroupsOf(xs []int32) ([]int, [][]int32) {
	layer, bound := f.decisionLayer()
	var groups [][]int32
	groupOf := make([]int, len(xs))
	seen := map[int32]int{} // key or -(layer index+1) -> group
	for i, x := range xs {
		var id int32
		var members []int32
		if bound[f.hot[x].clus] {
			for j, g := range layer {
				if slices.Contains(g, x) {
					id = -int32(j) - 1
					members = g
					break
				}
			}
		} else {
			id = f.hot[x].clus
		}
		g, ok := seen[id]
		if !ok {
			if members == nil {
				members = f.membersOf(id, nil)
			}
			g = len(groups)
			groups = append(groups, members)
			seen[id] = g
		}
		groupOf[i] = g
	}
	return groupOf, groups
}

// decisionLayer applies the merges and splits, in order, to the fusion
// incidents they touch. It returns the resulting groups and the set of
// fusion keys they replace.
func (f *Fuser) decisionLayer() ([][]int32, map[int32]bool) {
	if len(f.dec.structural) == 0 {
		return nil, nil
	}
	bound := map[int32]bool{}
	var keys []int32
	for _, di := range f.dec.structural {
		for _, x := range f.dec.obs[di] {
			if k := f.hot[x].clus; !bound[k] {
				bound[k] = true
				keys = append(keys, k)
			}
		}
	}
	groups := map[int32][]int32{} // label -> members
	label := map[int32]int32{}    // observation -> label
	byKey := f.groupsOf(keys)
	for _, k := range keys {
		groups[k] = byKey[k]
		for _, m := range byKey[k] {
			label[m] = k
		}
	}
	fresh := int32(-1)
	for _, di := range f.dec.structural {
		xs := f.dec.obs[di]
		switch f.dec.list[di].Kind {
		case Merge:
			to := label[xs[0]]
			for _, x := range xs[1:] {
				from := label[x]
				if from == to {
					continue
				}
				for _, m := range groups[from] {
					label[m] = to
				}
				groups[to] = append(groups[to], groups[from]...)
				delete(groups, from)
			}
		case Split:
			fresh--
			for _, x := range xs {
				from := label[x]
				if from == fresh {
					continue
				}
				groups[from] = slices.DeleteFunc(groups[from], func(m int32) bool { return m == x })
				if len(groups[from]) == 0 {
					delete(groups, from)
				}
				groups[fresh] = append(groups[fresh], x)
				label[x] = fresh
			}
		}
	}
	out := make([][]int32, 0, len(groups))
	for _, g := range groups {
		f.sortByID(g)
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b []int32) int { return f.cmpID(a[0], b[0]) })
	return out, bound
}
