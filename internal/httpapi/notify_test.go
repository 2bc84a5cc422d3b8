package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/incident"
	"truce/internal/ingest"
	"truce/internal/metrics"
	"truce/internal/notify"
	"truce/internal/store/sqlite"
)

// notifyServer is the API on a real listener on 127.0.0.1:0 with the
// notification wiring of serve: fusion announcing new incidents to a hub,
// the hub as the API's publisher, and a webhook deliverer tapping it.
type notifyServer struct {
	*server
	hub *notify.Hub
}

// newNotifyServer starts it; writeTimeout is the server's WriteTimeout
// (which the event stream must outlive).
func newNotifyServer(t *testing.T, writeTimeout time.Duration) *notifyServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	hub := notify.NewHub(notify.HubConfig{Heartbeat: 50 * time.Millisecond})
	incidents := fusion.New(store, incident.Config{}, nil)
	if err := incidents.Load(ctx); err != nil {
		t.Fatal(err)
	}
	incidents.Notify(hub, nil)
	c := ingest.NewCommitter(incidents.Writer(store), 5000)
	deliverer := notify.NewDeliverer(notify.DelivererConfig{Store: store, Events: hub.Tap(notify.DefaultTapBuffer),
		Client: notify.NewClient(true, time.Second), Timeout: time.Second, BaseDelay: 20 * time.Millisecond, Poll: 20 * time.Millisecond})
	var bg sync.WaitGroup
	bg.Go(func() { c.Run(ctx) })
	bg.Go(func() { incidents.Run(ctx, 10*time.Millisecond) })
	bg.Go(func() { deliverer.Run(ctx) })
	bg.Go(func() { hub.Run(ctx) })
	h := httpapi.NewHandler(httpapi.Config{Store: store, Writer: c, Metrics: metrics.New(), Incidents: incidents, Agreements: incidents, Events: hub})
	ts := httptest.NewUnstartedServer(h)
	ts.Config.WriteTimeout = writeTimeout
	ts.Start()
	t.Cleanup(func() {
		cancel() // ends the streams, so that Close need not wait for them
		ts.Close()
		bg.Wait()
		store.Close()
	})
	return &notifyServer{server: &server{t: t, url: ts.URL, store: store}, hub: hub}
}

// sseEvent is one event read from a stream; a heartbeat comment is an
// event with Comment set.
type sseEvent struct {
	ID, Type, Data, Comment string
}

// stream is an open event stream.
type stream struct {
	status int
	events chan sseEvent
	cancel context.CancelFunc
}

// openStream opens the event stream with token (none if empty) and
// lastID (the Last-Event-ID header, if not empty), and reads it in the
// background.
func (s *notifyServer) openStream(t *testing.T, token, lastID string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/events", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	st := &stream{status: resp.StatusCode, events: make(chan sseEvent, 100), cancel: cancel}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return st
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	go func() {
		defer resp.Body.Close()
		defer close(st.events)
		r := bufio.NewReader(resp.Body)
		var e sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if e != (sseEvent{}) {
					st.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ":"):
				e.Comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				e.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.Data = line[6:]
			}
		}
	}()
	return st
}

// next returns the next event that is not a comment.
func (st *stream) next(t *testing.T) sseEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-st.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if e.Comment != "" && e.Type == "" {
				continue
			}
			return e
		case <-deadline:
			t.Fatal("no event within 5s")
		}
	}
}

// until returns the types and subjects of the events up to and including
// the one with id.
func (st *stream) until(t *testing.T, id string) []string {
	t.Helper()
	var got []string
	for {
		e := st.next(t)
		var ev notify.Event
		if e.Type != "missed" {
			if err := json.Unmarshal([]byte(e.Data), &ev); err != nil || ev.ID != e.ID || ev.Type != e.Type {
				t.Fatalf("event %+v: data does not match its lines (%v)", e, err)
			}
		}
		got = append(got, e.Type+" "+ev.Subject)
		if e.ID == id {
			return got
		}
	}
}

func event(n int, typ string, a auth.Audience) notify.Event {
	return notify.Event{ID: fmt.Sprintf("ev-%d", n), Type: typ, Subject: fmt.Sprintf("s%d", n), At: now, Audience: a}
}

