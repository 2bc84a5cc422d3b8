package incident

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"
)

// How far the clock moves between two sweeps for finished incidents: a
// sixth of the horizon, at least minSweepEvery. Memory holds at most this
// much more than the horizon needs; each sweep brings the grouping up to
// date, which costs more the more often it runs.
const minSweepEvery = 3 * 3600.0 // seconds

// eviction is the bookkeeping of a Fuser with a Horizon: the clock, and
// the observations queued by the hour of their observed time.
type eviction struct {
	on      bool
	horizon float64 // seconds
	// reach is the longest time apart two compatible observations can be:
	// Gate × √2 × the largest time uncertainty.
	reach float64
	clock float64 // the latest accepted_at seen (observed_at without one), seconds
	next  float64 // the clock at which the next sweep runs
	every float64 // seconds between sweeps
	// hours maps an hour (observed time, seconds/3600) to the slots
	// observed in it that are not finished yet. Hours below floor have been
	// swept; slots for them are queued at floor.
	hours map[int64][]int32
	floor int64

	finished []Incident
	// lastN is how many incidents the previous sweep finished: the next
	// sweep makes room for about as many at once, instead of letting
	// finished (emptied by every Finished call) double its way up again.
	lastN   int
	members []int32 // finish's buffer
	// text holds the ids of the incidents finish built in this sweep (as
	// appendIDs writes them), counts how many observations each has.
	text   []byte
	counts []int32
	gone   [][16]byte      // ids Changes reported for incidents that vanished when finished
	lists  []int32         // cell lists to compact (cell index × 2nTime + list); cell.queued marks them
	wait   map[int32]int64 // per blocked unit in a sweep, the hour to look again
}

func (e *eviction) init(h time.Duration, gate float64) {
	if h <= 0 {
		return
	}
	e.on = true
	e.horizon = h.Seconds()
	e.reach = gate * math.Sqrt2 * maxTimeS
	e.every = max(minSweepEvery, e.horizon/6)
	e.clock = math.Inf(-1)
	e.next = math.Inf(-1)
	e.hours = map[int64][]int32{}
	e.floor = math.MinInt64
	e.wait = map[int32]int64{}
}

// tick moves the clock to the record's acceptance time (its observed time
// when it has none), if that is later.
func (e *eviction) tick(accepted, observed time.Time) {
	t := accepted
	if t.IsZero() {
		t = observed
	}
	s := float64(t.UnixNano()) / 1e9
	if s > e.clock {
		e.clock = s
		if math.IsInf(e.next, -1) {
			e.next = s + e.every
		}
	}
}

// lateBefore is the observed time before which a new observation is late.
func (e *eviction) lateBefore() float64 { return e.clock - e.horizon }

func (e *eviction) due() bool { return e.clock >= e.next }

// queue files slot i under the hour of its observed time ts.
func (e *eviction) queue(i int32, ts float64) {
	h := max(int64(math.Floor(ts/3600)), e.floor)
	e.hours[h] = append(e.hours[h], i)
}

