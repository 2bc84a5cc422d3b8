package incident

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
)

// TestFormatUUID checks the hand-written UUID text against the uuid
// package's, and IncidentID against its definition, on random ids.
func TestFormatUUID(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var u [16]byte
		for i := range u {
			u[i] = byte(r.Uint32())
		}
		want := uuid.UUID(u).String()
		if got := formatUUID(u); got != want {
			t.Fatalf("formatUUID(%x) = %s, want %s", u, got, want)
		}
		sum := sha256.Sum256([]byte("truce incident\x00" + want))
		var id uuid.UUID
		copy(id[:], sum[:16])
		id[6] = id[6]&0x0f | 0x80
		id[8] = id[8]&0x3f | 0x80
		if got := IncidentID(want); got != id.String() {
			t.Fatalf("IncidentID(%s) = %s, want %s", want, got, id)
		}
	}
	// A longer (non-canonical) argument still hashes all of it.
	long := "not-a-uuid-but-longer-than-thirty-six-characters"
	sum := sha256.Sum256([]byte("truce incident\x00" + long))
	var id uuid.UUID
	copy(id[:], sum[:16])
	id[6] = id[6]&0x0f | 0x80
	id[8] = id[8]&0x3f | 0x80
	if got := IncidentID(long); got != id.String() {
		t.Errorf("IncidentID(%q) = %s, want %s", long, got, id)
	}
}
