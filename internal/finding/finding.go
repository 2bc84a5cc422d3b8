package finding

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"truce/internal/derrors"
	"truce/internal/incident"
)

// Defaults and limits.
const (
	DefaultReplyWindow = 72 * time.Hour // from sending to the reply deadline
	DefaultPublicDelay = 24 * time.Hour // from release to observers to public release
	MaxWindow          = 30 * 24 * time.Hour
	MaxText            = 20000 // characters of what is established, a reply, a reason
	MaxEvidence        = 50    // evidence hashes in a reply
)

// State is where a finding stands in the parties' loop.
type State string

// The states.
const (
	Draft             State = "draft"
	Sent              State = "sent"
	Replied           State = "replied"
	DeadlinePassed    State = "deadline_passed"
	ReleasedObservers State = "released_observers"
	ReleasedPublic    State = "released_public"
	Withdrawn         State = "withdrawn"
)

// States returns every state in loop order.
func States() []State {
	return []State{Draft, Sent, Replied, DeadlinePassed, ReleasedObservers, ReleasedPublic, Withdrawn}
}

// Role is who acts on or looks at a finding. The values are auth's role
// names, plus System (the clock) and Public (no token).
type Role string

// The roles.
const (
	Analyst  Role = "analyst"
	Mediator Role = "mediator"
	Party    Role = "party"
	Observer Role = "observer"
	System   Role = "system"
	Public   Role = ""
)

// Actor is who makes a transition or views a finding: a role, the party's
// code for the party role, and an id for the record (a user id, or "clock").
type Actor struct {
	Role  Role
	Party string
	ID    string
}

// Content is what an analyst establishes about an incident.
type Content struct {
	// Established is what the mission established, in prose.
	Established string `json:"established"`
	// AttributedTo is the party the finding attributes the incident to, or
	// empty when attribution is not established.
	AttributedTo string              `json:"attributed_to,omitempty"`
	Confidence   incident.Confidence `json:"confidence,omitempty"`
}

