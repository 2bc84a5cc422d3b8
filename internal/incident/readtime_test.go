package incident_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
)

// TestReadTimeIndependent: the incidents are a function of the records and
// the decisions, in order, alone — not of when a reader (Settle, Changes,
// Get, or a decision's own check) brought the grouping up to date. A live
// server reads at arbitrary times; on restart it replays the store with a
// single read at the end, and the two must agree.
func TestReadTimeIndependent(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 5_000
	}
	sc := scenario(t, simulate.Bench(n))
	recs := slices.Clone(sc.Records)
	slices.SortStableFunc(recs, func(a, b observation.Record) int { return a.ObservedAt.Compare(b.ObservedAt) })

	settle := func(f *incident.Fuser, _ int) { f.Settle() }
	changes := func(f *incident.Fuser, _ int) { f.Changes() }
	get := func(f *incident.Fuser, i int) {
		if _, err := f.Get(recs[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	// decide applies the same decisions at the same points of the stream
	// in every schedule that uses it: a merge, a split and a status.
	decide := func(f *incident.Fuser, i int) string {
		if i < 100 || i%(len(recs)/5) != 0 {
			return ""
		}
		ds := []incident.Decision{
			{Kind: incident.Merge, Observations: []string{recs[i].ID, recs[i-60].ID}},
			{Kind: incident.Split, Observations: []string{recs[i-20].ID}},
			{Kind: incident.SetStatus, Observations: []string{recs[i-40].ID}, Status: incident.Refuted, Reason: "no trace"},
		}
		var out string
		for _, d := range ds {
			out += fmt.Sprintf("%d %s: %v\n", i, d.Kind, f.Apply(d))
		}
		return out
	}

	type schedule struct {
		name      string
		every     int // read after every every-th Add; 0: never
		read      func(f *incident.Fuser, i int)
		decisions bool
		horizon   time.Duration
	}
	run := func(t *testing.T, s schedule) (map[string]string, string) {
		t.Helper()
		f := incident.New(incident.Config{Locate: simulate.Locate, Horizon: s.horizon})
		var applied string
		for i, rec := range recs {
			if err := f.Add(rec); err != nil {
				t.Fatal(err)
			}
			if s.every > 0 && i%s.every == 0 {
				s.read(f, i)
			}
			if s.decisions {
				applied += decide(f, i)
			}
		}
		m := map[string]string{}
		for _, inc := range append(f.Finished(), f.Incidents()...) {
			b, err := json.Marshal(inc)
			if err != nil {
				t.Fatal(err)
			}
			m[inc.ID] = string(b)
		}
		return m, applied
	}

	// The baselines: no read but the one at the end.
	type variant struct {
		decisions bool
		horizon   time.Duration
	}
	type result struct {
		incs    map[string]string
		applied string
	}
	bases := map[variant]result{}
	baseline := func(t *testing.T, v variant) result {
		t.Helper()
		if r, ok := bases[v]; ok {
			return r
		}
		incs, applied := run(t, schedule{decisions: v.decisions, horizon: v.horizon})
		bases[v] = result{incs, applied}
		return bases[v]
	}
	tests := []schedule{
		{name: "Settle after every Add", every: 1, read: settle},
		{name: "Settle every 7", every: 7, read: settle},
		{name: "Settle every 1000", every: 1000, read: settle},
		{name: "Changes every 7", every: 7, read: changes},
		{name: "Changes every 1000", every: 1000, read: changes},
		{name: "Get every 3", every: 3, read: get},
		{name: "decisions, Settle after every Add", every: 1, read: settle, decisions: true},
		{name: "decisions, Changes every 7", every: 7, read: changes, decisions: true},
		{name: "horizon, Settle every 7", every: 7, read: settle, horizon: 36 * time.Hour},
		{name: "horizon, Changes every 1000", every: 1000, read: changes, horizon: 36 * time.Hour},
		{name: "horizon, decisions, Get every 3", every: 3, read: get, decisions: true, horizon: 36 * time.Hour},
	}
	if testing.Short() {
		tests = slices.DeleteFunc(tests, func(s schedule) bool { return s.every == 1 })
	}
	for _, s := range tests {
		t.Run(s.name, func(t *testing.T) {
			base := baseline(t, variant{s.decisions, s.horizon})
			got, applied := run(t, s)
			want := base.incs
			if applied != base.applied {
				t.Errorf("decisions answered\n%s\nwant\n%s", applied, base.applied)
			}
			diff := 0
			for id, w := range want {
				if got[id] != w {
					diff++
				}
			}
			for id := range got {
				if _, ok := want[id]; !ok {
					diff++
				}
			}
			if diff > 0 {
				t.Errorf("got %d incidents, want %d; %d differ from a single read at the end", len(got), len(want), diff)
			}
		})
	}
}
