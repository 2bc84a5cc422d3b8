// Package auth defines truce's users, roles and bearer tokens, and the
// policy that says who may do what. Every authorization decision in truce is
// made by a function in this package, so the whole policy can be read, and
// tested as a matrix, in one place.
package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"truce/internal/derrors"
)

// Role is what a user is to the ceasefire.
type Role string

// The roles of DESIGN.md ("Who uses it").
const (
	Monitor    Role = "monitor"
	Analyst    Role = "analyst"
	Party      Role = "party"
	Mediator   Role = "mediator"
	Observer   Role = "observer"
	Witness    Role = "witness"
	Caseworker Role = "caseworker"
	Admin      Role = "admin"
)

// Roles returns every role in a fixed order.
func Roles() []Role {
	return []Role{Monitor, Analyst, Party, Mediator, Observer, Witness, Caseworker, Admin}
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", derrors.Invalid("role", "must be one of %v", Roles())
}

// User is one holder of a token. A user has exactly one role and one
// organisation; for the party role the organisation is the party's code.
type User struct {
	ID   int64
	Name string
	Role Role
	Org  string
	// PublicKey, when set, is the Ed25519 key every observation of this
	// user must be signed with.
	PublicKey ed25519.PublicKey
	// WitnessKey is a witness's cosignature verifier key
	// ("<name>+<hash>+<base64>", C2SP tlog-cosignature); only witnesses
	// have one.
	WitnessKey string
}

var (
	orgRE   = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,99}$`)
	partyRE = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Validate checks a user about to be created.
func (u *User) Validate() error {
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if !orgRE.MatchString(u.Org) {
		return derrors.Invalid("org", "must be 1 to 100 letters, digits, spaces or ._-")
	}
	if u.Role == Party && !partyRE.MatchString(u.Org) {
		return derrors.Invalid("org", "a party's organisation must be its two-letter code, such as UA or RU")
	}
	if n := strings.TrimSpace(u.Name); n == "" || len(n) > 200 {
		return derrors.Invalid("name", "must be 1 to 200 characters")
	}
	if u.WitnessKey != "" && u.Role != Witness {
		return derrors.Invalid("pubkey", "only a witness registers a cosignature key")
	}
	if u.PublicKey != nil && len(u.PublicKey) != ed25519.PublicKeySize {
		return derrors.Invalid("pubkey", "must be an Ed25519 public key (%d bytes)", ed25519.PublicKeySize)
	}
	return nil
}

// tokenPrefix marks truce tokens so that secret scanners can find leaked ones.
const tokenPrefix = "truce_"

// NewToken returns a fresh random 256-bit bearer token and the hash under
// which it is stored. The token itself MUST NOT be stored or logged.
func NewToken() (token string, hash [32]byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", hash, fmt.Errorf("auth: new token: %w", err)
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the stored form of a token. Tokens carry 256 random bits,
// so a plain SHA-256 cannot be reversed by guessing.
func HashToken(token string) [32]byte {
	return sha256.Sum256([]byte(token))
}

// ParsePublicKey reads an Ed25519 public key given as base64 (32 bytes) or as
// a PEM/DER "PUBLIC KEY" block, as written by `truce keygen`.
func ParsePublicKey(text []byte) (ed25519.PublicKey, error) {
	s := strings.TrimSpace(string(text))
	if strings.HasPrefix(s, "-----BEGIN") {
		return parsePEMPublicKey([]byte(s))
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, derrors.Invalid("pubkey", "must be a base64 Ed25519 public key (32 bytes) or a PEM PUBLIC KEY")
	}
	return ed25519.PublicKey(b), nil
}
