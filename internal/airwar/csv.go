package airwar

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
)

// RowError is a problem with one row of an input file. Readers return it
// for a bad row and carry on with the next, so a caller that wants every
// good row keeps reading after a *RowError (see errors.As).
type RowError struct {
	// Line is the 1-based line of the file where the row starts.
	Line int
	// Column names the offending column, if one is to blame.
	Column string
	// Err is the reason.
	Err error
}

// Error formats the error as "line N: column: reason".
func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d: %s: %v", e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the reason.
func (e *RowError) Unwrap() error { return e.Err }

// ErrLayout reports a file whose header is not one of the layouts a reader
// knows. It is fatal: no row of such a file is read.
var ErrLayout = errors.New("unknown file layout")

// table reads a CSV file with a header row, mapping column names to
// positions and turning CSV syntax errors into *RowError.
type table struct {
	r      *csv.Reader
	header []string
	col    map[string]int
}

func newTable(r io.Reader) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("empty file: %w", ErrLayout)
	}
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	t := &table{r: cr, header: header, col: make(map[string]int, len(header))}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		t.header[i] = h
		t.col[h] = i
	}
	return t, nil
}

func (t *table) has(cols ...string) bool {
	for _, c := range cols {
		if _, ok := t.col[c]; !ok {
			return false
		}
	}
	return true
}

// row is one record with its line number.
type row struct {
	t    *table
	rec  []string
	line int
}

// get returns the trimmed value of a column, "" if the file lacks it.
func (r row) get(col string) string {
	i, ok := r.t.col[col]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

func (r row) errorf(col, format string, args ...any) *RowError {
	return &RowError{Line: r.line, Column: col, Err: fmt.Errorf(format, args...)}
}

// next returns the next record, io.EOF at the end, or a *RowError for a
// record that is not valid CSV or has the wrong number of fields; the
// caller may call next again after a *RowError.
func (t *table) next() (row, error) {
	rec, err := t.r.Read()
	if err != nil {
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			return row{}, &RowError{Line: pe.StartLine, Err: pe.Err}
		}
		return row{}, err
	}
	line, _ := t.r.FieldPos(0)
	r := row{t: t, rec: rec, line: line}
	if len(rec) != len(t.header) {
		return row{}, r.errorf("", "%d fields, header has %d", len(rec), len(t.header))
	}
	return r, nil
}

// nameUUID returns an RFC 9562 version 5 (name-based, SHA-1) UUID for the
// given parts, in the URL namespace, with the name "truce:" followed by the
// parts separated by U+001F. Equal parts give equal ids, always.
func nameUUID(parts ...string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("truce:"+strings.Join(parts, "\x1f"))).String()
}
