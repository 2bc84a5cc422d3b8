package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/observation"
)

// Finished incidents are fusion's output kept in the store once no
// observation can change them any more. The suite checks that they come
// back exactly as put (Violation aside: it is judged at read time and
// never stored), are found by id and by observation, are listed as
// incident.Query selects them in incident.Less order, and that a bad batch
// writes nothing.
//
// When an incident is replaced, the observations it no longer holds are
// unmapped: FinishedIncidentOf no longer finds them.

func testFinishedIncidents(t *testing.T, open func(t *testing.T) Store) {
	t.Run("RoundTrip", func(t *testing.T) { testFinishedRoundTrip(t, open(t)) })
	t.Run("Replace", func(t *testing.T) { testFinishedReplace(t, open(t)) })
	t.Run("Filters", func(t *testing.T) { testFinishedFilters(t, open(t)) })
	t.Run("Paging", func(t *testing.T) { testFinishedPaging(t, open(t)) })
	t.Run("NotFound", func(t *testing.T) { testFinishedNotFound(t, open(t)) })
	t.Run("BadInput", func(t *testing.T) { testFinishedBadInput(t, open(t)) })
	t.Run("Reset", func(t *testing.T) { testFinishedReset(t, open(t)) })
}

func finObsID(n int) string { return fmt.Sprintf("00000000-0000-4000-a000-%012d", n) }

// finishedIncident returns incident n of a test set, as fusion would make
// it: an id derived from its smallest observation, times with nanoseconds
// in UTC (three incidents in a row share a start time), and varied
// domains, kinds, statuses, regions and positions. Every fifth has no
// position, only a region; every seventh carries a violation, which the
// store must not keep.
func finishedIncident(n int) incident.Incident {
	obs := []string{finObsID(2 * n), finObsID(2*n + 1)}
	if n%4 == 3 {
		obs = obs[:1]
	}
	start := base.UnixNano() + int64(n/3)*int64(17*time.Minute) + 123_456_789 + int64(n/3)
	inc := incident.Incident{
		ID:            incident.IncidentID(obs[0]),
		Domain:        []observation.Domain{observation.Land, observation.Air, observation.Sea}[n%3],
		Kind:          []observation.Kind{"artillery", "drone", "mortar", "mlrs"}[n%4],
		Start:         time.Unix(0, start).UTC(),
		End:           time.Unix(0, start+int64(n)*int64(time.Second)+7).UTC(),
		RadiusM:       float64(n) * 12.5,
		Region:        []string{"", "Donetsk", "Kherson"}[(n/2)%3],
		Observations:  obs,
		Sources:       1 + n%3,
		Organizations: 1 + n%2,
		Count:         incident.Count{Low: n, Best: n + 1, High: n + 2},
		Status:        incident.Statuses()[n%5],
	}
	if n%5 == 4 {
		inc.Region = "Zaporizhzhia"
	} else {
		lat, lon := 46+float64(n)*0.037, 33+float64(n%10)*0.21
		inc.Lat, inc.Lon = &lat, &lon
	}
	if inc.Status != incident.Reported && inc.Status != incident.Corroborated {
		inc.StatusReason = fmt.Sprintf("reason %d", n)
	}
	if n%3 == 1 {
		inc.AttributedTo, inc.AttributionConfidence = "RU", incident.Medium
	}
	if n%7 == 0 {
		inc.Violation = &incident.Violation{Agreement: "a1", Term: "t2"}
	}
	return inc
}

func finishedIncidents(n int) []incident.Incident {
	incs := make([]incident.Incident, n)
	for i := range incs {
		incs[i] = finishedIncident(i)
	}
	return incs
}

// stored is inc as the store must return it: without its violation.
func stored(inc incident.Incident) incident.Incident {
	inc.Violation = nil
	return inc
}

// sortedStored returns incs as a listing of everything must return them.
func sortedStored(incs []incident.Incident) []incident.Incident {
	out := make([]incident.Incident, len(incs))
	for i, inc := range incs {
		out[i] = stored(inc)
	}
	slices.SortFunc(out, func(a, b incident.Incident) int { return incident.Less(&a, &b) })
	return out
}

