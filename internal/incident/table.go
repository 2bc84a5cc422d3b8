package incident

// table is an open-addressing hash table from 64-bit cell keys to cell
// indices. Key 0 marks an empty slot. Keys must already be well mixed
// (cellKey and regionKey make them so): the table indexes by their low
// bits. Cells whose coordinates wrap onto one key share a cell: that costs
// time, never correctness, because every candidate is tested exactly.
type table struct {
	keys []uint64
	vals []int32
	n    int
}

func (t *table) get(k uint64) int32 {
	if len(t.keys) == 0 {
		return -1
	}
	mask := uint64(len(t.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return t.vals[i]
		case 0:
			return -1
		}
	}
}

// put sets the value of k to v and returns the previous value (-1 when k
// was absent).
func (t *table) put(k uint64, v int32) int32 {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			old := t.vals[i]
			t.vals[i] = v
			return old
		case 0:
			t.keys[i], t.vals[i] = k, v
			t.n++
			return -1
		}
	}
}

func (t *table) grow() {
	size := 2 * len(t.keys)
	if size == 0 {
		size = 1024
	}
	keys, vals := t.keys, t.vals
	t.keys, t.vals, t.n = make([]uint64, size), make([]int32, size), 0
	for i, k := range keys {
		if k != 0 {
			t.put(k, vals[i])
		}
	}
}

// mix is a 64-bit finaliser (from SplitMix64): it spreads nearby cell keys
// over the table.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// cellKey packs a grid level and cell coordinates into a non-zero key.
// Coordinates wrap modulo their field widths; a wrapped collision only adds
// candidates.
func cellKey(level int, x, y int64) uint64 {
	k := uint64(level)<<58 ^ (uint64(y)&0x1fffffff)<<29 ^ uint64(x)&0x1fffffff
	k = mix(k ^ 0x9e3779b97f4a7c15)
	if k == 0 {
		k = 1
	}
	return k
}

// regionKey makes a non-zero key for a region index.
func regionKey(region uint16) uint64 {
	k := mix(uint64(region) ^ 0x51ed270b27e1c3a5)
	if k == 0 {
		k = 1
	}
	return k
}
