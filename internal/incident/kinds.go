package incident

import (
	"math/bits"

	"truce/internal/observation"
)

// kindCompat lists, for each kind, the other kinds that can describe the
// same event. The relation is symmetric and every kind is compatible with
// itself; kindTable closes it. Cross-domain pairs are exactly the ones here
// (a missile seen by radar in the air is the explosion a patrol records on
// land); otherwise observations of different domains never fuse.
var kindCompat = map[observation.Kind][]observation.Kind{
	// land: an explosion is what any impact sounds like.
	"explosion": {"artillery", "mortar", "mlrs", "tank_fire", "mine",
		"missile", "drone", "guided_bomb", "air_strike", "naval_strike"},
	"artillery":      {"mortar", "mlrs", "tank_fire"}, // observers confuse indirect fire
	"small_arms":     {"ground_assault"},
	"tank_fire":      {"ground_assault"},
	"ground_assault": {},
	"mine":           {},
	"mortar":         {},
	"mlrs":           {},
	// heavy_weapons_movement is a movement, not a strike: alone.
	"heavy_weapons_movement": {},
	// air
	"air_strike":         {"guided_bomb", "missile"}, // bombs and air-launched missiles
	"missile":            {"naval_strike"},           // anti-ship missiles
	"drone":              {"naval_strike"},
	"guided_bomb":        {},
	"airspace_violation": {}, // a flight, not an impact: alone
	// sea
	"naval_strike":  {"naval_drone"},
	"naval_drone":   {},
	"ship_movement": {"mine_laying"}, // a minelayer is a ship that moves
	"mine_laying":   {},
}

// specificity ranks kinds: an incident takes the most specific kind its
// observations report. explosion (0) says least; a named weapon (2) most.
var specificity = map[observation.Kind]int{
	"explosion": 0,
	"artillery": 1, "air_strike": 1, "naval_strike": 1, "small_arms": 1, "ship_movement": 1,
	"mortar": 2, "mlrs": 2, "tank_fire": 2, "mine": 2, "ground_assault": 2,
	"heavy_weapons_movement": 2, "missile": 2, "drone": 2, "guided_bomb": 2,
	"airspace_violation": 2, "naval_drone": 2, "mine_laying": 2,
}

// kindTable is the closed compatibility relation over kind indices, and
// kindByIndex/kindIndex map between kinds and the small integers fusion
// stores. Built once from the tables above by newKindTable; it is immutable.
type kindTable struct {
	kinds  []observation.Kind
	index  map[observation.Kind]uint8
	domain []observation.Domain
	mask   []uint32 // mask[i] has bit j set when kinds i and j are compatible
	spec   []int8   // specificity by kind index (a map lookup per kind was a fifth of summarize)
}

func newKindTable() *kindTable {
	t := &kindTable{index: map[observation.Kind]uint8{}}
	for _, d := range observation.Domains() {
		for _, k := range observation.Kinds(d) {
			t.index[k] = uint8(len(t.kinds))
			t.kinds = append(t.kinds, k)
			t.domain = append(t.domain, d)
		}
	}
	t.mask = make([]uint32, len(t.kinds))
	t.spec = make([]int8, len(t.kinds))
	for i, k := range t.kinds {
		t.spec[i] = int8(specificity[k])
	}
	for i := range t.kinds {
		t.mask[i] |= 1 << i
	}
	for k, others := range kindCompat {
		i, ok := t.index[k]
		if !ok {
			continue
		}
		for _, o := range others {
			j, ok := t.index[o]
			if !ok {
				continue
			}
			t.mask[i] |= 1 << j
			t.mask[j] |= 1 << i
		}
	}
	return t
}

// compatible reports whether every kind in set a is compatible with every
// kind in set b (sets as bit masks over kind indices).
func (t *kindTable) compatible(a, b uint32) bool {
	for a != 0 {
		i := bits.TrailingZeros32(a)
		if t.mask[i]&b != b {
			return false
		}
		a &= a - 1
	}
	return true
}

// CompatibleKinds reports whether observations of kinds a and b can
// describe the same event (the table in the package documentation).
func CompatibleKinds(a, b observation.Kind) bool {
	if a == b {
		return true
	}
	for _, k := range kindCompat[a] {
		if k == b {
			return true
		}
	}
	for _, k := range kindCompat[b] {
		if k == a {
			return true
		}
	}
	return false
}
