package incident

import (
	"cmp"
	"math"
	"slices"
	"time"

	"truce/internal/observation"
)

// summarize builds the Incident for one final group of observations:
// fusion's figures, then the status and attribution decisions anchored on
// its members.
func (f *Fuser) summarize(members []int32) Incident {
	members = slices.Clone(members)
	f.sortByID(members)
	inc := Incident{Observations: make([]string, len(members))}
	for i, m := range members {
		inc.Observations[i] = formatUUID(f.obs[m].id)
	}
	inc.ID = IncidentID(inc.Observations[0])

	// Time span: of the precise members when there are any.
	anyPrecise := false
	for _, m := range members {
		if !f.obs[m].vague() {
			anyPrecise = true
			break
		}
	}
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, m := range members {
		o := &f.obs[m]
		if anyPrecise && o.vague() {
			continue
		}
		first, last = min(first, o.t), max(last, o.t)
	}
	inc.Start, inc.End = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()

	f.position(&inc, members)
	f.kind(&inc, members)
	f.sourcesAndCounts(&inc, members)
	f.applyDecisions(&inc, members)
	return inc
}

// position sets Lat, Lon, RadiusM and Region. The position is the mean of
// the members' points weighted by 1/σ²; the radius combines the 95% circle
// of that mean (2.45σ of the pooled uncertainty) with the weighted RMS
// spread of the points around it. The region is the locator's answer for
// the position, else the most frequent region the members give.
func (f *Fuser) position(inc *Incident, members []int32) {
	var sw, sx, sy float64
	var lat0, lon0, cos0 float64
	have := false
	for _, m := range members {
		o := &f.obs[m]
		if !o.point() {
			continue
		}
		if !have {
			lat0, lon0, cos0, have = o.plat, o.plon, math.Cos(o.plat*math.Pi/180), true
		}
		w := 1 / (float64(o.ss) * float64(o.ss))
		sw += w
		sx += w * (o.plon - lon0) * metresPerDegree * cos0
		sy += w * (o.plat - lat0) * metresPerDegree
	}
	if have {
		mx, my := sx/sw, sy/sw
		var spread float64
		for _, m := range members {
			o := &f.obs[m]
			if !o.point() {
				continue
			}
			w := 1 / (float64(o.ss) * float64(o.ss))
			dx := (o.plon-lon0)*metresPerDegree*cos0 - mx
			dy := (o.plat-lat0)*metresPerDegree - my
			spread += w * (dx*dx + dy*dy)
		}
		spread /= sw
		lat := round(lat0+my/metresPerDegree, 1e5)
		lon := round(lon0+mx/(metresPerDegree*cos0), 1e5)
		inc.Lat, inc.Lon = &lat, &lon
		inc.RadiusM = math.Round(math.Sqrt(2.45*2.45/sw + spread))
		if f.locate != nil {
			if r, ok := f.locate(lat, lon); ok {
				inc.Region = r
				return
			}
		}
	}
	votes := map[uint16]int{}
	for _, m := range members {
		if r := f.obs[m].region; r != 0 {
			votes[r]++
		}
	}
	best := 0
	for r, n := range votes {
		name := f.regions.names[r]
		if n > best || (n == best && name < inc.Region) {
			inc.Region, best = name, n
		}
	}
}

func round(x, scale float64) float64 { return math.Round(x*scale) / scale }

