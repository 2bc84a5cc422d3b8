package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/record"
)

// RecordStore is the part of a store that keeps records other than
// observations (decisions, agreements, findings, person lists, …), each
// under a ledger entry of its own.
type RecordStore interface {
	AppendRecord(ctx context.Context, typ, id string, authorID int64, body []byte) (record.Stored, error)
	ListRecords(ctx context.Context, typ string, afterSeq int64, limit int) ([]record.Stored, error)
	GetRecord(ctx context.Context, typ, id string) (record.Stored, error)
	LogAccess(ctx context.Context, userID int64, typ, id string) error
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
	TreeSize(ctx context.Context) (int64, error)
}

func recordID(n int) string { return fmt.Sprintf("00000000-0000-4000-9000-%012d", n) }

// testRecords: every record gets the next ledger entry, whose commitment
// is over its salt and body; records are listed per type in the order
// stored, paged by seq; an id is stored once per type; bad ids are refused.
func testRecords(t *testing.T, s RecordStore) {
	ctx := t.Context()
	types := []string{record.TypeIncidentDecision, "finding_event"}
	var stored []record.Stored
	for n := range 7 {
		typ := types[n%2]
		body := fmt.Appendf(nil, `{"n":%d}`, n)
		r, err := s.AppendRecord(ctx, typ, recordID(n), int64(n+1), body)
		if err != nil {
			t.Fatalf("append %d: %v", n, err)
		}
		if r.Type != typ || r.ID != recordID(n) || r.AuthorID != int64(n+1) || !bytes.Equal(r.Body, body) {
			t.Errorf("append %d: stored %+v", n, r)
		}
		if r.LedgerIndex != int64(n) {
			t.Errorf("append %d: ledger index %d, want %d", n, r.LedgerIndex, n)
		}
		if len(stored) > 0 && r.AcceptedAt.Before(stored[len(stored)-1].AcceptedAt) {
			t.Errorf("append %d: accepted at %v, before the previous record", n, r.AcceptedAt)
		}
		stored = append(stored, r)
	}
	size, err := s.TreeSize(ctx)
	if err != nil || size != int64(len(stored)) {
		t.Fatalf("tree size %d (%v), want %d: one entry per record", size, err, len(stored))
	}
	leaves, err := s.ReadEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range stored {
		want, err := ledger.Entry{Type: r.Type, ID: r.ID, AcceptedAt: r.AcceptedAt, Commitment: ledger.Commit(r.Salt, r.Body)}.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(leaves[i], want) {
			t.Errorf("entry %d: %s, want %s", i, leaves[i], want)
		}
	}

	// A second record with an id of its type conflicts and adds nothing;
	// the same id under another type is another record.
	if _, err := s.AppendRecord(ctx, types[0], recordID(0), 9, []byte(`{}`)); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("append a stored id again: %v, want ErrConflict", err)
	}
	if _, err := s.AppendRecord(ctx, "bogus id", "not-a-uuid", 9, []byte(`{}`)); err == nil {
		t.Error("append with an id that is not a UUID: no error")
	}
	if size2, _ := s.TreeSize(ctx); size2 != size {
		t.Errorf("refused appends changed the tree size: %d, want %d", size2, size)
	}

	// Listing: per type, in order, paged by seq.
	for _, typ := range types {
		var got []string
		after := int64(0)
		for {
			page, err := s.ListRecords(ctx, typ, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("list %s: %d records, limit 2", typ, len(page))
			}
			for _, r := range page {
				if r.Seq <= after || r.Type != typ {
					t.Errorf("list %s: seq %d after %d, type %s", typ, r.Seq, after, r.Type)
				}
				after = r.Seq
				got = append(got, r.ID)
			}
		}
		var want []string
		for _, r := range stored {
			if r.Type == typ {
				want = append(want, r.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("list %s: %v, want %v", typ, got, want)
		}
	}

	// Getting: by type and id, with salt and index; others are not found.
	got, err := s.GetRecord(ctx, stored[3].Type, stored[3].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != stored[3].Seq || !bytes.Equal(got.Body, stored[3].Body) || !bytes.Equal(got.Salt, stored[3].Salt) ||
		got.LedgerIndex != stored[3].LedgerIndex || !got.AcceptedAt.Equal(stored[3].AcceptedAt) {
		t.Errorf("get: %+v, want %+v", got, stored[3])
	}
	for _, k := range []struct{ typ, id string }{
		{stored[3].Type, recordID(99)},
		{stored[2].Type, stored[3].ID}, // another type's id
		{stored[3].Type, "not-a-uuid"},
	} {
		if _, err := s.GetRecord(ctx, k.typ, k.id); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("get %s %s: %v, want ErrNotFound", k.typ, k.id, err)
		}
	}

	// The access log takes reads and adds no ledger entry.
	if err := s.LogAccess(ctx, 1, record.TypeChildCase, recordID(1)); err != nil {
		t.Fatal(err)
	}
	if size2, _ := s.TreeSize(ctx); size2 != size {
		t.Errorf("logging an access changed the tree size: %d, want %d", size2, size)
	}
}
