package airwar

import (
	"slices"
	"time"
)

// Figures are the counts of one kind on one day.
type Figures struct {
	Launched   int `json:"launched"`
	Destroyed  int `json:"destroyed"`
	Suppressed int `json:"suppressed"`
}

func (f *Figures) add(b Bulletin) {
	f.Launched += b.Launched
	f.Destroyed += b.Destroyed
	f.Suppressed += b.Suppressed
}

// AirDay is the air figures of one day, with the rows behind them.
type AirDay struct {
	Day      Day
	Drones   Figures
	Missiles Figures
	// Counted are the IDs of the rows summed, in input order.
	Counted []string
	// Overlapped are the IDs of the day's regional and other rows left
	// out because a national bulletin's window overlaps theirs.
	Overlapped []string
}

// DailyAir returns the air figures of day: the launches, destructions and
// suppressions of drones and of missiles over the bulletin rows whose Day
// is day, each launch counted once. The rule (see the package comment):
// every national row counts; a regional or other row counts only if its
// window overlaps the window of no national row in bulletins. The caller
// passes all the bulletins it has, not only the day's, so that a national
// bulletin of a neighbouring day can rule out an overlapping regional row.
func DailyAir(bulletins []Bulletin, day Day) AirDay {
	a := AirDay{Day: day}
	var national []Bulletin
	for _, b := range bulletins {
		if b.Command == CommandNational {
			national = append(national, b)
		}
	}
	for _, b := range bulletins {
		if b.Day != day {
			continue
		}
		if b.Command != CommandNational && overlapsAny(b, national) {
			a.Overlapped = append(a.Overlapped, b.ID)
			continue
		}
		a.Counted = append(a.Counted, b.ID)
		if b.Kind == KindDrone {
			a.Drones.add(b)
		} else {
			a.Missiles.add(b)
		}
	}
	return a
}

// AirDays returns DailyAir for every day that has a bulletin row, in date
// order.
func AirDays(bulletins []Bulletin) []AirDay {
	var days []Day
	for _, b := range bulletins {
		if !slices.Contains(days, b.Day) {
			days = append(days, b.Day)
		}
	}
	slices.SortFunc(days, func(x, y Day) int {
		switch {
		case x.Before(y):
			return -1
		case y.Before(x):
			return 1
		}
		return 0
	})
	out := make([]AirDay, 0, len(days))
	for _, d := range days {
		out = append(out, DailyAir(bulletins, d))
	}
	return out
}

// overlapsAny reports whether b's window meets any of the national rows'
// windows. Windows are closed intervals, so touching ends meet and an
// instant (start = end) inside a window meets it.
func overlapsAny(b Bulletin, national []Bulletin) bool {
	for _, n := range national {
		if overlaps(b.Start, b.End, n.Start, n.End) {
			return true
		}
	}
	return false
}

func overlaps(s1, e1, s2, e2 time.Time) bool {
	return !s1.After(e2) && !s2.After(e1)
}
