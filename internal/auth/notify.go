package auth

import "truce/internal/derrors"

// Notifications (docs/notifications.md). Events reach a user only when the
// user is in the event's audience (InAudience); these functions decide who
// may register webhooks and manage them, and the audience of the events
// fusion publishes.

// RegisterWebhooks reports whether u may register webhooks: every
// signed-in user, whatever the role, because a webhook only ever receives
// the events its owner could read through the API anyway (every role sees
// at least the public events). The public, without a token, may not: a
// webhook needs an owner whose audience is checked at each delivery.
func RegisterWebhooks(u *User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	return nil
}

// ManageWebhook reports whether u may read, delete or read the delivery
// log of a webhook owned by ownerID: its owner only. Anyone else is told
// it does not exist (derrors.ErrNotFound), so webhook ids reveal nothing.
func ManageWebhook(u *User, ownerID int64) error {
	if err := RegisterWebhooks(u); err != nil {
		return err
	}
	if u.ID != ownerID {
		return derrors.ErrNotFound
	}
	return nil
}

// IncidentsAudience is who learns that fusion made new incidents: the
// mission's analysts and the mediator, who see every incident as fusion
// made it. Parties, observers and the public learn of an incident through
// the findings released on it.
func IncidentsAudience() Audience {
	return Audience{Roles: []Role{Analyst, Mediator}}
}
