package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"truce/internal/airwar"
	"truce/internal/incident"
	"truce/internal/region"
)

// MaxListed is the most incidents a report lists one by one; the tables by
// domain, kind and region and the map count them all.
const MaxListed = 200

// MaxNotable is the most notable incidents a report names.
const MaxNotable = 10

// The views of the incidents a report may hold (Incidents.View).
const (
	// ViewStaff is every incident of the day, as the monitoring
	// mission's analysts and the mediator see them.
	ViewStaff = "staff"
	// ViewReleased is the incidents released to the report's reader, as
	// the reader's tier sees them (the public: released findings, with
	// coarsened locations).
	ViewReleased = "released"
)

// Violation names the agreement and term an incident breaches.
type Violation struct {
	Agreement string `json:"agreement"`
	Term      string `json:"term"`
}

// CountRow is the incidents of one domain, kind or region: how many, and
// the munitions (or rounds, craft) they involved as low, best and high
// estimates summed over them.
type CountRow struct {
	Domain     string `json:"domain,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Region     string `json:"region,omitempty"`
	Name       string `json:"name,omitempty"`
	Incidents  int    `json:"incidents"`
	CountLow   int    `json:"count_low"`
	CountBest  int    `json:"count_best"`
	CountHigh  int    `json:"count_high"`
	Violations int    `json:"violations"`
}

// SummaryOf returns inc as a report lists it. The caller has already
// shown inc as the reader may see it (coarsened, attribution withheld …).
// The summary shares inc's Lat and Lon (incidents never change them in
// place; a new position is a new pointer), so that a day of many
// incidents costs no allocation per incident.
func SummaryOf(inc incident.Incident) IncidentSummary {
	s := IncidentSummary{
		ID: inc.ID, Domain: string(inc.Domain), Kind: string(inc.Kind), Start: inc.Start.UTC(), End: inc.End.UTC(),
		Region: inc.Region, Status: string(inc.Status),
		CountLow: inc.Count.Low, CountBest: inc.Count.Best, CountHigh: inc.Count.High,
		AttributedTo: inc.AttributedTo, Sources: inc.Sources,
	}
	if inc.Lat != nil && inc.Lon != nil {
		s.Lat, s.Lon = inc.Lat, inc.Lon
	}
	if v := inc.Violation; v != nil {
		s.Violation = &Violation{Agreement: v.Agreement, Term: v.Term}
	}
	return s
}

// statusRank orders statuses by how firmly an incident is established.
func statusRank(s string) int {
	switch incident.Status(s) {
	case incident.Verified:
		return 0
	case incident.Corroborated:
		return 1
	case incident.Reported:
		return 2
	case incident.Unverified:
		return 3
	}
	return 4
}

// isNotable is the notable rule's first half: an incident is a candidate
// if it is verified or corroborated (independent sources agree).
func isNotable(s *IncidentSummary) bool {
	st := incident.Status(s.Status)
	return st == incident.Verified || st == incident.Corroborated
}

// rankKey is an incident's place in the order of significance, as
// integers compared in turn (smaller first): violations of an agreement in
// force first, then verified before corroborated before the rest, then the
// highest best count, then the earliest, then by id (idx, the incident's
// place in the list sorted by start and id).
type rankKey struct {
	violation, status, negBest int
	idx                        int
}

func keyOf(s *IncidentSummary, idx int) rankKey {
	v := 1
	if s.Violation != nil {
		v = 0
	}
	return rankKey{violation: v, status: statusRank(s.Status), negBest: -s.CountBest, idx: idx}
}

func (a rankKey) less(b rankKey) bool {
	switch {
	case a.violation != b.violation:
		return a.violation < b.violation
	case a.status != b.status:
		return a.status < b.status
	case a.negBest != b.negBest:
		return a.negBest < b.negBest
	}
	return a.idx < b.idx
}

// mostSignificant returns the indexes into all (sorted by start, then id)
// of the k most significant incidents that keep passes (nil: every one),
// most significant first. It keeps a heap of k, so a day of many incidents
// costs O(n log k), not a sort of them all.
func mostSignificant(all []IncidentSummary, k int, keep func(*IncidentSummary) bool) []int {
	if k <= 0 {
		return nil
	}
	// h is a max-heap on rankKey: its root is the least significant kept.
	h := make([]rankKey, 0, k)
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < len(h) && h[m].less(h[l]) {
				m = l
			}
			if r := l + 1; r < len(h) && h[m].less(h[r]) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := range all {
		s := &all[i]
		if keep != nil && !keep(s) {
			continue
		}
		key := keyOf(s, i)
		if len(h) < k {
			h = append(h, key)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !h[p].less(h[j]) {
					break
				}
				h[p], h[j] = h[j], h[p]
				j = p
			}
			continue
		}
		if key.less(h[0]) {
			h[0] = key
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b rankKey) int {
		if a.less(b) {
			return -1
		}
		return 1
	})
	out := make([]int, len(h))
	for i, key := range h {
		out[i] = key.idx
	}
	return out
}

func byStart(a, b IncidentSummary) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID) // only on a tie: cmp.Or would compare every pair's ids
}

// notableMethod states the rules of the incidents section.
var notableMethod = []string{
	"An incident belongs to the day on which it starts, in Kyiv time.",
	"Munitions are summed over incidents as low, best and high estimates; each incident's estimate already counts several reports of one event once.",
	fmt.Sprintf("Notable incidents are those verified or corroborated by independent sources, at most %d: violations of an agreement in force first, then verified before corroborated, then the highest best count.", MaxNotable),
	fmt.Sprintf("Where a day has more than %d incidents, the list shows the %d most significant by the same order (violations, status, count), in time order; the tables and the map count them all.", MaxListed, MaxListed),
}

// buildIncidents fills the incidents section from the day's incidents.
func buildIncidents(in Input) (Incidents, []IncidentSummary) {
	inc := Incidents{Included: in.IncidentsIncluded, View: in.IncidentsView, Items: []IncidentSummary{}, Notable: []IncidentSummary{},
		ByDomain: []CountRow{}, ByKind: []CountRow{}, ByRegion: []CountRow{}}
	if !inc.Included {
		inc.View = ""
		return inc, nil
	}
	if inc.View == "" {
		inc.View = ViewStaff
	}
	loc := airwar.Kyiv()
	from, to := in.Day.Start(loc), in.Day.End(loc)
	outside := func(s *IncidentSummary) bool { return s.Start.Before(from) || !s.Start.Before(to) }
	// The live view gives the day's incidents only, in order: use them as
	// they are (read only). Otherwise, a sorted copy of the day's.
	all := in.Incidents
	ordered := true
	for i := range all {
		if outside(&all[i]) || i > 0 && byStart(all[i-1], all[i]) > 0 {
			ordered = false
			break
		}
	}
	if !ordered {
		all = make([]IncidentSummary, 0, len(in.Incidents))
		for i := range in.Incidents {
			if !outside(&in.Incidents[i]) {
				all = append(all, in.Incidents[i])
			}
		}
		slices.SortFunc(all, byStart)
	}
	inc.Total = len(all)

	domains := map[string]*CountRow{}
	kinds := map[[2]string]*CountRow{}
	regions := map[string]*CountRow{}
	add := func(r *CountRow, s *IncidentSummary) {
		r.Incidents++
		r.CountLow += s.CountLow
		r.CountBest += s.CountBest
		r.CountHigh += s.CountHigh
		if s.Violation != nil {
			r.Violations++
		}
	}
	for i := range all {
		s := &all[i]
		if s.Violation != nil {
			inc.Violations++
		}
		d := domains[s.Domain]
		if d == nil {
			d = &CountRow{Domain: s.Domain}
			domains[s.Domain] = d
		}
		add(d, s)
		k := kinds[[2]string{s.Domain, s.Kind}]
		if k == nil {
			k = &CountRow{Domain: s.Domain, Kind: s.Kind}
			kinds[[2]string{s.Domain, s.Kind}] = k
		}
		add(k, s)
		r := regions[s.Region]
		if r == nil {
			r = &CountRow{Region: s.Region, Name: region.Name(s.Region)}
			if s.Region == "" {
				r.Name = "no region given"
			} else if r.Name == "" {
				r.Name = s.Region
			}
			regions[s.Region] = r
		}
		add(r, s)
	}
	for _, r := range domains {
		inc.ByDomain = append(inc.ByDomain, *r)
	}
	for _, r := range kinds {
		inc.ByKind = append(inc.ByKind, *r)
	}
	for _, r := range regions {
		inc.ByRegion = append(inc.ByRegion, *r)
	}
	desc := func(a, b CountRow) int { return cmp.Compare(b.Incidents, a.Incidents) }
	slices.SortFunc(inc.ByDomain, func(a, b CountRow) int { return cmp.Or(desc(a, b), cmp.Compare(a.Domain, b.Domain)) })
	slices.SortFunc(inc.ByKind, func(a, b CountRow) int {
		return cmp.Or(desc(a, b), cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.Kind, b.Kind))
	})
	slices.SortFunc(inc.ByRegion, func(a, b CountRow) int {
		// The incidents without a region last.
		return cmp.Or(cmp.Compare(boolInt(a.Region == ""), boolInt(b.Region == "")), desc(a, b), cmp.Compare(a.Region, b.Region))
	})

	for _, i := range mostSignificant(all, MaxNotable, isNotable) {
		n := all[i]
		n.Summary = sentence(&n)
		inc.Notable = append(inc.Notable, n)
	}

	if len(all) <= MaxListed {
		inc.Items = append(inc.Items, all...)
	} else {
		idx := mostSignificant(all, MaxListed, nil)
		slices.Sort(idx) // back to time order
		for _, i := range idx {
			inc.Items = append(inc.Items, all[i])
		}
		inc.Omitted = len(all) - MaxListed
	}
	return inc, all
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sentence says what happened in one line: "Drone (air), Kyiv City, 01:23–01:40
// Kyiv time: 12 (10–15), corroborated by 3 sources, attributed to RU;
// violates term T of agreement A."
func sentence(s *IncidentSummary) string {
	var b strings.Builder
	loc := airwar.Kyiv()
	fmt.Fprintf(&b, "%s (%s)", humanKind(s.Kind), s.Domain)
	if s.Region != "" {
		name := region.Name(s.Region)
		if name == "" {
			name = s.Region
		}
		fmt.Fprintf(&b, ", %s", name)
	}
	fmt.Fprintf(&b, ", %s–%s Kyiv time: %s", s.Start.In(loc).Format("15:04"), s.End.In(loc).Format("15:04"), countRange(s.CountBest, s.CountLow, s.CountHigh))
	fmt.Fprintf(&b, ", %s", s.Status)
	if s.Sources > 0 {
		fmt.Fprintf(&b, " by %d %s", s.Sources, plural(s.Sources, "source", "sources"))
	}
	if s.AttributedTo != "" {
		fmt.Fprintf(&b, ", attributed to %s", s.AttributedTo)
	}
	if v := s.Violation; v != nil {
		fmt.Fprintf(&b, "; violates term %s of agreement %s", v.Term, v.Agreement)
	}
	b.WriteByte('.')
	return b.String()
}

func humanKind(k string) string {
	k = strings.ReplaceAll(k, "_", " ")
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// countRange writes a best estimate with its range: "12 (10–15)", or "12"
// when the range is that one number.
func countRange(best, low, high int) string {
	if low == best && high == best {
		return fmt.Sprint(best)
	}
	return fmt.Sprintf("%d (%d–%d)", best, low, high)
}

// kyivClock formats t as hh:mm in Kyiv time.
func kyivClock(t time.Time) string { return t.In(airwar.Kyiv()).Format("15:04") }

// sentenceIn is sentence in t's language, for Markdown and HTML reports in
// languages other than English.
func sentenceIn(t words, s *IncidentSummary) string {
	var b strings.Builder
	loc := airwar.Kyiv()
	fmt.Fprintf(&b, "%s (%s)", t.Kind(s.Kind), t.Term("domain", s.Domain))
	if s.Region != "" {
		fmt.Fprintf(&b, ", %s", t.Region(s.Region, cmp.Or(region.Name(s.Region), s.Region)))
	}
	b.WriteString(t.T("sentence.time", s.Start.In(loc).Format("15:04"), s.End.In(loc).Format("15:04"), countRange(s.CountBest, s.CountLow, s.CountHigh)))
	fmt.Fprintf(&b, ", %s", t.Term("status", s.Status))
	if s.Sources > 0 {
		b.WriteString(t.T(t.Plural("sentence.sources", s.Sources), s.Sources))
	}
	if s.AttributedTo != "" {
		b.WriteString(t.T("sentence.attributed", s.AttributedTo))
	}
	if v := s.Violation; v != nil {
		b.WriteString(t.T("sentence.violates", v.Term, v.Agreement))
	}
	b.WriteByte('.')
	return b.String()
}