// kind sets Kind and Domain: the most specific kind reported, then the
// most often reported, then the first in alphabetical order; the domain is
// that kind's.
func (f *Fuser) kind(inc *Incident, members []int32) {
	var n [32]int
	for _, m := range members {
		n[f.obs[m].kind]++
	}
	best := -1
	for i, c := range n {
		if c == 0 {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		ki, kb := f.kinds.kinds[i], f.kinds.kinds[best]
		si, sb := specificity[ki], specificity[kb]
		if si > sb || (si == sb && (c > n[best] || (c == n[best] && ki < kb))) {
			best = i
		}
	}
	inc.Kind = f.kinds.kinds[best]
	inc.Domain = f.kinds.domain[best]
}

// source is one independent source: an organisation's submitter using one
// kind of source. Two reports by one patrol are one source.
type source struct {
	org       uint16
	submitter int64
	source    uint8
}

// sourcesAndCounts sets Sources, Organizations, Count, Status and the
// automatic attribution.
//
// Count: each independent source counts as the largest count it reported;
// over the non-party sources (over the party sources when there are no
// others) Low is the smallest of those, Best the median (the lower one for
// an even number); High is the largest over all sources, parties included.
//
// Status is Corroborated when non-party sources of at least two
// organisations are members, else Reported: a party's allegation never
// corroborates.
//
// Attribution: each independent source votes once for each party it
// attributes the event to. Non-party votes decide: the most voted party
// (ties: alphabetical) with confidence high when sources of two or more
// organisations name it and none names another, medium when none names
// another, low otherwise. Without non-party votes, the parties' allegations
// give a low-confidence attribution when they all name the same party, and
// none when they disagree.
func (f *Fuser) sourcesAndCounts(inc *Incident, members []int32) {
	type vote struct {
		src   source
		party uint16
	}
	srcMax := map[source]int32{}
	var votes []vote
	orgs := map[uint16]bool{}
	nonPartyOrgs := map[uint16]bool{}
	for _, m := range members {
		o := &f.obs[m]
		s := source{o.org, o.submitter, o.source}
		srcMax[s] = max(srcMax[s], o.count)
		orgs[o.org] = true
		if o.flags&fParty == 0 {
			nonPartyOrgs[o.org] = true
		}
		if o.party != 0 {
			votes = append(votes, vote{s, o.party})
		}
	}
	inc.Sources = len(srcMax)
	inc.Organizations = len(orgs)
	inc.Status = Reported
	if len(nonPartyOrgs) >= 2 {
		inc.Status = Corroborated
	}

	isParty := func(s source) bool { return f.sources[s.source] == observation.Party || !nonPartyOrgs[s.org] }
	var trusted, all []int
	for s, c := range srcMax {
		all = append(all, int(c))
		if !isParty(s) {
			trusted = append(trusted, int(c))
		}
	}
	if len(trusted) == 0 {
		trusted = all
	}
	slices.Sort(trusted)
	inc.Count = Count{Low: trusted[0], Best: trusted[(len(trusted)-1)/2], High: slices.Max(all)}

	// Attribution.
	slices.SortFunc(votes, func(a, b vote) int {
		return cmp.Or(cmp.Compare(a.src.org, b.src.org), cmp.Compare(a.src.submitter, b.src.submitter),
			cmp.Compare(a.src.source, b.src.source), cmp.Compare(a.party, b.party))
	})
	votes = slices.Compact(votes)
	tally := map[uint16]int{}
	tallyOrgs := map[uint16]map[uint16]bool{}
	partyTally := map[uint16]int{}
	for _, v := range votes {
		if isParty(v.src) {
			partyTally[v.party]++
			continue
		}
		tally[v.party]++
		if tallyOrgs[v.party] == nil {
			tallyOrgs[v.party] = map[uint16]bool{}
		}
		tallyOrgs[v.party][v.src.org] = true
	}
	if len(tally) > 0 {
		best := f.topParty(tally)
		inc.AttributedTo = f.parties.names[best]
		switch {
		case len(tally) > 1:
			inc.AttributionConfidence = Low
		case len(tallyOrgs[best]) >= 2:
			inc.AttributionConfidence = High
		default:
			inc.AttributionConfidence = Medium
		}
		return
	}
	if len(partyTally) == 1 {
		inc.AttributedTo = f.parties.names[f.topParty(partyTally)]
		inc.AttributionConfidence = Low
	}
}

func (f *Fuser) topParty(tally map[uint16]int) uint16 {
	var best uint16
	n := -1
	for p, c := range tally {
		if c > n || (c == n && f.parties.names[p] < f.parties.names[best]) {
			best, n = p, c
		}
	}
	return best
}

// applyDecisions applies the status and attribution decisions anchored on
// the incident's members, in the order they were made.
func (f *Fuser) applyDecisions(inc *Incident, members []int32) {
	if len(f.dec.byAnchor) == 0 {
		return
	}
	var ds []int32
	for _, m := range members {
		ds = append(ds, f.dec.byAnchor[m]...)
	}
	slices.Sort(ds)
	for _, di := range ds {
		d := &f.dec.list[di]
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
}
