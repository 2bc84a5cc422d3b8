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

// UCDPColumns are the event columns of UCDP's Georeferenced Event Dataset
// (GED, version 24.1), in GED's order.
var UCDPColumns = []string{
	"id", "relid", "year", "active_year", "code_status", "type_of_violence",
	"conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
	"side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
	"number_of_sources", "source_article", "source_office", "source_date", "source_headline", "source_original",
	"where_prec", "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
	"priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
	"deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
}

// UCDP names the two governments as GED does, with their Gleditsch–Ward
// country codes. Russia is side A of the interstate dyad.
const (
	ucdpSideA    = "Government of Russia (Soviet Union)"
	ucdpSideB    = "Government of Ukraine"
	ucdpGWA      = "365"
	ucdpGWB      = "369"
	ucdpConflict = "Russia - Ukraine"
	ucdpUkraine  = "369" // country_id: Gleditsch–Ward code
	stateBased   = "1"   // type_of_violence
	clearEvent   = "1"   // event_clarity: one event, not a summary
)

// UCDPWherePrec returns GED's where_prec: 1 located within 2 km (an exact
// place), 2 within 25 km of a known point, 4 only the first-order
// subdivision (oblast) known, 6 only the country, 7 at sea outside any
// subdivision (international waters). truce knows no second-order
// subdivisions and no linear features, so it never answers 3 or 5.
func UCDPWherePrec(inc *incident.Incident) int {
	if hasPoint(inc) {
		switch {
		case inc.RadiusM <= exactRadiusM:
			return 1
		case inc.RadiusM <= nearRadiusM:
			return 2
		}
	}
	switch {
	case inc.Region != "":
		return 4
	case hasPoint(inc) && inc.Domain == observation.Sea:
		return 7
	}
	return 6
}

// UCDPDatePrec returns GED's date_prec from the incident's span in
// calendar days (Kyiv time): 1 one day, 2 two to six days, 3 a week,
// 4 eight to thirty days, 5 longer.
func UCDPDatePrec(inc *incident.Incident) int {
	switch d := daySpan(inc); {
	case d <= 1:
		return 1
	case d <= 6:
		return 2
	case d <= 7:
		return 3
	case d <= 30:
		return 4
	}
	return 5
}

// PRIOGrid returns the PRIO-GRID cell (0.5° × 0.5°, numbered row by row
// from the south-west corner, starting at 1) holding a point.
func PRIOGrid(lat, lon float64) int {
	row := int(math.Floor((lat+90)/0.5)) + 1
	col := int(math.Floor((lon+180)/0.5)) + 1
	row = min(max(row, 1), 360)
	col = min(max(col, 1), 720)
	return (row-1)*720 + col
}

type ucdpWriter struct {
	w   *csv.Writer
	buf []byte
	row []string
	hdr bool
}

func newUCDP(w io.Writer) *ucdpWriter {
	return &ucdpWriter{w: csv.NewWriter(w), row: make([]string, len(UCDPColumns))}
}

func (u *ucdpWriter) header() error {
	if u.hdr {
		return nil
	}
	u.hdr = true
	return u.w.Write(UCDPColumns)
}

func (u *ucdpWriter) Write(inc *incident.Incident) error {
	if err := u.header(); err != nil {
		return fmt.Errorf("export: ucdp: %w", err)
	}
	r := u.row
	clear(r)
	start := localDay(inc.Start)
	r[0] = inc.ID     // id
	r[2] = start[:4]  // year
	r[5] = stateBased // type_of_violence
	if inc.AttributedTo == "RU" || inc.AttributedTo == "UA" {
		r[8] = ucdpConflict                   // conflict_name
		r[11] = ucdpSideA + " - " + ucdpSideB // dyad_name
		r[14], r[17] = ucdpSideA, ucdpSideB   // side_a, side_b
		r[47], r[48] = ucdpGWA, ucdpGWB       // gwnoa, gwnob
	}
	r[18] = strconv.Itoa(inc.Sources)        // number_of_sources
	r[19] = u.article(inc)                   // source_article
	r[24] = strconv.Itoa(UCDPWherePrec(inc)) // where_prec
	r[27] = region.Name(inc.Region)          // adm_1
	if hasPoint(inc) {
		lat, lon := coord(*inc.Lat), coord(*inc.Lon)
		r[29], r[30] = lat, lon                            // latitude, longitude
		r[31] = "POINT (" + lon + " " + lat + ")"          // geom_wkt
		r[32] = strconv.Itoa(PRIOGrid(*inc.Lat, *inc.Lon)) // priogrid_gid
	}
	r[33], r[34], r[35] = countryName, ucdpUkraine, worldRegion // country, country_id, region
	r[36] = clearEvent                                          // event_clarity
	r[37] = strconv.Itoa(UCDPDatePrec(inc))                     // date_prec
	r[38], r[39] = start, localDay(inc.End)                     // date_start, date_end
	for i := 40; i <= 46; i++ {
		r[i] = "0" // deaths_a … low: truce records no fatalities
	}
	if err := u.w.Write(r); err != nil {
		return fmt.Errorf("export: ucdp: %w", err)
	}
	return nil
}

// article describes the incident as GED's source_article, e.g. "truce
// incident …: drone, count low/best/high 10/12/15, corroborated, 2
// observations from 2 organisations".
func (u *ucdpWriter) article(inc *incident.Incident) string {
	b := append(u.buf[:0], "truce incident "...)
	b = append(b, inc.ID...)
	b = append(b, ": "...)
	b = append(b, inc.Kind...)
	b = append(b, ", count low/best/high "...)
	b = strconv.AppendInt(b, int64(inc.Count.Low), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(inc.Count.Best), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(inc.Count.High), 10)
	b = append(b, ", "...)
	b = append(b, inc.Status...)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, int64(len(inc.Observations)), 10)
	b = append(b, " observations from "...)
	b = strconv.AppendInt(b, int64(inc.Organizations), 10)
	b = append(b, " organisations"...)
	u.buf = b
	return string(b)
}

func (u *ucdpWriter) Close() error {
	if err := u.header(); err != nil {
		return fmt.Errorf("export: ucdp: %w", err)
	}
	u.w.Flush()
	if err := u.w.Error(); err != nil {
		return fmt.Errorf("export: ucdp: %w", err)
	}
	return nil
}
