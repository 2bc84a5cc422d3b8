package airwar

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce/internal/region"
)

// Command is the level of the air command that issued a bulletin.
type Command string

// The commands. See the package comment for how each counts in daily
// figures.
const (
	// CommandNational is the Air Force Command (page kpszsu) or the General
	// Staff (GeneralStaff.ua): the country-wide bulletins.
	CommandNational Command = "national"
	// CommandRegional is a regional air command (pages PvK…/pvk…, e.g.
	// PvKPivden, Air Command South), or a row whose target is a direction.
	CommandRegional Command = "regional"
	// CommandOther is any other source (a Telegram channel, a news site).
	CommandOther Command = "other"
)

// Bulletin is one row of the Air Force bulletin table: the launches of one
// weapon model (or of several models the bulletin lumped together) in one
// reporting window.
type Bulletin struct {
	// ID is a name-based UUID of the row's content: the same row read
	// again, from any copy of the file, has the same ID.
	ID string
	// Line is the row's line in the file it was read from.
	Line int
	// Start and End bound the reporting window, in Europe/Kyiv.
	// A window given as dates only runs from 00:00 of the start date to
	// 00:00 after the end date, and DateOnly is set.
	Start, End time.Time
	DateOnly   bool
	// Day is the Kyiv date on which the window ends (for a date-only
	// window, its end date): the day the bulletin's figures belong to.
	Day Day
	// Kind is drone or missile, from Model by the weapon table (Classify).
	Kind Kind
	// Model is the weapon model as written ("Shahed-136/131",
	// "X-101/X-555 and Iskander-K").
	Model string
	// UnknownModels lists the parts of Model the weapon table lacks.
	UnknownModels []string
	// Launched, Destroyed, Suppressed ("not_reach_goal": lost to
	// electronic warfare) and StillAttacking are the bulletin's counts;
	// an empty cell is 0.
	Launched, Destroyed, Suppressed, StillAttacking int
	// HitLocations and DebrisLocations count the places hit and the places
	// where debris fell, when the bulletin gives them.
	HitLocations, DebrisLocations int
	// LaunchPlaces are the launch areas ("Kursk oblast", "Primorsko-Akhtarsk").
	LaunchPlaces []string
	// Target is the target as written: "Ukraine" for national bulletins,
	// a direction ("south") or an oblast or city. TargetMain is the main
	// target, when named.
	Target, TargetMain string
	// Regions are the ISO 3166-2 codes of the oblasts and cities named in
	// target, target_main and "affected region", sorted, without repeats.
	Regions []string
	// Carrier is the launch platform ("Tu-95MS"), when given.
	Carrier string
	// Command is the level of the issuing command.
	Command Command
	// Page is the page or channel that posted the bulletin ("kpszsu",
	// "PvKPivden", "https://t.me/ChiefUkrDIU"); Source is the post itself.
	// All rows of one bulletin share Source.
	Page, Source string
}

// bulletinColumns are the columns of the bulletin table, in the order the
// row's ID hashes them. A file may lack any but the required ones.
var bulletinColumns = []string{
	"time_start", "time_end", "model", "launch_place", "target", "target_main",
	"launched", "destroyed", "not_reach_goal", "still_attacking", "is_shahed",
	"num_hit_location", "num_fall_fragment_location", "carrier", "affected region",
	"destroyed_details", "launched_details", "launch_place_details", "source",
}

var bulletinRequired = []string{"time_start", "time_end", "model", "launched", "source"}

// BulletinReader reads the Air Force bulletin table row by row.
type BulletinReader struct {
	t       *table
	weapons *Weapons
	loc     *time.Location
}

// NewBulletinReader reads the header of a bulletin table
// (missile_attacks_daily.csv) and returns a reader for its rows, which
// classifies models with weapons. It returns an error wrapping ErrLayout
// if the header lacks time_start, time_end, model, launched or source.
func NewBulletinReader(r io.Reader, weapons *Weapons) (*BulletinReader, error) {
	t, err := newTable(r)
	if err != nil {
		return nil, fmt.Errorf("airwar: bulletins: %w", err)
	}
	if !t.has(bulletinRequired...) {
		return nil, fmt.Errorf("airwar: bulletins: header %q lacks one of %q: %w", t.header, bulletinRequired, ErrLayout)
	}
	return &BulletinReader{t: t, weapons: weapons, loc: Kyiv()}, nil
}

// Read returns the next bulletin row. At the end it returns io.EOF. For a
// bad row it returns a *RowError naming the line and column; the caller
// may go on calling Read, which continues with the next row. Any other
// error is fatal.
func (br *BulletinReader) Read() (Bulletin, error) {
	row, err := br.t.next()
	if err != nil {
		return Bulletin{}, err
	}
	return br.parse(row)
}

// ReadBulletins reads a whole bulletin table: the good rows, in file order,
// and a *RowError for each bad one. The error is non-nil only if the file
// cannot be read (then the rows read so far are returned with it).
func ReadBulletins(r io.Reader, weapons *Weapons) ([]Bulletin, []*RowError, error) {
	br, err := NewBulletinReader(r, weapons)
	if err != nil {
		return nil, nil, err
	}
	var out []Bulletin
	var bad []*RowError
	for {
		b, err := br.Read()
		if errors.Is(err, io.EOF) {
			return out, bad, nil
		}
		if re, ok := errors.AsType[*RowError](err); ok {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return out, bad, fmt.Errorf("airwar: bulletins: %w", err)
		}
		out = append(out, b)
	}
}

