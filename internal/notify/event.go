// Package notify tells users what happened as soon as they may know it:
// a Server-Sent Events stream and webhooks, each filtered by the event's
// audience (auth.InAudience).
package notify

import (
	"time"

	"truce/internal/auth"
)

// Event is one thing that happened. Events are thin: they name what
// changed, never its content, so a receiver reads the content through the
// API with its own token and sees only what that token may see.
type Event struct {
	// ID is unique per event, so receivers can drop repeats (webhooks are
	// delivered at least once).
	ID string `json:"id"`
	// Type is what happened, e.g. "incident.created", "finding.sent",
	// "finding.released_observers", "finding.released_public".
	Type string `json:"type"`
	// Subject is the id of the incident, finding or other record.
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
	// Count is how many things happened, for an event that stands for
	// many (incidents.created); absent otherwise.
	Count int `json:"count,omitempty"`
	// Audience is who may receive the event. It is not sent.
	Audience auth.Audience `json:"-"`
}
