package report

import (
	"cmp"
	"fmt"
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
	upTo  float64 // minutes, inclusive
	label string
	fill  string
}{
	{0, "no alert", "#f1f1ef"},
	{60, "up to 1 h", "#fde3c4"},
	{180, "1–3 h", "#f9b881"},
	{360, "3–6 h", "#ef8a4c"},
	{720, "6–12 h", "#d1512d"},
	{math.Inf(1), "over 12 h", "#8f1d22"},
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

func (rd *Renderer) alertMap(r Report) *svgMap {
	byCode := map[string]AlertRow{}
	for _, a := range r.Alerts {
		byCode[a.Region] = a
	}
	m := &svgMap{Width: rd.base.Width, Height: rd.base.Height}
	for _, s := range rd.base.Shapes {
		a, ok := byCode[s.Code]
		title := s.Name + ": no region-wide alert"
		if ok {
			title = fmt.Sprintf("%s: %d alerts, %s min under alert", s.Name, a.Count, fmtMinutes(a.Minutes))
		}
		m.Regions = append(m.Regions, svgRegion{Code: s.Code, D: s.D, Fill: alertBins[binOf(a.Minutes)].fill, Title: title})
	}
	// The legend sits bottom left, over Moldova and the Black Sea.
	top := rd.base.Height - float64(18*len(alertBins)) - 4
	for i, b := range alertBins {
		m.Legend = append(m.Legend, svgLegend{Y: top + float64(18*i), Fill: b.fill, Label: b.label})
	}
	// A text alternative: the five oblasts longest under alert.
	rows := slices.Clone(r.Alerts)
	slices.SortStableFunc(rows, func(x, y AlertRow) int { return cmp.Compare(y.Minutes, x.Minutes) })
	var parts []string
	for _, a := range rows[:min(5, len(rows))] {
		parts = append(parts, fmt.Sprintf("%s %s min", a.Name, fmtMinutes(a.Minutes)))
	}
	m.Desc = fmt.Sprintf("Map of Ukraine's oblasts coloured by minutes under region-wide air-raid alert on %s.", r.Day)
	if len(parts) > 0 {
		m.Desc += " Longest: " + strings.Join(parts, "; ") + "."
	} else {
		m.Desc += " No region-wide alert in the data."
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
func airChart(a Air) svgChart {
	const left, right, barH, gap = 90.0, 60.0, 14.0, 4.0
	c := svgChart{Width: 480}
	maxV := max(1, a.Drones.Launched, a.Missiles.Launched, a.Drones.Destroyed+a.Drones.Suppressed, a.Missiles.Destroyed+a.Missiles.Suppressed)
	scale := (c.Width - left - right) / float64(maxV)
	y := 8.0
	series := []struct {
		name, fill string
		v          func(f [3]int) int
	}{
		{"launched", "#4a4a4a", func(f [3]int) int { return f[0] }},
		{"destroyed", "#2f6f9f", func(f [3]int) int { return f[1] }},
		{"suppressed (EW)", "#8fb7d6", func(f [3]int) int { return f[2] }},
	}
	for _, g := range []struct {
		name string
		f    [3]int
	}{
		{"drones", [3]int{a.Drones.Launched, a.Drones.Destroyed, a.Drones.Suppressed}},
		{"missiles", [3]int{a.Missiles.Launched, a.Missiles.Destroyed, a.Missiles.Suppressed}},
	} {
		c.Groups = append(c.Groups, svgLabel{Y: y + barH*1.5 + gap, Text: g.name})
		for _, s := range series {
			v := s.v(g.f)
			w := float64(v) * scale
			c.Bars = append(c.Bars, svgBar{X: left, Y: y, W: math.Round(w*10) / 10, H: barH, Fill: s.fill,
				Label: strconv.Itoa(v), LabelX: math.Round((left+w+4)*10) / 10, Title: fmt.Sprintf("%s %s: %d", g.name, s.name, v)})
			y += barH + gap
		}
		y += 10
	}
	c.Height = y
	c.Desc = fmt.Sprintf("Bar chart: drones launched %d, destroyed %d, suppressed %d; missiles launched %d, destroyed %d, suppressed %d.",
		a.Drones.Launched, a.Drones.Destroyed, a.Drones.Suppressed, a.Missiles.Launched, a.Missiles.Destroyed, a.Missiles.Suppressed)
	return c
}