// Reply is the party's answer to a finding.
type Reply struct {
	Text string `json:"text"`
	// Evidence holds SHA-256 hashes (lower-case hex) of the party's evidence,
	// which truce does not hold.
	Evidence []string  `json:"evidence,omitempty"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

// Finding is an analyst's finding on an incident, concerning one party.
type Finding struct {
	ID       string `json:"id"`
	Incident string `json:"incident"`
	// Party is the party the finding concerns: it receives the finding
	// privately and may reply.
	Party string `json:"party"`
	Content
	State  State  `json:"state"`
	Author string `json:"author"`
	// ReplyWindow and PublicDelay are fixed when the finding is created.
	ReplyWindow time.Duration `json:"reply_window"`
	PublicDelay time.Duration `json:"public_delay"`
	CreatedAt   time.Time     `json:"created_at"`
	// SentAt, ObserversAt and PublicAt are when the finding reached the
	// party, the observers and the public; zero until then. They stay set
	// after a withdrawal.
	SentAt      time.Time `json:"sent_at,omitzero"`
	Deadline    time.Time `json:"deadline,omitzero"`
	Reply       *Reply    `json:"reply,omitempty"`
	ObserversAt time.Time `json:"observers_at,omitzero"`
	PublicAt    time.Time `json:"public_at,omitzero"`
	// WithdrawnFrom is the state the finding was withdrawn from, if it was.
	WithdrawnFrom State `json:"withdrawn_from,omitempty"`
}

// PublicDue returns when the finding may be released to the public: its
// release to observers plus PublicDelay; zero before that release.
func (f *Finding) PublicDue() time.Time {
	if f.ObserversAt.IsZero() {
		return time.Time{}
	}
	return f.ObserversAt.Add(f.PublicDelay)
}

var (
	partyRE = regexp.MustCompile(`^[A-Z]{2}$`)
	hashRE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// New returns f as a new draft written by author at now, with its
// windows defaulted (ReplyWindow 72 h, PublicDelay 24 h when zero), and
// the event that records its creation. The caller sets ID, Incident,
// Party, Content and, optionally, the windows.
//
// Errors: a *TransitionError wrapping derrors.ErrForbidden when author is
// not an analyst or the mediator; a *derrors.FieldError for invalid fields.
func New(f Finding, author Actor, now time.Time) (Finding, Event, error) {
	if author.Role != Analyst && author.Role != Mediator {
		return Finding{}, Event{}, &TransitionError{Action: Create, Err: derrors.ErrForbidden, Message: "only an analyst or the mediator writes findings"}
	}
	if f.ID == "" {
		return Finding{}, Event{}, derrors.Invalid("id", "is required")
	}
	if f.Incident == "" {
		return Finding{}, Event{}, derrors.Invalid("incident", "is required")
	}
	if !partyRE.MatchString(f.Party) {
		return Finding{}, Event{}, derrors.Invalid("party", "must be the two-letter code of the party the finding concerns")
	}
	if err := f.Content.validate(); err != nil {
		return Finding{}, Event{}, err
	}
	if f.ReplyWindow == 0 {
		f.ReplyWindow = DefaultReplyWindow
	}
	if f.PublicDelay == 0 {
		f.PublicDelay = DefaultPublicDelay
	}
	if f.ReplyWindow < time.Hour || f.ReplyWindow > MaxWindow {
		return Finding{}, Event{}, derrors.Invalid("reply_window", "must be between 1 h and %s", MaxWindow)
	}
	if f.PublicDelay < 0 || f.PublicDelay > MaxWindow {
		return Finding{}, Event{}, derrors.Invalid("public_delay", "must be between 0 and %s", MaxWindow)
	}
	f.State, f.Author, f.CreatedAt = Draft, author.ID, now
	f.SentAt, f.Deadline, f.ObserversAt, f.PublicAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	f.Reply, f.WithdrawnFrom = nil, ""
	return f, Event{Finding: f.ID, Action: Create, To: Draft, Actor: author, Reason: "finding written", At: now}, nil
}

func (c *Content) validate() error {
	if n := utf8.RuneCountInString(c.Established); n == 0 || n > MaxText {
		return derrors.Invalid("established", "must be 1 to %d characters", MaxText)
	}
	if c.AttributedTo == "" {
		if c.Confidence != "" {
			return derrors.Invalid("confidence", "is given only with an attribution")
		}
		return nil
	}
	if !partyRE.MatchString(c.AttributedTo) {
		return derrors.Invalid("attributed_to", "must be a party's two-letter code")
	}
	if !incident.ValidConfidence(c.Confidence) {
		return derrors.Invalid("confidence", "must be low, medium or high")
	}
	return nil
}

func (r *Reply) validate() error {
	if n := utf8.RuneCountInString(r.Text); n == 0 || n > MaxText {
		return derrors.Invalid("text", "must be 1 to %d characters", MaxText)
	}
	if len(r.Evidence) > MaxEvidence {
		return derrors.Invalid("evidence", "at most %d hashes", MaxEvidence)
	}
	for i, h := range r.Evidence {
		if !hashRE.MatchString(h) {
			return derrors.Invalid(fmt.Sprintf("evidence[%d]", i), "must be a SHA-256 hash in lower-case hex")
		}
		if slices.Contains(r.Evidence[:i], h) {
			return derrors.Invalid(fmt.Sprintf("evidence[%d]", i), "duplicate hash")
		}
	}
	return nil
}

// TransitionError is a transition the state machine refuses. It wraps
// derrors.ErrForbidden (wrong role), derrors.ErrNotFound (a party acting on
// a finding it may not see) or derrors.ErrConflict (wrong state, too early,
// too late).
type TransitionError struct {
	Action  ActionKind
	From    State
	Message string
	Err     error
}

func (e *TransitionError) Error() string {
	if e.From == "" {
		return fmt.Sprintf("finding: %s: %s", e.Action, e.Message)
	}
	return fmt.Sprintf("finding: %s from %s: %s", e.Action, e.From, e.Message)
}

// Unwrap returns the sentinel.
func (e *TransitionError) Unwrap() error { return e.Err }
