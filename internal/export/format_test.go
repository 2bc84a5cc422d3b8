package export_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"truce/internal/export"
	"truce/internal/incident"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr(x float64) *float64 { return &x }

// samples are incidents that exercise every branch of the mappings: a
// point and a region-only incident, each party and none, a clash, a
// violation, an analyst's reason with a comma, quotes and a newline, and a
// span over several days.
func samples() []incident.Incident {
	t0 := time.Date(2025, 6, 1, 1, 23, 45, 0, time.UTC)
	return []incident.Incident{
		{ID: "0a6e5d3c-1f2b-8c4d-9e5f-6a7b8c9d0e1f", Domain: "air", Kind: "drone", Start: t0, End: t0.Add(4 * time.Minute),
			Lat: ptr(50.45012), Lon: ptr(30.5234), RadiusM: 1800, Region: "UA-32",
			Observations: []string{"6f1c7a2e-0d0b-4a6e-9d1f-000000000001", "6f1c7a2e-0d0b-4a6e-9d1f-000000000002"},
			Sources:      3, Organizations: 2, Count: incident.Count{Low: 10, Best: 12, High: 15}, Status: incident.Corroborated,
			AttributedTo: "RU", AttributionConfidence: incident.Medium,
			Violation: &incident.Violation{Agreement: "a-1", Term: "t-air"}},
		{ID: "1b6e5d3c-1f2b-8c4d-9e5f-6a7b8c9d0e1f", Domain: "land", Kind: "ground_assault", Start: t0.Add(time.Hour), End: t0.Add(3 * time.Hour),
			Lat: ptr(48.0159), Lon: ptr(37.8028), RadiusM: 9000, Region: "UA-14",
			Observations: []string{"6f1c7a2e-0d0b-4a6e-9d1f-000000000003"},
			Sources:      1, Organizations: 1, Count: incident.Count{Low: 1, Best: 1, High: 1}, Status: incident.Verified,
			StatusReason: "patrol report, \"confirmed\" by UAV footage,\nsecond look", AttributedTo: "UA", AttributionConfidence: incident.High},
		{ID: "2c6e5d3c-1f2b-8c4d-9e5f-6a7b8c9d0e1f", Domain: "land", Kind: "artillery", Start: t0.Add(2 * time.Hour), End: t0.Add(2 * time.Hour),
			Region:       "UA-65",
			Observations: []string{"6f1c7a2e-0d0b-4a6e-9d1f-000000000004"},
			Sources:      1, Organizations: 1, Count: incident.Count{Low: 0, Best: 0, High: 30}, Status: incident.Reported},
		{ID: "3d6e5d3c-1f2b-8c4d-9e5f-6a7b8c9d0e1f", Domain: "sea", Kind: "ship_movement", Start: t0.Add(20 * time.Hour), End: t0.Add(4 * 24 * time.Hour),
			Lat: ptr(44.6), Lon: ptr(31.2), RadiusM: 30000,
			Observations: []string{"6f1c7a2e-0d0b-4a6e-9d1f-000000000005", "6f1c7a2e-0d0b-4a6e-9d1f-000000000006"},
			Sources:      2, Organizations: 1, Count: incident.Count{Low: 2, Best: 2, High: 3}, Status: incident.Refuted, StatusReason: "misidentified"},
	}
}

