// Package mapsvg draws maps as inline SVG on the server, so that they work
// offline, in printed reports and without scripts: the oblast outlines
// (region.Boundaries), projected once into a Base, with points on top,
// coloured by a class (an incident's domain or status) with a legend.
// Where points are many (more than Map.BinAbove), they are binned into
// hexagons whose shade says how many they hold, so the drawing stays small
// (a few hundred kilobytes at most) and fast (milliseconds for 20,000
// points).
//
// Every map carries a text alternative: role="img" with an aria-label, a
// <title>, and a <desc> that says what is drawn (how many points of each
// class, how they were binned, how many had no position). Output is
// deterministic: the same Base and Map give the same bytes.
package mapsvg

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DefaultBinAbove is the number of points above which a map bins them.
const DefaultBinAbove = 1000

// DefaultBinRadius is the hexagons' radius in view-box units (on a
// 640-wide map of Ukraine, about 20 km from centre to corner).
const DefaultBinRadius = 9.0

// Point is one thing drawn on a map.
type Point struct {
	// Lat and Lon place the point (degrees, WGS84). When either is nil the
	// point stands at its Region's representative point, and is not drawn
	// if the Base has no such region.
	Lat, Lon *float64
	Region   string
	// Class picks the point's colour: the Key of one of Map.Classes;
	// points of other classes are drawn grey as "other" (in Map.Lang).
	Class string
	// Href, if set, makes the point a link; Title is its tooltip (and
	// accessible name). Both are ignored when the map bins.
	Href, Title string
}

// Class is a class of points: its key, its label in the legend and text
// alternative, and its colour (#rrggbb).
type Class struct {
	Key, Label, Color string
}

// Map is what to draw on a Base.
type Map struct {
	// Title is the map's accessible name (aria-label and <title>).
	Title string
	// Desc opens the text alternative; the map adds what it drew.
	Desc string
	// Noun names the points in the text alternative and tooltips, in the
	// plural ("incidents"); "points" if empty.
	Noun string
	// Classes are the legend, in order.
	Classes []Class
	Points  []Point
	// BinAbove is the number of points above which they are binned
	// (DefaultBinAbove if 0; never if negative). BinRadius is the
	// hexagons' radius in view-box units (DefaultBinRadius if 0).
	BinAbove  int
	BinRadius float64
	// BinHref, if set, makes each hexagon a link, given the bounding box
	// the hexagon covers (degrees: min lon, min lat, max lon, max lat),
	// e.g. to a listing filtered by bbox.
	BinHref func(bbox [4]float64) string
	// Lang is the language of the phrases the map writes itself (its text
	// alternative's counts, the legend's note on hexagons, the "other"
	// class): "en" (the default), "uk" or "ru". Title, Desc, Noun and the
	// classes' labels are the caller's, in the same language.
	Lang string
}

// otherColor is the colour of points whose Class is not among
// Map.Classes.
const otherColor = "#8c8c8c"

// words are the phrases a map writes itself, in each language it knows.
type words struct {
	drawn, binned, undrawn, legendBins, other string
}

// wordsFor returns the phrases of lang ("en", "uk" or "ru"; English for
// any other).
func wordsFor(lang string) words {
	switch lang {
	case "uk":
		return words{drawn: "На карті %d %s", binned: "згруповано в %d шестикутників розміром близько %.0f км, темніші там, де їх більше",
			undrawn: "%d без місця на карті не показано", legendBins: "колір шестикутника: клас більшості його точок", other: "інше"}
	case "ru":
		return words{drawn: "На карте %d %s", binned: "сгруппировано в %d шестиугольников размером около %.0f км, темнее там, где их больше",
			undrawn: "%d без места на карте не показано", legendBins: "цвет шестиугольника: класс большинства его точек", other: "другое"}
	}
	return words{drawn: "%d %s drawn", binned: "binned into %d hexagons about %.0f km across, darker where there are more",
		undrawn: "%d without a position on the map not drawn", legendBins: "hexagon colour: the class most of its points belong to", other: "other"}
}

// SVG returns the map as an <svg> element, for a template.
func (b *Base) SVG(m Map) template.HTML {
	var buf bytes.Buffer
	b.Render(&buf, m)
	return template.HTML(buf.String())
}

