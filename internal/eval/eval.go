// Package eval scores a grouping of observations into incidents against a
// scenario's ground truth, and compares fusion with a DBSCAN baseline.
//
// The score is B-cubed (Bagga and Baldwin, 1998): for each observation,
// precision is the share of its cluster that describes its true event and
// recall the share of its true event that is in its cluster; both are
// averaged over observations and combined into F1. Unlike pair counting it
// does not let the largest clusters dominate, and a singleton false report
// put on its own counts fully.
//
// The baseline is DBSCAN over space and time, with one metric that scales
// kilometres by EpsKm and minutes by EpsMin; region-only observations, which
// have no point, are noise (incidents of one). It is grid-indexed, so it
// runs on a hundred thousand observations in well under a second.
package eval

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
)

// Score is a B-cubed score.
type Score struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// BCubed scores the clustering got against the truth: got[i] and truth[i]
// are the cluster and the true class of item i. It returns an error when
// the two differ in length; an empty input scores zero.
func BCubed[C, T comparable](got []C, truth []T) (Score, error) {
	if len(got) != len(truth) {
		return Score{}, fmt.Errorf("eval: %d labels against %d truths", len(got), len(truth))
	}
	if len(got) == 0 {
		return Score{}, nil
	}
	type cell struct {
		c C
		t T
	}
	nc := map[C]int{}
	nt := map[T]int{}
	nct := map[cell]int{}
	for i := range got {
		nc[got[i]]++
		nt[truth[i]]++
		nct[cell{got[i], truth[i]}]++
	}
	// Summing per item, in input order, makes the result bit-for-bit
	// reproducible (a sum over a map's random order is not).
	var p, r float64
	for i := range got {
		n := float64(nct[cell{got[i], truth[i]}])
		p += n / float64(nc[got[i]])
		r += n / float64(nt[truth[i]])
	}
	n := float64(len(got))
	s := Score{Precision: p / n, Recall: r / n}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s, nil
}

// DBSCANParams are the baseline's parameters.
type DBSCANParams struct {
	EpsKm  float64 `json:"eps_km"`
	EpsMin float64 `json:"eps_min"`
	MinPts int     `json:"min_pts"` // points within eps, the point itself included, that make a core point
}

// String renders the parameters as the comparison table shows them.
func (p DBSCANParams) String() string {
	return fmt.Sprintf("eps=%gkm/%gmin minPts=%d", p.EpsKm, p.EpsMin, p.MinPts)
}

const metresPerDegree = 111194.93

// DBSCAN clusters the records' points in space and time and returns a
// cluster label per record. Two points are neighbours when
// (distance/EpsKm)² + (Δt/EpsMin)² ≤ 1. Noise points and region-only
// records get labels of their own. Points are visited in the order given,
// so the result is deterministic for a given order; only border points
// shared by two clusters depend on it.
func DBSCAN(recs []observation.Record, p DBSCANParams) []int32 {
	n := len(recs)
	x, y, t := make([]float64, n), make([]float64, n), make([]float64, n)
	ok := make([]bool, n)
	cell := map[[3]int64][]int32{}
	key := func(i int) [3]int64 {
		return [3]int64{int64(math.Floor(x[i])), int64(math.Floor(y[i])), int64(math.Floor(t[i]))}
	}
	for i := range recs {
		r := &recs[i]
		if !r.HasPoint() {
			continue
		}
		ok[i] = true
		// Unit cells: coordinates in units of eps.
		y[i] = *r.Lat * metresPerDegree / 1000 / p.EpsKm
		x[i] = *r.Lon * metresPerDegree * math.Cos(*r.Lat*math.Pi/180) / 1000 / p.EpsKm
		t[i] = float64(r.ObservedAt.UnixMilli()) / 60_000 / p.EpsMin
		k := key(i)
		cell[k] = append(cell[k], int32(i))
	}
	neighbours := func(i int, dst []int32) []int32 {
		dst = dst[:0]
		k := key(i)
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for dt := int64(-1); dt <= 1; dt++ {
					for _, j := range cell[[3]int64{k[0] + dx, k[1] + dy, k[2] + dt}] {
						ddx, ddy, ddt := x[i]-x[j], y[i]-y[j], t[i]-t[j]
						if ddx*ddx+ddy*ddy+ddt*ddt <= 1 {
							dst = append(dst, j)
						}
					}
				}
			}
		}
		return dst
	}
	const unvisited, noise = -1, -2
	label := make([]int32, n)
	for i := range label {
		label[i] = unvisited
	}
	next := int32(0)
	var nb, queue []int32
	for i := range recs {
		if label[i] != unvisited {
			continue
		}
		if !ok[i] {
			label[i] = noise
			continue
		}
		nb = neighbours(i, nb)
		if len(nb) < p.MinPts {
			label[i] = noise
			continue
		}
		c := next
		next++
		label[i] = c
		queue = append(queue[:0], nb...)
		for len(queue) > 0 {
			j := queue[0]
			queue = queue[1:]
			if label[j] == noise {
				label[j] = c
			}
			if label[j] != unvisited {
				continue
			}
			label[j] = c
			nb = neighbours(int(j), nb)
			if len(nb) >= p.MinPts {
				queue = append(queue, nb...)
			}
		}
	}
	for i := range label {
		if label[i] == noise {
			label[i] = next
			next++
		}
	}
	return label
}

