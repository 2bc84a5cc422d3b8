package incident

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
)

// Geometry and the grid. Distances use a local equirectangular
// approximation, exact enough over the tens of kilometres fusion compares.
const (
	metresPerDegree = 111194.93 // 2πR/360 with R = 6371008.8 m
	// cosRef scales longitude into grid columns (cos 48.5°, central
	// Ukraine). It affects only how many cells a query visits, never which
	// observations match.
	cosRef = 0.6626
)

// The index. An observation's reach is Gate × its uncertainty, in space
// and in time. It is indexed at the smallest spatial level whose cell is at
// least its spatial reach, in the cell of its point; within the cell, in
// the list of the smallest time class that covers its time reach, kept
// sorted by time. A query visits the few cells of each spatial level around
// its point and, in each list, binary-searches the time window that could
// hold a compatible observation: its cost follows the number of
// observations near it in space and time, not the total.
var (
	spaceCells = [...]float64{32_000, 128_000}                            // metres
	timeReach  = [...]float64{150, 1_200, 4 * 3600, 16 * 3600, 48 * 3600} // seconds
)

const nTime = len(timeReach)

// Defaults for Config.
const (
	DefaultGate = 3.5
)

// ambiguity is how much nearer (in normalised squared distance) a vague
// observation's best cluster must be than its second best for the
// observation to join it; otherwise it stays an incident of its own. A
// margin of 1 is a likelihood ratio of e^½ ≈ 1.6.
const ambiguity = 1.0

// Rules fixed by the package (documented in doc.go).
const (
	vagueSpaceM   = 5_000     // above this location uncertainty an observation is vague
	vagueTimeS    = 900       // above this time uncertainty an observation is vague
	maxSpaceM     = 35_000    // uncertainties are capped here for indexing and tests
	maxTimeS      = 12 * 3600 //
	regionWindowS = 2 * 3600  // a region-only observation matches within this time
)

// floor is the least uncertainty fusion assumes for a source, whatever the
// observation states: clocks drift, bearings are rough, allegations vague.
type floor struct{ m, s float64 }

var floors = map[observation.Source]floor{
	observation.Patrol:     {100, 60},
	observation.Camera:     {150, 3},
	observation.UAV:        {50, 60},
	observation.Acoustic:   {1000, 5},
	observation.Radar:      {1000, 10},
	observation.Satellite:  {50, 3600},
	observation.Party:      {5000, 1800},
	observation.OpenSource: {1000, 600},
}

// Config configures a Fuser.
type Config struct {
	// Locate maps a point to its ISO 3166-2 region code (internal/region's
	// Boundaries.Locate fits). It is called once per point observation and
	// once per incident, so it must be fast and safe to call repeatedly.
	// Nil means regions come only from the observations' own region field.
	Locate func(lat, lon float64) (string, bool)
	// Gate is the compatibility threshold in standard deviations: two
	// observations (or clusters) match when their normalised squared
	// distance in space and time is at most Gate². Zero means DefaultGate.
	Gate float64
	// Horizon bounds memory by time instead of by the number of
	// observations. Zero (the default) keeps every observation for the
	// Fuser's lifetime. A positive Horizon is how late an observation may
	// arrive and still be fused exactly (DefaultHorizon is a good value):
	// once the clock (the latest accepted_at seen) has moved more than
	// Horizon plus the longest possible reach past an incident, it can no
	// longer change; it is finished, leaves Incidents, Get and Changes, and
	// is handed over through Finished, and its observations are forgotten.
	// See "Memory and finished incidents" in the package documentation.
	Horizon time.Duration
}

// DefaultHorizon is a Horizon for Config: three days, well beyond the
// delays of patrol reports and offline sensor batches.
const DefaultHorizon = 72 * time.Hour

const (
	fPoint    = 1 << iota // has lat/lon
	fVague                // attaches to incidents, never links them
	fParty                // a party's allegation
	fAttached             // vague and attached to a precise cluster
	fLate                 // arrived more than Horizon late: fused as vague
	fPinned               // named by a merge or split: never finished
	fFree                 // the slot holds no observation
	fSettled              // vague, attached at least once: a watcher of the blocks it matches
)

// view is what the pairwise test reads of an observation. The index keeps
// a copy beside each observation's index, so a query scans memory in order
// instead of jumping to each observation.
type view struct {
	ts       float64 // observed_at, seconds since the Unix epoch
	lat, lon float32
	ss, st   float32 // location (m) and time (s) uncertainty after floors and caps
	cos      float32 // cos(lat)
	region   uint16  // interned region (0: unknown)
	kind     uint8
	flags    uint8
}

