package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"truce/internal/export"
)

func runExport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "export", "export -format acled|ucdp|geojson|jsonl [-from T] [-to T] [-o FILE] [-db sqlite:PATH]\n\nWrites the incidents, fused from the database's observations with the analysts'\ndecisions applied, as an ACLED-style CSV, a UCDP GED-style CSV, GeoJSON (RFC 7946)\nor JSON Lines. The export streams: memory is bounded by a few days of observations,\nnot by the size of the database. A summary goes to standard error. See docs/export.md.")
	db := dbFlag(fs)
	format := fs.String("format", "", "acled, ucdp, geojson or jsonl (required)")
	from := fs.String("from", "", "only incidents starting at or after this RFC 3339 time (or YYYY-MM-DD, UTC midnight)")
	to := fs.String("to", "", "only incidents starting before this RFC 3339 time (or YYYY-MM-DD, UTC midnight)")
	out := fs.String("o", "", "write to FILE instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("export: -format: %w", err)
	}
	var q export.Query
	if q.From, err = parseExportTime(*from); err != nil {
		return fmt.Errorf("export: -from: %w", err)
	}
	if q.To, err = parseExportTime(*to); err != nil {
		return fmt.Errorf("export: -to: %w", err)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return fmt.Errorf("export: -to must be after -from")
	}
	boundaries, err := loadBoundaries()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	q.Locate = boundaries.Locate
	store, err := openStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer store.Close()

	start := time.Now()
	write := func(w io.Writer) (export.Stats, error) {
		ew, err := export.NewWriter(w, f, export.Options{Generated: start})
		if err != nil {
			return export.Stats{}, err
		}
		return export.Export(ctx, store, q, ew)
	}
	var stats export.Stats
	if *out == "" {
		if stats, err = write(e.stdout); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	} else {
		// Write beside the target and rename, so a reader never sees half an export.
		tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(tmp.Name())
		stats, err = write(tmp)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("export: write %s: %w", *out, err)
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	fmt.Fprintf(e.stderr, "export: %d incidents from %d observations in %s (%d decisions applied, %d skipped; horizon %s, at most %d observations in memory)\n",
		stats.Incidents, stats.Observations, time.Since(start).Round(time.Millisecond), stats.Decisions, stats.Skipped, stats.Horizon, stats.MaxLive)
	return nil
}

// parseExportTime reads an RFC 3339 time or a date (UTC midnight); "" is
// the zero time, which does not bound.
func parseExportTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time (2025-06-01T00:00:00Z) or a date (2025-06-01)", s)
}
