package incident_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/observation"
)

var t0 = time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)

// r describes a test observation compactly.
type r struct {
	n       int     // id suffix
	sec     float64 // seconds after t0
	tu      float64 // time uncertainty, s
	lat     float64 // 0 with region: region only
	lon     float64
	lu      float64 // location uncertainty, m
	region  string
	kind    observation.Kind
	source  observation.Source
	org     string
	sub     int64
	count   int
	by      string
	isParty bool
}

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func (x r) record() observation.Record {
	d, _ := observation.DomainOf(x.kind)
	o := observation.Observation{
		ID: id(x.n), ObservedAt: t0.Add(time.Duration(x.sec * float64(time.Second))),
		TimeUncertaintyS: x.tu, LocationUncertaintyM: x.lu, Region: x.region,
		Domain: d, Kind: x.kind, Count: max(x.count, 1), Source: x.source, AttributedTo: x.by,
	}
	if x.lat != 0 {
		lat, lon := x.lat, x.lon
		o.Lat, o.Lon = &lat, &lon
	}
	rec := observation.Record{Observation: o, Organization: x.org, SubmitterID: x.sub}
	if x.isParty {
		rec.Party = x.org
	}
	return rec
}

// Points around Orikhiv; 0.009° of latitude is about 1 km.
const lat0, lon0 = 47.57, 35.78

func acoustic(n int, sec, dlatKm, dlonKm float64, org string, sub int64) r {
	return r{n: n, sec: sec, tu: 8, lat: lat0 + dlatKm*0.009, lon: lon0 + dlonKm*0.0133, lu: 1000,
		kind: "explosion", source: observation.Acoustic, org: org, sub: sub}
}

func fuse(t *testing.T, rs []r, locate func(lat, lon float64) (string, bool)) *incident.Fuser {
	t.Helper()
	f := incident.New(incident.Config{Locate: locate})
	for _, x := range rs {
		if err := f.Add(x.record()); err != nil {
			t.Fatalf("Add(%d): %v", x.n, err)
		}
	}
	return f
}

// groups renders a partition as "1,2|3" (observation numbers, sorted).
func groups(incs []incident.Incident) string {
	var gs []string
	for _, inc := range incs {
		var ns []string
		for _, o := range inc.Observations {
			n := strings.TrimLeft(o[24:], "0")
			if n == "" {
				n = "0"
			}
			ns = append(ns, n)
		}
		gs = append(gs, strings.Join(ns, ","))
	}
	slices.Sort(gs)
	return strings.Join(gs, "|")
}

func oneRegion(lat, lon float64) (string, bool) { return "UA-23", true }

