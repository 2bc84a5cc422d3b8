package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// cosignatureAlg is the signed-note signature type of C2SP tlog-cosignature
// v1: timestamped Ed25519 witness cosignatures.
const cosignatureAlg = 0x04

// maxSignatures is the most signature lines a checkpoint may carry (the
// limit of golang.org/x/mod/sumdb/note).
const maxSignatures = 100

// GenerateWitnessKey generates a C2SP tlog-cosignature/v1 (Ed25519, signature
// type 0x04) key pair for a witness named name (a schema-less URL such as
// "witness.example.org/w1"). skey is "PRIVATE+KEY+<name>+<hash>+<base64>" and
// MUST be kept secret; vkey is "<name>+<hash>+<base64>", the key the log and
// verifiers are given. The key hash is SHA-256(name || "\n" || 0x04 ||
// public key)[:4]; the key data is 0x04 followed by the Ed25519 seed (skey) or
// public key (vkey).
func GenerateWitnessKey(name string) (skey, vkey string, err error) {
	if err := validName(name); err != nil {
		return "", "", fmt.Errorf("ledger: generate witness key: name: %w: %w", err, ErrInvalid)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("ledger: generate witness key: %w", err)
	}
	h := witnessKeyHash(name, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, h, base64.StdEncoding.EncodeToString(append([]byte{cosignatureAlg}, priv.Seed()...)))
	vkey = fmt.Sprintf("%s+%08x+%s", name, h, base64.StdEncoding.EncodeToString(append([]byte{cosignatureAlg}, pub...)))
	return skey, vkey, nil
}

func witnessKeyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', cosignatureAlg})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// parseWitnessKey parses "<name>+<hash>+<base64(0x04 || key)>" and checks the
// hash against the public key derived by pub.
func parseWitnessKey(key string, size int, pub func([]byte) ed25519.PublicKey) (name string, hash uint32, data []byte, err error) {
	name, rest, ok1 := strings.Cut(key, "+")
	hashStr, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || validName(name) != nil || len(hashStr) != 8 {
		return "", 0, nil, errors.New("want <name>+<8 hex digits>+<base64>")
	}
	h, err := strconv.ParseUint(hashStr, 16, 32)
	if err != nil {
		return "", 0, nil, errors.New("bad key hash")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 1+size {
		return "", 0, nil, errors.New("bad key data")
	}
	if raw[0] != cosignatureAlg {
		return "", 0, nil, fmt.Errorf("signature type 0x%02x, want 0x%02x (tlog-cosignature/v1)", raw[0], cosignatureAlg)
	}
	if witnessKeyHash(name, pub(raw[1:])) != uint32(h) {
		return "", 0, nil, errors.New("key hash does not match the key")
	}
	return name, uint32(h), raw[1:], nil
}

// A WitnessSigner makes C2SP tlog-cosignature/v1 cosignatures. It implements
// note.Signer: Sign(text) returns the 8-byte big-endian timestamp followed by
// the Ed25519 signature of
//
//	"cosignature/v1\ntime <timestamp>\n" || text
//
// where text is the checkpoint note text.
type WitnessSigner struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
	now  func() time.Time
}

// NewWitnessSigner returns a signer for a witness private key made by
// GenerateWitnessKey. now gives the cosignature timestamps (time.Now in
// production). A malformed key is an error wrapping ErrInvalid.
func NewWitnessSigner(skey string, now func() time.Time) (*WitnessSigner, error) {
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return nil, fmt.Errorf("ledger: witness signer key: want PRIVATE+KEY+ prefix: %w", ErrInvalid)
	}
	name, hash, seed, err := parseWitnessKey(rest, ed25519.SeedSize, func(seed []byte) ed25519.PublicKey {
		return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: witness signer key: %w: %w", err, ErrInvalid)
	}
	return &WitnessSigner{name: name, hash: hash, priv: ed25519.NewKeyFromSeed(seed), now: now}, nil
}

// Name returns the witness's key name.
func (s *WitnessSigner) Name() string { return s.name }

// KeyHash returns the witness's key hash.
func (s *WitnessSigner) KeyHash() uint32 { return s.hash }

// Verifier returns the verifier for the signer's public key.
func (s *WitnessSigner) Verifier() *WitnessVerifier {
	return &WitnessVerifier{name: s.name, hash: s.hash, pub: s.priv.Public().(ed25519.PublicKey)}
}

