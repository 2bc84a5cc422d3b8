package incident

// chunkBits sets the size of a chunk of per-slot storage: 8192 slots.
const chunkBits = 13

// chunked is per-slot storage in fixed-size chunks. Growing it never moves
// what it holds: a Fuser of a million observations does not copy (and
// page-fault in again) its per-observation arrays each time they double,
// which also spares the collector hundreds of megabytes of garbage. Only
// the first chunk grows by appending, so that a small Fuser stays small.
type chunked[T any] struct {
	c [][]T
	n int32
}

// at returns the element of slot i, which must be below len.
func (s *chunked[T]) at(i int32) *T {
	return &s.c[i>>chunkBits][i&(1<<chunkBits-1)]
}

func (s *chunked[T]) len() int32 { return s.n }

// push appends v as slot len.
func (s *chunked[T]) push(v T) {
	if k := len(s.c); k == 0 {
		s.c = append(s.c, make([]T, 0, 64))
	} else if len(s.c[k-1]) == 1<<chunkBits {
		s.c = append(s.c, make([]T, 0, 1<<chunkBits))
	}
	k := len(s.c) - 1
	s.c[k] = append(s.c[k], v)
	s.n++
}
