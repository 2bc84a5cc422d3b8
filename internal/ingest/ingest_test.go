package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/internal/ingest"
	"truce/internal/observation"
)

// fakeWriter records each transaction it is given. It fails any
// transaction holding a record whose id is in fail, and can be slowed to
// let requests pile up.
type fakeWriter struct {
	mu    sync.Mutex
	txs   [][]string
	fail  map[string]bool
	delay time.Duration
	gate  chan struct{} // if set, the first transaction waits for it to close
	// entered, if set, is closed when the first transaction starts waiting.
	entered chan struct{}
}

func (f *fakeWriter) WriteObservations(_ context.Context, recs []observation.Prepared) ([]observation.Outcome, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	first := len(f.txs) == 0
	f.mu.Unlock()
	if first && f.gate != nil {
		if f.entered != nil {
			close(f.entered)
		}
		<-f.gate
	}
	ids := make([]string, len(recs))
	out := make([]observation.Outcome, len(recs))
	for i, r := range recs {
		if f.fail[r.ID] {
			return nil, errors.New("disk on fire")
		}
		ids[i] = r.ID
		out[i] = observation.Created
		if i%2 == 1 {
			out[i] = observation.Duplicate // so that callers can tell their slice is theirs
		}
	}
	f.mu.Lock()
	f.txs = append(f.txs, ids)
	f.mu.Unlock()
	return out, nil
}

func recs(prefix string, n int) []observation.Prepared {
	out := make([]observation.Prepared, n)
	for i := range out {
		out[i].ID = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func start(t *testing.T, w ingest.Writer, maxGroup int) *ingest.Committer {
	t.Helper()
	c := ingest.NewCommitter(w, maxGroup)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

func TestConcurrentRequestsShareTransactions(t *testing.T) {
	w := &fakeWriter{delay: 2 * time.Millisecond}
	c := start(t, w, 10000)
	const requests = 64
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for i := range requests {
		wg.Go(func() {
			n := 1 + i%5
			out, err := c.Write(t.Context(), recs(fmt.Sprint(i), n))
			if err != nil {
				errs <- err
				return
			}
			if len(out) != n {
				errs <- fmt.Errorf("request %d: %d outcomes for %d records", i, len(out), n)
				return
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, tx := range w.txs {
		total += len(tx)
	}
	if want := 64/5*15 + (1 + 2 + 3 + 4); total != want {
		t.Errorf("%d records written, want %d", total, want)
	}
	if len(w.txs) >= requests {
		t.Errorf("%d transactions for %d concurrent requests: no grouping", len(w.txs), requests)
	}
	t.Logf("%d requests in %d transactions", requests, len(w.txs))
}

func TestOutcomesGoToTheirRequest(t *testing.T) {
	// The fake answers Duplicate for every odd position in a transaction;
	// with two requests in one group the second one's outcomes are shifted,
	// so each request must get exactly its own slice.
	w := &fakeWriter{gate: make(chan struct{}), entered: make(chan struct{})}
	c := start(t, w, 10000)
	blocker := make(chan struct{})
	go func() { c.Write(t.Context(), recs("first", 1)); close(blocker) }()
	<-w.entered                                                   // the first transaction holds the committer
	time.AfterFunc(50*time.Millisecond, func() { close(w.gate) }) // both requests wait meanwhile
	var wg sync.WaitGroup
	results := make([][]observation.Outcome, 2)
	for i := range 2 {
		wg.Go(func() {
			out, err := c.Write(t.Context(), recs(fmt.Sprint("r", i), 3))
			if err != nil {
				t.Error(err)
			}
			results[i] = out
		})
	}
	wg.Wait()
	<-blocker
	if len(w.txs) != 2 {
		t.Fatalf("%d transactions, want 2: the two waiting requests were not grouped", len(w.txs))
	}
	// In the shared transaction the positions are 0..5; the second request's
	// records sit at 3,4,5 → Duplicate, Created, Duplicate.
	got := fmt.Sprint(results)
	want1 := fmt.Sprint([][]observation.Outcome{{1, 2, 1}, {2, 1, 2}})
	want2 := fmt.Sprint([][]observation.Outcome{{2, 1, 2}, {1, 2, 1}})
	if got != want1 && got != want2 {
		t.Errorf("outcomes %s, want %s or %s", got, want1, want2)
	}
}

func TestOneFailingRequestDoesNotFailOthers(t *testing.T) {
	w := &fakeWriter{gate: make(chan struct{}), entered: make(chan struct{}), fail: map[string]bool{"bad-0": true}}
	c := start(t, w, 10000)
	go c.Write(t.Context(), recs("warmup", 1)) // holds the loop so the next two are grouped
	<-w.entered
	time.AfterFunc(50*time.Millisecond, func() { close(w.gate) })
	var wg sync.WaitGroup
	var goodErr, badErr error
	wg.Go(func() { _, badErr = c.Write(t.Context(), recs("bad", 2)) })
	wg.Go(func() { _, goodErr = c.Write(t.Context(), recs("good", 2)) })
	wg.Wait()
	if badErr == nil {
		t.Error("the failing request succeeded")
	}
	if goodErr != nil {
		t.Errorf("the good request failed with its neighbour: %v", goodErr)
	}
	written := fmt.Sprint(w.txs)
	if !strings.Contains(written, "good-0 good-1") || strings.Contains(written, "bad-") {
		t.Errorf("transactions %s: want good-0 and good-1 written, nothing of bad", written)
	}
}

func TestWriteAfterStop(t *testing.T) {
	c := ingest.NewCommitter(&fakeWriter{}, 10)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	cancel()
	<-done
	if _, err := c.Write(t.Context(), recs("late", 1)); !errors.Is(err, ingest.ErrStopped) {
		t.Errorf("got %v, want ErrStopped", err)
	}
}
