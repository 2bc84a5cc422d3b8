package incident

import (
	"bytes"
	"math"
	"slices"
)

// varianceFloor keeps a cluster's pooled uncertainty from shrinking below
// half the best member's: pooling assumes independent, honestly stated
// errors, and real reports understate theirs.
const varianceFloor = 0.25

// clusterStats is what vague observations are compared with: a precise
// cluster's weighted centre, its uncertainty and its kinds.
type clusterStats struct {
	lat, lon float64
	cosLat   float64
	t        float64 // seconds since the Unix epoch
	vs, vt   float64 // variances, m² and s²
	kinds    uint32
	// root and bmax are the cluster's block root and that block's latest
	// observed time, as they were when the block was last clustered. A
	// block's root and bmax change only when it is joined to another, and
	// that makes it dirty, to be clustered again before any attach reads
	// them: attach takes them from here, beside the centre it reads
	// anyway, instead of walking the union-find forest and reading the
	// root's node. (64 bytes: one cache line.)
	root int32
	bmax float64
}

// agglo holds the buffers of one agglomeration, reused between blocks.
type agglo struct {
	idx                      []int32 // local -> observation index, sorted by observation id
	sw, sx, sy, swt, st      []float64
	minVS, minVT             []float64
	kinds                    []uint32
	lp                       []int32 // local union-find
	ver                      []uint32
	adj                      [][]int32
	tmp                      []int32 // scratch for merge
	seen                     []uint32
	seenStamp                uint32
	h                        pairHeap
	local                    map[int32]int32
	lat0, lon0, cos0, t0secs float64
}

type pair struct {
	q      float64
	a, b   int32
	va, vb uint32
}

// pairHeap is a binary min-heap of pairs, ordered by q, then a, then b
// (typed, so that pushing a pair does not allocate).
type pairHeap []pair

func (p *pair) less(o *pair) bool {
	if p.q != o.q {
		return p.q < o.q
	}
	if p.a != o.a {
		return p.a < o.a
	}
	return p.b < o.b
}

func (h pairHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *pairHeap) push(p pair) {
	*h = append(*h, p)
	s := *h
	for j := len(s) - 1; j > 0; {
		i := (j - 1) / 2
		if !s[j].less(&s[i]) {
			break
		}
		s[i], s[j] = s[j], s[i]
		j = i
	}
}

func (h *pairHeap) pop() pair {
	s := *h
	n := len(s) - 1
	s[0], s[n] = s[n], s[0]
	p := s[n]
	*h = s[:n]
	h.down(0)
	return p
}

