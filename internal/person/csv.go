package person

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"truce/internal/derrors"
)

// Columns are the columns of a person list, in the order WriteCSV writes
// them. A file may order them differently; its header says how.
var Columns = []string{"id", "family_name", "given_name", "patronymic", "latin_name", "birth_date", "birth_place", "service_number", "category", "status"}

// Limits bound what a Reader accepts. The zero value of a field means its
// default.
type Limits struct {
	MaxBytes int64 // whole input; default 64 MiB
	MaxRows  int   // data rows; default 200,000
	MaxField int   // bytes in one field; default 256
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 64 << 20
	}
	if l.MaxRows <= 0 {
		l.MaxRows = 200_000
	}
	if l.MaxField <= 0 {
		l.MaxField = 256
	}
	return l
}

// RowError is a bad row: the reader skips it and goes on. Err is a
// *derrors.FieldError naming the column; neither repeats the row's content.
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the field error.
func (e *RowError) Unwrap() error { return e.Err }

// Reader reads a person list in CSV, one row at a time.
type Reader struct {
	csv   *csv.Reader
	lim   Limits
	col   map[string]int
	rows  int
	ids   map[string]int // id -> line
	err   error          // sticky fatal error
	count *countReader
}

// NewReader returns a Reader of r. The first row must be a header naming
// at least id and one of family_name or latin_name; unknown columns are
// ignored.
func NewReader(r io.Reader, lim Limits) *Reader {
	lim = lim.withDefaults()
	cr := &countReader{r: r, left: lim.MaxBytes}
	c := csv.NewReader(cr)
	c.FieldsPerRecord = -1
	c.ReuseRecord = true
	return &Reader{csv: c, lim: lim, count: cr, ids: map[string]int{}}
}

type countReader struct {
	r    io.Reader
	left int64
}

var errInputTooLarge = &derrors.FieldError{Field: "body", Message: "input exceeds the size limit", Err: derrors.ErrTooLarge}

func (c *countReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errInputTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func (r *Reader) header() error {
	rec, err := r.csv.Read()
	if err != nil {
		if err == io.EOF {
			return fmt.Errorf("person: read header: %w", derrors.Invalid("header", "empty input"))
		}
		return fmt.Errorf("person: read header: %w", err)
	}
	r.col = map[string]int{}
	for i, name := range rec {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if _, dup := r.col[name]; dup {
			return fmt.Errorf("person: read header: %w", derrors.Invalid("header", "column %q twice", name))
		}
		r.col[name] = i
	}
	if _, ok := r.col["id"]; !ok {
		return fmt.Errorf("person: read header: %w", derrors.Invalid("header", "no id column"))
	}
	_, fam := r.col["family_name"]
	_, lat := r.col["latin_name"]
	if !fam && !lat {
		return fmt.Errorf("person: read header: %w", derrors.Invalid("header", "neither family_name nor latin_name column"))
	}
	return nil
}

// Read returns the next person. A bad row gives a *RowError and the next call
// goes on with the next row; io.EOF ends the list; any other error (a bad
// header, input over the limits, a read failure) is final.
func (r *Reader) Read() (Person, error) {
	if r.err != nil {
		return Person{}, r.err
	}
	if r.col == nil {
		if err := r.header(); err != nil {
			r.err = err
			return Person{}, err
		}
	}
	rec, err := r.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		switch {
		case errors.Is(err, derrors.ErrTooLarge):
			r.err = fmt.Errorf("person: %w", err)
		case errors.As(err, &pe) && pe.Err != nil && !errors.Is(pe.Err, derrors.ErrTooLarge):
			return Person{}, &RowError{Line: pe.StartLine, Err: derrors.Invalid("row", "malformed csv: %v", pe.Err)}
		case err == io.EOF:
			r.err = io.EOF
		default:
			r.err = fmt.Errorf("person: read: %w", err)
		}
		return Person{}, r.err
	}
	line, _ := r.csv.FieldPos(0)
	r.rows++
	if r.rows > r.lim.MaxRows {
		r.err = fmt.Errorf("person: %w", &derrors.FieldError{Field: "body", Message: fmt.Sprintf("more than %d rows", r.lim.MaxRows), Err: derrors.ErrTooLarge})
		return Person{}, r.err
	}
	p, ferr := r.parse(rec)
	if ferr != nil {
		return Person{}, &RowError{Line: line, Err: ferr}
	}
	if first, dup := r.ids[p.ID]; dup {
		return Person{}, &RowError{Line: line, Err: derrors.Invalid("id", "same id as line %d", first)}
	}
	r.ids[p.ID] = line
	return p, nil
}

