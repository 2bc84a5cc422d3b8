package fusion_test

import (
	"fmt"
	"testing"
	"time"

	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
)

// TestDecisionsMadeMootSurviveRestart makes decisions, then stores
// observations that change the incidents the decisions were judged
// against, and checks that a restart (a replay of the store) still starts
// and gives the live view. A merge of two incidents that later
// observations fuse anyway once stopped the server from starting: the
// replay judged the merge again, after every observation, and refused it
// as "already in one incident".
func TestDecisionsMadeMootSurviveRestart(t *testing.T) {
	at := time.Date(2025, 6, 1, 1, 0, 0, 0, time.UTC)
	id := func(n int) string { return fmt.Sprintf("6f1c7a2e-0d0b-4a6e-9d1f-%012d", n) }
	rec := func(n int, d time.Duration, kind observation.Kind) observation.Prepared {
		lat, lon := 47.8, 35.0
		return observation.Prepare(observation.Record{Organization: "Mission", SubmitterID: 1, AcceptedAt: at,
			Observation: observation.Observation{ID: id(n), ObservedAt: at.Add(d), TimeUncertaintyS: 60, Lat: &lat, Lon: &lon,
				LocationUncertaintyM: 500, Domain: observation.Land, Kind: kind, Count: 3, Source: observation.Patrol}})
	}
	// Ten reports three minutes after the first and three before the
	// second are enough evidence for fusion to join them.
	var bridge []observation.Prepared
	for i := range 10 {
		bridge = append(bridge, rec(100+i, 3*time.Minute, "artillery"))
	}
	for _, tc := range []struct {
		name     string
		decide   func(a, b incident.Incident) (string, incident.Decision)
		wantSame bool // a and b in one incident at the end
	}{
		{"merge", func(a, b incident.Incident) (string, incident.Decision) {
			return a.ID, incident.Decision{Kind: incident.Merge, Observations: []string{b.Observations[0]}, Reason: "one strike"}
		}, true},
		{"status", func(a, b incident.Incident) (string, incident.Decision) {
			return a.ID, incident.Decision{Kind: incident.SetStatus, Status: incident.Verified, Reason: "crater seen"}
		}, true},
		{"attribution", func(a, b incident.Incident) (string, incident.Decision) {
			return b.ID, incident.Decision{Kind: incident.Attribute, AttributedTo: "RU", Confidence: incident.Medium, Reason: "direction of fire"}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			store := openStore(t)
			live := fusion.New(store, incident.Config{}, nil)
			if err := live.Load(ctx); err != nil {
				t.Fatal(err)
			}
			w := live.Writer(store)
			if _, err := w.WriteObservations(ctx, []observation.Prepared{rec(1, 0, "artillery"), rec(2, 6*time.Minute, "artillery")}); err != nil {
				t.Fatal(err)
			}
			a, _ := live.IncidentOf(ctx, id(1))
			b, _ := live.IncidentOf(ctx, id(2))
			if a.ID == b.ID {
				t.Fatal("the two reports are one incident before the bridge: the test needs them apart")
			}
			inc, d := tc.decide(a, b)
			d.At = at
			if _, err := live.Decide(ctx, inc, d, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := w.WriteObservations(ctx, bridge); err != nil {
				t.Fatal(err)
			}
			got, _ := list(t, live, fusion.Query{})
			a, _ = live.IncidentOf(ctx, id(1))
			b, _ = live.IncidentOf(ctx, id(2))
			if (a.ID == b.ID) != tc.wantSame {
				t.Errorf("live: the two reports in one incident: %v, want %v", a.ID == b.ID, tc.wantSame)
			}

			restarted := fusion.New(store, incident.Config{}, nil)
			if err := restarted.Load(ctx); err != nil {
				t.Fatalf("restart: %v", err)
			}
			want, _ := list(t, restarted, fusion.Query{})
			sameJSON(t, "incidents after a restart and live", want, got)
		})
	}
}
