package simulate

import (
	"math"
	"time"

	"truce/internal/observation"
)

const (
	land = observation.Land
	sea  = observation.Sea
	air  = observation.Air
)

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// uniformDur returns a duration uniform in [lo, hi).
func (g *gen) uniformDur(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)+1))
}

// binomial returns how many of n rounds are noticed with probability p,
// at least one.
func (g *gen) binomial(n int, p float64) int {
	k := 0
	for range n {
		if g.chance(p) {
			k++
		}
	}
	return max(k, 1)
}

// upload is the delay between an observation and its acceptance for a
// sensor: seconds, or the next six-hourly batch when it is offline.
func (g *gen) upload(s sensor, at time.Time) time.Duration {
	if !s.offline {
		return g.uniformDur(5*time.Second, time.Minute)
	}
	next := at.Truncate(6 * time.Hour).Add(6 * time.Hour)
	return next.Sub(at) + g.uniformDur(0, 20*time.Minute)
}

func (g *gen) patrol() int64 { return 1001 + g.rng.Int64N(10) }
func (g *gen) uav() int64    { return 1101 + g.rng.Int64N(3) }
func (g *gen) osint() int64  { return 4001 + g.rng.Int64N(5) }
func (g *gen) officer(party string) int64 {
	if party == PartyUA {
		return 5001 + g.rng.Int64N(4)
	}
	return 6001 + g.rng.Int64N(4)
}

// shelling is one fire mission near the front line, and what sees it.
func (g *gen) shelling(day time.Time) {
	p, ex, ey := along(frontLine, g.rng.Float64())
	by := PartyRU
	if g.chance(0.35) {
		by = PartyUA
	}
	side := 1.0 // the left of the line (north-west) is held by UA: RU fires there
	if by == PartyUA {
		side = -1
	}
	var kind observation.Kind
	var count int
	dist := 1500 + g.rng.Float64()*9000
	switch r := g.rng.Float64(); {
	case r < 0.5:
		kind, count = "artillery", 1+int(g.rng.ExpFloat64()*5)
	case r < 0.7:
		kind, count, dist = "mortar", 1+g.rng.IntN(10), 1000+g.rng.Float64()*3000
	case r < 0.85:
		kind, count = "mlrs", 10+g.rng.IntN(30)
	case r < 0.95:
		kind, count, dist = "tank_fire", 1+g.rng.IntN(5), 1000+g.rng.Float64()*3000
	default:
		kind, count = "explosion", 1+g.rng.IntN(3)
	}
	impact := offset(p, -ey*dist*side+g.norm()*1500, ex*dist*side+g.norm()*1500)
	t := g.nightTime(day)
	ev := g.event(Event{Scenario: "front", Real: true, Time: t, Lat: impact.lat, Lon: impact.lon,
		Domain: land, Kind: kind, Count: count, By: by})
	heardAs := func() observation.Kind {
		switch {
		case g.chance(0.6):
			return "explosion"
		case kind == "mlrs" && g.chance(0.5), kind == "tank_fire" && g.chance(0.5):
			return "artillery"
		}
		return kind
	}

	for _, s := range g.frontAc {
		d := distance(s.p, impact)
		if d > s.rangeM || !g.chance(0.9*(1-0.6*d/s.rangeM)) {
			continue
		}
		at := t.Add(secs(g.norm() * 6))
		pos := g.jitter(impact, s.sigma)
		g.emit(ev, report{org: PartnerA, submitter: s.id, source: observation.Acoustic, at: at,
			timeSig: g.stated(8), p: &pos, locSig: g.stated(s.sigma), domain: land, kind: heardAs(),
			count: g.binomial(count, 0.8), delay: g.upload(s, at)})
	}
	for _, s := range g.frontCam {
		if distance(s.p, impact) > s.rangeM || !g.chance(0.5) {
			continue
		}
		at := t.Add(secs(g.norm() * 3))
		pos := g.jitter(impact, s.sigma)
		k := kind
		if g.chance(0.3) {
			k = "explosion"
		}
		g.emit(ev, report{org: Mission, submitter: s.id, source: observation.Camera, at: at, timeSig: 5,
			p: &pos, locSig: g.stated(s.sigma), domain: land, kind: k, count: g.binomial(count, 0.6),
			delay: g.uniformDur(time.Minute, 10*time.Minute)})
	}
	if g.chance(0.07) { // a patrol nearby hears it: a rough bearing and distance
		team := g.patrol()
		for range 1 + g.rng.IntN(2) { // sometimes an update: still one source
			at := t.Add(secs(g.norm() * 40))
			pos := g.jitter(impact, 2500)
			g.emit(ev, report{org: Mission, submitter: team, source: observation.Patrol, at: at, timeSig: 120,
				p: &pos, locSig: g.stated(3000), domain: land, kind: heardAs(), count: g.binomial(count, 0.7),
				delay: g.uniformDur(30*time.Minute, 4*time.Hour)})
		}
	}
	if g.chance(0.05) { // a patrol finds the craters hours later
		at := t.Add(secs(g.norm() * 5400))
		pos := g.jitter(impact, 40)
		g.emit(ev, report{org: Mission, submitter: g.patrol(), source: observation.Patrol, at: at,
			timeSig: 4 * 3600, p: &pos, locSig: 100, domain: land, kind: kind, count: g.binomial(count, 0.9),
			delay: g.uniformDur(6*time.Hour, 30*time.Hour)})
	}
	if g.chance(0.07) {
		at := t.Add(secs(g.norm() * 40))
		pos := g.jitter(impact, 60)
		g.emit(ev, report{org: Mission, submitter: g.uav(), source: observation.UAV, at: at, timeSig: 120,
			p: &pos, locSig: g.stated(100), domain: land, kind: kind, count: g.binomial(count, 0.9),
			delay: g.uniformDur(time.Hour, 3*time.Hour)})
	}
	if g.chance(0.04) {
		at := t.Add(secs(g.norm() * 600))
		pos := g.jitter(impact, 4000)
		g.emit(ev, report{org: OSINT, submitter: g.osint(), source: observation.OpenSource, at: at,
			timeSig: 1800, p: &pos, locSig: 5000, domain: land, kind: heardAs(), count: count,
			delay: g.uniformDur(30*time.Minute, 2*time.Hour)})
	}
	if g.chance(0.3) {
		g.allegation(ev, other(by), by, impact, t, land, kind, count, 8000)
	}
}

