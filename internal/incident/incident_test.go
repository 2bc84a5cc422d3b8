package incident_test

import (
	"errors"
	"testing"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/observation"
)

func TestCompatibleKinds(t *testing.T) {
	tests := []struct {
		a, b observation.Kind
		want bool
	}{
		{"artillery", "artillery", true},
		{"missile", "explosion", true},
		{"explosion", "missile", true},
		{"drone", "explosion", true},
		{"guided_bomb", "air_strike", true},
		{"guided_bomb", "explosion", true},
		{"artillery", "explosion", true},
		{"artillery", "mlrs", true},
		{"naval_drone", "naval_strike", true},
		{"naval_strike", "explosion", true},
		{"ship_movement", "mine_laying", true},
		{"artillery", "drone", false},
		{"drone", "missile", false},
		{"mortar", "mlrs", false},
		{"heavy_weapons_movement", "explosion", false},
		{"airspace_violation", "drone", false},
		{"naval_drone", "explosion", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+"/"+string(tt.b), func(t *testing.T) {
			if got := incident.CompatibleKinds(tt.a, tt.b); got != tt.want {
				t.Errorf("CompatibleKinds(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := incident.CompatibleKinds(tt.b, tt.a); got != tt.want {
				t.Errorf("CompatibleKinds(%s, %s) = %v, want %v (not symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	tests := []struct {
		from, to incident.Status
		actor    incident.Actor
		ok       bool
	}{
		{incident.Reported, incident.Corroborated, incident.Fusion, true},
		{incident.Corroborated, incident.Reported, incident.Fusion, true},
		{incident.Reported, incident.Corroborated, incident.Analyst, false},
		{incident.Reported, incident.Verified, incident.Analyst, true},
		{incident.Corroborated, incident.Refuted, incident.Analyst, true},
		{incident.Corroborated, incident.Unverified, incident.Analyst, true},
		{incident.Verified, incident.Refuted, incident.Analyst, true},
		{incident.Refuted, incident.Verified, incident.Analyst, true},
		{incident.Verified, incident.Verified, incident.Analyst, false},
		{incident.Verified, incident.Reported, incident.Analyst, false},
		{incident.Verified, incident.Corroborated, incident.Fusion, false},
		{incident.Reported, incident.Verified, incident.Fusion, false},
		{incident.Reported, "bogus", incident.Analyst, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"->"+string(tt.to), func(t *testing.T) {
			err := incident.Transition(tt.from, tt.to, tt.actor)
			if (err == nil) != tt.ok {
				t.Fatalf("Transition(%s, %s, %d) = %v, want ok=%v", tt.from, tt.to, tt.actor, err, tt.ok)
			}
			if err != nil && !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestIncidentID(t *testing.T) {
	a := incident.IncidentID("00000000-0000-4000-8000-000000000001")
	b := incident.IncidentID("00000000-0000-4000-8000-000000000001")
	c := incident.IncidentID("00000000-0000-4000-8000-000000000002")
	if a != b || a == c {
		t.Errorf("IncidentID not a function of its input: %s %s %s", a, b, c)
	}
	if len(a) != 36 || a[14] != '8' {
		t.Errorf("IncidentID = %s, want a version-8 UUID", a)
	}
}
