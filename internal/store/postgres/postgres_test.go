package postgres_test

import (
	"testing"

	"truce/internal/store/postgres"
	"truce/internal/store/postgres/pgtest"
	"truce/internal/store/storetest"
)

// MustOpen opens a store on a fresh schema of the test server.
func MustOpen(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpen(t) })
}
