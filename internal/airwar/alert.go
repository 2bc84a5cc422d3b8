package airwar

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"truce/internal/region"
)

// Feed is the source of an alert.
type Feed string

// The alert feeds truce reads.
const (
	// FeedOfficial is the official alert feed (oblast, raion and hromada
	// level), columns oblast,raion,hromada,level,started_at,finished_at,source.
	FeedOfficial Feed = "official"
	// FeedVolunteer is the volunteer (eTryvoga) feed, oblast level only,
	// columns region,started_at,finished_at,naive.
	FeedVolunteer Feed = "volunteer"
	// FeedMerged2025 is the derived 2025 table of official alerts with
	// overlapping intervals merged per oblast, columns
	// region,started_at_utc,finished_at_utc,n_subalerts,duration_minutes.
	FeedMerged2025 Feed = "merged2025"
)

// Level is the administrative level an alert was declared at.
type Level string

// The alert levels. Only LevelOblast alerts are region-wide; the others
// cover part of an oblast and never count in oblast figures.
const (
	LevelOblast  Level = "oblast"
	LevelRaion   Level = "raion"
	LevelHromada Level = "hromada"
)

// Alert is one air-raid alert.
type Alert struct {
	// ID is a name-based UUID of the alert's row (feed and content). A
	// fused alert keeps its official ID.
	ID string
	// Line is the row's line in the file it was read from.
	Line int
	// Feed is the feed the alert was read from.
	Feed Feed
	// Region is the ISO 3166-2 code of the oblast (or city with oblast
	// status) the alert is in.
	Region string
	// Level is oblast for a region-wide alert; raion or hromada for a
	// sub-regional one, which then names its Raion and Hromada.
	Level          Level
	Raion, Hromada string
	// Start and End bound the alert, in UTC.
	Start, End time.Time
	// Naive is set on volunteer alerts whose end was never seen; their End
	// is Start + 30 min, a guess.
	Naive bool
	// SubAlerts is, for merged2025 alerts, how many raw alerts were merged.
	SubAlerts int
	// Feeds lists the feeds that reported the alert: one feed, or, after
	// Fuse matched it, official and volunteer. Matched is then the
	// absorbed volunteer alert's ID.
	Feeds   []Feed
	Matched string
}

// RegionWide reports whether the alert covers its whole oblast.
func (a Alert) RegionWide() bool { return a.Level == LevelOblast }

// AlertReader reads one of the three alert layouts row by row.
type AlertReader struct {
	t    *table
	feed Feed
}

// NewAlertReader reads the header of an alert file and tells its layout
// (official, volunteer or merged2025) by its columns. It returns an error
// wrapping ErrLayout for any other header.
func NewAlertReader(r io.Reader) (*AlertReader, error) {
	t, err := newTable(r)
	if err != nil {
		return nil, fmt.Errorf("airwar: alerts: %w", err)
	}
	ar := &AlertReader{t: t}
	switch {
	case t.has("oblast", "level", "started_at", "finished_at"):
		ar.feed = FeedOfficial
	case t.has("region", "started_at", "finished_at", "naive"):
		ar.feed = FeedVolunteer
	case t.has("region", "started_at_utc", "finished_at_utc"):
		ar.feed = FeedMerged2025
	default:
		return nil, fmt.Errorf("airwar: alerts: header %q is not an official, volunteer or merged alert file: %w", t.header, ErrLayout)
	}
	return ar, nil
}

// Feed returns the layout NewAlertReader recognised.
func (ar *AlertReader) Feed() Feed { return ar.feed }

// Read returns the next alert. At the end it returns io.EOF. For a bad row
// (unknown oblast, unknown level, unparseable time, end before start) it
// returns a *RowError; the caller may go on calling Read. Any other error
// is fatal.
func (ar *AlertReader) Read() (Alert, error) {
	row, err := ar.t.next()
	if err != nil {
		return Alert{}, err
	}
	return ar.parse(row)
}

// ReadAlerts reads a whole alert file of any of the three layouts: the good
// alerts in file order and a *RowError for each bad row. The error is
// non-nil only if the file cannot be read or its layout is unknown.
func ReadAlerts(r io.Reader) ([]Alert, []*RowError, error) {
	ar, err := NewAlertReader(r)
	if err != nil {
		return nil, nil, err
	}
	var out []Alert
	var bad []*RowError
	for {
		a, err := ar.Read()
		if errors.Is(err, io.EOF) {
			return out, bad, nil
		}
		if re, ok := errors.AsType[*RowError](err); ok {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return out, bad, fmt.Errorf("airwar: alerts: %w", err)
		}
		out = append(out, a)
	}
}

func (ar *AlertReader) parse(row row) (Alert, error) {
	a := Alert{Line: row.line, Feed: ar.feed, Level: LevelOblast, Feeds: []Feed{ar.feed}}
	regionCol, startCol, endCol := "region", "started_at", "finished_at"
	if ar.feed == FeedOfficial {
		regionCol = "oblast"
	}
	if ar.feed == FeedMerged2025 {
		startCol, endCol = "started_at_utc", "finished_at_utc"
	}
	name := row.get(regionCol)
	code, ok := region.Code(name)
	if !ok {
		return Alert{}, row.errorf(regionCol, "unknown oblast %q", name)
	}
	a.Region = code
	var err error
	if a.Start, err = parseUTC(row.get(startCol)); err != nil {
		return Alert{}, row.errorf(startCol, "%w", err)
	}
	if a.End, err = parseUTC(row.get(endCol)); err != nil {
		return Alert{}, row.errorf(endCol, "%w", err)
	}
	if a.End.Before(a.Start) {
		return Alert{}, row.errorf(endCol, "alert ends before it starts")
	}
	switch ar.feed {
	case FeedOfficial:
		a.Raion, a.Hromada = row.get("raion"), row.get("hromada")
		switch lv := Level(strings.ToLower(row.get("level"))); lv {
		case LevelOblast, LevelRaion, LevelHromada:
			a.Level = lv
		default:
			return Alert{}, row.errorf("level", "unknown level %q", row.get("level"))
		}
	case FeedVolunteer:
		switch v := strings.ToLower(row.get("naive")); v {
		case "true":
			a.Naive = true
		case "false", "":
		default:
			return Alert{}, row.errorf("naive", "%q is not True or False", row.get("naive"))
		}
	case FeedMerged2025:
		if s := row.get("n_subalerts"); s != "" {
			if a.SubAlerts, err = strconv.Atoi(s); err != nil || a.SubAlerts < 0 {
				return Alert{}, row.errorf("n_subalerts", "%q is not a count", s)
			}
		}
	}
	a.ID = nameUUID("alert", string(a.Feed), a.Region, string(a.Level), a.Raion, a.Hromada,
		a.Start.Format(time.RFC3339), a.End.Format(time.RFC3339), strconv.FormatBool(a.Naive), strconv.Itoa(a.SubAlerts))
	return a, nil
}

// parseUTC parses the feeds' timestamps: "2024-01-01 00:20:05+00:00" and
// RFC 3339 "2025-04-01T00:09:49Z"; a time without offset is UTC.
func parseUTC(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	for _, layout := range []string{"2006-01-02 15:04:05Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
}
