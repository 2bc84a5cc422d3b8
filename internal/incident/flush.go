package incident

import (
	"bytes"
	"math"
)

// flush brings the grouping up to date: it re-clusters the precise blocks
// that changed, then re-attaches the vague observations that watch them or
// are new.
func (f *Fuser) flush() { f.flushBefore(math.Inf(1)) }

// flushBefore is flush, but it leaves new (not yet settled) vague
// observations observed at or after before for a later flush: they stay
// queued exactly as Add left them, which is a state the Fuser is always
// allowed to be in. A sweep uses it with before = clock − Horizon: only
// what was observed earlier can be compatible with a unit the sweep may
// finish (whose members are all more than the longest reach older still),
// and attaching the newer ones now would make them watchers that every
// later precise observation near them must find, and whose attachment
// each change of their blocks must re-decide, well before that matters.
func (f *Fuser) flushBefore(before float64) {
	// Precise blocks.
	roots := f.dirtyRoots(f.dirtyP)
	f.dirtyP = f.dirtyP[:0]
	var members []int32
	for _, r := range roots {
		members = f.members(r, members[:0])
		for _, m := range members {
			if k := f.hot[m].clus; k >= 0 && f.hot[k].clus == k {
				f.touch(k)
			}
		}
		f.cluster(members)
		for _, m := range members {
			if f.hot[m].clus == m {
				f.touch(m)
			}
		}
		f.eachWatcher(r, func(v int32) { f.dirtyV = append(f.dirtyV, v) })
	}

	// Vague observations: attach each to its best precise cluster, if any.
	f.stamp++
	keep := f.dirtyV[:0] // the new ones left for later, filtered in place
	for _, v := range f.dirtyV {
		// A stale watcher entry may name a slot reused since by a
		// precise observation: only vague ones attach.
		o := f.obs.at(v)
		if f.n.at(v).mark == f.stamp || !o.vague() {
			continue
		}
		f.n.at(v).mark = f.stamp
		if o.flags&fSettled == 0 && o.ts >= before {
			keep = append(keep, v)
			continue
		}
		f.attach(v)
	}
	f.dirtyV = keep
}

// dirtyRoots returns the distinct current roots of the blocks of xs.
func (f *Fuser) dirtyRoots(xs []int32) []int32 {
	f.stamp++
	var roots []int32
	for _, x := range xs {
		r := f.find(x)
		if f.n.at(r).mark != f.stamp {
			f.n.at(r).mark = f.stamp
			roots = append(roots, r)
		}
	}
	return roots
}

// members appends the members of the block rooted at r to dst.
func (f *Fuser) members(r int32, dst []int32) []int32 {
	x := r
	for {
		dst = append(dst, x)
		x = f.n.at(x).ring
		if x == r {
			return dst
		}
	}
}

// eachWatcher calls fn for each entry of the watcher list of root r
// (possibly more than once for one observation).
func (f *Fuser) eachWatcher(r int32, fn func(v int32)) {
	p := &f.wpool
	for i := f.watchers.at(r).head; i >= 0; {
		nd := p.nodes.at(i)
		for _, w := range nd.w[:nd.n] {
			if w.gen == f.n.at(w.v).gen {
				fn(w.v)
			}
		}
		i = nd.next
	}
}

func (f *Fuser) touch(k int32) {
	if f.changes {
		f.touched = append(f.touched, k)
	}
}

