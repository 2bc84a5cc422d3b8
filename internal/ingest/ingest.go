// Package ingest is the write path for observations: group commit.
//
// Many requests arrive at once, each with one observation or a batch. A
// Committer runs one loop that takes every request waiting, writes all
// their records in one transaction, and answers each request with its own
// outcomes. Durable ingest is then bounded by transactions per second, not
// by one fsync per request: the more requests wait, the larger the group.
// The ledger entries that cover the records are appended by the Writer in
// that same transaction, so a record and its entry exist together or not at
// all.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"truce/internal/observation"
)

// Writer stores prepared records in one transaction and reports an outcome
// per record. An error MUST mean nothing was written.
type Writer interface {
	WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error)
}

// ErrStopped is returned for writes submitted after the committer stopped.
var ErrStopped = errors.New("ingest: committer stopped")

// Committer groups concurrent writes into shared transactions.
type Committer struct {
	w        Writer
	reqs     chan *request
	stopped  chan struct{}
	maxGroup int
	// OnCommit, if set, is called after each transaction with the number
	// of records and requests it held and how long it took.
	OnCommit func(records, requests int, d time.Duration)
}

type request struct {
	recs []observation.Prepared
	out  []observation.Outcome
	err  error
	done chan struct{}
}

// NewCommitter returns a committer writing through w. A group stops taking
// more requests once it holds maxGroup records (a single larger request is
// still written whole). Call Run to start it.
func NewCommitter(w Writer, maxGroup int) *Committer {
	return &Committer{w: w, reqs: make(chan *request, 1024), stopped: make(chan struct{}), maxGroup: max(1, maxGroup)}
}

// Run writes groups until ctx is done, then fails what is still waiting
// with ErrStopped.
func (c *Committer) Run(ctx context.Context) {
	defer func() {
		close(c.stopped)
		for {
			select {
			case r := <-c.reqs:
				r.err = ErrStopped
				close(r.done)
			default:
				return
			}
		}
	}()
	for {
		var first *request
		select {
		case <-ctx.Done():
			return
		case first = <-c.reqs:
		}
		group := []*request{first}
		n := len(first.recs)
	fill:
		for n < c.maxGroup {
			select {
			case r := <-c.reqs:
				group = append(group, r)
				n += len(r.recs)
			default:
				break fill
			}
		}
		c.commit(ctx, group, n)
	}
}

// commit writes the group in one transaction. If that fails, it writes each
// request on its own, so one request's failure is not every request's.
func (c *Committer) commit(ctx context.Context, group []*request, n int) {
	start := time.Now()
	all := group[0].recs
	if len(group) > 1 {
		all = make([]observation.Prepared, 0, n)
		for _, r := range group {
			all = append(all, r.recs...)
		}
	}
	out, err := c.w.WriteObservations(ctx, all)
	if err != nil && len(group) > 1 {
		for _, r := range group {
			r.out, r.err = c.w.WriteObservations(ctx, r.recs)
			close(r.done)
		}
		return
	}
	if c.OnCommit != nil && err == nil {
		c.OnCommit(n, len(group), time.Since(start))
	}
	for _, r := range group {
		if err != nil {
			r.err = err
		} else {
			r.out, out = out[:len(r.recs):len(r.recs)], out[len(r.recs):]
		}
		close(r.done)
	}
}

// Write stores recs as part of the next group and returns an outcome per
// record. If ctx ends first, Write returns its error, and the records may or
// may not have been written (a retry with the same ids is safe).
func (c *Committer) Write(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	r := &request{recs: recs, done: make(chan struct{})}
	select {
	case c.reqs <- r:
	case <-c.stopped:
		return nil, ErrStopped
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-r.done:
	case <-c.stopped:
		select {
		case <-r.done:
		default:
			return nil, ErrStopped
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if r.err != nil {
		return nil, fmt.Errorf("ingest: write %d records: %w", len(recs), r.err)
	}
	return r.out, nil
}