var (
	staffOnly = auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}}
	sentToUA  = auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}, Parties: []string{"UA"}}
	sentToRU  = auth.Audience{Roles: []auth.Role{auth.Analyst, auth.Mediator}, Parties: []string{"RU"}}
	toAll     = auth.Audience{Public: true}
)

// TestEventStream: each stream gets the events its token may see, with a
// server WriteTimeout shorter than the stream's life.
func TestEventStream(t *testing.T) {
	s := newNotifyServer(t, 300*time.Millisecond)
	streams := map[string]*stream{
		"public":   s.openStream(t, "", ""),
		"analyst":  s.openStream(t, s.user(auth.Analyst, "Mission", nil), ""),
		"party UA": s.openStream(t, s.user(auth.Party, "UA", nil), ""),
		"party RU": s.openStream(t, s.user(auth.Party, "RU", nil), ""),
		"observer": s.openStream(t, s.user(auth.Observer, "State", nil), ""),
	}
	for who, st := range streams {
		if st.status != 200 {
			t.Fatalf("%s: status %d", who, st.status)
		}
	}
	if st := s.openStream(t, "truce_bad", ""); st.status != 401 {
		t.Errorf("a bad token: status %d, want 401", st.status)
	}
	// Outlive the server's write timeout, then publish.
	time.Sleep(600 * time.Millisecond)
	s.hub.Publish(event(1, notify.FindingSent, sentToUA))
	s.hub.Publish(event(2, notify.FindingSent, sentToRU))
	s.hub.Publish(event(3, notify.IncidentCreated, staffOnly))
	s.hub.Publish(event(4, notify.FindingReleasedPublic, toAll))
	want := map[string]string{
		"public":   "[finding.released_public s4]",
		"analyst":  "[finding.sent s1 finding.sent s2 incident.created s3 finding.released_public s4]",
		"party UA": "[finding.sent s1 finding.released_public s4]",
		"party RU": "[finding.sent s2 finding.released_public s4]",
		"observer": "[finding.released_public s4]",
	}
	for who, st := range streams {
		if got := fmt.Sprint(st.until(t, "ev-4")); got != want[who] {
			t.Errorf("%s got %s, want %s", who, got, want[who])
		}
	}
	// Heartbeats keep the stream alive.
	st := streams["public"]
	deadline := time.After(2 * time.Second)
	for beat := false; !beat; {
		select {
		case e := <-st.events:
			beat = e.Comment == "heartbeat"
		case <-deadline:
			t.Fatal("no heartbeat")
		}
	}
}

// TestEventStreamReconnect: Last-Event-ID replays what the reader may see
// since that event, or says events were missed.
func TestEventStreamReconnect(t *testing.T) {
	s := newNotifyServer(t, time.Minute)
	ua := s.user(auth.Party, "UA", nil)
	s.hub.Publish(event(1, notify.FindingReleasedPublic, toAll))
	s.hub.Publish(event(2, notify.FindingSent, sentToRU))
	s.hub.Publish(event(3, notify.FindingSent, sentToUA))
	s.hub.Publish(event(4, notify.FindingReleasedPublic, toAll))
	if got := fmt.Sprint(s.openStream(t, ua, "ev-1").until(t, "ev-4")); got != "[finding.sent s3 finding.released_public s4]" {
		t.Errorf("UA reconnecting after ev-1 got %s", got)
	}
	if got := fmt.Sprint(s.openStream(t, "", "ev-1").until(t, "ev-4")); got != "[finding.released_public s4]" {
		t.Errorf("the public reconnecting after ev-1 got %s", got)
	}
	st := s.openStream(t, ua, "ev-unknown")
	if e := st.next(t); e.Type != "missed" {
		t.Errorf("reconnecting after an unknown id: first %+v, want a missed event", e)
	}
	if st := s.openStream(t, ua, strings.Repeat("x", 65)); st.status != 400 {
		t.Errorf("a long Last-Event-ID: status %d, want 400", st.status)
	}
}

