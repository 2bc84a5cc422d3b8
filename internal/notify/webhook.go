package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
)

// The event types truce publishes. Receivers should ignore types they do
// not know: more may be added.
const (
	// IncidentCreated: fusion made a new incident (Subject: its id).
	IncidentCreated = "incident.created"
	// IncidentsCreated stands for many new incidents at once (Count of
	// them, no Subject): the receiver lists incidents through the API.
	IncidentsCreated = "incidents.created"
	// The parties' loop, one per transition (Subject: the finding's id).
	FindingCreated           = "finding.created"
	FindingRevised           = "finding.revised"
	FindingSent              = "finding.sent"
	FindingReplied           = "finding.replied"
	FindingDeadlinePassed    = "finding.deadline_passed"
	FindingExtended          = "finding.extended"
	FindingReleasedObservers = "finding.released_observers"
	FindingReleasedPublic    = "finding.released_public"
	FindingWithdrawn         = "finding.withdrawn"
)

const (
	maxWebhookTypes           = 32
	maxWebhookURL             = 2048
	webhookSecretPrefix       = "whsec_"
	webhookSignatureAlgorithm = "sha256="
)

// Types returns the event types a webhook may subscribe to.
func Types() []string {
	return []string{IncidentCreated, IncidentsCreated, FindingCreated, FindingRevised, FindingSent, FindingReplied,
		FindingDeadlinePassed, FindingExtended, FindingReleasedObservers, FindingReleasedPublic, FindingWithdrawn}
}

// Webhook is a user's registration: events in the owner's audience, of
// the given types (all types if none), are POSTed to URL, signed with
// Secret.
type Webhook struct {
	ID      string    `json:"id"`
	OwnerID int64     `json:"-"`
	URL     string    `json:"url"`
	Types   []string  `json:"types"`
	Created time.Time `json:"created_at"`
	// Secret is the HMAC-SHA256 key, shown once, when the webhook is
	// created. It is a signing key, so it is stored as it is.
	Secret string `json:"-"`
}

// Wants reports whether the webhook subscribes to events of type typ.
func (w *Webhook) Wants(typ string) bool {
	return len(w.Types) == 0 || slices.Contains(w.Types, typ)
}

// ValidateWebhook checks a registration's url and types and returns them
// cleaned up (types sorted, without repeats). Errors name the field.
func ValidateWebhook(rawURL string, types []string) (string, []string, error) {
	if rawURL == "" {
		return "", nil, derrors.Invalid("url", "is required")
	}
	if len(rawURL) > maxWebhookURL {
		return "", nil, derrors.Invalid("url", "must be at most %d characters", maxWebhookURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, derrors.Invalid("url", "is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", nil, derrors.Invalid("url", "must be an http or https URL")
	case u.Host == "" || u.Hostname() == "":
		return "", nil, derrors.Invalid("url", "must name a host")
	case u.User != nil:
		return "", nil, derrors.Invalid("url", "must not hold a user name or password")
	case u.Fragment != "" || strings.Contains(rawURL, "#"):
		return "", nil, derrors.Invalid("url", "must not have a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", nil, derrors.Invalid("url", "has a bad port")
		}
	}
	if len(types) > maxWebhookTypes {
		return "", nil, derrors.Invalid("types", "at most %d types", maxWebhookTypes)
	}
	known := Types()
	out := make([]string, 0, len(types))
	for i, t := range types {
		if !slices.Contains(known, t) {
			return "", nil, derrors.Invalid(fmt.Sprintf("types[%d]", i), "unknown event type; known types are %s", strings.Join(known, ", "))
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return u.String(), slices.Compact(out), nil
}

// NewSecret returns a fresh random webhook signing secret.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("notify: new secret: %w", err)
	}
	return webhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Signature returns the Truce-Signature header value for a body sent at
// timestamp (Unix seconds, as in the Truce-Timestamp header):
// "sha256=" and the hex HMAC-SHA256, keyed with the secret's bytes as
// given, of timestamp + "." + body.
func Signature(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return webhookSignatureAlgorithm + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is what VerifySignature returns for a signature that does
// not match, a timestamp outside the tolerance, or malformed headers.
var ErrBadSignature = fmt.Errorf("notify: bad webhook signature")

// VerifySignature checks a delivery as a receiver should: the timestamp
// header is within tolerance of now, and the signature header matches the
// body, compared in constant time. It is the recipe docs/notifications.md
// gives receivers, in Go.
func VerifySignature(secret, timestampHeader, signatureHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestampHeader, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrBadSignature, timestampHeader)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %d is %v away from now", ErrBadSignature, ts, d)
	}
	want := Signature(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(signatureHeader)) {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	return nil
}

// State is where a delivery stands.
type State string

// The delivery states.
const (
	Pending   State = "pending"   // waiting for its first or next attempt
	Delivered State = "delivered" // a receiver answered 2xx
	Failed    State = "failed"    // gave up: attempts exhausted, or the owner may no longer receive it
)

// Delivery is one event to send to one webhook, with its attempts so far.
type Delivery struct {
	Seq       int64         `json:"-"`
	WebhookID string        `json:"-"`
	Event     Event         `json:"event"`
	Audience  auth.Audience `json:"-"`
	State     State         `json:"state"`
	Created   time.Time     `json:"created_at"`
	// NextAttempt is when the next attempt is due (pending deliveries).
	NextAttempt *time.Time `json:"next_attempt_at,omitempty"`
	Attempts    []Attempt  `json:"attempts"`
	// Tries is how many attempts were made (set by ClaimDue, which does
	// not read Attempts).
	Tries int `json:"-"`
	// Error says why a delivery failed without an attempt (failed).
	Error string `json:"error,omitempty"`

	// Of the webhook, for sending: set by the store's ClaimDue.
	URL     string `json:"-"`
	Secret  string `json:"-"`
	OwnerID int64  `json:"-"`
}

// Attempt is one try at a delivery: the delivery log's entry.
type Attempt struct {
	N  int       `json:"attempt"`
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status; 0 if there was none.
	StatusCode int           `json:"status_code,omitempty"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"-"`
	DurationMS float64       `json:"duration_ms"`
	// NextAttempt is when the delivery is tried again; nil if it is not.
	NextAttempt *time.Time `json:"next_attempt_at,omitempty"`
}