// Sign returns the timestamped cosignature of a checkpoint's note text.
func (s *WitnessSigner) Sign(text []byte) ([]byte, error) {
	ts := s.now().Unix()
	if ts < 0 {
		return nil, fmt.Errorf("ledger: cosign: clock before 1970: %w", ErrInvalid)
	}
	sig := binary.BigEndian.AppendUint64(make([]byte, 0, 8+ed25519.SignatureSize), uint64(ts))
	return append(sig, ed25519.Sign(s.priv, cosignedMessage(uint64(ts), text))...), nil
}

func cosignedMessage(ts uint64, text []byte) []byte {
	msg := fmt.Appendf(make([]byte, 0, 40+len(text)), "cosignature/v1\ntime %d\n", ts)
	return append(msg, text...)
}

// A WitnessVerifier checks C2SP tlog-cosignature/v1 cosignatures by one
// witness key. It implements note.Verifier.
type WitnessVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

// NewWitnessVerifier parses a witness verifier key made by
// GenerateWitnessKey. A malformed key, or one of another signature type, is
// an error wrapping ErrInvalid.
func NewWitnessVerifier(vkey string) (*WitnessVerifier, error) {
	name, hash, pub, err := parseWitnessKey(vkey, ed25519.PublicKeySize, func(b []byte) ed25519.PublicKey { return b })
	if err != nil {
		return nil, fmt.Errorf("ledger: witness verifier key: %w: %w", err, ErrInvalid)
	}
	return &WitnessVerifier{name: name, hash: hash, pub: pub}, nil
}

// Name returns the witness's key name.
func (v *WitnessVerifier) Name() string { return v.name }

// KeyHash returns the witness's key hash.
func (v *WitnessVerifier) KeyHash() uint32 { return v.hash }

// Verify reports whether sig is a valid timestamped cosignature of text.
func (v *WitnessVerifier) Verify(text, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > 1<<63-1 {
		return false
	}
	return ed25519.Verify(v.pub, cosignedMessage(ts, text), sig[8:])
}

// Cosign returns the signature line ("— <name> <base64>\n") by which w
// cosigns checkpoint, a signed checkpoint note or its bare text. It signs the
// text only; the caller MUST first have verified the log's signature and the
// checkpoint's consistency with every checkpoint it cosigned before (see
// audit.Witness). A malformed checkpoint is an error wrapping ErrInvalid.
func Cosign(checkpoint []byte, w note.Signer) (string, error) {
	text := checkpoint
	if bytes.Contains(checkpoint, []byte("\n\n")) {
		var err error
		if text, _, err = splitNote(checkpoint); err != nil {
			return "", fmt.Errorf("ledger: cosign: %w", err)
		}
	}
	if _, err := ParseCheckpoint(text); err != nil {
		return "", fmt.Errorf("ledger: cosign: %w", err)
	}
	sig, err := w.Sign(text)
	if err != nil {
		return "", fmt.Errorf("ledger: cosign: %w", err)
	}
	var hash [4]byte
	binary.BigEndian.PutUint32(hash[:], w.KeyHash())
	return formatSigLine(note.Signature{
		Name:   w.Name(),
		Hash:   w.KeyHash(),
		Base64: base64.StdEncoding.EncodeToString(append(hash[:], sig...)),
	}), nil
}

// AddCosignatures returns the signed checkpoint note with more signature
// lines merged in. Each element of cosigs is either one or more signature
// lines or a signed note of the same text (whose lines are taken). A
// signature by a key (name and key hash) already present replaces the older
// one in place; others are appended in order. AddCosignatures checks only the
// syntax: the caller MUST have verified the cosignatures (see
// AcceptCosignature). Malformed input is an error wrapping ErrInvalid.
func AddCosignatures(checkpoint []byte, cosigs ...[]byte) ([]byte, error) {
	text, lines, err := splitNote(checkpoint)
	if err != nil {
		return nil, fmt.Errorf("ledger: add cosignatures: %w", err)
	}
	sigs := make([]note.Signature, 0, len(lines)+len(cosigs))
	pos := make(map[string]int)
	add := func(line string) error {
		s, err := parseSigLine(line)
		if err != nil {
			return err
		}
		id := keyID(s.Name, s.Hash)
		if i, ok := pos[id]; ok {
			sigs[i] = s
			return nil
		}
		pos[id] = len(sigs)
		sigs = append(sigs, s)
		return nil
	}
	for _, l := range lines {
		if err := add(l); err != nil {
			return nil, fmt.Errorf("ledger: add cosignatures: %w", err)
		}
	}
	for _, c := range cosigs {
		more := strings.Split(strings.TrimSuffix(string(c), "\n"), "\n")
		if bytes.Contains(c, []byte("\n\n")) {
			t, l, err := splitNote(c)
			if err != nil {
				return nil, fmt.Errorf("ledger: add cosignatures: %w", err)
			}
			if !bytes.Equal(t, text) {
				return nil, fmt.Errorf("ledger: add cosignatures: cosigned note is for another checkpoint: %w", ErrInvalid)
			}
			more = l
		}
		for _, l := range more {
			if err := add(l); err != nil {
				return nil, fmt.Errorf("ledger: add cosignatures: %w", err)
			}
		}
	}
	if len(sigs) > maxSignatures {
		return nil, fmt.Errorf("ledger: add cosignatures: %d signatures, at most %d: %w", len(sigs), maxSignatures, ErrInvalid)
	}
	out := make([]byte, 0, len(text)+1+len(sigs)*128)
	out = append(out, text...)
	out = append(out, '\n')
	for _, s := range sigs {
		out = append(out, formatSigLine(s)...)
	}
	return out, nil
}