func TestFuseSmall(t *testing.T) {
	tests := []struct {
		name string
		obs  []r
		want string
	}{
		{"lone report", []r{acoustic(1, 0, 0, 0, "a", 1)}, "1"},
		{"one event, two sensors", []r{acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 5, 1, 0.5, "a", 2)}, "1,2"},
		{"far apart in space", []r{acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 0, 20, 0, "a", 2)}, "1|2"},
		{"far apart in time", []r{acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 300, 0, 0, "a", 2)}, "1|2"},
		{"incompatible kinds", []r{
			{n: 1, tu: 5, lat: lat0, lon: lon0, lu: 200, kind: "artillery", source: "camera", org: "m", sub: 1},
			{n: 2, tu: 5, lat: lat0, lon: lon0, lu: 200, kind: "drone", source: "camera", org: "m", sub: 2},
		}, "1|2"},
		{"missile seen by radar, explosion heard on land", []r{
			{n: 1, tu: 10, lat: lat0, lon: lon0, lu: 2000, kind: "missile", source: "radar", org: "b", sub: 1},
			acoustic(2, 4, 0.5, 0.5, "a", 1),
		}, "1,2"},
		{"patrol hours later joins the crater's incident", []r{
			acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 3, 0.3, 0, "a", 2),
			{n: 3, sec: 3 * 3600, tu: 4 * 3600, lat: lat0 + 0.001, lon: lon0, lu: 100, kind: "artillery", source: "patrol", org: "m", sub: 7},
		}, "1,2,3"},
		{"region-only allegation within the window", []r{
			acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 3, 0.3, 0, "a", 2),
			{n: 3, sec: 1800, tu: 3600, region: "UA-23", kind: "artillery", source: "party", org: "UA", sub: 9, isParty: true},
		}, "1,2,3"},
		{"region-only allegation outside the window", []r{
			acoustic(1, 0, 0, 0, "a", 1),
			{n: 3, sec: 3 * 3600, tu: 7200, region: "UA-23", kind: "artillery", source: "party", org: "UA", sub: 9, isParty: true},
		}, "1|3"},
		{"ambiguous allegation stands alone", []r{
			acoustic(1, 0, 0, -4, "a", 1), acoustic(2, 0, 0, 4, "a", 2),
			{n: 3, tu: 1800, lat: lat0, lon: lon0, lu: 10000, kind: "artillery", source: "party", org: "UA", sub: 9, isParty: true},
		}, "1|2|3"},
		{"allegations never group with each other", []r{
			{n: 1, tu: 1800, lat: lat0, lon: lon0, lu: 10000, kind: "artillery", source: "party", org: "UA", sub: 9, isParty: true},
			{n: 2, sec: 60, tu: 1800, lat: lat0, lon: lon0, lu: 10000, kind: "artillery", source: "party", org: "UA", sub: 9, isParty: true},
		}, "1|2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fuse(t, tt.obs, oneRegion)
			if got := groups(f.Incidents()); got != tt.want {
				t.Errorf("groups = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestChaining: a line of reports 1.5 km apart, each compatible with its
// neighbours, must not become one incident 15 km long.
func TestChaining(t *testing.T) {
	var rs []r
	for i := range 11 {
		rs = append(rs, acoustic(i+1, float64(i), 0, 1.5*float64(i), "a", int64(i)))
	}
	f := fuse(t, rs, nil)
	incs := f.Incidents()
	if len(incs) < 3 {
		t.Fatalf("%d incidents (%s), want the chain cut into at least 3", len(incs), groups(incs))
	}
	for _, inc := range incs {
		if inc.RadiusM > 6000 {
			t.Errorf("incident %s has radius %v m", groups([]incident.Incident{inc}), inc.RadiusM)
		}
	}
}

func TestFigures(t *testing.T) {
	rs := []r{
		{n: 1, sec: 0, tu: 8, lat: lat0, lon: lon0, lu: 1000, kind: "explosion", source: "acoustic", org: "partner-a", sub: 1, count: 3},
		{n: 2, sec: 2, tu: 8, lat: lat0 + 0.005, lon: lon0, lu: 1500, kind: "explosion", source: "acoustic", org: "partner-a", sub: 2, count: 5},
		{n: 3, sec: 20, tu: 60, lat: lat0, lon: lon0 + 0.002, lu: 300, kind: "artillery", source: "patrol", org: "mission", sub: 10, count: 4, by: "RU"},
		{n: 4, sec: 40, tu: 60, lat: lat0, lon: lon0 + 0.002, lu: 300, kind: "mlrs", source: "patrol", org: "mission", sub: 10, count: 6, by: "RU"},
		{n: 5, sec: 600, tu: 1800, lat: lat0, lon: lon0, lu: 5000, kind: "mlrs", source: "party", org: "UA", sub: 20, count: 20, by: "RU", isParty: true},
	}
	f := fuse(t, rs, oneRegion)
	incs := f.Incidents()
	if len(incs) != 1 {
		t.Fatalf("%d incidents (%s), want 1", len(incs), groups(incs))
	}
	inc := incs[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", inc.ID, incident.IncidentID(id(1))},
		{"kind", inc.Kind, observation.Kind("mlrs")},
		{"domain", inc.Domain, observation.Land},
		{"sources", inc.Sources, 4},
		{"organizations", inc.Organizations, 3},
		{"count", inc.Count, incident.Count{Low: 3, Best: 5, High: 20}},
		{"status", inc.Status, incident.Corroborated},
		{"attributed_to", inc.AttributedTo, "RU"},
		{"confidence", inc.AttributionConfidence, incident.Medium},
		{"region", inc.Region, "UA-23"},
		{"start", inc.Start, t0},
		{"end", inc.End, t0.Add(40 * time.Second)},
		{"violation", inc.Violation == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if inc.Lat == nil || *inc.Lat < lat0 || *inc.Lat > lat0+0.005 {
		t.Errorf("lat = %v, want between the reports", inc.Lat)
	}
}

func TestStatusReportedWithOneOrganisation(t *testing.T) {
	f := fuse(t, []r{acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 1, 0.2, 0, "a", 2),
		{n: 3, sec: 60, tu: 600, lat: lat0, lon: lon0, lu: 3000, kind: "artillery", source: "party", org: "UA", sub: 9, isParty: true}}, nil)
	incs := f.Incidents()
	if len(incs) != 1 || incs[0].Status != incident.Reported {
		t.Fatalf("got %s with status %v, want one reported incident: a party never corroborates", groups(incs), incs[0].Status)
	}
}

func TestAddErrors(t *testing.T) {
	f := incident.New(incident.Config{})
	good := acoustic(1, 0, 0, 0, "a", 1).record()
	if err := f.Add(good); err != nil {
		t.Fatal(err)
	}
	if err := f.Add(good); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("Add twice: %v, want ErrConflict", err)
	}
	bad := []struct {
		name string
		edit func(*observation.Record)
	}{
		{"id", func(r *observation.Record) { r.ID = "x" }},
		{"kind", func(r *observation.Record) { r.Kind = "drone" }},
		{"source", func(r *observation.Record) { r.Source = "rumour" }},
		{"no place", func(r *observation.Record) { r.Lat, r.Lon, r.Region = nil, nil, "" }},
		{"time", func(r *observation.Record) { r.ObservedAt = time.Time{} }},
	}
	for i, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			rec := acoustic(100+i, 0, 0, 0, "a", 1).record()
			b.edit(&rec)
			if err := f.Add(rec); !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("Add: %v, want ErrInvalid", err)
			}
		})
	}
	if f.Len() != 1 {
		t.Errorf("Len = %d after rejected adds, want 1", f.Len())
	}
}

func TestGet(t *testing.T) {
	f := fuse(t, []r{acoustic(1, 0, 0, 0, "a", 1), acoustic(2, 1, 0.2, 0, "a", 2), acoustic(3, 0, 30, 0, "a", 3)}, nil)
	inc, err := f.Get(id(2))
	if err != nil {
		t.Fatal(err)
	}
	if got := groups([]incident.Incident{inc}); got != "1,2" {
		t.Errorf("Get(2) = %s, want 1,2", got)
	}
	if _, err := f.Get(id(99)); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
	}
}