// allegation is a party's report of an event: coarse in space and time,
// sometimes only a region, with the count inflated.
func (g *gen) allegation(ev int32, party, by string, p point, t time.Time, d observation.Domain, k observation.Kind, count int, sigma float64) {
	r := report{org: party, submitter: g.officer(party), source: observation.Party,
		at: t.Add(secs(g.norm() * 1200)), timeSig: 3600, domain: d, kind: k,
		count: int(math.Ceil(float64(count) * (1 + g.rng.Float64()))), by: by,
		delay: g.uniformDur(time.Hour, 12*time.Hour)}
	region, _ := Locate(p.lat, p.lon)
	switch x := g.rng.Float64(); {
	case x < 0.3:
		r.region = region
	case x < 0.8:
		r.p, r.locSig = ptr(g.jitter(p, sigma)), math.Round(sigma*1.25)
	default:
		r.p, r.locSig = ptr(g.jitter(p, 2000)), 3000
	}
	if r.p != nil && g.chance(0.5) {
		r.region = region
	}
	g.emit(ev, r)
}

// barrage is one night of drones and missiles on a city.
func (g *gen) barrage(day time.Time, n int) {
	ci := n % len(cities)
	c := cities[ci]
	start := day.Add(19 * time.Hour) // 22:00 in Kyiv
	type wave struct {
		at  time.Time
		dur time.Duration
	}
	var waves []wave
	for range 3 + g.rng.IntN(3) {
		waves = append(waves, wave{start.Add(g.uniformDur(0, 6*time.Hour)), g.uniformDur(20*time.Minute, time.Hour)})
	}
	for range g.cfg.BarrageImpacts {
		w := pick(g, waves)
		t := w.at.Add(g.uniformDur(0, w.dur)).Truncate(time.Second)
		var impact point
		if g.chance(0.35) {
			impact = g.jitter(pick(g, g.targets[ci]), 300)
		} else {
			impact = g.inDisc(c.centre, c.radius)
		}
		kind, count := observation.Kind("drone"), 1
		switch r := g.rng.Float64(); {
		case r < 0.25:
			kind = "missile"
			if g.chance(0.1) {
				count = 2
			}
		case r < 0.3:
			kind = "explosion" // debris of an interception
		}
		d := air
		if kind == "explosion" {
			d = land
		}
		ev := g.event(Event{Scenario: "barrage", Real: true, Time: t, Lat: impact.lat, Lon: impact.lon,
			Region: c.region, Domain: d, Kind: kind, Count: count, By: PartyRU})

		for _, s := range g.cityAc[ci] {
			dist := distance(s.p, impact)
			if dist > s.rangeM || !g.chance(0.9*(1-0.5*dist/s.rangeM)) {
				continue
			}
			at := t.Add(secs(g.norm() * 6))
			pos := g.jitter(impact, s.sigma)
			k, dom := kind, d
			if g.chance(0.55) {
				k, dom = "explosion", land
			}
			g.emit(ev, report{org: PartnerA, submitter: s.id, source: observation.Acoustic, at: at,
				timeSig: g.stated(8), p: &pos, locSig: g.stated(s.sigma), domain: dom, kind: k, count: count,
				delay: g.upload(s, at)})
		}
		if kind != "explosion" && g.chance(0.6) {
			at := t.Add(secs(g.norm() * 10))
			pos := g.jitter(impact, 2500)
			g.emit(ev, report{org: PartnerB, submitter: g.radars[2+ci%4].id, source: observation.Radar, at: at,
				timeSig: 15, p: &pos, locSig: g.stated(3000), domain: air, kind: kind, count: count,
				delay: g.uniformDur(10*time.Second, 2*time.Minute)})
		}
		for _, s := range g.cityCam[ci] {
			if distance(s.p, impact) > s.rangeM || !g.chance(0.5) {
				continue
			}
			at := t.Add(secs(g.norm() * 3))
			pos := g.jitter(impact, s.sigma)
			k, dom := kind, d
			if g.chance(0.4) {
				k, dom = "explosion", land
			}
			g.emit(ev, report{org: PartnerB, submitter: s.id, source: observation.Camera, at: at, timeSig: 5,
				p: &pos, locSig: g.stated(s.sigma), domain: dom, kind: k, count: count,
				delay: g.uniformDur(time.Minute, 10*time.Minute)})
		}
		if g.chance(0.25) {
			at := t.Add(secs(g.norm() * 360))
			pos := g.jitter(impact, 3000)
			g.emit(ev, report{org: OSINT, submitter: g.osint(), source: observation.OpenSource, at: at,
				timeSig: 1200, p: &pos, locSig: 3000, domain: d, kind: kind, count: count,
				delay: g.uniformDur(20*time.Minute, 2*time.Hour)})
		}
		if g.chance(0.12) { // the morning patrol finds the site
			at := t.Add(secs(g.norm() * 5400))
			pos := g.jitter(impact, 40)
			morning := day.Add(29*time.Hour + g.uniformDur(0, 6*time.Hour))
			g.emit(ev, report{org: Mission, submitter: g.patrol(), source: observation.Patrol, at: at,
				timeSig: 6 * 3600, p: &pos, locSig: 100, domain: d, kind: kind, count: count,
				delay: morning.Sub(at)})
		}
		if g.chance(0.3) {
			g.allegation(ev, PartyUA, PartyRU, impact, t, d, kind, count, 4000)
		}
	}
}

