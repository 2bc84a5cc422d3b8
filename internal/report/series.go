package report

import (
	"context"
	"fmt"
	"math"
	"time"

	"truce/internal/airwar"
	"truce/internal/derrors"
)

// MaxSeriesDays is the longest range a figures series covers.
const MaxSeriesDays = 400

// DayFigures is one day of the air figures series, computed with the
// daily report's rules. Its JSON is a contract: keys are only ever added.
type DayFigures struct {
	Day string `json:"day"`
	// Drones and Missiles are launched, as the day's report counts them;
	// DronesDestroyed and MissilesDestroyed those downed.
	Drones            int `json:"drones"`
	Missiles          int `json:"missiles"`
	DronesDestroyed   int `json:"drones_destroyed"`
	MissilesDestroyed int `json:"missiles_destroyed"`
	// AirReported is false when no bulletin row belongs to the day: the
	// air figures are then missing, not zero.
	AirReported bool `json:"air_reported"`
	// Alerts is the region-wide alerts that started on the day, over all
	// oblasts; AlertMinutes the sum over oblasts of the minutes each spent
	// under alert (to 0.1 min), as the report's alert totals.
	Alerts       int     `json:"alerts"`
	AlertMinutes float64 `json:"alert_minutes"`
	// AlertsReported is false when no alert data covers the day.
	AlertsReported bool `json:"alerts_reported"`
}

