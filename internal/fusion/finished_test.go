package fusion_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
)

// listAll pages through s.List with q's filters, limit pages at a time.
func listAll(t *testing.T, s *fusion.Service, q fusion.Query, limit int) []incident.Incident {
	t.Helper()
	q.Limit = limit
	var out []incident.Incident
	for {
		page, more := list(t, s, q)
		out = append(out, page...)
		if !more {
			return out
		}
		if len(page) == 0 {
			t.Fatal("an empty page says more follow")
		}
		last := page[len(page)-1]
		q.After = &fusion.Position{Start: last.Start, ID: last.ID}
	}
}

// TestHorizonServesFinishedIncidents runs a service with a horizon beside
// one without over days of simulated observations: the one with a horizon
// keeps only the last days in memory and the rest in the store, and
// answers every read (pages, filters, Get, IncidentOf) as the one that
// keeps everything. Decisions about a finished incident apply to its
// stored copy (status) or are refused (merge), and a restart rebuilds the
// same incidents.
func TestHorizonServesFinishedIncidents(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	sc := days(t, 6)
	all := fusion.New(store, incident.Config{Locate: simulate.Locate}, nil)
	bounded := fusion.New(store, incident.Config{Locate: simulate.Locate, Horizon: 24 * time.Hour}, nil)
	for _, s := range []*fusion.Service{all, bounded} {
		if err := s.Load(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w := all.Writer(store)
	for i := 0; i < len(sc.Records); i += 500 {
		batch := sc.Records[i:min(i+500, len(sc.Records))]
		var prep []observation.Prepared
		for _, r := range batch {
			prep = append(prep, observation.Prepare(r))
		}
		if _, err := w.WriteObservations(ctx, prep); err != nil {
			t.Fatal(err)
		}
		bounded.Add(batch)
		list(t, bounded, fusion.Query{Limit: 1}) // a reader now and then, as in a server
	}

	want := listAll(t, all, fusion.Query{}, 0)
	got := listAll(t, bounded, fusion.Query{}, 97)
	sameJSON(t, "incidents of the bounded view, in pages of 97, and of the whole one", got, want)
	finished, err := store.CountFinishedIncidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if finished == 0 || int(finished) > len(want)*9/10 {
		t.Errorf("%d of %d incidents finished: want most but not all", finished, len(want))
	}
	t.Logf("%d incidents, %d finished", len(want), finished)
	if n := count(t, bounded); n != len(want) {
		t.Errorf("Len: %d, want %d", n, len(want))
	}

	day := sc.Records[0].ObservedAt.Truncate(24 * time.Hour).Add(24 * time.Hour)
	for _, q := range []fusion.Query{
		{From: day, To: day.Add(24 * time.Hour)},
		{Domain: observation.Land},
		{Status: incident.Corroborated},
		{BBox: &[4]float64{30, 45, 40, 52}, From: day},
	} {
		sameJSON(t, "filtered incidents", listAll(t, bounded, q, 50), listAll(t, all, q, 0))
	}

	// An incident finished long ago, with more than one observation.
	var old incident.Incident
	for _, inc := range want {
		if len(inc.Observations) > 1 {
			old = inc
			break
		}
	}
	if _, err := store.FinishedIncident(ctx, old.ID); err != nil {
		t.Fatalf("the first incident is not stored as finished: %v", err)
	}
	g, err := bounded.Get(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Get of a finished incident", g, old)
	g, err = bounded.IncidentOf(ctx, old.Observations[1])
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "IncidentOf for a finished incident's observation", g, old)

	d := incident.Decision{Kind: incident.SetStatus, Status: incident.Verified, Reason: "crater measured", At: time.Now()}
	after, err := bounded.Decide(ctx, old.ID, d, 1)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != incident.Verified || after.StatusReason != d.Reason {
		t.Errorf("after a status decision: %s %q", after.Status, after.StatusReason)
	}
	if g, _ := bounded.Get(ctx, old.ID); g.Status != incident.Verified {
		t.Errorf("Get after the decision: status %s", g.Status)
	}
	other := want[len(want)/3]
	merge := incident.Decision{Kind: incident.Merge, Observations: []string{other.Observations[0]}, Reason: "one event", At: time.Now()}
	if _, err := bounded.Decide(ctx, old.ID, merge, 1); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("merging a finished incident: got %v, want a conflict", err)
	}
	// A live incident merged with a finished one's observation: the same.
	live, _ := list(t, bounded, fusion.Query{From: want[len(want)-1].Start})
	if len(live) == 0 {
		t.Fatal("no incident at the end of the scenario")
	}
	merge.Observations = []string{old.Observations[0]}
	if _, err := bounded.Decide(ctx, live[0].ID, merge, 1); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("merging a live incident with a finished one's observation: got %v, want a conflict", err)
	}
	unknown := incident.Decision{Kind: incident.SetStatus, Status: incident.Verified, Reason: "x", At: time.Now()}
	if _, err := bounded.Decide(ctx, "inc-does-not-exist", unknown, 1); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("deciding on an unknown incident: got %v, want not found", err)
	}

	before := listAll(t, bounded, fusion.Query{}, 500)
	restarted := fusion.New(store, incident.Config{Locate: simulate.Locate, Horizon: 24 * time.Hour}, nil)
	if err := restarted.Load(ctx); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "incidents after a restart", listAll(t, restarted, fusion.Query{}, 500), before)
	if tag, err := store.FinishedTag(ctx); err != nil || !strings.Contains(tag, "horizon 24h0m0s") {
		t.Errorf("the stored incidents' tag: %q, %v", tag, err)
	}
	if n, _ := store.CountFinishedIncidents(ctx); n != finished {
		t.Errorf("after a restart, %d incidents stored as finished, were %d", n, finished)
	}

	// Another horizon makes them otherwise: the store is made again, and
	// the incidents are the same.
	longer := fusion.New(store, incident.Config{Locate: simulate.Locate, Horizon: 48 * time.Hour}, nil)
	if err := longer.Load(ctx); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "incidents with another horizon", listAll(t, longer, fusion.Query{}, 500), before)
	if n, _ := store.CountFinishedIncidents(ctx); n >= finished {
		t.Errorf("with a longer horizon, %d incidents stored as finished, as many as with a shorter one (%d)", n, finished)
	}
}
