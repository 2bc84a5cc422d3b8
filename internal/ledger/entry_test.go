package ledger_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"truce/internal/ledger"
)

// testEntry returns a deterministic entry number i, with its record's
// canonical bytes and salt.
func testEntry(i int) (ledger.Entry, []byte, []byte) {
	types := []string{"observation", "allegation", "incident_decision", "finding"}
	h := sha256.Sum256(fmt.Appendf(nil, "truce test entry %d", i))
	id := fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	salt := sha256.Sum256(fmt.Appendf(nil, "truce test salt %d", i))
	canonical := fmt.Appendf(nil, `{"id":%q,"n":%d}`, id, i)
	return ledger.Entry{
		Type:       types[i%len(types)],
		ID:         id,
		AcceptedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*37*time.Second + time.Duration(i)),
		Commitment: ledger.Commit(salt[:], canonical),
	}, canonical, salt[:]
}

func TestEntryEncode(t *testing.T) {
	e := ledger.Entry{
		Type:       "observation",
		ID:         "6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10",
		AcceptedAt: time.Date(2025, 6, 1, 3, 23, 45, 120000000, time.FixedZone("UA", 2*3600)),
		Commitment: [32]byte{0: 0xab, 31: 0x01},
	}
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"accepted_at":"2025-06-01T01:23:45.120000000Z","commitment":"ab00000000000000000000000000000000000000000000000000000000000001","id":"6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10","type":"observation"}`
	if string(got) != want {
		t.Errorf("Encode:\ngot  %s\nwant %s", got, want)
	}
	back, err := ledger.ParseEntry(got)
	if err != nil {
		t.Fatalf("ParseEntry: %v", err)
	}
	if back.Type != e.Type || back.ID != e.ID || !back.AcceptedAt.Equal(e.AcceptedAt) || back.Commitment != e.Commitment {
		t.Errorf("ParseEntry(Encode(e)) = %+v, want %+v", back, e)
	}
	if back.AcceptedAt.Location() != time.UTC {
		t.Errorf("ParseEntry: accepted_at location %v, want UTC", back.AcceptedAt.Location())
	}
}

func TestEntryEncodeInvalid(t *testing.T) {
	good, _, _ := testEntry(1)
	tests := []struct {
		name string
		edit func(*ledger.Entry)
	}{
		{"empty type", func(e *ledger.Entry) { e.Type = "" }},
		{"upper-case type", func(e *ledger.Entry) { e.Type = "Observation" }},
		{"type starting with digit", func(e *ledger.Entry) { e.Type = "1obs" }},
		{"long type", func(e *ledger.Entry) { e.Type = string(bytes.Repeat([]byte("a"), 65)) }},
		{"empty id", func(e *ledger.Entry) { e.ID = "" }},
		{"id with quote", func(e *ledger.Entry) { e.ID = `a"b` }},
		{"id with backslash", func(e *ledger.Entry) { e.ID = `a\b` }},
		{"id with space", func(e *ledger.Entry) { e.ID = "a b" }},
		{"id with non-ASCII", func(e *ledger.Entry) { e.ID = "Іван" }},
		{"long id", func(e *ledger.Entry) { e.ID = string(bytes.Repeat([]byte("a"), 257)) }},
		{"zero time", func(e *ledger.Entry) { e.AcceptedAt = time.Time{} }},
		{"year 10000", func(e *ledger.Entry) { e.AcceptedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.edit(&e)
			if _, err := e.Encode(); !errors.Is(err, ledger.ErrInvalid) {
				t.Errorf("Encode() error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestParseEntryRejectsNonCanonical(t *testing.T) {
	e, _, _ := testEntry(2)
	good, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"trailing newline", string(good) + "\n"},
		{"leading space", " " + string(good)},
		{"trailing junk", string(good) + "x"},
		{"type missing", string(good[:bytes.Index(good, []byte(`,"type"`))]) + "}"},
		{"keys reordered", fmt.Sprintf(`{"commitment":"%x","accepted_at":"2025-06-01T00:00:00.000000000Z","id":"a","type":"b"}`, e.Commitment)},
		{"short fraction", fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.5Z","commitment":"%x","id":"a","type":"b"}`, e.Commitment)},
		{"offset time", fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.000000000+01:00","commitment":"%x","id":"a","type":"b"}`, e.Commitment)},
		{"upper hex", fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.000000000Z","commitment":"%X","id":"a","type":"b"}`, e.Commitment)},
		{"extra key", fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.000000000Z","commitment":"%x","id":"a","type":"b","x":1}`, e.Commitment)},
		{"bad id", fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.000000000Z","commitment":"%x","id":"a b","type":"b"}`, e.Commitment)},
		{"white space", fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.000000000Z", "commitment":"%x","id":"a","type":"b"}`, e.Commitment)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ledger.ParseEntry([]byte(tt.in)); !errors.Is(err, ledger.ErrInvalid) {
				t.Errorf("ParseEntry(%q) error = %v, want ErrInvalid", tt.in, err)
			}
		})
	}
	if _, err := ledger.ParseEntry([]byte(fmt.Sprintf(`{"accepted_at":"2025-06-01T00:00:00.000000000Z","commitment":"%x","id":"a","type":"b"}`, e.Commitment))); err != nil {
		t.Errorf("ParseEntry(canonical) = %v, want nil", err)
	}
}

func TestCommitment(t *testing.T) {
	salt := ledger.NewSalt()
	if len(salt) != ledger.SaltSize {
		t.Fatalf("NewSalt() has %d bytes, want %d", len(salt), ledger.SaltSize)
	}
	if bytes.Equal(salt, ledger.NewSalt()) {
		t.Fatal("NewSalt() twice gave the same salt")
	}
	record := []byte(`{"id":"x","lat":50.45}`)
	c := ledger.Commit(salt, record)
	otherSalt := append([]byte(nil), salt...)
	otherSalt[0] ^= 1
	tests := []struct {
		name      string
		salt, rec []byte
		want      error
	}{
		{"match", salt, record, nil},
		{"record changed", salt, []byte(`{"id":"x","lat":50.46}`), ledger.ErrMismatch},
		{"salt changed", otherSalt, record, ledger.ErrMismatch},
		{"short salt", salt[:16], record, ledger.ErrInvalid},
		{"salt and record shifted", salt[:31], append([]byte{salt[31]}, record...), ledger.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ledger.VerifyCommitment(c, tt.salt, tt.rec)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("VerifyCommitment() = %v, want %v", err, tt.want)
			}
		})
	}
	// The domain-separation prefix and the salt length are part of the hash.
	plain := sha256.Sum256(append(append([]byte(nil), salt...), record...))
	if c == plain {
		t.Error("Commit is plain SHA-256(salt || record), want a domain-separated hash")
	}
	if ledger.Commit(salt[:31], append([]byte{salt[31]}, record...)) == c {
		t.Error("Commit does not separate salt from record")
	}
}

func TestLeafHash(t *testing.T) {
	leaf := []byte("hello")
	want := sha256.Sum256(append([]byte{0}, leaf...))
	if got := ledger.LeafHash(leaf); got != want {
		t.Errorf("LeafHash = %x, want SHA-256(0x00 || leaf) = %x", got, want)
	}
}

// FuzzParseEntry checks that ParseEntry accepts exactly the canonical
// encodings: whatever it accepts, Encode gives back byte for byte.
func FuzzParseEntry(f *testing.F) {
	for i := range 4 {
		e, _, _ := testEntry(i)
		b, _ := e.Encode()
		f.Add(b)
	}
	f.Add([]byte(`{"accepted_at":"2025-02-30T00:00:00.000000000Z","commitment":"0000000000000000000000000000000000000000000000000000000000000000","id":"a","type":"b"}`))
	f.Add([]byte(`{"accepted_at":"2025-12-31T23:59:60.000000000Z","commitment":"0000000000000000000000000000000000000000000000000000000000000000","id":"a","type":"b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ledger.ParseEntry(b)
		if err != nil {
			if !errors.Is(err, ledger.ErrInvalid) {
				t.Fatalf("ParseEntry error %v does not wrap ErrInvalid", err)
			}
			return
		}
		enc, err := e.Encode()
		if err != nil {
			t.Fatalf("Encode(ParseEntry(%q)): %v", b, err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("Encode(ParseEntry(%q)) = %q", b, enc)
		}
	})
}
