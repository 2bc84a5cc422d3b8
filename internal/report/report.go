// Package report builds truce's daily report from domain values and
// renders it as JSON, Markdown or HTML.
//
// A report covers one calendar day in Kyiv time. Build takes the day's
// records (Input, which Load fetches from a store) and computes:
//
//   - the air figures from the Ukrainian Air Force's bulletins, each launch
//     counted once (airwar.DailyAir: every national row of the day; a
//     regional or other row only where no national bulletin's window
//     overlaps it), with every row listed as counted or overlapped;
//   - the air-raid alerts per oblast (airwar.DailyAlerts: region-wide
//     alerts only, official and volunteer reports of one alert fused, an
//     alert counted on the day it starts, its minutes clipped to the day);
//   - the sources, with their attribution and licence notes, and the notes
//     a reader needs not to misread a figure (a missing bulletin is not a
//     quiet night);
//   - the monitoring mission's incidents of the day, when the caller
//     supplies them (as the reader may see them): tables by domain, kind
//     and region with incidents and munitions (low/best/high), the notable
//     incidents, a list, and a map of them all.
//
// Renderer renders a Report: JSON (the contract), Markdown, and one HTML
// page with a print stylesheet, an oblast map coloured by alert minutes, a
// bar chart of the air figures and a map of the incidents, all inline SVG
// drawn from region.Boundaries (package mapsvg), with no external assets.
// Markdown and HTML are written in English, Ukrainian or Russian
// (Renderer.InLanguage, the catalogues in i18n/); JSON is the same in
// every language.
//
// The package holds no mutable state; a Renderer is safe for concurrent use.
package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"truce/internal/airwar"
	"truce/internal/region"
)

// Input is what a daily report is built from.
type Input struct {
	// Day is the report's day, in Kyiv time.
	Day airwar.Day
	// Bulletins holds the day's bulletin rows and every national row whose
	// window overlaps one of them (it may hold more). Load fetches these.
	Bulletins []airwar.Bulletin
	// Alerts holds the alerts that meet the day and those that may be
	// another feed's report of one of them (it may hold more).
	Alerts []airwar.Alert
	// Incidents are the monitoring mission's incidents of the day (those
	// starting on another day are ignored), each as the reader may see it.
	// IncidentsIncluded says whether they were supplied at all, and
	// IncidentsView which view they are (ViewStaff or ViewReleased;
	// ViewStaff if empty). Build picks the notable ones.
	Incidents         []IncidentSummary
	IncidentsIncluded bool
	IncidentsView     string
}

// Report is the daily report. Its JSON form is a contract: keys are only
// ever added.
type Report struct {
	Day      string `json:"day"`
	TimeZone string `json:"time_zone"`
	// Air is the day's air attack figures from the Air Force bulletins.
	Air Air `json:"air"`
	// Alerts lists, per oblast with a region-wide alert on the day, by
	// region code, the alerts and minutes under alert.
	Alerts      []AlertRow  `json:"alerts"`
	AlertTotals AlertTotals `json:"alert_totals"`
	// Bulletins lists the day's bulletin rows, each counted or not, with
	// the reason.
	Bulletins []BulletinRow `json:"bulletins"`
	// Incidents is the monitoring mission's section.
	Incidents Incidents `json:"incidents"`
	// Sources are the datasets the report draws on, with attribution.
	Sources []Source `json:"sources"`
	// Notes warn of what the figures do not say.
	Notes []string `json:"notes"`
	// Method states the rules the figures follow, a sentence each.
	Method []string `json:"method"`

	// all is every incident of the day, for the map (Items may be capped).
	all []IncidentSummary
}

// Air is the day's air figures.
type Air struct {
	Drones   airwar.Figures `json:"drones"`
	Missiles airwar.Figures `json:"missiles"`
	// Models breaks the counted rows down by weapon model.
	Models []ModelRow `json:"models"`
	// Regions are the oblasts the counted bulletins name as targets or
	// affected.
	Regions []RegionRef `json:"regions_named"`
	// BulletinsCounted and BulletinsOverlapped count the day's rows summed
	// and left out as overlapping a national bulletin.
	BulletinsCounted    int `json:"bulletins_counted"`
	BulletinsOverlapped int `json:"bulletins_overlapped"`
	// Reported is false when no bulletin row belongs to the day: the
	// figures are then missing, not zero.
	Reported bool `json:"reported"`
}

