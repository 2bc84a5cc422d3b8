package httpapi

import (
	"net/http"

	"truce/internal/auth"
	"truce/internal/derrors"
)

// meAnswer is who a token belongs to: never the token or its hash.
type meAnswer struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Org  string `json:"org"`
}

// me answers who the caller's token belongs to: {"name", "role", "org"}.
// Any valid token may ask; without one it answers 401, as it does for a
// token that is malformed or unknown (authenticate). The web pages use it
// to check a token at sign-in and to show who is signed in.
func (h *Handler) me(w http.ResponseWriter, _ *http.Request, u *auth.User) error {
	if u == nil {
		return derrors.ErrUnauthenticated
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, meAnswer{Name: u.Name, Role: string(u.Role), Org: u.Org})
	return nil
}
