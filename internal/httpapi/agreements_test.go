package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"truce/internal/agreement"
	"truce/internal/auth"
)

// TestAgreementsJudgeIncidents adopts a partial truce (the air over a zone
// around Kyiv) and a sea truce, and checks that incidents carry the
// violation of the term they fall under, and only those.
func TestAgreementsJudgeIncidents(t *testing.T) {
	s, analyst := incidentWorld(t)
	mediator := s.user(auth.Mediator, "Mediator", nil)
	kyiv := `{"type":"Polygon","coordinates":[[[30.2,50.2],[30.9,50.2],[30.9,50.7],[30.2,50.7],[30.2,50.2]]]}`
	body := `{"title":"Air truce over Kyiv","parties":["UA","RU"],"terms":[
		{"id":"kyiv-air","domains":["air"],"from":"2025-05-31T00:00:00Z","to":"2025-07-01T00:00:00Z","zone":` + kyiv + `},
		{"id":"black-sea","domains":["sea"],"from":"2025-06-01T00:00:00Z","to":"2025-06-02T00:00:00Z"}]}`
	st, resp := s.do("POST", "/api/v1/agreements", mediator, "", []byte(body))
	if st != 201 {
		t.Fatalf("adopt: %d %s", st, resp)
	}
	var a agreement.Agreement
	json.Unmarshal(resp, &a)
	if a.ID == "" || a.Version != 1 {
		t.Fatalf("adopted %+v", a)
	}
	tests := []struct {
		obs  int
		term string
	}{
		{4, "kyiv-air"},  // a drone over Kyiv
		{5, "black-sea"}, // a naval strike
		{1, ""},          // shelling: no land term
		{3, ""},
	}
	for _, tt := range tests {
		inc := s.incidentOf(t, analyst, uuid(tt.obs))
		got := ""
		if inc.Violation != nil {
			got = inc.Violation.Term
			if inc.Violation.Agreement != a.ID {
				t.Errorf("observation %d: agreement %s, want %s", tt.obs, inc.Violation.Agreement, a.ID)
			}
		}
		if got != tt.term {
			t.Errorf("observation %d: violates %q, want %q", tt.obs, got, tt.term)
		}
	}

	// Exports judge incidents the same way.
	st, resp = s.do("GET", "/api/v1/export?format=jsonl", analyst, "", nil)
	if st != 200 || strings.Count(string(resp), `"term":"kyiv-air"`) != 1 || strings.Count(string(resp), `"term":"black-sea"`) != 1 {
		t.Errorf("export: %d, violations not as in the live view:\n%s", st, resp)
	}

	// An amendment ends the sea term early: the naval strike still
	// happened while it was in force, so it stays a violation.
	amended := strings.Replace(body, `"to":"2025-06-02T00:00:00Z"`, `"to":"2025-06-01T06:00:00Z"`, 1)
	if st, resp := s.do("POST", "/api/v1/agreements/"+a.ID+"/versions", mediator, "", []byte(amended)); st != 400 {
		// The server's clock is 2025-06-01T12:00: a begun term's end may
		// not move into the past.
		t.Errorf("amending a begun term's end into the past: %d %s", st, resp)
	}
	later := strings.Replace(body, `"to":"2025-06-02T00:00:00Z"`, `"to":"2025-06-03T00:00:00Z"`, 1)
	st, resp = s.do("POST", "/api/v1/agreements/"+a.ID+"/versions", mediator, "", []byte(later))
	if st != 201 || !strings.Contains(string(resp), `"version":2`) {
		t.Errorf("extending the sea term: %d %s", st, resp)
	}
	st, resp = s.do("GET", "/api/v1/agreements", "", "", nil)
	if st != 200 || !strings.Contains(string(resp), `"version":2`) {
		t.Errorf("public list: %d %s", st, resp)
	}
}

func TestBadAgreements(t *testing.T) {
	s := newServer(t, 0)
	mediator := s.user(auth.Mediator, "Mediator", nil)
	tests := []struct {
		who, body string
		status    int
		field     string
	}{
		{"mediator", `{"title":"x","parties":["UA","RU"],"terms":[{"id":"t","domains":["space"],"from":"2025-06-01T00:00:00Z","to":"2025-06-02T00:00:00Z"}]}`, 400, "terms[0].domains[0]"},
		{"mediator", `{"title":"x","parties":["UA","RU"],"terms":[{"id":"t","domains":["air"],"from":"2025-06-02T00:00:00Z","to":"2025-06-01T00:00:00Z"}]}`, 400, "terms[0].to"},
		{"mediator", `{"title":"x","parties":["UA","RU"],"terms":[],"secret":1}`, 400, "secret"},
		{"mediator", `not json`, 400, "body"},
		{"analyst", `{}`, 403, ""},
		{"public", `{}`, 401, ""},
	}
	tokens := map[string]string{"mediator": mediator, "analyst": s.user(auth.Analyst, "Mission", nil), "public": ""}
	for _, tt := range tests {
		st, body := s.do("POST", "/api/v1/agreements", tokens[tt.who], "", []byte(tt.body))
		_, field, _ := apiErr(t, body)
		if st != tt.status || (tt.field != "" && field != tt.field) {
			t.Errorf("%s %s: %d on %q, want %d on %q (%s)", tt.who, tt.body, st, field, tt.status, tt.field, body)
		}
	}
	if st, _ := s.do("POST", "/api/v1/agreements/nope/versions", mediator, "", []byte(`{"title":"x","parties":["UA","RU"],"terms":[{"id":"t","domains":["air"],"from":"2025-06-02T00:00:00Z","to":"2025-06-03T00:00:00Z"}]}`)); st != 404 {
		t.Errorf("amending an unknown agreement: %d, want 404", st)
	}
	if st, body := s.do("GET", "/api/v1/agreements", "", "", nil); st != 200 || string(body) != "{\"items\":[]}\n" {
		t.Errorf("empty list: %d %s", st, body)
	}
}
