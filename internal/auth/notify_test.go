package auth_test

import (
	"errors"
	"testing"

	"truce/internal/auth"
	"truce/internal/derrors"
)

// TestNotifyPolicy is the notifications' part of the policy as a matrix:
// every role and the public, for registering webhooks, managing one's own
// and another's, and receiving incident events.
func TestNotifyPolicy(t *testing.T) {
	type row struct {
		register, manageOwn, manageOther error
		incidents                        bool
	}
	want := map[string]row{
		"public":   {derrors.ErrUnauthenticated, derrors.ErrUnauthenticated, derrors.ErrUnauthenticated, false},
		"analyst":  {nil, nil, derrors.ErrNotFound, true},
		"mediator": {nil, nil, derrors.ErrNotFound, true},
	}
	for _, r := range auth.Roles() {
		if _, ok := want[string(r)]; !ok {
			want[string(r)] = row{nil, nil, derrors.ErrNotFound, false}
		}
	}
	users := map[string]*auth.User{"public": nil}
	for i, r := range auth.Roles() {
		users[string(r)] = &auth.User{ID: int64(i + 1), Role: r, Org: "UA"}
	}
	for who, w := range want {
		u := users[who]
		var own int64
		if u != nil {
			own = u.ID
		}
		check := func(what string, got, want error) {
			if (want == nil) != (got == nil) || want != nil && !errors.Is(got, want) {
				t.Errorf("%s: %s: got %v, want %v", who, what, got, want)
			}
		}
		check("RegisterWebhooks", auth.RegisterWebhooks(u), w.register)
		check("ManageWebhook own", auth.ManageWebhook(u, own), w.manageOwn)
		check("ManageWebhook other's", auth.ManageWebhook(u, 999), w.manageOther)
		if got := auth.InAudience(u, auth.IncidentsAudience()); got != w.incidents {
			t.Errorf("%s: in the incidents' audience: %v, want %v", who, got, w.incidents)
		}
	}
}
