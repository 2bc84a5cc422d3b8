package sqlite

import (
	"github.com/google/uuid"

	"truce/internal/store/storesql"
)

// Observation ids are UUIDs; they are stored as their 16 bytes. The unique
// index on a random key is the costliest part of an insert, and a key less
// than half the size makes it cheaper.

// uuidBytes returns the 16 bytes of a UUID in 8-4-4-4-12 form.
func uuidBytes(s string) ([]byte, bool) {
	k, ok := storesql.UUIDKey(s)
	return k[:], ok
}

// uuidString formats 16 bytes as a lower-case UUID.
func uuidString(b []byte) string {
	u, err := uuid.FromBytes(b)
	if err != nil {
		return string(b)
	}
	return u.String()
}