// naval is one event off Odesa: a naval drone attack, a missile strike on a
// port, mine laying or a ship movement.
func (g *gen) naval(day time.Time) {
	t := g.nightTime(day)
	atSea := point{seaBox[0].lat + g.rng.Float64()*(seaBox[1].lat-seaBox[0].lat),
		seaBox[0].lon + g.rng.Float64()*(seaBox[1].lon-seaBox[0].lon)}
	var kind observation.Kind
	var p point
	by, count := PartyRU, 1
	switch r := g.rng.Float64(); {
	case r < 0.3:
		kind, p, count = "naval_drone", atSea, 1+g.rng.IntN(5)
		if g.chance(0.6) {
			by = PartyUA
		}
	case r < 0.6:
		kind, p, count = "naval_strike", g.jitter(pick(g, ports), 300), 1+g.rng.IntN(4)
	case r < 0.75:
		kind, p, count = "mine_laying", atSea, 1+g.rng.IntN(6)
	default:
		kind, p, count = "ship_movement", atSea, 1+g.rng.IntN(3)
		if g.chance(0.3) {
			by = PartyUA
		}
	}
	port := kind == "naval_strike"
	ev := g.event(Event{Scenario: "naval", Real: true, Time: t, Lat: p.lat, Lon: p.lon, Region: "UA-51",
		Domain: sea, Kind: kind, Count: count, By: by})
	for _, s := range g.radars[:2] {
		if distance(s.p, p) > s.rangeM || !g.chance(0.7) {
			continue
		}
		at := t.Add(secs(g.norm() * 20))
		pos := g.jitter(p, 2000)
		k, dom := kind, sea
		switch {
		case port:
			k, dom = "missile", air
		case kind != "naval_drone" && g.chance(0.5):
			k = "ship_movement"
		}
		g.emit(ev, report{org: PartnerB, submitter: s.id, source: observation.Radar, at: at, timeSig: 30,
			p: &pos, locSig: g.stated(2500), domain: dom, kind: k, count: count,
			delay: g.uniformDur(10*time.Second, 2*time.Minute)})
	}
	if port {
		for _, s := range g.portAc {
			if distance(s.p, p) > s.rangeM || !g.chance(0.8) {
				continue
			}
			at := t.Add(secs(g.norm() * 6))
			pos := g.jitter(p, s.sigma)
			g.emit(ev, report{org: PartnerA, submitter: s.id, source: observation.Acoustic, at: at,
				timeSig: 8, p: &pos, locSig: g.stated(s.sigma), domain: land, kind: "explosion",
				count: g.binomial(count, 0.8), delay: g.upload(s, at)})
		}
		for _, s := range g.cityCam[2] {
			if distance(s.p, p) > s.rangeM*2 || !g.chance(0.5) {
				continue
			}
			at := t.Add(secs(g.norm() * 3))
			pos := g.jitter(p, s.sigma)
			g.emit(ev, report{org: PartnerB, submitter: s.id, source: observation.Camera, at: at, timeSig: 5,
				p: &pos, locSig: g.stated(s.sigma), domain: sea, kind: kind, count: count,
				delay: g.uniformDur(time.Minute, 10*time.Minute)})
		}
	}
	if g.chance(0.3) {
		at := t.Add(secs(g.norm() * 60))
		pos := g.jitter(p, 100)
		g.emit(ev, report{org: Mission, submitter: g.uav(), source: observation.UAV, at: at, timeSig: 120,
			p: &pos, locSig: 150, domain: sea, kind: kind, count: count, delay: g.uniformDur(time.Hour, 3*time.Hour)})
	}
	if g.chance(0.2) {
		at := t.Add(secs(g.norm() * 900))
		pos := g.jitter(p, 5000)
		g.emit(ev, report{org: OSINT, submitter: g.osint(), source: observation.OpenSource, at: at,
			timeSig: 1800, p: &pos, locSig: 5000, domain: sea, kind: kind, count: count,
			delay: g.uniformDur(30*time.Minute, 3*time.Hour)})
	}
	if g.chance(0.4) {
		g.allegation(ev, other(by), by, p, t, sea, kind, count, 10_000)
	}
}