// Render writes the map as one <svg> element to w. Its only errors are
// w's.
func (b *Base) Render(w io.Writer, m Map) error {
	noun := cmp.Or(m.Noun, "points")
	ws := wordsFor(m.Lang)
	classes := append(slices.Clone(m.Classes), Class{Key: "", Label: ws.other, Color: otherColor})
	classOf := make(map[string]int, len(classes))
	for i, c := range m.Classes {
		if _, dup := classOf[c.Key]; !dup {
			classOf[c.Key] = i
		}
	}
	// Place the points.
	pts := make([]binPoint, 0, len(m.Points))
	counts := make([]int, len(classes))
	unplaced := 0
	lastKey, lastClass := "", -1
	for i := range m.Points {
		p := &m.Points[i]
		var x, y float64
		ok := false
		if p.Lat != nil && p.Lon != nil {
			x, y, ok = b.Project(*p.Lat, *p.Lon)
		} else if s, found := b.Shape(p.Region); found {
			x, y, ok = s.X, s.Y, true
		}
		if !ok {
			unplaced++
			continue
		}
		c := lastClass
		if c < 0 || p.Class != lastKey {
			known := false
			if c, known = classOf[p.Class]; !known {
				c = len(classes) - 1
			}
			lastKey, lastClass = p.Class, c
		}
		counts[c]++
		pts = append(pts, binPoint{x, y, int32(c), int32(i)})
	}
	binAbove := cmp.Or(m.BinAbove, DefaultBinAbove)
	binned := binAbove >= 0 && len(pts) > binAbove

	var out bytes.Buffer
	outlines := b.outlinesIn(m.Lang)
	out.Grow(len(outlines) + 2048 + 64*min(len(pts), max(binAbove, 0)))
	title := escape(m.Title)
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s">`+"\n",
		Coord(b.Width), Coord(b.Height), Coord(b.Width), Coord(b.Height), title)
	fmt.Fprintf(&out, "<title>%s</title>\n", title)

	// The text alternative.
	var desc strings.Builder
	if m.Desc != "" {
		desc.WriteString(strings.TrimSpace(m.Desc))
		desc.WriteByte(' ')
	}
	fmt.Fprintf(&desc, ws.drawn, len(pts), noun)
	var parts []string
	for i, c := range classes {
		if counts[i] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[i], c.Label))
		}
	}
	if len(parts) > 0 {
		desc.WriteString(": " + strings.Join(parts, ", "))
	}
	radius := cmp.Or(m.BinRadius, DefaultBinRadius)
	var bins []bin
	if binned {
		bins = hexBins(len(classes), radius, b.Width, b.Height, pts)
		desc.WriteString("; ")
		fmt.Fprintf(&desc, ws.binned, len(bins), 2*radius*b.KMPerUnit())
	}
	if unplaced > 0 {
		desc.WriteString("; ")
		fmt.Fprintf(&desc, ws.undrawn, unplaced)
	}
	desc.WriteByte('.')
	fmt.Fprintf(&out, "<desc>%s</desc>\n", escape(desc.String()))

	out.WriteString(`<g fill="#e4e4df" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd">` + "\n")
	out.WriteString(outlines)
	out.WriteString("</g>\n")

	if binned {
		b.writeBins(&out, bins, classes, radius, noun, m.BinHref)
	} else {
		// One group per class, so the colour is written once.
		order := make([]int, len(pts))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(pts[i].class, pts[j].class) })
		cur := -1
		for _, i := range order {
			p := pts[i]
			pt := &m.Points[p.i]
			if int(p.class) != cur {
				if cur >= 0 {
					out.WriteString("</g>\n")
				}
				cur = int(p.class)
				fmt.Fprintf(&out, `<g fill="%s" stroke="#ffffff" stroke-width="0.6">`+"\n", escape(classes[cur].Color))
			}
			link := safeHref(pt.Href)
			if link != "" {
				fmt.Fprintf(&out, `<a href="%s">`, escape(link))
			}
			out.WriteString(`<circle cx="`)
			out.WriteString(Coord(p.x))
			out.WriteString(`" cy="`)
			out.WriteString(Coord(p.y))
			out.WriteString(`" r="3.5"`)
			if pt.Title != "" {
				out.WriteString("><title>")
				out.WriteString(escape(pt.Title))
				out.WriteString("</title></circle>")
			} else {
				out.WriteString("/>")
			}
			if link != "" {
				out.WriteString("</a>")
			}
			out.WriteByte('\n')
		}
		if cur >= 0 {
			out.WriteString("</g>\n")
		}
	}
	b.writeLegend(&out, classes, counts, binned, ws.legendBins)
	out.WriteString("</svg>\n")
	_, err := w.Write(out.Bytes())
	return err
}

