package export

import (
	"testing"
	"time"

	"truce/internal/incident"
	"truce/internal/observation"
)

func TestACLEDEventOf(t *testing.T) {
	for _, tt := range []struct {
		kind observation.Kind
		want ACLEDEvent
	}{
		{"drone", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Air/drone strike"}},
		{"missile", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Air/drone strike"}},
		{"air_strike", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Air/drone strike"}},
		{"guided_bomb", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Air/drone strike"}},
		{"artillery", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"}},
		{"mortar", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"}},
		{"mlrs", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"}},
		{"tank_fire", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"}},
		{"explosion", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"}},
		{"ground_assault", ACLEDEvent{"Political violence", "Battles", "Armed clash"}},
		{"small_arms", ACLEDEvent{"Political violence", "Battles", "Armed clash"}},
		{"mine", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"}},
		{"naval_strike", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"}},
		{"naval_drone", ACLEDEvent{"Political violence", "Explosions/Remote violence", "Air/drone strike"}},
		{"heavy_weapons_movement", ACLEDEvent{"Strategic developments", "Strategic developments", "Change to group/activity"}},
		{"ship_movement", ACLEDEvent{"Strategic developments", "Strategic developments", "Change to group/activity"}},
		{"mine_laying", ACLEDEvent{"Strategic developments", "Strategic developments", "Change to group/activity"}},
		{"airspace_violation", ACLEDEvent{"Strategic developments", "Strategic developments", "Other"}},
		{"not_a_kind", ACLEDEvent{"Strategic developments", "Strategic developments", "Other"}},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			if got := ACLEDEventOf(tt.kind); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestACLEDEveryKind checks that every kind of the vocabulary has its own
// mapping, so a kind added later cannot fall through to "Other" unnoticed.
func TestACLEDEveryKind(t *testing.T) {
	n := 0
	for _, d := range observation.Domains() {
		for _, k := range observation.Kinds(d) {
			n++
			if _, ok := acledEvents[k]; !ok {
				t.Errorf("kind %s has no ACLED mapping", k)
			}
		}
	}
	if n != len(acledEvents) {
		t.Errorf("%d kinds, %d mappings", n, len(acledEvents))
	}
}

func TestACLEDActors(t *testing.T) {
	for _, tt := range []struct {
		party       string
		name        string
		inter       int
		interaction int // alone
	}{
		{"RU", "Military Forces of Russia (2000-)", 8, 80},
		{"UA", "Military Forces of Ukraine (2019-)", 1, 10},
		{"", "Unidentified Armed Group (Ukraine)", 3, 30},
		{"BY", "Unidentified Armed Group (Ukraine)", 3, 30},
	} {
		name, inter := ACLEDActor(tt.party)
		if name != tt.name || inter != tt.inter {
			t.Errorf("ACLEDActor(%q) = %q, %d; want %q, %d", tt.party, name, inter, tt.name, tt.inter)
		}
		if got := ACLEDInteraction(inter, 0); got != tt.interaction {
			t.Errorf("interaction of %q alone = %d, want %d", tt.party, got, tt.interaction)
		}
	}
	if got := ACLEDInteraction(8, 1); got != 18 {
		t.Errorf("interaction RU/UA = %d, want 18", got)
	}
	if got := ACLEDInteraction(1, 8); got != 18 {
		t.Errorf("interaction UA/RU = %d, want 18", got)
	}
}

func ptr(x float64) *float64 { return &x }

func TestPrecision(t *testing.T) {
	day := time.Date(2025, 6, 1, 1, 0, 0, 0, time.UTC) // 04:00 in Kyiv
	for _, tt := range []struct {
		name             string
		lat, lon         *float64
		radius           float64
		region           string
		domain           observation.Domain
		start, end       time.Time
		acledGeo, where  int
		acledTime, dprec int
	}{
		{"exact point, one hour", ptr(50.45), ptr(30.52), 800, "UA-32", "air", day, day.Add(time.Hour), 1, 1, 1, 1},
		{"2 km is exact", ptr(50.45), ptr(30.52), 2000, "UA-32", "air", day, day, 1, 1, 1, 1},
		{"near a place", ptr(50.45), ptr(30.52), 12000, "UA-32", "land", day, day, 2, 2, 1, 1},
		{"wide, in a region", ptr(50.45), ptr(30.52), 40000, "UA-32", "land", day, day, 3, 4, 1, 1},
		{"wide, at sea", ptr(44.5), ptr(31.0), 40000, "", "sea", day, day, 3, 7, 1, 1},
		{"wide, no region, on land", ptr(52.0), ptr(36.0), 40000, "", "land", day, day, 3, 6, 1, 1},
		{"region only", nil, nil, 0, "UA-14", "land", day, day, 3, 4, 1, 1},
		{"neither", nil, nil, 0, "", "air", day, day, 3, 6, 1, 1},
		// 20:30 UTC on 1 June is 23:30 in Kyiv; 21:30 UTC is 00:30 on 2 June.
		{"crosses midnight in Kyiv", ptr(50.45), ptr(30.52), 500, "UA-32", "air",
			time.Date(2025, 6, 1, 20, 30, 0, 0, time.UTC), time.Date(2025, 6, 1, 21, 30, 0, 0, time.UTC), 1, 1, 2, 2},
		{"six days", ptr(50.45), ptr(30.52), 500, "UA-32", "air", day, day.Add(5 * 24 * time.Hour), 1, 1, 2, 2},
		{"a week", ptr(50.45), ptr(30.52), 500, "UA-32", "air", day, day.Add(6 * 24 * time.Hour), 1, 1, 2, 3},
		{"eight days", ptr(50.45), ptr(30.52), 500, "UA-32", "air", day, day.Add(7 * 24 * time.Hour), 1, 1, 3, 4},
		{"a month", ptr(50.45), ptr(30.52), 500, "UA-32", "air", day, day.Add(29 * 24 * time.Hour), 1, 1, 3, 4},
		{"longer", ptr(50.45), ptr(30.52), 500, "UA-32", "air", day, day.Add(40 * 24 * time.Hour), 1, 1, 3, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inc := &incident.Incident{Lat: tt.lat, Lon: tt.lon, RadiusM: tt.radius, Region: tt.region, Domain: tt.domain, Start: tt.start, End: tt.end}
			if got := ACLEDGeoPrecision(inc); got != tt.acledGeo {
				t.Errorf("geo_precision: got %d, want %d", got, tt.acledGeo)
			}
			if got := UCDPWherePrec(inc); got != tt.where {
				t.Errorf("where_prec: got %d, want %d", got, tt.where)
			}
			if got := ACLEDTimePrecision(inc); got != tt.acledTime {
				t.Errorf("time_precision: got %d, want %d", got, tt.acledTime)
			}
			if got := UCDPDatePrec(inc); got != tt.dprec {
				t.Errorf("date_prec: got %d, want %d", got, tt.dprec)
			}
		})
	}
}

func TestPRIOGrid(t *testing.T) {
	for _, tt := range []struct {
		lat, lon float64
		want     int
	}{
		{-89.9, -179.9, 1},
		{-89.9, 179.9, 720},
		{89.9, 179.9, 259200},
		{50.45, 30.52, 280*720 + 422}, // Kyiv
		{90, 180, 259200},             // the edges stay in the grid
	} {
		if got := PRIOGrid(tt.lat, tt.lon); got != tt.want {
			t.Errorf("PRIOGrid(%v, %v) = %d, want %d", tt.lat, tt.lon, got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("xlsx"); err == nil {
		t.Error("ParseFormat(xlsx): no error")
	}
}
