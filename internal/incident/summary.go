package incident

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"truce/internal/observation"
)

// summarize builds the Incident for one final group of observations:
// fusion's figures, then the status and attribution decisions anchored on
// its members.
func (f *Fuser) summarize(members []int32) Incident {
	members = slices.Clone(members)
	f.sortByID(members)
	// The ids, and then the incident's id, are written into one string
	// and sliced from it: two allocations per incident instead of one per
	// observation and one for the id.
	var text strings.Builder
	text.Grow(uuidLen * (len(members) + 1))
	var b [uuidLen]byte
	for _, m := range members {
		text.Write(appendUUID(b[:0], f.obs.at(m).id))
	}
	text.Write(appendIncidentID(b[:0], appendUUID(b[:0], f.obs.at(members[0]).id)))
	var inc Incident
	setIDs(&inc, text.String(), make([]string, len(members)))
	f.figures(&inc, members)
	return inc
}

// appendIDs appends to dst the text of the ids of members (sorted by id),
// then the incident's id.
func (f *Fuser) appendIDs(dst []byte, members []int32) []byte {
	first := len(dst)
	for _, m := range members {
		dst = appendUUID(dst, f.obs.at(m).id)
	}
	return appendIncidentID(dst, dst[first:first+uuidLen])
}

// setIDs sets inc.Observations to obs, its elements sliced from all (the
// text of len(obs) observation ids, as appendIDs writes it), and inc.ID
// to the rest of all.
func setIDs(inc *Incident, all string, obs []string) {
	for i := range obs {
		obs[i] = all[i*uuidLen : (i+1)*uuidLen]
	}
	inc.Observations = obs
	inc.ID = all[len(obs)*uuidLen:]
}

