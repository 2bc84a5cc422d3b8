package airwar

import (
	"cmp"
	"slices"
	"time"
)

// Tolerance says when an official and a volunteer alert are the same alert.
type Tolerance struct {
	// Start is the largest gap between the two starts that alone makes
	// them one alert.
	Start time.Duration
	// LateStart and End: starts further apart than Start but within
	// LateStart still make one alert if the ends are within End (and the
	// volunteer end is not a guess).
	LateStart, End time.Duration
}

// DefaultTolerance returns the tolerance truce fuses with: starts within 180 s,
// or starts within 15 min and ends within 180 s. On the shipped Jan–Feb 2024
// feeds, starts within 120 s pair 2,238 alerts (median gap 26 s); 180 s pairs
// 2,406; the late-start rule adds about 235 pairs whose ends agree to within
// seconds (97 % within 5 min), which a start-only rule misses because the
// volunteer channel sometimes posts minutes late. Two official oblast alerts
// in one oblast never start less than 205 s apart in these data, so 180 s
// cannot join two distinct official alerts.
func DefaultTolerance() Tolerance {
	return Tolerance{Start: 180 * time.Second, LateStart: 15 * time.Minute, End: 180 * time.Second}
}

// Fuse merges the official and volunteer reports of the same alerts and
// returns the alerts with each real alert once, sorted by start, then
// region, then ID.
//
// An official region-wide alert and a volunteer alert are the same alert
// when they are in the same oblast and their starts (or, failing that,
// their ends; see Tolerance) are close enough. Matching is one-to-one:
// candidate pairs are taken in order of increasing start gap (then end
// gap, then start time, then IDs), and a pair is taken only if neither
// alert is already matched, so one alert never absorbs two. The fused
// alert is the official one (its times, its ID) with Feeds [official,
// volunteer] and Matched set to the volunteer alert's ID; the volunteer
// alert is dropped. Unmatched alerts of both feeds, sub-regional official
// alerts and merged2025 alerts pass through unchanged.
//
// Fuse is idempotent: an official alert that already has a partner is not
// matched again. The input slice is not modified.
func Fuse(alerts []Alert, tol Tolerance) []Alert {
	type key = string
	official := map[key][]int{}
	volunteer := map[key][]int{}
	for i, a := range alerts {
		switch {
		case a.Feed == FeedOfficial && a.RegionWide() && a.Matched == "":
			official[a.Region] = append(official[a.Region], i)
		case a.Feed == FeedVolunteer:
			volunteer[a.Region] = append(volunteer[a.Region], i)
		}
	}
	type pair struct {
		o, v             int
		startGap, endGap time.Duration
	}
	var pairs []pair
	window := max(tol.Start, tol.LateStart)
	for reg, vs := range volunteer {
		offs := official[reg]
		slices.SortFunc(offs, func(x, y int) int { return alerts[x].Start.Compare(alerts[y].Start) })
		for _, v := range vs {
			va := alerts[v]
			// The officials starting within window of va.
			lo, _ := slices.BinarySearchFunc(offs, va.Start.Add(-window), func(i int, t time.Time) int { return alerts[i].Start.Compare(t) })
			for _, o := range offs[lo:] {
				oa := alerts[o]
				if oa.Start.Sub(va.Start) > window {
					break
				}
				sg, eg := absDur(oa.Start.Sub(va.Start)), absDur(oa.End.Sub(va.End))
				if sg <= tol.Start || (sg <= tol.LateStart && !va.Naive && eg <= tol.End) {
					pairs = append(pairs, pair{o, v, sg, eg})
				}
			}
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := cmp.Compare(x.startGap, y.startGap); c != 0 {
			return c
		}
		if c := cmp.Compare(x.endGap, y.endGap); c != 0 {
			return c
		}
		if c := alerts[x.o].Start.Compare(alerts[y.o].Start); c != 0 {
			return c
		}
		if c := cmp.Compare(alerts[x.o].ID, alerts[y.o].ID); c != 0 {
			return c
		}
		return cmp.Compare(alerts[x.v].ID, alerts[y.v].ID)
	})
	partner := map[int]int{} // official index → volunteer index
	absorbed := map[int]bool{}
	for _, p := range pairs {
		if _, done := partner[p.o]; done || absorbed[p.v] {
			continue
		}
		partner[p.o] = p.v
		absorbed[p.v] = true
	}
	out := make([]Alert, 0, len(alerts)-len(absorbed))
	for i, a := range alerts {
		if absorbed[i] {
			continue
		}
		if v, ok := partner[i]; ok {
			a.Feeds = []Feed{FeedOfficial, FeedVolunteer}
			a.Matched = alerts[v].ID
		}
		out = append(out, a)
	}
	sortAlerts(out)
	return out
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// sortAlerts orders alerts by start, then region, then ID (then line, for
// the duplicate rows a file may hold), so the order is total.
func sortAlerts(as []Alert) {
	slices.SortFunc(as, func(x, y Alert) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		if x.Region != y.Region {
			return cmp.Compare(x.Region, y.Region)
		}
		if x.ID != y.ID {
			return cmp.Compare(x.ID, y.ID)
		}
		return cmp.Compare(x.Line, y.Line)
	})
}
