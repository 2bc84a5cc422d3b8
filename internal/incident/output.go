package incident

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"truce/internal/derrors"
)

// Incidents returns every incident, decisions applied, ordered by start
// time and then id. Feeding the same records and decisions gives
// byte-identical incidents whatever the order the records arrived in
// (decisions are applied in the order given).
func (f *Fuser) Incidents() []Incident {
	// Gather the groups first (slice headers are cheap to grow), so that
	// the Incident values, some 270 bytes each, are written once into a
	// slice of the right size instead of being copied as it doubles.
	var groups [][]int32
	f.each(func(members []int32) { groups = append(groups, members) })
	out := make([]Incident, len(groups))
	for i, g := range groups {
		out[i] = f.summarize(g)
	}
	sortIncidents(out)
	return out
}

// sortIncidents orders incidents by start time, then id. It sorts small
// keys and then moves each Incident once into place (following the cycles
// of the permutation) rather than letting the sort swap the large structs
// over and over.
func sortIncidents(out []Incident) {
	if len(out) < 2 {
		return
	}
	// Start is always time.Unix(0, t) for an int64 t (summarize makes it
	// so), so its UnixNano orders it exactly and compares as one integer.
	type key struct {
		start int64
		id    string
		i     int
	}
	keys := make([]key, len(out))
	for i := range out {
		keys[i] = key{out[i].Start.UnixNano(), out[i].ID, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		return cmp.Compare(a.id, b.id)
	})
	// Position j must receive out[keys[j].i]. Each cycle j -> keys[j].i ->
	// ... is rotated with one temporary; a done position gets keys[j].i = j.
	for j := range keys {
		if keys[j].i == j {
			continue
		}
		tmp := out[j]
		k := j
		for {
			next := keys[k].i
			keys[k].i = k
			if next == j {
				out[k] = tmp
				break
			}
			out[k] = out[next]
			k = next
		}
	}
}

