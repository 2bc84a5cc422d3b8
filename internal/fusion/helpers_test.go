package fusion_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
)

// list is s.List that fails the test on an error.
func list(t testing.TB, s *fusion.Service, q fusion.Query) ([]incident.Incident, bool) {
	t.Helper()
	incs, more, err := s.List(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	return incs, more
}

// count is s.Len that fails the test on an error.
func count(t testing.TB, s *fusion.Service) int {
	t.Helper()
	n, err := s.Len(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// openStore opens a fresh SQLite store, closed when the test ends.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// generate returns the simulated scenario of cfg.
func generate(t testing.TB, cfg simulate.Config) *simulate.Scenario {
	t.Helper()
	sc, err := simulate.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// days returns the default scenario's first n days.
func days(t testing.TB, n int) *simulate.Scenario {
	cfg := simulate.Default()
	cfg.Days = n
	return generate(t, cfg)
}

// sameJSON fails the test when got and want differ as JSON.
func sameJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s differ:\n got %.600s\nwant %.600s", what, g, w)
	}
}
