package main

import (
	"context"
	"fmt"
	"strings"

	"truce/internal/store/sqlite"
)

// openStore opens the database named by a -db value. This is the one place
// the store is chosen.
func openStore(ctx context.Context, db string) (*sqlite.Store, error) {
	switch {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return nil, fmt.Errorf("open %s: the PostgreSQL store is not available in this build yet; use sqlite:PATH", redact(db))
	case strings.HasPrefix(db, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(db, "sqlite:"))
	case strings.Contains(db, "://"):
		return nil, fmt.Errorf("open %s: unknown database scheme (want sqlite:PATH)", redact(db))
	}
	return sqlite.Open(ctx, db)
}

// redact hides a password in a database URL.
func redact(db string) string {
	if i := strings.Index(db, "@"); i > 0 {
		if j := strings.Index(db, "://"); j > 0 && j < i {
			return db[:j+3] + "…@" + db[i+1:]
		}
	}
	return db
}
