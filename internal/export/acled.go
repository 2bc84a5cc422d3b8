package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/region"
)

// ACLEDColumns are ACLED's columns, in ACLED's order.
var ACLEDColumns = []string{
	"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
	"actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
	"iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
	"source", "source_scale", "notes", "fatalities", "tags", "timestamp",
}

// ACLED's disorder types, event types and sub-event types used here.
const (
	disorderPolitical = "Political violence"
	disorderStrategic = "Strategic developments"

	eventBattles   = "Battles"
	eventRemote    = "Explosions/Remote violence"
	eventStrategic = "Strategic developments"

	subArmedClash = "Armed clash"
	subAirDrone   = "Air/drone strike"
	subShelling   = "Shelling/artillery/missile attack"
	subRemoteIED  = "Remote explosive/landmine/IED"
	subChange     = "Change to group/activity"
	subOther      = "Other"
)

// ACLEDEvent is how an incident kind is coded in ACLED's typology.
type ACLEDEvent struct {
	Disorder, Event, SubEvent string
}

// acledEvents maps every kind in the observation vocabulary; see
// docs/export.md for the reasons.
var acledEvents = map[observation.Kind]ACLEDEvent{
	// land
	"explosion":              {disorderPolitical, eventRemote, subShelling},
	"artillery":              {disorderPolitical, eventRemote, subShelling},
	"mortar":                 {disorderPolitical, eventRemote, subShelling},
	"mlrs":                   {disorderPolitical, eventRemote, subShelling},
	"tank_fire":              {disorderPolitical, eventRemote, subShelling},
	"small_arms":             {disorderPolitical, eventBattles, subArmedClash},
	"ground_assault":         {disorderPolitical, eventBattles, subArmedClash},
	"mine":                   {disorderPolitical, eventRemote, subRemoteIED},
	"heavy_weapons_movement": {disorderStrategic, eventStrategic, subChange},
	// air
	"drone":              {disorderPolitical, eventRemote, subAirDrone},
	"missile":            {disorderPolitical, eventRemote, subAirDrone},
	"guided_bomb":        {disorderPolitical, eventRemote, subAirDrone},
	"air_strike":         {disorderPolitical, eventRemote, subAirDrone},
	"airspace_violation": {disorderStrategic, eventStrategic, subOther},
	// sea
	"naval_strike":  {disorderPolitical, eventRemote, subShelling},
	"naval_drone":   {disorderPolitical, eventRemote, subAirDrone},
	"mine_laying":   {disorderStrategic, eventStrategic, subChange},
	"ship_movement": {disorderStrategic, eventStrategic, subChange},
}

// ACLEDEventOf returns the ACLED coding of an incident kind. An unknown
// kind (not in the observation vocabulary) is coded as a strategic
// development of type "Other".
func ACLEDEventOf(k observation.Kind) ACLEDEvent {
	if e, ok := acledEvents[k]; ok {
		return e
	}
	return ACLEDEvent{disorderStrategic, eventStrategic, subOther}
}

// ACLED actors and their inter codes (ACLED's numeric actor types: 1 state
// forces, 3 political militias — where ACLED files unidentified armed
// groups — 8 external/other forces, which is how ACLED codes a foreign
// state's forces acting in Ukraine).
const (
	actorRU           = "Military Forces of Russia (2000-)"
	actorUA           = "Military Forces of Ukraine (2019-)"
	actorUnidentified = "Unidentified Armed Group (Ukraine)"
	interState        = 1
	interMilitia      = 3
	interExternal     = 8
)

// ACLEDActor returns the ACLED actor name and inter code for a party code
// (an incident's attributed_to). Only RU and UA are named; any other code,
// or none, is ACLED's unidentified armed group.
func ACLEDActor(party string) (name string, inter int) {
	switch party {
	case "RU":
		return actorRU, interExternal
	case "UA":
		return actorUA, interState
	}
	return actorUnidentified, interMilitia
}

// opponent is the other side of an armed clash: the party the attributed
// one fought. Without an attribution it is unknown.
func opponent(party string) string {
	switch party {
	case "RU":
		return "UA"
	case "UA":
		return "RU"
	}
	return ""
}

// ACLEDInteraction returns ACLED's interaction code: the two inter codes,
// the smaller first (18), or ten times the only one (10, 30, 80).
func ACLEDInteraction(inter1, inter2 int) int {
	if inter2 == 0 {
		return inter1 * 10
	}
	return min(inter1, inter2)*10 + max(inter1, inter2)
}

// ACLEDGeoPrecision returns ACLED's geo_precision: 1 when the incident is
// located within 2 km (a place), 2 within 25 km (near a place, or part of
// a district), 3 otherwise and for incidents known only by their region.
func ACLEDGeoPrecision(inc *incident.Incident) int {
	switch {
	case !hasPoint(inc):
		return 3
	case inc.RadiusM <= exactRadiusM:
		return 1
	case inc.RadiusM <= nearRadiusM:
		return 2
	}
	return 3
}

// ACLEDTimePrecision returns ACLED's time_precision: 1 when the incident
// starts and ends on one day (Kyiv time), 2 when it spans at most a week,
// 3 when longer (ACLED's "month").
func ACLEDTimePrecision(inc *incident.Incident) int {
	switch d := daySpan(inc); {
	case d <= 1:
		return 1
	case d <= 7:
		return 2
	}
	return 3
}

