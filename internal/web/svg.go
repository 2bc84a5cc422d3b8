package web

import (
	"cmp"
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The charts are inline SVG drawn here, each with role="img", an
// aria-label, a <title> and a <desc> that states every value, so that a
// screen reader reads what the eye sees. Colours keep 4.5:1 contrast
// against white.

const (
	chartW   = 640.0
	chartH   = 200.0
	chartPad = 36.0 // left margin for the axis labels
	inkColor = "#1d1d1b"
	ruleCol  = "#d6d6d0"
)

func esc(s string) string { return html.EscapeString(s) }

func ftoa(f float64) string { return strconv.FormatFloat(math.Round(f*1e4)/1e4, 'f', -1, 64) }

func c1(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// niceMax rounds m up to 1, 2 or 5 times a power of ten.
func niceMax(m int) int {
	if m <= 0 {
		return 1
	}
	p := int(math.Pow(10, math.Floor(math.Log10(float64(m)))))
	for _, f := range []int{1, 2, 5, 10} {
		if f*p >= m {
			return f * p
		}
	}
	return 10 * p
}

// svgOpen starts a chart's <svg> with its text alternative.
func svgOpen(b *strings.Builder, w, h float64, title, desc string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s">`,
		c1(w), c1(h), c1(w), c1(h), esc(title))
	fmt.Fprintf(b, "<title>%s</title><desc>%s</desc>", esc(title), esc(desc))
}

// barChart draws one value per day as vertical bars.
func barChart(v *viewer, title string, days []seriesDay, value func(seriesDay) int, color string) template.HTML {
	if len(days) == 0 {
		return ""
	}
	top, total := 0, 0
	var parts []string
	for _, d := range days {
		n := value(d)
		top = max(top, n)
		total += n
		parts = append(parts, v.Date(d.Day)+": "+v.Num(n))
	}
	scale := niceMax(top)
	desc := v.T("chart.total", v.Num(total)) + " " + strings.Join(parts, "; ") + "."
	var b strings.Builder
	svgOpen(&b, chartW, chartH, title, desc)
	plotH := chartH - 40
	slot := (chartW - chartPad) / float64(len(days))
	// Axis: zero, half and the top, with rules.
	for _, f := range []float64{0, .5, 1} {
		y := 10 + plotH*(1-f)
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, c1(chartPad), c1(chartW), c1(y), c1(y), ruleCol)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`, c1(chartPad-4), c1(y+4), inkColor, esc(v.Num(int(f*float64(scale)))))
	}
	for i, d := range days {
		n := value(d)
		hgt := plotH * float64(n) / float64(scale)
		x := chartPad + float64(i)*slot + slot*0.15
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
			c1(x), c1(10+plotH-hgt), c1(slot*0.7), c1(hgt), color, esc(v.Date(d.Day)+": "+v.Num(n)))
		if i%7 == 0 || i == len(days)-1 {
			t, _ := time.Parse(time.DateOnly, d.Day)
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="11" fill="%s">%s</text>`,
				c1(x+slot*0.35), c1(chartH-14), inkColor, esc(fmt.Sprintf("%02d.%02d", t.Day(), int(t.Month()))))
		}
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// alertChart draws the day's alerts per oblast as horizontal bars, most
// first.
func alertChart(v *viewer, title string, rep dayReport) template.HTML {
	rows := slices.Clone(rep.Alerts)
	if len(rows) == 0 {
		return ""
	}
	slices.SortStableFunc(rows, func(a, b alertRow) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(b.Minutes, a.Minutes), cmp.Compare(a.Region, b.Region))
	})
	top := 0
	var parts []string
	for _, a := range rows {
		top = max(top, a.Count)
		parts = append(parts, v.T("chart.alerts.row", v.Region(a.Region), v.Num(a.Count), v.Num(int(math.Round(a.Minutes)))))
	}
	const rowH, label = 18.0, 170.0
	h := rowH*float64(len(rows)) + 8
	var b strings.Builder
	svgOpen(&b, chartW, h, title, strings.Join(parts, "; ")+".")
	scale := float64(niceMax(top))
	for i, a := range rows {
		y := 4 + float64(i)*rowH
		wid := (chartW - label - 60) * float64(a.Count) / scale
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" font-size="12" fill="%s">%s</text>`, c1(label-6), c1(y+13), inkColor, esc(v.Region(a.Region)))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#2f6f9f"><title>%s</title></rect>`,
			c1(label), c1(y+2), c1(wid), c1(rowH-5), esc(parts[i]))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" fill="%s">%s</text>`, c1(label+wid+4), c1(y+13), inkColor, esc(v.Num(a.Count)))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// timeline draws how many incidents started per hour (or per day, when
// they span more than three days).
func timeline(v *viewer, items []incidentJSON) template.HTML {
	if len(items) == 0 {
		return ""
	}
	lo, hi := items[0].Start, items[0].Start
	for _, it := range items {
		if it.Start.Before(lo) {
			lo = it.Start
		}
		if it.Start.After(hi) {
			hi = it.Start
		}
	}
	step, unit := time.Hour, "timeline.hour"
	if hi.Sub(lo) > 72*time.Hour {
		step, unit = 24*time.Hour, "timeline.day"
	}
	lo = lo.UTC().Truncate(step)
	n := int(hi.Sub(lo)/step) + 1
	if n > 400 { // a very long span: cut to the first 400 steps
		n = 400
	}
	counts := make([]int, n)
	for _, it := range items {
		if i := int(it.Start.Sub(lo) / step); i >= 0 && i < n {
			counts[i]++
		}
	}
	top, peak := 0, 0
	for i, c := range counts {
		if c > top {
			top, peak = c, i
		}
	}
	label := func(i int) string {
		t := lo.Add(time.Duration(i) * step)
		if step == time.Hour {
			return t.Format("02.01 15:04")
		}
		return t.Format("02.01.2006")
	}
	title := v.T("timeline.title", v.T(unit))
	desc := v.T("timeline.desc", v.Num(len(items)), label(0), label(n-1), v.Num(top), label(peak))
	var b strings.Builder
	svgOpen(&b, chartW, 140, title, desc)
	plotH, slot := 100.0, (chartW-chartPad)/float64(n)
	scale := niceMax(top)
	for _, f := range []float64{0, 1} {
		y := 10 + plotH*(1-f)
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, c1(chartPad), c1(chartW), c1(y), c1(y), ruleCol)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`, c1(chartPad-4), c1(y+4), inkColor, esc(v.Num(int(f*float64(scale)))))
	}
	for i, c := range counts {
		if c == 0 {
			continue
		}
		hgt := plotH * float64(c) / float64(scale)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#2f6f9f"><title>%s: %s</title></rect>`,
			c1(chartPad+float64(i)*slot), c1(10+plotH-hgt), c1(max(slot*0.8, 0.5)), c1(hgt), esc(label(i)), esc(v.Num(c)))
	}
	fmt.Fprintf(&b, `<text x="%s" y="130" font-size="11" fill="%s">%s</text>`, c1(chartPad), inkColor, esc(label(0)))
	fmt.Fprintf(&b, `<text x="%s" y="130" text-anchor="end" font-size="11" fill="%s">%s</text>`, c1(chartW), inkColor, esc(label(n-1)))
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