// ModelRow is the counted launches of one weapon model.
type ModelRow struct {
	Model      string `json:"model"`
	Kind       string `json:"kind"`
	Launched   int    `json:"launched"`
	Destroyed  int    `json:"destroyed"`
	Suppressed int    `json:"suppressed"`
}

// RegionRef names a subdivision.
type RegionRef struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

// AlertRow is one oblast's alerts on the day.
type AlertRow struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	// Count is the region-wide alerts that started on the day; Minutes the
	// time under alert during the day (overlaps once), to 0.1 min.
	Count   int     `json:"count"`
	Minutes float64 `json:"minutes"`
	// BothFeeds counts the day's alerts that both the official and the
	// volunteer feed reported (fused into one).
	BothFeeds int `json:"reported_by_both_feeds"`
}

// AlertTotals sums the alert rows.
type AlertTotals struct {
	Regions int `json:"regions"`
	Alerts  int `json:"alerts"`
	// SubRegional counts raion and hromada alerts that started on the
	// day; they are not in the oblast figures.
	SubRegional int `json:"sub_regional_alerts"`
	// Feeds are the alert feeds the figures come from.
	Feeds []string `json:"feeds"`
}

// BulletinRow is one bulletin row of the day.
type BulletinRow struct {
	ID    string `json:"id"`
	Model string `json:"model"`
	Kind  string `json:"kind"`
	// Start and End are the reporting window, RFC 3339 in Kyiv time.
	Start    string `json:"start"`
	End      string `json:"end"`
	DateOnly bool   `json:"date_only,omitempty"`
	// Command is national, regional or other; Issuer who posted it; Post
	// a link to the post.
	Command    string `json:"command"`
	Issuer     string `json:"issuer"`
	Post       string `json:"post"`
	Launched   int    `json:"launched"`
	Destroyed  int    `json:"destroyed"`
	Suppressed int    `json:"suppressed"`
	Counted    bool   `json:"counted"`
	// Reason says why an uncounted row was left out.
	Reason string `json:"reason,omitempty"`
}

// Incidents is the monitoring section: the mission's incidents of the day
// and the notable ones. Included is false when the report was built
// without monitoring data, which does not mean that nothing happened.
type Incidents struct {
	Included bool `json:"included"`
	// View is ViewStaff (every incident) or ViewReleased (those released
	// to the reader); empty when not included.
	View string `json:"view,omitempty"`
	// Items lists the day's incidents in time order: all of them, or, when
	// there are more than MaxListed, the MaxListed most significant, with
	// Omitted saying how many more there are. Total counts them all.
	Items   []IncidentSummary `json:"items"`
	Total   int               `json:"total"`
	Omitted int               `json:"omitted"`
	// Notable are the incidents the report singles out (see Method).
	Notable []IncidentSummary `json:"notable"`
	// Violations counts the incidents that breach an agreement in force.
	Violations int `json:"violations"`
	// ByDomain, ByKind and ByRegion count all the day's incidents, most
	// first; incidents without a region come last in ByRegion.
	ByDomain []CountRow `json:"by_domain"`
	ByKind   []CountRow `json:"by_kind"`
	ByRegion []CountRow `json:"by_region"`
}