func (v *view) vague() bool { return v.flags&fVague != 0 }
func (v *view) point() bool { return v.flags&fPoint != 0 }

// obs is the compact form fusion keeps of one observation.
type obs struct {
	view
	t          int64   // observed_at, Unix nanoseconds
	plat, plon float64 // the point, exactly
	submitter  int64
	id         [16]byte
	count      int32
	org        uint16 // interned organisation
	party      uint16 // interned attributed_to (0: none)
	source     uint8
	level      uint8
}

// Fuser groups observations into incidents as they arrive. It is not safe
// for concurrent use; the caller serialises Add, Apply and the readers.
//
// Add costs time in proportion to the observations near the new one in
// space and time, not to how many the Fuser holds. Readers (Incidents,
// Changes, Get) first bring the grouping up to date, at a cost in proportion
// to what changed since the last read.
type Fuser struct {
	locate func(lat, lon float64) (string, bool)
	gate   float64
	gate2  float64
	kinds  *kindTable

	// obs and n are indexed by slot: an observation's index for as long as
	// the Fuser holds it.
	obs chunked[obs]
	n   chunked[node]
	// parent is the union-find forest over slots, apart from n so that
	// find walks a compact array.
	parent []int32
	// hot holds, by slot, what attach reads for each of a vague
	// observation's candidates, apart from n so that those reads stay in
	// cache.
	hot  []hot
	byID idTable // observation id -> slot

	// watchers holds, per block root, the vague observations compatible
	// with some member of the block (possibly more than once), as a chain
	// in wpool.
	watchers chunked[watchList]
	wpool    watchPool

	grid table // (spatial level, cell) -> index in cells
	// byRegion maps a region to its index in cells: lists[0] holds the
	// region's precise point observations, lists[nTime] its region-only
	// ones.
	byRegion table
	cells    []cell                 //
	spaceN   [len(spaceCells)]int32 // observations per spatial level
	preciseN [len(spaceCells)]int32 // precise observations per spatial level
	// maxSsP and maxSsV hold, per spatial level, the largest location
	// uncertainty of a precise observation ever indexed there and of a
	// vague one ever settled there. A query's box need only reach
	// Gate × that beyond its own reach, not a whole cell: precise
	// observations state at most 5 km, so the box of an attach is about
	// half as wide, and it visits a third as many cells.
	maxSsP, maxSsV [len(spaceCells)]float32
	// maxStV holds, per spatial level, the largest time uncertainty of a
	// vague observation ever indexed there, and settledHi the latest
	// observed time of one ever settled there (see wantVague).
	maxStV    [len(spaceCells)]float32
	settledHi [len(spaceCells)]float64
	regOnlyN  []int32 // region-only observations per region

	regions, orgs, parties interner
	sources                []observation.Source
	floors                 []floor // per source index
	kstamp                 uint32

	cstats chunked[clusterStats] // per cluster key
	free   freeSet               // the slots of finished observations, for reuse

	dirtyP, dirtyV []int32
	stamp          uint32
	cands          []int32
	keys           []int32 // attach's buffer
	preciseOnly    bool    // the current query wants precise observations only
	agg            agglo

	changes bool    // Changes has been called: track touched keys
	touched []int32 // incident keys touched since the last Changes
	// lastID holds, per fusion key, the smallest observation id of the
	// incident as Changes last reported it.
	lastID map[int32][16]byte
	dec    decisions

	ev eviction
}

// node is fusion's state of one slot.
type node struct {
	// Union-find over blocks (with Fuser.parent): precise observations
	// linked by pairwise compatibility. ring threads each block's members
	// in a cycle.
	size, ring int32
	// mark is a scratch stamp, per observation or root.
	mark  uint32
	gen   uint32 // how many times the slot was released
	wroot int32  // vague: the block root it last became a watcher of
	// bmax is, per block root, the latest observed time of its members;
	// dep is, per vague observation, the latest observed time of itself
	// and the blocks it was compared with. Both are seconds since the
	// epoch and say when a unit can no longer change.
	bmax, dep float64
}

// hot is the part of a slot's fusion state read once per candidate.
type hot struct {
	// clus is the key of the observation's fusion incident: the slot of
	// the incident's representative observation (-1 before the first
	// flush, and for a free slot).
	clus int32
	// kmark is a scratch stamp per cluster key.
	kmark uint32
	// wdep is, per cluster key with a horizon, the latest dep of the vague
	// observations compared with the cluster (rounded up to a float32:
	// seconds since the epoch, a little late, which only delays a finish).
	// attach writes it beside the kmark it writes anyway.
	wdep float32
}

