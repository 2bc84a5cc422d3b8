package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"truce/internal/airwar"
	"truce/internal/export"
	"truce/internal/incident"
	"truce/internal/report"
)

func runReport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "report", "report -day YYYY-MM-DD [-format json|md|html] [-lang en|uk|ru] [-incidents] [-o FILE] [-db sqlite:PATH]\n\nWrites the daily report of a day (Kyiv time): the Air Force's figures, each launch\ncounted once, and the air-raid alerts per oblast, from the records in the database\n(load them with truce import -format airforce|alerts). With -incidents it adds the\nmonitoring mission's incidents of the day, all of them as analysts see them (fused\nfrom the database's observations with the analysts' decisions applied, as truce\nexport does): a staff report, not for publication. The public's version, with\nreleased incidents only, is the server's GET /api/v1/reports/daily/DAY without a\ntoken. -lang writes the Markdown and HTML's own text (headings, labels, notes,\nmethod) in English, Ukrainian or Russian; the JSON is the same in every language.\nSee docs/realdata.md.")
	db := dbFlag(fs)
	day := fs.String("day", "", "the day, YYYY-MM-DD (required)")
	format := fs.String("format", "json", "json, md (Markdown) or html (one page with inline SVG map and chart)")
	lang := fs.String("lang", "en", "the language of the md and html reports' own text: en, uk or ru")
	out := fs.String("o", "", "write to FILE instead of standard output")
	withIncidents := fs.Bool("incidents", false, "include every incident of the day (the staff view; not for publication)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *day == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	d, err := airwar.ParseDay(*day)
	if err != nil {
		return fmt.Errorf("report: -day: %w", err)
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("report: -format: %w", err)
	}
	l, err := report.ParseLang(*lang)
	if err != nil {
		return fmt.Errorf("report: -lang: %w", err)
	}
	rd, err := newReportRenderer()
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	rd = rd.InLanguage(l)
	store, err := openStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer store.Close()
	in, err := report.Load(ctx, store, d)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *withIncidents {
		b, err := loadBoundaries()
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if in.Incidents, err = replayDay(ctx, store, d, b.Locate); err != nil {
			return fmt.Errorf("report: incidents: %w", err)
		}
		in.IncidentsIncluded, in.IncidentsView = true, report.ViewStaff
	}
	r := report.Build(in)
	if *out == "" {
		return rd.Render(e.stdout, r, f)
	}
	// Write beside the target and rename, so a reader never sees half a report.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".report-*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := rd.Render(tmp, r, f); err != nil {
		tmp.Close()
		return fmt.Errorf("report: write %s: %w", *out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", *out, err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// replayDay fuses the store's observations around day into incidents, as
// truce export does, and returns those starting on day (Kyiv time).
func replayDay(ctx context.Context, st export.Store, day airwar.Day, locate func(lat, lon float64) (string, bool)) ([]report.IncidentSummary, error) {
	loc := airwar.Kyiv()
	var out []report.IncidentSummary
	_, err := export.Replay(ctx, st, export.Query{From: day.Start(loc), To: day.End(loc), Locate: locate}, func(inc *incident.Incident) error {
		out = append(out, report.SummaryOf(*inc))
		return nil
	})
	return out, err
}

// newReportRenderer returns a report renderer that draws its maps from the
// shipped oblast boundaries.
func newReportRenderer() (*report.Renderer, error) {
	b, err := loadBoundaries()
	if err != nil {
		return nil, err
	}
	return report.NewRenderer(b)
}
