package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"truce/data"
	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/observation"
)

// airwarWriter is what importing the air war's public records needs from
// the store.
type airwarWriter interface {
	WriteBulletins(ctx context.Context, bs []airwar.Bulletin, accepted time.Time) ([]observation.Outcome, error)
	WriteAlerts(ctx context.Context, as []airwar.Alert, accepted time.Time) ([]observation.Outcome, error)
}

// importAirwarFiles imports Air Force bulletin tables (format "airforce")
// or air-raid alert files (format "alerts") into the database db. The
// records are public-source information, so no token is needed: they are
// recorded as the files state them, the bulletins as the Ukrainian party's
// statements (see sqlite.WriteBulletins).
func importAirwarFiles(ctx context.Context, e env, db, format, weaponsFile string, names []string) error {
	var weapons *airwar.Weapons
	if format == "airforce" {
		var err error
		if weapons, err = loadWeapons(e, weaponsFile); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	store, err := openStore(ctx, db)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer store.Close()
	for _, name := range names {
		if err := importAirwarFile(ctx, e, store, format, name, weapons); err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
	}
	return nil
}

func importAirwarFile(ctx context.Context, e env, store airwarWriter, format, name string, weapons *airwar.Weapons) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	var sum *airwarSummary
	if format == "airforce" {
		sum, err = importBulletins(ctx, e, store, name, f, weapons)
	} else {
		sum, err = importAlerts(ctx, e, store, name, f)
	}
	if sum != nil {
		sum.print(e.stdout, name)
	}
	return err
}

// loadWeapons reads the weapon table that classifies bulletin rows: the
// file given, or the table shipped in package data.
func loadWeapons(e env, name string) (*airwar.Weapons, error) {
	var r io.ReadCloser
	var err error
	if name == "" {
		r, err = data.FS().Open(data.Weapons)
	} else {
		r, err = os.Open(name)
	}
	if err != nil {
		return nil, fmt.Errorf("weapon table: %w", err)
	}
	defer r.Close()
	w, bad, err := airwar.ReadWeapons(r)
	if err != nil {
		return nil, fmt.Errorf("weapon table %s: %w", name, err)
	}
	for _, re := range bad {
		fmt.Fprintf(e.stderr, "truce: weapon table: skipped %v\n", re)
	}
	return w, nil
}

// airwarSummary counts what importing one file did.
type airwarSummary struct {
	what                      string // "Air Force bulletins", "official alerts" …
	rows, created, duplicates int
	skipped                   []lineError
	notes                     []lineError // rows imported with a remark
}

func (s *airwarSummary) print(w io.Writer, name string) {
	fmt.Fprintf(w, "%s: %s: %d rows read, %d imported, %d already present, %d skipped\n",
		name, s.what, s.rows, s.created, s.duplicates, len(s.skipped))
	list := func(les []lineError, prefix string) {
		for i, le := range les {
			if i == 50 {
				fmt.Fprintf(w, "  … and %d more\n", len(les)-50)
				break
			}
			fmt.Fprintf(w, "  %sline %d: %v\n", prefix, le.line, le.err)
		}
	}
	list(s.skipped, "skipped ")
	list(s.notes, "note: ")
}

// airwarBatch is how many rows one write transaction takes.
const airwarBatch = 2000

// rowReader reads rows of one kind: T is airwar.Bulletin or airwar.Alert.
type rowReader[T any] struct {
	read  func() (T, error)
	line  func(T) int
	id    func(T) string
	write func(ctx context.Context, rows []T, accepted time.Time) ([]observation.Outcome, error)
	note  func(T) error // a remark on a good row, or nil
}