// watcher is one entry of a block's watcher list. gen is the slot
// generation of v when it was added: an entry whose v has been released
// since (and perhaps reused) is stale and skipped.
type watcher struct {
	v   int32
	gen uint32
}

// freeWatches drops the watcher list of root r.
func (f *Fuser) freeWatches(r int32) { f.wpool.release(f.watchers.at(r)) }

// New returns an empty Fuser.
func New(cfg Config) *Fuser {
	g := cfg.Gate
	if g <= 0 {
		g = DefaultGate
	}
	f := &Fuser{
		locate:   cfg.Locate,
		gate:     g,
		gate2:    g * g,
		kinds:    newKindTable(),
		regOnlyN: []int32{0},
		lastID:   map[int32][16]byte{},
	}
	f.ev.init(cfg.Horizon, g)
	f.wpool.init()
	f.regions.init()
	f.orgs.init()
	f.parties.init()
	for _, s := range observation.Sources() {
		f.sources = append(f.sources, s)
		f.floors = append(f.floors, floors[s])
	}
	return f
}

// Len returns how many observations the Fuser holds: all it was given,
// less those of finished incidents when Config.Horizon is set.
func (f *Fuser) Len() int { return int(f.obs.len()) - f.free.len() }

// Add takes one accepted observation into fusion. It returns an error
// wrapping derrors.ErrInvalid when the record breaks the observation
// contract (it should have been parsed with observation.Parse), and one
// wrapping derrors.ErrConflict when an observation with the same id was
// already added; in both cases nothing changes. With Config.Horizon, Add
// may finish incidents (see Finished), and a duplicate of an observation
// whose incident is finished is not detected: it is taken as a late one.
func (f *Fuser) Add(rec observation.Record) error {
	o, err := f.compact(&rec)
	if err != nil {
		return fmt.Errorf("incident: add %s: %w", rec.ID, err)
	}
	if _, dup := f.lookup(o.id); dup {
		return fmt.Errorf("incident: add %s: %w", rec.ID, derrors.ErrConflict)
	}
	if f.ev.on {
		f.ev.tick(rec.AcceptedAt, rec.ObservedAt)
		if o.ts < f.ev.lateBefore() {
			o.flags |= fLate | fVague
		}
	}
	i := f.alloc(&o)
	f.putID(o.id, i)
	if f.obs.at(i).vague() {
		f.addVague(i)
	} else {
		f.addPrecise(i)
	}
	f.index(i)
	if f.ev.on {
		f.ev.queue(i, o.ts)
		if f.ev.due() {
			f.sweep()
		}
	}
	return nil
}

// alloc stores o in a free slot, or a new one, and returns its index.
func (f *Fuser) alloc(o *obs) int32 {
	var i int32
	if j, ok := f.free.take(); ok {
		i = j
		*f.obs.at(i) = *o
	} else {
		i = f.obs.len()
		f.obs.push(*o)
		f.n.push(node{})
		f.parent = append(f.parent, 0)
		f.hot = append(f.hot, hot{})
		f.watchers.push(noWatchers)
		f.cstats.push(clusterStats{})
	}
	n := f.n.at(i)
	n.size, n.ring, n.wroot = 1, i, -1
	f.hot[i] = hot{clus: -1, wdep: float32(math.Inf(-1))}
	f.parent[i] = i
	n.bmax, n.dep = o.ts, o.ts
	return i
}