// notes describes what the ACLED columns cannot hold, e.g. "drone (air),
// 2025-06-01 01:23:45 to 2025-06-01 01:27:45 UTC. Count low/best/high
// 10/12/15. Status corroborated. Attributed to RU, medium confidence. 2
// observations, 3 independent sources, 2 organisations; within 1800 m.
// truce incident …." It appends to the writer's buffer, since it runs for
// every row.
func (a *acledWriter) notes(inc *incident.Incident) string {
	const stamp = "2006-01-02 15:04:05"
	b := a.buf[:0]
	b = append(b, inc.Kind...)
	b = append(b, " ("...)
	b = append(b, inc.Domain...)
	b = append(b, "), "...)
	b = inc.Start.UTC().AppendFormat(b, stamp)
	b = append(b, " to "...)
	b = inc.End.UTC().AppendFormat(b, stamp)
	b = append(b, " UTC. Count low/best/high "...)
	b = strconv.AppendInt(b, int64(inc.Count.Low), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(inc.Count.Best), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(inc.Count.High), 10)
	b = append(b, ". Status "...)
	b = append(b, inc.Status...)
	if inc.StatusReason != "" {
		b = append(b, " ("...)
		b = append(b, inc.StatusReason...)
		b = append(b, ')')
	}
	if inc.AttributedTo != "" {
		b = append(b, ". Attributed to "...)
		b = append(b, inc.AttributedTo...)
		b = append(b, ", "...)
		b = append(b, inc.AttributionConfidence...)
		b = append(b, " confidence. "...)
	} else {
		b = append(b, ". Not attributed. "...)
	}
	b = strconv.AppendInt(b, int64(len(inc.Observations)), 10)
	b = append(b, " observations, "...)
	b = strconv.AppendInt(b, int64(inc.Sources), 10)
	b = append(b, " independent sources, "...)
	b = strconv.AppendInt(b, int64(inc.Organizations), 10)
	b = append(b, " organisations"...)
	if hasPoint(inc) {
		b = append(b, "; within "...)
		b = strconv.AppendFloat(b, math.Round(inc.RadiusM), 'f', 0, 64)
		b = append(b, " m"...)
	}
	if v := inc.Violation; v != nil {
		b = append(b, "; violates agreement "...)
		b = append(b, v.Agreement...)
		b = append(b, " term "...)
		b = append(b, v.Term...)
	}
	b = append(b, ". truce incident "...)
	b = append(b, inc.ID...)
	b = append(b, '.')
	a.buf = b
	return string(b)
}

type acledWriter struct {
	w   *csv.Writer
	buf []byte
	ts  string
	row []string
	hdr bool
}

func newACLED(w io.Writer, opt Options) *acledWriter {
	ts := "0"
	if !opt.Generated.IsZero() {
		ts = strconv.FormatInt(opt.Generated.Unix(), 10)
	}
	return &acledWriter{w: csv.NewWriter(w), ts: ts, row: make([]string, len(ACLEDColumns))}
}

func (a *acledWriter) header() error {
	if a.hdr {
		return nil
	}
	a.hdr = true
	return a.w.Write(ACLEDColumns)
}

func (a *acledWriter) Write(inc *incident.Incident) error {
	if err := a.header(); err != nil {
		return fmt.Errorf("export: acled: %w", err)
	}
	ev := ACLEDEventOf(inc.Kind)
	actor1, inter1 := ACLEDActor(inc.AttributedTo)
	actor2, inter2 := "", 0
	if ev.Event == eventBattles {
		if p := opponent(inc.AttributedTo); p != "" {
			actor2, inter2 = ACLEDActor(p)
		}
	}
	lat, lon := "", ""
	if hasPoint(inc) {
		lat, lon = coord(*inc.Lat), coord(*inc.Lon)
	}
	tags := "status=" + string(inc.Status)
	if inc.AttributionConfidence != "" {
		tags += "; attribution confidence=" + string(inc.AttributionConfidence)
	}
	r := a.row
	r[0] = "UKR-" + inc.ID                                // event_id_cnty
	r[1] = localDay(inc.Start)                            // event_date
	r[2] = r[1][:4]                                       // year
	r[3] = strconv.Itoa(ACLEDTimePrecision(inc))          // time_precision
	r[4], r[5], r[6] = ev.Disorder, ev.Event, ev.SubEvent // disorder_type, event_type, sub_event_type
	r[7], r[8], r[9] = actor1, "", strconv.Itoa(inter1)   // actor1, assoc_actor_1, inter1
	r[10], r[11], r[12] = actor2, "", ""                  // actor2, assoc_actor_2, inter2
	if inter2 != 0 {
		r[12] = strconv.Itoa(inter2)
	}
	r[13] = strconv.Itoa(ACLEDInteraction(inter1, inter2))     // interaction
	r[14] = ""                                                 // civilian_targeting
	r[15], r[16], r[17] = isoNumeric, worldRegion, countryName // iso, region, country
	r[18], r[19], r[20] = region.Name(inc.Region), "", ""      // admin1, admin2, admin3
	r[21] = ""                                                 // location
	r[22], r[23] = lat, lon                                    // latitude, longitude
	r[24] = strconv.Itoa(ACLEDGeoPrecision(inc))               // geo_precision
	r[25] = "truce"                                            // source
	r[26] = ""                                                 // source_scale
	r[27] = a.notes(inc)                                       // notes
	r[28] = "0"                                                // fatalities
	r[29] = tags                                               // tags
	r[30] = a.ts                                               // timestamp
	if err := a.w.Write(r); err != nil {
		return fmt.Errorf("export: acled: %w", err)
	}
	return nil
}

func (a *acledWriter) Close() error {
	if err := a.header(); err != nil {
		return fmt.Errorf("export: acled: %w", err)
	}
	a.w.Flush()
	if err := a.w.Error(); err != nil {
		return fmt.Errorf("export: acled: %w", err)
	}
	return nil
}
