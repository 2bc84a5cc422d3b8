package main

import (
	"context"
	"fmt"
	"time"

	"truce/internal/eval"
	"truce/internal/incident"
	"truce/internal/simulate"
)

func runSimulate(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "simulate", `simulate -out DIR [-scenario default|demo|bench] [-n N] [-seed S] [-days D]

Writes a synthetic monitoring scenario with its ground truth: one JSON Lines file
of observations per organisation (load them with 'truce import -format jsonl',
each with that organisation's token) and truth.json (which true event each
observation describes). Scenarios: front-line shelling, night drone and missile
barrages on a city, naval strikes, sources with their own noise, misstated
uncertainties, false reports and invented allegations.`)
	out := fs.String("out", "", "directory to write")
	scenario := fs.String("scenario", "default", "default (2 days, ~3,700 observations), demo (1 day with narratives) or bench (about -n observations)")
	n := fs.Int("n", 100_000, "for -scenario bench: about how many observations")
	seed := fs.Uint64("seed", 0, "seed (0: the scenario's own)")
	days := fs.Int("days", 0, "days (0: the scenario's own)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errUsage
	}
	var cfg simulate.Config
	switch *scenario {
	case "default":
		cfg = simulate.Default()
	case "demo":
		cfg = simulate.Demo()
	case "bench":
		cfg = simulate.Bench(*n)
	default:
		return fmt.Errorf("simulate: unknown -scenario %q", *scenario)
	}
	if *seed != 0 {
		cfg.Seed = *seed
	}
	if *days > 0 {
		cfg.Days = *days
	}
	s, err := simulate.Generate(cfg)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if err := s.WriteDir(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d observations of %d events from %d organisations to %s\n", len(s.Records), len(s.Events), len(s.Organizations), *out)
	return nil
}

func runEval(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "eval", `eval -dir DIR

Scores fusion against a scenario's ground truth (written by 'truce simulate'):
B-cubed precision, recall and F1 of the incidents, beside a DBSCAN baseline in
space and time with fixed parameters and with parameters tuned on the truth.`)
	dir := fs.String("dir", "", "a directory written by truce simulate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return errUsage
	}
	s, err := simulate.ReadDir(*dir, time.Now())
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	boundaries, err := loadBoundaries()
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	rows, err := eval.Compare(s, incident.Config{Locate: boundaries.Locate})
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return eval.WriteTable(e.stdout, s, rows)
}
