package agreement

import (
	"cmp"
	"slices"

	"truce/internal/incident"
)

// Judge returns the agreement and term inc violates, or nil. It is
// JudgeWith with no target categories, so terms limited to targets never
// match.
func Judge(inc incident.Incident, agreements []Agreement) *incident.Violation {
	return JudgeWith(inc, nil, agreements)
}

// JudgeWith returns the agreement and term inc violates given the target
// categories an analyst assigned to it (nil when none), or nil when no term
// in force covers it. When several terms match, it returns the first of
// Matches.
func JudgeWith(inc incident.Incident, targets []string, agreements []Agreement) *incident.Violation {
	m := Matches(inc, targets, agreements)
	if len(m) == 0 {
		return nil
	}
	return &m[0]
}

// Matches returns every agreement term inc violates, in the order of
// preference: the most recently adopted agreement first, then agreement id,
// then term id. agreements may hold several versions of one agreement; only
// the highest version of each is used (an amendment never changes how the
// past is judged, see Amend). An incident violates a term when all of these
// hold:
//
//   - inc is not refuted;
//   - inc is not attributed, or is attributed to one of the agreement's parties;
//   - inc.Domain is one of the term's domains;
//   - the term has no kinds, or inc.Kind is one of them;
//   - inc.Start is in [From, To);
//   - the term has no zone, or inc has a point (Lat, Lon) inside it; an
//     incident known only by its region is never inside a zone;
//   - the term has no targets, or targets shares a category with them.
func Matches(inc incident.Incident, targets []string, agreements []Agreement) []incident.Violation {
	if inc.Status == incident.Refuted {
		return nil
	}
	latest := map[string]*Agreement{}
	for i := range agreements {
		a := &agreements[i]
		if l, ok := latest[a.ID]; !ok || a.Version > l.Version {
			latest[a.ID] = a
		}
	}
	ags := make([]*Agreement, 0, len(latest))
	for _, a := range latest {
		ags = append(ags, a)
	}
	slices.SortFunc(ags, func(x, y *Agreement) int {
		if c := y.Adopted.Compare(x.Adopted); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	var out []incident.Violation
	for _, a := range ags {
		if inc.AttributedTo != "" && !slices.Contains(a.Parties, inc.AttributedTo) {
			continue
		}
		var ids []string
		for i := range a.Terms {
			if a.Terms[i].Covers(inc, targets) {
				ids = append(ids, a.Terms[i].ID)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			out = append(out, incident.Violation{Agreement: a.ID, Term: id})
		}
	}
	return out
}

// Covers reports whether the term covers inc, with the analyst's target
// categories targets: domain, kind, time, place and target, as Matches
// lists them. It does not look at the incident's status or attribution,
// which concern the agreement.
func (t *Term) Covers(inc incident.Incident, targets []string) bool {
	if !slices.Contains(t.Domains, inc.Domain) {
		return false
	}
	if len(t.Kinds) > 0 && !slices.Contains(t.Kinds, inc.Kind) {
		return false
	}
	if !t.InForce(inc.Start) {
		return false
	}
	if t.Zone != nil && (inc.Lat == nil || inc.Lon == nil || !t.Zone.Contains(*inc.Lat, *inc.Lon)) {
		return false
	}
	if len(t.Targets) > 0 && !slices.ContainsFunc(targets, func(c string) bool { return slices.Contains(t.Targets, c) }) {
		return false
	}
	return true
}
