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

// idTable maps observation ids to slots: open addressing with linear
// probing over a hash of the id. It stores the hash beside the slot and
// compares the full id only on a matching hash, so a lookup reads one
// cache line of the table; the table holds no pointers for the collector
// to scan. Hash 0 marks an empty entry.
type idTable struct {
	e []idEntry
	n int
}

type idEntry struct {
	h uint64
	v int32
}

func hashID(id *[16]byte) uint64 {
	lo := uint64(id[0]) | uint64(id[1])<<8 | uint64(id[2])<<16 | uint64(id[3])<<24 |
		uint64(id[4])<<32 | uint64(id[5])<<40 | uint64(id[6])<<48 | uint64(id[7])<<56
	hi := uint64(id[8]) | uint64(id[9])<<8 | uint64(id[10])<<16 | uint64(id[11])<<24 |
		uint64(id[12])<<32 | uint64(id[13])<<40 | uint64(id[14])<<48 | uint64(id[15])<<56
	h := mix(lo ^ mix(hi^0x2545f4914f6cdd1d))
	if h == 0 {
		h = 1
	}
	return h
}

// lookup returns the slot of the observation with id, if the Fuser holds
// it.
func (f *Fuser) lookup(id [16]byte) (int32, bool) {
	t := &f.byID
	if len(t.e) == 0 {
		return -1, false
	}
	h := hashID(&id)
	mask := uint64(len(t.e) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := t.e[i]
		if e.h == 0 {
			return -1, false
		}
		if e.h == h && f.obs.at(e.v).id == id {
			return e.v, true
		}
	}
}

// putID records that slot v holds the observation with id, which the
// table must not hold yet.
func (f *Fuser) putID(id [16]byte, v int32) {
	t := &f.byID
	if 2*(t.n+1) > len(t.e) {
		old := t.e
		size := max(1024, 2*len(old))
		t.e = make([]idEntry, size)
		mask := uint64(size - 1)
		for _, e := range old {
			if e.h != 0 {
				i := e.h & mask
				for t.e[i].h != 0 {
					i = (i + 1) & mask
				}
				t.e[i] = e
			}
		}
	}
	h := hashID(&id)
	mask := uint64(len(t.e) - 1)
	i := h & mask
	for t.e[i].h != 0 {
		i = (i + 1) & mask
	}
	t.e[i] = idEntry{h, v}
	t.n++
}

// deleteID forgets the observation with id (held in slot v), shifting
// back the entries that probed past it.
func (f *Fuser) deleteID(id [16]byte, v int32) {
	t := &f.byID
	if len(t.e) == 0 {
		return
	}
	h := hashID(&id)
	mask := uint64(len(t.e) - 1)
	i := h & mask
	for t.e[i].h != h || t.e[i].v != v {
		if t.e[i].h == 0 {
			return
		}
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; t.e[j].h != 0; j = (j + 1) & mask {
		// Move e[j] into the hole at i unless its home lies cyclically
		// in (i, j].
		if home := t.e[j].h & mask; (j-home)&mask >= (j-i)&mask {
			t.e[i] = t.e[j]
			i = j
		}
	}
	t.e[i] = idEntry{}
	t.n--
}
