package finding

import (
	"slices"
	"time"
	"unicode/utf8"

	"truce/internal/derrors"
)

// ActionKind names a move of the state machine.
type ActionKind string

// The actions. Create is New's; the others are Transition's.
const (
	Create           ActionKind = "create"
	Revise           ActionKind = "revise"
	Send             ActionKind = "send"
	ReplyAction      ActionKind = "reply"
	Expire           ActionKind = "expire"
	Extend           ActionKind = "extend"
	ReleaseObservers ActionKind = "release_observers"
	ReleasePublic    ActionKind = "release_public"
	Withdraw         ActionKind = "withdraw"
)

// Action is a requested move with what it carries.
type Action struct {
	Kind ActionKind
	// Reason says why. Required for Extend and Withdraw; the other actions
	// get a standard reason when it is empty.
	Reason string
	// Content is the revised content (Revise).
	Content *Content
	// Reply is the party's reply (ReplyAction); At and By are set by
	// Transition.
	Reply *Reply
	// Deadline is the new reply deadline (Extend).
	Deadline time.Time
}

// Event records one transition, for the ledger and the notifications.
type Event struct {
	Finding string     `json:"finding"`
	Action  ActionKind `json:"action"`
	From    State      `json:"from,omitempty"`
	To      State      `json:"to"`
	Actor   Actor      `json:"actor"`
	Reason  string     `json:"reason"`
	At      time.Time  `json:"at"`
}

// rule is one action of the state machine: the states it leaves from, the
// state it goes to (empty: stays), who may make it, and its standard reason.
type rule struct {
	from   []State
	to     State
	roles  []Role
	reason string // "" when the caller must give one
}

var rules = map[ActionKind]rule{
	Revise:           {[]State{Draft}, Draft, []Role{Analyst, Mediator}, "draft revised"},
	Send:             {[]State{Draft}, Sent, []Role{Analyst, Mediator}, "sent to the party concerned for reply"},
	ReplyAction:      {[]State{Sent}, Replied, []Role{Party}, "the party replied"},
	Expire:           {[]State{Sent}, DeadlinePassed, []Role{System}, "the reply deadline passed without a reply"},
	Extend:           {[]State{Sent, DeadlinePassed}, Sent, []Role{Mediator}, ""},
	ReleaseObservers: {[]State{Replied, DeadlinePassed}, ReleasedObservers, []Role{Analyst, Mediator}, "released to the parties and observers"},
	ReleasePublic:    {[]State{ReleasedObservers}, ReleasedPublic, []Role{System, Analyst, Mediator}, "released to the public"},
	Withdraw:         {[]State{Draft, Sent, Replied, DeadlinePassed, ReleasedObservers}, Withdrawn, []Role{Analyst, Mediator}, ""},
}

// Transition applies action by actor at now to f and returns the new
// finding and the event to record. It refuses, leaving f as it was:
//
//   - with derrors.ErrNotFound, an actor who may not see f (Visible), such
//     as a party acting on the other party's finding or on a draft;
//   - with derrors.ErrForbidden, a role that may not make the move (a party
//     releasing, an analyst replying, a person expiring a deadline);
//   - with derrors.ErrConflict, a move the state does not allow, a reply at
//     or after the deadline, an expiry before it, a public release before
//     PublicDue, a deadline extension that does not extend;
//   - with a *derrors.FieldError (derrors.ErrInvalid), a missing reason or
//     an invalid reply or content.
//
// The refusals other than the FieldError are *TransitionError.
func Transition(f Finding, action Action, actor Actor, now time.Time) (Finding, Event, error) {
	r, ok := rules[action.Kind]
	if !ok {
		return f, Event{}, derrors.Invalid("action", "unknown action %q", action.Kind)
	}
	refuse := func(err error, msg string) (Finding, Event, error) {
		return f, Event{}, &TransitionError{Action: action.Kind, From: f.State, Message: msg, Err: err}
	}
	if !Visible(f, actor) {
		return refuse(derrors.ErrNotFound, "no such finding")
	}
	if !slices.Contains(r.roles, actor.Role) {
		return refuse(derrors.ErrForbidden, "not allowed to the "+roleName(actor.Role))
	}
	if actor.Role == Party && actor.Party != f.Party {
		return refuse(derrors.ErrForbidden, "only the party concerned may reply")
	}
	if !slices.Contains(r.from, f.State) {
		return refuse(derrors.ErrConflict, "not allowed in this state")
	}
	reason := action.Reason
	if utf8.RuneCountInString(reason) > MaxText {
		return f, Event{}, derrors.Invalid("reason", "at most %d characters", MaxText)
	}
	if reason == "" {
		if r.reason == "" {
			return f, Event{}, derrors.Invalid("reason", "is required to %s", action.Kind)
		}
		reason = r.reason
	}
	next := f
	switch action.Kind {
	case Revise:
		if action.Content == nil {
			return f, Event{}, derrors.Invalid("content", "is required")
		}
		if err := action.Content.validate(); err != nil {
			return f, Event{}, err
		}
		next.Content = *action.Content
	case Send:
		next.SentAt, next.Deadline = now, now.Add(f.ReplyWindow)
	case ReplyAction:
		if !now.Before(f.Deadline) {
			return refuse(derrors.ErrConflict, "the reply deadline ("+f.Deadline.UTC().Format(time.RFC3339)+") has passed")
		}
		if action.Reply == nil {
			return f, Event{}, derrors.Invalid("text", "is required")
		}
		rep := *action.Reply
		rep.Evidence = slices.Clone(rep.Evidence)
		if err := rep.validate(); err != nil {
			return f, Event{}, err
		}
		rep.At, rep.By = now, actor.ID
		next.Reply = &rep
	case Expire:
		if now.Before(f.Deadline) {
			return refuse(derrors.ErrConflict, "the reply deadline ("+f.Deadline.UTC().Format(time.RFC3339)+") has not passed")
		}
	case Extend:
		d := action.Deadline
		if !d.After(now) || !d.After(f.Deadline) {
			return refuse(derrors.ErrConflict, "the new deadline must be after now and after the current deadline")
		}
		if d.After(now.Add(MaxWindow)) {
			return refuse(derrors.ErrConflict, "the new deadline may be at most "+MaxWindow.String()+" away")
		}
		next.Deadline = d
	case ReleaseObservers:
		next.ObserversAt = now
	case ReleasePublic:
		if due := f.PublicDue(); now.Before(due) {
			return refuse(derrors.ErrConflict, "too early: public release is due at "+due.UTC().Format(time.RFC3339))
		}
		next.PublicAt = now
	case Withdraw:
		next.WithdrawnFrom = f.State
	}
	next.State = r.to
	return next, Event{Finding: f.ID, Action: action.Kind, From: f.State, To: next.State, Actor: actor, Reason: reason, At: now}, nil
}

func roleName(r Role) string {
	if r == Public {
		return "public"
	}
	return string(r)
}

// Allowed returns the actions actor may attempt on f in its state, in a
// fixed order, for a user interface to offer. Timing (deadline, public
// delay) is not checked: Transition has the last word.
func Allowed(f Finding, actor Actor) []ActionKind {
	if !Visible(f, actor) {
		return nil
	}
	var out []ActionKind
	for _, k := range []ActionKind{Revise, Send, ReplyAction, Expire, Extend, ReleaseObservers, ReleasePublic, Withdraw} {
		r := rules[k]
		if slices.Contains(r.from, f.State) && slices.Contains(r.roles, actor.Role) && (actor.Role != Party || actor.Party == f.Party) {
			out = append(out, k)
		}
	}
	return out
}