// IncidentSummary is one incident as a daily report shows it. The
// incidents work fills it from its incidents, coarsened as the reader's
// tier requires (the public sees released incidents only, with coarsened
// locations); the report never reads observations itself.
type IncidentSummary struct {
	ID           string    `json:"id"`
	Domain       string    `json:"domain"`
	Kind         string    `json:"kind"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Region       string    `json:"region,omitempty"`
	Status       string    `json:"status"`
	CountLow     int       `json:"count_low"`
	CountBest    int       `json:"count_best"`
	CountHigh    int       `json:"count_high"`
	AttributedTo string    `json:"attributed_to,omitempty"`
	// Summary is a sentence on what happened, for notable incidents.
	Summary string `json:"summary,omitempty"`
	// Lat and Lon place the incident as the reader may see it (absent when
	// only a region is known or the location is withheld).
	Lat *float64 `json:"lat,omitempty"`
	Lon *float64 `json:"lon,omitempty"`
	// Sources counts the independent sources behind the incident.
	Sources int `json:"sources"`
	// Violation names the agreement term the incident breaches, if any.
	Violation *Violation `json:"violation,omitempty"`
}

// Source is a dataset the report draws on.
type Source struct {
	Name        string `json:"name"`
	Publisher   string `json:"publisher"`
	URL         string `json:"url"`
	Licence     string `json:"licence"`
	Attribution string `json:"attribution"`
	Note        string `json:"note,omitempty"`
}

// The sources truce's shipped data come from (data/*/SOURCE.md).
var (
	sourceBulletins = Source{
		Name:        "Massive Missile Attacks on Ukraine",
		Publisher:   "Petro Ivaniuk (Kaggle), digitised from the posts of the Air Force Command of the Armed Forces of Ukraine",
		URL:         "https://www.kaggle.com/datasets/piterfm/massive-missile-attacks-on-ukraine",
		Licence:     "attribution required; ODC-BY 1.0 according to a third-party mirror, not verified at the source",
		Attribution: "Petro Ivaniuk, Massive Missile Attacks on Ukraine, Kaggle; source: Air Force Command of the AFU",
		Note:        "The figures are one party's public statements, attributed as the bulletins attribute them.",
	}
	sourceOfficial = Source{
		Name:        "Ukrainian air raid sirens dataset (official alerts)",
		Publisher:   "Vadym Klymenko",
		URL:         "https://github.com/Vadimkin/ukrainian-air-raid-sirens-dataset",
		Licence:     "MIT",
		Attribution: "© 2022 Vadym Klymenko, ukrainian-air-raid-sirens-dataset (MIT)",
	}
	sourceVolunteer = Source{
		Name:        "Ukrainian air raid sirens dataset (volunteer alerts, eTryvoga)",
		Publisher:   "Vadym Klymenko",
		URL:         "https://github.com/Vadimkin/ukrainian-air-raid-sirens-dataset",
		Licence:     "MIT",
		Attribution: "© 2022 Vadym Klymenko, ukrainian-air-raid-sirens-dataset (MIT)",
	}
	sourceMerged = Source{
		Name:        "Air-raid alerts per oblast, overlapping intervals merged",
		Publisher:   "goodfrog33 (air-raid-forecasting-ukraine), from Vadym Klymenko's official alerts",
		URL:         "https://github.com/goodfrog33/air-raid-forecasting-ukraine",
		Licence:     "MIT (goodfrog33) and MIT (Vadym Klymenko); keep both notices",
		Attribution: "goodfrog33, air-raid-forecasting-ukraine (MIT); © 2022 Vadym Klymenko (MIT)",
		Note:        "A derived table: front-line oblasts are over-merged into alerts lasting weeks (Kharkiv has none in 2025).",
	}
	sourceBoundaries = Source{
		Name:        "geoBoundaries UKR ADM1 (simplified)",
		Publisher:   "geoBoundaries (William & Mary geoLab), from OpenStreetMap",
		URL:         "https://www.geoboundaries.org",
		Licence:     "ODbL 1.0",
		Attribution: "© OpenStreetMap contributors; geoBoundaries",
		Note:        "The oblast outlines of the HTML map.",
	}
)

// method is the rules the figures follow.
var method = []string{
	"A day is a calendar day in Kyiv time (Europe/Kyiv).",
	"A bulletin row belongs to the day on which its reporting window ends.",
	"Every national bulletin row (Air Force Command, General Staff) counts; a regional-command or other row counts only if no national bulletin's window overlaps its own, so no launch is counted twice.",
	"A row is a drone row only if every weapon model it names is a UAV in the weapon table; otherwise it counts as missiles (guided bombs and surface-to-air missiles included).",
	"Only region-wide (oblast-level) alerts count for an oblast; raion and hromada alerts do not.",
	"An official and a volunteer report of the same alert count once: same oblast, starts within 180 s, or starts within 15 min and ends within 180 s.",
	"An alert counts on the day it starts; its minutes are clipped to each day it spans, and overlapping alerts of an oblast add no minutes twice.",
	"Where the raw official feed covers the day, the derived merged alert table is not used for it.",
}

// Build computes the daily report from in. It is deterministic: the same
// input gives the same report.
func Build(in Input) Report {
	day := in.Day
	loc := airwar.Kyiv()
	r := Report{
		Day: day.String(), TimeZone: "Europe/Kyiv",
		Alerts: []AlertRow{}, Bulletins: []BulletinRow{}, Sources: []Source{}, Notes: []string{},
		Method: method,
	}
	r.Incidents, r.all = buildIncidents(in)
	r.Air = buildAir(in.Bulletins, day, &r.Bulletins)
	if r.Air.Reported {
		r.Sources = append(r.Sources, sourceBulletins)
	} else {
		r.Notes = append(r.Notes, "No Air Force bulletin in the database belongs to this day: the air figures are missing, not zero.")
	}
	feeds := buildAlerts(&r, in.Alerts, day, loc)
	for _, f := range feeds {
		switch f {
		case airwar.FeedOfficial:
			r.Sources = append(r.Sources, sourceOfficial)
		case airwar.FeedVolunteer:
			r.Sources = append(r.Sources, sourceVolunteer)
		case airwar.FeedMerged2025:
			r.Sources = append(r.Sources, sourceMerged)
			r.Notes = append(r.Notes, "Alerts come from a derived table that merges overlapping alerts of an oblast; counts and minutes of front-line oblasts are unreliable (Kharkiv has no alert in it in 2025).")
		}
	}
	if len(feeds) == 0 {
		r.Notes = append(r.Notes, "No air-raid alert data in the database covers this day: the alert figures are missing, not zero.")
	} else {
		r.Notes = append(r.Notes, "Luhansk Oblast and Crimea have been under permanent alert since 2022 and are not in the alert feeds.")
	}
	switch {
	case !r.Incidents.Included:
		r.Notes = append(r.Notes, "This report does not include the monitoring mission's incidents.")
	case r.Incidents.View == ViewReleased:
		r.Notes = append(r.Notes, "Only the monitoring mission's incidents released to this report's readers are shown, as they are released (locations may be coarsened); incidents still under review are not, so few or none does not mean a quiet day.")
		r.Method = append(slices.Clone(method), notableMethod...)
	default:
		r.Method = append(slices.Clone(method), notableMethod...)
	}
	r.Sources = append(r.Sources, sourceBoundaries)
	return r
}

func buildAir(bulletins []airwar.Bulletin, day airwar.Day, rows *[]BulletinRow) Air {
	ad := airwar.DailyAir(bulletins, day)
	a := Air{Drones: ad.Drones, Missiles: ad.Missiles, Models: []ModelRow{}, Regions: []RegionRef{},
		BulletinsCounted: len(ad.Counted), BulletinsOverlapped: len(ad.Overlapped)}
	a.Reported = len(ad.Counted)+len(ad.Overlapped) > 0
	counted := map[string]bool{}
	for _, id := range ad.Counted {
		counted[id] = true
	}
	models := map[[2]string]*ModelRow{}
	var regions []string
	for _, b := range bulletins {
		if b.Day != day {
			continue
		}
		row := BulletinRow{
			ID: b.ID, Model: b.Model, Kind: string(b.Kind),
			Start: b.Start.In(airwar.Kyiv()).Format(time.RFC3339), End: b.End.In(airwar.Kyiv()).Format(time.RFC3339), DateOnly: b.DateOnly,
			Command: string(b.Command), Issuer: issuer(b.Page), Post: postURL(b.Source),
			Launched: b.Launched, Destroyed: b.Destroyed, Suppressed: b.Suppressed, Counted: counted[b.ID],
		}
		if !row.Counted {
			row.Reason = "overlaps the window of a national bulletin, which counts these launches"
		} else {
			k := [2]string{string(b.Kind), b.Model}
			m := models[k]
			if m == nil {
				m = &ModelRow{Model: b.Model, Kind: string(b.Kind)}
				models[k] = m
			}
			m.Launched += b.Launched
			m.Destroyed += b.Destroyed
			m.Suppressed += b.Suppressed
			for _, c := range b.Regions {
				if !slices.Contains(regions, c) {
					regions = append(regions, c)
				}
			}
		}
		*rows = append(*rows, row)
	}
	slices.SortStableFunc(*rows, func(x, y BulletinRow) int {
		return cmp.Or(cmp.Compare(x.End, y.End), cmp.Compare(commandRank(x.Command), commandRank(y.Command)),
			cmp.Compare(x.Kind, y.Kind), cmp.Compare(y.Launched, x.Launched), cmp.Compare(x.Model, y.Model), cmp.Compare(x.ID, y.ID))
	})
	for _, m := range models {
		a.Models = append(a.Models, *m)
	}
	slices.SortFunc(a.Models, func(x, y ModelRow) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(y.Launched, x.Launched), cmp.Compare(x.Model, y.Model))
	})
	slices.Sort(regions)
	for _, c := range regions {
		a.Regions = append(a.Regions, RegionRef{Region: c, Name: region.Name(c)})
	}
	return a
}

func commandRank(c string) int {
	switch airwar.Command(c) {
	case airwar.CommandNational:
		return 0
	case airwar.CommandRegional:
		return 1
	}
	return 2
}

// issuer names the page that posted a bulletin.
func issuer(page string) string {
	switch strings.ToLower(page) {
	case "kpszsu":
		return "Air Force Command of the Armed Forces of Ukraine"
	case "generalstaff.ua":
		return "General Staff of the Armed Forces of Ukraine"
	case "pvkpivden":
		return "Air Command South"
	case "pvkshid":
		return "Air Command East"
	case "pvkzahid":
		return "Air Command West"
	case "pvkcentr":
		return "Air Command Centre"
	}
	return page
}

// postURL turns a bulletin's source into a link: "kpszsu/posts/…" is a
// Facebook post; a URL stays as it is.
func postURL(source string) string {
	if strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://") || source == "" {
		return source
	}
	return "https://www.facebook.com/" + source
}

// buildAlerts fills the alert rows and totals and returns the feeds used.
func buildAlerts(r *Report, alerts []airwar.Alert, day airwar.Day, loc *time.Location) []airwar.Feed {
	from, to := day.Start(loc), day.End(loc)
	meets := func(a airwar.Alert) bool { return a.Start.Before(to) && a.End.After(from) }
	// The raw official feed, where it covers the day, replaces the merged
	// table (which is derived from it).
	raw := false
	for _, a := range alerts {
		if a.Feed == airwar.FeedOfficial && meets(a) {
			raw = true
			break
		}
	}
	var use []airwar.Alert
	var feeds []airwar.Feed
	for _, a := range alerts {
		if raw && a.Feed == airwar.FeedMerged2025 {
			continue
		}
		use = append(use, a)
		if meets(a) && !slices.Contains(feeds, a.Feed) {
			feeds = append(feeds, a.Feed)
		}
		if !a.RegionWide() && !a.Start.Before(from) && a.Start.Before(to) {
			r.AlertTotals.SubRegional++
		}
	}
	slices.Sort(feeds)
	r.AlertTotals.Feeds = []string{}
	for _, f := range feeds {
		r.AlertTotals.Feeds = append(r.AlertTotals.Feeds, string(f))
	}
	var wide []airwar.Alert
	for _, a := range use {
		if a.RegionWide() {
			wide = append(wide, a)
		}
	}
	fused := airwar.Fuse(wide, airwar.DefaultTolerance())
	both := map[string]int{}
	for _, a := range fused {
		if len(a.Feeds) > 1 && !a.Start.Before(from) && a.Start.Before(to) {
			both[a.Region]++
		}
	}
	for _, d := range airwar.DailyAlerts(fused, day, loc) {
		r.Alerts = append(r.Alerts, AlertRow{Region: d.Region, Name: d.Name, Count: d.Count,
			Minutes: math.Round(d.Minutes*10) / 10, BothFeeds: both[d.Region]})
		r.AlertTotals.Alerts += d.Count
	}
	r.AlertTotals.Regions = len(r.Alerts)
	return feeds
}

// String returns a one-line headline of the report.
func (r Report) String() string {
	if !r.Air.Reported {
		return fmt.Sprintf("%s: no Air Force bulletin; %d alerts in %d oblasts", r.Day, r.AlertTotals.Alerts, r.AlertTotals.Regions)
	}
	return fmt.Sprintf("%s: %d drones and %d missiles launched, %d and %d downed; %d alerts in %d oblasts", r.Day,
		r.Air.Drones.Launched, r.Air.Missiles.Launched, r.Air.Drones.Destroyed, r.Air.Missiles.Destroyed, r.AlertTotals.Alerts, r.AlertTotals.Regions)
}
