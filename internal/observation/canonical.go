package observation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"truce/internal/derrors"
)

// Canonical returns the observation's canonical bytes: the RFC 8785 (JCS)
// form of its JSON without the signature, with defaults filled in. Two
// submissions with the same Canonical bytes are the same observation.
func (o Observation) Canonical() []byte {
	return appendCanonical(nil, &o, nil)
}

// ContentHash is the SHA-256 of Canonical; stores compare it to tell an
// idempotent resubmission from a conflicting one.
func (o Observation) ContentHash() [32]byte {
	return sha256.Sum256(o.Canonical())
}

// Canonical returns the record's canonical bytes, signature and server
// fields included: what the store keeps and the ledger commits to.
func (r Record) Canonical() []byte {
	return appendCanonical(nil, &r.Observation, &r)
}

// appendCanonical writes the RFC 8785 form of o directly: members in
// sorted order (every key is ASCII, so byte order is UTF-16 order), numbers
// in ECMAScript form, strings escaped as RFC 8785 says. With r nil it
// writes the observation without signature; with r, the whole record.
// TestCanonicalMatchesJCS holds it to a general JCS implementation.
func appendCanonical(b []byte, o *Observation, r *Record) []byte {
	b = append(b, '{')
	comma := false
	key := func(k string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
	}
	str := func(k, v string) {
		key(k)
		b = appendString(b, v)
	}
	num := func(k string, v float64) {
		key(k)
		b = appendNumber(b, v)
	}
	if r != nil {
		str("accepted_at", r.AcceptedAt.UTC().Format(time.RFC3339Nano))
	}
	if o.AttributedTo != "" {
		str("attributed_to", o.AttributedTo)
	}
	key("count")
	b = strconv.AppendInt(b, int64(o.Count), 10)
	str("domain", string(o.Domain))
	if len(o.Evidence) > 0 {
		key("evidence")
		b = append(b, '[')
		for i, e := range o.Evidence {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if e.MediaType != "" {
				b = append(b, `"media_type":`...)
				b = appendString(b, e.MediaType)
				b = append(b, ',')
			}
			b = append(b, `"sha256":`...)
			b = appendString(b, e.SHA256)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	str("id", o.ID)
	str("kind", string(o.Kind))
	if o.Lat != nil {
		num("lat", *o.Lat)
	}
	num("location_uncertainty_m", o.LocationUncertaintyM)
	if o.Lon != nil {
		num("lon", *o.Lon)
	}
	if o.Narrative != "" {
		str("narrative", o.Narrative)
	}
	str("observed_at", o.ObservedAt.UTC().Format(time.RFC3339Nano))
	if r != nil {
		str("organization", r.Organization)
		if r.Party != "" {
			str("party", r.Party)
		}
	}
	if o.Region != "" {
		str("region", o.Region)
	}
	if r != nil && o.Signature != "" {
		str("signature", o.Signature)
	}
	str("source", string(o.Source))
	if r != nil {
		key("submitter_id")
		b = strconv.AppendInt(b, r.SubmitterID, 10)
	}
	num("time_uncertainty_s", o.TimeUncertaintyS)
	return append(b, '}')
}

// appendNumber writes f as ECMAScript's Number.prototype.toString does,
// which RFC 8785 requires.
func appendNumber(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0') // also for -0
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Go writes e-07 where ECMAScript writes e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString writes s as an RFC 8785 string: only '"', '\\' and control
// characters are escaped, with the short forms where JSON has them.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // invalid UTF-8 was refused by Parse; this writes U+FFFD
			i += size
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// SigningBytes returns what a submitter signs: the RFC 8785 canonical form of
// the JSON object exactly as submitted (raw), with its "signature" member
// removed. Defaults are not filled in, so a client can compute it from its
// own object with any JCS implementation.
func SigningBytes(raw []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, derrors.Invalid("body", "must be a JSON object")
	}
	delete(m, "signature")
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("observation: signing bytes: %w", err)
	}
	c, err := jcs.Transform(b)
	if err != nil {
		return nil, derrors.Invalid("body", "cannot be canonicalised: %v", err)
	}
	return c, nil
}

// Sign returns obj (a JSON object without "signature") with a "signature"
// member added: the Ed25519 signature over SigningBytes. Monitors' devices
// and tests use it.
func Sign(key ed25519.PrivateKey, obj []byte) ([]byte, error) {
	msg, err := SigningBytes(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, fmt.Errorf("observation: sign: %w", err)
	}
	sig, _ := json.Marshal(base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg)))
	m["signature"] = sig
	return json.Marshal(m)
}

// VerifySignature checks the signature of the raw object against pub. It
// returns a *derrors.FieldError for field "signature" when it is missing or
// does not verify.
func VerifySignature(pub ed25519.PublicKey, raw []byte, signature string) error {
	if signature == "" {
		return derrors.Invalid("signature", "required: this submitter has a registered key")
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return derrors.Invalid("signature", "must be a base64 Ed25519 signature (64 bytes)")
	}
	msg, err := SigningBytes(raw)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return derrors.Invalid("signature", "does not verify against the submitter's registered key")
	}
	return nil
}