// falseReport is a monitor's report of something that did not happen: an
// acoustic sensor's glitch, a camera's misreading, a rumour.
func (g *gen) falseReport() {
	at := g.cfg.Start.Add(g.uniformDur(0, g.end.Sub(g.cfg.Start)-time.Minute)).Truncate(time.Second)
	var r report
	switch x := g.rng.Float64(); {
	case x < 0.6:
		s := pick(g, g.frontAc)
		if g.chance(0.3) {
			s = pick(g, pick(g, g.cityAc))
		}
		r = report{org: PartnerA, submitter: s.id, source: observation.Acoustic, timeSig: 20,
			p: ptr(g.jitter(s.p, 3000)), locSig: math.Round(s.sigma), domain: land, kind: "explosion",
			count: 1, delay: g.upload(s, at)}
	case x < 0.8:
		s := pick(g, g.frontCam)
		r = report{org: Mission, submitter: s.id, source: observation.Camera, timeSig: 10,
			p: ptr(g.jitter(s.p, 3000)), locSig: 300, domain: land, kind: "explosion", count: 1,
			delay: g.uniformDur(time.Minute, 10*time.Minute)}
	default:
		c := pick(g, cities)
		r = report{org: OSINT, submitter: g.osint(), source: observation.OpenSource, timeSig: 1800,
			p: ptr(g.inDisc(c.centre, c.radius)), locSig: 5000, domain: air, kind: "drone", count: 1,
			delay: g.uniformDur(20*time.Minute, 2*time.Hour)}
	}
	r.at = at
	ev := g.event(Event{Scenario: "false", Time: at, Lat: r.p.lat, Lon: r.p.lon, Domain: r.domain,
		Kind: r.kind, Count: r.count})
	g.emit(ev, r)
}

// invented is an allegation of an event that did not happen, sometimes
// filed by several officers of the party.
func (g *gen) invented() {
	party := PartyUA
	if g.chance(0.5) {
		party = PartyRU
	}
	p, ex, ey := along(frontLine, g.rng.Float64())
	side := 1.0 // UA's victims are on the left of the line
	if party == PartyRU {
		side = -1
	}
	dist := 3000 + g.rng.Float64()*15000
	p = offset(p, -ey*dist*side, ex*dist*side)
	t := g.cfg.Start.Add(g.uniformDur(0, g.end.Sub(g.cfg.Start)-time.Minute)).Truncate(time.Second)
	kind := pick(g, []observation.Kind{"artillery", "mlrs", "drone", "guided_bomb"})
	d, _ := observation.DomainOf(kind)
	count := 1 + g.rng.IntN(20)
	ev := g.event(Event{Scenario: "invented", Time: t, Lat: p.lat, Lon: p.lon, Domain: d, Kind: kind,
		Count: count, By: other(party)})
	for range 1 + g.rng.IntN(3) {
		g.allegation(ev, party, other(party), p, t, d, kind, count, 10_000)
	}
}