// each calls fn with the members of every final incident, in no
// particular order. fn must not modify members; the slices stay valid
// after each returns (they are fresh for every call).
func (f *Fuser) each(fn func(members []int32)) {
	f.flush()
	layer, bound := f.decisionLayer()
	// Counting sort of the observations by incident key.
	n := int(f.obs.len())
	start := make([]int32, n+1)
	for i := range f.n.len() {
		start[f.hot[i].clus+1]++ // free slots (-1) count in start[0], which nothing reads
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	order := make([]int32, n)
	pos := slices.Clone(start[:n])
	for i := range f.n.len() {
		if k := f.hot[i].clus; k >= 0 {
			order[pos[k]] = i
			pos[k]++
		}
	}
	for k := range n {
		if f.hot[k].clus != int32(k) || bound[int32(k)] {
			continue
		}
		fn(order[start[k]:start[k+1]])
	}
	for _, g := range layer {
		fn(g)
	}
}

// Get returns the incident that contains the observation with id obsID. It
// returns an error wrapping derrors.ErrNotFound when the Fuser does not hold
// that observation (with Config.Horizon, also when its incident is
// finished).
func (f *Fuser) Get(obsID string) (Incident, error) {
	u, ok := parseUUID(obsID)
	x, found := f.lookup(u)
	if !ok || !found {
		return Incident{}, fmt.Errorf("incident: observation %s: %w", obsID, derrors.ErrNotFound)
	}
	f.flush()
	_, groups := f.finalGroupsOf([]int32{x})
	return f.summarize(groups[0]), nil
}

// Changes returns the incidents that changed since the previous call, and
// the ids of incidents that no longer exist (merged away, or renamed
// because a smaller observation id joined them). The first call returns
// every incident. A store that upserts the changed incidents and deletes
// the removed ids after each call mirrors Incidents exactly; the cost of a
// call is in proportion to what changed.
func (f *Fuser) Changes() (changed []Incident, removed []string) {
	if !f.changes {
		f.changes = true
		f.flush()
		f.touched = f.touched[:0]
		f.ev.gone = f.ev.gone[:0]
		f.dec.changed = false
		layer, bound := f.decisionLayer()
		f.dec.lastFinal = f.dec.lastFinal[:0]
		for _, g := range layer {
			f.dec.lastFinal = append(f.dec.lastFinal, g[0])
		}
		f.each(func(members []int32) {
			inc := f.summarize(members)
			changed = append(changed, inc)
			if k := f.hot[members[0]].clus; !bound[k] {
				f.lastID[f.keyOf(members)] = f.obs.at(f.minMember(members)).id
			}
		})
		sortIncidents(changed)
		return changed, nil
	}
	f.flush()
	layer, bound := f.decisionLayer()

	var old [][16]byte // smallest members of incidents that may be gone
	old = append(old, f.ev.gone...)
	f.ev.gone = f.ev.gone[:0]
	touched := f.touched
	f.touched = nil
	relayer := f.dec.changed
	f.dec.changed = false
	var keys []int32
	seen := map[int32]bool{}
	for _, k := range touched {
		if k < 0 || seen[k] {
			continue
		}
		seen[k] = true
		if id, ok := f.lastID[k]; ok {
			old = append(old, id)
			delete(f.lastID, k)
		}
		if bound[k] {
			relayer = true
			continue
		}
		if f.hot[k].clus == k {
			keys = append(keys, k)
		}
	}
	emitted := map[[16]byte]bool{}
	byKey := f.groupsOf(keys)
	for _, k := range keys {
		members := byKey[k]
		if len(members) == 0 {
			continue
		}
		inc := f.summarize(members)
		m := f.obs.at(f.minMember(members)).id
		f.lastID[k] = m
		emitted[m] = true
		changed = append(changed, inc)
	}
	if relayer {
		for _, m := range f.dec.lastFinal {
			old = append(old, f.obs.at(m).id)
		}
		f.dec.lastFinal = f.dec.lastFinal[:0]
		for _, g := range layer {
			changed = append(changed, f.summarize(g))
			f.dec.lastFinal = append(f.dec.lastFinal, g[0])
			emitted[f.obs.at(g[0]).id] = true
		}
	}
	slices.SortFunc(old, func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	old = slices.Compact(old)
	for _, m := range old {
		if !emitted[m] {
			removed = append(removed, IncidentID(formatUUID(m)))
		}
	}
	sortIncidents(changed)
	slices.Sort(removed)
	return changed, removed
}

// keyOf returns the fusion key of an unbound fusion incident's members.
func (f *Fuser) keyOf(members []int32) int32 {
	for _, m := range members {
		if f.hot[m].clus == m {
			return m
		}
	}
	return f.hot[members[0]].clus
}

func (f *Fuser) minMember(members []int32) int32 {
	best := members[0]
	for _, m := range members[1:] {
		if f.cmpID(m, best) < 0 {
			best = m
		}
	}
	return best
}

// membersOf appends to dst the members of the fusion incident with key k
// (nothing when k is no longer a key).
func (f *Fuser) membersOf(k int32, dst []int32) []int32 {
	return append(dst, f.groupsOf([]int32{k})[k]...)
}

// groupsOf returns the members of the fusion incidents with the given
// keys, scanning each block (and its watchers) once.
func (f *Fuser) groupsOf(keys []int32) map[int32][]int32 {
	want := map[int32]bool{}
	var roots []int32
	rootSeen := map[int32]bool{}
	out := map[int32][]int32{}
	for _, k := range keys {
		if k < 0 || f.hot[k].clus != k {
			continue
		}
		if f.obs.at(k).vague() {
			out[k] = []int32{k} // an orphan: an incident of one
			continue
		}
		want[k] = true
		if r := f.find(k); !rootSeen[r] {
			rootSeen[r] = true
			roots = append(roots, r)
		}
	}
	var ring []int32
	f.stamp++ // a vague observation may watch several of the blocks
	for _, r := range roots {
		ring = f.members(r, ring[:0])
		for _, m := range ring {
			if want[f.hot[m].clus] {
				out[f.hot[m].clus] = append(out[f.hot[m].clus], m)
			}
		}
		f.eachWatcher(r, func(v int32) {
			if f.n.at(v).mark == f.stamp {
				return
			}
			f.n.at(v).mark = f.stamp
			if f.obs.at(v).flags&fAttached != 0 && want[f.hot[v].clus] {
				out[f.hot[v].clus] = append(out[f.hot[v].clus], v)
			}
		})
	}
	return out
}

func (f *Fuser) cmpID(a, b int32) int { return bytes.Compare(f.obs.at(a).id[:], f.obs.at(b).id[:]) }

func (f *Fuser) sortByID(xs []int32) { slices.SortFunc(xs, f.cmpID) }

// Settle brings the grouping up to date now, so that the next reader does
// not pay for it. Readers call it themselves; calling it is never needed.
func (f *Fuser) Settle() { f.flush() }
