package auth

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"

	"truce/internal/derrors"
)

func parsePEMPublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, derrors.Invalid("pubkey", "must be a PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, derrors.Invalid("pubkey", "cannot parse: %v", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, derrors.Invalid("pubkey", "is not an Ed25519 key")
	}
	return pub, nil
}
