package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/ingest"
	"truce/internal/observation"
)

func runImport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "import", "import -format jsonl -token TOKEN [-db sqlite:PATH] FILE...\n       truce import -format airforce|alerts [-db sqlite:PATH] FILE...\n\nLoads observations through the same rules as the API: each line is validated, signed\nwhere the token's user has a key, and attributed to the token's user. Bad lines are\nreported with their line numbers and never stop the good ones; importing a file twice\nadds nothing. -format airforce loads Air Force bulletin tables and -format alerts\nair-raid alert files (official, volunteer or merged, told apart by the header): public\nrecords, so no token is needed (docs/realdata.md). -format persons -party UA stores a\nperson list (personal data; in the ledger only as a salted commitment).")
	db := dbFlag(fs)
	format := fs.String("format", "jsonl", "input format: jsonl (observations, one JSON object per line), airforce (Air Force bulletin CSV), alerts (air-raid alert CSV), persons (a person list CSV, with -party)")
	weapons := fs.String("weapons", "", "with -format airforce: the weapon table CSV (model, category) that tells drones from missiles; default the shipped table")
	token := fs.String("token", envOr("TRUCE_TOKEN", ""), "bearer token of the submitting user (env TRUCE_TOKEN)")
	party := fs.String("party", "", "with -format persons: the party whose list it is (UA, RU)")
	purpose := fs.String("purpose", "", "with -format persons: what the list is for, e.g. \"exchange 2025-06\"")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	switch *format {
	case "airforce", "alerts":
		return importAirwarFiles(ctx, e, *db, *format, *weapons, fs.Args())
	case "persons":
		return importPersonLists(ctx, e, *db, *party, *purpose, fs.Args())
	case "jsonl":
	default:
		return fmt.Errorf("import: unknown -format %q (want jsonl, airforce, alerts or persons)", *format)
	}
	store, err := openStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer store.Close()
	u, err := store.UserByTokenHash(ctx, auth.HashToken(*token))
	if err != nil {
		return fmt.Errorf("import: -token: %w", derrors.ErrUnauthenticated)
	}
	if err := auth.SubmitObservations(u); err != nil {
		return fmt.Errorf("import: %s may not submit observations: %w", u.Role, err)
	}
	for _, name := range fs.Args() {
		sum, err := importJSONL(ctx, e, store, u, name)
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		sum.print(e.stdout, name)
	}
	return nil
}

// importSummary counts what an import did.
type importSummary struct {
	lines, created, duplicates int
	rejected                   []lineError
}

type lineError struct {
	line int
	err  error
}

func (s *importSummary) print(w io.Writer, name string) {
	fmt.Fprintf(w, "%s: %d lines read, %d imported, %d already present, %d rejected\n",
		name, s.lines, s.created, s.duplicates, len(s.rejected))
	for i, le := range s.rejected {
		if i == 50 {
			fmt.Fprintf(w, "  … and %d more\n", len(s.rejected)-50)
			break
		}
		fmt.Fprintf(w, "  line %d: %v\n", le.line, le.err)
	}
}

const importBatch = 2000

func importJSONL(ctx context.Context, e env, store store, u *auth.User, name string) (*importSummary, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	prog := newProgress(e.stderr, name)
	defer prog.done()
	sum := &importSummary{}
	var batch []observation.Prepared
	var lines []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := store.WriteObservations(ctx, batch)
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
				sum.rejected = append(sum.rejected, lineError{lines[i], fmt.Errorf("id %s: %w: stored with different content", batch[i].ID, derrors.ErrConflict)})
			}
		}
		batch, lines = batch[:0], lines[:0]
		return nil
	}
	br := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, tooLong, rerr := ingest.ReadLine(br)
		if rerr != nil && rerr != io.EOF {
			return sum, rerr
		}
		line = bytes.TrimSpace(line)
		switch {
		case tooLong:
			sum.lines++
			sum.rejected = append(sum.rejected, lineError{n, fmt.Errorf("longer than %d bytes", observation.MaxBytes)})
		case len(line) > 0:
			sum.lines++
			p, err := ingest.Prepare(u, line, time.Now().UTC())
			if err != nil {
				sum.rejected = append(sum.rejected, lineError{n, err})
				break
			}
			batch, lines = append(batch, p), append(lines, n)
			if len(batch) == importBatch {
				if err := flush(); err != nil {
					return sum, err
				}
			}
		}
		prog.update(sum.lines)
		if rerr == io.EOF {
			break
		}
	}
	return sum, flush()
}

// progress shows a running count on a terminal, and nothing otherwise.
type progress struct {
	w    io.Writer
	name string
	last time.Time
	on   bool
}

func newProgress(w io.Writer, name string) *progress {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, name: name, on: on}
}

func (p *progress) update(n int) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%s: %d lines", p.name, n)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
