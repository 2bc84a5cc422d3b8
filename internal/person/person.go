package person

import (
	"fmt"
	"strconv"
	"strings"

	"truce/internal/derrors"
)

// Category is what a person is listed as.
type Category string

// The categories of a person list.
const (
	POW      Category = "pow"
	Civilian Category = "civilian"
	Remains  Category = "remains"
	Child    Category = "child"
)

// Status is what the listing party says of a person.
type Status string

// The statuses of a listed person.
const (
	Held     Status = "held"
	Released Status = "released"
	Deceased Status = "deceased"
	Missing  Status = "missing"
)

// Person is one row of a person list. The names are in the original script;
// LatinName is the party's transliteration ("FAMILY Given Patronymic"). Any of
// them may be empty, but not all.
type Person struct {
	ID            string   `json:"id"`
	FamilyName    string   `json:"family_name"`
	GivenName     string   `json:"given_name"`
	Patronymic    string   `json:"patronymic,omitempty"`
	LatinName     string   `json:"latin_name,omitempty"`
	BirthDate     Date     `json:"birth_date"`
	BirthPlace    string   `json:"birth_place,omitempty"`
	ServiceNumber string   `json:"service_number,omitempty"`
	Category      Category `json:"category"`
	Status        Status   `json:"status"`
}

// Date is a birth date. Month and Day are 0 when only the year is known; the
// zero Date means unknown.
type Date struct {
	Year, Month, Day int
}

// MarshalJSON writes the date as String does.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads what MarshalJSON writes (and what ParseDate takes).
func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return derrors.Invalid("birth_date", "must be a string")
	}
	*d, err = ParseDate(s)
	return err
}

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// String formats d as YYYY-MM-DD, YYYY or "".
func (d Date) String() string {
	switch {
	case d.IsZero():
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// ParseDate reads YYYY-MM-DD, DD.MM.YYYY or a bare YYYY. An empty string is
// the zero Date. Its error is a *derrors.FieldError for birth_date that does
// not repeat the input.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	var y, m, d string
	switch {
	case len(s) == 4:
		y = s
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, m, d = s[:4], s[5:7], s[8:]
	case len(s) == 10 && s[2] == '.' && s[5] == '.':
		d, m, y = s[:2], s[3:5], s[6:]
	default:
		return Date{}, derrors.Invalid("birth_date", "want YYYY-MM-DD, DD.MM.YYYY or YYYY")
	}
	var out Date
	var err error
	if out.Year, err = strconv.Atoi(y); err != nil || out.Year < 1900 || out.Year > 2100 {
		return Date{}, derrors.Invalid("birth_date", "year out of range")
	}
	if m == "" {
		return out, nil
	}
	out.Month, err = strconv.Atoi(m)
	if err != nil || out.Month < 1 || out.Month > 12 {
		return Date{}, derrors.Invalid("birth_date", "month out of range")
	}
	out.Day, err = strconv.Atoi(d)
	if err != nil || out.Day < 1 || out.Day > daysIn[out.Month] {
		return Date{}, derrors.Invalid("birth_date", "day out of range")
	}
	return out, nil
}

// ParseCategory returns the category named s, or a *derrors.FieldError.
func ParseCategory(s string) (Category, error) {
	switch c := Category(strings.ToLower(strings.TrimSpace(s))); c {
	case POW, Civilian, Remains, Child:
		return c, nil
	}
	return "", derrors.Invalid("category", "want pow, civilian, remains or child")
}

// ParseStatus returns the status named s, or a *derrors.FieldError.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case Held, Released, Deceased, Missing:
		return st, nil
	}
	return "", derrors.Invalid("status", "want held, released, deceased or missing")
}
