package finding

import (
	"errors"
	"strings"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/incident"
)

var (
	t0       = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	analyst  = Actor{Role: Analyst, ID: "7"}
	mediator = Actor{Role: Mediator, ID: "2"}
	ua       = Actor{Role: Party, Party: "UA", ID: "11"}
	ru       = Actor{Role: Party, Party: "RU", ID: "12"}
	observer = Actor{Role: Observer, ID: "30"}
	clock    = Actor{Role: System, ID: "clock"}
	public   = Actor{}
	monitor  = Actor{Role: "monitor", ID: "40"}
	hash     = strings.Repeat("ab", 32)
)

// inState returns a finding about RU moved to state s by the usual path,
// starting at t0: sent at t0+1h (deadline t0+73h), replied at t0+2h or
// expired at t0+73h, released to observers at t0+74h (public due t0+98h),
// public at t0+98h.
func inState(t *testing.T, s State) Finding {
	t.Helper()
	f, _, err := New(Finding{ID: "f1", Incident: "inc1", Party: "RU",
		Content: Content{Established: "Two drones struck the substation.", AttributedTo: "RU", Confidence: incident.Medium}}, analyst, t0)
	if err != nil {
		t.Fatal(err)
	}
	step := func(a Action, actor Actor, at time.Duration) {
		t.Helper()
		if f, _, err = Transition(f, a, actor, t0.Add(at)); err != nil {
			t.Fatalf("reaching %s: %v", s, err)
		}
	}
	if s == Draft {
		return f
	}
	step(Action{Kind: Send}, analyst, time.Hour)
	switch s {
	case Sent:
		return f
	case Replied, ReleasedObservers, ReleasedPublic:
		step(Action{Kind: ReplyAction, Reply: &Reply{Text: "Our forces did not operate there.", Evidence: []string{hash}}}, ru, 2*time.Hour)
	case DeadlinePassed:
		step(Action{Kind: Expire}, clock, 73*time.Hour)
		return f
	case Withdrawn:
		step(Action{Kind: Withdraw, Reason: "the incident was refuted"}, mediator, 2*time.Hour)
		return f
	}
	if s == Replied {
		return f
	}
	step(Action{Kind: ReleaseObservers}, analyst, 74*time.Hour)
	if s == ReleasedObservers {
		return f
	}
	step(Action{Kind: ReleasePublic}, clock, 98*time.Hour)
	return f
}

