package incident

import (
	"math/rand/v2"
	"testing"
)

// TestIDTable: after random insertions and deletions (which shift entries
// back), every held id is found at its slot and no released one is.
func TestIDTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	f := &Fuser{}
	held := map[[16]byte]int32{}
	var ids [][16]byte
	for round := range 20_000 {
		if len(ids) > 0 && rng.IntN(3) == 0 {
			k := rng.IntN(len(ids))
			id := ids[k]
			ids[k] = ids[len(ids)-1]
			ids = ids[:len(ids)-1]
			f.deleteID(id, held[id])
			delete(held, id)
			continue
		}
		var id [16]byte
		for i := range id {
			id[i] = byte(rng.UintN(256))
		}
		if round%7 == 0 {
			id[0] = 0 // crowd some ids together
		}
		v := f.obs.len()
		f.obs.push(obs{id: id})
		f.putID(id, v)
		held[id] = v
		ids = append(ids, id)
	}
	if f.byID.n != len(held) {
		t.Errorf("table holds %d ids, want %d", f.byID.n, len(held))
	}
	for i := range f.obs.len() {
		id := f.obs.at(i).id
		got, ok := f.lookup(id)
		want, wantOK := held[id]
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("lookup(%x) = %d, %v; want %d, %v", id, got, ok, want, wantOK)
		}
	}
}