// compact validates rec and turns it into an obs (not yet indexed).
func (f *Fuser) compact(rec *observation.Record) (obs, error) {
	var o obs
	id, ok := parseUUID(rec.ID)
	if !ok {
		return o, derrors.Invalid("id", "must be a UUID")
	}
	o.id = id
	k, ok := f.kinds.index[rec.Kind]
	if !ok || (f.kinds.domain[k] != rec.Domain && !observation.ValidKind(rec.Domain, rec.Kind)) {
		return o, derrors.Invalid("kind", "%q is not a %s kind", rec.Kind, rec.Domain)
	}
	o.kind = k
	si := slices.Index(f.sources, rec.Source) // eight sources: a scan beats a map
	if si < 0 {
		return o, derrors.Invalid("source", "unknown source %q", rec.Source)
	}
	o.source = uint8(si)
	if rec.ObservedAt.IsZero() {
		return o, derrors.Invalid("observed_at", "required")
	}
	o.t = rec.ObservedAt.UnixNano()
	o.ts = float64(o.t/1e9) + float64(o.t%1e9)/1e9
	fl := f.floors[si]
	ss := math.Max(rec.LocationUncertaintyM, fl.m)
	st := math.Max(rec.TimeUncertaintyS, fl.s)
	if math.IsNaN(ss) || math.IsNaN(st) {
		return o, derrors.Invalid("location_uncertainty_m", "must be a number")
	}
	if rec.Source == observation.Party || rec.Party != "" {
		o.flags |= fParty | fVague
	}
	if ss > vagueSpaceM || st > vagueTimeS {
		o.flags |= fVague
	}
	o.ss, o.st = float32(math.Min(ss, maxSpaceM)), float32(math.Min(st, maxTimeS))
	if rec.HasPoint() {
		lat, lon := *rec.Lat, *rec.Lon
		if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
			return o, derrors.Invalid("lat", "must be between -90 and 90, lon between -180 and 180")
		}
		o.plat, o.plon = lat, lon
		o.lat, o.lon = float32(lat), float32(lon)
		o.cos = float32(math.Cos(lat * math.Pi / 180))
		o.flags |= fPoint
	} else {
		o.flags |= fVague
	}
	region := rec.Region
	if o.point() && f.locate != nil {
		if r, ok := f.locate(o.plat, o.plon); ok {
			region = r
		}
	}
	if region == "" && !o.point() {
		return o, derrors.Invalid("lat", "either lat and lon or region is required")
	}
	o.region = f.regions.id(region)
	for int(o.region) >= len(f.regOnlyN) {
		f.regOnlyN = append(f.regOnlyN, 0)
	}
	o.party = f.parties.id(rec.AttributedTo)
	o.org = f.orgs.id(rec.Organization)
	o.submitter = rec.SubmitterID
	o.count = int32(max(rec.Count, 1))
	o.level = uint8(levelOf(f.gate*float64(o.ss), f.gate*float64(o.st)))
	return o, nil
}

// levelOf returns the spatial level and time class for the reaches, as
// spatial*nTime + time.
func levelOf(reachM, reachS float64) int {
	ls := len(spaceCells) - 1
	for l, c := range spaceCells {
		if reachM <= c {
			ls = l
			break
		}
	}
	lt := nTime - 1
	for l, c := range timeReach {
		if reachS <= c {
			lt = l
			break
		}
	}
	return ls*nTime + lt
}

// addPrecise links a new precise observation to every compatible precise
// one and registers the compatible vague ones as watchers of its block.
func (f *Fuser) addPrecise(i int32) {
	f.candidates(i)
	var vague []int32
	for _, c := range f.cands {
		if f.obs.at(c).vague() {
			vague = append(vague, c)
		} else {
			f.union(i, c)
		}
	}
	root := f.find(i)
	for _, v := range vague {
		// v already watches root when the block it last joined is now
		// root's. (A released block's slot may be root by now only if its
		// watchers were all finished: v would be too old to match i.)
		if w := f.n.at(v).wroot; w < 0 || f.find(w) != root {
			f.addWatch(root, v)
			f.n.at(v).wroot = root
		}
	}
	f.dirtyP = append(f.dirtyP, i)
}

// addVague queues a new vague observation for attach, which searches its
// precise candidates and makes it a watcher of their blocks at the next
// flush. Until then no precise observation needs to find it: it is new to
// the flush anyway. Vague observations are never linked with each other.
func (f *Fuser) addVague(i int32) {
	f.dirtyV = append(f.dirtyV, i)
}

// candidates sets f.cands to the indexed observations compatible with
// precise observation i (which may itself be indexed, and then is
// included): the precise ones, and the settled vague ones, which become
// watchers of its block. Vague observations not settled yet are skipped
// list by list: attach will find i itself.
func (f *Fuser) candidates(i int32) {
	f.cands = f.cands[:0]
	o := f.obs.at(i)
	f.preciseOnly = o.vague()
	if o.point() {
		f.gridQuery(o)
		if !f.preciseOnly && o.region != 0 && f.regSettled(o.region) {
			f.regionOnlyQuery(o)
		}
	} else {
		f.regionPointQuery(o)
	}
}

// preciseCandidates is candidates restricted to precise observations.
func (f *Fuser) preciseCandidates(i int32) {
	f.cands = f.cands[:0]
	o := f.obs.at(i)
	f.preciseOnly = true
	if o.point() {
		f.gridQuery(o)
	} else {
		f.regionPointQuery(o)
	}
}