// checkIncident reports whether got is want exactly, showing both as JSON
// when not.
func checkIncident(t *testing.T, what string, got, want incident.Incident) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

// checkIncidents compares two listings, by ids first so that a wrong order
// or selection reads plainly.
func checkIncidents(t *testing.T, what string, got, want []incident.Incident) {
	t.Helper()
	ids := func(incs []incident.Incident) []string {
		out := make([]string, len(incs))
		for i, inc := range incs {
			out[i] = inc.ID
		}
		return out
	}
	if g, w := ids(got), ids(want); !slices.Equal(g, w) {
		t.Errorf("%s: got %d incidents %v,\nwant %d %v", what, len(g), g, len(w), w)
		return
	}
	for i := range got {
		checkIncident(t, fmt.Sprintf("%s: incident %d", what, i), got[i], want[i])
	}
}

func checkFinishedCount(t *testing.T, s Store, want int64) {
	t.Helper()
	n, err := s.CountFinishedIncidents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("count: got %d, want %d", n, want)
	}
}

// testFinishedRoundTrip: each incident comes back equal to what was put,
// by id and by each of its observations, whether it has a position or only
// a region.
func testFinishedRoundTrip(t *testing.T, s Store) {
	ctx := t.Context()
	if err := s.PutFinishedIncidents(ctx, nil); err != nil {
		t.Fatalf("put nothing: %v", err)
	}
	incs := finishedIncidents(10)
	if incs[4].Lat != nil || incs[4].Region == "" || incs[0].Violation == nil {
		t.Fatal("the test set lacks a region-only incident or one with a violation")
	}
	if err := s.PutFinishedIncidents(ctx, incs); err != nil {
		t.Fatal(err)
	}
	checkFinishedCount(t, s, int64(len(incs)))
	for _, inc := range incs {
		t.Run(inc.ID, func(t *testing.T) {
			got, err := s.FinishedIncident(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkIncident(t, "by id", got, stored(inc))
			for _, o := range inc.Observations {
				got, err := s.FinishedIncidentOf(ctx, o)
				if err != nil {
					t.Fatalf("of observation %s: %v", o, err)
				}
				checkIncident(t, "of observation "+o, got, stored(inc))
			}
		})
	}
	all, err := s.ListFinishedIncidents(ctx, incident.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	checkIncidents(t, "list", all, sortedStored(incs))
}

// testFinishedReplace: putting an incident again replaces it (body, start
// time, members); the observations it no longer holds are unmapped; an
// observation put with another incident is mapped to that one; within a
// batch the later incident wins.
func testFinishedReplace(t *testing.T, s Store) {
	ctx := t.Context()
	a := finishedIncident(0) // observations 0 and 1
	a.Observations = append(a.Observations, finObsID(500))
	b := finishedIncident(1) // observations 2 and 3
	if err := s.PutFinishedIncidents(ctx, []incident.Incident{a, b}); err != nil {
		t.Fatal(err)
	}

	a2 := a
	a2.Observations = []string{finObsID(0), finObsID(1)} // drops 500
	a2.Status, a2.StatusReason = incident.Verified, "seen on site"
	a2.Start = a.Start.Add(3*time.Hour + 1) // moves in listing order
	a2.End = a2.Start.Add(time.Minute)
	b2 := b
	b2.Observations = []string{finObsID(1), finObsID(2), finObsID(3)} // takes 1 from a
	b2.Count = incident.Count{Low: 7, Best: 8, High: 9}
	if err := s.PutFinishedIncidents(ctx, []incident.Incident{a2, b2}); err != nil {
		t.Fatal(err)
	}
	checkFinishedCount(t, s, 2)
	tests := []struct {
		obs  string
		want *incident.Incident // nil: not found
	}{
		{finObsID(0), &a2},
		{finObsID(1), &b2}, // the later mapping
		{finObsID(2), &b2},
		{finObsID(3), &b2},
		{finObsID(500), nil}, // dropped by a2
	}
	for _, tt := range tests {
		got, err := s.FinishedIncidentOf(ctx, tt.obs)
		if tt.want == nil {
			if !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("of observation %s: got %v (%s), want ErrNotFound", tt.obs, err, got.ID)
			}
			continue
		}
		if err != nil {
			t.Errorf("of observation %s: %v", tt.obs, err)
			continue
		}
		checkIncident(t, "of observation "+tt.obs, got, stored(*tt.want))
	}
	got, err := s.FinishedIncident(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkIncident(t, "replaced", got, stored(a2))
	all, err := s.ListFinishedIncidents(ctx, incident.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	checkIncidents(t, "list after replacing", all, sortedStored([]incident.Incident{a2, b2}))

	// The same incident twice in one batch: the later one is stored.
	c, c2 := finishedIncident(2), finishedIncident(2)
	c2.Observations = c2.Observations[:1]
	c2.Kind = "rocket"
	if err := s.PutFinishedIncidents(ctx, []incident.Incident{c, c2}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FinishedIncident(ctx, c.ID); err != nil {
		t.Error(err)
	} else {
		checkIncident(t, "twice in a batch", got, stored(c2))
	}
	if _, err := s.FinishedIncidentOf(ctx, c.Observations[1]); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("observation dropped within a batch: got %v, want ErrNotFound", err)
	}
	checkFinishedCount(t, s, 3)
}

// testFinishedFilters: each filter alone, and a few together, selects what
// q.Match selects in Go, in incident.Less order.
func testFinishedFilters(t *testing.T, s Store) {
	ctx := t.Context()
	incs := finishedIncidents(40)
	if err := s.PutFinishedIncidents(ctx, incs); err != nil {
		t.Fatal(err)
	}
	all := sortedStored(incs)
	mid := all[len(all)/2]
	at := all[slices.IndexFunc(all, func(inc incident.Incident) bool { return inc.Lat != nil })]
	tests := []struct {
		name string
		q    incident.Query
	}{
		{"everything", incident.Query{}},
		{"from", incident.Query{From: mid.Start}},
		{"from between two starts", incident.Query{From: mid.Start.Add(1)}},
		{"to", incident.Query{To: mid.Start}},
		{"to just after a start", incident.Query{To: mid.Start.Add(1)}},
		{"from to", incident.Query{From: all[5].Start, To: all[20].Start}},
		{"empty window", incident.Query{From: mid.Start, To: mid.Start}},
		{"domain", incident.Query{Domain: observation.Air}},
		{"kind", incident.Query{Kind: "mortar"}},
		{"status", incident.Query{Status: incident.Verified}},
		{"region", incident.Query{Region: "Kherson"}},
		{"region only incidents", incident.Query{Region: "Zaporizhzhia"}},
		{"unknown region", incident.Query{Region: "Atlantis"}},
		{"bbox", incident.Query{BBox: &[4]float64{33.3, 46.2, 34, 47}}},
		{"bbox of the world", incident.Query{BBox: &[4]float64{-180, -90, 180, 90}}}, // never the region-only ones
		{"bbox edges", incident.Query{BBox: &[4]float64{*at.Lon, *at.Lat, *at.Lon, *at.Lat}}},
		{"after", incident.Query{After: &incident.Position{Start: mid.Start, ID: mid.ID}}},
		{"after an unknown id", incident.Query{After: &incident.Position{Start: mid.Start, ID: "8"}}},
		{"together", incident.Query{From: all[3].Start, To: all[35].Start, Domain: observation.Land, Region: "Donetsk",
			After: &incident.Position{Start: all[6].Start, ID: all[6].ID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := matching(all, tt.q)
			if tt.name == "everything" && len(want) != len(all) {
				t.Fatalf("q.Match selects %d of %d", len(want), len(all))
			}
			q := tt.q
			q.Limit = 1000
			got, err := s.ListFinishedIncidents(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			checkIncidents(t, "list", got, want)
		})
	}
}

// testFinishedPaging: listing page by page, each continuing after the last
// incident of the one before, gives exactly the sorted sequence, start
// times shared by several incidents included.
func testFinishedPaging(t *testing.T, s Store) {
	ctx := t.Context()
	incs := finishedIncidents(50)
	// Put in two batches, the later half first, so that the order stored
	// is not the order listed.
	if err := s.PutFinishedIncidents(ctx, incs[25:]); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFinishedIncidents(ctx, incs[:25]); err != nil {
		t.Fatal(err)
	}
	all := sortedStored(incs)
	tests := []struct {
		name  string
		q     incident.Query
		limit int
	}{
		{"everything by 7", incident.Query{}, 7},
		{"everything by 3", incident.Query{}, 3}, // pages end inside runs of equal start times
		{"everything by 1", incident.Query{}, 1},
		{"everything in one page", incident.Query{}, 50},
		{"land by 4", incident.Query{Domain: observation.Land}, 4},
		{"window by 5", incident.Query{From: all[10].Start, To: all[40].Start}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := matching(all, tt.q)
			q := tt.q
			q.Limit = tt.limit
			var got []incident.Incident
			for pages := 0; ; pages++ {
				if pages > len(all)+1 {
					t.Fatal("paging does not end")
				}
				page, err := s.ListFinishedIncidents(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > tt.limit {
					t.Fatalf("page of %d incidents, limit %d", len(page), tt.limit)
				}
				got = append(got, page...)
				if len(page) < tt.limit {
					break
				}
				last := page[len(page)-1]
				q.After = &incident.Position{Start: last.Start, ID: last.ID}
			}
			checkIncidents(t, "pages", got, want)
		})
	}
	got, err := s.ListFinishedIncidents(ctx, incident.Query{})
	if err != nil {
		t.Fatal(err)
	}
	checkIncidents(t, "no limit", got, all)
}

// testFinishedNotFound: unknown ids and observations, and observation ids
// that are not UUIDs, are derrors.ErrNotFound.
func testFinishedNotFound(t *testing.T, s Store) {
	ctx := t.Context()
	check := func(t *testing.T) {
		t.Helper()
		unknown := finishedIncident(99)
		for _, id := range []string{unknown.ID, "no-such-incident", ""} {
			if got, err := s.FinishedIncident(ctx, id); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("FinishedIncident(%q): got %v (%s), want ErrNotFound", id, err, got.ID)
			}
		}
		for _, obs := range []string{finObsID(999), "not-a-uuid", ""} {
			if got, err := s.FinishedIncidentOf(ctx, obs); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("FinishedIncidentOf(%q): got %v (%s), want ErrNotFound", obs, err, got.ID)
			}
		}
	}
	t.Run("empty", check)
	if err := s.PutFinishedIncidents(ctx, finishedIncidents(5)); err != nil {
		t.Fatal(err)
	}
	t.Run("others stored", check)
	got, err := s.ListFinishedIncidents(ctx, incident.Query{Region: "Atlantis", Limit: 10})
	if err != nil || len(got) != 0 {
		t.Errorf("list of nothing: got %d incidents (%v), want none and no error", len(got), err)
	}
}

// testFinishedBadInput: an incident without an id, without observations or
// with an observation id that is not a UUID is refused with an error that
// names it, and nothing of its batch is written, not even the good
// incident before it.
func testFinishedBadInput(t *testing.T, s Store) {
	ctx := t.Context()
	kept := finishedIncident(0)
	if err := s.PutFinishedIncidents(ctx, []incident.Incident{kept}); err != nil {
		t.Fatal(err)
	}
	noID := finishedIncident(2)
	noID.ID = ""
	noObs := finishedIncident(3)
	noObs.Observations = nil
	badObs := finishedIncident(4)
	badObs.Observations = []string{finObsID(8), "obs-9"}
	urn := finishedIncident(5)
	urn.Observations = []string{"urn:uuid:" + finObsID(10)} // uuid.Parse takes it; ids are only ever 8-4-4-4-12
	tests := []struct {
		name  string
		bad   incident.Incident
		names []string // what the error must mention
	}{
		{"missing id", noID, []string{"incident 1", "id"}},
		{"no observations", noObs, []string{noObs.ID, "observations"}},
		{"observation not a UUID", badObs, []string{badObs.ID, "obs-9"}},
		{"observation a UUID URN", urn, []string{urn.ID, urn.Observations[0]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := finishedIncident(1)
			replaced := kept
			replaced.Observations = kept.Observations[:1]
			replaced.Status = incident.Refuted
			err := s.PutFinishedIncidents(ctx, []incident.Incident{good, tt.bad, replaced})
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
			for _, name := range tt.names {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not mention %q", err, name)
				}
			}
			checkFinishedCount(t, s, 1)
			if _, err := s.FinishedIncident(ctx, good.ID); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("first incident of the batch: got %v, want ErrNotFound", err)
			}
			if _, err := s.FinishedIncidentOf(ctx, good.Observations[0]); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("first incident's observation: got %v, want ErrNotFound", err)
			}
			got, err := s.FinishedIncident(ctx, kept.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkIncident(t, "stored incident the batch would have replaced", got, stored(kept))
			if got, err := s.FinishedIncidentOf(ctx, kept.Observations[1]); err != nil || got.ID != kept.ID {
				t.Errorf("observation the batch would have unmapped: got %s (%v), want %s", got.ID, err, kept.ID)
			}
		})
	}
}

// testFinishedReset: the tag starts empty; resetting removes every
// incident and mapping and sets the tag; a replay stores them again;
// putting what is stored again changes nothing, and putting it changed
// replaces it.
func testFinishedReset(t *testing.T, s Store) {
	ctx := t.Context()
	if tag, err := s.FinishedTag(ctx); err != nil || tag != "" {
		t.Errorf("tag of a new store: %q, %v; want empty", tag, err)
	}
	incs := finishedIncidents(12)
	if err := s.PutFinishedIncidents(ctx, incs); err != nil {
		t.Fatal(err)
	}
	checkFinishedCount(t, s, 12)
	if err := s.ResetFinishedIncidents(ctx, "fusion 1 horizon 72h"); err != nil {
		t.Fatal(err)
	}
	if tag, err := s.FinishedTag(ctx); err != nil || tag != "fusion 1 horizon 72h" {
		t.Errorf("tag after a reset: %q, %v", tag, err)
	}
	checkFinishedCount(t, s, 0)
	for _, inc := range incs {
		if _, err := s.FinishedIncident(ctx, inc.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("FinishedIncident(%s) after a reset: got %v, want ErrNotFound", inc.ID, err)
		}
		for _, o := range inc.Observations {
			if _, err := s.FinishedIncidentOf(ctx, o); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("FinishedIncidentOf(%s) after a reset: got %v, want ErrNotFound", o, err)
			}
		}
	}
	if got, err := s.ListFinishedIncidents(ctx, incident.Query{Limit: 100}); err != nil || len(got) != 0 {
		t.Errorf("list after a reset: %d incidents (%v), want none", len(got), err)
	}
	if err := s.ResetFinishedIncidents(ctx, "fusion 1 horizon 48h"); err != nil {
		t.Errorf("reset when empty: %v", err)
	}
	if tag, _ := s.FinishedTag(ctx); tag != "fusion 1 horizon 48h" {
		t.Errorf("tag after a second reset: %q", tag)
	}
	for range 2 { // the replay, then the same again
		if err := s.PutFinishedIncidents(ctx, incs); err != nil {
			t.Fatal(err)
		}
		checkFinishedCount(t, s, 12)
		got, err := s.FinishedIncidentOf(ctx, incs[7].Observations[0])
		if err != nil {
			t.Fatal(err)
		}
		checkIncident(t, "after the replay", got, stored(incs[7]))
	}
	changed := incs[7]
	changed.Status, changed.StatusReason = incident.Verified, "seen"
	if err := s.PutFinishedIncidents(ctx, append(slices.Clone(incs[:3]), changed)); err != nil {
		t.Fatal(err)
	}
	got, err := s.FinishedIncident(ctx, changed.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkIncident(t, "changed among unchanged ones", got, stored(changed))
	checkFinishedCount(t, s, 12)
}

// matching returns the incidents of all that q selects, in their order.
func matching(all []incident.Incident, q incident.Query) []incident.Incident {
	var out []incident.Incident
	for i := range all {
		if q.Match(&all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}
