package web

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"
)

// event is one moment in an incident's history as its page lists it.
type event struct {
	At   time.Time
	Kind string // "observation", "decision" or "finding"
	Text string
}

// incidentEvents returns the incident's history in time order: the
// observations the viewer may read (when observed), the analysts'
// decisions on them, and the findings on it (when written), each as the
// API showed it to the viewer.
func incidentEvents(v *viewer, d *incidentData) []event {
	var evs []event
	for _, o := range d.Observations {
		who := o.Organization
		if o.Party != "" {
			who = v.T("incident.allegation", o.Party)
		}
		evs = append(evs, event{At: o.ObservedAt, Kind: "observation",
			Text: v.T("timeline.event.observation", v.T("kind."+o.Kind), v.T("source."+o.Source), who)})
	}
	for _, dc := range d.Decisions {
		what := v.T("decision." + dc.Kind)
		if dc.Status != "" {
			what += ": " + v.T("status."+dc.Status)
		}
		if dc.AttributedTo != "" {
			what += ": " + dc.AttributedTo
		}
		evs = append(evs, event{At: dc.At, Kind: "decision", Text: v.T("timeline.event.decision", what, dc.Author)})
	}
	for _, f := range d.Findings {
		// Each transition the viewer may see; else when it was written.
		for _, e := range f.Events {
			evs = append(evs, event{At: e.At, Kind: "finding", Text: v.T("timeline.event.finding", f.Party, v.T("finding."+e.To))})
		}
		if len(f.Events) == 0 && !f.CreatedAt.IsZero() {
			evs = append(evs, event{At: f.CreatedAt, Kind: "finding", Text: v.T("timeline.event.finding", f.Party, v.T("finding."+f.State))})
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.At.Compare(b.At) })
	return evs
}

// eventColours mark the kinds of event on the strip (Okabe and Ito's
// palette, as the maps; the kind is also written in the list).
var eventColours = map[string]string{"observation": "#0072b2", "decision": "#d55e00", "finding": "#009e73"}

// eventStrip draws the incident's events on one time axis: observations,
// decisions and findings as marks of their own shape and colour, the
// incident's span as a bar. Its text alternative counts each kind and
// names the span; the list under it says each event.
func eventStrip(v *viewer, inc incidentJSON, evs []event) template.HTML {
	if len(evs) == 0 {
		return ""
	}
	lo, hi := evs[0].At, evs[len(evs)-1].At
	if !inc.Start.IsZero() && inc.Start.Before(lo) {
		lo = inc.Start
	}
	if inc.End.After(hi) {
		hi = inc.End
	}
	span := hi.Sub(lo)
	if span <= 0 {
		span = time.Minute
	}
	const h, left, right = 70.0, 12.0, 12.0
	x := func(t time.Time) float64 { return left + (chartW-left-right)*float64(t.Sub(lo))/float64(span) }
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.Kind]++
	}
	title := v.T("timeline.incident.title")
	desc := v.T("timeline.incident.desc", v.Time(lo), v.Time(hi), v.Num(counts["observation"]), v.Num(counts["decision"]), v.Num(counts["finding"]))
	var b strings.Builder
	svgOpen(&b, chartW, h, title, desc)
	fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="30" y2="30" stroke="%s" stroke-width="1"/>`, c1(left), c1(chartW-right), ruleCol)
	if !inc.Start.IsZero() {
		x0, x1 := x(inc.Start), x(cmp.Or(inc.End, inc.Start))
		fmt.Fprintf(&b, `<rect x="%s" y="26" width="%s" height="8" fill="#e8e8e3"><title>%s</title></rect>`,
			c1(x0), c1(max(x1-x0, 2)), esc(v.T("timeline.incident.span", v.Time(inc.Start), v.Time(inc.End))))
	}
	for _, e := range evs {
		cx, fill := x(e.At), eventColours[e.Kind]
		tip := esc(v.Time(e.At) + ": " + e.Text)
		switch e.Kind {
		case "decision":
			fmt.Fprintf(&b, `<rect x="%s" y="11" width="8" height="8" fill="%s"><title>%s</title></rect>`, c1(cx-4), fill, tip)
		case "finding":
			fmt.Fprintf(&b, `<path d="M%s 42l5 5l-5 5l-5 -5z" fill="%s"><title>%s</title></path>`, c1(cx), fill, tip)
		default:
			fmt.Fprintf(&b, `<circle cx="%s" cy="30" r="4" fill="%s"><title>%s</title></circle>`, c1(cx), fill, tip)
		}
	}
	fmt.Fprintf(&b, `<text x="%s" y="66" font-size="11" fill="%s">%s</text>`, c1(left), inkColor, esc(v.Time(lo)))
	fmt.Fprintf(&b, `<text x="%s" y="66" text-anchor="end" font-size="11" fill="%s">%s</text>`, c1(chartW-right), inkColor, esc(v.Time(hi)))
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