// attach re-decides which precise cluster vague observation v belongs to:
// among the clusters of the precise observations it is compatible with,
// the one whose centre is nearest in units of the combined uncertainty,
// within the gate; ties go to the cluster whose key has the smaller id.
// When no cluster is within the gate, or the best is not nearer than the
// second best by Ambiguity, v is an incident of its own.
//
// The first attach settles v: it becomes a watcher of the blocks of its
// candidates, and precise observations added later find it themselves.
// With a horizon, a block too old for any precise observation not yet
// late to join is frozen: it can never change, so v need not watch it
// for a change, and only watches it when it attaches to it (finish and
// Incidents find a block's attached observations among its watchers).
// The wdep of each candidate cluster is raised to v's dep, which is what
// finishedUnit reads instead of walking the watchers.
func (f *Fuser) attach(v int32) {
	o := f.obs.at(v)
	settled := o.flags&fSettled != 0
	if !settled {
		f.settle(v)
	}
	f.preciseCandidates(v)
	frozen := f.frozenBefore()
	best, bestQ, secondQ := int32(-1), math.Inf(1), math.Inf(1)
	dep := o.ts
	keys := f.keys[:0]
	f.kstamp++
	for _, c := range f.cands {
		k := f.hot[c].clus
		if f.hot[k].kmark == f.kstamp {
			continue
		}
		f.hot[k].kmark = f.kstamp
		cs := f.cstats.at(k)
		r := cs.root // k's block is c's
		dep = max(dep, cs.bmax)
		if f.ev.on {
			keys = append(keys, k)
		}
		// cs.bmax is the block's: a block changed since it was clustered
		// is dirty, and flush clusters dirty blocks before it attaches.
		if !settled && cs.bmax >= frozen {
			// Consecutive entries for one block collapse in addWatch.
			f.addWatch(r, v)
			f.n.at(v).wroot = r
		}
		q, ok := f.attachDist(o, cs)
		if !ok {
			continue
		}
		switch {
		case q < bestQ || (q == bestQ && bytes.Compare(f.obs.at(k).id[:], f.obs.at(best).id[:]) < 0):
			best, bestQ, secondQ = k, q, bestQ
		case q < secondQ:
			secondQ = q
		}
	}
	if len(keys) > 0 {
		w := up32(dep)
		for _, k := range keys {
			f.hot[k].wdep = max(f.hot[k].wdep, w)
		}
	}
	f.keys = keys
	if secondQ-bestQ < ambiguity {
		best = -1
	}
	f.n.at(v).dep = dep
	old := f.hot[v].clus
	if best >= 0 {
		o.flags |= fAttached
		if cs := f.cstats.at(best); cs.bmax < frozen {
			f.addWatch(cs.root, v) // frozen: not watched for changes
		}
	} else {
		o.flags &^= fAttached
		best = v
	}
	if old != best {
		f.hot[v].clus = best
		if old >= 0 {
			f.touch(old)
		}
		f.touch(best)
	}
}

// up32 rounds t up to a float32.
func up32(t float64) float32 {
	w := float32(t)
	if float64(w) < t {
		w = math.Nextafter32(w, float32(math.Inf(1)))
	}
	return w
}

// frozenBefore returns the time before which a block whose members were
// all observed is frozen: no observation that is not late (observed at or
// after clock − Horizon) can join it. Precise observations state at most
// vagueTimeS, so two are compatible only within Gate × √2 × vagueTimeS of
// each other (a second's slack covers rounding). Without a horizon
// nothing is frozen.
func (f *Fuser) frozenBefore() float64 {
	if !f.ev.on {
		return math.Inf(-1)
	}
	return f.ev.lateBefore() - f.gate*math.Sqrt2*vagueTimeS - 1
}

// attachDist compares a vague observation with a precise cluster's centre.
func (f *Fuser) attachDist(o *obs, c *clusterStats) (float64, bool) {
	if !f.kinds.compatible(1<<o.kind, c.kinds) {
		return 0, false
	}
	dt := o.ts - c.t
	st := float64(o.st)
	q := dt * dt / (st*st + c.vt)
	if !o.point() {
		return q, q <= f.gate2 && math.Abs(dt) <= regionWindowS
	}
	dy := (o.plat - c.lat) * metresPerDegree
	dx := (o.plon - c.lon) * metresPerDegree * (float64(o.cos) + c.cosLat) / 2
	ss := float64(o.ss)
	q += (dx*dx + dy*dy) / (ss*ss + c.vs)
	return q, q <= f.gate2
}
