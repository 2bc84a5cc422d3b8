// Package simulate generates synthetic monitoring scenarios with ground
// truth, to measure fusion against: shelling along the Zaporizhzhia–
// Donetsk front, night-long drone and missile barrages on cities, naval
// strikes and movements off Odesa; observed by acoustic sensor networks,
// cameras, patrols that pass by hours later, UAVs, radar, open sources and
// the parties' own allegations, each with its own noise; plus false
// reports, invented allegations and reports that under- or over-state
// their uncertainty.
//
// Generate is deterministic: the same Config (seed included) gives the same
// Scenario, byte for byte. Records come in arrival order (accepted_at),
// which is not observation order: sensors upload within seconds, patrols
// and UAV teams hours later, some sensors in offline batches.
//
// A Scenario is written as one JSON Lines file of observations per
// organisation (each line valid against observation.Parse) and a truth file
// that maps each observation to its true event and says which organisation
// and submitter sent it (WriteDir, ReadDir).
package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"truce/internal/observation"
)

// Config describes a scenario. The zero values of the rates mean none.
type Config struct {
	// Seed makes the scenario; two runs with one seed are identical.
	Seed uint64 `json:"seed"`
	// Start is the first instant (UTC midnight is usual); zero means
	// 2025-06-01T00:00:00Z.
	Start time.Time `json:"start"`
	// Days is the scenario's length in days (at least 1).
	Days int `json:"days"`
	// ShellingPerDay is the number of fire missions per day along the front.
	ShellingPerDay int `json:"shelling_per_day"`
	// Barrages is the number of night-long drone and missile barrages on a
	// city over the scenario, BarrageImpacts the impacts in each.
	Barrages       int `json:"barrages"`
	BarrageImpacts int `json:"barrage_impacts"`
	// NavalPerDay is the number of naval events per day off Odesa.
	NavalPerDay int `json:"naval_per_day"`
	// FalseRate is false monitor reports per true event; InventedRate
	// invented allegations per true event.
	FalseRate    float64 `json:"false_rate"`
	InventedRate float64 `json:"invented_rate"`
	// MisstateRate is the probability that a report states an uncertainty
	// other than its real one (half understated ×0.4, half overstated ×2.5).
	MisstateRate float64 `json:"misstate_rate"`
	// Narratives adds a short free-text narrative to each observation.
	Narratives bool `json:"narratives"`
}

// Default is the scenario tests and evaluation use: two days with front
// shelling, one barrage of 250 impacts on Kyiv and naval events off Odesa
// (about 3,700 observations of 1,350 events).
func Default() Config {
	return Config{Seed: 1, Days: 2, ShellingPerDay: 500, Barrages: 1, BarrageImpacts: 250,
		NavalPerDay: 15, FalseRate: 0.03, InventedRate: 0.03, MisstateRate: 0.1}
}

// Demo is the one-day scenario `truce serve --demo` loads: a few thousand
// observations with narratives.
func Demo() Config {
	return Config{Seed: 20250601, Days: 1, ShellingPerDay: 700, Barrages: 1, BarrageImpacts: 250,
		NavalPerDay: 12, FalseRate: 0.03, InventedRate: 0.03, MisstateRate: 0.1, Narratives: true}
}

// Bench returns a scenario of about n observations for benchmarks: the
// Default mix (front, one barrage every third night, naval) stretched over
// as many days as it takes. Bench(100_000) and Bench(1_000_000) are the
// documented sizes.
func Bench(n int) Config {
	days := max(1, int(math.Round(float64(n)/2_330))) // the mix yields about 2,330 a day
	return Config{Seed: 7, Days: days, ShellingPerDay: 800, Barrages: max(1, days/3), BarrageImpacts: 250,
		NavalPerDay: 15, FalseRate: 0.03, InventedRate: 0.03, MisstateRate: 0.1}
}