// sweep finishes every unit that can no longer change: it brings the
// grouping up to date, then visits the observations observed before the
// cut, hour by hour. A unit is a precise block with the vague observations
// attached to it, or a vague observation on its own. It is finished when
// no observation that is not late can be compatible with any of its
// members, nor with anything its vague members or watchers were compared
// with (bmax, dep), and no merge or split names its members. Its incidents
// go to Finished and its observations are released.
func (f *Fuser) sweep() {
	e := &f.ev
	e.next = e.clock + e.every
	cut := e.clock - e.horizon - e.reach
	if math.IsInf(cut, 0) || math.IsNaN(cut) {
		return
	}
	limit := int64(math.Floor(cut / 3600)) // hours below limit end before cut
	var hours []int64
	for h := range e.hours {
		if h < limit {
			hours = append(hours, h)
		}
	}
	if len(hours) == 0 {
		return
	}
	slices.Sort(hours)
	f.flushBefore(e.lateBefore())
	first := len(e.finished)
	e.finished = slices.Grow(e.finished, e.lastN+e.lastN/8)
	var gone [][16]byte
	f.stamp++ // marks units visited in this sweep
	for _, h := range hours {
		for _, s := range e.hours[h] {
			o := f.obs.at(s)
			if o.flags&fFree != 0 {
				continue // finished already (or a stale entry of a reused slot)
			}
			u := s // the unit's representative: block root or the vague slot itself
			if o.vague() && o.flags&fAttached != 0 {
				u = f.find(f.hot[s].clus)
			} else if !o.vague() {
				u = f.find(s)
			}
			if f.n.at(u).mark != f.stamp {
				f.n.at(u).mark = f.stamp
				until := f.finishedUnit(u)
				if until < cut {
					gone = f.finish(u, gone)
					continue
				}
				// Blocked: look again once the cut has passed until.
				w := limit
				if until < math.MaxFloat64 {
					w = max(limit, int64(math.Floor(until/3600)))
				}
				e.wait[u] = w
			} else if f.obs.at(s).flags&fFree != 0 {
				continue
			}
			w := e.wait[u]
			e.hours[w] = append(e.hours[w], s)
		}
		delete(e.hours, h)
	}
	e.floor = limit
	clear(e.wait)
	e.setFinishedIDs(first)

	// Drop the removals of ids that live on as finished incidents.
	if len(gone) > 0 {
		kept := map[[16]byte]bool{}
		for _, inc := range e.finished[first:] {
			u, _ := parseUUID(inc.Observations[0])
			kept[u] = true
		}
		for _, u := range gone {
			if !kept[u] {
				e.gone = append(e.gone, u)
			}
		}
	}
	sortIncidents(e.finished[first:])
	e.lastN = len(e.finished) - first

	// Take the released observations out of the index.
	// Released observations were observed before cut, so they are all in
	// the head of each list, before the first entry at or after cut.
	for _, k := range e.lists {
		c := &f.cells[k/int32(2*nTime)]
		c.queued = 0
		l := c.lists[k%int32(2*nTime)]
		end := sort.Search(len(l), func(j int) bool { return l[j].ts >= cut })
		n := 0
		for _, x := range l[:end] {
			if !f.free.has(x.i) {
				l[n] = x
				n++
			}
		}
		n += copy(l[n:], l[end:])
		c.lists[k%int32(2*nTime)] = l[:n]
	}
	e.lists = e.lists[:0]
	if f.changes {
		f.touched = slices.DeleteFunc(f.touched, func(k int32) bool { return k < 0 || f.obs.at(k).flags&fFree != 0 })
	}
}

// finishedUnit returns the time before which the cut must have moved for
// the unit with representative u (a block root, or a vague observation on
// its own) to be finished: the latest observed time of its members, of
// the vague observations compared with it and of what they were compared
// with (bmax, dep); MaxFloat64 when a merge or split names it.
func (f *Fuser) finishedUnit(u int32) float64 {
	o := f.obs.at(u)
	n := f.n.at(u)
	if o.vague() {
		if o.flags&fPinned != 0 {
			return math.MaxFloat64
		}
		return n.dep
	}
	until := n.bmax
	// Only merges and splits pin observations.
	pins := len(f.dec.structural) > 0
	for x := u; ; {
		if pins && f.obs.at(x).flags&fPinned != 0 {
			return math.MaxFloat64
		}
		if h := &f.hot[x]; h.clus == x {
			until = max(until, float64(h.wdep))
		}
		if x = f.n.at(x).ring; x == u {
			break
		}
	}
	if !pins {
		return until
	}
	// An attached vague observation watches the block of its cluster.
	f.eachWatcher(u, func(w int32) {
		ow := f.obs.at(w)
		if ow.flags&(fFree|fVague|fAttached|fPinned) == fVague|fAttached|fPinned && f.find(f.hot[w].clus) == u {
			until = math.MaxFloat64
		}
	})
	return until
}

