package incident

import (
	"slices"
	"testing"

	"truce/internal/observation"
	"truce/internal/simulate"
)

// TestAttachUpToDate: after any read, every vague observation is attached
// where a search from scratch would attach it now. A vague observation
// that misses a change to the precise clusters it matches (it is not told
// of a block it should watch) keeps an attachment from an earlier read.
func TestAttachUpToDate(t *testing.T) {
	sc, err := simulate.Generate(simulate.Bench(5_000))
	if err != nil {
		t.Fatal(err)
	}
	recs := slices.Clone(sc.Records)
	slices.SortStableFunc(recs, func(a, b observation.Record) int { return a.ObservedAt.Compare(b.ObservedAt) })
	for _, every := range []int{1, 10} {
		f := New(Config{Locate: simulate.Locate})
		stale := 0
		for i, rec := range recs {
			if err := f.Add(rec); err != nil {
				t.Fatal(err)
			}
			if i%every != 0 && i != len(recs)-1 {
				continue
			}
			f.Settle()
			if i%(50*every) != 0 && i != len(recs)-1 {
				continue // checking costs a search per vague observation
			}
			for v := range f.obs.len() {
				if !f.obs.at(v).vague() {
					continue
				}
				was := f.hot[v].clus
				f.attach(v)
				if f.hot[v].clus != was {
					stale++
				}
			}
		}
		if stale > 0 {
			t.Errorf("reading every %d records: %d attachments were stale", every, stale)
		}
	}
}
