package incident

import "math/bits"

// freeSet is the set of free slots (those of finished observations), as a
// bitmap. take hands out the lowest: a unit's slots were mostly taken in
// one run of arrivals, and finishing frees them in an order of its own;
// handed out lowest first, slots of observations that arrive together are
// mostly neighbours, as without a horizon, and every later query, attach
// and cluster that touches such neighbours reads fewer cache lines. (The
// bitmap replaced a list sorted after every sweep; it also answers has
// without reading the slot, which the sweep's compaction of the index
// asks of every entry it passes.) Slots never decide a result.
type freeSet struct {
	w  []uint64
	n  int
	lo int // no free slot lies in a word below lo
}

func (s *freeSet) len() int { return s.n }

func (s *freeSet) has(i int32) bool {
	k := int(i >> 6)
	return k < len(s.w) && s.w[k]&(1<<(i&63)) != 0
}

// add marks slot i free; it must not be free already.
func (s *freeSet) add(i int32) {
	k := int(i >> 6)
	for k >= len(s.w) {
		s.w = append(s.w, 0)
	}
	s.w[k] |= 1 << (i & 63)
	s.n++
	s.lo = min(s.lo, k)
}

// take removes the lowest free slot from the set and returns it.
func (s *freeSet) take() (int32, bool) {
	if s.n == 0 {
		return 0, false
	}
	for s.w[s.lo] == 0 {
		s.lo++
	}
	b := bits.TrailingZeros64(s.w[s.lo])
	s.w[s.lo] &^= 1 << b
	s.n--
	return int32(s.lo<<6 + b), true
}
