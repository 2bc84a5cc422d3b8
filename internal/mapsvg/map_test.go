package mapsvg_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/data"
	"truce/internal/mapsvg"
	"truce/internal/region"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// base is the shipped oblasts projected once for the package's tests.
var base = sync.OnceValues(func() (*mapsvg.Base, error) {
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := region.LoadBoundaries(f)
	if err != nil {
		return nil, err
	}
	return mapsvg.New(b.Regions(), 640), nil
})

func mustBase(t testing.TB) *mapsvg.Base {
	t.Helper()
	b, err := base()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ptr(v float64) *float64 { return &v }

// randomPoints returns n points spread over Ukraine, denser around Kharkiv
// and Kherson, with domains as classes. The same seed gives the same points.
func randomPoints(n int, seed uint64) []mapsvg.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	domains := []string{"land", "land", "air", "sea"}
	pts := make([]mapsvg.Point, n)
	for i := range pts {
		lat, lon := 46.0+rng.Float64()*6, 23.0+rng.Float64()*16
		switch i % 3 {
		case 0:
			lat, lon = 49.99+rng.NormFloat64()*0.3, 36.23+rng.NormFloat64()*0.4
		case 1:
			lat, lon = 46.63+rng.NormFloat64()*0.3, 32.61+rng.NormFloat64()*0.4
		}
		pts[i] = mapsvg.Point{Lat: ptr(lat), Lon: ptr(lon), Class: domains[i%len(domains)],
			Href: fmt.Sprintf("/incidents/%d", i), Title: fmt.Sprintf("incident %d", i)}
	}
	return pts
}

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
		t.Errorf("%s differs from the golden file (%d bytes, want %d); run go test -update and review the diff", name, len(got), len(want))
	}
}

// svgDoc is what the tests read back from a map.
type svgDoc struct {
	Role      string `xml:"role,attr"`
	AriaLabel string `xml:"aria-label,attr"`
	Title     string `xml:"title"`
	Desc      string `xml:"desc"`
	Groups    []struct {
		Class   string `xml:"class,attr"`
		Fill    string `xml:"fill,attr"`
		Circles []struct {
			Title string `xml:"title"`
		} `xml:"circle"`
		Links []struct {
			Href   string `xml:"href,attr"`
			Circle struct {
				Title string `xml:"title"`
			} `xml:"circle"`
			Path struct {
				Title string `xml:"title"`
			} `xml:"path"`
		} `xml:"a"`
		Paths []struct {
			Title string `xml:"title"`
		} `xml:"path"`
	} `xml:"g"`
}

func render(t testing.TB, m mapsvg.Map) ([]byte, svgDoc) {
	t.Helper()
	var buf bytes.Buffer
	if err := mustBase(t).Render(&buf, m); err != nil {
		t.Fatal(err)
	}
	var doc svgDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("the map is not well-formed XML: %v", err)
	}
	return buf.Bytes(), doc
}