func (f *Fuser) gridQuery(o *obs) {
	reachM, reachS := f.gate*float64(o.ss), f.gate*float64(o.st)
	reachS2 := reachS * reachS
	ts := o.ts
	// One longitude bound for every level, from the widest box: cos of the
	// largest |latitude| the query can reach.
	dmax := reachM + spaceCells[len(spaceCells)-1]
	if f.spaceN[len(spaceCells)-1] == 0 {
		dmax = reachM + spaceCells[0]
	}
	cosMin := math.Cos(math.Min(math.Abs(o.plat)+dmax/metresPerDegree, 89) * math.Pi / 180)
	lonScale := float32(1.001 / cosMin)
	for l, n := range f.spaceN {
		if n == 0 || (f.preciseOnly && f.preciseN[l] == 0) {
			continue
		}
		nl := 2 * nTime
		if !f.wantVague(o, l, reachS2) {
			nl = nTime // the precise lists come first
		}
		// Two points are compatible only within √(reach² + reach'²) of
		// each other, and reach' is at most Gate × the largest location
		// uncertainty the lists wanted hold (with a little slack for the
		// float32 positions the test reads). The precise lists and the
		// vague ones get a box each: settled vague observations state up
		// to 35 km, and sizing the precise lists' box by them (as when one
		// box served both) made a precise observation's query visit and
		// scan the precise lists of some nine cells instead of a few,
		// once a sweep had settled any vague observation at its level.
		// The vague box is only used when vague lists are wanted; the
		// cells are visited over the larger box in the same order as
		// before, so f.cands comes out the same.
		bp := f.box(o, l, f.maxSsP[l], reachM, cosMin)
		bv := bp
		if nl > nTime {
			bv = f.box(o, l, max(f.maxSsP[l], f.maxSsV[l]), reachM, cosMin)
		}
		for y := bv.y0; y <= bv.y1; y++ {
			for x := bv.x0; x <= bv.x1; x++ {
				ci := f.grid.get(cellKey(l, x, y))
				if ci < 0 {
					continue
				}
				c := &f.cells[ci]
				inP := y >= bp.y0 && y <= bp.y1 && x >= bp.x0 && x <= bp.x1
				for b := range nl {
					bx := &bv
					if b < nTime {
						if !inP {
							continue
						}
						bx = &bp
					}
					flat, flon := bx.flat, bx.flon
					if len(c.lists[b]) > 0 && (b < nTime || c.settled[b-nTime] > 0) {
						// The list's time reach is at most Gate times its
						// largest time uncertainty.
						r := f.gate * float64(c.maxSt[b])
						dt := math.Sqrt(reachS2 + r*r)
						hi := ts + dt
						if b >= nTime {
							// Only settled vague observations are wanted:
							// none is later than settledTo.
							hi = min(hi, c.settledTo[b-nTime])
						}
						f.scan(&o.view, c.lists[b], &c.hint[b], ts-dt, hi, flat, flon, lonScale)
					}
				}
			}
		}
	}
}

// wantVague reports whether a query from o (squared time reach reachS2)
// may find anything in the vague lists of spatial level l. A vague list's
// window ends at the latest settled time it ever held, and begins
// Gate × √(σt² + σt'²) before o, σt' the largest time uncertainty the
// list held, at most the level's: when that window is empty at the
// level's latest settled time, every vague list's is, and the query skips
// them all (and the wider box they need) without changing what it finds. With a horizon, sweeps settle only what was
// observed before clock − Horizon, so a new observation (days later) does
// not look at vague lists at all.
func (f *Fuser) wantVague(o *obs, l int, reachS2 float64) bool {
	if f.preciseOnly || f.maxSsV[l] == 0 {
		return false // nothing wanted, or nothing ever settled at l
	}
	r := f.gate * float64(f.maxStV[l])
	return o.ts-math.Sqrt(reachS2+r*r)*1.001 <= f.settledHi[l]
}

// queryBox is the part of one spatial level a query visits: cells x0..x1
// by y0..y1, and the per-entry bounds in degrees of latitude and
// longitude.
type queryBox struct {
	x0, x1, y0, y1 int64
	flat, flon     float32
}

// box returns the box of a query from o (spatial reach reachM) at level l
// for lists whose location uncertainties are at most ss; cosMin is the
// cos of the largest latitude the query can reach.
func (f *Fuser) box(o *obs, l int, ss float32, reachM, cosMin float64) queryBox {
	cs := spaceCells[l]
	re := f.gate * float64(ss)
	ds := math.Min(math.Sqrt(reachM*reachM+re*re)*1.001+10, math.Sqrt(reachM*reachM+cs*cs))
	dlat := ds / metresPerDegree
	dlon := ds / (metresPerDegree * cosMin)
	return queryBox{
		x0: cellX(o.plon-dlon, cs), x1: cellX(o.plon+dlon, cs),
		y0: cellY(o.plat-dlat, cs), y1: cellY(o.plat+dlat, cs),
		flat: float32(dlat*1.001 + 1e-5), flon: float32(dlon*1.001 + 1e-5),
	}
}