// Event is a true event of the scenario, or the stand-in for a false report
// or an invented allegation (Real false), which is an event of its own in
// the truth.
type Event struct {
	ID       string             `json:"id"`
	Scenario string             `json:"scenario"` // front, barrage, naval, false, invented
	Real     bool               `json:"real"`
	Time     time.Time          `json:"time"`
	Lat      float64            `json:"lat"`
	Lon      float64            `json:"lon"`
	Region   string             `json:"region"`
	Domain   observation.Domain `json:"domain"`
	Kind     observation.Kind   `json:"kind"`
	Count    int                `json:"count"`
	By       string             `json:"by,omitempty"` // the party that did it
}

// Organization is one organisation that submits observations.
type Organization struct {
	Name string `json:"name"`
	// Party is the party code when the organisation is a party (its
	// observations are allegations), else empty.
	Party string `json:"party,omitempty"`
}

// Scenario is a generated scenario: the observations as the server would
// have accepted them, in arrival order, and the truth.
type Scenario struct {
	Config        Config
	Organizations []Organization
	Events        []Event
	// Records are in arrival order (AcceptedAt, then id).
	Records []observation.Record
	// Truth[i] is the index in Events of the event Records[i] describes.
	Truth []int32
}

// The organisations of every scenario.
const (
	Mission  = "mission"   // the monitoring mission: patrols, UAVs, front cameras
	PartnerA = "partner-a" // acoustic sensor networks
	PartnerB = "partner-b" // radar and city cameras
	OSINT    = "osint"     // an open-source monitoring group
	PartyUA  = "UA"
	PartyRU  = "RU"
)

