package airwar

import (
	"cmp"
	"slices"
	"time"

	"truce/internal/region"
)

// AlertDay is one oblast's air-raid alerts on one day.
type AlertDay struct {
	// Region is the ISO 3166-2 code; Name its English name.
	Region string `json:"region"`
	Name   string `json:"name"`
	// Count is the number of region-wide alerts that started on the day.
	Count int `json:"count"`
	// Minutes is the time the oblast spent under a region-wide alert
	// during the day, overlapping alerts counted once.
	Minutes float64 `json:"minutes"`
}

// DailyAlerts returns, for each oblast with a region-wide alert on day
// (in loc; truce uses Kyiv()), how many alerts started that day and how
// many minutes of the day it was under alert, sorted by region code.
//
// Only region-wide (oblast-level) alerts count: raion and hromada alerts
// never add to an oblast's figures. The input may hold raw official and
// volunteer alerts or alerts already fused: DailyAlerts fuses them itself
// (Fuse with DefaultTolerance(), which is idempotent), so an alert both feeds
// reported counts once. Fusing costs O(n log n) in the number of alerts;
// a caller computing many days may Fuse once and pass the result. An alert is counted on the day it starts; its
// minutes are clipped to each day it spans, so an alert from 23:00 to
// 01:00 counts once on the first day, with 60 minutes on each. Minutes are
// the length of the union of the alerts' intervals, so overlapping alerts
// of one oblast (an unmatched volunteer report inside an official alert, or
// raw and merged feeds given together) never add minutes twice. Mixing the
// merged2025 feed with the raw official feed for one period counts each
// alert twice in Count; don't.
func DailyAlerts(alerts []Alert, day Day, loc *time.Location) []AlertDay {
	from, to := day.Start(loc), day.End(loc)
	var wide []Alert
	for _, a := range alerts {
		if a.RegionWide() {
			wide = append(wide, a)
		}
	}
	fused := Fuse(wide, DefaultTolerance())

	type acc struct {
		count     int
		intervals [][2]time.Time
	}
	byRegion := map[string]*acc{}
	get := func(code string) *acc {
		if byRegion[code] == nil {
			byRegion[code] = &acc{}
		}
		return byRegion[code]
	}
	for _, a := range fused {
		if !a.Start.Before(from) && a.Start.Before(to) {
			get(a.Region).count++
		}
		s, e := maxTime(a.Start, from), minTime(a.End, to)
		if s.Before(e) {
			r := get(a.Region)
			r.intervals = append(r.intervals, [2]time.Time{s, e})
		}
	}
	out := make([]AlertDay, 0, len(byRegion))
	for code, r := range byRegion {
		out = append(out, AlertDay{
			Region:  code,
			Name:    region.Name(code),
			Count:   r.count,
			Minutes: unionLength(r.intervals).Minutes(),
		})
	}
	slices.SortFunc(out, func(x, y AlertDay) int { return cmp.Compare(x.Region, y.Region) })
	return out
}

// unionLength returns the total length of the union of the intervals.
func unionLength(iv [][2]time.Time) time.Duration {
	slices.SortFunc(iv, func(x, y [2]time.Time) int { return x[0].Compare(y[0]) })
	var total time.Duration
	var curS, curE time.Time
	for i, v := range iv {
		switch {
		case i == 0:
			curS, curE = v[0], v[1]
		case v[0].After(curE):
			total += curE.Sub(curS)
			curS, curE = v[0], v[1]
		case v[1].After(curE):
			curE = v[1]
		}
	}
	if len(iv) > 0 {
		total += curE.Sub(curS)
	}
	return total
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
