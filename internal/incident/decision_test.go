package incident_test

import (
	"encoding/json"
	"errors"
	"testing"

	"truce/internal/derrors"
	"truce/internal/incident"
)

// twoEvents: observations 1,2 are one event, 3,4 another 20 km away.
func twoEvents() []r {
	return []r{
		acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 2, 0.3, 0, "b", 2),
		acoustic(3, 0, 20, 0, "a", 3), acoustic(4, 2, 20.3, 0, "a", 4),
	}
}

func TestDecisions(t *testing.T) {
	tests := []struct {
		name    string
		ds      []incident.Decision
		want    string
		wantErr error // of the last decision
		check   func(t *testing.T, incs []incident.Incident)
	}{
		{name: "merge", ds: []incident.Decision{{Kind: incident.Merge, Observations: []string{id(1), id(3)}}}, want: "1,2,3,4"},
		{name: "split", ds: []incident.Decision{{Kind: incident.Split, Observations: []string{id(2)}}}, want: "1|2|3,4"},
		{name: "merge then split", ds: []incident.Decision{
			{Kind: incident.Merge, Observations: []string{id(1), id(3)}},
			{Kind: incident.Split, Observations: []string{id(1), id(4)}},
		}, want: "1,4|2,3"},
		{name: "verify", ds: []incident.Decision{{Kind: incident.SetStatus, Observations: []string{id(1), id(2)}, Status: incident.Verified, Reason: "UAV footage"}},
			want: "1,2|3,4", check: func(t *testing.T, incs []incident.Incident) {
				for _, inc := range incs {
					want := incident.Reported
					if inc.Observations[0] == id(1) {
						want = incident.Verified
					}
					if inc.Status != want {
						t.Errorf("incident %s status %s, want %s", inc.Observations[0], inc.Status, want)
					}
				}
			}},
		{name: "revise verified to refuted", ds: []incident.Decision{
			{Kind: incident.SetStatus, Observations: []string{id(3)}, Status: incident.Verified, Reason: "r1"},
			{Kind: incident.SetStatus, Observations: []string{id(3)}, Status: incident.Refuted, Reason: "r2"},
		}, want: "1,2|3,4", check: func(t *testing.T, incs []incident.Incident) {
			for _, inc := range incs {
				if inc.Observations[0] == id(3) && (inc.Status != incident.Refuted || inc.StatusReason != "r2") {
					t.Errorf("status %s (%q), want refuted (r2)", inc.Status, inc.StatusReason)
				}
			}
		}},
		{name: "attribute", ds: []incident.Decision{{Kind: incident.Attribute, Observations: []string{id(4)}, AttributedTo: "RU", Confidence: incident.High, Reason: "crater analysis"}},
			want: "1,2|3,4", check: func(t *testing.T, incs []incident.Incident) {
				for _, inc := range incs {
					if inc.Observations[0] == id(3) && (inc.AttributedTo != "RU" || inc.AttributionConfidence != incident.High) {
						t.Errorf("attribution %s/%s, want RU/high", inc.AttributedTo, inc.AttributionConfidence)
					}
				}
			}},
		{name: "merge within one incident", ds: []incident.Decision{{Kind: incident.Merge, Observations: []string{id(1), id(2)}}}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "split a whole incident", ds: []incident.Decision{{Kind: incident.Split, Observations: []string{id(1), id(2)}}}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "split across incidents", ds: []incident.Decision{{Kind: incident.Split, Observations: []string{id(1), id(3)}}}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "status without reason", ds: []incident.Decision{{Kind: incident.SetStatus, Observations: []string{id(1)}, Status: incident.Verified}}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "analyst cannot corroborate", ds: []incident.Decision{{Kind: incident.SetStatus, Observations: []string{id(1)}, Status: incident.Corroborated, Reason: "x"}}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "verified twice", ds: []incident.Decision{
			{Kind: incident.SetStatus, Observations: []string{id(1)}, Status: incident.Verified, Reason: "x"},
			{Kind: incident.SetStatus, Observations: []string{id(2)}, Status: incident.Verified, Reason: "y"},
		}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "bad confidence", ds: []incident.Decision{{Kind: incident.Attribute, Observations: []string{id(1)}, AttributedTo: "RU", Confidence: "sure", Reason: "x"}}, want: "1,2|3,4", wantErr: derrors.ErrInvalid},
		{name: "unknown observation", ds: []incident.Decision{{Kind: incident.Merge, Observations: []string{id(1), id(99)}}}, want: "1,2|3,4", wantErr: derrors.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fuse(t, twoEvents(), nil)
			for i, d := range tt.ds {
				err := f.Apply(d)
				if i < len(tt.ds)-1 || tt.wantErr == nil {
					if err != nil {
						t.Fatalf("Apply(%d): %v", i, err)
					}
					continue
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Apply(%d) = %v, want %v", i, err, tt.wantErr)
				}
			}
			incs := f.Incidents()
			if got := groups(incs); got != tt.want {
				t.Errorf("groups = %s, want %s", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, incs)
			}
		})
	}
}

// TestDecisionsSurviveFusion: decisions made early keep their effect when
// later observations change the fused grouping.
func TestDecisionsSurviveFusion(t *testing.T) {
	early, late := twoEvents(), []r{
		acoustic(5, 1, 0.1, 0.1, "c", 5),  // joins 1,2
		acoustic(6, 1, 20.1, 0, "c", 6),   // joins 3,4
		acoustic(7, 1, 0.2, 0.2, "c", 7),  // joins 1,2
		acoustic(0, 1, 19.9, 0.1, "c", 8), // joins 3,4 with a smaller id: renames it
	}
	ds := []incident.Decision{
		{Kind: incident.Split, Observations: []string{id(2)}},
		{Kind: incident.Merge, Observations: []string{id(1), id(3)}},
		{Kind: incident.SetStatus, Observations: []string{id(3)}, Status: incident.Verified, Reason: "seen"},
	}
	f := fuse(t, early, nil)
	for _, d := range ds {
		if err := f.Apply(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range late {
		if err := f.Add(x.record()); err != nil {
			t.Fatal(err)
		}
	}
	incs := f.Incidents()
	if got, want := groups(incs), "0,1,3,4,5,6,7|2"; got != want {
		t.Errorf("groups = %s, want %s", got, want)
	}
	for _, inc := range incs {
		if len(inc.Observations) > 1 && inc.Status != incident.Verified {
			t.Errorf("merged incident lost its status: %s", inc.Status)
		}
	}

	// Replaying the same records and decisions in the same order gives
	// byte-identical incidents.
	g := fuse(t, early, nil)
	for _, d := range ds {
		if err := g.Apply(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range late {
		if err := g.Add(x.record()); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := json.Marshal(incs)
	b, _ := json.Marshal(g.Incidents())
	if string(a) != string(b) {
		t.Errorf("replay differs:\n%s\n%s", a, b)
	}
}
