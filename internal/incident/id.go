package incident

import (
	"crypto/sha256"
	"encoding/hex"
)

// parseUUID reads a UUID in its canonical textual form (either case).
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	var h [32]byte
	copy(h[0:8], s[0:8])
	copy(h[8:12], s[9:13])
	copy(h[12:16], s[14:18])
	copy(h[16:20], s[19:23])
	copy(h[20:32], s[24:36])
	if _, err := hex.Decode(u[:], h[:]); err != nil {
		return u, false
	}
	return u, true
}

// formatUUID writes u in its canonical lower-case textual form.
func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// IncidentID returns the id of the incident whose smallest observation id
// (in byte order of the UUID, which is the order of its lower-case text) is
// obsID: a UUID-shaped string made from SHA-256("truce incident\x00" +
// obsID), so it is deterministic yet does not reveal the observation id.
// obsID must be in canonical lower-case form.
func IncidentID(obsID string) string {
	sum := sha256.Sum256([]byte("truce incident\x00" + obsID))
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x80 // version 8: custom
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return formatUUID(u)
}
