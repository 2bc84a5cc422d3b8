package fusion_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/notify"
	"truce/internal/observation"
	"truce/internal/store/sqlite"
)

// events records what is published.
type events struct {
	mu  sync.Mutex
	got []notify.Event
}

func (e *events) Publish(ev notify.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ev)
}

func (e *events) take() []notify.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.got
	e.got = nil
	return out
}

// far returns an observation with the given id suffix, minutes after
// 1 June 2025 and lat degrees north: observations an hour and 10 km
// apart are separate incidents.
func far(n int, minutes int, lat float64) observation.Prepared {
	lon := 35.5
	o := observation.Observation{
		ID:         fmt.Sprintf("00000000-0000-4000-8000-%012d", n),
		ObservedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute),
		Lat:        &lat, Lon: &lon, Domain: observation.Land, Kind: "artillery", Count: 1, Source: observation.Patrol,
	}
	return observation.Prepare(observation.Record{Observation: o, Organization: "Mission", SubmitterID: 1, AcceptedAt: o.ObservedAt})
}

func TestNotifyCreatedIncidents(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "t.db")
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := fusion.New(store, incident.Config{}, nil)
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pub := &events{}
	at := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	svc.Notify(pub, func() time.Time { return at })
	w := svc.Writer(store)
	write := func(ps ...observation.Prepared) {
		t.Helper()
		if _, err := w.WriteObservations(ctx, ps); err != nil {
			t.Fatal(err)
		}
		count(t, svc) // a read refreshes the view
	}

	// Three separate incidents, one at a time: one event each, naming it.
	for i := 1; i <= 3; i++ {
		write(far(100*i, 120*i, 47+float64(i)/5))
	}
	got := pub.take()
	list, _ := list(t, svc, fusion.Query{Limit: 100})
	if len(got) != 3 || len(list) != 3 {
		t.Fatalf("%d events for %d incidents, want 3 and 3: %+v", len(got), len(list), got)
	}
	for i, e := range got {
		if e.Type != notify.IncidentCreated || e.Subject != list[i].ID || !e.At.Equal(at) || e.ID == "" {
			t.Errorf("event %d: %+v, want incident.created for %s at %v", i, e, list[i].ID, at)
		}
		if !auth.InAudience(&auth.User{Role: auth.Analyst}, e.Audience) || !auth.InAudience(&auth.User{Role: auth.Mediator}, e.Audience) ||
			auth.InAudience(&auth.User{Role: auth.Party, Org: "UA"}, e.Audience) || auth.InAudience(nil, e.Audience) {
			t.Errorf("event %d: audience %+v, want analysts and the mediator only", i, e.Audience)
		}
	}

	// A second report of the first incident, and one with a smaller id
	// that renames it: no new incident, no event.
	write(far(101, 121, 47.2))
	write(far(50, 120, 47.2))
	if got := pub.take(); len(got) != 0 {
		t.Errorf("joining and renaming an incident published %+v, want nothing", got)
	}
	if n := count(t, svc); n != 3 {
		t.Fatalf("%d incidents after joining, want 3", n)
	}

	// A large import: one incidents.created with the count.
	var batch []observation.Prepared
	for i := range fusion.MaxCreatedEvents + 5 {
		batch = append(batch, far(10_000+i, 1000+90*i, 48+float64(i)/5))
	}
	write(batch...)
	got = pub.take()
	if len(got) != 1 || got[0].Type != notify.IncidentsCreated || got[0].Count != len(batch) || got[0].Subject != "" {
		t.Errorf("a batch of %d new incidents published %+v, want one incidents.created with the count", len(batch), got)
	}

	// Reloading (as on start) announces nothing.
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	count(t, svc)
	if got := pub.take(); len(got) != 0 {
		t.Errorf("a reload published %d events, want none", len(got))
	}
}

// TestNotifyRunAnnounces checks that with a publisher, Run announces new
// incidents without waiting for a reader.
func TestNotifyRunAnnounces(t *testing.T) {
	ctx := t.Context()
	store := openStore(t)
	svc := fusion.New(store, incident.Config{}, nil)
	if err := svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	pub := &events{}
	svc.Notify(pub, nil)
	go svc.Run(ctx, time.Millisecond)
	if _, err := svc.Writer(store).WriteObservations(ctx, []observation.Prepared{far(1, 0, 47)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	var got []notify.Event
	for len(got) == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
		got = pub.take()
	}
	if len(got) != 1 || got[0].Type != notify.IncidentCreated || !slices.ContainsFunc(got, func(e notify.Event) bool { return e.Subject != "" }) {
		t.Errorf("Run published %+v, want one incident.created", got)
	}
}