func TestNew(t *testing.T) {
	ok := Finding{ID: "f1", Incident: "inc1", Party: "RU", Content: Content{Established: "x"}}
	f, ev, err := New(ok, mediator, t0)
	if err != nil {
		t.Fatal(err)
	}
	if f.State != Draft || f.ReplyWindow != 72*time.Hour || f.PublicDelay != 24*time.Hour || f.Author != "2" {
		t.Errorf("got %+v, want a draft with default windows by 2", f)
	}
	if ev.Action != Create || ev.To != Draft || ev.Reason == "" || !ev.At.Equal(t0) {
		t.Errorf("got event %+v", ev)
	}
	tests := []struct {
		name   string
		change func(*Finding)
		author Actor
		want   error
		field  string
	}{
		{"party writes", func(*Finding) {}, ru, derrors.ErrForbidden, ""},
		{"observer writes", func(*Finding) {}, observer, derrors.ErrForbidden, ""},
		{"no id", func(f *Finding) { f.ID = "" }, analyst, derrors.ErrInvalid, "id"},
		{"no incident", func(f *Finding) { f.Incident = "" }, analyst, derrors.ErrInvalid, "incident"},
		{"bad party", func(f *Finding) { f.Party = "Russia" }, analyst, derrors.ErrInvalid, "party"},
		{"nothing established", func(f *Finding) { f.Established = "" }, analyst, derrors.ErrInvalid, "established"},
		{"attribution without confidence", func(f *Finding) { f.AttributedTo = "RU" }, analyst, derrors.ErrInvalid, "confidence"},
		{"confidence without attribution", func(f *Finding) { f.Confidence = incident.High }, analyst, derrors.ErrInvalid, "confidence"},
		{"bad attribution", func(f *Finding) { f.AttributedTo = "ru"; f.Confidence = incident.High }, analyst, derrors.ErrInvalid, "attributed_to"},
		{"reply window too short", func(f *Finding) { f.ReplyWindow = time.Minute }, analyst, derrors.ErrInvalid, "reply_window"},
		{"negative public delay", func(f *Finding) { f.PublicDelay = -time.Hour }, analyst, derrors.ErrInvalid, "public_delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			_, _, err := New(in, tt.author, t0)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var fe *derrors.FieldError
			if tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Errorf("got %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	h := time.Hour
	reply := &Reply{Text: "We deny it.", Evidence: []string{hash}}
	content := &Content{Established: "One drone.", AttributedTo: "RU", Confidence: incident.Low}
	tests := []struct {
		name   string
		from   State
		action Action
		actor  Actor
		at     time.Duration // after t0
		want   State         // when allowed
		err    error         // when refused
	}{
		// Allowed.
		{"analyst revises draft", Draft, Action{Kind: Revise, Content: content}, analyst, h, Draft, nil},
		{"analyst sends", Draft, Action{Kind: Send}, analyst, h, Sent, nil},
		{"mediator sends", Draft, Action{Kind: Send}, mediator, h, Sent, nil},
		{"party concerned replies", Sent, Action{Kind: ReplyAction, Reply: reply}, ru, 2 * h, Replied, nil},
		{"party replies just before deadline", Sent, Action{Kind: ReplyAction, Reply: reply}, ru, 73*h - time.Second, Replied, nil},
		{"clock expires at deadline", Sent, Action{Kind: Expire}, clock, 73 * h, DeadlinePassed, nil},
		{"mediator extends", Sent, Action{Kind: Extend, Deadline: t0.Add(100 * h), Reason: "RU asked for time"}, mediator, 2 * h, Sent, nil},
		{"mediator reopens after deadline", DeadlinePassed, Action{Kind: Extend, Deadline: t0.Add(100 * h), Reason: "RU's reply was lost in transit"}, mediator, 80 * h, Sent, nil},
		{"analyst releases replied", Replied, Action{Kind: ReleaseObservers}, analyst, 3 * h, ReleasedObservers, nil},
		{"mediator releases unanswered", DeadlinePassed, Action{Kind: ReleaseObservers}, mediator, 74 * h, ReleasedObservers, nil},
		{"clock releases public when due", ReleasedObservers, Action{Kind: ReleasePublic}, clock, 98 * h, ReleasedPublic, nil},
		{"analyst releases public late", ReleasedObservers, Action{Kind: ReleasePublic}, analyst, 200 * h, ReleasedPublic, nil},
		{"withdraw draft", Draft, Action{Kind: Withdraw, Reason: "duplicate"}, analyst, h, Withdrawn, nil},
		{"withdraw sent", Sent, Action{Kind: Withdraw, Reason: "refuted"}, mediator, 2 * h, Withdrawn, nil},
		{"withdraw replied", Replied, Action{Kind: Withdraw, Reason: "the reply convinced us"}, analyst, 3 * h, Withdrawn, nil},
		{"withdraw unanswered", DeadlinePassed, Action{Kind: Withdraw, Reason: "refuted"}, analyst, 74 * h, Withdrawn, nil},
		{"withdraw released", ReleasedObservers, Action{Kind: Withdraw, Reason: "new evidence"}, mediator, 75 * h, Withdrawn, nil},

		// Refused: role.
		{"party sends", Draft, Action{Kind: Send}, ru, h, "", derrors.ErrNotFound},
		{"analyst replies", Sent, Action{Kind: ReplyAction, Reply: reply}, analyst, 2 * h, "", derrors.ErrForbidden},
		{"mediator replies", Sent, Action{Kind: ReplyAction, Reply: reply}, mediator, 2 * h, "", derrors.ErrForbidden},
		{"analyst expires", Sent, Action{Kind: Expire}, analyst, 80 * h, "", derrors.ErrForbidden},
		{"analyst extends", Sent, Action{Kind: Extend, Deadline: t0.Add(100 * h), Reason: "x"}, analyst, 2 * h, "", derrors.ErrForbidden},
		{"party releases", Replied, Action{Kind: ReleaseObservers}, ru, 3 * h, "", derrors.ErrForbidden},
		{"clock releases to observers", DeadlinePassed, Action{Kind: ReleaseObservers}, clock, 74 * h, "", derrors.ErrForbidden},
		{"observer releases public", ReleasedObservers, Action{Kind: ReleasePublic}, observer, 98 * h, "", derrors.ErrForbidden},
		{"party withdraws", Replied, Action{Kind: Withdraw, Reason: "x"}, ru, 3 * h, "", derrors.ErrForbidden},
		{"clock withdraws", Sent, Action{Kind: Withdraw, Reason: "x"}, clock, 3 * h, "", derrors.ErrForbidden},
		// Refused: wrong party (it may not know the finding exists).
		{"other party replies", Sent, Action{Kind: ReplyAction, Reply: reply}, ua, 2 * h, "", derrors.ErrNotFound},
		{"observer acts before release", Replied, Action{Kind: ReleaseObservers}, observer, 3 * h, "", derrors.ErrNotFound},
		{"public acts", ReleasedObservers, Action{Kind: ReleasePublic}, public, 98 * h, "", derrors.ErrNotFound},
		{"other party replies after release", ReleasedObservers, Action{Kind: ReplyAction, Reply: reply}, ua, 75 * h, "", derrors.ErrForbidden},
		// Refused: state.
		{"send twice", Sent, Action{Kind: Send}, analyst, 2 * h, "", derrors.ErrConflict},
		{"revise after sending", Sent, Action{Kind: Revise, Content: content}, analyst, 2 * h, "", derrors.ErrConflict},
		{"reply twice", Replied, Action{Kind: ReplyAction, Reply: reply}, ru, 3 * h, "", derrors.ErrConflict},
		{"release a draft", Draft, Action{Kind: ReleaseObservers}, analyst, h, "", derrors.ErrConflict},
		{"release before reply or deadline", Sent, Action{Kind: ReleaseObservers}, analyst, 2 * h, "", derrors.ErrConflict},
		{"public straight from replied", Replied, Action{Kind: ReleasePublic}, mediator, 300 * h, "", derrors.ErrConflict},
		{"extend a replied finding", Replied, Action{Kind: Extend, Deadline: t0.Add(100 * h), Reason: "x"}, mediator, 3 * h, "", derrors.ErrConflict},
		{"withdraw a public finding", ReleasedPublic, Action{Kind: Withdraw, Reason: "x"}, mediator, 99 * h, "", derrors.ErrConflict},
		{"act on a withdrawn finding", Withdrawn, Action{Kind: Send}, analyst, 3 * h, "", derrors.ErrConflict},
		// Refused: time.
		{"reply at the deadline", Sent, Action{Kind: ReplyAction, Reply: reply}, ru, 73 * h, "", derrors.ErrConflict},
		{"reply after the deadline", Sent, Action{Kind: ReplyAction, Reply: reply}, ru, 90 * h, "", derrors.ErrConflict},
		{"expire before the deadline", Sent, Action{Kind: Expire}, clock, 73*h - time.Second, "", derrors.ErrConflict},
		{"public release too early", ReleasedObservers, Action{Kind: ReleasePublic}, clock, 98*h - time.Second, "", derrors.ErrConflict},
		{"extend to an earlier deadline", Sent, Action{Kind: Extend, Deadline: t0.Add(50 * h), Reason: "x"}, mediator, 2 * h, "", derrors.ErrConflict},
		{"extend to the past", DeadlinePassed, Action{Kind: Extend, Deadline: t0.Add(75 * h), Reason: "x"}, mediator, 80 * h, "", derrors.ErrConflict},
		{"extend beyond 30 days", Sent, Action{Kind: Extend, Deadline: t0.Add(40 * 24 * h), Reason: "x"}, mediator, 2 * h, "", derrors.ErrConflict},
		// Refused: input.
		{"withdraw without reason", Sent, Action{Kind: Withdraw}, analyst, 2 * h, "", derrors.ErrInvalid},
		{"extend without reason", Sent, Action{Kind: Extend, Deadline: t0.Add(100 * h)}, mediator, 2 * h, "", derrors.ErrInvalid},
		{"empty reply", Sent, Action{Kind: ReplyAction, Reply: &Reply{}}, ru, 2 * h, "", derrors.ErrInvalid},
		{"reply without body", Sent, Action{Kind: ReplyAction}, ru, 2 * h, "", derrors.ErrInvalid},
		{"reply with bad hash", Sent, Action{Kind: ReplyAction, Reply: &Reply{Text: "no", Evidence: []string{"abc"}}}, ru, 2 * h, "", derrors.ErrInvalid},
		{"revise to nothing", Draft, Action{Kind: Revise, Content: &Content{}}, analyst, h, "", derrors.ErrInvalid},
		{"unknown action", Draft, Action{Kind: "publish"}, analyst, h, "", derrors.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := inState(t, tt.from)
			got, ev, err := Transition(f, tt.action, tt.actor, t0.Add(tt.at))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
				if got.State != f.State {
					t.Errorf("refused, yet state moved from %s to %s", f.State, got.State)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if got.State != tt.want {
				t.Errorf("got state %s, want %s", got.State, tt.want)
			}
			if ev.From != tt.from || ev.To != tt.want || ev.Action != tt.action.Kind || ev.Actor != tt.actor || ev.Reason == "" || !ev.At.Equal(t0.Add(tt.at)) {
				t.Errorf("got event %+v", ev)
			}
		})
	}
}

func TestTransitionRecords(t *testing.T) {
	f := inState(t, Sent)
	if got, want := f.Deadline, t0.Add(73*time.Hour); !got.Equal(want) {
		t.Errorf("deadline: got %s, want %s", got, want)
	}
	r := inState(t, Replied)
	if r.Reply == nil || r.Reply.By != "12" || !r.Reply.At.Equal(t0.Add(2*time.Hour)) || r.Reply.Evidence[0] != hash {
		t.Errorf("reply: got %+v", r.Reply)
	}
	o := inState(t, ReleasedObservers)
	if got, want := o.PublicDue(), t0.Add(98*time.Hour); !got.Equal(want) {
		t.Errorf("public due: got %s, want %s", got, want)
	}
	w, _, err := Transition(o, Action{Kind: Withdraw, Reason: "new evidence"}, mediator, t0.Add(80*time.Hour))
	if err != nil || w.WithdrawnFrom != ReleasedObservers || w.ObserversAt.IsZero() {
		t.Errorf("withdrawn: got %+v, %v", w, err)
	}
}

func TestVisible(t *testing.T) {
	viewers := []struct {
		name string
		v    Actor
	}{
		{"analyst", analyst}, {"mediator", mediator}, {"party concerned", ru}, {"other party", ua},
		{"observer", observer}, {"public", public}, {"monitor", monitor}, {"party without code", Actor{Role: Party}},
	}
	// want[state] lists, in viewers' order, who sees a finding about RU.
	want := map[State][]bool{
		Draft:             {true, true, false, false, false, false, false, false},
		Sent:              {true, true, true, false, false, false, false, false},
		Replied:           {true, true, true, false, false, false, false, false},
		DeadlinePassed:    {true, true, true, false, false, false, false, false},
		ReleasedObservers: {true, true, true, true, true, false, false, false},
		ReleasedPublic:    {true, true, true, true, true, true, true, true},
		Withdrawn:         {true, true, true, false, false, false, false, false}, // withdrawn after sending
	}
	for _, s := range States() {
		f := inState(t, s)
		for i, v := range viewers {
			if got := Visible(f, v.v); got != want[s][i] {
				t.Errorf("%s sees a %s finding: got %v, want %v", v.name, s, got, want[s][i])
			}
		}
	}
	d, _, err := Transition(inState(t, Draft), Action{Kind: Withdraw, Reason: "duplicate"}, analyst, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if Visible(d, ru) {
		t.Errorf("party concerned sees a draft withdrawn before sending: got true, want false")
	}
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		state State
		actor Actor
		want  string
	}{
		{Draft, analyst, "revise send withdraw"},
		{Sent, ru, "reply"},
		{Sent, ua, ""},
		{Sent, mediator, "extend withdraw"},
		{Sent, clock, "expire"},
		{DeadlinePassed, mediator, "extend release_observers withdraw"},
		{ReleasedObservers, clock, "release_public"},
		{ReleasedPublic, mediator, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range Allowed(inState(t, tt.state), tt.actor) {
			got = append(got, string(a))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%s, %s %s: got %q, want %q", tt.state, tt.actor.Role, tt.actor.Party, g, tt.want)
		}
	}
}
