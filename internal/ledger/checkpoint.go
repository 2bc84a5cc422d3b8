package ledger

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, the
// tree size and the RFC 6962 root hash of the tree of that size.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text returns the checkpoint's note text, three lines each ending in a
// newline: the origin, the size in decimal and the root hash in base64.
// This is the text that the log signs and witnesses cosign.
func (c Checkpoint) Text() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint parses checkpoint note text (without signatures) as made by
// Checkpoint.Text. truce logs write no extension lines, so a text with more
// than three lines, a size with leading zeros or a root that is not 32 bytes
// in canonical base64 is an error wrapping ErrInvalid.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	bad := func(why string) (Checkpoint, error) {
		return Checkpoint{}, fmt.Errorf("ledger: parse checkpoint: %s: %w", why, ErrInvalid)
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return bad("want three lines, each ending in a newline")
	}
	var c Checkpoint
	if err := validName(lines[0]); err != nil {
		return bad("origin: " + err.Error())
	}
	c.Origin = lines[0]
	size, ok := parseDecimal(lines[1], 1<<63-1)
	if !ok {
		return bad("size must be decimal without leading zeros")
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return bad("root hash must be 32 bytes in base64")
	}
	copy(c.Root[:], root)
	return c, nil
}

// validName checks a signed-note key name (and so a checkpoint origin):
// non-empty UTF-8 with no Unicode spaces, no '+' and no control characters.
func validName(name string) error {
	if name == "" {
		return errors.New("empty")
	}
	for _, r := range name {
		if unicode.IsSpace(r) || r == '+' || r < 0x20 || r == unicode.ReplacementChar {
			return fmt.Errorf("%q contains a space, '+', a control character or invalid UTF-8", name)
		}
	}
	return nil
}

// GenerateKey generates an Ed25519 signed-note key pair for a log named name
// (which becomes the checkpoint origin, such as "ledger.truce.example"). skey
// is "PRIVATE+KEY+<name>+<hash>+<base64>" and MUST be kept secret; vkey is
// "<name>+<hash>+<base64>" and is what verifiers are given. It returns an
// error wrapping ErrInvalid for a bad name.
func GenerateKey(name string) (skey, vkey string, err error) {
	if err := validName(name); err != nil {
		return "", "", fmt.Errorf("ledger: generate key: name: %w: %w", err, ErrInvalid)
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("ledger: generate key: %w", err)
	}
	return skey, vkey, nil
}

// SignCheckpoint returns the signed checkpoint note for the tree of the given
// size and root hash. The signer's name MUST equal origin (see the package
// contract), otherwise the error wraps ErrInvalid. The caller MUST NOT sign a
// checkpoint inconsistent with one it signed before.
func SignCheckpoint(signer note.Signer, origin string, size int64, root tlog.Hash) ([]byte, error) {
	if signer.Name() != origin {
		return nil, fmt.Errorf("ledger: sign checkpoint: key name %q differs from origin %q: %w", signer.Name(), origin, ErrInvalid)
	}
	if size < 0 {
		return nil, fmt.Errorf("ledger: sign checkpoint: negative size %d: %w", size, ErrInvalid)
	}
	c := Checkpoint{Origin: origin, Size: size, Root: root}
	if _, err := ParseCheckpoint(c.Text()); err != nil {
		return nil, fmt.Errorf("ledger: sign checkpoint: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Text())}, signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies the log's signature on a checkpoint note and parses
// its text. Signatures by other keys, such as witness cosignatures, are
// ignored (use CountCosignatures for them). It returns an error wrapping
// ErrSignature if the note has no valid signature by logVerifier or the
// origin differs from the key's name, and ErrInvalid if the note or the
// checkpoint is malformed.
func OpenCheckpoint(msg []byte, logVerifier note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(logVerifier))
	if err != nil {
		var inv *note.InvalidSignatureError
		var unv *note.UnverifiedNoteError
		switch {
		case errors.As(err, &inv):
			return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: invalid signature by log key %s: %w", logVerifier.Name(), ErrSignature)
		case errors.As(err, &unv):
			return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: no signature by log key %s: %w", keyID(logVerifier.Name(), logVerifier.KeyHash()), ErrSignature)
		}
		return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: %v: %w", err, ErrInvalid)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: %w", err)
	}
	if c.Origin != logVerifier.Name() {
		return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: origin %q differs from log key name %q: %w", c.Origin, logVerifier.Name(), ErrSignature)
	}
	return c, nil
}

// splitNote splits a signed note into its text (ending in a newline) and its
// signature lines (each without the final newline), checking only the
// framing. It returns an error wrapping ErrInvalid for a malformed note.
func splitNote(msg []byte) (text []byte, sigs []string, err error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 || len(msg) == i+2 || msg[len(msg)-1] != '\n' {
		return nil, nil, fmt.Errorf("ledger: malformed signed note: %w", ErrInvalid)
	}
	text = msg[:i+1]
	for line := range strings.Lines(string(msg[i+2:])) {
		sigs = append(sigs, strings.TrimSuffix(line, "\n"))
	}
	return text, sigs, nil
}

// parseSigLine parses a signed-note signature line, "— <name> <base64>" with
// or without its final newline.
func parseSigLine(line string) (note.Signature, error) {
	line = strings.TrimSuffix(line, "\n")
	rest, ok := strings.CutPrefix(line, "— ")
	if !ok {
		return note.Signature{}, fmt.Errorf("ledger: signature line %q: want an em dash and a space first: %w", line, ErrInvalid)
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok || validName(name) != nil {
		return note.Signature{}, fmt.Errorf("ledger: signature line %q: bad key name: %w", line, ErrInvalid)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sig) < 5 {
		return note.Signature{}, fmt.Errorf("ledger: signature line %q: bad base64 signature: %w", line, ErrInvalid)
	}
	return note.Signature{Name: name, Hash: uint32(sig[0])<<24 | uint32(sig[1])<<16 | uint32(sig[2])<<8 | uint32(sig[3]), Base64: b64}, nil
}

// CheckpointSize returns the size in a checkpoint note without verifying any
// signature. Only use it on checkpoints from a trusted source, such as the
// server's own store.
func CheckpointSize(msg []byte) (int64, error) {
	text, _, err := splitNote(msg)
	if err != nil {
		return 0, err
	}
	c, err := ParseCheckpoint(text)
	if err != nil {
		return 0, err
	}
	return c.Size, nil
}

// formatSigLine formats a signature as a signed-note signature line,
// including the final newline.
func formatSigLine(s note.Signature) string {
	return "— " + s.Name + " " + s.Base64 + "\n"
}

// keyID names a key in messages as <name>+<hash>, as in verifier keys.
func keyID(name string, hash uint32) string {
	return name + "+" + strconv.FormatUint(uint64(hash)|1<<32, 16)[1:]
}