// DefaultDBSCAN returns a reasonable untuned baseline: neighbours within
// 3 km and 3 minutes, every point a core point.
func DefaultDBSCAN() DBSCANParams { return DBSCANParams{EpsKm: 3, EpsMin: 3, MinPts: 1} }

// tuneGrid is the parameter grid TuneDBSCAN searches.
var tuneGrid = struct {
	EpsKm, EpsMin []float64
	MinPts        []int
}{
	EpsKm:  []float64{0.5, 1, 2, 3, 4, 6, 8, 12},
	EpsMin: []float64{0.25, 0.5, 1, 2, 5, 10, 30},
	MinPts: []int{1, 2},
}

// TuneDBSCAN searches a grid of parameters (eps 0.5–12 km and 0.25–30
// minutes, minPts 1 or 2) for those that score best against the truth
// itself: an optimistic baseline, since fusion gets no such help.
func TuneDBSCAN(s *simulate.Scenario) (DBSCANParams, Score) {
	var best DBSCANParams
	bestS := Score{F1: -1}
	for _, e := range tuneGrid.EpsKm {
		for _, m := range tuneGrid.EpsMin {
			for _, k := range tuneGrid.MinPts {
				p := DBSCANParams{EpsKm: e, EpsMin: m, MinPts: k}
				sc, _ := BCubed(DBSCAN(s.Records, p), s.Truth)
				if sc.F1 > bestS.F1 {
					best, bestS = p, sc
				}
			}
		}
	}
	return best, bestS
}

// Fuse feeds the scenario's records to a new Fuser in arrival order and
// returns, per record, the id of the incident it ends up in.
func Fuse(s *simulate.Scenario, cfg incident.Config) ([]string, error) {
	return FuseOrder(s, cfg, nil)
}

// FuseOrder is Fuse with the records fed in the given order (indices into
// s.Records; nil means arrival order). The result is still per record, in
// s.Records order.
func FuseOrder(s *simulate.Scenario, cfg incident.Config, order []int) ([]string, error) {
	f := incident.New(cfg)
	for k := range s.Records {
		i := k
		if order != nil {
			i = order[k]
		}
		if err := f.Add(s.Records[i]); err != nil {
			return nil, fmt.Errorf("eval: fuse: %w", err)
		}
	}
	of := make(map[string]string, len(s.Records))
	// With a Horizon, some incidents have finished: they count too.
	for _, inc := range append(f.Finished(), f.Incidents()...) {
		for _, o := range inc.Observations {
			of[o] = inc.ID
		}
	}
	out := make([]string, len(s.Records))
	for i := range s.Records {
		out[i] = of[s.Records[i].ID]
	}
	return out, nil
}

// Row is one line of a comparison.
type Row struct {
	Method   string        `json:"method"`
	Params   string        `json:"params"`
	Clusters int           `json:"clusters"`
	Score    Score         `json:"score"`
	Elapsed  time.Duration `json:"elapsed"`
}

// Compare runs fusion (configured by cfg, with simulate.Locate when cfg has
// no locator), DBSCAN with DefaultDBSCAN() and DBSCAN tuned on the truth on
// the scenario, and scores each. The true events' own score (1.0) is not
// listed; the first row is fusion.
func Compare(s *simulate.Scenario, cfg incident.Config) ([]Row, error) {
	if cfg.Locate == nil {
		cfg.Locate = simulate.Locate
	}
	var rows []Row
	start := time.Now()
	got, err := Fuse(s, cfg)
	if err != nil {
		return nil, err
	}
	el := time.Since(start)
	sc, err := BCubed(got, s.Truth)
	if err != nil {
		return nil, err
	}
	gate := cfg.Gate
	if gate == 0 {
		gate = incident.DefaultGate
	}
	rows = append(rows, Row{Method: "fusion", Params: fmt.Sprintf("gate=%g", gate), Clusters: distinct(got), Score: sc, Elapsed: el})

	start = time.Now()
	lab := DBSCAN(s.Records, DefaultDBSCAN())
	el = time.Since(start)
	sc, _ = BCubed(lab, s.Truth)
	rows = append(rows, Row{Method: "dbscan", Params: DefaultDBSCAN().String(), Clusters: distinct(lab), Score: sc, Elapsed: el})

	start = time.Now()
	p, _ := TuneDBSCAN(s)
	lab = DBSCAN(s.Records, p)
	el = time.Since(start)
	sc, _ = BCubed(lab, s.Truth)
	rows = append(rows, Row{Method: "dbscan-tuned-on-truth", Params: p.String(), Clusters: distinct(lab), Score: sc, Elapsed: el})
	return rows, nil
}

func distinct[T comparable](xs []T) int {
	m := map[T]struct{}{}
	for _, x := range xs {
		m[x] = struct{}{}
	}
	return len(m)
}

// WriteTable writes rows as an aligned text table, with the scenario's
// size in a header line.
func WriteTable(w io.Writer, s *simulate.Scenario, rows []Row) error {
	real := 0
	for _, e := range s.Events {
		if e.Real {
			real++
		}
	}
	fmt.Fprintf(w, "seed %d: %d observations, %d events (%d real)\n", s.Config.Seed, len(s.Records), len(s.Events), real)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "method\tparams\tincidents\tprecision\trecall\tF1\ttime")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%.4f\t%.4f\t%s\n", r.Method, r.Params, r.Clusters,
			r.Score.Precision, r.Score.Recall, r.Score.F1, r.Elapsed.Round(time.Millisecond))
	}
	return tw.Flush()
}
