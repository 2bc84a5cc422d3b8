package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"truce/internal/auth"
	"truce/internal/ledger"
	"truce/internal/store/storetest"
)

// TestRecordProof checks the proof by record id with an implementation that
// is not the server's, and that only readers of the record get its bytes
// and salt.
func TestRecordProof(t *testing.T) {
	s := newServer(t, 0)
	mon := s.user(auth.Monitor, "Mission", nil)
	for i := 1; i <= 13; i++ {
		if st, b := s.do("POST", "/api/v1/observations", mon, "", obs(i, nil)); st != 201 {
			t.Fatalf("%d %s", st, b)
		}
	}
	// Not yet in a checkpoint: the server says so rather than proving
	// against a tree nobody has seen signed.
	if st, body := s.do("GET", "/api/v1/ledger/proof?type=observation&id="+uuid(5), "", "", nil); st != 400 {
		t.Errorf("before any checkpoint: %d %s", st, body)
	}
	s.publish()
	cp, err := s.store.LatestCheckpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c, err := ledger.OpenCheckpoint(cp, s.publisher.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who        string
		token      string
		seesRecord bool
	}{
		{"public", "", false},
		{"other organisation", s.user(auth.Monitor, "Sensors", nil), false},
		{"own organisation", mon, true},
		{"analyst", s.user(auth.Analyst, "Mission", nil), true},
	}
	for _, tt := range tests {
		st, body := s.do("GET", "/api/v1/ledger/proof?type=observation&id="+uuid(5), tt.token, "", nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", tt.who, st, body)
		}
		var p struct {
			Index  int64
			Size   int64
			Entry  string
			Hashes [][]byte
			Salt   []byte
			Record json.RawMessage
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		leaf := rfc6962.DefaultHasher.HashLeaf([]byte(p.Entry))
		if p.Size != c.Size {
			t.Errorf("%s: proof for size %d, checkpoint %d", tt.who, p.Size, c.Size)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Index), uint64(p.Size), leaf, p.Hashes, c.Root[:]); err != nil {
			t.Errorf("%s: inclusion proof does not verify: %v", tt.who, err)
		}
		e, err := ledger.ParseEntry([]byte(p.Entry))
		if err != nil || e.ID != uuid(5) {
			t.Errorf("%s: entry %q (%v), want one for %s", tt.who, p.Entry, err, uuid(5))
		}
		if got := p.Record != nil && p.Salt != nil; got != tt.seesRecord {
			t.Errorf("%s: record and salt shown: %v, want %v", tt.who, got, tt.seesRecord)
		}
		if tt.seesRecord {
			if err := ledger.VerifyCommitment(e.Commitment, p.Salt, p.Record); err != nil {
				t.Errorf("%s: record does not match its commitment: %v", tt.who, err)
			}
		}
	}
	for _, q := range []string{"type=incident&id=" + uuid(5), "type=observation&id=" + uuid(99), "type=observation&id=" + uuid(5) + "&size=99", "type=observation&id=" + uuid(5) + "&extra=1"} {
		if st, _ := s.do("GET", "/api/v1/ledger/proof?"+q, "", "", nil); st != 400 && st != 404 {
			t.Errorf("%s: status %d, want 400 or 404", q, st)
		}
	}
}

// TestPublicSourceRecords: bulletins and alerts are public-source records;
// anyone may list them with what ties them to their entries.
func TestPublicSourceRecords(t *testing.T) {
	s := newServer(t, 0)
	bs := storetest.ShippedBulletins(t)[:40]
	if _, err := s.store.WriteBulletins(t.Context(), bs, now); err != nil {
		t.Fatal(err)
	}
	seen := 0
	q := "type=bulletin&limit=15"
	for range 10 {
		st, body := s.do("GET", "/api/v1/ledger/records?"+q, "", "", nil)
		var page struct {
			Items []struct {
				ID     string
				Index  int64
				Salt   []byte
				Record json.RawMessage
			}
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); st != 200 || err != nil {
			t.Fatalf("%d %v %s", st, err, body)
		}
		for _, it := range page.Items {
			leaves, _ := s.store.ReadEntries(t.Context(), it.Index, it.Index+1)
			e, err := ledger.ParseEntry(leaves[0])
			if err != nil || e.ID != it.ID || ledger.VerifyCommitment(e.Commitment, it.Salt, it.Record) != nil {
				t.Errorf("bulletin %s does not match its entry %d", it.ID, it.Index)
			}
			seen++
		}
		if page.NextCursor == "" {
			break
		}
		q = "type=bulletin&limit=15&cursor=" + page.NextCursor
	}
	if seen != len(bs) {
		t.Errorf("listed %d bulletins, stored %d", seen, len(bs))
	}
}
