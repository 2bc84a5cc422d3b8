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
	cfg := simulate.Default()
	cfg.Days = 1
	sc, err := simulate.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
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
