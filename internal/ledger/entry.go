package ledger

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Sentinel errors. Functions in this package wrap them; check with errors.Is.
var (
	// ErrInvalid reports malformed input: a bad entry, path, key, note or argument.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound reports a tile, bundle, proof or checkpoint that does not exist
	// (for example, beyond the size of the current checkpoint).
	ErrNotFound = errors.New("not found")
	// ErrMismatch reports that a record's canonical bytes and salt do not match
	// the commitment in its entry.
	ErrMismatch = errors.New("commitment mismatch")
	// ErrSignature reports a missing or invalid signature or cosignature.
	ErrSignature = errors.New("bad signature")
)

const (
	// SaltSize is the size in bytes of a commitment salt made by NewSalt.
	SaltSize = 32
	// MaxEntrySize is the largest encoded entry a log accepts: entry bundles
	// prefix each entry with a 16-bit length.
	MaxEntrySize = 1<<16 - 1
	// MaxIDSize is the longest Entry.ID accepted.
	MaxIDSize = 256
	// MaxTypeSize is the longest Entry.Type accepted.
	MaxTypeSize = 64

	// commitmentPrefix separates commitments from every other SHA-256 use.
	commitmentPrefix = "truce/ledger/commitment/v1\x00"
	// timeLayout is RFC 3339 in UTC with exactly nine fractional digits, so
	// every instant has one encoding.
	timeLayout = "2006-01-02T15:04:05.000000000Z"
)

// An Entry is one leaf of the ledger: the public metadata of an accepted
// record and a salted commitment to its canonical bytes.
type Entry struct {
	// Type names the kind of record, such as "observation" or
	// "incident_decision": 1 to 64 bytes of [a-z0-9_], starting with a letter.
	Type string
	// ID is the record's public identifier (usually a UUID): 1 to 256 bytes of
	// printable ASCII without space, '"' or '\'.
	ID string
	// AcceptedAt is when the server accepted the record. It is encoded in UTC
	// with nanosecond precision; its location and monotonic reading are dropped.
	AcceptedAt time.Time
	// Commitment is Commit(salt, canonical bytes of the record).
	Commitment [32]byte
}

// Encode returns the entry's leaf bytes: RFC 8785 (JCS) canonical JSON with
// the keys in sorted order and no insignificant white space,
//
//	{"accepted_at":"2025-06-01T01:23:45.000000000Z","commitment":"<64 lower-case hex>","id":"<id>","type":"<type>"}
//
// where accepted_at is RFC 3339 in UTC with exactly nine fractional digits.
// The encoding is deterministic: equal entries give equal bytes. Encode
// returns an error wrapping ErrInvalid if a field is out of its domain.
func (e Entry) Encode() ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 128+len(e.ID)+len(e.Type))
	b = append(b, `{"accepted_at":"`...)
	b = e.AcceptedAt.UTC().AppendFormat(b, timeLayout)
	b = append(b, `","commitment":"`...)
	b = hex.AppendEncode(b, e.Commitment[:])
	b = append(b, `","id":"`...)
	b = append(b, e.ID...)
	b = append(b, `","type":"`...)
	b = append(b, e.Type...)
	b = append(b, `"}`...)
	return b, nil
}

func (e Entry) validate() error {
	if err := validType(e.Type); err != nil {
		return err
	}
	if err := validID(e.ID); err != nil {
		return err
	}
	if e.AcceptedAt.IsZero() {
		return fmt.Errorf("ledger: entry %s: accepted_at is zero: %w", e.ID, ErrInvalid)
	}
	if y := e.AcceptedAt.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("ledger: entry %s: accepted_at year %d out of range: %w", e.ID, y, ErrInvalid)
	}
	return nil
}

func validType(t string) error {
	if t == "" || len(t) > MaxTypeSize {
		return fmt.Errorf("ledger: entry type %q: length must be 1 to %d: %w", t, MaxTypeSize, ErrInvalid)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if 'a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '_') {
			continue
		}
		return fmt.Errorf("ledger: entry type %q: want [a-z][a-z0-9_]*: %w", t, ErrInvalid)
	}
	return nil
}

func validID(id string) error {
	if id == "" || len(id) > MaxIDSize {
		return fmt.Errorf("ledger: entry id %q: length must be 1 to %d: %w", id, MaxIDSize, ErrInvalid)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("ledger: entry id %q: byte %d is not printable ASCII or is '\"' or '\\': %w", id, i, ErrInvalid)
		}
	}
	return nil
}

