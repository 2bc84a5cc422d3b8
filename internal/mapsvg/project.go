package mapsvg

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"truce/internal/region"
)

// Tolerance is how far, in view-box units, a simplified outline may stray
// from the original (Douglas–Peucker). At 0.5 on a 640-unit-wide map the
// 27 outlines keep a few thousand points: tens of kilobytes of SVG.
const Tolerance = 0.5

// Shape is one subdivision's outline, projected and simplified.
type Shape struct {
	// Code is the ISO 3166-2 code, Name the crosswalk's English name (the
	// file's name where the crosswalk has none).
	Code, Name string
	// D is the SVG path data (fill with the even-odd rule).
	D string
	// X and Y are a point inside the outline to stand for the whole
	// subdivision (the centroid of its largest ring, or of its bounding
	// box where that centroid falls outside).
	X, Y float64
}

// Base is a projected map of the subdivisions: an equirectangular
// projection true to scale at the mid-latitude of their extent, fitted to
// a width. It is immutable and safe for concurrent use; build it once (it
// simplifies every outline) and draw many maps on it.
type Base struct {
	// Width and Height are the view box's size.
	Width, Height float64
	// Shapes are the outlines, sorted by code.
	Shapes []Shape

	minLon, maxLat, kx, scale float64
	byCode                    map[string]int
	// outlines are the <path> elements, pre-rendered, with each
	// subdivision's name as its <title> in "en", "uk" and "ru".
	outlines map[string]string
}

// outlinesIn returns the pre-rendered outlines titled in lang (English for
// any language but "uk" and "ru").
func (b *Base) outlinesIn(lang string) string {
	if o, ok := b.outlines[lang]; ok {
		return o
	}
	return b.outlines["en"]
}

