package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"truce/internal/observation"

	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

// MustOpen opens a fresh database in a temporary directory.
func MustOpen(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return MustOpen(t) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "truce.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	rec := storetest.Rec(t, 1, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "Mission", "", "land", "artillery")
	if _, err := s.WriteObservations(t.Context(), []observation.Prepared{rec}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(t.Context(), path) // migrations must not run twice
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.CountObservations(t.Context()); err != nil || n != 1 {
		t.Errorf("after reopen: %d observations, err %v; want 1", n, err)
	}
}