// Series returns the figures of every day from first to last (inclusive,
// at most MaxSeriesDays), each equal to what the daily report of that day
// says. It reads the store around the range only (the bulletins whose
// windows meet it and the national rows overlapping those; the alerts that
// meet it, widened as Load widens a day), streaming; it holds the range's
// bulletins and region-wide alerts in memory. A bad range is an error
// wrapping derrors.ErrInvalid; otherwise it returns the store's error.
func Series(ctx context.Context, rs Records, first, last airwar.Day) ([]DayFigures, error) {
	if last.Before(first) {
		return nil, fmt.Errorf("report: series %s..%s: the last day is before the first: %w", first, last, derrors.ErrInvalid)
	}
	loc := airwar.Kyiv()
	from, to := first.Start(loc), last.End(loc)
	var days []airwar.Day
	index := map[airwar.Day]int{}
	for d := first; !last.Before(d); d = d.Next() {
		if len(days) == MaxSeriesDays {
			return nil, fmt.Errorf("report: series %s..%s: more than %d days: %w", first, last, MaxSeriesDays, derrors.ErrInvalid)
		}
		index[d] = len(days)
		days = append(days, d)
	}
	out := make([]DayFigures, len(days))
	for i, d := range days {
		out[i].Day = d.String()
	}

	// Bulletins: the rows of the range, then every row meeting the span of
	// their windows, as Load does for one day.
	var lo, hi time.Time
	for b, err := range rs.Bulletins(ctx, from, to) {
		if err != nil {
			return nil, fmt.Errorf("report: series: %w", err)
		}
		if _, ok := index[b.Day]; !ok {
			continue
		}
		if lo.IsZero() || b.Start.Before(lo) {
			lo = b.Start
		}
		if b.End.After(hi) {
			hi = b.End
		}
	}
	if !lo.IsZero() {
		var national []airwar.Bulletin
		byDay := make([][]airwar.Bulletin, len(days))
		for b, err := range rs.Bulletins(ctx, lo, hi) {
			if err != nil {
				return nil, fmt.Errorf("report: series: %w", err)
			}
			if b.Command == airwar.CommandNational {
				national = append(national, b)
			}
			if i, ok := index[b.Day]; ok && b.Command != airwar.CommandNational {
				byDay[i] = append(byDay[i], b)
			}
		}
		// DailyAir over the national rows and the day's others: the same
		// answer as over everything, since it counts only the day's rows and
		// rules a regional row out only by a national one.
		// Only the national rows that can matter for day i are passed: its
		// own, and those whose window meets the span of its other rows.
		var rows []airwar.Bulletin
		for i, d := range days {
			rows = append(rows[:0], byDay[i]...)
			var spanLo, spanHi time.Time
			for _, b := range byDay[i] {
				if spanLo.IsZero() || b.Start.Before(spanLo) {
					spanLo = b.Start
				}
				if b.End.After(spanHi) {
					spanHi = b.End
				}
			}
			for _, b := range national {
				if b.Day == d || len(byDay[i]) > 0 && !b.Start.After(spanHi) && !b.End.Before(spanLo) {
					rows = append(rows, b)
				}
			}
			ad := airwar.DailyAir(rows, d)
			f := &out[i]
			f.Drones, f.DronesDestroyed = ad.Drones.Launched, ad.Drones.Destroyed
			f.Missiles, f.MissilesDestroyed = ad.Missiles.Launched, ad.Missiles.Destroyed
			f.AirReported = len(ad.Counted)+len(ad.Overlapped) > 0
		}
	}

	// Alerts: those meeting the range, widened to the partners of its
	// volunteer alerts, as Load does.
	// official[i] and covered[i]: whether the raw official feed, and any
	// feed, covers day i (the first decides, as in the report, whether the
	// merged table is used).
	official := make([]bool, len(days))
	covered := make([]bool, len(days))
	mark := func(a airwar.Alert, set []bool) {
		if !a.End.After(a.Start) {
			return // an alert of no length meets no day
		}
		for i := range dayRange(a.Start, a.End, first, len(days), loc) {
			set[i] = true
		}
	}
	var wide []airwar.Alert
	seen := map[string]bool{}
	take := func(a airwar.Alert) {
		seen[a.ID] = true
		if a.Feed == airwar.FeedOfficial {
			mark(a, official)
		}
		if a.RegionWide() {
			wide = append(wide, a)
		} else {
			mark(a, covered) // sub-regional: not counted, but its feed covers the day
		}
	}
	// The alerts meeting the range, then those within the fusion tolerance
	// before its earliest volunteer alert and after its end: the partners
	// Load would fetch for each day.
	window := airwar.DefaultTolerance().LateStart
	lo = from
	for a, err := range rs.Alerts(ctx, from, to) {
		if err != nil {
			return nil, fmt.Errorf("report: series: %w", err)
		}
		take(a)
		if a.Feed == airwar.FeedVolunteer && a.Start.Before(lo) {
			lo = a.Start
		}
	}
	for _, span := range [][2]time.Time{{lo.Add(-window), from}, {to, to.Add(window)}} {
		for a, err := range rs.Alerts(ctx, span[0], span[1]) {
			if err != nil {
				return nil, fmt.Errorf("report: series: %w", err)
			}
			if !seen[a.ID] {
				take(a)
			}
		}
	}
	// Merged alerts pass through Fuse unchanged, so fusing once over all
	// of them and then leaving the merged ones out of days the raw feed
	// covers is the report's rule: leave them out, then fuse.
	byDay := make([][]airwar.Alert, len(days))
	for _, a := range airwar.Fuse(wide, airwar.DefaultTolerance()) {
		for i := range dayRange(a.Start, a.End, first, len(days), loc) {
			if a.Feed == airwar.FeedMerged2025 && official[i] {
				continue
			}
			covered[i] = true
			byDay[i] = append(byDay[i], a)
		}
	}
	for i, d := range days {
		f := &out[i]
		f.AlertsReported = covered[i]
		for _, ad := range airwar.DailyAlerts(byDay[i], d, loc) {
			f.Alerts += ad.Count
			f.AlertMinutes += math.Round(ad.Minutes*10) / 10
		}
		f.AlertMinutes = math.Round(f.AlertMinutes*10) / 10
	}
	return out, nil
}

// dayRange yields the indexes of the days (n of them from first) that
// the interval [start, end) meets, and the day start falls in even when
// the interval is empty.
func dayRange(start, end time.Time, first airwar.Day, n int, loc *time.Location) func(yield func(int) bool) {
	return func(yield func(int) bool) {
		base := dayNumber(first)
		i0 := dayNumber(airwar.DayOf(start, loc)) - base
		i1 := i0
		if end.After(start) {
			i1 = dayNumber(airwar.DayOf(end.Add(-time.Nanosecond), loc)) - base
		}
		for i := max(i0, 0); i <= min(i1, n-1); i++ {
			if !yield(i) {
				return
			}
		}
	}
}

// dayNumber numbers calendar days consecutively.
func dayNumber(d airwar.Day) int {
	return int(time.Date(d.Y, d.M, d.D, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}
