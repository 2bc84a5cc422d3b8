package notify_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/notify"
)

var (
	staff    = auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}}
	toUA     = auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}, Parties: []string{"UA"}}
	toRU     = auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}, Parties: []string{"RU"}}
	public   = auth.Audience{Public: true}
	analyst  = &auth.User{ID: 1, Role: auth.Analyst, Org: "Mission"}
	partyUA  = &auth.User{ID: 2, Role: auth.Party, Org: "UA"}
	partyRU  = &auth.User{ID: 3, Role: auth.Party, Org: "RU"}
	observer = &auth.User{ID: 4, Role: auth.Observer, Org: "State"}
)

func ev(n int, typ string, a auth.Audience) notify.Event {
	return notify.Event{ID: fmt.Sprintf("e%d", n), Type: typ, Subject: fmt.Sprintf("s%d", n), At: time.Unix(int64(n), 0), Audience: a}
}

// drain returns the ids of the events waiting in s.
func drain(s *notify.Subscription) []string {
	var ids []string
	for {
		select {
		case e, ok := <-s.C:
			if !ok {
				return ids
			}
			ids = append(ids, e.ID)
		default:
			return ids
		}
	}
}

func TestHubAudience(t *testing.T) {
	h := notify.NewHub(notify.HubConfig{})
	subs := map[string]*notify.Subscription{}
	for name, u := range map[string]*auth.User{"public": nil, "analyst": analyst, "UA": partyUA, "RU": partyRU, "observer": observer} {
		s, found, err := h.Subscribe(u, "")
		if err != nil || !found {
			t.Fatalf("subscribe %s: found %v, err %v", name, found, err)
		}
		subs[name] = s
	}
	h.Publish(ev(1, notify.IncidentCreated, staff))
	h.Publish(ev(2, notify.FindingSent, toUA))
	h.Publish(ev(3, notify.FindingSent, toRU))
	h.Publish(ev(4, notify.FindingReleasedPublic, public))
	want := map[string]string{
		"public": "[e4]", "analyst": "[e1 e2 e3 e4]", "UA": "[e2 e4]", "RU": "[e3 e4]", "observer": "[e4]",
	}
	for name, s := range subs {
		if got := fmt.Sprint(drain(s)); got != want[name] {
			t.Errorf("%s got %s, want %s", name, got, want[name])
		}
	}
}

// TestHubSlowSubscriber checks that a subscriber that does not read holds
// up neither the publisher nor the others, and learns that it missed events.
func TestHubSlowSubscriber(t *testing.T) {
	h := notify.NewHub(notify.HubConfig{Buffer: 4})
	slow, _, _ := h.Subscribe(analyst, "")
	fast, _, _ := h.Subscribe(analyst, "")
	start := time.Now()
	for i := range 100 {
		h.Publish(ev(i, notify.IncidentCreated, staff))
		select { // the reader keeps up: it gets every event
		case e := <-fast.C:
			if e.ID != fmt.Sprintf("e%d", i) {
				t.Fatalf("the reading subscriber got %s, want e%d", e.ID, i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the reading subscriber did not get e%d", i)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("publishing 100 events took %v with a stuck subscriber", d)
	}
	if fast.Missed() {
		t.Errorf("the reading subscriber was told it missed events")
	}
	if got := drain(slow); len(got) != 4 || got[0] != "e0" {
		t.Errorf("the stuck subscriber holds %v, want its first 4 events", got)
	}
	if !slow.Missed() {
		t.Errorf("the stuck subscriber was not told it missed events")
	}
	if slow.Missed() {
		t.Errorf("Missed did not reset")
	}
}

func TestHubReplay(t *testing.T) {
	h := notify.NewHub(notify.HubConfig{Recent: 8})
	for i := 1; i <= 10; i++ {
		a := staff
		if i%2 == 0 {
			a = public
		}
		h.Publish(ev(i, "x", a))
	}
	tests := []struct {
		u      *auth.User
		lastID string
		found  bool
		want   string
	}{
		{analyst, "e6", true, "[e7 e8 e9 e10]"},
		{nil, "e6", true, "[e8 e10]"},
		{analyst, "e10", true, "[]"},
		{analyst, "e2", false, "[]"}, // fell out of the ring
		{analyst, "nonsense", false, "[]"},
		{nil, "", true, "[]"},
	}
	for _, tt := range tests {
		s, found, err := h.Subscribe(tt.u, tt.lastID)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(drain(s)); found != tt.found || got != tt.want {
			t.Errorf("Subscribe(%v, %q): %s, found %v; want %s, %v", tt.u, tt.lastID, got, found, tt.want, tt.found)
		}
		s.Unsubscribe()
		s.Unsubscribe() // twice is fine
	}
}

func TestHubLimitAndClose(t *testing.T) {
	h := notify.NewHub(notify.HubConfig{MaxSubscribers: 2})
	a, _, _ := h.Subscribe(nil, "")
	h.Subscribe(nil, "")
	if _, _, err := h.Subscribe(nil, ""); !errors.Is(err, notify.ErrTooManySubscribers) {
		t.Errorf("third subscriber: %v, want ErrTooManySubscribers", err)
	}
	tap := h.Tap(1) // taps are not counted
	a.Unsubscribe()
	if _, _, err := h.Subscribe(nil, ""); err != nil {
		t.Errorf("after one left: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { h.Run(ctx); close(stopped) }()
	cancel()
	<-stopped
	if _, ok := <-tap.C; ok {
		t.Errorf("a tap stayed open after the hub closed")
	}
	h.Publish(ev(1, "x", public)) // dropped, no panic
	s, _, err := h.Subscribe(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := <-s.C; ok {
		t.Errorf("a subscription to a closed hub is open")
	}
}

// BenchmarkHubPublish measures Publish with n streams reading, half of
// them outside the event's audience.
func BenchmarkHubPublish(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprint(n, "subscribers"), func(b *testing.B) {
			h := notify.NewHub(notify.HubConfig{MaxSubscribers: n})
			done := make(chan struct{})
			for i := range n {
				u := partyUA
				if i%2 == 1 {
					u = partyRU
				}
				s, _, err := h.Subscribe(u, "")
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					for range s.C {
					}
					done <- struct{}{}
				}()
			}
			e := ev(1, notify.FindingSent, toUA)
			b.ResetTimer()
			for b.Loop() {
				h.Publish(e)
			}
			b.StopTimer()
			h.Close()
			for range n {
				<-done
			}
		})
	}
}