// finish turns the unit with representative u into finished incidents and
// releases its observations. It appends to gone the ids Changes last
// reported for its incidents.
func (f *Fuser) finish(u int32, gone [][16]byte) [][16]byte {
	members := f.ev.members[:0]
	if f.obs.at(u).vague() {
		members = append(members, u)
	} else {
		members = f.members(u, members)
		f.kstamp++
		f.eachWatcher(u, func(w int32) {
			ow := f.obs.at(w)
			if ow.flags&(fFree|fAttached) != fAttached || !ow.vague() || f.hot[w].kmark == f.kstamp {
				return
			}
			f.hot[w].kmark = f.kstamp
			if f.find(f.hot[w].clus) == u {
				members = append(members, w)
			}
		})
	}
	// One incident per fusion key.
	slices.SortFunc(members, func(a, b int32) int { return cmp.Compare(f.hot[a].clus, f.hot[b].clus) })
	for i := 0; i < len(members); {
		j := i + 1
		for j < len(members) && f.hot[members[j]].clus == f.hot[members[i]].clus {
			j++
		}
		// As summarize, but members is the sweep's own buffer (sorted in
		// place, not copied), the Incident is built where it is kept, and
		// its ids go into the sweep's text: setFinishedIDs makes it one
		// string and one slice of ids for all the sweep's incidents.
		g := members[i:j]
		f.sortByID(g)
		e := &f.ev
		e.text = f.appendIDs(e.text, g)
		e.counts = append(e.counts, int32(len(g)))
		e.finished = append(e.finished, Incident{})
		f.figures(&e.finished[len(e.finished)-1], g)
		i = j
	}
	if !f.obs.at(u).vague() {
		f.freeWatches(u)
	}
	for _, m := range members {
		if id, ok := f.lastID[m]; ok {
			gone = append(gone, id)
			delete(f.lastID, m)
		}
		f.release(m)
	}
	f.ev.members = members
	return gone
}

// setFinishedIDs sets the ids of the incidents finish built in this
// sweep, finished[first:], from e.text: one string and one backing array
// of observation ids for them all, instead of two allocations per
// incident. (A caller that keeps one of them keeps the sweep's text alive,
// some 40 bytes per observation of the sweep.)
func (e *eviction) setFinishedIDs(first int) {
	if len(e.counts) == 0 {
		return
	}
	all := string(e.text)
	total := 0
	for _, n := range e.counts {
		total += int(n)
	}
	obs := make([]string, total)
	off, k := 0, 0
	for j, n := range e.counts {
		end := off + (int(n)+1)*uuidLen
		// Each incident's slice is capped at its length: appending to it
		// must not write over the next incident's ids.
		setIDs(&e.finished[first+j], all[off:end], obs[k:k+int(n):k+int(n)])
		off, k = end, k+int(n)
	}
	e.text, e.counts = e.text[:0], e.counts[:0]
}

// release forgets observation s and frees its slot.
func (f *Fuser) release(s int32) {
	o := f.obs.at(s)
	f.deleteID(o.id, s)
	if f.dec.byAnchor != nil {
		delete(f.dec.byAnchor, s)
	}
	ci, b := f.cellOf(o), listOf(o)
	if o.point() {
		l := int(o.level) / nTime
		f.spaceN[l]--
		if !o.vague() {
			f.preciseN[l]--
		}
	} else {
		f.regOnlyN[o.region]--
	}
	if o.flags&fSettled != 0 {
		f.cells[ci].settled[b-nTime]--
	}
	f.compactLater(ci*int32(2*nTime) + int32(b))
	if o.point() && !o.vague() && o.region != 0 {
		f.compactLater(f.byRegion.get(regionKey(o.region)) * int32(2*nTime)) // its region's lists[0]
	}
	*o = obs{}
	o.flags = fFree
	f.hot[s] = hot{clus: -1, wdep: float32(math.Inf(-1))}
	f.parent[s], f.n.at(s).ring, f.n.at(s).size = s, s, 1
	f.freeWatches(s)
	f.n.at(s).gen++
	f.free.add(s)
}

// compactLater queues cell list k (cell index × 2nTime + list) for the
// sweep to drop released entries from.
func (f *Fuser) compactLater(k int32) {
	c, bit := &f.cells[k/int32(2*nTime)], uint16(1)<<(k%int32(2*nTime))
	if c.queued&bit == 0 {
		c.queued |= bit
		f.ev.lists = append(f.ev.lists, k)
	}
}

// Finished returns the incidents finished since the previous call, ordered
// by start time and then id, and forgets them. Only a Fuser with a Horizon
// finishes incidents. A finished incident no longer changes: no later
// observation (but a late one, which forms or joins another incident) and
// no decision can reach it, and Incidents, Get and Changes no longer list
// it; Changes does not report it as removed. A caller that keeps incidents
// (a store mirroring Changes) must store these too, and should call
// Finished after each batch of Add, since the Fuser holds them until then.
func (f *Fuser) Finished() []Incident {
	out := f.ev.finished
	f.ev.finished = nil
	return out
}
