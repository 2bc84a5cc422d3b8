package fusion_test

import (
	"errors"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
)

// TestIncidentOf follows an incident through an observation while fusion
// renames it (a smaller observation id joins), and checks Match against
// List.
func TestIncidentOf(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	s := fusion.New(store, incident.Config{}, nil)
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 1, 1, 0, 0, 0, time.UTC)
	rec := func(id string, lat float64, d time.Duration) observation.Prepared {
		lon := 35.0
		return observation.Prepare(observation.Record{Organization: "Mission", SubmitterID: 1, AcceptedAt: at,
			Observation: observation.Observation{ID: id, ObservedAt: at.Add(d), TimeUncertaintyS: 60, Lat: &lat, Lon: &lon,
				LocationUncertaintyM: 500, Domain: observation.Land, Kind: observation.Kind("artillery"), Count: 3, Source: observation.Patrol}})
	}
	w := s.Writer(store)
	const second, first = "6f1c7a2e-0d0b-4a6e-9d1f-000000000002", "6f1c7a2e-0d0b-4a6e-9d1f-000000000001"
	if _, err := w.WriteObservations(ctx, []observation.Prepared{rec(second, 47.8, 0), rec("6f1c7a2e-0d0b-4a6e-9d1f-000000000009", 49, time.Hour)}); err != nil {
		t.Fatal(err)
	}
	before, err := s.IncidentOf(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteObservations(ctx, []observation.Prepared{rec(first, 47.8, time.Minute)}); err != nil {
		t.Fatal(err)
	}
	after, err := s.IncidentOf(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if after.ID == before.ID || len(after.Observations) != 2 || after.Observations[0] != first {
		t.Errorf("after a smaller id joined: got %s with %v, was %s", after.ID, after.Observations, before.ID)
	}
	if _, err := s.Get(ctx, before.ID); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("the old id: got %v, want not found", err)
	}
	if _, err := s.IncidentOf(ctx, "6f1c7a2e-0d0b-4a6e-9d1f-000000000404"); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("an unknown observation: got %v, want not found", err)
	}

	all, _ := list(t, s, fusion.Query{Limit: 10})
	for _, q := range []fusion.Query{
		{},
		{To: at.Add(30 * time.Minute)},
		{From: at.Add(30 * time.Minute)},
		{After: &fusion.Position{Start: all[0].Start, ID: all[0].ID}},
		{BBox: &[4]float64{34, 47, 36, 48}},
		{Kind: observation.Kind("mortar")},
	} {
		q.Limit = 10
		want, _ := list(t, s, q)
		var got []string
		for i := range all {
			if q.Match(&all[i]) {
				got = append(got, all[i].ID)
			}
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0].ID) {
			t.Errorf("%+v: Match keeps %v, List gives %d", q, got, len(want))
		}
	}
	// Limit: none (zero) lists everything with nothing more to follow;
	// pages of one follow each other to the same list.
	if none, more := list(t, s, fusion.Query{}); len(none) != len(all) || more {
		t.Errorf("no limit: %d incidents, more %v; want %d, false", len(none), more, len(all))
	}
	var paged []string
	for q := (fusion.Query{Limit: 1}); ; {
		page, more := list(t, s, q)
		for _, inc := range page {
			paged = append(paged, inc.ID)
		}
		if !more {
			break
		}
		q.After = &fusion.Position{Start: page[0].Start, ID: page[0].ID}
	}
	if len(paged) != len(all) {
		t.Errorf("paging by one: %d incidents, want %d", len(paged), len(all))
	}
	if incident.Less(&all[0], &all[1]) >= 0 {
		t.Errorf("Less: the first listed is not less than the second")
	}
}
