package auth_test

import (
	"testing"

	"truce/internal/auth"
)

func TestInAudience(t *testing.T) {
	analyst := &auth.User{Role: auth.Analyst, Org: "Mission"}
	ua := &auth.User{Role: auth.Party, Org: "UA"}
	ru := &auth.User{Role: auth.Party, Org: "RU"}
	observer := &auth.User{Role: auth.Observer, Org: "State"}
	staff := auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}}
	toUA := auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}, Parties: []string{"UA"}}
	tiers := auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator, auth.Party, auth.Observer}}
	public := auth.Audience{Public: true}
	tests := []struct {
		name string
		u    *auth.User
		a    auth.Audience
		want bool
	}{
		{"analyst, staff", analyst, staff, true},
		{"party, staff", ua, staff, false},
		{"public, staff", nil, staff, false},
		{"party concerned", ua, toUA, true},
		{"other party", ru, toUA, false},
		{"observer, to UA", observer, toUA, false},
		{"every party by role", ru, tiers, true},
		{"observer, tiers", observer, tiers, true},
		{"public, tiers", nil, tiers, false},
		{"public, public", nil, public, true},
		{"party, public", ru, public, true},
		{"party code without the party role", &auth.User{Role: auth.Monitor, Org: "UA"}, toUA, false},
	}
	for _, tt := range tests {
		if got := auth.InAudience(tt.u, tt.a); got != tt.want {
			t.Errorf("%s: InAudience = %v, want %v", tt.name, got, tt.want)
		}
	}
}