func TestMapGolden(t *testing.T) {
	kyiv := mapsvg.Point{Lat: ptr(50.45), Lon: ptr(30.52), Class: "air", Title: "Drone over Kyiv <12>", Href: "/incidents/a&b"}
	tests := []struct {
		name string
		m    mapsvg.Map
	}{
		{"few.svg", mapsvg.Map{Title: "Incidents", Noun: "incidents", Classes: mapsvg.DomainClasses(), Points: []mapsvg.Point{
			kyiv,
			{Lat: ptr(46.63), Lon: ptr(32.61), Class: "land"},
			{Region: "UA-46", Class: "land", Title: "region only"},
			{Lat: ptr(44.6), Lon: ptr(33.5), Class: "sea"},
			{Lat: ptr(10), Lon: ptr(10), Class: "sea"},       // off the map
			{Region: "UA-99", Class: "land"},                 // unknown region
			{Lat: ptr(48.0), Lon: ptr(37.8), Class: "other"}, // not a legend class
			{Lat: ptr(48.1), Lon: ptr(37.9), Class: "land", Href: "javascript:alert(1)", Title: "unsafe link dropped"},
		}}},
		{"empty.svg", mapsvg.Map{Title: "No incidents", Desc: "Nothing on 1 June.", Classes: mapsvg.StatusClasses()}},
		{"binned.svg", mapsvg.Map{Title: "Dense", Noun: "incidents", Classes: mapsvg.DomainClasses(), Points: randomPoints(3000, 7),
			BinHref: func(bb [4]float64) string {
				return fmt.Sprintf("/incidents?bbox=%g,%g,%g,%g", bb[0], bb[1], bb[2], bb[3])
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := render(t, tt.m)
			golden(t, tt.name, got)
		})
	}
}

func TestMapPoints(t *testing.T) {
	kyiv := mapsvg.Point{Lat: ptr(50.45), Lon: ptr(30.52), Class: "air", Title: "Drone over Kyiv", Href: "/incidents/x?a=1&b=2"}
	_, doc := render(t, mapsvg.Map{Title: "Incidents", Noun: "incidents", Classes: mapsvg.DomainClasses(), Points: []mapsvg.Point{
		kyiv,
		{Region: "UA-46", Class: "land", Title: "in Lviv oblast"},
		{Lat: ptr(10), Lon: ptr(10), Class: "sea"},
		{Lat: ptr(48.1), Lon: ptr(37.9), Class: "land", Href: "javascript:alert(1)"},
	}})
	if doc.Role != "img" || doc.AriaLabel != "Incidents" || doc.Title != "Incidents" {
		t.Errorf("role %q aria-label %q title %q, want img, Incidents, Incidents", doc.Role, doc.AriaLabel, doc.Title)
	}
	wantDesc := "3 incidents drawn: 2 land, 1 air; 1 without a position on the map not drawn."
	if doc.Desc != wantDesc {
		t.Errorf("desc %q, want %q", doc.Desc, wantDesc)
	}
	var links []string
	circles := 0
	for _, g := range doc.Groups {
		for _, l := range g.Links {
			links = append(links, l.Href+" "+l.Circle.Title)
		}
		if g.Class == "" {
			circles += len(g.Circles) + len(g.Links)
		}
	}
	if want := []string{"/incidents/x?a=1&b=2 Drone over Kyiv"}; fmt.Sprint(links) != fmt.Sprint(want) {
		t.Errorf("links %q, want %q (the javascript: link dropped)", links, want)
	}
	if circles != 3 {
		t.Errorf("%d circles drawn, want 3", circles)
	}
}

func TestMapBinsDense(t *testing.T) {
	pts := randomPoints(5000, 3)
	got, doc := render(t, mapsvg.Map{Title: "Dense", Noun: "incidents", Classes: mapsvg.DomainClasses(), Points: pts})
	var bins, total int
	for _, g := range doc.Groups {
		if g.Class != "bins" {
			continue
		}
		for _, p := range g.Paths {
			bins++
			var n int
			fmt.Sscanf(p.Title, "%d incidents", &n)
			total += n
		}
	}
	if bins == 0 || bins > 2000 {
		t.Errorf("%d hexagons, want some and not one per point", bins)
	}
	if total != len(pts) {
		t.Errorf("hexagons hold %d incidents, want %d", total, len(pts))
	}
	if !strings.Contains(doc.Desc, fmt.Sprintf("binned into %d hexagons", bins)) {
		t.Errorf("desc %q does not say how it binned", doc.Desc)
	}
	// Below the threshold the same points are drawn one by one; with
	// binning off too.
	_, doc = render(t, mapsvg.Map{Title: "Dense", Classes: mapsvg.DomainClasses(), Points: pts[:900]})
	if strings.Contains(doc.Desc, "binned") {
		t.Errorf("900 points binned: %q", doc.Desc)
	}
	_, doc = render(t, mapsvg.Map{Title: "Dense", Classes: mapsvg.DomainClasses(), Points: pts, BinAbove: -1})
	if strings.Contains(doc.Desc, "binned") {
		t.Errorf("BinAbove -1 binned: %q", doc.Desc)
	}
	_ = got
}

func TestMapDeterministic(t *testing.T) {
	m := mapsvg.Map{Title: "Dense", Classes: mapsvg.StatusClasses(), Points: randomPoints(4000, 9)}
	a, _ := render(t, m)
	b, _ := render(t, m)
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one map differ")
	}
}