// scan appends to f.cands the observations of list (sorted by time)
// observed from lo to hi, within dlat/dlon degrees, and compatible with o. hint
// is the list's position where the previous scan started: consecutive
// queries (a stream in arrival order, a flush attaching vague observations
// in arrival order) look at nearby times, so the search for the window
// gallops from there instead of bisecting the whole list.
func (f *Fuser) scan(o *view, list []entry, hint *int32, lo, hi float64, dlat, dlon, lonScale float32) {
	if len(list) == 0 || lo > hi || list[0].ts > hi || list[len(list)-1].ts < lo {
		return
	}
	first := gallop(list, int(*hint), lo)
	*hint = int32(first)
	lat, lon := o.lat, o.lon
	kinds := f.kinds.mask[o.kind]
	skip := uint8(0)
	if f.preciseOnly {
		skip = fVague
	}
	// A tighter bound per entry: the pair's reach is at most the sum of
	// the two reaches, in degrees of latitude, and that times lonScale
	// (a little more than 1/cos of the largest latitude in reach) in
	// degrees of longitude.
	g := float32(f.gate / metresPerDegree)
	rq := o.ss * g
	gl, rql := g*lonScale, rq*lonScale+1e-5
	if dlat == math.MaxFloat32 {
		g, rq, gl, rql = 0, math.MaxFloat32, 0, math.MaxFloat32 // a region query: no spatial bound
	}
	for i := first; i < len(list) && list[i].ts <= hi; i++ {
		e := &list[i]
		if e.lat-lat > dlat || lat-e.lat > dlat || e.lon-lon > dlon || lon-e.lon > dlon ||
			e.flags&skip != 0 || kinds&(1<<e.kind) == 0 {
			continue
		}
		if r := rq + e.ss*g; e.lat-lat > r || lat-e.lat > r {
			continue
		}
		if r := rql + e.ss*gl; e.lon-lon > r || lon-e.lon > r {
			continue
		}
		if e.flags&o.flags&fPoint != 0 {
			// compatible, inlined for two points (the common case).
			dt := o.ts - e.ts
			sa, sb := float64(o.st), float64(e.st)
			dy := (float64(e.lat) - float64(lat)) * metresPerDegree
			dx := (float64(e.lon) - float64(lon)) * metresPerDegree * float64(o.cos+e.cos) / 2
			ma, mb := float64(o.ss), float64(e.ss)
			// The test of compatible, multiplied out: no division.
			vt, vs := sa*sa+sb*sb, ma*ma+mb*mb
			if dt*dt*vs+(dx*dx+dy*dy)*vt <= f.gate2*vt*vs {
				f.cands = append(f.cands, e.i)
			}
		} else if f.compatible(o, &e.view) {
			f.cands = append(f.cands, e.i)
		}
	}
}

