package auth

import "slices"

// Audience is who may learn that something happened or see it: the roles
// that see it, the parties whose liaison officers see it, and whether
// everyone does (the public, without a token, and so every role).
// Notifications carry an Audience, so that the event stream and webhooks
// tell each user only what that user may read.
type Audience struct {
	Roles   []Role   `json:"roles,omitempty"`
	Parties []string `json:"parties,omitempty"`
	Public  bool     `json:"public,omitempty"`
}

// InAudience reports whether u is in a. A nil u (no token) is in a public
// audience only.
func InAudience(u *User, a Audience) bool {
	if a.Public {
		return true
	}
	if u == nil {
		return false
	}
	if u.Role == Party && slices.Contains(a.Parties, u.Org) {
		return true
	}
	return slices.Contains(a.Roles, u.Role)
}
