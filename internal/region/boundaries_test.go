package region

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"truce/data"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func loadShipped(tb testing.TB) *Boundaries {
	tb.Helper()
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := LoadBoundaries(f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestLocate(t *testing.T) {
	b := loadShipped(t)
	tests := []struct {
		place    string
		lat, lon float64
		want     string // "" means not found
	}{
		{"Kyiv", 50.45, 30.52, "UA-30"},
		{"Lviv", 49.8397, 24.0297, "UA-46"},
		{"Odesa", 46.4825, 30.7233, "UA-51"},
		{"Kharkiv", 49.9935, 36.2304, "UA-63"},
		{"Simferopol", 44.9521, 34.1024, "UA-43"},
		{"Sevastopol", 44.6166, 33.5254, "UA-40"},
		{"Boryspil (Kyiv Oblast, east of the city)", 50.3527, 30.9550, "UA-32"},
		{"Bila Tserkva", 49.7988, 30.1153, "UA-32"},
		{"Dnipro", 48.4647, 35.0462, "UA-12"},
		{"Uzhhorod", 48.6208, 22.2879, "UA-21"},
		{"Chernihiv", 51.4982, 31.2893, "UA-74"},
		{"Mykolaiv", 46.9750, 31.9946, "UA-48"},
		{"Zaporizhzhia", 47.8388, 35.1396, "UA-23"},
		{"Luhansk", 48.5740, 39.3078, "UA-09"},
		{"Vinnytsia", 49.2331, 28.4682, "UA-05"},
		{"Black Sea", 43.5, 33.0, ""},
		{"Sea of Azov", 46.0, 36.5, ""},
		{"Warsaw", 52.2297, 21.0122, ""},
		{"Moscow", 55.7558, 37.6173, ""},
		{"Chisinau", 47.0105, 28.8638, ""},
	}
	for _, tt := range tests {
		t.Run(tt.place, func(t *testing.T) {
			got, ok := b.Locate(tt.lat, tt.lon)
			if tt.want == "" {
				if ok {
					t.Errorf("Locate(%v, %v) = %q, want not found", tt.lat, tt.lon, got)
				}
				return
			}
			if !ok || got != tt.want {
				t.Errorf("Locate(%v, %v) = %q, %v; want %q", tt.lat, tt.lon, got, ok, tt.want)
			}
		})
	}
}

// TestLocateHole checks the hole rule both ways: Kyiv city is a hole in
// Kyiv Oblast, and a small exclave of the oblast is a hole in the city.
func TestLocateHole(t *testing.T) {
	b := loadShipped(t)
	var city, oblast Region
	for _, r := range b.Regions() {
		switch r.Code {
		case "UA-30":
			city = r
		case "UA-32":
			oblast = r
		}
	}
	if len(city.Polygons) != 1 || len(city.Polygons[0]) != 2 {
		t.Fatalf("Kyiv city: %d polygons, want 1 with a hole", len(city.Polygons))
	}
	// A vertex-average of the city's hole lies inside the oblast's exclave.
	hole := city.Polygons[0][1]
	var lat, lon float64
	for _, p := range hole[:len(hole)-1] {
		lon += p[0]
		lat += p[1]
	}
	n := float64(len(hole) - 1)
	lat, lon = lat/n, lon/n
	if got, _ := b.Locate(lat, lon); got != "UA-32" {
		t.Errorf("Locate(centre of the city's hole %v, %v) = %q, want UA-32", lat, lon, got)
	}
	if len(oblast.Polygons) != 3 {
		t.Errorf("Kyiv Oblast: %d polygons, want 3", len(oblast.Polygons))
	}
}

// TestEveryRegionLocatesItself checks that a point inside each region's
// outer ring locates to that region (a sanity check of the ray casting).
func TestEveryRegionLocatesItself(t *testing.T) {
	b := loadShipped(t)
	regions := b.Regions()
	if len(regions) != 27 {
		t.Fatalf("%d regions, want 27", len(regions))
	}
	seen := map[string]bool{}
	for _, r := range regions {
		if seen[r.Code] {
			t.Errorf("code %s twice", r.Code)
		}
		seen[r.Code] = true
		// Scan a grid over the bbox; at least one point must locate here.
		found := false
		for i := 1; i < 20 && !found; i++ {
			for j := 1; j < 20 && !found; j++ {
				lon := r.BBox[0] + (r.BBox[2]-r.BBox[0])*float64(i)/20
				lat := r.BBox[1] + (r.BBox[3]-r.BBox[1])*float64(j)/20
				if got, _ := b.Locate(lat, lon); got == r.Code {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no grid point in %s (%s) locates to it", r.Code, r.Name)
		}
	}
}

func TestLoadBoundariesErrors(t *testing.T) {
	square := `[[[30,50],[31,50],[31,51],[30,51],[30,50]]]`
	tests := []struct {
		name    string
		geojson string
		wantErr string
		is      error
	}{
		{"not json", `{`, "decode geojson", nil},
		{"not a collection", `{"type":"Feature"}`, "want FeatureCollection", nil},
		{"unknown name", `{"type":"FeatureCollection","features":[{"properties":{"shapeName":"Atlantis"},"geometry":{"type":"Polygon","coordinates":` + square + `}}]}`, "Atlantis", ErrUnknownRegion},
		{"name and iso disagree", `{"type":"FeatureCollection","features":[{"properties":{"shapeName":"Lviv Oblast","shapeISO":"UA-32"},"geometry":{"type":"Polygon","coordinates":` + square + `}}]}`, "shapeISO is UA-32", nil},
		{"point geometry", `{"type":"FeatureCollection","features":[{"properties":{"name":"Lviv"},"geometry":{"type":"Point","coordinates":[24,49]}}]}`, "Point", nil},
		{"short ring", `{"type":"FeatureCollection","features":[{"properties":{"name":"Lviv"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,2],[1,1]]]}}]}`, "ring of 3 points", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBoundaries(strings.NewReader(tt.geojson))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("LoadBoundaries: err = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestLoadBoundariesFallbackISO(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[
		{"properties":{"shapeName":"Atlantis","shapeISO":"UA-46"},"geometry":{"type":"MultiPolygon","coordinates":[[[[24,49],[25,49],[25,50],[24,50],[24,49]]]]}},
		{"properties":{"shapeName":"nothing"},"geometry":null}]}`
	b, err := LoadBoundaries(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := b.Locate(49.5, 24.5); got != "UA-46" || !ok {
		t.Errorf("Locate = %q, %v; want UA-46", got, ok)
	}
	if got := len(b.Regions()); got != 1 {
		t.Errorf("%d regions, want 1 (null geometry skipped)", got)
	}
}

// TestRegionsGolden pins the outlines' summary: code, name, bounding box,
// polygons and ring sizes.
func TestRegionsGolden(t *testing.T) {
	b := loadShipped(t)
	var buf bytes.Buffer
	for _, r := range b.Regions() {
		var rings []string
		for _, p := range r.Polygons {
			var sizes []string
			for _, ring := range p {
				sizes = append(sizes, fmt.Sprint(len(ring)))
			}
			rings = append(rings, strings.Join(sizes, "+"))
		}
		fmt.Fprintf(&buf, "%s\t%-30s\t%.4f %.4f %.4f %.4f\t%s\n", r.Code, r.Name,
			r.BBox[0], r.BBox[1], r.BBox[2], r.BBox[3], strings.Join(rings, " "))
	}
	compareGolden(t, "regions.golden", buf.Bytes())
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
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
		t.Errorf("%s differs from the output; got:\n%s", path, got)
	}
}

func BenchmarkLocate(b *testing.B) {
	bd := loadShipped(b)
	// Points on a grid over Ukraine's bounding box, inside and outside.
	var pts [][2]float64
	for lat := 44.4; lat < 52.3; lat += 0.37 {
		for lon := 22.2; lon < 40.2; lon += 0.41 {
			pts = append(pts, [2]float64{lat, lon})
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := pts[i%len(pts)]
		bd.Locate(p[0], p[1])
	}
}

func BenchmarkCode(b *testing.B) {
	names := []string{"Kyivska oblast", "Kyiv City", "Odessa Oblast", "Київська область", "Dnipropetrovsk oblast", "Kursk oblast"}
	for i := 0; b.Loop(); i++ {
		Code(names[i%len(names)])
	}
}