// New projects regions (region.Boundaries.Regions) to a map width units
// wide and simplifies their outlines. With no regions it returns a Base of
// width × width/2 with no outlines, onto which points are still projected
// (over Ukraine's extent).
func New(regions []region.Region, width float64) *Base {
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range regions {
		minLon, minLat = min(minLon, r.BBox[0]), min(minLat, r.BBox[1])
		maxLon, maxLat = max(maxLon, r.BBox[2]), max(maxLat, r.BBox[3])
	}
	if len(regions) == 0 {
		// Ukraine's extent, so points still land sensibly.
		minLon, minLat, maxLon, maxLat = 22.1, 44.4, 40.2, 52.4
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	scale := width / ((maxLon - minLon) * kx)
	b := &Base{
		Width: width, Height: math.Ceil((maxLat - minLat) * scale),
		minLon: minLon, maxLat: maxLat, kx: kx, scale: scale,
		Shapes: make([]Shape, 0, len(regions)), byCode: map[string]int{},
	}
	for _, r := range regions {
		var d strings.Builder
		var bestArea float64
		var cx, cy float64
		for _, poly := range r.Polygons {
			for ri, ring := range poly {
				pts := make([][2]float64, len(ring))
				for i, p := range ring {
					pts[i][0], pts[i][1] = b.project(p[1], p[0])
				}
				if ri == 0 {
					if a, x, y := centroid(pts); math.Abs(a) > bestArea {
						bestArea, cx, cy = math.Abs(a), x, y
					}
				}
				pts = simplify(pts, Tolerance)
				if len(pts) < 4 {
					continue
				}
				for i, p := range pts[:len(pts)-1] {
					if i == 0 {
						d.WriteByte('M')
					} else {
						d.WriteByte('L')
					}
					d.WriteString(Coord(p[0]))
					d.WriteByte(' ')
					d.WriteString(Coord(p[1]))
				}
				d.WriteByte('Z')
			}
		}
		if bestArea == 0 || !ringsContain(r, b, cx, cy) {
			cx, cy = b.project((r.BBox[1]+r.BBox[3])/2, (r.BBox[0]+r.BBox[2])/2)
		}
		name := region.Name(r.Code)
		if name == "" {
			name = r.Name
		}
		b.Shapes = append(b.Shapes, Shape{Code: r.Code, Name: name, D: d.String(), X: round1(cx), Y: round1(cy)})
	}
	slices.SortFunc(b.Shapes, func(x, y Shape) int { return cmp.Compare(x.Code, y.Code) })
	for i, s := range b.Shapes {
		b.byCode[s.Code] = i
	}
	names := map[string]region.Subdivision{}
	for _, s := range region.All() {
		names[s.Code] = s
	}
	b.outlines = map[string]string{}
	for _, lang := range []string{"en", "uk", "ru"} {
		var o strings.Builder
		for _, s := range b.Shapes {
			name := s.Name
			if sub, ok := names[s.Code]; ok && lang == "uk" && sub.NameUK != "" {
				name = sub.NameUK
			} else if ok && lang == "ru" && sub.NameRU != "" {
				name = sub.NameRU
			}
			o.WriteString(`<path d="`)
			o.WriteString(s.D)
			o.WriteString(`"><title>`)
			o.WriteString(escape(name))
			o.WriteString("</title></path>\n")
		}
		b.outlines[lang] = o.String()
	}
	return b
}

// project returns the view-box position of (lat, lon).
func (b *Base) project(lat, lon float64) (x, y float64) {
	return (lon - b.minLon) * b.kx * b.scale, (b.maxLat - lat) * b.scale
}

// Project returns the view-box position of (lat, lon), rounded to 0.1
// unit, and whether it falls inside the view box.
func (b *Base) Project(lat, lon float64) (x, y float64, ok bool) {
	x, y = b.project(lat, lon)
	x, y = round1(x), round1(y)
	return x, y, x >= 0 && y >= 0 && x <= b.Width && y <= b.Height
}

// Shape returns the outline of the subdivision code, if the base has it.
func (b *Base) Shape(code string) (Shape, bool) {
	i, ok := b.byCode[code]
	if !ok {
		return Shape{}, false
	}
	return b.Shapes[i], true
}

// KMPerUnit is roughly how many kilometres one view-box unit spans.
func (b *Base) KMPerUnit() float64 { return 111.32 / b.scale }

// Coord formats a view-box coordinate to 0.1 unit, as the maps write them.
func Coord(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// centroid returns a ring's signed area and centroid (shoelace formula).
func centroid(pts [][2]float64) (area, x, y float64) {
	for i := 0; i+1 < len(pts); i++ {
		c := pts[i][0]*pts[i+1][1] - pts[i+1][0]*pts[i][1]
		area += c
		x += (pts[i][0] + pts[i+1][0]) * c
		y += (pts[i][1] + pts[i+1][1]) * c
	}
	if area == 0 {
		return 0, 0, 0
	}
	return area / 2, x / (3 * area), y / (3 * area)
}

// ringsContain reports whether the view-box point (x, y) lies inside r's
// outline (even-odd over all rings).
func ringsContain(r region.Region, b *Base, x, y float64) bool {
	in := false
	for _, poly := range r.Polygons {
		for _, ring := range poly {
			for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
				xi, yi := b.project(ring[i][1], ring[i][0])
				xj, yj := b.project(ring[j][1], ring[j][0])
				if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
					in = !in
				}
			}
		}
	}
	return in
}

// simplify reduces a closed ring with the Douglas–Peucker algorithm,
// keeping its first and last points.
func simplify(pts [][2]float64, tol float64) [][2]float64 {
	if len(pts) < 4 {
		return pts
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	// A closed ring's ends coincide; split it at its farthest point first.
	far, best := 0, -1.0
	for i, p := range pts {
		if d := math.Hypot(p[0]-pts[0][0], p[1]-pts[0][1]); d > best {
			far, best = i, d
		}
	}
	keep[far] = true
	type span struct{ a, b int }
	stack := []span{{0, far}, {far, len(pts) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		idx, dmax := -1, tol
		for i := s.a + 1; i < s.b; i++ {
			if d := segDist(pts[i], pts[s.a], pts[s.b]); d > dmax {
				idx, dmax = i, d
			}
		}
		if idx >= 0 {
			keep[idx] = true
			stack = append(stack, span{s.a, idx}, span{idx, s.b})
		}
	}
	out := pts[:0:0]
	for i, p := range pts {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// segDist is the distance from p to the segment ab.
func segDist(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return math.Hypot(p[0]-a[0], p[1]-a[1])
	}
	t := max(0, min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}