func (h pairHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && h[r].less(&h[l]) {
			j = r
		}
		if !h[j].less(&h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// bruteForceMax is the block size up to which edges are found by testing
// every pair rather than querying the grid.
const bruteForceMax = 48

// cluster partitions the members of one precise block into clusters, sets
// clus for each member to its cluster's key (the index of its member with
// the smallest id) and records each cluster's stats.
//
// The algorithm is agglomerative and deterministic: members are ordered by
// id; candidate pairs are the compatible pairs of observations; the pair of
// clusters whose weighted centres are nearest (in units of their pooled
// uncertainty) merges first, ties broken by member order; clusters merge
// only while that distance is within the gate and their kinds are all
// compatible. The result depends on the set of members, not on their
// arrival order, and a chain of barely compatible reports cannot pull
// distant events into one cluster: every merge is judged on the centres.
func (f *Fuser) cluster(members []int32) {
	a := &f.agg
	k := len(members)
	if k == 0 {
		return
	}
	slices.SortFunc(members, func(x, y int32) int { return bytes.Compare(f.obs.at(x).id[:], f.obs.at(y).id[:]) })
	// The vague observations compared with the block's old clusters are
	// compared with its new ones (the watchers among them are attached
	// again, and raise it again).
	wdep := float32(math.Inf(-1))
	for _, m := range members {
		if c := f.hot[m].clus; c >= 0 && f.hot[c].clus == c {
			wdep = max(wdep, f.hot[c].wdep)
		}
	}
	a.reset(k)
	a.idx = append(a.idx[:0], members...)
	ref := f.obs.at(members[0])
	a.lat0, a.lon0, a.t0secs = ref.plat, ref.plon, ref.ts
	a.cos0 = math.Cos(ref.plat * math.Pi / 180)
	for i, m := range members {
		o := f.obs.at(m)
		vs, vt := float64(o.ss)*float64(o.ss), float64(o.st)*float64(o.st)
		wt := 1 / vt
		a.swt[i], a.st[i] = wt, wt*(o.ts-a.t0secs)
		a.minVS[i], a.minVT[i] = vs, vt
		a.kinds[i] = 1 << o.kind
		w := 1 / vs
		x, y := a.xy(o.plat, o.plon)
		a.sw[i], a.sx[i], a.sy[i] = w, w*x, w*y
	}

	// Candidate pairs.
	addEdge := func(i, j int32) {
		a.adj[i] = append(a.adj[i], j)
		a.adj[j] = append(a.adj[j], i)
		if q, ok := f.clusterDist(i, j); ok {
			a.h = append(a.h, pair{q: q, a: i, b: j})
		}
	}
	if k <= bruteForceMax {
		for i := 0; i < k; i++ {
			for j := i + 1; j < k; j++ {
				if f.compatible(&f.obs.at(members[i]).view, &f.obs.at(members[j]).view) {
					addEdge(int32(i), int32(j))
				}
			}
		}
	} else {
		clear(a.local)
		for i, m := range members {
			a.local[m] = int32(i)
		}
		for i, m := range members {
			f.neighbours(m)
			for _, c := range f.cands {
				if j, ok := a.local[c]; ok && int32(i) < j {
					addEdge(int32(i), j)
				}
			}
		}
	}
	a.h.init()

	for len(a.h) > 0 {
		p := a.h.pop()
		if a.lp[p.a] != p.a || a.lp[p.b] != p.b || a.ver[p.a] != p.va || a.ver[p.b] != p.vb {
			continue
		}
		f.merge(p.a, p.b)
	}

	block := f.find(members[0])
	bmax := f.n.at(block).bmax
	for i, m := range members {
		r := a.root(int32(i))
		f.hot[m].clus = members[r]
		if int32(i) == r {
			f.hot[m].wdep = wdep
			cs := a.stats(r)
			cs.root, cs.bmax = block, bmax
			*f.cstats.at(m) = cs
		}
	}
}

// neighbours sets f.cands to the indexed precise observations compatible
// with observation i, i itself excluded.
func (f *Fuser) neighbours(i int32) {
	f.preciseCandidates(i)
	n := 0
	for _, c := range f.cands {
		if c != i {
			f.cands[n] = c
			n++
		}
	}
	f.cands = f.cands[:n]
}

// merge folds cluster b into cluster a (a < b, both roots) and queues the
// merged cluster's pairs with its neighbours.
func (f *Fuser) merge(i, j int32) {
	a := &f.agg
	a.lp[j] = i
	a.ver[i]++
	a.sw[i] += a.sw[j]
	a.sx[i] += a.sx[j]
	a.sy[i] += a.sy[j]
	a.swt[i] += a.swt[j]
	a.st[i] += a.st[j]
	a.minVS[i] = math.Min(a.minVS[i], a.minVS[j])
	a.minVT[i] = math.Min(a.minVT[i], a.minVT[j])
	a.kinds[i] |= a.kinds[j]

	a.seenStamp++
	a.seen[i] = a.seenStamp
	adj := a.tmp[:0]
	for _, list := range [2][]int32{a.adj[i], a.adj[j]} {
		for _, n := range list {
			r := a.root(n)
			if a.seen[r] == a.seenStamp {
				continue
			}
			a.seen[r] = a.seenStamp
			adj = append(adj, r)
		}
	}
	// Reuse both lists' memory: the merged list goes back into i's.
	a.tmp = adj
	a.adj[i], a.adj[j] = append(a.adj[i][:0], adj...), a.adj[j][:0]
	adj = a.adj[i]
	for _, n := range adj {
		x, y := min(i, n), max(i, n)
		if q, ok := f.clusterDist(x, y); ok {
			a.h.push(pair{q: q, a: x, b: y, va: a.ver[x], vb: a.ver[y]})
		}
	}
}

// clusterDist is the normalised squared distance between the centres of
// local clusters i and j, and whether they may merge.
func (f *Fuser) clusterDist(i, j int32) (float64, bool) {
	a := &f.agg
	if !f.kinds.compatible(a.kinds[i], a.kinds[j]) {
		return 0, false
	}
	ti, tj := a.st[i]/a.swt[i], a.st[j]/a.swt[j]
	dt := ti - tj
	q := dt * dt / (a.vt(i) + a.vt(j))
	if q > f.gate2 {
		return 0, false
	}
	dx := a.sx[i]/a.sw[i] - a.sx[j]/a.sw[j]
	dy := a.sy[i]/a.sw[i] - a.sy[j]/a.sw[j]
	q += (dx*dx + dy*dy) / (a.vs(i) + a.vs(j))
	return q, q <= f.gate2
}

func (a *agglo) vs(i int32) float64 { return math.Max(1/a.sw[i], varianceFloor*a.minVS[i]) }
func (a *agglo) vt(i int32) float64 { return math.Max(1/a.swt[i], varianceFloor*a.minVT[i]) }

func (a *agglo) xy(lat, lon float64) (x, y float64) {
	return (lon - a.lon0) * metresPerDegree * a.cos0, (lat - a.lat0) * metresPerDegree
}

func (a *agglo) root(i int32) int32 {
	for a.lp[i] != i {
		a.lp[i] = a.lp[a.lp[i]]
		i = a.lp[i]
	}
	return i
}

func (a *agglo) stats(r int32) clusterStats {
	x, y := a.sx[r]/a.sw[r], a.sy[r]/a.sw[r]
	lat := a.lat0 + y/metresPerDegree
	return clusterStats{
		lat:    lat,
		lon:    a.lon0 + x/(metresPerDegree*a.cos0),
		cosLat: math.Cos(lat * math.Pi / 180),
		t:      a.t0secs + a.st[r]/a.swt[r],
		vs:     a.vs(r),
		vt:     a.vt(r),
		kinds:  a.kinds[r],
	}
}

func (a *agglo) reset(k int) {
	grow := func(s []float64) []float64 {
		if cap(s) < k {
			return make([]float64, k)
		}
		return s[:k]
	}
	a.sw, a.sx, a.sy, a.swt, a.st = grow(a.sw), grow(a.sx), grow(a.sy), grow(a.swt), grow(a.st)
	a.minVS, a.minVT = grow(a.minVS), grow(a.minVT)
	if cap(a.kinds) < k {
		a.kinds, a.lp, a.ver, a.seen = make([]uint32, k), make([]int32, k), make([]uint32, k), make([]uint32, k)
		a.adj = make([][]int32, k)
		a.seenStamp = 0
	}
	a.kinds, a.lp, a.ver, a.adj, a.seen = a.kinds[:k], a.lp[:k], a.ver[:k], a.adj[:k], a.seen[:k]
	clear(a.ver)
	for i := range a.lp {
		a.lp[i] = int32(i)
		a.adj[i] = a.adj[i][:0]
	}
	a.h = a.h[:0]
	if a.local == nil {
		a.local = map[int32]int32{}
	}
}