// figures sets everything but the ids of the incident of members (sorted
// by id).
func (f *Fuser) figures(inc *Incident, members []int32) {
	// Time span: of the precise members when there are any.
	anyPrecise := false
	for _, m := range members {
		if !f.obs.at(m).vague() {
			anyPrecise = true
			break
		}
	}
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, m := range members {
		o := f.obs.at(m)
		if anyPrecise && o.vague() {
			continue
		}
		first, last = min(first, o.t), max(last, o.t)
	}
	inc.Start, inc.End = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()

	f.position(inc, members)
	f.kind(inc, members)
	f.sourcesAndCounts(inc, members)
	f.applyDecisions(inc, members)
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
		o := f.obs.at(m)
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
			o := f.obs.at(m)
			if !o.point() {
				continue
			}
			w := 1 / (float64(o.ss) * float64(o.ss))
			dx := (o.plon-lon0)*metresPerDegree*cos0 - mx
			dy := (o.plat-lat0)*metresPerDegree - my
			spread += w * (dx*dx + dy*dy)
		}
		spread /= sw
		// Lat and Lon share one allocation.
		ll := &[2]float64{round(lat0+my/metresPerDegree, 1e5), round(lon0+mx/(metresPerDegree*cos0), 1e5)}
		lat, lon := ll[0], ll[1]
		inc.Lat, inc.Lon = &ll[0], &ll[1]
		inc.RadiusM = math.Round(math.Sqrt(2.45*2.45/sw + spread))
		if f.locate != nil {
			if r, ok := f.locate(lat, lon); ok {
				inc.Region = r
				return
			}
		}
	}
	type vote struct {
		region uint16
		n      int
	}
	var buf [8]vote
	votes := buf[:0]
	for _, m := range members {
		if r := f.obs.at(m).region; r != 0 {
			if k := slices.IndexFunc(votes, func(v vote) bool { return v.region == r }); k >= 0 {
				votes[k].n++
			} else {
				votes = append(votes, vote{r, 1})
			}
		}
	}
	best := 0
	for _, v := range votes {
		name := f.regions.names[v.region]
		if v.n > best || (v.n == best && name < inc.Region) {
			inc.Region, best = name, v.n
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
		n[f.obs.at(m).kind]++
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
		si, sb := f.kinds.spec[i], f.kinds.spec[best]
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
	// Incidents are small: linear scans over short slices beat maps.
	type src struct {
		source
		max int32
	}
	var srcBuf [16]src
	var orgBuf, npBuf [8]uint16
	srcs, orgs, nonPartyOrgs := srcBuf[:0], orgBuf[:0], npBuf[:0]
	type vote struct {
		src   source
		party uint16
	}
	var votes []vote
	for _, m := range members {
		o := f.obs.at(m)
		s := source{o.org, o.submitter, o.source}
		k := slices.IndexFunc(srcs, func(x src) bool { return x.source == s })
		if k < 0 {
			srcs = append(srcs, src{s, o.count})
		} else {
			srcs[k].max = max(srcs[k].max, o.count)
		}
		if !slices.Contains(orgs, o.org) {
			orgs = append(orgs, o.org)
		}
		if o.flags&fParty == 0 && !slices.Contains(nonPartyOrgs, o.org) {
			nonPartyOrgs = append(nonPartyOrgs, o.org)
		}
		if o.party != 0 {
			votes = append(votes, vote{s, o.party})
		}
	}
	inc.Sources = len(srcs)
	inc.Organizations = len(orgs)
	inc.Status = Reported
	if len(nonPartyOrgs) >= 2 {
		inc.Status = Corroborated
	}

	isParty := func(s source) bool {
		return f.sources[s.source] == observation.Party || !slices.Contains(nonPartyOrgs, s.org)
	}
	var trustedBuf, allBuf [16]int
	trusted, all := trustedBuf[:0], allBuf[:0]
	for _, s := range srcs {
		all = append(all, int(s.max))
		if !isParty(s.source) {
			trusted = append(trusted, int(s.max))
		}
	}
	if len(trusted) == 0 {
		trusted = all
	}
	slices.Sort(trusted)
	inc.Count = Count{Low: trusted[0], Best: trusted[(len(trusted)-1)/2], High: slices.Max(all)}
	if len(votes) == 0 {
		return
	}

	// Attribution.
	slices.SortFunc(votes, func(a, b vote) int {
		return cmp.Or(cmp.Compare(a.src.org, b.src.org), cmp.Compare(a.src.submitter, b.src.submitter),
			cmp.Compare(a.src.source, b.src.source), cmp.Compare(a.party, b.party))
	})
	votes = slices.Compact(votes)
	type count struct {
		party uint16
		n     int
		orgs  []uint16
	}
	var tally, partyTally []count
	add := func(t []count, party, org uint16) []count {
		k := slices.IndexFunc(t, func(c count) bool { return c.party == party })
		if k < 0 {
			t = append(t, count{party: party})
			k = len(t) - 1
		}
		t[k].n++
		if !slices.Contains(t[k].orgs, org) {
			t[k].orgs = append(t[k].orgs, org)
		}
		return t
	}
	for _, v := range votes {
		if isParty(v.src) {
			partyTally = add(partyTally, v.party, v.src.org)
		} else {
			tally = add(tally, v.party, v.src.org)
		}
	}
	top := func(t []count) count {
		best := t[0]
		for _, c := range t[1:] {
			if c.n > best.n || (c.n == best.n && f.parties.names[c.party] < f.parties.names[best.party]) {
				best = c
			}
		}
		return best
	}
	if len(tally) > 0 {
		best := top(tally)
		inc.AttributedTo = f.parties.names[best.party]
		switch {
		case len(tally) > 1:
			inc.AttributionConfidence = Low
		case len(best.orgs) >= 2:
			inc.AttributionConfidence = High
		default:
			inc.AttributionConfidence = Medium
		}
		return
	}
	if len(partyTally) == 1 {
		inc.AttributedTo = f.parties.names[partyTally[0].party]
		inc.AttributionConfidence = Low
	}
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
		f.dec.list[di].Annotate(inc)
	}
}