// gallop returns the index of the first entry of list (sorted by time) at
// or after t, searching outwards from h in growing steps, then bisecting.
func gallop(list []entry, h int, t float64) int {
	n := len(list)
	h = min(max(h, 0), n-1)
	var lo, hi int // the answer is in [lo, hi]
	if list[h].ts < t {
		lo, hi = h+1, n
		for step := 1; h+step < n; step *= 2 {
			if list[h+step].ts >= t {
				hi = h + step
				break
			}
			lo = h + step + 1
		}
	} else {
		lo, hi = 0, h
		for step := 1; h-step >= 0; step *= 2 {
			if list[h-step].ts < t {
				lo = h - step + 1
				break
			}
			hi = h - step
		}
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if list[m].ts < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// regSettled reports whether some region-only observation of region r is
// settled.
func (f *Fuser) regSettled(r uint16) bool {
	if f.regOnlyN[r] == 0 {
		return false
	}
	ci := f.byRegion.get(regionKey(r))
	return ci >= 0 && f.cells[ci].settled[0] > 0
}

// regionOnlyQuery scans the region-only observations of o's region within
// regionWindowS of o.
func (f *Fuser) regionOnlyQuery(o *obs) {
	if o.region == 0 {
		return
	}
	if ci := f.byRegion.get(regionKey(o.region)); ci >= 0 {
		c := &f.cells[ci]
		hi := min(o.ts+regionWindowS, c.settledTo[0]) // settled ones only
		f.scan(&o.view, c.lists[nTime], &c.hint[nTime], o.ts-regionWindowS, hi, math.MaxFloat32, math.MaxFloat32, 0)
	}
}

// regionPointQuery finds the point observations compatible with
// region-only observation o: those of its region within regionWindowS. The
// region's cell keeps its precise point observations in lists[0], sorted
// by time, for this query alone.
func (f *Fuser) regionPointQuery(o *obs) {
	if ci := f.byRegion.get(regionKey(o.region)); ci >= 0 {
		f.scan(&o.view, f.cells[ci].lists[0], &f.cells[ci].hint[0], o.ts-regionWindowS, o.ts+regionWindowS, math.MaxFloat32, math.MaxFloat32, 0)
	}
}

func cellY(lat, cs float64) int64 { return int64(math.Floor(lat * metresPerDegree / cs)) }
func cellX(lon, cs float64) int64 { return int64(math.Floor(lon * metresPerDegree * cosRef / cs)) }

// entry is an observation in a cell's list: enough to filter by time and
// position without touching the observation itself.
type entry struct {
	view
	i int32
}

// cell holds, per time class, its observations sorted by time: the
// precise ones in lists[class], the vague ones in lists[nTime+class].
// settled[class] counts the settled vague ones of lists[nTime+class] (in a
// region's cell, settled[0] counts its region-only ones, all in
// lists[nTime]: see listOf); maxSt holds, per list, the
// largest time uncertainty it ever held (a list's class bounds it more
// loosely: precise observations reach at most Gate × 15 minutes).
type cell struct {
	lists   [2 * nTime][]entry
	settled [nTime]int32
	// settledTo bounds, per vague list, the observed times of the settled
	// observations it ever held (it never decreases). A precise
	// observation looks for settled vague ones only up to it: with a
	// horizon, sweeps settle only observations older than clock − Horizon,
	// and a new observation's window then usually ends before it begins.
	settledTo [nTime]float64
	maxSt     [2 * nTime]float32
	hint      [2 * nTime]int32 // per list, where the last scan started
	queued    uint16           // per list (bit), queued for the sweep to compact
}

// listOf returns the index in cell.lists of an observation's list. A
// region-only observation is listed in its region's lists[nTime], whatever
// its time class.
func listOf(o *obs) int {
	if !o.point() {
		return nTime
	}
	b := int(o.level) % nTime
	if o.vague() {
		b += nTime
	}
	return b
}

// insert adds e to list b of the cell with key k in idx, keeping the list
// sorted by time (then index, so the order is the same whatever the
// arrival order).
func (f *Fuser) insert(idx *table, k uint64, b int, e entry) {
	ci := idx.get(k)
	if ci < 0 {
		ci = int32(len(f.cells))
		f.cells = append(f.cells, cell{})
		idx.put(k, ci)
	}
	c := &f.cells[ci]
	c.maxSt[b] = max(c.maxSt[b], e.st)
	l := c.lists[b]
	n := len(l)
	after := func(k int) bool { return l[k].ts > e.ts || (l[k].ts == e.ts && l[k].i > e.i) }
	if n == 0 || !after(n-1) {
		f.cells[ci].lists[b] = append(l, e)
		return
	}
	// Search backwards from the end in growing steps, then bisect.
	lo, hi := 0, n-1
	for j, step := n-2, 1; j >= 0; j, step = j-step, step*2 {
		if !after(j) {
			lo = j + 1
			break
		}
		hi = j
	}
	j := lo + sort.Search(hi-lo, func(k int) bool { return after(lo + k) })
	l = append(l, entry{})
	copy(l[j+1:], l[j:])
	l[j] = e
	f.cells[ci].lists[b] = l
}

// cellOf returns the index in f.cells of observation o's cell.
func (f *Fuser) cellOf(o *obs) int32 {
	if o.point() {
		l := int(o.level) / nTime
		cs := spaceCells[l]
		return f.grid.get(cellKey(l, cellX(o.plon, cs), cellY(o.plat, cs)))
	}
	return f.byRegion.get(regionKey(o.region))
}

// settle marks vague observation v as settled: from now on, precise
// observations added later find it and make it a watcher of their blocks.
func (f *Fuser) settle(v int32) {
	o := f.obs.at(v)
	o.flags |= fSettled
	c, b := &f.cells[f.cellOf(o)], listOf(o)-nTime
	c.settled[b]++
	c.settledTo[b] = max(c.settledTo[b], o.ts)
	if o.point() {
		l := int(o.level) / nTime
		f.maxSsV[l] = max(f.maxSsV[l], o.ss)
		f.settledHi[l] = max(f.settledHi[l], o.ts)
	}
}

// index makes observation i findable by later ones.
func (f *Fuser) index(i int32) {
	o := f.obs.at(i)
	e := entry{view: o.view, i: i}
	if o.point() {
		l, b := int(o.level)/nTime, listOf(o)
		cs := spaceCells[l]
		f.insert(&f.grid, cellKey(l, cellX(o.plon, cs), cellY(o.plat, cs)), b, e)
		f.spaceN[l]++
		if !o.vague() {
			f.preciseN[l]++
			f.maxSsP[l] = max(f.maxSsP[l], o.ss)
		} else {
			f.maxStV[l] = max(f.maxStV[l], o.st)
		}
		if o.region != 0 && !o.vague() {
			f.insert(&f.byRegion, regionKey(o.region), 0, e)
		}
		return
	}
	f.insert(&f.byRegion, regionKey(o.region), nTime, e)
	f.regOnlyN[o.region]++
}

// compatible is the pairwise test: compatible kinds, and a normalised
// squared distance in time and space of at most Gate². Without a point on
// either side, space is replaced by equal regions and a window of
// regionWindowS.
func (f *Fuser) compatible(a, b *view) bool {
	if f.kinds.mask[a.kind]&(1<<b.kind) == 0 {
		return false
	}
	dt := a.ts - b.ts
	sa, sb := float64(a.st), float64(b.st)
	vt := sa*sa + sb*sb
	if dt*dt > f.gate2*vt {
		return false
	}
	if a.flags&b.flags&fPoint != 0 {
		dy := (float64(a.lat) - float64(b.lat)) * metresPerDegree
		// (a.cos+b.cos)/2 keeps the test exactly symmetric.
		dx := (float64(a.lon) - float64(b.lon)) * metresPerDegree * float64(a.cos+b.cos) / 2
		ma, mb := float64(a.ss), float64(b.ss)
		vs := ma*ma + mb*mb
		// dt²/vt + d²/vs ≤ Gate², multiplied out (scan inlines the same).
		return dt*dt*vs+(dx*dx+dy*dy)*vt <= f.gate2*vt*vs
	}
	return a.region != 0 && a.region == b.region && math.Abs(dt) <= regionWindowS
}

func (f *Fuser) find(x int32) int32 {
	for f.parent[x] != x {
		f.parent[x] = f.parent[f.parent[x]]
		x = f.parent[x]
	}
	return x
}

// union joins the blocks of a and b: sizes, member rings and watcher
// lists. The new root is marked dirty by the caller's dirty list.
func (f *Fuser) union(a, b int32) int32 {
	ra, rb := f.find(a), f.find(b)
	if ra == rb {
		return ra
	}
	if f.n.at(ra).size < f.n.at(rb).size || (f.n.at(ra).size == f.n.at(rb).size && rb < ra) {
		ra, rb = rb, ra
	}
	f.parent[rb] = ra
	f.n.at(ra).size += f.n.at(rb).size
	f.n.at(ra).bmax = max(f.n.at(ra).bmax, f.n.at(rb).bmax)
	f.n.at(ra).ring, f.n.at(rb).ring = f.n.at(rb).ring, f.n.at(ra).ring
	f.wpool.join(f.watchers.at(ra), f.watchers.at(rb))
	f.dirtyP = append(f.dirtyP, ra)
	return ra
}

// addWatch records that vague observation v is compatible with a member of
// the precise block rooted at root.
func (f *Fuser) addWatch(root, v int32) {
	l := f.watchers.at(root)
	w := watcher{v, f.n.at(v).gen}
	if last, ok := f.wpool.last(*l); ok && last == w {
		return
	}
	f.wpool.add(l, w)
}

// interner maps strings to small integers; 0 is the empty string. It
// remembers the last string asked for: records often repeat it.
type interner struct {
	ids    map[string]uint16
	names  []string
	last   string
	lastID uint16
}

func (in *interner) init() {
	in.ids = map[string]uint16{"": 0}
	in.names = []string{""}
}

func (in *interner) id(s string) uint16 {
	if s == "" {
		return 0
	}
	if s == in.last {
		return in.lastID
	}
	if id, ok := in.ids[s]; ok {
		in.last, in.lastID = s, id
		return id
	}
	if len(in.names) == math.MaxUint16 {
		return 0 // beyond 65535 distinct names: treated as unknown
	}
	id := uint16(len(in.names))
	in.ids[s] = id
	in.names = append(in.names, s)
	return id
}
