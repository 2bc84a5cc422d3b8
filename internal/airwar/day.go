package airwar

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Kyiv must load without system tzdata
)

// Day is a calendar date with no time zone. Which instants belong to it
// depends on a location: see Start and End.
type Day struct {
	Y int
	M time.Month
	D int
}

// ParseDay parses "YYYY-MM-DD". It returns an error for anything else,
// including dates that do not exist (2025-02-30).
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Day{}, fmt.Errorf("airwar: parse day %q: %w", s, err)
	}
	return Day{t.Year(), t.Month(), t.Day()}, nil
}

// DayOf returns the date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day{y, m, d}
}

// String formats d as "YYYY-MM-DD".
func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, int(d.M), d.D) }

// Start returns the first instant of d in loc (midnight).
func (d Day) Start(loc *time.Location) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc) }

// End returns the first instant after d in loc (the next midnight). A day
// is 23 or 25 hours long where the clocks change.
func (d Day) End(loc *time.Location) time.Time { return time.Date(d.Y, d.M, d.D+1, 0, 0, 0, 0, loc) }

// Next returns the day after d.
func (d Day) Next() Day {
	t := time.Date(d.Y, d.M, d.D+1, 0, 0, 0, 0, time.UTC)
	return Day{t.Year(), t.Month(), t.Day()}
}

// Before reports whether d is earlier than e.
func (d Day) Before(e Day) bool {
	if d.Y != e.Y {
		return d.Y < e.Y
	}
	if d.M != e.M {
		return d.M < e.M
	}
	return d.D < e.D
}

// IsZero reports whether d is the zero Day.
func (d Day) IsZero() bool { return d == Day{} }

// kyiv loads Europe/Kyiv once. The embedded tzdata guarantees it loads;
// the older name Europe/Kiev is a fallback for outdated system data.
var kyiv = sync.OnceValue(func() *time.Location {
	for _, name := range []string{"Europe/Kyiv", "Europe/Kiev"} {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	panic("airwar: cannot load Europe/Kyiv even from embedded tzdata")
})

// Kyiv returns the Europe/Kyiv time zone, in which the Air Force bulletins
// state their times and in which truce's daily figures are cut.
func Kyiv() *time.Location { return kyiv() }
