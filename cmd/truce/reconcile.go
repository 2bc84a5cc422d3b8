package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"truce/internal/person"
)

func runReconcile(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "reconcile", `reconcile -a A.csv -b B.csv [-history H.csv] [-format json]
       reconcile -generate DIR [-seed S] [-n N]
       reconcile -eval DIR

Matches one party's person list against the other's across scripts and
romanisations, one to one, and flags persons exchanged before (in -history),
duplicates within a list, category mismatches and deceased persons. Writes
JSON to stdout; bad rows go to stderr by line and field, and the good rows
are still reconciled. -generate writes a synthetic pair of lists with its
ground truth; -eval reconciles such a directory and scores the result.
See docs/reconcile.md.`)
	a := fs.String("a", "", "list A (CSV)")
	b := fs.String("b", "", "list B (CSV)")
	history := fs.String("history", "", "persons exchanged before (CSV), optional")
	format := fs.String("format", "json", "output format: json")
	generate := fs.String("generate", "", "write a synthetic dataset to this directory")
	seed := fs.Uint64("seed", 1, "for -generate: seed")
	n := fs.Int("n", 2000, "for -generate: persons in list A")
	evalDir := fs.String("eval", "", "score reconciliation of a directory written by -generate")
	matchScore := fs.Float64("match", 0, "least score of a match (0: the default, 0.55)")
	reviewScore := fs.Float64("review", 0, "least score of a pair for review (0: the default, 0.40)")
	if err := parse(fs, args); err != nil {
		return err
	}
	opts := person.Options{MatchScore: *matchScore, ReviewScore: *reviewScore}
	switch {
	case *generate != "":
		ds := person.Generate(person.GenerateConfig{Seed: *seed, N: *n})
		if err := ds.WriteDir(*generate); err != nil {
			return fmt.Errorf("reconcile: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %d + %d persons and a history of %d to %s\n", len(ds.A), len(ds.B), len(ds.History), *generate)
		return nil
	case *evalDir != "":
		ds, err := person.ReadDir(ctx, *evalDir)
		if err != nil {
			return fmt.Errorf("reconcile: %w", err)
		}
		res, err := person.Reconcile(ctx, ds.A, ds.B, ds.History, opts)
		if err != nil {
			return fmt.Errorf("reconcile: %w", err)
		}
		return person.Evaluate(ds, res).WriteTable(e.stdout)
	case *a == "" || *b == "":
		fs.Usage()
		return errUsage
	case *format != "json":
		return fmt.Errorf("reconcile: unknown -format %q", *format)
	}
	la, err := readPersons(ctx, e, *a)
	if err != nil {
		return err
	}
	lb, err := readPersons(ctx, e, *b)
	if err != nil {
		return err
	}
	var lh []person.Person
	if *history != "" {
		if lh, err = readPersons(ctx, e, *history); err != nil {
			return err
		}
	}
	res, err := person.Reconcile(ctx, la, lb, lh, opts)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// readPersons reads a person list, reporting each bad row on stderr by file,
// line and field (never its content).
func readPersons(ctx context.Context, e env, name string) ([]person.Person, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	defer f.Close()
	ps, bad, err := person.ReadAll(ctx, f, person.Limits{})
	for _, re := range bad {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, re)
	}
	if err != nil {
		return nil, fmt.Errorf("reconcile: %s: %w", name, err)
	}
	return ps, nil
}
