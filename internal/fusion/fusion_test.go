package fusion_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/observation"
	"truce/internal/simulate"
)

// TestLiveViewEqualsReplay writes a simulated scenario through the fusing
// writer in batches, with readers listing concurrently, and checks that
// the live view equals what a fresh replay of the store gives.
func TestLiveViewEqualsReplay(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	sc := days(t, 1)
	live := fusion.New(store, incident.Config{Locate: simulate.Locate}, nil)
	if err := live.Load(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go live.Run(runCtx, time.Millisecond)
	w := live.Writer(store)

	var readers sync.WaitGroup
	done := make(chan struct{})
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
					live.List(ctx, fusion.Query{Limit: 50})
				}
			}
		})
	}
	for i := 0; i < len(sc.Records); i += 97 {
		var batch []observation.Prepared
		for _, r := range sc.Records[i:min(i+97, len(sc.Records))] {
			batch = append(batch, observation.Prepare(r))
		}
		if _, err := w.WriteObservations(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	readers.Wait()

	got, more := list(t, live, fusion.Query{Limit: 1_000_000})
	if more || len(got) == 0 || count(t, live) != len(got) {
		t.Fatalf("live view: %d incidents, more %v, Len %d", len(got), more, count(t, live))
	}
	replay := fusion.New(store, incident.Config{Locate: simulate.Locate}, nil)
	if err := replay.Load(ctx); err != nil {
		t.Fatal(err)
	}
	want, _ := list(t, replay, fusion.Query{Limit: 1_000_000})
	g, _ := json.Marshal(got)
	wnt, _ := json.Marshal(want)
	if string(g) != string(wnt) {
		t.Errorf("the live view (%d incidents) differs from a replay of the store (%d incidents)", len(got), len(want))
	}
	n := 0
	for _, inc := range got {
		n += len(inc.Observations)
	}
	if n != len(sc.Records) {
		t.Errorf("incidents hold %d observations, %d were written", n, len(sc.Records))
	}
}

// TestSortedViewFollowsChanges reads the whole listing after every small
// batch, so that the sorted view is patched with each batch's changes
// rather than sorted again, and checks it each time against the view
// itself: in order, each incident once, each as Get has it, all of them;
// at the end it equals a replay of the store.
func TestSortedViewFollowsChanges(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	sc := days(t, 1)
	recs := sc.Records[:min(len(sc.Records), 3000)]
	live := fusion.New(store, incident.Config{Locate: simulate.Locate}, nil)
	if err := live.Load(ctx); err != nil {
		t.Fatal(err)
	}
	w := live.Writer(store)
	for i := 0; i < len(recs); i += 25 {
		var batch []observation.Prepared
		for _, r := range recs[i:min(i+25, len(recs))] {
			batch = append(batch, observation.Prepare(r))
		}
		if _, err := w.WriteObservations(ctx, batch); err != nil {
			t.Fatal(err)
		}
		got, _ := list(t, live, fusion.Query{})
		if n := count(t, live); len(got) != n {
			t.Fatalf("after %d records: the listing has %d incidents, the view %d", i+len(batch), len(got), n)
		}
		for k := range got {
			if k > 0 && incident.Less(&got[k-1], &got[k]) >= 0 {
				t.Fatalf("after %d records: %s listed before %s", i+len(batch), got[k-1].ID, got[k].ID)
			}
		}
		if i%500 == 0 {
			for _, inc := range got {
				g, err := live.Get(ctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				sameJSON(t, "a listed incident and Get's", inc, g)
			}
		}
	}
	replay := fusion.New(store, incident.Config{Locate: simulate.Locate}, nil)
	if err := replay.Load(ctx); err != nil {
		t.Fatal(err)
	}
	want, _ := list(t, replay, fusion.Query{})
	got, _ := list(t, live, fusion.Query{})
	sameJSON(t, "the patched view and a replay", got, want)
}
