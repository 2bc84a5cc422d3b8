package fusion_test

import (
	"testing"

	"truce/internal/fusion"
	"truce/internal/incident"
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
