package auth_test

import (
	"errors"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/finding"
)

func TestIncidentRelease(t *testing.T) {
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	// A finding about RU at each tier.
	draft := finding.Finding{Party: "RU", State: finding.Draft}
	sent := draft
	sent.State, sent.SentAt = finding.Sent, at
	observers := sent
	observers.State, observers.ObserversAt = finding.ReleasedObservers, at
	public := observers
	public.State, public.PublicAt = finding.ReleasedPublic, at

	users := []struct {
		name string
		u    *auth.User
	}{
		{"public", nil},
		{"analyst", &auth.User{Role: auth.Analyst}},
		{"mediator", &auth.User{Role: auth.Mediator}},
		{"party RU", &auth.User{Role: auth.Party, Org: "RU"}},
		{"party UA", &auth.User{Role: auth.Party, Org: "UA"}},
		{"observer", &auth.User{Role: auth.Observer}},
		{"monitor", &auth.User{Role: auth.Monitor, Org: "Mission"}},
		{"witness", &auth.User{Role: auth.Witness}},
		{"caseworker", &auth.User{Role: auth.Caseworker}},
		{"admin", &auth.User{Role: auth.Admin}},
	}
	const (
		N = auth.Unreleased
		P = auth.ReleasedPublic
		R = auth.ReleasedParties
		I = auth.Internal
	)
	tiers := []struct {
		name     string
		findings []finding.Finding
		want     []auth.Release // in users' order
	}{
		{"no finding", nil, []auth.Release{N, I, I, N, N, N, N, N, N, N}},
		{"draft", []finding.Finding{draft}, []auth.Release{N, I, I, N, N, N, N, N, N, N}},
		{"sent to RU", []finding.Finding{draft, sent}, []auth.Release{N, I, I, R, N, N, N, N, N, N}},
		{"released to observers", []finding.Finding{observers}, []auth.Release{N, I, I, R, R, R, N, N, N, N}},
		{"public", []finding.Finding{sent, public}, []auth.Release{P, I, I, R, R, R, P, P, P, P}},
	}
	for _, tt := range tiers {
		for i, u := range users {
			if got := auth.IncidentRelease(u.u, tt.findings); got != tt.want[i] {
				t.Errorf("%s, %s: got %s, want %s", tt.name, u.name, got, tt.want[i])
			}
		}
	}
}

func TestFindingPolicy(t *testing.T) {
	tests := []struct {
		name       string
		u          *auth.User
		write, act error
		all        bool
		party      string
		allegErr   error
		identities bool
	}{
		{"public", nil, derrors.ErrUnauthenticated, derrors.ErrUnauthenticated, false, "", derrors.ErrUnauthenticated, false},
		{"analyst", &auth.User{Role: auth.Analyst}, nil, nil, true, "", nil, true},
		{"mediator", &auth.User{Role: auth.Mediator}, nil, nil, true, "", nil, true},
		{"party", &auth.User{Role: auth.Party, Org: "UA"}, derrors.ErrForbidden, nil, false, "UA", nil, false},
		{"observer", &auth.User{Role: auth.Observer}, derrors.ErrForbidden, nil, false, "", derrors.ErrForbidden, false},
		{"monitor", &auth.User{Role: auth.Monitor}, derrors.ErrForbidden, nil, false, "", derrors.ErrForbidden, false},
	}
	for _, tt := range tests {
		if err := auth.WriteFindings(tt.u); !errors.Is(err, tt.write) {
			t.Errorf("%s writes findings: got %v, want %v", tt.name, err, tt.write)
		}
		if err := auth.ActOnFindings(tt.u); !errors.Is(err, tt.act) {
			t.Errorf("%s acts on findings: got %v, want %v", tt.name, err, tt.act)
		}
		all, party, err := auth.ReadAllegations(tt.u)
		if all != tt.all || party != tt.party || !errors.Is(err, tt.allegErr) {
			t.Errorf("%s reads allegations: got %v %q %v, want %v %q %v", tt.name, all, party, err, tt.all, tt.party, tt.allegErr)
		}
		if got := auth.SeesIdentities(tt.u); got != tt.identities {
			t.Errorf("%s sees identities: got %v", tt.name, got)
		}
	}
	if a := auth.FindingActor(&auth.User{ID: 12, Role: auth.Party, Org: "RU"}); a != (finding.Actor{Role: finding.Party, Party: "RU", ID: "12"}) {
		t.Errorf("party's actor: got %+v", a)
	}
	if a := auth.FindingActor(nil); a.Role != finding.Public {
		t.Errorf("public's actor: got %+v", a)
	}
}