// TestMap20kSmallAndFast holds the map to its budget: 20,000 points in well
// under 1 MB, drawn in a few milliseconds (checked loosely here, against
// 250 ms, so a loaded CI machine does not fail it; the benchmark measures).
func TestMap20kSmallAndFast(t *testing.T) {
	b := mustBase(t)
	m := mapsvg.Map{Title: "Dense", Noun: "incidents", Classes: mapsvg.DomainClasses(), Points: randomPoints(20000, 11),
		BinHref: func(bb [4]float64) string {
			return fmt.Sprintf("/incidents?bbox=%g,%g,%g,%g", bb[0], bb[1], bb[2], bb[3])
		}}
	start := time.Now()
	var buf bytes.Buffer
	if err := b.Render(&buf, m); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("20,000 points took %v", d)
	}
	if n := buf.Len(); n > 400<<10 {
		t.Errorf("20,000 points: %d bytes of SVG, want ≤ 400 KiB", n)
	}
}

func BenchmarkMap20k(b *testing.B) {
	base := mustBase(b)
	m := mapsvg.Map{Title: "Dense", Noun: "incidents", Classes: mapsvg.DomainClasses(), Points: randomPoints(20000, 11)}
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		base.Render(&buf, m)
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "svg-bytes")
}

func BenchmarkNewBase(b *testing.B) {
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		b.Fatal(err)
	}
	bd, err := region.LoadBoundaries(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		mapsvg.New(bd.Regions(), 640)
	}
}

var _ = io.Discard

// TestMapLanguages: the phrases the map writes itself follow Map.Lang.
func TestMapLanguages(t *testing.T) {
	pts := append(randomPoints(1200, 4), mapsvg.Point{Region: "UA-99"}, mapsvg.Point{Lat: ptr(50), Lon: ptr(30), Class: "nope"})
	for _, tt := range []struct{ lang, want, other, crimea string }{
		{"", "1201 incidents drawn", "other", "Autonomous Republic of Crimea"},
		{"en", "binned into", "other", "Autonomous Republic of Crimea"},
		{"uk", "На карті 1201 інцидентів", "інше", "Автономна Республіка Крим"},
		{"ru", "1 без места на карте не показано", "другое", "Автономная Республика Крым"},
		{"de", "1201 incidents drawn", "other", "Autonomous Republic of Crimea"},
	} {
		noun := "incidents"
		if tt.lang == "uk" {
			noun = "інцидентів"
		}
		got, doc := render(t, mapsvg.Map{Title: "T", Noun: noun, Lang: tt.lang, Classes: mapsvg.DomainClasses(), Points: pts})
		if !strings.Contains(doc.Desc, tt.want) {
			t.Errorf("lang %q: desc %q lacks %q", tt.lang, doc.Desc, tt.want)
		}
		if !strings.Contains(string(got), ">"+tt.other+" (1)</text>") {
			t.Errorf("lang %q: the legend does not name the other class %q", tt.lang, tt.other)
		}
		// The outlines are titled with the subdivisions' names in the language.
		if !strings.Contains(string(got), "<title>"+tt.crimea+"</title>") {
			t.Errorf("lang %q: no outline titled %q", tt.lang, tt.crimea)
		}
		if tt.lang == "uk" && strings.Contains(string(got), "Oblast") {
			t.Errorf("lang %q: an outline is titled in English", tt.lang)
		}
	}
}