// TestEventStreamNewIncidents: an observation that makes a new incident is
// announced to analysts, not to the public or a party.
func TestEventStreamNewIncidents(t *testing.T) {
	s := newNotifyServer(t, time.Minute)
	analyst := s.user(auth.Analyst, "Mission", nil)
	staff := s.openStream(t, analyst, "")
	public := s.openStream(t, "", "")
	party := s.openStream(t, s.user(auth.Party, "UA", nil), "")
	if st, b := s.do("POST", "/api/v1/observations", s.user(auth.Monitor, "Mission", nil), "", obs(1, nil)); st != 201 {
		t.Fatalf("post: %d %s", st, b)
	}
	e := staff.next(t)
	var ev notify.Event
	json.Unmarshal([]byte(e.Data), &ev)
	st, body := s.do("GET", "/api/v1/incidents/"+ev.Subject, analyst, "", nil)
	if e.Type != notify.IncidentCreated || st != 200 {
		t.Fatalf("analyst got %+v; the incident answers %d %s", e, st, body)
	}
	s.hub.Publish(event(9, notify.FindingReleasedPublic, toAll))
	for who, st := range map[string]*stream{"public": public, "party": party} {
		if got := fmt.Sprint(st.until(t, "ev-9")); got != "[finding.released_public s9]" {
			t.Errorf("%s got %s, want only the public event", who, got)
		}
	}
}

// TestWebhooksThroughAPI: a party registers a webhook; it receives its own
// party's finding.sent, signed, never the other party's, and the delivery
// log shows it.
func TestWebhooksThroughAPI(t *testing.T) {
	s := newNotifyServer(t, time.Minute)
	ua := s.user(auth.Party, "UA", nil)
	var mu sync.Mutex
	var got []notify.Event
	var secret string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := notify.VerifySignature(secret, r.Header.Get("Truce-Timestamp"), r.Header.Get("Truce-Signature"), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(400)
			return
		}
		var e notify.Event
		json.Unmarshal(body, &e)
		got = append(got, e)
	}))
	defer recv.Close()

	st, body := s.do("POST", "/api/v1/webhooks", ua, "application/json", []byte(`{"url": "`+recv.URL+`/hook", "types": ["finding.sent"]}`))
	if st != 201 {
		t.Fatalf("register: %d %s", st, body)
	}
	var hook struct {
		ID, URL, Secret string
		Types           []string
	}
	json.Unmarshal(body, &hook)
	mu.Lock()
	secret = hook.Secret
	mu.Unlock()
	if !strings.HasPrefix(hook.Secret, "whsec_") || hook.URL != recv.URL+"/hook" || fmt.Sprint(hook.Types) != "[finding.sent]" {
		t.Errorf("registered %s", body)
	}
	st, body = s.do("GET", "/api/v1/webhooks", ua, "", nil)
	if st != 200 || strings.Contains(string(body), "secret") || !strings.Contains(string(body), hook.ID) {
		t.Errorf("list: %d %s, want the webhook without its secret", st, body)
	}

	s.hub.Publish(event(1, notify.FindingSent, sentToRU))
	s.hub.Publish(event(2, notify.FindingReleasedPublic, toAll)) // not a type it wants
	s.hub.Publish(event(3, notify.FindingSent, sentToUA))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // anything else would have come by now
	mu.Lock()
	if len(got) != 1 || got[0].ID != "ev-3" {
		t.Errorf("the receiver got %+v, want ev-3 only", got)
	}
	mu.Unlock()

	var page struct {
		Items      []notify.Delivery
		NextCursor string `json:"next_cursor"`
	}
	st, body = s.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", ua, "", nil)
	json.Unmarshal(body, &page)
	if st != 200 || len(page.Items) != 1 || page.Items[0].State != notify.Delivered || len(page.Items[0].Attempts) != 1 ||
		page.Items[0].Attempts[0].StatusCode != 200 || page.Items[0].Event.ID != "ev-3" || page.NextCursor != "" {
		t.Errorf("delivery log: %d %s", st, body)
	}
	if strings.Contains(string(body), "ev-1") || strings.Contains(string(body), "RU") {
		t.Errorf("the log shows another party's event: %s", body)
	}
	for _, q := range []string{"cursor=nope", "limit=0", "colour=blue"} {
		if st, body := s.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?"+q, ua, "", nil); st != 400 {
			t.Errorf("deliveries?%s: %d %s, want 400", q, st, body)
		}
	}
	if st, _ := s.do("DELETE", "/api/v1/webhooks/"+hook.ID, ua, "", nil); st != 204 {
		t.Errorf("delete: %d", st)
	}
	if st, _ := s.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", ua, "", nil); st != 404 {
		t.Errorf("log of a deleted webhook: %d, want 404", st)
	}
}