// writeLegend draws the classes that have points (or all of m.Classes
// when none has), bottom left, over Moldova and the Black Sea.
func (b *Base) writeLegend(out *bytes.Buffer, classes []Class, counts []int, binned bool, binNote string) {
	var rows []int
	for i := range classes {
		if counts[i] > 0 || (i < len(classes)-1 && sum(counts) == 0) {
			rows = append(rows, i)
		}
	}
	lines := len(rows)
	if binned {
		lines++
	}
	y := b.Height - float64(18*lines) - 4
	out.WriteString(`<g class="legend">` + "\n")
	width := 150.0
	if binned {
		width = 330
	}
	fmt.Fprintf(out, `<rect x="4" y="%s" width="%s" height="%s" fill="#ffffff" fill-opacity="0.8"/>`+"\n", Coord(y-2), Coord(width), Coord(float64(18*lines)+4))
	for _, i := range rows {
		fmt.Fprintf(out, `<circle cx="15" cy="%s" r="5" fill="%s" stroke="#ffffff" stroke-width="0.6"/><text x="28" y="%s" dy="11" font-size="12">%s (%d)</text>`+"\n",
			Coord(y+7), escape(classes[i].Color), Coord(y), escape(classes[i].Label), counts[i])
		y += 18
	}
	if binned {
		fmt.Fprintf(out, `<text x="8" y="%s" dy="11" font-size="12">%s</text>`+"\n", Coord(y), escape(binNote))
	}
	out.WriteString("</g>\n")
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// bin is one hexagon: its axial coordinates and its points per class.
type bin struct {
	q, r   int
	counts []int
	total  int
}

// binPoint is a projected point. It holds no pointer, so that 20,000 of
// them cost the collector nothing to scan.
type binPoint struct {
	x, y  float64
	class int32
	i     int32 // index into Map.Points
}

// hexBins bins points (inside a width × height view box) into pointy-top
// hexagons of the given radius, sorted by row then column. It counts on a
// dense grid of the hexagons that cover the view box, with no map and no
// allocation per hexagon.
func hexBins(nclass int, radius, width, height float64, points []binPoint) []bin {
	// The axial coordinates of the corners bound those of every point.
	q0, r0 := math.MaxInt, math.MaxInt
	q1, r1 := math.MinInt, math.MinInt
	for _, c := range [][2]float64{{0, 0}, {width, 0}, {0, height}, {width, height}} {
		q, r := hexOf(c[0], c[1], radius)
		q0, q1, r0, r1 = min(q0, q-1), max(q1, q+1), min(r0, r-1), max(r1, r+1)
	}
	nq := q1 - q0 + 1
	cells := nq * (r1 - r0 + 1)
	totals := make([]int32, cells)
	counts := make([]int32, cells*nclass)
	for _, p := range points {
		q, r := hexOf(p.x, p.y, radius)
		q, r = min(max(q, q0), q1), min(max(r, r0), r1)
		cell := (r-r0)*nq + (q - q0)
		totals[cell]++
		counts[cell*nclass+int(p.class)]++
	}
	var bins []bin
	for cell, n := range totals {
		if n == 0 {
			continue
		}
		bn := bin{q: cell%nq + q0, r: cell/nq + r0, total: int(n), counts: make([]int, nclass)}
		for c := range nclass {
			bn.counts[c] = int(counts[cell*nclass+c])
		}
		bins = append(bins, bn)
	}
	return bins
}

// hexOf returns the axial coordinates of the pointy-top hexagon holding
// (x, y) (cube rounding).
func hexOf(x, y, radius float64) (int, int) {
	fq := (math.Sqrt(3)/3*x - y/3) / radius
	fr := (2.0 / 3 * y) / radius
	fs := -fq - fr
	q, r, s := math.Round(fq), math.Round(fr), math.Round(fs)
	dq, dr, ds := math.Abs(q-fq), math.Abs(r-fr), math.Abs(s-fs)
	switch {
	case dq > dr && dq > ds:
		q = -r - s
	case dr > ds:
		r = -q - s
	}
	return int(q), int(r)
}

// hexCentre returns the centre of the hexagon at axial (q, r).
func hexCentre(q, r int, radius float64) (float64, float64) {
	return radius * math.Sqrt(3) * (float64(q) + float64(r)/2), radius * 1.5 * float64(r)
}

// writeBins draws the hexagons, each coloured by its commonest class (the
// first in legend order on a tie), its opacity growing with the log of its
// count, with a tooltip of its counts per class.
func (b *Base) writeBins(out *bytes.Buffer, bins []bin, classes []Class, radius float64, noun string, href func([4]float64) string) {
	maxN := 1
	for _, bn := range bins {
		maxN = max(maxN, bn.total)
	}
	hw := radius * math.Sqrt(3) / 2
	// The hexagon's outline relative to its top corner.
	shape := fmt.Sprintf("l%s %sv%sl-%s %sl-%s -%sv-%sz", coord2(hw), coord2(radius/2), coord2(radius), coord2(hw), coord2(radius/2), coord2(hw), coord2(radius/2), coord2(radius))
	out.WriteString(`<g class="bins" stroke="#ffffff" stroke-width="0.5">` + "\n")
	out.Grow(len(bins) * 160)
	colors := make([]string, len(classes))
	labels := make([]string, len(classes))
	for i, c := range classes {
		colors[i], labels[i] = escape(c.Color), escape(c.Label)
	}
	noun = escape(noun)
	logMax := math.Log1p(float64(maxN))
	var num []byte // scratch for numbers
	writeInt := func(n int) {
		num = strconv.AppendInt(num[:0], int64(n), 10)
		out.Write(num)
	}
	for _, bn := range bins {
		top := 0
		for i, c := range bn.counts {
			if c > bn.counts[top] {
				top = i
			}
		}
		cx, cy := hexCentre(bn.q, bn.r, radius)
		op := 0.35 + 0.65*math.Log1p(float64(bn.total))/logMax
		link := ""
		if href != nil {
			lon0, lat1 := b.unproject(cx-hw, cy-radius)
			lon1, lat0 := b.unproject(cx+hw, cy+radius)
			link = safeHref(href([4]float64{round4(lon0), round4(lat0), round4(lon1), round4(lat1)}))
		}
		if link != "" {
			out.WriteString(`<a href="`)
			out.WriteString(escape(link))
			out.WriteString(`">`)
		}
		out.WriteString(`<path d="M`)
		out.WriteString(coord2(cx))
		out.WriteByte(' ')
		out.WriteString(coord2(cy - radius))
		out.WriteString(shape)
		out.WriteString(`" fill="`)
		out.WriteString(colors[top])
		out.WriteString(`" fill-opacity="`)
		num = strconv.AppendFloat(num[:0], math.Round(op*100)/100, 'f', -1, 64)
		out.Write(num)
		out.WriteString(`"><title>`)
		writeInt(bn.total)
		out.WriteByte(' ')
		out.WriteString(noun)
		out.WriteString(": ")
		first := true
		for i, c := range bn.counts {
			if c == 0 {
				continue
			}
			if !first {
				out.WriteString(", ")
			}
			first = false
			writeInt(c)
			out.WriteByte(' ')
			out.WriteString(labels[i])
		}
		out.WriteString("</title></path>")
		if link != "" {
			out.WriteString("</a>")
		}
		out.WriteByte('\n')
	}
	out.WriteString("</g>\n")
}

// unproject returns the (lon, lat) of a view-box position.
func (b *Base) unproject(x, y float64) (lon, lat float64) {
	return b.minLon + x/(b.kx*b.scale), b.maxLat - y/b.scale
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// coord2 formats a length to 0.01 unit (hexagon corners).
func coord2(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

var escaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;")

// escape escapes text for XML content and attribute values.
func escape(s string) string { return escaper.Replace(s) }

// safeHref returns href if it is a relative reference or an http(s) URL,
// and "" otherwise (a javascript: or data: link is never drawn).
func safeHref(href string) string {
	switch {
	case href == "":
		return ""
	case strings.HasPrefix(href, "/"), strings.HasPrefix(href, "#"), strings.HasPrefix(href, "?"),
		strings.HasPrefix(href, "https://"), strings.HasPrefix(href, "http://"):
		return href
	}
	if i := strings.IndexAny(href, ":/?#"); i < 0 || href[i] != ':' {
		return href // a relative path such as "incidents/abc"
	}
	return ""
}