// Generate builds the scenario cfg describes. It returns an error when cfg
// asks for nothing or for negative amounts.
func Generate(cfg Config) (*Scenario, error) {
	if cfg.Days < 1 {
		return nil, fmt.Errorf("simulate: days must be at least 1, not %d", cfg.Days)
	}
	if cfg.ShellingPerDay < 0 || cfg.Barrages < 0 || cfg.BarrageImpacts < 0 || cfg.NavalPerDay < 0 ||
		cfg.FalseRate < 0 || cfg.InventedRate < 0 || cfg.MisstateRate < 0 || cfg.MisstateRate > 1 {
		return nil, fmt.Errorf("simulate: amounts and rates must not be negative")
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	cfg.Start = cfg.Start.UTC()
	g := newGen(cfg)
	for d := range cfg.Days {
		day := cfg.Start.Add(time.Duration(d) * 24 * time.Hour)
		for range cfg.ShellingPerDay {
			g.shelling(day)
		}
		for range cfg.NavalPerDay {
			g.naval(day)
		}
	}
	for b := range cfg.Barrages {
		d := 0
		if cfg.Barrages > 1 {
			d = b * cfg.Days / cfg.Barrages
		}
		g.barrage(cfg.Start.Add(time.Duration(d)*24*time.Hour), b)
	}
	real := len(g.s.Events)
	for range int(math.Round(cfg.FalseRate * float64(real))) {
		g.falseReport()
	}
	for range int(math.Round(cfg.InventedRate * float64(real))) {
		g.invented()
	}
	g.finish()
	return g.s, nil
}

// gen is one generation run.
type gen struct {
	cfg      Config
	rng      *rand.Rand
	s        *Scenario
	frontAc  []sensor // acoustic sensors along the front
	frontCam []sensor // mission cameras along the front
	cityAc   [][]sensor
	cityCam  [][]sensor
	portAc   []sensor
	radars   []sensor
	targets  [][]point // per city, the sites barrages aim at
	end      time.Time
}

// sensor is a fixed sensor (or camera) with its own accuracy.
type sensor struct {
	p       point
	id      int64
	sigma   float64 // its real position error, metres
	offline bool    // uploads in batches hours late
	rangeM  float64
}

func newGen(cfg Config) *gen {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x7275636564)),
		s: &Scenario{Config: cfg}}
	g.end = cfg.Start.Add(time.Duration(cfg.Days) * 24 * time.Hour)
	g.s.Organizations = []Organization{{Name: Mission}, {Name: PartnerA}, {Name: PartnerB}, {Name: OSINT},
		{Name: PartyUA, Party: PartyUA}, {Name: PartyRU, Party: PartyRU}}
	// Acoustic sensors every 7 km along the front, alternately 2 km either
	// side; mission cameras every 25 km.
	id := int64(2001)
	for u := 0.0; u <= 1; u += 0.025 {
		p, ex, ey := along(frontLine, u)
		side := 2000.0
		if len(g.frontAc)%2 == 1 {
			side = -2000
		}
		g.frontAc = append(g.frontAc, g.newSensor(offset(p, -ey*side, ex*side), id, 800, 2500, 13_000))
		id++
	}
	cam := int64(1201)
	for u := 0.0; u <= 1; u += 0.07 {
		p, _, _ := along(frontLine, u)
		g.frontCam = append(g.frontCam, g.newSensor(p, cam, 200, 400, 7_000))
		cam++
	}
	ccam := int64(3101)
	for _, c := range cities {
		var ac, cams []sensor
		for dx := -14_000.0; dx <= 14_000; dx += 7_000 {
			for dy := -14_000.0; dy <= 14_000; dy += 7_000 {
				if math.Hypot(dx, dy) <= c.radius+3_000 {
					ac = append(ac, g.newSensor(offset(c.centre, dx, dy), id, 1000, 2500, 9_000))
					id++
				}
			}
		}
		for range 8 {
			p := g.inDisc(c.centre, c.radius)
			cams = append(cams, g.newSensor(p, ccam, 200, 400, 4_000))
			ccam++
		}
		g.cityAc, g.cityCam = append(g.cityAc, ac), append(g.cityCam, cams)
		var ts []point
		for range 3 + g.rng.IntN(4) {
			ts = append(ts, g.inDisc(c.centre, c.radius*0.8))
		}
		g.targets = append(g.targets, ts)
	}
	for _, p := range ports {
		g.portAc = append(g.portAc, g.newSensor(offset(p, 2000, 1000), id, 1000, 2000, 10_000))
		id++
	}
	g.radars = []sensor{
		{p: point{46.40, 30.72}, id: 3001, rangeM: 80_000},
		{p: point{46.60, 31.00}, id: 3002, rangeM: 80_000},
		{p: point{50.45, 30.52}, id: 3003, rangeM: 60_000},
		{p: point{49.99, 36.23}, id: 3004, rangeM: 60_000},
		{p: point{48.46, 35.05}, id: 3005, rangeM: 60_000},
		{p: point{47.84, 35.14}, id: 3006, rangeM: 60_000},
	}
	return g
}

func (g *gen) newSensor(p point, id int64, sigLo, sigHi, rangeM float64) sensor {
	return sensor{p: p, id: id, sigma: sigLo + g.rng.Float64()*(sigHi-sigLo),
		offline: g.rng.Float64() < 0.1, rangeM: rangeM}
}

func (g *gen) inDisc(c point, r float64) point {
	for {
		dx, dy := (2*g.rng.Float64()-1)*r, (2*g.rng.Float64()-1)*r
		if math.Hypot(dx, dy) <= r {
			return offset(c, dx, dy)
		}
	}
}

func (g *gen) norm() float64         { return g.rng.NormFloat64() }
func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// jitter moves p by a Gaussian error of sigma metres in each axis.
func (g *gen) jitter(p point, sigma float64) point {
	return offset(p, g.norm()*sigma, g.norm()*sigma)
}

// stated returns the uncertainty a report states for a real one of sigma:
// usually sigma, sometimes understated or overstated.
func (g *gen) stated(sigma float64) float64 {
	if g.chance(g.cfg.MisstateRate) {
		if g.chance(0.5) {
			sigma *= 0.4
		} else {
			sigma *= 2.5
		}
	}
	return math.Round(sigma)
}

