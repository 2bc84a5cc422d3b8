package observation

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
)

// TestCanonicalMatchesJCS holds the hand-written canonical encoder to a
// general RFC 8785 implementation over many random records, including
// awkward strings and numbers.
func TestCanonicalMatchesJCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "plain", "quote\" back\\slash", "ctl\x00\x01\x1f\b\f\n\r\t", "<&> html", "\u2028\u2029 separators", "Київ 🚀 é", "\x7f del"}
	nums := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-7, 1.5e-6, 123456789012345680000, 1e21, 1e300, 5e-324, 47.123456789, -180, 3.0000000000000004}
	pick := func(xs []float64) *float64 { v := xs[rng.IntN(len(xs))]; return &v }
	for i := range 2000 {
		o := Observation{
			ID: "6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10", ObservedAt: time.Unix(int64(rng.Uint32()), int64(rng.IntN(1e9))),
			Domain: Air, Kind: "drone", Count: rng.IntN(1000) + 1, Source: Radar,
			TimeUncertaintyS: *pick(nums), LocationUncertaintyM: *pick(nums),
			Narrative: strs[rng.IntN(len(strs))], AttributedTo: []string{"", "RU"}[rng.IntN(2)],
			Region: []string{"", "UA-32"}[rng.IntN(2)], Signature: []string{"", "c2ln"}[rng.IntN(2)],
		}
		if rng.IntN(2) == 0 {
			o.Lat, o.Lon = pick(nums), pick(nums)
		}
		for range rng.IntN(3) {
			o.Evidence = append(o.Evidence, Evidence{SHA256: strings.Repeat("ab", 32), MediaType: []string{"", "image/jpeg"}[rng.IntN(2)]})
		}
		r := Record{Observation: o, Organization: strs[rng.IntN(len(strs))], Party: []string{"", "UA"}[rng.IntN(2)], SubmitterID: int64(rng.IntN(100)), AcceptedAt: time.Unix(int64(rng.Uint32()), 0)}

		for _, tc := range []struct {
			name string
			got  []byte
			v    any
		}{
			{"observation", o.Canonical(), withoutSignature(o)},
			{"record", r.Canonical(), r},
		} {
			plain, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := jcs.Transform(plain)
			if err != nil {
				t.Fatal(err)
			}
			if string(tc.got) != string(want) {
				t.Fatalf("case %d %s:\n got %s\nwant %s", i, tc.name, tc.got, want)
			}
		}
	}
}

func withoutSignature(o Observation) Observation {
	o.Signature = ""
	return o
}
