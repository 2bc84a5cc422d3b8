package parties

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Pseudonyms names, in the views released to parties, observers and the
// public, who reported and who acted without saying who they are: the same
// organisation or user always gets the same pseudonym under the same secret,
// and nobody without the secret can tell which organisation or user it
// stands for, nor test a guess.
type Pseudonyms struct {
	key []byte
}

// NewPseudonyms derives the pseudonyms' key from secret (serve passes the
// ledger's signing key) under its own label, so that the key serves no
// other purpose. The same secret gives the same pseudonyms across
// restarts; a new secret gives new ones.
func NewPseudonyms(secret []byte) *Pseudonyms {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("truce pseudonyms v1"))
	return &Pseudonyms{key: m.Sum(nil)}
}

// Org returns the pseudonym of a monitoring organisation, such as
// "org-3f9a1c02b7e4".
func (p *Pseudonyms) Org(org string) string { return p.name("org", org) }

// User returns the pseudonym of a user id, such as "user-8c1d44e0a95b".
func (p *Pseudonyms) User(id string) string { return p.name("user", id) }

func (p *Pseudonyms) name(kind, v string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return kind + "-" + hex.EncodeToString(m.Sum(nil)[:6])
}
