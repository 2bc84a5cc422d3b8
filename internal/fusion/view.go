package fusion

import (
	"slices"

	"truce/internal/incident"
)

// The view in memory: byID, and sorted, the same incidents in listing
// order (start, then id). Listings read sorted outside s.mu, so it is never
// changed in place: a change makes a new slice. set and remove note what
// changed; sortedView patches sorted with it when next asked, in time
// proportional to the incidents plus the changes' logarithm, rather than
// sorting everything again after every change.

// set puts inc in the view, replacing the incident with its id. The
// caller holds s.mu.
func (s *Service) set(inc *incident.Incident) {
	if old := s.byID[inc.ID]; old != nil {
		s.gone = append(s.gone, old)
	}
	s.byID[inc.ID] = inc
	s.added = append(s.added, inc)
}

// remove takes the incident with id out of the view. The caller holds
// s.mu.
func (s *Service) remove(id string) {
	if old := s.byID[id]; old != nil {
		s.gone = append(s.gone, old)
		delete(s.byID, id)
	}
}

// resetView empties the view. The caller holds s.mu.
func (s *Service) resetView() {
	s.byID = map[string]*incident.Incident{}
	s.sorted, s.gone, s.added = nil, nil, nil
}

// sortedView returns the view in listing order. The caller holds s.mu.
func (s *Service) sortedView() []*incident.Incident {
	switch {
	case s.sorted == nil || len(s.gone)+len(s.added) > len(s.sorted)/8:
		s.sorted = make([]*incident.Incident, 0, len(s.byID))
		for _, inc := range s.byID {
			s.sorted = append(s.sorted, inc)
		}
		slices.SortFunc(s.sorted, incident.Less)
	case len(s.gone)+len(s.added) > 0:
		s.sorted = s.patched()
	}
	clear(s.gone) // the arrays are kept: let the collector have what they held
	clear(s.added)
	s.gone, s.added = s.gone[:0], s.added[:0]
	return s.sorted
}

// patched returns s.sorted without the incidents in s.gone and with those
// in s.added that are still in the view, as a new slice.
func (s *Service) patched() []*incident.Incident {
	drop := make([]int, 0, len(s.gone))
	for _, g := range s.gone {
		// An incident added since the last sorting is not in s.sorted.
		if i, ok := slices.BinarySearchFunc(s.sorted, g, incident.Less); ok && s.sorted[i] == g {
			drop = append(drop, i)
		}
	}
	slices.Sort(drop)
	drop = slices.Compact(drop)
	var fresh []*incident.Incident
	for _, a := range s.added {
		if s.byID[a.ID] == a { // not replaced or removed since
			fresh = append(fresh, a)
		}
	}
	slices.SortFunc(fresh, incident.Less)
	out := make([]*incident.Incident, 0, len(s.sorted)-len(drop)+len(fresh))
	j, d := 0, 0
	for i, p := range s.sorted {
		if d < len(drop) && drop[d] == i {
			d++
			continue
		}
		for j < len(fresh) && incident.Less(fresh[j], p) < 0 {
			out = append(out, fresh[j])
			j++
		}
		out = append(out, p)
	}
	return append(out, fresh[j:]...)
}
