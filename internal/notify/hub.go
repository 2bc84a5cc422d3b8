package notify

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"truce/internal/auth"
)

// HubConfig sizes a hub. Zero fields take the defaults.
type HubConfig struct {
	// Buffer is how many events a subscriber may fall behind before it
	// misses some (256).
	Buffer int
	// Recent is how many recent events the hub keeps for reconnecting
	// subscribers (Last-Event-ID) (1024).
	Recent int
	// MaxSubscribers bounds the open subscriptions, taps excepted (1000).
	MaxSubscribers int
	// Heartbeat is how often streams send a comment to keep connections
	// and proxies alive (15s).
	Heartbeat time.Duration
}

// Hub passes events to subscribers. Publish never blocks: each subscriber
// has a bounded buffer, and a subscriber whose buffer is full misses the
// event and is told so (Subscription.Missed) rather than holding up the
// publisher or the other subscribers. The hub keeps the most recent events,
// so that a subscriber that reconnects can ask for what it missed.
//
// A Hub's methods are safe for concurrent use. The zero Hub is not usable;
// call NewHub.
type Hub struct {
	cfg HubConfig

	mu     sync.Mutex
	closed bool
	subs   map[*Subscription]struct{}
	nsubs  int     // subscriptions other than taps
	recent []Event // a ring of the last len(recent) events
	next   int     // where the next event goes in recent
	full   bool    // recent has wrapped
}

// ErrTooManySubscribers is what Subscribe answers when the hub has
// MaxSubscribers subscriptions open.
var ErrTooManySubscribers = errors.New("notify: too many subscribers")

// NewHub returns a hub.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Buffer <= 0 {
		cfg.Buffer = 256
	}
	if cfg.Recent <= 0 {
		cfg.Recent = 1024
	}
	if cfg.MaxSubscribers <= 0 {
		cfg.MaxSubscribers = 1000
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	return &Hub{cfg: cfg, subs: map[*Subscription]struct{}{}, recent: make([]Event, cfg.Recent)}
}

// Heartbeat is how often a stream should send a keep-alive comment.
func (h *Hub) Heartbeat() time.Duration { return h.cfg.Heartbeat }

// Run waits until ctx is done, then closes the hub: every subscription ends
// (its channel is closed) and later events are dropped.
func (h *Hub) Run(ctx context.Context) {
	<-ctx.Done()
	h.Close()
}

// Close closes the hub, as Run does when its context ends.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		h.remove(s)
	}
}

// Publish passes e to every subscriber whose user is in e's audience (and
// to every tap), without waiting for any of them.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.recent[h.next] = e
	h.next++
	if h.next == len(h.recent) {
		h.next, h.full = 0, true
	}
	for s := range h.subs {
		if !s.all && !auth.InAudience(s.user, e.Audience) {
			continue
		}
		select {
		case s.c <- e:
		default:
			s.missed.Store(true)
		}
	}
}

// Subscription is one subscriber's events. Receive from C until it is
// closed (the hub closed or Unsubscribe was called).
type Subscription struct {
	// C delivers the events.
	C <-chan Event

	c      chan Event
	user   *auth.User
	all    bool
	missed atomic.Bool
	hub    *Hub
}

// Missed reports whether events were dropped since the last call because
// the subscriber's buffer was full, and resets it. A subscriber that
// missed events should tell its reader, who can catch up through the API.
func (s *Subscription) Missed() bool { return s.missed.Swap(false) }

// Unsubscribe ends the subscription and closes C. It is safe to call more
// than once, and after the hub closed.
func (s *Subscription) Unsubscribe() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		h.remove(s)
	}
}

// Subscribe subscribes u (nil for the public) to the events whose audience
// includes u. If lastID is not empty, the events u may see that were
// published after the event with that id are delivered first; found
// reports whether the hub still remembered lastID (if not, the subscriber
// may have missed events and should catch up through the API). It fails
// with ErrTooManySubscribers when the hub is full.
func (h *Hub) Subscribe(u *auth.User, lastID string) (s *Subscription, found bool, err error) {
	return h.subscribe(u, false, h.cfg.Buffer, lastID)
}

// Tap subscribes to every event whatever its audience, with a buffer of
// buffer events. It is for deliverers that filter per receiver themselves
// (webhooks); it MUST NOT be used to show events to a user.
func (h *Hub) Tap(buffer int) *Subscription {
	s, _, _ := h.subscribe(nil, true, buffer, "")
	return s
}

func (h *Hub) subscribe(u *auth.User, all bool, buffer int, lastID string) (*Subscription, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !all && h.nsubs >= h.cfg.MaxSubscribers {
		return nil, false, ErrTooManySubscribers
	}
	var replay []Event
	found := lastID == ""
	if lastID != "" {
		replay, found = h.since(lastID)
	}
	var mine []Event
	for _, e := range replay {
		if all || auth.InAudience(u, e.Audience) {
			mine = append(mine, e)
		}
	}
	c := make(chan Event, buffer+len(mine))
	for _, e := range mine {
		c <- e
	}
	s := &Subscription{C: c, c: c, user: u, all: all, hub: h}
	if h.closed {
		close(c)
		return s, found, nil
	}
	h.subs[s] = struct{}{}
	if !all {
		h.nsubs++
	}
	return s, found, nil
}

// since returns the remembered events after the one with id, oldest first.
// The caller holds h.mu.
func (h *Hub) since(id string) ([]Event, bool) {
	ordered := h.ordered()
	for i := len(ordered) - 1; i >= 0; i-- {
		if ordered[i].ID == id {
			return ordered[i+1:], true
		}
	}
	return nil, false
}

// ordered returns the remembered events, oldest first. The caller holds
// h.mu.
func (h *Hub) ordered() []Event {
	if !h.full {
		return h.recent[:h.next]
	}
	out := make([]Event, 0, len(h.recent))
	out = append(out, h.recent[h.next:]...)
	return append(out, h.recent[:h.next]...)
}

// remove ends s. The caller holds h.mu.
func (h *Hub) remove(s *Subscription) {
	delete(h.subs, s)
	close(s.c)
	if !s.all {
		h.nsubs--
	}
}
