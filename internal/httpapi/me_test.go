package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"truce/internal/auth"
)

// TestMe checks GET /api/v1/me for every role, the public and a bad token,
// in the access matrix's style: each role learns its own name, role and
// organisation and nothing else.
func TestMe(t *testing.T) {
	s := newServer(t, 0)
	type who struct {
		role auth.Role
		org  string
	}
	type meCase struct {
		name  string
		token string
		want  int
		who   who
	}
	cases := []meCase{
		{"public", "", 401, who{}},
		{"bad token", "truce_not-a-real-token", 401, who{}},
		{"malformed token", strings.Repeat("x", 201), 401, who{}},
	}
	for _, r := range auth.Roles() {
		org := "Org"
		if r == auth.Party {
			org = "UA"
		}
		cases = append(cases, meCase{string(r), s.user(r, org, nil), 200, who{r, org}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := s.do("GET", "/api/v1/me", c.token, "", nil)
			if st != c.want {
				t.Fatalf("status: got %d, want %d (%s)", st, c.want, body)
			}
			if st != 200 {
				return
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"name": string(c.who.role) + " " + c.who.org, "role": string(c.who.role), "org": c.who.org}
			if len(got) != len(want) {
				t.Errorf("keys: got %v, want exactly %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: got %v, want %v", k, got[k], v)
				}
			}
			if strings.Contains(string(body), "truce_") {
				t.Errorf("the answer holds a token: %s", body)
			}
		})
	}
}
