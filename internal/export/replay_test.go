package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"truce/internal/export"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
)

// simulatedStore returns a fresh SQLite store holding a simulated
// scenario of about n observations.
func simulatedStore(t testing.TB, n int) *sqlite.Store {
	t.Helper()
	sc, err := simulate.Generate(simulate.Bench(n))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	prep := make([]observation.Prepared, len(sc.Records))
	for i, r := range sc.Records {
		prep[i] = observation.Prepare(r)
	}
	for i := 0; i < len(prep); i += 5000 {
		if _, err := st.WriteObservations(context.Background(), prep[i:min(i+5000, len(prep))]); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// all returns every incident of the live view, in its order.
func all(t *testing.T, svc *fusion.Service) []incident.Incident {
	var out []incident.Incident
	q := fusion.Query{Limit: 1000}
	for {
		page, more, err := svc.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if !more {
			return out
		}
		last := page[len(page)-1]
		q.After = &fusion.Position{Start: last.Start, ID: last.ID}
	}
}

func replayAll(t *testing.T, st export.Store, q export.Query) ([]incident.Incident, export.Stats) {
	t.Helper()
	var got []incident.Incident
	stats, err := export.Replay(t.Context(), st, q, func(inc *incident.Incident) error {
		got = append(got, *inc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b incident.Incident) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return bytes.Compare([]byte(a.ID), []byte(b.ID))
	})
	return got, stats
}

func sameIncidents(t *testing.T, got, want []incident.Incident) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d incidents, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if !bytes.Equal(g, w) {
			t.Fatalf("incident %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

// TestReplayMatchesLiveView checks that the export's replay, in observed_at
// order with a horizon, gives byte for byte the incidents of the server's
// live view as a restarted server rebuilds it (all records, then the
// decisions in ledger order), analysts' statuses and attributions included,
// while holding only part of the observations at any time; and the same
// for a window.
func TestReplayMatchesLiveView(t *testing.T) {
	if testing.Short() {
		t.Skip("fuses 20,000 observations")
	}
	st := simulatedStore(t, 20_000)
	cfg := incident.Config{Locate: simulate.Locate}
	svc := loadView(t, st, cfg)
	incs := all(t, svc)
	mid := incs[len(incs)/2]
	decide(t, svc, mid.ID, incident.Decision{Kind: incident.SetStatus, Status: incident.Verified, Reason: "footage"})
	decide(t, svc, mid.ID, incident.Decision{Kind: incident.Attribute, AttributedTo: "UA", Confidence: incident.Low, Reason: "first look"})
	decide(t, svc, mid.ID, incident.Decision{Kind: incident.Attribute, AttributedTo: "RU", Confidence: incident.High, Reason: "crater analysis"})
	decide(t, svc, incs[7].ID, incident.Decision{Kind: incident.SetStatus, Status: incident.Refuted, Reason: "a quarry blast"})
	want := all(t, loadView(t, st, cfg))

	got, stats := replayAll(t, st, export.Query{Locate: simulate.Locate})
	sameIncidents(t, got, want)
	n, _ := st.CountObservations(t.Context())
	if stats.Observations != int(n) || stats.Incidents != len(want) || stats.Skipped != 0 || stats.Horizon != incident.DefaultHorizon {
		t.Errorf("stats %+v: want %d observations, %d incidents, none skipped, the default horizon", stats, n, len(want))
	}
	if stats.MaxLive >= int(n) {
		t.Errorf("the fuser held %d of %d observations at once", stats.MaxLive, n)
	}
	t.Logf("%d observations, %d incidents, at most %d observations live", n, len(got), stats.MaxLive)

	// A window: the incidents starting in it, as the live view lists them.
	from, to := want[len(want)/3].Start, want[2*len(want)/3].Start
	got, _ = replayAll(t, st, export.Query{Locate: simulate.Locate, From: from, To: to})
	var wantWin []incident.Incident
	for _, inc := range want {
		if !inc.Start.Before(from) && inc.Start.Before(to) {
			wantWin = append(wantWin, inc)
		}
	}
	sameIncidents(t, got, wantWin)
}

// TestReplayStructuralDecisions checks that merges and splits — one merge
// spanning more than the default horizon — are applied: the horizon
// stretches to keep the merged observations live until the merge applies.
//
// The incidents are compared with the live view's by content, not byte for
// byte: incident.Fuser's attachment of vague observations depends on when
// its grouping is brought up to date (Settle, Apply, a sweep), so applying
// a merge during the replay rather than after the last record can attach a
// few vague observations differently (a known issue of package incident,
// about 2 in 10,000 incidents here). This test allows 1 in 1,000.
func TestReplayStructuralDecisions(t *testing.T) {
	if testing.Short() {
		t.Skip("fuses 20,000 observations")
	}
	st := simulatedStore(t, 20_000)
	cfg := incident.Config{Locate: simulate.Locate}
	svc := loadView(t, st, cfg)
	incs := all(t, svc)
	first, last := incs[10], incs[len(incs)-10]
	if last.Start.Sub(first.Start) <= incident.DefaultHorizon+24*time.Hour {
		t.Fatalf("scenario too short: %v", last.Start.Sub(first.Start))
	}
	decide(t, svc, first.ID, incident.Decision{Kind: incident.Merge, Observations: []string{last.Observations[0]}, Reason: "same unit, a week apart"})
	var split incident.Incident
	for _, inc := range incs[100:] {
		if len(inc.Observations) >= 3 {
			split = inc
			decide(t, svc, inc.ID, incident.Decision{Kind: incident.Split, Observations: []string{inc.Observations[1]}, Reason: "a second impact"})
			break
		}
	}
	want := all(t, loadView(t, st, cfg))

	got, stats := replayAll(t, st, export.Query{Locate: simulate.Locate})
	if stats.Decisions != 2 || stats.Skipped != 0 {
		t.Errorf("stats %+v: want 2 decisions applied, none skipped", stats)
	}
	if stats.Horizon <= incident.DefaultHorizon {
		t.Errorf("horizon %v: the week-long merge should have stretched it", stats.Horizon)
	}
	in := map[string]*incident.Incident{}
	for i := range got {
		for _, o := range got[i].Observations {
			in[o] = &got[i]
		}
	}
	if in[first.Observations[0]] != in[last.Observations[0]] {
		t.Errorf("merged observations %s and %s are in different incidents", first.Observations[0], last.Observations[0])
	}
	if in[split.Observations[1]] == in[split.Observations[0]] {
		t.Errorf("split observation %s is still with %s", split.Observations[1], split.Observations[0])
	}
	byID := map[string]string{}
	for _, inc := range want {
		b, _ := json.Marshal(inc)
		byID[inc.ID] = string(b)
	}
	differ := 0
	for _, inc := range got {
		if b, _ := json.Marshal(inc); byID[inc.ID] != string(b) {
			differ++
		}
	}
	if differ > len(want)/1000 || abs(len(got)-len(want)) > len(want)/1000 {
		t.Errorf("%d of %d incidents differ from the live view (%d replayed)", differ, len(want), len(got))
	}
	t.Logf("horizon %v, %d of %d incidents differ from the live view", stats.Horizon, differ, len(want))
}

func abs(x int) int { return max(x, -x) }

func loadView(t *testing.T, st *sqlite.Store, cfg incident.Config) *fusion.Service {
	t.Helper()
	svc := fusion.New(st, cfg, nil)
	if err := svc.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc
}

func decide(t *testing.T, svc *fusion.Service, id string, d incident.Decision) {
	t.Helper()
	d.At = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	if _, err := svc.Decide(t.Context(), id, d, 1); err != nil {
		t.Fatalf("decide %s on %s: %v", d.Kind, id, err)
	}
}
