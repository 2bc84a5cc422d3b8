package auth_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/observation"
)

func TestTokens(t *testing.T) {
	a, ha, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := auth.NewToken()
	if a == b || ha == hb {
		t.Fatal("two tokens are equal")
	}
	if !strings.HasPrefix(a, "truce_") || len(a) != len("truce_")+43 {
		t.Errorf("token %q: want truce_ and 43 base64url characters (256 bits)", a)
	}
	if auth.HashToken(a) != ha {
		t.Error("HashToken does not reproduce the stored hash")
	}
}

// TestPolicyMatrix is the unit-level matrix of the policy: who may submit
// and which observations each role reads.
func TestPolicyMatrix(t *testing.T) {
	missionRec := &observation.Record{Organization: "Mission"}
	uaRec := &observation.Record{Organization: "UA", Party: "UA"}
	tests := []struct {
		user          *auth.User
		submit        error
		scope         error
		seesMission   bool
		seesUA        bool
		forcedToParty bool
	}{
		{nil, derrors.ErrUnauthenticated, derrors.ErrUnauthenticated, false, false, false},
		{&auth.User{Role: auth.Monitor, Org: "Mission"}, nil, nil, true, false, false},
		{&auth.User{Role: auth.Monitor, Org: "UA"}, nil, nil, false, false, false},
		{&auth.User{Role: auth.Analyst, Org: "Mission"}, nil, nil, true, true, false},
		{&auth.User{Role: auth.Mediator, Org: "M"}, derrors.ErrForbidden, nil, true, true, false},
		{&auth.User{Role: auth.Party, Org: "UA"}, nil, nil, false, true, true},
		{&auth.User{Role: auth.Party, Org: "RU"}, nil, nil, false, false, true},
		{&auth.User{Role: auth.Observer, Org: "S"}, derrors.ErrForbidden, derrors.ErrForbidden, false, false, false},
		{&auth.User{Role: auth.Witness, Org: "W"}, derrors.ErrForbidden, derrors.ErrForbidden, false, false, false},
		{&auth.User{Role: auth.Caseworker, Org: "C"}, derrors.ErrForbidden, derrors.ErrForbidden, false, false, false},
		{&auth.User{Role: auth.Admin, Org: "O"}, derrors.ErrForbidden, derrors.ErrForbidden, false, false, false},
	}
	for _, tt := range tests {
		name := "public"
		if tt.user != nil {
			name = string(tt.user.Role) + " " + tt.user.Org
		}
		t.Run(name, func(t *testing.T) {
			if err := auth.SubmitObservations(tt.user); !errors.Is(err, tt.submit) || (err == nil) != (tt.submit == nil) {
				t.Errorf("submit: got %v, want %v", err, tt.submit)
			}
			scope, err := auth.ObservationScope(tt.user)
			if !errors.Is(err, tt.scope) || (err == nil) != (tt.scope == nil) {
				t.Errorf("scope: got %v, want %v", err, tt.scope)
			}
			if got := scope.Allows(missionRec); got != tt.seesMission {
				t.Errorf("sees the Mission's record: %v, want %v", got, tt.seesMission)
			}
			if got := scope.Allows(uaRec); got != tt.seesUA {
				t.Errorf("sees UA's allegation: %v, want %v", got, tt.seesUA)
			}
			if tt.submit == nil {
				r := auth.PrepareSubmission(tt.user, observation.Observation{Source: observation.Acoustic})
				if got := r.Source == observation.Party; got != tt.forcedToParty {
					t.Errorf("source forced to party: %v, want %v", got, tt.forcedToParty)
				}
				if r.Organization != tt.user.Org {
					t.Errorf("organisation %q, want the token's %q", r.Organization, tt.user.Org)
				}
			}
		})
	}
}

func TestValidateUser(t *testing.T) {
	tests := []struct {
		u     auth.User
		field string
	}{
		{auth.User{Name: "A", Role: "general", Org: "X"}, "role"},
		{auth.User{Name: "A", Role: auth.Party, Org: "Ukraine"}, "org"},
		{auth.User{Name: "A", Role: auth.Monitor, Org: ""}, "org"},
		{auth.User{Name: " ", Role: auth.Monitor, Org: "X"}, "name"},
		{auth.User{Name: "A", Role: auth.Monitor, Org: "X", PublicKey: []byte{1, 2}}, "pubkey"},
		{auth.User{Name: "A", Role: auth.Party, Org: "UA"}, ""},
	}
	for _, tt := range tests {
		err := tt.u.Validate()
		var fe *derrors.FieldError
		if tt.field == "" && err != nil || tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
			t.Errorf("%+v: got %v, want field %q", tt.u, err, tt.field)
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKIXPublicKey(pub)
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"base64", base64.StdEncoding.EncodeToString(pub) + "\n", true},
		{"PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), true},
		{"short", base64.StdEncoding.EncodeToString(pub[:16]), false},
		{"garbage", "not a key", false},
		{"wrong PEM type", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), false},
	}
	for _, tt := range tests {
		got, err := auth.ParsePublicKey([]byte(tt.text))
		if tt.ok && (err != nil || !got.Equal(pub)) || !tt.ok && err == nil {
			t.Errorf("%s: got %v, %v", tt.name, got, err)
		}
	}
}
