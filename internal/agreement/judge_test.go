package agreement

import (
	"testing"
	"time"

	"truce/internal/incident"
	"truce/internal/observation"
)

func day(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }

func pt(v float64) *float64 { return &v }

// square returns a closed ring around (lon, lat) with half-side r degrees.
func square(lon, lat, r float64) [][2]float64 {
	return [][2]float64{{lon - r, lat - r}, {lon + r, lat - r}, {lon + r, lat + r}, {lon - r, lat + r}, {lon - r, lat - r}}
}

func TestJudge(t *testing.T) {
	all := []observation.Domain{observation.Land, observation.Sea, observation.Air}
	sea := Agreement{ID: "sea", Version: 1, Parties: []string{"UA", "RU"}, Adopted: day(1), Terms: []Term{
		{ID: "black-sea", Domains: []observation.Domain{observation.Sea}, From: day(10), To: day(20)},
	}}
	energy := Agreement{ID: "energy", Version: 1, Parties: []string{"UA", "RU"}, Adopted: day(2), Terms: []Term{
		{ID: "strikes", Domains: []observation.Domain{observation.Air, observation.Land}, From: day(10), To: day(20),
			Kinds: []observation.Kind{"drone", "missile", "artillery"}, Targets: []string{"energy_infrastructure"}},
	}}
	// Kyiv: a square around the city with a hole (a military airfield
	// the parties left out of the zone).
	city := Agreement{ID: "kyiv", Version: 1, Parties: []string{"UA", "RU"}, Adopted: day(3), Terms: []Term{
		{ID: "city", Domains: all, From: day(10), To: day(20), Zone: &Zone{Type: "Polygon", Polygons: [][][][2]float64{
			{square(30.5, 50.45, 0.3), square(30.3, 50.6, 0.05)},
		}}},
	}}
	full := Agreement{ID: "full", Version: 1, Parties: []string{"UA", "RU"}, Adopted: day(4), Terms: []Term{
		{ID: "b", Domains: all, From: day(15), To: day(25)},
		{ID: "a", Domains: all, From: day(15), To: day(25)},
	}}
	type inc = incident.Incident
	tests := []struct {
		name    string
		inc     inc
		targets []string
		ags     []Agreement
		want    *incident.Violation
	}{
		{"only the sea: naval strike", inc{Domain: "sea", Kind: "naval_strike", Start: day(12)}, nil, []Agreement{sea}, &incident.Violation{Agreement: "sea", Term: "black-sea"}},
		{"only the sea: artillery on land", inc{Domain: "land", Kind: "artillery", Start: day(12)}, nil, []Agreement{sea}, nil},
		{"window: at from", inc{Domain: "sea", Kind: "naval_drone", Start: day(10)}, nil, []Agreement{sea}, &incident.Violation{Agreement: "sea", Term: "black-sea"}},
		{"window: just before from", inc{Domain: "sea", Kind: "naval_drone", Start: day(10).Add(-time.Nanosecond)}, nil, []Agreement{sea}, nil},
		{"window: just before to", inc{Domain: "sea", Kind: "naval_drone", Start: day(20).Add(-time.Nanosecond)}, nil, []Agreement{sea}, &incident.Violation{Agreement: "sea", Term: "black-sea"}},
		{"window: at to", inc{Domain: "sea", Kind: "naval_drone", Start: day(20)}, nil, []Agreement{sea}, nil},
		{"window: start decides, not end", inc{Domain: "sea", Kind: "naval_drone", Start: day(9), End: day(11)}, nil, []Agreement{sea}, nil},
		{"energy: drone on energy", inc{Domain: "air", Kind: "drone", Start: day(12)}, []string{"energy_infrastructure"}, []Agreement{energy}, &incident.Violation{Agreement: "energy", Term: "strikes"}},
		{"energy: drone without target", inc{Domain: "air", Kind: "drone", Start: day(12)}, nil, []Agreement{energy}, nil},
		{"energy: drone on another target", inc{Domain: "air", Kind: "drone", Start: day(12)}, []string{"residential"}, []Agreement{energy}, nil},
		{"energy: guided bomb not prohibited", inc{Domain: "air", Kind: "guided_bomb", Start: day(12)}, []string{"energy_infrastructure"}, []Agreement{energy}, nil},
		{"energy: artillery on land", inc{Domain: "land", Kind: "artillery", Start: day(12)}, []string{"residential", "energy_infrastructure"}, []Agreement{energy}, &incident.Violation{Agreement: "energy", Term: "strikes"}},
		{"city: inside", inc{Domain: "air", Kind: "drone", Start: day(12), Lat: pt(50.45), Lon: pt(30.5)}, nil, []Agreement{city}, &incident.Violation{Agreement: "kyiv", Term: "city"}},
		{"city: outside", inc{Domain: "air", Kind: "drone", Start: day(12), Lat: pt(49.8), Lon: pt(30.5)}, nil, []Agreement{city}, nil},
		{"city: in the hole", inc{Domain: "land", Kind: "artillery", Start: day(12), Lat: pt(50.6), Lon: pt(30.3)}, nil, []Agreement{city}, nil},
		{"city: next to the hole", inc{Domain: "land", Kind: "artillery", Start: day(12), Lat: pt(50.6), Lon: pt(30.36)}, nil, []Agreement{city}, &incident.Violation{Agreement: "kyiv", Term: "city"}},
		{"city: region only", inc{Domain: "air", Kind: "drone", Start: day(12), Region: "UA-30"}, nil, []Agreement{city}, nil},
		{"full: any kind", inc{Domain: "land", Kind: "small_arms", Start: day(16)}, nil, []Agreement{full}, &incident.Violation{Agreement: "full", Term: "a"}},
		{"full: refuted", inc{Domain: "land", Kind: "small_arms", Start: day(16), Status: incident.Refuted}, nil, []Agreement{full}, nil},
		{"full: attributed to a third party", inc{Domain: "land", Kind: "small_arms", Start: day(16), AttributedTo: "BY"}, nil, []Agreement{full}, nil},
		{"full: attributed to a party", inc{Domain: "land", Kind: "small_arms", Start: day(16), AttributedTo: "RU"}, nil, []Agreement{full}, &incident.Violation{Agreement: "full", Term: "a"}},
		{"several: latest adopted wins", inc{Domain: "sea", Kind: "naval_strike", Start: day(16)}, nil, []Agreement{sea, full}, &incident.Violation{Agreement: "full", Term: "a"}},
		{"several: order of input irrelevant", inc{Domain: "sea", Kind: "naval_strike", Start: day(16)}, nil, []Agreement{full, sea}, &incident.Violation{Agreement: "full", Term: "a"}},
		{"no agreements", inc{Domain: "sea", Kind: "naval_strike", Start: day(16)}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JudgeWith(tt.inc, tt.targets, tt.ags)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJudgeUsesLatestVersion(t *testing.T) {
	v1 := Agreement{ID: "sea", Version: 1, Parties: []string{"UA", "RU"}, Adopted: day(1), Terms: []Term{
		{ID: "black-sea", Domains: []observation.Domain{observation.Sea}, From: day(10), To: day(20)},
	}}
	v2 := v1
	v2.Version, v2.Adopted = 2, day(15)
	v2.Terms = []Term{{ID: "black-sea", Domains: []observation.Domain{observation.Sea}, From: day(10), To: day(15)}}
	before := incident.Incident{Domain: "sea", Kind: "ship_movement", Start: day(14)}
	after := incident.Incident{Domain: "sea", Kind: "ship_movement", Start: day(16)}
	for _, ags := range [][]Agreement{{v1, v2}, {v2, v1}} {
		if got := Judge(before, ags); got == nil {
			t.Errorf("before the amendment: got nil, want a violation of black-sea")
		}
		if got := Judge(after, ags); got != nil {
			t.Errorf("after the term was ended: got %v, want nil", got)
		}
	}
	if got := Judge(after, []Agreement{v1}); got == nil {
		t.Errorf("version 1 alone: got nil, want a violation")
	}
}

func TestMatchesAll(t *testing.T) {
	full := Agreement{ID: "full", Version: 1, Parties: []string{"UA", "RU"}, Terms: []Term{
		{ID: "z", Domains: []observation.Domain{observation.Air}, From: day(1), To: day(30)},
		{ID: "m", Domains: []observation.Domain{observation.Air}, From: day(1), To: day(30), Kinds: []observation.Kind{"missile"}},
	}}
	got := Matches(incident.Incident{Domain: "air", Kind: "missile", Start: day(5)}, nil, []Agreement{full})
	if len(got) != 2 || got[0].Term != "m" || got[1].Term != "z" {
		t.Errorf("got %v, want terms m then z", got)
	}
}

func TestZoneMultiPolygon(t *testing.T) {
	z := &Zone{Type: "MultiPolygon", Polygons: [][][][2]float64{{square(30, 50, 1)}, {square(35, 47, 1), square(35, 47, 0.5)}}}
	tests := []struct {
		lat, lon float64
		want     bool
	}{
		{50, 30, true}, {47, 35, false}, {47, 35.7, true}, {48.5, 32.5, false}, {51.01, 30, false},
	}
	for _, tt := range tests {
		if got := z.Contains(tt.lat, tt.lon); got != tt.want {
			t.Errorf("Contains(%v, %v): got %v, want %v", tt.lat, tt.lon, got, tt.want)
		}
	}
}
