package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/notify"
	"truce/internal/store/sqlite"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// receiver is a webhook receiver that verifies each delivery as
// docs/notifications.md tells receivers to, written out here rather than
// with notify.VerifySignature, so that the test checks the recipe.
type receiver struct {
	t      *testing.T
	secret string
	now    func() time.Time
	// answer gives the status code for the n-th request (from 1).
	answer func(n int) int

	mu   sync.Mutex
	n    int
	got  []notify.Event
	bad  []string
	hdrs []http.Header
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.n++
	rc.hdrs = append(rc.hdrs, r.Header.Clone())
	// 1. The timestamp is within five minutes of now.
	ts, err := strconv.ParseInt(r.Header.Get("Truce-Timestamp"), 10, 64)
	if d := rc.now().Sub(time.Unix(ts, 0)); err != nil || d > 5*time.Minute || d < -5*time.Minute {
		rc.bad = append(rc.bad, "timestamp "+r.Header.Get("Truce-Timestamp"))
		w.WriteHeader(400)
		return
	}
	// 2. HMAC-SHA256 over timestamp + "." + body, keyed with the secret.
	m := hmac.New(sha256.New, []byte(rc.secret))
	m.Write([]byte(r.Header.Get("Truce-Timestamp") + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	// 3. Compared in constant time.
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("Truce-Signature"))) {
		rc.bad = append(rc.bad, "signature "+r.Header.Get("Truce-Signature"))
		w.WriteHeader(400)
		return
	}
	var e notify.Event
	if err := json.Unmarshal(body, &e); err != nil || e.ID != r.Header.Get("Truce-Event-Id") || e.Type != r.Header.Get("Truce-Event-Type") {
		rc.bad = append(rc.bad, "body "+string(body))
		w.WriteHeader(400)
		return
	}
	status := 204
	if rc.answer != nil {
		status = rc.answer(rc.n)
	}
	if status/100 == 2 {
		rc.got = append(rc.got, e)
	}
	w.WriteHeader(status)
}

func (rc *receiver) events() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var ids []string
	for _, e := range rc.got {
		ids = append(ids, e.ID)
	}
	if len(rc.bad) > 0 {
		rc.t.Errorf("receiver refused deliveries: %v", rc.bad)
	}
	return ids
}

type fixture struct {
	t     *testing.T
	store *sqlite.Store
	clock *clock
	path  string
}

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "truce.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{t: t0}
	s.Now = c.Now
	return &fixture{t: t, store: s, clock: c, path: path}
}