func (g *gen) uuid() string {
	var b [16]byte
	a, c := g.rng.Uint64(), g.rng.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(a>>(8*i)), byte(c>>(8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hx = "0123456789abcdef"
	var s strings.Builder
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s.WriteByte('-')
		}
		s.WriteByte(hx[x>>4])
		s.WriteByte(hx[x&15])
	}
	return s.String()
}

// nightTime returns a time in day weighted towards the small hours.
func (g *gen) nightTime(day time.Time) time.Time {
	for {
		h := g.rng.Float64() * 24
		if g.rng.Float64()*1.8 < 1+0.8*math.Cos(2*math.Pi*(h-3)/24) {
			return day.Add(time.Duration(h * float64(time.Hour))).Truncate(time.Second)
		}
	}
}

func (g *gen) event(e Event) int32 {
	e.ID = fmt.Sprintf("ev-%06d", len(g.s.Events)+1)
	e.Lat, e.Lon = round5(e.Lat), round5(e.Lon)
	if e.Region == "" {
		e.Region, _ = Locate(e.Lat, e.Lon)
	}
	g.s.Events = append(g.s.Events, e)
	return int32(len(g.s.Events) - 1)
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

// report is one observation about to be emitted.
type report struct {
	org       string
	submitter int64
	source    observation.Source
	at        time.Time // observed_at
	timeSig   float64   // stated time uncertainty, seconds
	p         *point    // nil: region only
	locSig    float64   // stated location uncertainty, metres
	region    string
	domain    observation.Domain
	kind      observation.Kind
	count     int
	by        string
	delay     time.Duration // accepted_at - observed_at
}

func (g *gen) emit(ev int32, r report) {
	o := observation.Observation{
		ID:                   g.uuid(),
		ObservedAt:           r.at.UTC().Truncate(time.Second),
		TimeUncertaintyS:     math.Round(r.timeSig),
		LocationUncertaintyM: math.Round(r.locSig),
		Region:               r.region,
		Domain:               r.domain,
		Kind:                 r.kind,
		Count:                max(r.count, 1),
		Source:               r.source,
		AttributedTo:         r.by,
	}
	if r.p != nil {
		lat, lon := round5(r.p.lat), round5(r.p.lon)
		o.Lat, o.Lon = &lat, &lon
	}
	if g.cfg.Narratives {
		o.Narrative = narrative(r)
	}
	rec := observation.Record{Observation: o, Organization: r.org, SubmitterID: r.submitter,
		AcceptedAt: o.ObservedAt.Add(max(r.delay, time.Second))}
	if r.org == PartyUA || r.org == PartyRU {
		rec.Party = r.org
	}
	g.s.Records = append(g.s.Records, rec)
	g.s.Truth = append(g.s.Truth, ev)
}

func narrative(r report) string {
	where := "reported position"
	if r.p == nil {
		where = "region " + r.region
	}
	s := fmt.Sprintf("%s: %d × %s, %s", r.source, max(r.count, 1), strings.ReplaceAll(string(r.kind), "_", " "), where)
	if r.by != "" {
		s += ", attributed to " + r.by
	}
	return s
}

// finish puts the records in arrival order.
func (g *gen) finish() {
	n := len(g.s.Records)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &g.s.Records[a], &g.s.Records[b]
		if c := ra.AcceptedAt.Compare(rb.AcceptedAt); c != 0 {
			return c
		}
		return strings.Compare(ra.ID, rb.ID)
	})
	recs := make([]observation.Record, n)
	truth := make([]int32, n)
	for i, j := range order {
		recs[i], truth[i] = g.s.Records[j], g.s.Truth[j]
	}
	g.s.Records, g.s.Truth = recs, truth
}

func other(party string) string {
	if party == PartyUA {
		return PartyRU
	}
	return PartyUA
}

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func ptr(p point) *point { return &p }
