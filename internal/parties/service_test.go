package parties_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/finding"
	"truce/internal/incident"
	"truce/internal/notify"
	"truce/internal/parties"
	"truce/internal/record"
	"truce/internal/store/sqlite"
)

var (
	t0       = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	analyst  = finding.Actor{Role: finding.Analyst, ID: "7"}
	mediator = finding.Actor{Role: finding.Mediator, ID: "2"}
	ru       = finding.Actor{Role: finding.Party, Party: "RU", ID: "12"}
	anchor   = "6f1c7a2e-0d0b-4a6e-9d1f-000000000001"
)

// clock is a test clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t0.Add(d)
}

// events records what the service publishes.
type events struct {
	mu   sync.Mutex
	list []notify.Event
}

func (e *events) Publish(ev notify.Event) { e.mu.Lock(); e.list = append(e.list, ev); e.mu.Unlock() }

func (e *events) types() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.list {
		out = append(out, ev.Type)
	}
	return out
}

func open(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func draft() finding.Finding {
	return finding.Finding{Incident: "inc1", Party: "RU",
		Content: finding.Content{Established: "Two drones struck the substation.", AttributedTo: "RU", Confidence: incident.Medium}}
}

func TestLoopOnTheLedger(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	c := &clock{t: t0}
	ev := &events{}
	s := parties.New(parties.Config{Store: st, Events: ev, Now: c.now})
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		t.Helper()
		n, err := st.TreeSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	e, err := s.Create(ctx, draft(), anchor, analyst, 7)
	if err != nil {
		t.Fatal(err)
	}
	id := e.ID
	step := func(at time.Duration, a finding.Action, actor finding.Actor, want finding.State) {
		t.Helper()
		c.set(at)
		got, err := s.Act(ctx, id, a, actor, 1)
		if err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
		if got.State != want {
			t.Fatalf("%s: got %s, want %s", a.Kind, got.State, want)
		}
	}
	sweep := func(at time.Duration, want int) {
		t.Helper()
		c.set(at)
		n, err := s.Sweep(ctx)
		if err != nil || n != want {
			t.Fatalf("sweep at %s: got %d moves, %v; want %d", at, n, err, want)
		}
	}
	step(time.Hour, finding.Action{Kind: finding.Send}, analyst, finding.Sent)
	sweep(73*time.Hour-time.Second, 0) // the 72 h window is not over
	sweep(73*time.Hour, 1)             // expired at the deadline
	if got, _ := s.Get(id); got.State != finding.DeadlinePassed {
		t.Fatalf("after the deadline: got %s", got.State)
	}
	step(74*time.Hour, finding.Action{Kind: finding.Extend, Deadline: t0.Add(100 * time.Hour), Reason: "RU's reply was lost in transit"}, mediator, finding.Sent)
	sweep(99*time.Hour, 0)
	step(99*time.Hour, finding.Action{Kind: finding.ReplyAction, Reply: &finding.Reply{Text: "Not our forces.", Evidence: []string{strings.Repeat("ab", 32)}}}, ru, finding.Replied)
	sweep(150*time.Hour, 0) // replied: nothing for the clock
	step(150*time.Hour, finding.Action{Kind: finding.ReleaseObservers}, analyst, finding.ReleasedObservers)
	sweep(174*time.Hour-time.Second, 0) // the 24 h public delay is not over
	sweep(174*time.Hour, 1)
	got, _ := s.Get(id)
	if got.State != finding.ReleasedPublic || !got.PublicAt.Equal(t0.Add(174*time.Hour)) {
		t.Fatalf("got %s at %s, want released_public at +174h", got.State, got.PublicAt)
	}

	// A refused move writes nothing.
	n := size()
	if _, err := s.Act(ctx, id, finding.Action{Kind: finding.Withdraw, Reason: "x"}, analyst, 7); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("withdraw a public finding: got %v, want a conflict", err)
	}
	if size() != n {
		t.Errorf("a refused move added a ledger entry")
	}

	// One record and one ledger entry per transition.
	wantActions := []finding.ActionKind{finding.Create, finding.Send, finding.Expire, finding.Extend, finding.ReplyAction, finding.ReleaseObservers, finding.ReleasePublic}
	recs, err := st.ListRecords(ctx, record.TypeFindingEvent, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(wantActions) || size()-before != int64(len(wantActions)) {
		t.Errorf("got %d records and %d ledger entries, want %d of each", len(recs), size()-before, len(wantActions))
	}
	var gotActions []finding.ActionKind
	for _, ev := range got.Events {
		gotActions = append(gotActions, ev.Action)
	}
	if !slices.Equal(gotActions, wantActions) {
		t.Errorf("events: got %v, want %v", gotActions, wantActions)
	}
	if got.Events[2].Actor != parties.Clock() || got.Events[6].Actor != parties.Clock() {
		t.Errorf("the clock's moves: got actors %+v and %+v", got.Events[2].Actor, got.Events[6].Actor)
	}

	// Published, each to who may see the finding afterwards.
	wantTypes := []string{"finding.created", "finding.sent", "finding.deadline_passed", "finding.extended", "finding.replied", "finding.released_observers", "finding.released_public"}
	if got := ev.types(); !slices.Equal(got, wantTypes) {
		t.Errorf("published: got %v, want %v", got, wantTypes)
	}
	audiences := map[string]auth.Audience{}
	for _, e := range ev.list {
		audiences[e.Type] = e.Audience
		if e.Subject != id || e.ID == "" {
			t.Errorf("%s: subject %q, id %q", e.Type, e.Subject, e.ID)
		}
	}
	ua := &auth.User{Role: auth.Party, Org: "UA"}
	ruU := &auth.User{Role: auth.Party, Org: "RU"}
	obs := &auth.User{Role: auth.Observer}
	for _, tt := range []struct {
		typ  string
		who  *auth.User
		want bool
	}{
		{"finding.created", ruU, false},
		{"finding.sent", ruU, true},
		{"finding.sent", ua, false},
		{"finding.sent", obs, false},
		{"finding.replied", ua, false},
		{"finding.released_observers", ua, true},
		{"finding.released_observers", obs, true},
		{"finding.released_observers", nil, false},
		{"finding.released_public", nil, true},
	} {
		if got := auth.InAudience(tt.who, audiences[tt.typ]); got != tt.want {
			t.Errorf("%s reaches %+v: got %v, want %v", tt.typ, tt.who, got, tt.want)
		}
	}

	// A restart replays the same findings.
	s2 := parties.New(parties.Config{Store: st, Now: c.now})
	if err := s2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := s2.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, got) {
		t.Errorf("after replay:\n got %+v\nwant %+v", again, got)
	}
	if on := s2.On([]string{"other", anchor}); len(on) != 1 || on[0].ID != id {
		t.Errorf("On(anchor): got %d findings", len(on))
	}
}