// CountCosignatures returns how many distinct keys among witnesses have a
// valid signature on the checkpoint note; a quorum check compares it with
// the required number. Signatures by keys not in witnesses are ignored. A
// signature that claims a listed key but does not verify is not counted and
// is reported in the error (wrapping ErrSignature), which is non-nil only
// then or for a malformed note (ErrInvalid); the count is valid either way.
func CountCosignatures(checkpoint []byte, witnesses []note.Verifier) (int, error) {
	text, lines, err := splitNote(checkpoint)
	if err != nil {
		return 0, fmt.Errorf("ledger: count cosignatures: %w", err)
	}
	known := make(map[string]note.Verifier, len(witnesses))
	for _, w := range witnesses {
		known[keyID(w.Name(), w.KeyHash())] = w
	}
	valid := make(map[string]bool)
	var errs []error
	for _, l := range lines {
		s, err := parseSigLine(l)
		if err != nil {
			return 0, fmt.Errorf("ledger: count cosignatures: %w", err)
		}
		id := keyID(s.Name, s.Hash)
		v, ok := known[id]
		if !ok || valid[id] {
			continue
		}
		raw, _ := base64.StdEncoding.DecodeString(s.Base64) // parseSigLine checked it.
		if !v.Verify(text, raw[4:]) {
			errs = append(errs, fmt.Errorf("ledger: invalid cosignature by %s: %w", id, ErrSignature))
			continue
		}
		valid[id] = true
	}
	return len(valid), errors.Join(errs...)
}

// AcceptCosignature checks a cosigned checkpoint posted by a witness and
// returns the checkpoint and the witness's signature line, to be stored with
// that checkpoint and merged into it with AddCosignatures when serving.
// posted is the checkpoint note as the log signed it with the witness's
// cosignature added (see audit.Witness); it MUST carry a valid signature by
// the log (proving the checkpoint is the log's) and by witness, the key of
// the witness the caller has authenticated. Errors wrap ErrSignature or
// ErrInvalid.
func AcceptCosignature(posted []byte, logVerifier, witness note.Verifier) (Checkpoint, string, error) {
	c, err := OpenCheckpoint(posted, logVerifier)
	if err != nil {
		return Checkpoint{}, "", fmt.Errorf("ledger: accept cosignature: %w", err)
	}
	text, lines, err := splitNote(posted)
	if err != nil {
		return Checkpoint{}, "", fmt.Errorf("ledger: accept cosignature: %w", err)
	}
	id := keyID(witness.Name(), witness.KeyHash())
	for _, l := range lines {
		s, err := parseSigLine(l)
		if err != nil {
			return Checkpoint{}, "", fmt.Errorf("ledger: accept cosignature: %w", err)
		}
		if keyID(s.Name, s.Hash) != id {
			continue
		}
		raw, _ := base64.StdEncoding.DecodeString(s.Base64)
		if !witness.Verify(text, raw[4:]) {
			return Checkpoint{}, "", fmt.Errorf("ledger: accept cosignature: invalid cosignature by %s: %w", id, ErrSignature)
		}
		return c, formatSigLine(s), nil
	}
	return Checkpoint{}, "", fmt.Errorf("ledger: accept cosignature: no cosignature by %s: %w", id, ErrSignature)
}

// CosignerKey identifies the key of a signature line "— name base64(keyhash
// || sig)" as name and hex key hash, so that a store keeps one cosignature
// per witness key. A malformed line is an error wrapping ErrInvalid.
func CosignerKey(line string) (string, error) {
	name, b64, ok := strings.Cut(strings.TrimPrefix(line, "— "), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if !ok || err != nil || len(raw) < 4 {
		return "", fmt.Errorf("ledger: malformed signature line: %w", ErrInvalid)
	}
	return fmt.Sprintf("%s+%x", name, raw[:4]), nil
}
