package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// mapWidth is the width of the maps' view box; their height follows from
// Ukraine's extent.
const mapWidth = 640

// alertBins are the map's classes of minutes under alert, with their
// colours (a sequential scale, light to dark, readable in greyscale print).
var alertBins = []struct {
	upTo float64 // minutes, inclusive
	fill string
	// the legend's label is the message "bin.<index>"
}{
	{0, "#f1f1ef"},
	{60, "#fde3c4"},
	{180, "#f9b881"},
	{360, "#ef8a4c"},
	{720, "#d1512d"},
	{math.Inf(1), "#8f1d22"},
}

func binOf(minutes float64) int {
	for i, b := range alertBins {
		if minutes <= b.upTo {
			return i
		}
	}
	return len(alertBins) - 1
}

// svgMap is the oblast map as the template draws it.
type svgMap struct {
	Width, Height float64
	Regions       []svgRegion
	Legend        []svgLegend
	Desc          string
}

type svgRegion struct {
	Code, D, Fill, Title string
}

type svgLegend struct {
	Y           float64
	Fill, Label string
}

func (rd *Renderer) alertMap(t words, r Report) *svgMap {
	byCode := map[string]AlertRow{}
	for _, a := range r.Alerts {
		byCode[a.Region] = a
	}
	m := &svgMap{Width: rd.base.Width, Height: rd.base.Height}
	for _, s := range rd.base.Shapes {
		a, ok := byCode[s.Code]
		name := t.Region(s.Code, s.Name)
		title := t.T("alertmap.region.none", name)
		if ok {
			title = t.T("alertmap.region", name, a.Count, fmtMinutes(a.Minutes))
		}
		m.Regions = append(m.Regions, svgRegion{Code: s.Code, D: s.D, Fill: alertBins[binOf(a.Minutes)].fill, Title: title})
	}
	// The legend sits bottom left, over Moldova and the Black Sea.
	top := rd.base.Height - float64(18*len(alertBins)) - 4
	for i, b := range alertBins {
		m.Legend = append(m.Legend, svgLegend{Y: top + float64(18*i), Fill: b.fill, Label: t.T("bin." + strconv.Itoa(i))})
	}
	// A text alternative: the five oblasts longest under alert.
	rows := slices.Clone(r.Alerts)
	slices.SortStableFunc(rows, func(x, y AlertRow) int { return cmp.Compare(y.Minutes, x.Minutes) })
	var parts []string
	for _, a := range rows[:min(5, len(rows))] {
		parts = append(parts, t.T("alertmap.part", t.Region(a.Region, a.Name), fmtMinutes(a.Minutes)))
	}
	m.Desc = t.T("alertmap.desc", r.Day)
	if len(parts) > 0 {
		m.Desc += t.T("alertmap.longest", strings.Join(parts, "; "))
	} else {
		m.Desc += t.T("alertmap.nodata")
	}
	return m
}

// svgChart is the bar chart of the air figures.
type svgChart struct {
	Width, Height float64
	Bars          []svgBar
	Groups        []svgLabel
	Desc          string
}

type svgBar struct {
	X, Y, W, H float64
	Fill       string
	Label      string // the figure, drawn after the bar
	Title      string
	LabelX     float64
}

type svgLabel struct {
	Y    float64
	Text string
}

// airChart draws launched, destroyed and suppressed for drones and
// missiles as horizontal bars on one scale.
func airChart(t words, a Air) svgChart {
	const left, right, barH, gap = 90.0, 60.0, 14.0, 4.0
	c := svgChart{Width: 480}
	maxV := max(1, a.Drones.Launched, a.Missiles.Launched, a.Drones.Destroyed+a.Drones.Suppressed, a.Missiles.Destroyed+a.Missiles.Suppressed)
	scale := (c.Width - left - right) / float64(maxV)
	y := 8.0
	series := []struct {
		name, fill string
		v          func(f [3]int) int
	}{
		{t.T("col.launched"), "#4a4a4a", func(f [3]int) int { return f[0] }},
		{t.T("col.destroyed"), "#2f6f9f", func(f [3]int) int { return f[1] }},
		{t.T("col.suppressed_ew"), "#8fb7d6", func(f [3]int) int { return f[2] }},
	}
	for _, g := range []struct {
		name string
		f    [3]int
	}{
		{t.T("row.drones"), [3]int{a.Drones.Launched, a.Drones.Destroyed, a.Drones.Suppressed}},
		{t.T("row.missiles"), [3]int{a.Missiles.Launched, a.Missiles.Destroyed, a.Missiles.Suppressed}},
	} {
		c.Groups = append(c.Groups, svgLabel{Y: y + barH*1.5 + gap, Text: g.name})
		for _, s := range series {
			v := s.v(g.f)
			w := float64(v) * scale
			c.Bars = append(c.Bars, svgBar{X: left, Y: y, W: math.Round(w*10) / 10, H: barH, Fill: s.fill,
				Label: strconv.Itoa(v), LabelX: math.Round((left+w+4)*10) / 10, Title: t.T("chart.bar", g.name, s.name, v)})
			y += barH + gap
		}
		y += 10
	}
	c.Height = y
	c.Desc = t.T("chart.desc", a.Drones.Launched, a.Drones.Destroyed, a.Drones.Suppressed, a.Missiles.Launched, a.Missiles.Destroyed, a.Missiles.Suppressed)
	return c
}
