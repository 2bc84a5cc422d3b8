package export

import (
	"io"
	"math"
	"strconv"
	"time"

	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/incident"
)

// Format names an export format.
type Format string

// The formats.
const (
	// ACLED is a CSV with exactly ACLED's columns and codes.
	ACLED Format = "acled"
	// UCDP is a CSV with UCDP GED's event columns.
	UCDP Format = "ucdp"
	// GeoJSON is an RFC 7946 FeatureCollection, one Feature per incident.
	GeoJSON Format = "geojson"
	// JSONL is one incident (DESIGN.md's Incident) per line.
	JSONL Format = "jsonl"
)

// Formats returns every format, in the order the documentation lists them.
func Formats() []Format { return []Format{ACLED, UCDP, GeoJSON, JSONL} }

// ParseFormat returns the format named s. It returns an error wrapping
// derrors.ErrInvalid (a *derrors.FieldError on "format") for an unknown name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", derrors.Invalid("format", "must be one of acled, ucdp, geojson, jsonl")
}

// ContentType is the media type of the format's output.
func (f Format) ContentType() string {
	switch f {
	case ACLED, UCDP:
		return "text/csv; charset=utf-8"
	case GeoJSON:
		return "application/geo+json"
	case JSONL:
		return "application/jsonl"
	}
	return "application/octet-stream"
}

// Ext is the usual file name extension of the format, with its dot.
func (f Format) Ext() string {
	switch f {
	case ACLED, UCDP:
		return ".csv"
	case GeoJSON:
		return ".geojson"
	case JSONL:
		return ".jsonl"
	}
	return ""
}

// Writer streams incidents in one format. Write writes one incident (which
// it does not keep); Close writes what ends the document (GeoJSON's closing
// brackets) and flushes, but does not close the underlying io.Writer. A
// Writer must be closed for its output to be complete; errors from the
// underlying io.Writer are returned by Write or Close, and after one the
// Writer is unusable.
type Writer interface {
	Write(inc *incident.Incident) error
	Close() error
}

// Options are choices every format shares.
type Options struct {
	// Generated is when the export was made: ACLED's timestamp column. Zero
	// means the Unix epoch, which keeps test output fixed; commands pass the
	// current time.
	Generated time.Time
}

// NewWriter returns a Writer of format f to w. It returns an error wrapping
// derrors.ErrInvalid for an unknown format.
func NewWriter(w io.Writer, f Format, opt Options) (Writer, error) {
	switch f {
	case ACLED:
		return newACLED(w, opt), nil
	case UCDP:
		return newUCDP(w), nil
	case GeoJSON:
		return newGeoJSON(w), nil
	case JSONL:
		return newJSONL(w), nil
	}
	_, err := ParseFormat(string(f))
	return nil, err
}

// Country facts: truce monitors a ceasefire in Ukraine, and its regions are
// Ukraine's first-level subdivisions (package region).
const (
	countryName = "Ukraine"
	isoNumeric  = "804" // ISO 3166-1 numeric
	worldRegion = "Europe"
)

// localDay returns the calendar day of t in Kyiv time, as YYYY-MM-DD.
func localDay(t time.Time) string { return t.In(airwar.Kyiv()).Format(time.DateOnly) }

// daySpan returns how many calendar days (Kyiv time) an incident spans:
// 1 when it starts and ends on the same day.
func daySpan(inc *incident.Incident) int {
	k := airwar.Kyiv()
	s, e := inc.Start.In(k), inc.End.In(k)
	sd := time.Date(s.Year(), s.Month(), s.Day(), 12, 0, 0, 0, time.UTC)
	ed := time.Date(e.Year(), e.Month(), e.Day(), 12, 0, 0, 0, time.UTC)
	return int(math.Round(ed.Sub(sd).Hours()/24)) + 1
}

// hasPoint reports whether the incident has a position.
func hasPoint(inc *incident.Incident) bool { return inc.Lat != nil && inc.Lon != nil }

// coord formats a latitude or longitude with at most 5 decimals (about a
// metre), without trailing zeros.
func coord(x float64) string { return strconv.FormatFloat(math.Round(x*1e5)/1e5, 'f', -1, 64) }

// Geographic precision thresholds on an incident's radius (metres).
const (
	exactRadiusM = 2_000  // a place: a village, a town's district, a site
	nearRadiusM  = 25_000 // near a place: UCDP's 25 km, ACLED's "nearby"
)
