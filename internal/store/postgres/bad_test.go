package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
	"truce/internal/store/postgres"
	"truce/internal/store/storetest"
)

// TestBadInput: calls the store refuses, each leaving the database as it
// was.
func TestBadInput(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	ctx := t.Context()
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	good := storetest.Rec(t, 1, base, "Mission", "", observation.Land, "artillery")
	notUUID := storetest.Rec(t, 2, base, "Mission", "", observation.Land, "artillery")
	notUUID.ID = "{" + notUUID.ID[1:35] + "}"
	tests := []struct {
		name string
		call func() error
		want error // nil: any error
	}{
		{"a batch with an id that is not a UUID", func() error {
			_, err := s.WriteObservations(ctx, []observation.Prepared{good, notUUID})
			return err
		}, derrors.ErrInvalid},
		{"a record id that is not a UUID", func() error {
			_, err := s.AppendRecord(ctx, "decision", "not-a-uuid", 1, []byte(`{}`))
			return err
		}, derrors.ErrInvalid},
		{"an air war record of another entry type", func() error {
			_, _, _, err := s.AirwarRecord(ctx, "observation", "x")
			return err
		}, derrors.ErrInvalid},
		{"air war records of another entry type", func() error {
			_, err := s.ListAirwarRecords(ctx, "decision", 0, 10)
			return err
		}, derrors.ErrInvalid},
		{"a checkpoint signed twice for one size", func() error {
			if err := s.SaveCheckpoint(ctx, 0, []byte("a")); err != nil {
				return nil
			}
			return s.SaveCheckpoint(ctx, 0, []byte("b"))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("got %v, want an error wrapping %v", err, tt.want)
			}
		})
	}
	if n, _ := s.CountObservations(ctx); n != 0 {
		t.Errorf("%d observations stored, want 0", n)
	}
	if n, _ := s.TreeSize(ctx); n != 0 {
		t.Errorf("ledger of %d entries, want 0", n)
	}
	for _, id := range []string{"", "x", strings.Repeat("a", 36), good.ID + "0"} {
		if _, err := s.Observation(ctx, id, observation.Scope{All: true}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Observation(%q): got %v, want ErrNotFound", id, err)
		}
		if _, err := s.GetRecord(ctx, "decision", id); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("GetRecord(%q): got %v, want ErrNotFound", id, err)
		}
	}
}

// TestOpenRefuses: Open fails, without showing the password, on a URL that
// does not parse or a server that does not answer.
func TestOpenRefuses(t *testing.T) {
	for _, url := range []string{
		"postgres://truce:s3cret@127.0.0.1:1/truce?connect_timeout=2&sslmode=disable",
		"postgres://truce:s3cret@127.0.0.1:5432/truce?sslmode=bogus",
		"postgres://truce:s3cret@[::1/truce",
	} {
		s, err := postgres.Open(t.Context(), url)
		if err == nil {
			s.Close()
			t.Errorf("%s: opened", url)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error shows the password: %v", url, err)
		}
	}
}