// TestDeliveryLogPaging pages a log of several deliveries.
func TestDeliveryLogPaging(t *testing.T) {
	s := newNotifyServer(t, time.Minute)
	analyst := s.user(auth.Analyst, "Mission", nil)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer recv.Close()
	st, body := s.do("POST", "/api/v1/webhooks", analyst, "", []byte(`{"url": "`+recv.URL+`"}`))
	if st != 201 {
		t.Fatalf("register: %d %s", st, body)
	}
	var hook struct{ ID string }
	json.Unmarshal(body, &hook)
	for i := 1; i <= 5; i++ {
		s.hub.Publish(event(i, notify.IncidentCreated, staffOnly))
	}
	var ids []string
	deadline := time.Now().Add(5 * time.Second)
	for len(ids) < 5 && time.Now().Before(deadline) {
		ids = nil
		q := "limit=2"
		for {
			st, body := s.do("GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?"+q, analyst, "", nil)
			var page struct {
				Items      []notify.Delivery
				NextCursor string `json:"next_cursor"`
			}
			if err := json.Unmarshal(body, &page); st != 200 || err != nil || len(page.Items) > 2 {
				t.Fatalf("page %s: %d %s", q, st, body)
			}
			for _, d := range page.Items {
				ids = append(ids, d.Event.ID)
			}
			if page.NextCursor == "" {
				break
			}
			q = "limit=2&cursor=" + page.NextCursor
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := fmt.Sprint(ids); got != "[ev-5 ev-4 ev-3 ev-2 ev-1]" {
		t.Errorf("paged log %s, want newest first", got)
	}
}

// TestWebhookRegistrationRefused: malformed registrations are answered
// 400 naming the field (413 for an oversized body), and nothing is stored.
func TestWebhookRegistrationRefused(t *testing.T) {
	s := newNotifyServer(t, time.Minute)
	tok := s.user(auth.Observer, "State", nil)
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"empty body", ``, 400, "body"},
		{"not JSON", `{"url": `, 400, "body"},
		{"no url", `{"types": ["finding.sent"]}`, 400, "url"},
		{"url not a string", `{"url": 7}`, 400, "url"},
		{"ftp", `{"url": "ftp://example.org/"}`, 400, "url"},
		{"relative", `{"url": "/hook"}`, 400, "url"},
		{"credentials", `{"url": "https://me:pw@example.org/"}`, 400, "url"},
		{"too long", `{"url": "https://example.org/` + strings.Repeat("a", 2100) + `"}`, 400, "url"},
		{"unknown type", `{"url": "https://example.org/", "types": ["finding.sent", "finding.lost"]}`, 400, "types[1]"},
		{"types not a list", `{"url": "https://example.org/", "types": "finding.sent"}`, 400, "types"},
		{"unknown field", `{"url": "https://example.org/", "secret": "mine"}`, 400, "secret"},
		{"oversized", `{"url": "https://example.org/", "types": [` + strings.Repeat(`"finding.sent",`, 1000) + `"finding.sent"]}`, 413, "body"},
	}
	for _, tt := range tests {
		st, body := s.do("POST", "/api/v1/webhooks", tok, "application/json", []byte(tt.body))
		if st != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, st, tt.status, body)
			continue
		}
		if _, field, _ := apiErr(t, body); field != tt.field {
			t.Errorf("%s: field %q, want %q (%s)", tt.name, field, tt.field, body)
		}
	}
	if st, body := s.do("GET", "/api/v1/webhooks", tok, "", nil); st != 200 || string(body) != "{\"items\":[]}\n" {
		t.Errorf("after refusals: %d %s, want no webhooks", st, body)
	}
	// The per-user limit.
	for i := range 10 {
		if st, body := s.do("POST", "/api/v1/webhooks", tok, "", []byte(fmt.Sprintf(`{"url": "https://example.org/%d"}`, i))); st != 201 {
			t.Fatalf("webhook %d: %d %s", i, st, body)
		}
	}
	st, body := s.do("POST", "/api/v1/webhooks", tok, "", []byte(`{"url": "https://example.org/11"}`))
	if code, field, _ := apiErr(t, body); st != 409 || code != "conflict" || field != "url" {
		t.Errorf("an eleventh webhook: %d %s, want 409", st, body)
	}
}
