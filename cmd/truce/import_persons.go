package main

import (
	"context"
	"fmt"
	"os"

	"github.com/google/uuid"

	"truce/internal/person"
	"truce/internal/record"
)

// importPersonLists stores each file as one person list of party: its
// good rows, with the bad ones reported by line and field (never by their
// content: the rows are personal data). The list enters the ledger only as
// a salted commitment.
func importPersonLists(ctx context.Context, e env, db, party, purpose string, files []string) error {
	store, err := openStore(ctx, db)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer store.Close()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		ps, bad, err := person.ReadAll(ctx, f, person.Limits{})
		f.Close()
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		l := person.List{Party: party, Purpose: purpose, Persons: ps}
		if err := l.Validate(); err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		body, err := l.Canonical()
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		st, err := store.AppendRecord(ctx, record.TypePersonList, uuid.NewString(), 0, body)
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		fmt.Fprintf(e.stdout, "%s: %d persons imported as list %s of %s, %d rows rejected\n", name, len(ps), st.ID, party, len(bad))
		for i, b := range bad {
			if i == 50 {
				fmt.Fprintf(e.stdout, "  … and %d more\n", len(bad)-50)
				break
			}
			fmt.Fprintf(e.stdout, "  %v\n", b)
		}
	}
	return nil
}
