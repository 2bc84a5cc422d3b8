package ledger_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

func TestCheckpointRoundTrip(t *testing.T) {
	skey, vkey, err := ledger.GenerateKey("example.com/behind-the-sofa")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(skey, "PRIVATE+KEY+example.com/behind-the-sofa+") || !strings.HasPrefix(vkey, "example.com/behind-the-sofa+") {
		t.Fatalf("GenerateKey = %q, %q: want note key formats", skey, vkey)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	root, _ := tlog.ParseHash("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
	msg, err := ledger.SignCheckpoint(signer, "example.com/behind-the-sofa", 20852163, root)
	if err != nil {
		t.Fatal(err)
	}
	wantText := "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa "
	if !strings.HasPrefix(string(msg), wantText) {
		t.Errorf("SignCheckpoint = %q, want prefix %q", msg, wantText)
	}
	c, err := ledger.OpenCheckpoint(msg, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ledger.Checkpoint{Origin: "example.com/behind-the-sofa", Size: 20852163, Root: root}); c != want {
		t.Errorf("OpenCheckpoint = %+v, want %+v", c, want)
	}
	if size, err := ledger.CheckpointSize(msg); size != 20852163 || err != nil {
		t.Errorf("CheckpointSize = %d, %v", size, err)
	}

	// Rejections.
	_, otherV := mustKey(t, "example.com/behind-the-sofa")
	tampered := bytes.Replace(msg, []byte("20852163"), []byte("20852164"), 1)
	tests := []struct {
		name string
		msg  []byte
		v    note.Verifier
		want error
	}{
		{"other key", msg, otherV, ledger.ErrSignature},
		{"tampered size", tampered, verifier, ledger.ErrSignature},
		{"no signatures", []byte("example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"), verifier, ledger.ErrInvalid},
		{"garbage", []byte("hello"), verifier, ledger.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ledger.OpenCheckpoint(tt.msg, tt.v); !errors.Is(err, tt.want) {
				t.Errorf("OpenCheckpoint() error = %v, want %v", err, tt.want)
			}
		})
	}

	// The origin must be the key's name.
	if _, err := ledger.SignCheckpoint(signer, "example.com/other", 1, root); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("SignCheckpoint(other origin) error = %v, want ErrInvalid", err)
	}
	otherName, _ := mustKey(t, "example.com/other")
	forged, err := note.Sign(&note.Note{Text: "example.com/behind-the-sofa\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"}, otherName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.OpenCheckpoint(forged, verifierOf(t, otherName)); !errors.Is(err, ledger.ErrSignature) {
		t.Errorf("OpenCheckpoint(origin differs from key name) error = %v, want ErrSignature", err)
	}
}

func mustKey(t *testing.T, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// verifierOf returns a verifier accepting everything signed by s's name and
// hash: the test only needs the name to mismatch the origin.
func verifierOf(t *testing.T, s note.Signer) note.Verifier {
	return fakeVerifier{name: s.Name(), hash: s.KeyHash()}
}

type fakeVerifier struct {
	name string
	hash uint32
}

func (f fakeVerifier) Name() string            { return f.name }
func (f fakeVerifier) KeyHash() uint32         { return f.hash }
func (f fakeVerifier) Verify(_, _ []byte) bool { return true }

func TestParseCheckpoint(t *testing.T) {
	const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	tests := []struct {
		text string
		ok   bool
	}{
		{"o\n0\n" + root + "\n", true},
		{"example.com/log\n123\n" + root + "\n", true},
		{"o\n00\n" + root + "\n", false},
		{"o\n01\n" + root + "\n", false},
		{"o\n-1\n" + root + "\n", false},
		{"o\n1\n" + root, false},
		{"o\n1\n" + root + "\nextension\n", false},
		{"\n1\n" + root + "\n", false},
		{"o o\n1\n" + root + "\n", false},
		{"o+o\n1\n" + root + "\n", false},
		{"o\n1\nAAAA\n", false},
		{"o\n1\n" + strings.TrimSuffix(root, "=") + "\n", false},
	}
	for _, tt := range tests {
		_, err := ledger.ParseCheckpoint([]byte(tt.text))
		if (err == nil) != tt.ok {
			t.Errorf("ParseCheckpoint(%q) error = %v, want ok=%v", tt.text, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("ParseCheckpoint(%q) error = %v, want ErrInvalid", tt.text, err)
		}
	}
}

func TestCosignatureRoundTrip(t *testing.T) {
	ctx := t.Context()
	m, _, logV := newTestLog(t, 5)
	cp, err := m.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1679315147, 0)
	var witnesses []*ledger.WitnessSigner
	var verifiers []note.Verifier
	for _, name := range []string{"witness.example/w1", "witness.example/w2", "witness.example/w3"} {
		skey, vkey, err := ledger.GenerateWitnessKey(name)
		if err != nil {
			t.Fatal(err)
		}
		w, err := ledger.NewWitnessSigner(skey, func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		v, err := ledger.NewWitnessVerifier(vkey)
		if err != nil {
			t.Fatal(err)
		}
		if v.Name() != name || v.KeyHash() != w.KeyHash() || w.Verifier().KeyHash() != v.KeyHash() {
			t.Fatalf("witness key %s: signer and verifier disagree", name)
		}
		witnesses = append(witnesses, w)
		verifiers = append(verifiers, v)
	}

	line, err := ledger.Cosign(cp, witnesses[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, "— witness.example/w1 ") || !strings.HasSuffix(line, "\n") {
		t.Errorf("Cosign = %q, want a signature line", line)
	}
	cosigned, err := ledger.AddCosignatures(cp, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	// The log signature still verifies and comes first.
	if _, err := ledger.OpenCheckpoint(cosigned, logV); err != nil {
		t.Fatalf("OpenCheckpoint(cosigned): %v", err)
	}
	if !bytes.HasPrefix(cosigned, cp) {
		t.Errorf("AddCosignatures dropped or moved the log signature:\n%s", cosigned)
	}
	// note.Open with the witness verifier accepts it too: the format is the
	// standard signed note.
	if _, err := note.Open(cosigned, note.VerifierList(verifiers[0])); err != nil {
		t.Errorf("note.Open with witness key: %v", err)
	}

	// The signed message is that of tlog-cosignature/v1 (checked by hand).
	sig, err := witnesses[1].Sign([]byte("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != 72 || string(sig[:8]) != "\x00\x00\x00\x00\x64\x18\x50\xcb" {
		t.Errorf("cosignature = %x…, want 72 bytes starting with timestamp 1679315147", sig[:8])
	}

	count := func(msg []byte) int {
		n, err := ledger.CountCosignatures(msg, verifiers)
		if err != nil {
			t.Fatalf("CountCosignatures: %v", err)
		}
		return n
	}
	if got := count(cp); got != 0 {
		t.Errorf("count(uncosigned) = %d, want 0", got)
	}
	if got := count(cosigned); got != 1 {
		t.Errorf("count(1 cosignature) = %d, want 1", got)
	}
	line2, _ := ledger.Cosign(cp, witnesses[1])
	line3, _ := ledger.Cosign(cosigned, witnesses[2])
	// Merging the same witness twice keeps one line; a full cosigned note
	// may be merged too.
	w2note := append(append([]byte(nil), cp...), line2...)
	all, err := ledger.AddCosignatures(cosigned, []byte(line), w2note, []byte(line3), []byte(line2))
	if err != nil {
		t.Fatal(err)
	}
	if got := count(all); got != 3 {
		t.Errorf("count(3 cosignatures) = %d, want 3\n%s", got, all)
	}
	if n := strings.Count(string(all), "\n— "); n != 4 {
		t.Errorf("merged note has %d signature lines, want 4 (log + 3 witnesses):\n%s", n, all)
	}

	// A cosignature by a key that is not in the list is ignored.
	skey, _, _ := ledger.GenerateWitnessKey("witness.example/stranger")
	stranger, _ := ledger.NewWitnessSigner(skey, time.Now)
	sline, _ := ledger.Cosign(cp, stranger)
	withStranger, _ := ledger.AddCosignatures(cp, []byte(sline))
	if got := count(withStranger); got != 0 {
		t.Errorf("count(stranger's cosignature) = %d, want 0", got)
	}

	// A cosignature for another checkpoint claiming a known key is reported.
	other, _ := ledger.AddCosignatures(cp, []byte(line))
	other = bytes.Replace(other, []byte("\n5\n"), []byte("\n6\n"), 1)
	n, err := ledger.CountCosignatures(other, verifiers)
	if n != 0 || !errors.Is(err, ledger.ErrSignature) {
		t.Errorf("CountCosignatures(cosignature of another text) = %d, %v, want 0, ErrSignature", n, err)
	}
}

func TestAcceptCosignature(t *testing.T) {
	ctx := t.Context()
	m, _, logV := newTestLog(t, 3)
	cp, _ := m.LatestCheckpoint(ctx)
	skey, vkey, _ := ledger.GenerateWitnessKey("witness.example/w1")
	w, _ := ledger.NewWitnessSigner(skey, time.Now)
	wv, _ := ledger.NewWitnessVerifier(vkey)
	skey2, vkey2, _ := ledger.GenerateWitnessKey("witness.example/w2")
	w2, _ := ledger.NewWitnessSigner(skey2, time.Now)
	wv2, _ := ledger.NewWitnessVerifier(vkey2)
	line, _ := ledger.Cosign(cp, w)
	line2, _ := ledger.Cosign(cp, w2)
	posted := append(append([]byte(nil), cp...), line...)
	text, _, _ := strings.Cut(string(cp), "\n\n")

	tests := []struct {
		name    string
		posted  []byte
		witness note.Verifier
		want    error
	}{
		{"valid", posted, wv, nil},
		{"other witness's key", posted, wv2, ledger.ErrSignature},
		{"missing log signature", []byte(text + "\n\n" + line), wv, ledger.ErrSignature},
		{"cosignature of another witness only", append(append([]byte(nil), cp...), line2...), wv, ledger.ErrSignature},
		{"garbage", []byte("x"), wv, ledger.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got, err := ledger.AcceptCosignature(tt.posted, logV, tt.witness)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("AcceptCosignature() error = %v, want %v", err, tt.want)
			}
			if err == nil && (got != line || c.Size != 3) {
				t.Errorf("AcceptCosignature() = %+v, %q, want size 3, %q", c, got, line)
			}
		})
	}
}

// flipHashDigit changes the first hex digit of the key hash in a vkey.
func flipHashDigit(vkey string) string {
	i := strings.Index(vkey, "+") + 1
	d := byte('0')
	if vkey[i] == '0' {
		d = '1'
	}
	return vkey[:i] + string(d) + vkey[i+1:]
}

func TestWitnessKeys(t *testing.T) {
	skey, vkey, err := ledger.GenerateWitnessKey("witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	logSkey, logVkey, _ := ledger.GenerateKey("witness.example/w1")
	for _, tt := range []struct {
		name string
		key  string
	}{
		{"log key (type 0x01)", logVkey},
		{"signer key as verifier", skey},
		{"wrong hash", flipHashDigit(vkey)},
		{"empty", ""},
	} {
		if _, err := ledger.NewWitnessVerifier(tt.key); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("NewWitnessVerifier(%s) error = %v, want ErrInvalid", tt.name, err)
		}
	}
	if _, err := ledger.NewWitnessSigner(logSkey, time.Now); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("NewWitnessSigner(log key) error = %v, want ErrInvalid", err)
	}
	if _, err := ledger.NewWitnessSigner(vkey, time.Now); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("NewWitnessSigner(verifier key) error = %v, want ErrInvalid", err)
	}
	if _, _, err := ledger.GenerateWitnessKey("bad name"); !errors.Is(err, ledger.ErrInvalid) {
		t.Errorf("GenerateWitnessKey(bad name) error = %v, want ErrInvalid", err)
	}
}