// failing is a store whose appends fail.
type failing struct{ *sqlite.Store }

func (failing) AppendRecord(context.Context, string, string, int64, []byte) (record.Stored, error) {
	return record.Stored{}, errors.New("disk full")
}

func TestUnrecordedMoveChangesNothing(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	s := parties.New(parties.Config{Store: st, Now: func() time.Time { return t0 }})
	e, err := s.Create(ctx, draft(), anchor, analyst, 7)
	if err != nil {
		t.Fatal(err)
	}
	// The same records behind a store that refuses to write.
	broken := parties.New(parties.Config{Store: failing{st}, Now: func() time.Time { return t0.Add(time.Hour) }})
	if err := broken.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := broken.Act(ctx, e.ID, finding.Action{Kind: finding.Send}, analyst, 7); err == nil {
		t.Fatal("send through a failing store: got nil error")
	}
	if got, _ := broken.Get(e.ID); got.State != finding.Draft || len(got.Events) != 1 {
		t.Errorf("after a failed write: got %s with %d events, want the draft as it was", got.State, len(got.Events))
	}
	if _, err := broken.Create(ctx, draft(), anchor, analyst, 7); err == nil {
		t.Fatal("create through a failing store: got nil error")
	}
	if got := broken.On([]string{anchor}); len(got) != 1 {
		t.Errorf("after a failed create: %d findings, want 1", len(got))
	}
}

func TestList(t *testing.T) {
	ctx := t.Context()
	s := parties.New(parties.Config{Store: open(t), Now: func() time.Time { return t0 }})
	var ids []string
	for i := range 5 {
		f := draft()
		if i%2 == 1 {
			f.Party = "UA"
		}
		e, err := s.Create(ctx, f, anchor, analyst, 7)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	ru := func(e *parties.Entry) bool { return e.Party == "RU" }
	page, more, err := s.List(ru, "", 2)
	if err != nil || !more || len(page) != 2 || page[0].ID != ids[0] || page[1].ID != ids[2] {
		t.Fatalf("first page: got %d, %v, %v", len(page), more, err)
	}
	page, more, err = s.List(ru, page[1].ID, 2)
	if err != nil || more || len(page) != 1 || page[0].ID != ids[4] {
		t.Fatalf("second page: got %d, %v, %v", len(page), more, err)
	}
	if _, _, err := s.List(ru, "nope", 2); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("unknown cursor: got %v, want invalid", err)
	}
}

func TestPseudonyms(t *testing.T) {
	a, b := parties.NewPseudonyms([]byte("k1")), parties.NewPseudonyms([]byte("k1"))
	if a.Org("Mission") != b.Org("Mission") {
		t.Errorf("same secret, different pseudonyms")
	}
	if a.Org("Mission") == a.Org("Sensors") || a.Org("7") == a.User("7") {
		t.Errorf("pseudonyms collide")
	}
	if c := parties.NewPseudonyms([]byte("k2")); c.Org("Mission") == a.Org("Mission") {
		t.Errorf("another secret, the same pseudonym")
	}
	if p := a.Org("Mission"); !strings.HasPrefix(p, "org-") || len(p) != 16 || strings.Contains(p, "Mission") {
		t.Errorf("got %q", p)
	}
}