func (br *BulletinReader) parse(row row) (Bulletin, error) {
	b := Bulletin{Line: row.line}
	var err error
	var startDateOnly, endDateOnly bool
	if b.Start, startDateOnly, err = parseKyivTime(row.get("time_start"), br.loc); err != nil {
		return Bulletin{}, row.errorf("time_start", "%w", err)
	}
	if b.End, endDateOnly, err = parseKyivTime(row.get("time_end"), br.loc); err != nil {
		return Bulletin{}, row.errorf("time_end", "%w", err)
	}
	b.Day = DayOf(b.End, br.loc)
	if endDateOnly {
		b.End = b.Day.End(br.loc)
	}
	b.DateOnly = startDateOnly && endDateOnly
	if b.End.Before(b.Start) {
		return Bulletin{}, row.errorf("time_end", "window ends (%s) before it starts (%s)", row.get("time_end"), row.get("time_start"))
	}

	b.Model = row.get("model")
	if b.Model == "" {
		return Bulletin{}, row.errorf("model", "empty")
	}
	b.Kind, b.UnknownModels = br.weapons.Classify(b.Model)

	counts := []struct {
		col string
		dst *int
	}{
		{"launched", &b.Launched}, {"destroyed", &b.Destroyed}, {"not_reach_goal", &b.Suppressed},
		{"still_attacking", &b.StillAttacking}, {"num_hit_location", &b.HitLocations},
		{"num_fall_fragment_location", &b.DebrisLocations},
	}
	for _, c := range counts {
		if *c.dst, err = parseCount(row.get(c.col)); err != nil {
			return Bulletin{}, row.errorf(c.col, "%w", err)
		}
	}

	b.Source = row.get("source")
	if b.Source == "" {
		return Bulletin{}, row.errorf("source", "empty")
	}
	b.Page = page(b.Source)
	b.Target, b.TargetMain = row.get("target"), row.get("target_main")
	b.Command = command(b.Page, b.Target)
	b.Carrier = row.get("carrier")
	b.LaunchPlaces = splitAnd(row.get("launch_place"))
	b.Regions = regionsOf(b.Target, b.TargetMain, pyList(row.get("affected region")))

	parts := make([]string, 0, len(bulletinColumns)+1)
	parts = append(parts, "bulletin")
	for _, c := range bulletinColumns {
		parts = append(parts, row.get(c))
	}
	b.ID = nameUUID(parts...)
	return b, nil
}

// parseKyivTime parses "YYYY-MM-DD HH:MM" (also with seconds) or
// "YYYY-MM-DD" as a time in loc. dateOnly reports the second form, for
// which the time is midnight.
func parseKyivTime(s string, loc *time.Location) (t time.Time, dateOnly bool, err error) {
	if s == "" {
		return time.Time{}, false, errors.New("empty")
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, false, nil
		}
	}
	t, err = time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is neither YYYY-MM-DD HH:MM nor YYYY-MM-DD", s)
	}
	return t, true, nil
}

// parseCount parses a count written as an integer or an integral float
// ("472.0"). Empty and NaN are 0; negative, fractional or huge values are
// errors.
func parseCount(s string) (int, error) {
	if s == "" || strings.EqualFold(s, "nan") {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if f < 0 || f > 1e9 || f != math.Trunc(f) {
		return 0, fmt.Errorf("%q is not a count", s)
	}
	return int(f), nil
}

// page returns the page part of a source: "kpszsu/posts/pfbid…" → "kpszsu";
// a URL without "/posts/" loses its last path element:
// "https://t.me/ChiefUkrDIU/185" → "https://t.me/ChiefUkrDIU".
func page(source string) string {
	if p, _, ok := strings.Cut(source, "/posts/"); ok {
		return p
	}
	if i := strings.LastIndex(source, "/"); i > 0 && !strings.HasSuffix(source[:i], "/") {
		return source[:i]
	}
	return source
}

// directions are the targets of regional commands' rows.
var directions = []string{"south", "north", "east", "west", "center", "centre"}

func command(page, target string) Command {
	p := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(page, "https://"), "www.facebook.com/"))
	switch {
	case p == "kpszsu" || p == "generalstaff.ua":
		return CommandNational
	case strings.HasPrefix(p, "pvk"):
		return CommandRegional
	case slices.Contains(directions, strings.ToLower(target)):
		return CommandRegional
	default:
		return CommandOther
	}
}

// regionsOf maps the place names of a row to codes. target and targetMain
// may name several places joined by " and " or ", "; names that are not
// subdivisions or their cities ("Ukraine", "south", "front line") are
// ignored.
func regionsOf(target, targetMain string, affected []string) []string {
	var names []string
	for _, s := range []string{target, targetMain} {
		for _, p := range splitAnd(s) {
			names = append(names, strings.Split(p, ",")...)
		}
	}
	names = append(names, affected...)
	var codes []string
	for _, n := range names {
		if c, ok := region.Code(n); ok && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	return codes
}

// pyList parses a Python list of strings as the table writes it:
// "['Kyiv oblast', 'Sumy oblast']". Anything else gives nil.
func pyList(s string) []string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s[1:len(s)-1], ",") {
		if p = strings.Trim(strings.TrimSpace(p), `'"`); p != "" {
			out = append(out, p)
		}
	}
	return out
}