// write exports the samples in f.
func write(t *testing.T, f export.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.NewWriter(&buf, f, export.Options{Generated: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	incs := samples()
	for i := range incs {
		if err := w.Write(&incs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/export -update rewrites it):\n%s", name, got)
	}
}

// readCSV parses an export back, checks its header and returns its rows
// as maps from column to value.
func readCSV(t *testing.T, b []byte, columns []string) []map[string]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	recs, err := r.ReadAll() // also checks every row has the header's width
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if !slices.Equal(recs[0], columns) {
		t.Fatalf("header %v, want %v", recs[0], columns)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, c := range columns {
			m[c] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func check(t *testing.T, row int, m map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if m[k] != v {
			t.Errorf("row %d %s: got %q, want %q", row, k, m[k], v)
		}
	}
}

func TestACLEDReadBack(t *testing.T) {
	b := write(t, export.ACLED)
	golden(t, "samples.acled.csv", b)
	rows := readCSV(t, b, export.ACLEDColumns)
	if len(export.ACLEDColumns) != 31 {
		t.Errorf("%d ACLED columns, want 31", len(export.ACLEDColumns))
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	check(t, 0, rows[0], map[string]string{
		"event_id_cnty": "UKR-0a6e5d3c-1f2b-8c4d-9e5f-6a7b8c9d0e1f", "event_date": "2025-06-01", "year": "2025", "time_precision": "1",
		"disorder_type": "Political violence", "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
		"actor1": "Military Forces of Russia (2000-)", "inter1": "8", "actor2": "", "inter2": "", "interaction": "80",
		"iso": "804", "region": "Europe", "country": "Ukraine", "admin1": "Kyiv Oblast", "admin2": "", "location": "",
		"latitude": "50.45012", "longitude": "30.5234", "geo_precision": "1", "fatalities": "0",
		"tags": "status=corroborated; attribution confidence=medium", "timestamp": "1748822400",
	})
	if n := rows[0]["notes"]; !strings.Contains(n, "Count low/best/high 10/12/15") || !strings.Contains(n, "Status corroborated") ||
		!strings.Contains(n, "violates agreement a-1 term t-air") {
		t.Errorf("row 0 notes: %q", n)
	}
	check(t, 1, rows[1], map[string]string{
		"event_type": "Battles", "sub_event_type": "Armed clash",
		"actor1": "Military Forces of Ukraine (2019-)", "inter1": "1", "actor2": "Military Forces of Russia (2000-)", "inter2": "8",
		"interaction": "18", "admin1": "Donetsk Oblast", "geo_precision": "2",
	})
	if n := rows[1]["notes"]; !strings.Contains(n, "patrol report, \"confirmed\" by UAV footage,\nsecond look") {
		t.Errorf("row 1 notes lost the reason's quotes, comma or newline: %q", n)
	}
	check(t, 2, rows[2], map[string]string{
		"sub_event_type": "Shelling/artillery/missile attack", "actor1": "Unidentified Armed Group (Ukraine)", "inter1": "3",
		"interaction": "30", "admin1": "Kherson Oblast", "latitude": "", "longitude": "", "geo_precision": "3", "tags": "status=reported",
	})
	check(t, 3, rows[3], map[string]string{
		"disorder_type": "Strategic developments", "event_type": "Strategic developments", "sub_event_type": "Change to group/activity",
		"admin1": "", "time_precision": "2", "geo_precision": "3", "tags": "status=refuted",
	})
}

func TestUCDPReadBack(t *testing.T) {
	b := write(t, export.UCDP)
	golden(t, "samples.ucdp.csv", b)
	rows := readCSV(t, b, export.UCDPColumns)
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	check(t, 0, rows[0], map[string]string{
		"id": "0a6e5d3c-1f2b-8c4d-9e5f-6a7b8c9d0e1f", "year": "2025", "type_of_violence": "1",
		"conflict_name": "Russia - Ukraine", "side_a": "Government of Russia (Soviet Union)", "side_b": "Government of Ukraine",
		"gwnoa": "365", "gwnob": "369", "number_of_sources": "3",
		"where_prec": "1", "adm_1": "Kyiv Oblast", "latitude": "50.45012", "longitude": "30.5234", "geom_wkt": "POINT (30.5234 50.45012)",
		"priogrid_gid": strconv.Itoa(export.PRIOGrid(50.45012, 30.5234)), "country": "Ukraine", "country_id": "369", "region": "Europe",
		"event_clarity": "1", "date_prec": "1", "date_start": "2025-06-01", "date_end": "2025-06-01",
		"best": "0", "low": "0", "high": "0", "deaths_a": "0", "deaths_civilians": "0",
	})
	if a := rows[0]["source_article"]; !strings.Contains(a, "count low/best/high 10/12/15") {
		t.Errorf("row 0 source_article: %q", a)
	}
	check(t, 1, rows[1], map[string]string{"side_a": "Government of Russia (Soviet Union)", "where_prec": "2", "adm_1": "Donetsk Oblast"})
	check(t, 2, rows[2], map[string]string{"side_a": "", "side_b": "", "gwnoa": "", "where_prec": "4", "latitude": "", "geom_wkt": "", "priogrid_gid": ""})
	check(t, 3, rows[3], map[string]string{"where_prec": "7", "date_prec": "2", "date_start": "2025-06-02", "date_end": "2025-06-05"})
}

// TestGeoJSONReadBack parses the GeoJSON back and checks it against RFC
// 7946: a FeatureCollection of Features, each with a Point geometry in
// longitude, latitude order or a null geometry, and the incident as its
// properties.
func TestGeoJSONReadBack(t *testing.T) {
	b := write(t, export.GeoJSON)
	golden(t, "samples.geojson", b)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string           `json:"type"`
			ID       string           `json:"id"`
			Geometry *json.RawMessage `json:"geometry"`
			Props    json.RawMessage  `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	var raw map[string]json.RawMessage
	json.Unmarshal(b, &raw)
	for _, k := range []string{"type", "features"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("member %q missing", k)
		}
	}
	if fc.Type != "FeatureCollection" {
		t.Errorf("type %q, want FeatureCollection", fc.Type)
	}
	want := samples()
	if len(fc.Features) != len(want) {
		t.Fatalf("%d features, want %d", len(fc.Features), len(want))
	}
	for i, f := range fc.Features {
		if f.Type != "Feature" || f.ID != want[i].ID {
			t.Errorf("feature %d: type %q id %q", i, f.Type, f.ID)
		}
		if f.Geometry == nil || string(*f.Geometry) == "null" {
			// encoding/json leaves a null RawMessage pointer nil
			if want[i].Lat != nil {
				t.Errorf("feature %d: null geometry for an incident with a point", i)
			}
		} else {
			var g struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			}
			if err := json.Unmarshal(*f.Geometry, &g); err != nil {
				t.Fatalf("feature %d geometry: %v", i, err)
			}
			if g.Type != "Point" || len(g.Coordinates) != 2 || want[i].Lat == nil ||
				g.Coordinates[0] != *want[i].Lon || g.Coordinates[1] != *want[i].Lat {
				t.Errorf("feature %d geometry %+v, want Point [%v, %v]", i, g, want[i].Lon, want[i].Lat)
			}
			if g.Coordinates[0] < -180 || g.Coordinates[0] > 180 || g.Coordinates[1] < -90 || g.Coordinates[1] > 90 {
				t.Errorf("feature %d: coordinates out of range: %v", i, g.Coordinates)
			}
		}
		var got incident.Incident
		if err := json.Unmarshal(f.Props, &got); err != nil {
			t.Fatalf("feature %d properties: %v", i, err)
		}
		sameIncident(t, i, got, want[i])
	}
	// An empty export is still a valid, empty collection.
	var buf bytes.Buffer
	w, _ := export.NewWriter(&buf, export.GeoJSON, export.Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 0 {
		t.Errorf("empty export %q: %v", buf.String(), err)
	}
}

func TestJSONLReadBack(t *testing.T) {
	b := write(t, export.JSONL)
	golden(t, "samples.jsonl", b)
	want := samples()
	sc := bufio.NewScanner(bytes.NewReader(b))
	i := 0
	for ; sc.Scan(); i++ {
		var got incident.Incident
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if i < len(want) {
			sameIncident(t, i, got, want[i])
		}
	}
	if i != len(want) {
		t.Errorf("%d lines, want %d", i, len(want))
	}
}

func sameIncident(t *testing.T, i int, got, want incident.Incident) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("incident %d read back:\n got %s\nwant %s", i, g, w)
	}
}

// TestEmptyCSV checks that an export with no incidents still has its header.
func TestEmptyCSV(t *testing.T) {
	for _, tt := range []struct {
		f    export.Format
		cols []string
	}{{export.ACLED, export.ACLEDColumns}, {export.UCDP, export.UCDPColumns}} {
		var buf bytes.Buffer
		w, _ := export.NewWriter(&buf, tt.f, export.Options{})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if rows := readCSV(t, buf.Bytes(), tt.cols); len(rows) != 0 {
			t.Errorf("%s: %d rows", tt.f, len(rows))
		}
	}
}
