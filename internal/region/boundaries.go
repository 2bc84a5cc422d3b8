package region

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Region is one subdivision's outline, as read by LoadBoundaries.
type Region struct {
	// Code is the subdivision's ISO 3166-2 code.
	Code string
	// Name is the feature's name as the file gives it (e.g. "Odessa Oblast").
	Name string
	// Polygons holds the outline: each polygon is a list of rings, the first
	// the outer boundary and the rest holes; each ring a closed list of
	// [lon, lat] points (GeoJSON order). Filling all rings with the even-odd
	// rule draws the region.
	Polygons [][][][2]float64
	// BBox is [minLon, minLat, maxLon, maxLat].
	BBox [4]float64
}

// Boundaries holds the outlines of the subdivisions and answers point
// queries. It is immutable after LoadBoundaries and safe for concurrent use.
type Boundaries struct {
	regions []Region
	shapes  []shape // parallel to regions
	order   []int   // indexes of shapes, smallest bounding box first
}

// shape is a region's edges arranged for ray casting: edges are bucketed
// into horizontal bands, each band listing the edges whose latitude range
// meets it, so a query scans only the edges of the point's band.
type shape struct {
	bbox      [4]float64
	bandStart float64
	bandInv   float64 // bands per degree of latitude
	bands     [][]edge
}

type edge struct{ x1, y1, x2, y2 float64 }

// ErrUnknownRegion reports a feature whose name the crosswalk cannot map to
// a code. Errors from LoadBoundaries wrap it; check with errors.Is.
var ErrUnknownRegion = errors.New("unknown region")

// geojson types, only the parts read.
type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Properties map[string]any `json:"properties"`
	Geometry   *geometry      `json:"geometry"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// nameProps are the property keys tried, in order, for a feature's name.
var nameProps = []string{"shapeName", "name", "NAME_1", "name_en", "NAME"}

// LoadBoundaries reads a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features (such as the geoBoundaries UKR ADM1 file in
// truce/data) and maps each feature to its code by passing its name
// (property shapeName, name, NAME_1, name_en or NAME) through Code. A
// feature whose name does not map falls back to a valid ISO code in its
// shapeISO property; if neither works the error wraps ErrUnknownRegion.
// When both give a code and they differ, that is an error too. Features
// without geometry are skipped; other geometry types are an error.
func LoadBoundaries(r io.Reader) (*Boundaries, error) {
	var fc featureCollection
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, fmt.Errorf("region: decode geojson: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("region: geojson type %q, want FeatureCollection", fc.Type)
	}
	b := &Boundaries{}
	for i, f := range fc.Features {
		if f.Geometry == nil {
			continue
		}
		name := ""
		for _, k := range nameProps {
			if s, ok := f.Properties[k].(string); ok && s != "" {
				name = s
				break
			}
		}
		iso, _ := f.Properties["shapeISO"].(string)
		code, ok := Code(name)
		switch {
		case ok && iso != "" && Valid(iso) && iso != code:
			return nil, fmt.Errorf("region: feature %d %q: name maps to %s but shapeISO is %s", i, name, code, iso)
		case !ok && Valid(iso):
			code = iso
		case !ok:
			return nil, fmt.Errorf("region: feature %d %q: %w", i, name, ErrUnknownRegion)
		}
		polys, err := decodePolygons(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("region: feature %d %q: %w", i, name, err)
		}
		reg := Region{Code: code, Name: name, Polygons: polys, BBox: bbox(polys)}
		b.regions = append(b.regions, reg)
		b.shapes = append(b.shapes, newShape(reg))
	}
	b.order = make([]int, len(b.regions))
	for i := range b.order {
		b.order[i] = i
	}
	area := func(i int) float64 {
		bb := b.regions[i].BBox
		return (bb[2] - bb[0]) * (bb[3] - bb[1])
	}
	sort.SliceStable(b.order, func(i, j int) bool { return area(b.order[i]) < area(b.order[j]) })
	return b, nil
}

func decodePolygons(g *geometry) ([][][][2]float64, error) {
	var polys [][][][2]float64
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("polygon coordinates: %w", err)
		}
		polys = [][][][2]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, fmt.Errorf("multipolygon coordinates: %w", err)
		}
	default:
		return nil, fmt.Errorf("geometry type %q, want Polygon or MultiPolygon", g.Type)
	}
	for _, p := range polys {
		for _, ring := range p {
			if len(ring) < 4 {
				return nil, fmt.Errorf("ring of %d points, want at least 4", len(ring))
			}
		}
	}
	return polys, nil
}

func bbox(polys [][][][2]float64) [4]float64 {
	bb := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range polys {
		for _, ring := range p {
			for _, pt := range ring {
				bb[0] = min(bb[0], pt[0])
				bb[1] = min(bb[1], pt[1])
				bb[2] = max(bb[2], pt[0])
				bb[3] = max(bb[3], pt[1])
			}
		}
	}
	return bb
}

// newShape buckets a region's edges into bands of latitude, about one band
// per 8 edges, so a band holds a few edges.
func newShape(r Region) shape {
	var edges []edge
	for _, p := range r.Polygons {
		for _, ring := range p {
			for i := 0; i+1 < len(ring); i++ {
				a, c := ring[i], ring[i+1]
				if a[1] == c[1] {
					continue // horizontal edges never cross a horizontal ray
				}
				edges = append(edges, edge{a[0], a[1], c[0], c[1]})
			}
		}
	}
	s := shape{bbox: r.BBox, bandStart: r.BBox[1]}
	n := max(1, len(edges)/8)
	height := r.BBox[3] - r.BBox[1]
	if height <= 0 {
		height = 1
	}
	s.bandInv = float64(n) / height
	s.bands = make([][]edge, n)
	for _, e := range edges {
		lo, hi := s.band(min(e.y1, e.y2)), s.band(max(e.y1, e.y2))
		for k := lo; k <= hi; k++ {
			s.bands[k] = append(s.bands[k], e)
		}
	}
	return s
}

func (s *shape) band(lat float64) int {
	k := int((lat - s.bandStart) * s.bandInv)
	return min(max(k, 0), len(s.bands)-1)
}

// contains casts a ray eastwards from (lon, lat) and counts crossings over
// all rings (even-odd rule), so holes and multi-polygons need no special case.
func (s *shape) contains(lon, lat float64) bool {
	if lon < s.bbox[0] || lon > s.bbox[2] || lat < s.bbox[1] || lat > s.bbox[3] {
		return false
	}
	in := false
	for _, e := range s.bands[s.band(lat)] {
		if (e.y1 > lat) != (e.y2 > lat) {
			x := e.x1 + (lat-e.y1)*(e.x2-e.x1)/(e.y2-e.y1)
			if lon < x {
				in = !in
			}
		}
	}
	return in
}

// Locate returns the code of the subdivision containing the point (lat,
// lon in degrees, WGS84), and false if no outline contains it (at sea,
// abroad, or on a gap of the simplified outlines). Where simplified
// outlines overlap, the subdivision with the smaller bounding box wins, so a
// city beats the oblast around it.
func (b *Boundaries) Locate(lat, lon float64) (code string, ok bool) {
	for _, i := range b.order {
		if b.shapes[i].contains(lon, lat) {
			return b.regions[i].Code, true
		}
	}
	return "", false
}

// Regions returns the outlines in file order. The slice is a copy; the
// polygons in it are shared and must not be modified.
func (b *Boundaries) Regions() []Region {
	return append([]Region(nil), b.regions...)
}
