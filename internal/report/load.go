package report

import (
	"context"
	"fmt"
	"iter"
	"time"

	"truce/internal/airwar"
)

// Records is what Load reads: the stored bulletin rows and alerts whose
// intervals meet a time range (closed), streamed.
type Records interface {
	Bulletins(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Bulletin, error]
	Alerts(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Alert, error]
}

// Load fetches the records the report of day needs, reading only around
// the day, never a whole table:
//
//   - the bulletin rows whose windows meet the day, of which those that
//     belong to it; then every row whose window meets the span of those
//     rows' windows, so that a national bulletin overlapping a regional row
//     is at hand (airwar.DailyAir needs it);
//   - the alerts that meet the day, and every alert that meets the span
//     from the earliest start of a volunteer alert among them to the end
//     of the day, widened by the fusion tolerance (15 min), so that the
//     official report of each volunteer alert that counts is at hand to be
//     fused with it. (Only volunteer reports are ever absorbed, so only
//     their partners can change the day's figures.)
//
// It returns the store's error, if any.
func Load(ctx context.Context, rs Records, day airwar.Day) (Input, error) {
	loc := airwar.Kyiv()
	from, to := day.Start(loc), day.End(loc)
	in := Input{Day: day}

	var lo, hi time.Time
	for b, err := range rs.Bulletins(ctx, from, to) {
		if err != nil {
			return in, fmt.Errorf("report: load %s: %w", day, err)
		}
		if b.Day != day {
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
		for b, err := range rs.Bulletins(ctx, lo, hi) {
			if err != nil {
				return in, fmt.Errorf("report: load %s: %w", day, err)
			}
			in.Bulletins = append(in.Bulletins, b)
		}
	}

	window := airwar.DefaultTolerance().LateStart
	lo = from
	for a, err := range rs.Alerts(ctx, from, to) {
		if err != nil {
			return in, fmt.Errorf("report: load %s: %w", day, err)
		}
		if a.Feed == airwar.FeedVolunteer && a.Start.Before(lo) {
			lo = a.Start
		}
	}
	for a, err := range rs.Alerts(ctx, lo.Add(-window), to.Add(window)) {
		if err != nil {
			return in, fmt.Errorf("report: load %s: %w", day, err)
		}
		in.Alerts = append(in.Alerts, a)
	}
	return in, nil
}