func (f *fixture) user(role auth.Role, org string) *auth.User {
	f.t.Helper()
	_, hash, err := auth.NewToken()
	if err != nil {
		f.t.Fatal(err)
	}
	u := &auth.User{Name: string(role) + " " + org, Role: role, Org: org}
	if u.ID, err = f.store.CreateUser(f.t.Context(), u, hash); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// hook registers a webhook for owner to a receiver it starts.
func (f *fixture) hook(owner *auth.User, types []string, answer func(n int) int) (notify.Webhook, *receiver) {
	f.t.Helper()
	secret, err := notify.NewSecret()
	if err != nil {
		f.t.Fatal(err)
	}
	rc := &receiver{t: f.t, secret: secret, now: f.clock.Now, answer: answer}
	srv := httptest.NewServer(rc)
	f.t.Cleanup(srv.Close)
	w := notify.Webhook{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", time.Now().UnixNano()%1e12), OwnerID: owner.ID, URL: srv.URL + "/hook", Types: types, Created: f.clock.Now(), Secret: secret}
	if err := f.store.CreateWebhook(f.t.Context(), w, 10, 100); err != nil {
		f.t.Fatal(err)
	}
	return w, rc
}

func (f *fixture) deliverer(cfg notify.DelivererConfig) *notify.Deliverer {
	cfg.Store = f.store
	cfg.Now = f.clock.Now
	if cfg.Client == nil {
		cfg.Client = notify.NewClient(true, time.Second)
	}
	cfg.Jitter = func() float64 { return 0.5 } // no jitter: factor 1
	return notify.NewDeliverer(cfg)
}

func (f *fixture) log(id string) []notify.Delivery {
	f.t.Helper()
	ds, err := f.store.Deliveries(f.t.Context(), id, 0, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return ds
}

func TestDeliverSignedAndFilteredByAudience(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ua, ru, an := f.user(auth.Party, "UA"), f.user(auth.Party, "RU"), f.user(auth.Analyst, "Mission")
	_, uaRecv := f.hook(ua, nil, nil)
	_, ruRecv := f.hook(ru, nil, nil)
	_, anRecv := f.hook(an, []string{notify.FindingSent}, nil)
	d := f.deliverer(notify.DelivererConfig{})
	for i, e := range []notify.Event{
		ev(1, notify.FindingSent, toUA),
		ev(2, notify.FindingSent, toRU),
		ev(3, notify.IncidentCreated, staff),
		ev(4, notify.FindingReleasedPublic, public),
	} {
		e.ID = fmt.Sprintf("e%d", i+1)
		if err := d.Enqueue(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Enqueue(ctx, ev(1, notify.FindingSent, toUA)); err != nil { // again: not queued twice
		t.Fatal(err)
	}
	n, err := d.DeliverDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("attempted %d deliveries, want 6", n)
	}
	for name, tt := range map[string]struct {
		r    *receiver
		want string
	}{
		"UA": {uaRecv, "[e1 e4]"}, "RU": {ruRecv, "[e2 e4]"}, "analyst (finding.sent only)": {anRecv, "[e1 e2]"},
	} {
		got := tt.r.events()
		if fmt.Sprint(sortedCopy(got)) != tt.want {
			t.Errorf("%s received %v, want %s", name, got, tt.want)
		}
	}
	h := uaRecv.hdrs[0]
	if h.Get("Content-Type") != "application/json" || h.Get("Truce-Timestamp") != strconv.FormatInt(t0.Unix(), 10) {
		t.Errorf("headers %v", h)
	}
	// Nothing more is due.
	if n, err := d.DeliverDue(ctx); n != 0 || err != nil {
		t.Errorf("second round attempted %d (%v), want 0", n, err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestDeliverRetries: a receiver that fails twice, then succeeds, is
// retried after the back-off, and every attempt is in the log.
func TestDeliverRetries(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	owner := f.user(auth.Analyst, "Mission")
	hook, rc := f.hook(owner, nil, func(n int) int {
		if n <= 2 {
			return 503
		}
		return 200
	})
	d := f.deliverer(notify.DelivererConfig{BaseDelay: 30 * time.Second})
	if err := d.Enqueue(ctx, ev(1, notify.IncidentCreated, staff)); err != nil {
		t.Fatal(err)
	}
	step := func(at time.Time, want int) {
		t.Helper()
		f.clock.Set(at)
		n, err := d.DeliverDue(ctx)
		if err != nil || n != want {
			t.Fatalf("at %v: attempted %d (%v), want %d", at.Sub(t0), n, err, want)
		}
	}
	step(t0, 1)
	step(t0.Add(29*time.Second), 0) // not due yet
	step(t0.Add(30*time.Second), 1)
	step(t0.Add(30*time.Second+59*time.Second), 0)
	step(t0.Add(90*time.Second), 1)
	step(t0.Add(time.Hour), 0)
	if got := rc.events(); len(got) != 1 {
		t.Errorf("received %v, want one event", got)
	}
	log := f.log(hook.ID)
	if len(log) != 1 {
		t.Fatalf("log has %d deliveries, want 1", len(log))
	}
	dl := log[0]
	if dl.State != notify.Delivered || dl.NextAttempt != nil || len(dl.Attempts) != 3 || dl.Event.ID != "e1" {
		t.Fatalf("delivery %+v, want delivered after 3 attempts", dl)
	}
	wantAt := []time.Duration{0, 30 * time.Second, 90 * time.Second}
	wantNext := []string{"30s", "1m30s", "none"}
	for i, a := range dl.Attempts {
		next := "none"
		if a.NextAttempt != nil {
			next = a.NextAttempt.Sub(t0).String()
		}
		wantCode := 503
		if i == 2 {
			wantCode = 200
		}
		if a.N != i+1 || !a.At.Equal(t0.Add(wantAt[i])) || a.StatusCode != wantCode || next != wantNext[i] {
			t.Errorf("attempt %d: %+v (next %s), want n %d at +%v, status %d, next %s", i, a, next, i+1, wantAt[i], wantCode, wantNext[i])
		}
		if (a.Error != "") != (wantCode != 200) {
			t.Errorf("attempt %d: error %q", i, a.Error)
		}
	}
}

// TestDeliverGivesUp: after MaxAttempts failures the delivery is failed,
// with no next attempt.
func TestDeliverGivesUp(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	owner := f.user(auth.Mediator, "Mediator")
	hook, _ := f.hook(owner, nil, func(int) int { return 500 })
	d := f.deliverer(notify.DelivererConfig{MaxAttempts: 4, BaseDelay: time.Minute, MaxDelay: 3 * time.Minute})
	if err := d.Enqueue(ctx, ev(1, notify.IncidentCreated, staff)); err != nil {
		t.Fatal(err)
	}
	at := t0
	var waits []string
	for range 10 {
		f.clock.Set(at)
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		next, ok, err := f.store.NextDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		waits = append(waits, next.Sub(at).String())
		at = next
	}
	// Doubling from a minute, capped at three.
	if got := fmt.Sprint(waits); got != "[1m0s 2m0s 3m0s]" {
		t.Errorf("waits %s, want [1m0s 2m0s 3m0s]", got)
	}
	dl := f.log(hook.ID)[0]
	if dl.State != notify.Failed || len(dl.Attempts) != 4 || dl.NextAttempt != nil || dl.Attempts[3].NextAttempt != nil {
		t.Errorf("delivery %+v, want failed after 4 attempts", dl)
	}
	for _, a := range dl.Attempts {
		if a.StatusCode != 500 || !strings.Contains(a.Error, "500") {
			t.Errorf("attempt %+v, want status 500 logged", a)
		}
	}
}

func TestBackoffJitter(t *testing.T) {
	for _, j := range []float64{0, 0.5, 0.999} {
		d := notify.NewDeliverer(notify.DelivererConfig{BaseDelay: 30 * time.Second, MaxDelay: time.Hour, Jitter: func() float64 { return j }})
		for n := 1; n <= 12; n++ {
			base := min(30*time.Second<<(n-1), time.Hour)
			got := d.Backoff(n)
			if got < base*3/4 || got > base*5/4 {
				t.Errorf("jitter %v: Backoff(%d) = %v, want within 25%% of %v", j, n, got, base)
			}
		}
	}
}

// TestDeliverTimeoutsAndRedirects: a receiver that is too slow or that
// redirects fails the attempt; redirects are not followed.
func TestDeliverTimeoutsAndRedirects(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	owner := f.user(auth.Analyst, "Mission")
	followed := make(chan struct{}, 10)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed <- struct{}{} }))
	defer target.Close()
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	hooks := map[string]string{}
	for name, u := range map[string]string{"redirect": redirect.URL, "slow": slow.URL} {
		w := notify.Webhook{ID: "00000000-0000-4000-8000-00000000000" + strconv.Itoa(len(hooks)), OwnerID: owner.ID, URL: u, Created: t0, Secret: "s"}
		if err := f.store.CreateWebhook(ctx, w, 10, 10); err != nil {
			t.Fatal(err)
		}
		hooks[name] = w.ID
	}
	d := f.deliverer(notify.DelivererConfig{Client: notify.NewClient(true, 200*time.Millisecond), Timeout: 200 * time.Millisecond})
	if err := d.Enqueue(ctx, ev(1, notify.IncidentCreated, staff)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a slow receiver held the deliverer for %v", took)
	}
	if len(followed) != 0 {
		t.Errorf("the redirect was followed")
	}
	for name, want := range map[string]string{"redirect": "answered 307", "slow": "no answer within 200ms"} {
		a := f.log(hooks[name])[0].Attempts
		if len(a) != 1 || !strings.Contains(a[0].Error, want) || a[0].NextAttempt == nil {
			t.Errorf("%s: attempts %+v, want one failed with %q and a next try", name, a, want)
		}
	}
}

// TestDeliverRefusesPrivateAddresses: the production client does not
// connect to loopback (or other internal) addresses.
func TestDeliverRefusesPrivateAddresses(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	owner := f.user(auth.Analyst, "Mission")
	hook, rc := f.hook(owner, nil, nil)
	d := f.deliverer(notify.DelivererConfig{Client: notify.NewClient(false, time.Second)})
	if err := d.Enqueue(ctx, ev(1, notify.IncidentCreated, staff)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rc.events(); len(got) != 0 {
		t.Errorf("a loopback receiver got %v", got)
	}
	dl := f.log(hook.ID)[0]
	if a := dl.Attempts; len(a) != 1 || !strings.Contains(a[0].Error, notify.ErrPrivateAddress.Error()) || a[0].NextAttempt != nil || dl.State != notify.Failed {
		t.Errorf("delivery %+v, want refused as not public, for good", dl)
	}
}

// gone is a store whose users can be taken away.
type gone struct {
	*sqlite.Store
	mu      sync.Mutex
	removed map[int64]bool
	role    map[int64]auth.Role
}

func (g *gone) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.removed[id] {
		return nil, derrors.ErrNotFound
	}
	u, err := g.Store.UserByID(ctx, id)
	if err == nil && g.role[id] != "" {
		u.Role = g.role[id]
	}
	return u, err
}

// TestDeliverChecksOwnerAtDelivery: an owner removed, or whose role
// changed, after an event was queued does not receive it.
func TestDeliverChecksOwnerAtDelivery(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a1, a2 := f.user(auth.Analyst, "Mission"), f.user(auth.Analyst, "Mission")
	h1, r1 := f.hook(a1, nil, nil)
	h2, r2 := f.hook(a2, nil, nil)
	g := &gone{Store: f.store, removed: map[int64]bool{}, role: map[int64]auth.Role{}}
	d := notify.NewDeliverer(notify.DelivererConfig{Store: g, Now: f.clock.Now, Client: notify.NewClient(true, time.Second)})
	if err := d.Enqueue(ctx, ev(1, notify.IncidentCreated, staff)); err != nil {
		t.Fatal(err)
	}
	g.removed[a1.ID] = true
	g.role[a2.ID] = auth.Observer
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r1.events())+len(r2.events()) != 0 {
		t.Errorf("a removed or demoted owner received the event")
	}
	for _, id := range []string{h1.ID, h2.ID} {
		dl := f.log(id)[0]
		if dl.State != notify.Failed || len(dl.Attempts) != 0 || dl.Error == "" {
			t.Errorf("delivery %+v, want failed without an attempt, saying why", dl)
		}
	}
}

// TestDeliveriesSurviveRestart: a queued delivery is sent by a deliverer
// started on the reopened database.
func TestDeliveriesSurviveRestart(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	owner := f.user(auth.Analyst, "Mission")
	_, rc := f.hook(owner, nil, nil)
	if err := f.deliverer(notify.DelivererConfig{}).Enqueue(ctx, ev(1, notify.IncidentCreated, staff)); err != nil {
		t.Fatal(err)
	}
	// A claim whose attempt is never recorded (a crash mid-send) comes back
	// after the lease.
	if ds, err := f.store.ClaimDue(ctx, t0, time.Minute, 10); err != nil || len(ds) != 1 {
		t.Fatalf("claimed %d (%v), want 1", len(ds), err)
	}
	f.store.Close()
	s, err := sqlite.Open(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.store = s
	d := f.deliverer(notify.DelivererConfig{})
	if n, err := d.DeliverDue(ctx); n != 0 || err != nil {
		t.Errorf("within the lease: attempted %d (%v), want 0", n, err)
	}
	f.clock.Set(t0.Add(time.Minute))
	if n, err := d.DeliverDue(ctx); n != 1 || err != nil {
		t.Errorf("after the lease: attempted %d (%v), want 1", n, err)
	}
	if got := rc.events(); fmt.Sprint(got) != "[e1]" {
		t.Errorf("received %v after a restart, want [e1]", got)
	}
}

// TestDeliverRun: the running deliverer takes events from a hub's tap
// and delivers them; a full queue fails further deliveries, saying so.
func TestDeliverRun(t *testing.T) {
	f := newFixture(t)
	owner := f.user(auth.Party, "UA")
	hook, rc := f.hook(owner, nil, nil)
	hub := notify.NewHub(notify.HubConfig{})
	d := f.deliverer(notify.DelivererConfig{Events: hub.Tap(16), Poll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	hub.Publish(ev(1, notify.FindingSent, toRU)) // not UA's
	hub.Publish(ev(2, notify.FindingSent, toUA))
	deadline := time.Now().Add(5 * time.Second)
	for len(rc.events()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if got := rc.events(); fmt.Sprint(got) != "[e2]" {
		t.Errorf("received %v, want [e2]", got)
	}
	if n := len(f.log(hook.ID)); n != 1 {
		t.Errorf("log holds %d deliveries, want 1 (another party's event is never queued)", n)
	}
}

func TestQueueLimit(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	owner := f.user(auth.Analyst, "Mission")
	hook, _ := f.hook(owner, nil, nil)
	d := f.deliverer(notify.DelivererConfig{MaxPending: 2})
	for i := 1; i <= 3; i++ {
		if err := d.Enqueue(ctx, ev(i, notify.IncidentCreated, staff)); err != nil {
			t.Fatal(err)
		}
	}
	log := f.log(hook.ID) // newest first
	if len(log) != 3 || log[0].State != notify.Failed || !strings.Contains(log[0].Error, "queue full") || log[1].State != notify.Pending {
		t.Errorf("log %+v, want the third delivery failed as queue full", log)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"id":"e1"}`)
	now := time.Unix(1_700_000_000, 0)
	sig := notify.Signature("whsec_k", now.Unix(), body)
	ts := strconv.FormatInt(now.Unix(), 10)
	tests := []struct {
		name       string
		secret, ts string
		sig        string
		body       []byte
		at         time.Time
		wantErr    bool
	}{
		{"good", "whsec_k", ts, sig, body, now, false},
		{"within tolerance", "whsec_k", ts, sig, body, now.Add(4 * time.Minute), false},
		{"too old", "whsec_k", ts, sig, body, now.Add(6 * time.Minute), true},
		{"from the future", "whsec_k", ts, sig, body, now.Add(-6 * time.Minute), true},
		{"other secret", "whsec_x", ts, sig, body, now, true},
		{"other body", "whsec_k", ts, sig, []byte(`{"id":"e2"}`), now, true},
		{"other timestamp", "whsec_k", strconv.FormatInt(now.Unix()+1, 10), sig, body, now, true},
		{"no prefix", "whsec_k", ts, strings.TrimPrefix(sig, "sha256="), body, now, true},
		{"bad timestamp", "whsec_k", "yesterday", sig, body, now, true},
	}
	for _, tt := range tests {
		err := notify.VerifySignature(tt.secret, tt.ts, tt.sig, tt.body, tt.at, 5*time.Minute)
		if (err != nil) != tt.wantErr || err != nil && !errors.Is(err, notify.ErrBadSignature) {
			t.Errorf("%s: %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestValidateWebhook(t *testing.T) {
	long := "https://example.org/" + strings.Repeat("a", 2048)
	tests := []struct {
		url   string
		types []string
		field string
	}{
		{"https://example.org/hook", nil, ""},
		{"http://127.0.0.1:8080/x?y=1", []string{"finding.sent", "incident.created", "finding.sent"}, ""},
		{"", nil, "url"},
		{"ftp://example.org/", nil, "url"},
		{"example.org/hook", nil, "url"},
		{"https://", nil, "url"},
		{"https://user:pw@example.org/", nil, "url"},
		{"https://example.org/#frag", nil, "url"},
		{"https://example.org:99999/", nil, "url"},
		{"https://exa mple.org/", nil, "url"},
		{long, nil, "url"},
		{"https://example.org/", []string{"incident.created", "finding.exploded"}, "types[1]"},
		{"https://example.org/", make([]string, 33), "types"},
	}
	for _, tt := range tests {
		_, types, err := notify.ValidateWebhook(tt.url, tt.types)
		var fe *derrors.FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%.40q: %v", tt.url, err)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
			t.Errorf("%.40q %v: error %v, want one naming %s", tt.url, tt.types, err, tt.field)
		case tt.field == "" && len(tt.types) == 3 && fmt.Sprint(types) != "[finding.sent incident.created]":
			t.Errorf("types cleaned to %v", types)
		}
	}
}

// BenchmarkDeliver measures queueing an event for 10 webhooks and
// delivering it to a receiver on this machine, through the SQLite queue.
func BenchmarkDeliver(b *testing.B) {
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "truce.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_, hash, _ := auth.NewToken()
	owner, err := s.CreateUser(b.Context(), &auth.User{Name: "A", Role: auth.Analyst, Org: "Mission"}, hash)
	if err != nil {
		b.Fatal(err)
	}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer recv.Close()
	for i := range 10 {
		w := notify.Webhook{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), OwnerID: owner, URL: recv.URL, Created: t0, Secret: "whsec_k"}
		if err := s.CreateWebhook(b.Context(), w, 10, 10); err != nil {
			b.Fatal(err)
		}
	}
	d := notify.NewDeliverer(notify.DelivererConfig{Store: s, Client: notify.NewClient(true, time.Second)})
	n := 0
	for b.Loop() {
		n++
		if err := d.Enqueue(b.Context(), ev(n, notify.IncidentCreated, staff)); err != nil {
			b.Fatal(err)
		}
		if got, err := d.DeliverDue(b.Context()); err != nil || got != 10 {
			b.Fatalf("delivered %d (%v), want 10", got, err)
		}
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "deliveries/s")
}
