package observation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/gowebpki/jcs"

	"truce/internal/derrors"
)

// Canonical returns the observation's canonical bytes: the RFC 8785 (JCS)
// form of its JSON without the signature, with defaults filled in. Two
// submissions with the same Canonical bytes are the same observation.
func (o Observation) Canonical() ([]byte, error) {
	o.Signature = ""
	return canonicalJSON(o)
}

// ContentHash is the SHA-256 of Canonical; stores compare it to tell an
// idempotent resubmission from a conflicting one.
func (o Observation) ContentHash() ([32]byte, error) {
	b, err := o.Canonical()
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// Canonical returns the record's canonical bytes, signature and server
// fields included: what the store keeps and the ledger commits to.
func (r Record) Canonical() ([]byte, error) {
	return canonicalJSON(r)
}

func canonicalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("observation: encode: %w", err)
	}
	c, err := jcs.Transform(b)
	if err != nil {
		return nil, fmt.Errorf("observation: canonicalise: %w", err)
	}
	return c, nil
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