// importRows reads every row, keeps the good ones in batches of
// airwarBatch, each written in one transaction, and counts what happened
// to each row. A bad row is skipped with its line and reason; it never
// stops the good ones. A file that cannot be read further stops the
// import after the good rows read so far are written.
func importRows[T any](ctx context.Context, e env, sum *airwarSummary, name string, rr rowReader[T]) error {
	prog := newProgress(e.stderr, name)
	defer prog.done()
	var batch []T
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := rr.write(ctx, batch, time.Now().UTC())
		if err != nil {
			return err
		}
		for i, o := range out {
			switch o {
			case observation.Created:
				sum.created++
			case observation.Duplicate:
				sum.duplicates++
			case observation.Conflict:
				sum.skipped = append(sum.skipped, lineError{rr.line(batch[i]), fmt.Errorf("id %s: %w: stored with different content", rr.id(batch[i]), derrors.ErrConflict)})
			}
		}
		batch = batch[:0]
		return nil
	}
	for {
		v, err := rr.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if re, ok := errors.AsType[*airwar.RowError](err); ok {
			sum.rows++
			sum.skipped = append(sum.skipped, lineError{re.Line, rowReason(re)})
			prog.update(sum.rows)
			continue
		}
		if err != nil {
			return errors.Join(err, flush())
		}
		sum.rows++
		if n := rr.note(v); n != nil {
			sum.notes = append(sum.notes, lineError{rr.line(v), n})
		}
		batch = append(batch, v)
		if len(batch) == airwarBatch {
			if err := flush(); err != nil {
				return err
			}
		}
		prog.update(sum.rows)
	}
	return flush()
}

// rowReason is a RowError without its "line N:" prefix, which the summary
// prints itself.
func rowReason(re *airwar.RowError) error {
	if re.Column != "" {
		return fmt.Errorf("%s: %w", re.Column, re.Err)
	}
	return re.Err
}

// importBulletins imports an Air Force bulletin table.
func importBulletins(ctx context.Context, e env, store airwarWriter, name string, r io.Reader, weapons *airwar.Weapons) (*airwarSummary, error) {
	br, err := airwar.NewBulletinReader(r, weapons)
	if err != nil {
		return nil, err
	}
	sum := &airwarSummary{what: "Air Force bulletins"}
	err = importRows(ctx, e, sum, name, rowReader[airwar.Bulletin]{
		read:  br.Read,
		line:  func(b airwar.Bulletin) int { return b.Line },
		id:    func(b airwar.Bulletin) string { return b.ID },
		write: store.WriteBulletins,
		note: func(b airwar.Bulletin) error {
			if len(b.UnknownModels) == 0 {
				return nil
			}
			return fmt.Errorf("model %q: %q not in the weapon table; counted as a %s row", b.Model, b.UnknownModels, b.Kind)
		},
	})
	return sum, err
}

// importAlerts imports an air-raid alert file of any layout airwar knows
// (official, volunteer, merged2025), told apart by its header.
func importAlerts(ctx context.Context, e env, store airwarWriter, name string, r io.Reader) (*airwarSummary, error) {
	ar, err := airwar.NewAlertReader(r)
	if err != nil {
		return nil, err
	}
	sum := &airwarSummary{what: string(ar.Feed()) + " alerts"}
	err = importRows(ctx, e, sum, name, rowReader[airwar.Alert]{
		read:  ar.Read,
		line:  func(a airwar.Alert) int { return a.Line },
		id:    func(a airwar.Alert) string { return a.ID },
		write: store.WriteAlerts,
		note:  func(airwar.Alert) error { return nil },
	})
	return sum, err
}

// loadRealData imports the datasets shipped in package data (the bulletin
// table and the three alert files) into store, printing one summary line
// per file to e.stdout.
func loadRealData(ctx context.Context, e env, store airwarWriter) (bulletins, alerts int, err error) {
	weapons, err := loadWeapons(e, "")
	if err != nil {
		return 0, 0, err
	}
	quiet := env{stdout: io.Discard, stderr: io.Discard}
	files := []string{data.Bulletins, data.AlertsOfficial2024, data.AlertsVolunteer2024, data.AlertsMerged2025}
	for _, name := range files {
		f, err := data.FS().Open(name)
		if err != nil {
			return bulletins, alerts, err
		}
		var sum *airwarSummary
		if name == data.Bulletins {
			sum, err = importBulletins(ctx, quiet, store, name, f, weapons)
		} else {
			sum, err = importAlerts(ctx, quiet, store, name, f)
		}
		f.Close()
		if err != nil {
			return bulletins, alerts, fmt.Errorf("%s: %w", name, err)
		}
		if name == data.Bulletins {
			bulletins += sum.created + sum.duplicates
		} else {
			alerts += sum.created + sum.duplicates
		}
		if len(sum.skipped) > 0 {
			sum.print(e.stdout, name)
		}
	}
	return bulletins, alerts, nil
}
