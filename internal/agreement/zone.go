package agreement

import (
	"encoding/json"
	"fmt"
	"math"

	"truce/internal/derrors"
)

// Zone is the place a term covers: a GeoJSON Polygon or MultiPolygon in
// WGS84 longitude/latitude. Each polygon is an outer ring followed by its
// holes; each ring is closed (its last position repeats its first).
type Zone struct {
	// Type is "Polygon" or "MultiPolygon", as given.
	Type string
	// Polygons holds the rings of each polygon as [lon, lat] positions; a
	// Polygon zone has exactly one.
	Polygons [][][][2]float64
}

// MarshalJSON writes the zone as a GeoJSON geometry of its Type.
func (z *Zone) MarshalJSON() ([]byte, error) {
	var coords any = z.Polygons
	if z.Type == "Polygon" && len(z.Polygons) == 1 {
		coords = z.Polygons[0]
	}
	return json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{z.Type, coords})
}

// UnmarshalJSON reads a GeoJSON Polygon or MultiPolygon and validates it,
// so an Agreement written with encoding/json (by a store) reads back.
func (z *Zone) UnmarshalJSON(data []byte) error {
	p, err := parseZone(data, "zone")
	if err != nil {
		return err
	}
	if err := p.validate("zone"); err != nil {
		return err
	}
	*z = *p
	return nil
}

// parseZone reads a GeoJSON geometry object; field names the zone for
// errors. Members other than type, coordinates and bbox (which is ignored)
// are refused.
func parseZone(raw json.RawMessage, field string) (*Zone, error) {
	obj, err := object(raw, field, "type", "coordinates", "bbox")
	if err != nil {
		return nil, err
	}
	var typ string
	if err := json.Unmarshal(obj["type"], &typ); err != nil || obj["type"] == nil {
		return nil, derrors.Invalid(field+".type", "must be \"Polygon\" or \"MultiPolygon\"")
	}
	cf := field + ".coordinates"
	if obj["coordinates"] == nil {
		return nil, derrors.Invalid(cf, "is required")
	}
	var polys [][][][]float64
	switch typ {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(obj["coordinates"], &p); err != nil {
			return nil, derrors.Invalid(cf, "must be an array of rings of [lon, lat] positions")
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(obj["coordinates"], &polys); err != nil {
			return nil, derrors.Invalid(cf, "must be an array of polygons, each an array of rings of [lon, lat] positions")
		}
	default:
		return nil, derrors.Invalid(field+".type", "must be \"Polygon\" or \"MultiPolygon\", not %q", typ)
	}
	z := &Zone{Type: typ, Polygons: make([][][][2]float64, len(polys))}
	for i, p := range polys {
		z.Polygons[i] = make([][][2]float64, len(p))
		for j, ring := range p {
			z.Polygons[i][j] = make([][2]float64, len(ring))
			for k, pos := range ring {
				if len(pos) != 2 && len(pos) != 3 {
					return nil, derrors.Invalid(z.posField(cf, i, j, k), "a position is [lon, lat] or [lon, lat, alt]")
				}
				z.Polygons[i][j][k] = [2]float64{pos[0], pos[1]}
			}
		}
	}
	return z, nil
}

// posField names a ring (k < 0) or a position of the zone in error messages,
// following the GeoJSON nesting of its Type.
func (z *Zone) posField(cf string, poly, ring, pos int) string {
	s := cf
	if z.Type != "Polygon" {
		s += fmt.Sprintf("[%d]", poly)
	}
	s += fmt.Sprintf("[%d]", ring)
	if pos >= 0 {
		s += fmt.Sprintf("[%d]", pos)
	}
	return s
}

func (z *Zone) validate(field string) error {
	cf := field + ".coordinates"
	switch z.Type {
	case "Polygon":
		if len(z.Polygons) != 1 {
			return derrors.Invalid(cf, "a Polygon has exactly one outer ring and its holes")
		}
	case "MultiPolygon":
		if len(z.Polygons) == 0 || len(z.Polygons) > MaxZonePolygon {
			return derrors.Invalid(cf, "must hold 1 to %d polygons", MaxZonePolygon)
		}
	default:
		return derrors.Invalid(field+".type", "must be \"Polygon\" or \"MultiPolygon\", not %q", z.Type)
	}
	points := 0
	for i, p := range z.Polygons {
		if len(p) == 0 || len(p) > MaxZoneRings {
			f := cf
			if z.Type != "Polygon" {
				f = fmt.Sprintf("%s[%d]", cf, i)
			}
			return derrors.Invalid(f, "a polygon has an outer ring and at most %d holes", MaxZoneRings-1)
		}
		for j, ring := range p {
			points += len(ring)
			if points > MaxZonePoints {
				return &derrors.FieldError{Field: cf, Message: fmt.Sprintf("more than %d positions", MaxZonePoints), Err: derrors.ErrTooLarge}
			}
			if len(ring) < 4 {
				return derrors.Invalid(z.posField(cf, i, j, -1), "a ring has at least 4 positions, got %d", len(ring))
			}
			for k, pt := range ring {
				lon, lat := pt[0], pt[1]
				if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
					return derrors.Invalid(z.posField(cf, i, j, k), "longitude must be in [-180, 180] and latitude in [-90, 90]")
				}
			}
			if ring[0] != ring[len(ring)-1] {
				return derrors.Invalid(z.posField(cf, i, j, -1), "a ring must be closed: its last position must repeat its first")
			}
			if ringArea(ring) == 0 {
				return derrors.Invalid(z.posField(cf, i, j, -1), "a ring must enclose an area")
			}
		}
	}
	return nil
}

// ringArea is twice the signed area of a ring (shoelace), in square degrees.
func ringArea(ring [][2]float64) float64 {
	a := 0.0
	for i := 0; i+1 < len(ring); i++ {
		a += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	return a
}

// Contains reports whether the point (lat, lon) lies inside the zone: inside
// the outer ring of one of its polygons and not inside one of that
// polygon's holes. Within a polygon it casts a ray eastwards and counts the
// edges it crosses over all the polygon's rings (the even-odd rule, as
// region.Boundaries does), so holes need no special case; a point is in the
// zone when it is in any of its polygons. A point exactly on an edge may fall
// on either side, the same side every time.
func (z *Zone) Contains(lat, lon float64) bool {
	for _, p := range z.Polygons {
		in := false
		for _, ring := range p {
			for i := 0; i+1 < len(ring); i++ {
				x1, y1, x2, y2 := ring[i][0], ring[i][1], ring[i+1][0], ring[i+1][1]
				if (y1 > lat) != (y2 > lat) {
					if x := x1 + (lat-y1)*(x2-x1)/(y2-y1); lon < x {
						in = !in
					}
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

func (z *Zone) equal(o *Zone) bool {
	if z == nil || o == nil {
		return z == o
	}
	if z.Type != o.Type || len(z.Polygons) != len(o.Polygons) {
		return false
	}
	for i := range z.Polygons {
		if len(z.Polygons[i]) != len(o.Polygons[i]) {
			return false
		}
		for j := range z.Polygons[i] {
			a, b := z.Polygons[i][j], o.Polygons[i][j]
			if len(a) != len(b) {
				return false
			}
			for k := range a {
				if a[k] != b[k] {
					return false
				}
			}
		}
	}
	return true
}