// ParseEntry parses leaf bytes made by Entry.Encode. It accepts only the exact
// canonical encoding, so that ParseEntry(b) succeeds if and only if b is
// Encode of the result; anything else is an error wrapping ErrInvalid.
func ParseEntry(b []byte) (Entry, error) {
	bad := func(what string) (Entry, error) {
		return Entry{}, fmt.Errorf("ledger: parse entry: %s: %w", what, ErrInvalid)
	}
	var e Entry
	rest, ok := bytes.CutPrefix(b, []byte(`{"accepted_at":"`))
	if !ok || len(rest) < len(timeLayout) {
		return bad("want accepted_at first")
	}
	t, ok := parseTime(rest[:len(timeLayout)])
	if !ok {
		return bad("accepted_at must be RFC 3339 in UTC with nine fractional digits")
	}
	e.AcceptedAt = t
	rest, ok = bytes.CutPrefix(rest[len(timeLayout):], []byte(`","commitment":"`))
	if !ok || len(rest) < 64 {
		return bad("want commitment second")
	}
	for _, c := range rest[:64] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return bad("commitment must be 64 lower-case hex digits")
		}
	}
	hex.Decode(e.Commitment[:], rest[:64]) // checked above
	rest, ok = bytes.CutPrefix(rest[64:], []byte(`","id":"`))
	if !ok {
		return bad("want id third")
	}
	id, rest, ok := bytes.Cut(rest, []byte(`"`))
	if !ok {
		return bad("unterminated id")
	}
	e.ID = string(id)
	rest, ok = bytes.CutPrefix(rest, []byte(`,"type":"`))
	if !ok {
		return bad("want type fourth")
	}
	typ, ok := bytes.CutSuffix(rest, []byte(`"}`))
	if !ok {
		return bad(`want "} at the end`)
	}
	e.Type = string(typ)
	if err := e.validate(); err != nil {
		return Entry{}, fmt.Errorf("ledger: parse entry: %w", err)
	}
	return e, nil
}

// parseTime parses a time in timeLayout, accepting only what Encode writes.
func parseTime(b []byte) (time.Time, bool) {
	num := func(from, to int) (int, bool) {
		n := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	for i, c := range []byte(timeLayout) {
		if c < '0' || c > '9' {
			if b[i] != c {
				return time.Time{}, false
			}
		}
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	nsec, ok7 := num(20, 29)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	// time.Date normalises out-of-range days and months: reject those.
	if t.Year() != year || int(t.Month()) != month || t.Day() != day {
		return time.Time{}, false
	}
	return t, true
}

// LeafHash returns the RFC 6962 leaf hash of leaf bytes: SHA-256(0x00 || leaf).
func LeafHash(leaf []byte) tlog.Hash {
	return tlog.RecordHash(leaf)
}

// NewSalt returns SaltSize fresh random bytes from crypto/rand for one
// commitment. Each record MUST get its own salt.
func NewSalt() []byte {
	salt := make([]byte, SaltSize)
	rand.Read(salt) // crypto/rand.Read never returns an error.
	return salt
}

// Commit returns the salted commitment to a record's canonical bytes:
//
//	SHA-256("truce/ledger/commitment/v1" || 0x00 || uint32be(len(salt)) || salt || canonical)
//
// The prefix keeps commitments apart from every other hash in the system and
// the length keeps salt and record apart. Without the salt the commitment
// reveals nothing about a record, even one with few possible values.
func Commit(salt, canonical []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(commitmentPrefix))
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(salt))))
	h.Write(salt)
	h.Write(canonical)
	var c [32]byte
	h.Sum(c[:0])
	return c
}

// VerifyCommitment checks that commitment is Commit(salt, canonical). It
// returns an error wrapping ErrInvalid if the salt is not SaltSize bytes, and
// one wrapping ErrMismatch if the record or salt does not match.
func VerifyCommitment(commitment [32]byte, salt, canonical []byte) error {
	if len(salt) != SaltSize {
		return fmt.Errorf("ledger: verify commitment: salt is %d bytes, want %d: %w", len(salt), SaltSize, ErrInvalid)
	}
	got := Commit(salt, canonical)
	if subtle.ConstantTimeCompare(got[:], commitment[:]) != 1 {
		return fmt.Errorf("ledger: verify commitment: %w", ErrMismatch)
	}
	return nil
}
