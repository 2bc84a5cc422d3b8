package sqlite

import (
	"encoding/hex"
)

// Observation ids are UUIDs; they are stored as their 16 bytes. The unique
// index on a random key is the costliest part of an insert, and a key less
// than half the size makes it markedly cheaper.

// uuidBytes returns the 16 bytes of a UUID in 8-4-4-4-12 form.
func uuidBytes(s string) ([]byte, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil, false
	}
	b := make([]byte, 16)
	j := 0
	for _, part := range []string{s[0:8], s[9:13], s[14:18], s[19:23], s[24:36]} {
		n, err := hex.Decode(b[j:], []byte(part))
		if err != nil {
			return nil, false
		}
		j += n
	}
	return b, true
}

// uuidString formats 16 bytes as a lower-case UUID.
func uuidString(b []byte) string {
	if len(b) != 16 {
		return hex.EncodeToString(b)
	}
	var buf [36]byte
	hex.Encode(buf[0:8], b[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], b[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], b[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], b[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], b[10:16])
	return string(buf[:])
}