func (r *Reader) parse(rec []string) (Person, *derrors.FieldError) {
	get := func(name string) (string, *derrors.FieldError) {
		i, ok := r.col[name]
		if !ok || i >= len(rec) {
			return "", nil
		}
		v := strings.TrimSpace(rec[i])
		if len(v) > r.lim.MaxField {
			return "", &derrors.FieldError{Field: name, Message: fmt.Sprintf("longer than %d bytes", r.lim.MaxField), Err: derrors.ErrTooLarge}
		}
		if !utf8.ValidString(v) {
			return "", derrors.Invalid(name, "not valid UTF-8")
		}
		return v, nil
	}
	var p Person
	var vals [10]string
	for i, c := range Columns {
		v, err := get(c)
		if err != nil {
			return p, err
		}
		vals[i] = v
	}
	p.ID, p.FamilyName, p.GivenName, p.Patronymic, p.LatinName = vals[0], vals[1], vals[2], vals[3], vals[4]
	p.BirthPlace, p.ServiceNumber = vals[6], vals[7]
	if p.ID == "" {
		return p, derrors.Invalid("id", "empty")
	}
	if p.FamilyName == "" && p.LatinName == "" {
		return p, derrors.Invalid("family_name", "empty, and no latin_name either")
	}
	var err error
	if p.BirthDate, err = ParseDate(vals[5]); err != nil {
		return p, asFieldError(err)
	}
	if vals[8] != "" {
		if p.Category, err = ParseCategory(vals[8]); err != nil {
			return p, asFieldError(err)
		}
	}
	if vals[9] != "" {
		if p.Status, err = ParseStatus(vals[9]); err != nil {
			return p, asFieldError(err)
		}
	}
	return p, nil
}

func asFieldError(err error) *derrors.FieldError {
	var fe *derrors.FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return derrors.Invalid("row", "%v", err)
}

// ReadAll reads a whole list. It returns the good rows and the bad rows'
// errors; err is the final error, if any, other than io.EOF.
func ReadAll(ctx context.Context, rd io.Reader, lim Limits) (ps []Person, bad []*RowError, err error) {
	r := NewReader(rd, lim)
	for i := 0; ; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return ps, bad, err
			}
		}
		p, err := r.Read()
		var re *RowError
		switch {
		case err == nil:
			ps = append(ps, p)
		case errors.As(err, &re):
			bad = append(bad, re)
		case err == io.EOF:
			return ps, bad, nil
		default:
			return ps, bad, err
		}
	}
}

// WriteCSV writes ps with a header row.
func WriteCSV(w io.Writer, ps []Person) error {
	c := csv.NewWriter(w)
	if err := c.Write(Columns); err != nil {
		return fmt.Errorf("person: write csv: %w", err)
	}
	for _, p := range ps {
		rec := []string{p.ID, p.FamilyName, p.GivenName, p.Patronymic, p.LatinName, p.BirthDate.String(), p.BirthPlace, p.ServiceNumber, string(p.Category), string(p.Status)}
		if err := c.Write(rec); err != nil {
			return fmt.Errorf("person: write csv: %w", err)
		}
	}
	c.Flush()
	if err := c.Error(); err != nil {
		return fmt.Errorf("person: write csv: %w", err)
	}
	return nil
}
