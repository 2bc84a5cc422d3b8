package ingest

import (
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/observation"
)

// Prepare is the one path from a submitted JSON object to a record ready
// to store, shared by the API and `truce import`: parse and validate,
// apply the signing rule, take organisation and party from the user (never
// from the payload), stamp the acceptance time, and compute the canonical
// bytes. Errors are *derrors.FieldError naming the field at fault.
func Prepare(u *auth.User, raw []byte, now time.Time) (observation.Prepared, error) {
	o, err := observation.Parse(raw, now)
	if err != nil {
		return observation.Prepared{}, err
	}
	if err := checkSignature(u, raw, o.Signature); err != nil {
		return observation.Prepared{}, err
	}
	rec := auth.PrepareSubmission(u, o)
	rec.AcceptedAt = now
	return observation.Prepare(rec), nil
}

// checkSignature applies the signing rule: a user with a registered key must
// sign every observation; a user without one must not send a signature that
// nobody can check.
func checkSignature(u *auth.User, raw []byte, sig string) error {
	if u.PublicKey != nil {
		return observation.VerifySignature(u.PublicKey, raw, sig)
	}
	if sig != "" {
		return derrors.Invalid("signature", "this submitter has no registered public key to check it against")
	}
	return nil
}
