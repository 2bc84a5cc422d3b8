package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"truce/internal/auth"
	"truce/internal/person"
	"truce/internal/record"
)

func TestChildCases(t *testing.T) {
	s := newServer(t, 0)
	mediator := s.user(auth.Mediator, "Mediator", nil)
	cw1 := s.user(auth.Caseworker, "ICRC", nil)
	cw2 := s.user(auth.Caseworker, "UNICEF", nil)
	open := func(tok, body string) person.ChildCase {
		t.Helper()
		st, resp := s.do("POST", "/api/v1/children", tok, "", []byte(body))
		var c person.ChildCase
		if err := json.Unmarshal(resp, &c); st != 201 || err != nil {
			t.Fatalf("open: %d %s", st, resp)
		}
		return c
	}
	c1 := open(cw1, `{"family_name":"Коваленко","given_name":"Марія","birth_date":"2014-05-02","circumstances":["deportation"],"status":"missing","caseworkers":[999]}`)
	if len(c1.Caseworkers) != 1 || c1.Version != 1 {
		t.Errorf("a caseworker's new case: %+v, want it assigned to its opener alone", c1)
	}
	c2 := open(mediator, `{"family_name":"Бондар","given_name":"Іван","status":"located","circumstances":["adoption","forced_document_change"]}`)

	tests := []struct {
		who, token, id string
		status         int
	}{
		{"assigned caseworker", cw1, c1.ID, 200},
		{"other caseworker", cw2, c1.ID, 404},
		{"mediator", mediator, c1.ID, 200},
		{"mediator, other case", mediator, c2.ID, 200},
		{"caseworker, unassigned case", cw1, c2.ID, 404},
		{"party", s.user(auth.Party, "UA", nil), c1.ID, 403},
		{"analyst", s.user(auth.Analyst, "Mission", nil), c1.ID, 403},
		{"public", "", c1.ID, 401},
	}
	for _, tt := range tests {
		if st, _ := s.do("GET", "/api/v1/children/"+tt.id, tt.token, "", nil); st != tt.status {
			t.Errorf("%s: %d, want %d", tt.who, st, tt.status)
		}
	}
	// Every read is logged: two reads of case 1 (caseworker, mediator),
	// refused ones are not reads.
	if got, _ := s.store.Accesses(t.Context(), record.TypeChildCase, c1.ID); len(got) != 2 {
		t.Errorf("%d reads of case 1 logged, want 2", len(got))
	}
	st, body := s.do("GET", "/api/v1/children", cw1, "", nil)
	if st != 200 || !strings.Contains(string(body), c1.ID) || strings.Contains(string(body), c2.ID) {
		t.Errorf("a caseworker's list: %d %s", st, body)
	}
	if got, _ := s.store.Accesses(t.Context(), record.TypeChildCase, c1.ID); len(got) != 3 {
		t.Errorf("a listing is not logged as a read: %d", len(got))
	}

	// The assigned caseworker updates the status; it may not reassign.
	st, body = s.do("POST", "/api/v1/children/"+c1.ID, cw1, "", []byte(`{"family_name":"Коваленко","given_name":"Марія","status":"located","caseworkers":[]}`))
	var upd person.ChildCase
	json.Unmarshal(body, &upd)
	if st != 200 || upd.Version != 2 || upd.Status != person.ChildLocated || len(upd.Caseworkers) != 1 {
		t.Errorf("update: %d %s", st, body)
	}
	if st, _ := s.do("POST", "/api/v1/children/"+c1.ID, cw2, "", []byte(`{"family_name":"x","given_name":"y","status":"returned"}`)); st != 404 {
		t.Errorf("an unassigned caseworker's update: %d, want 404", st)
	}

	// The public sees counts only.
	st, body = s.do("GET", "/api/v1/children/counts", "", "", nil)
	var counts map[string]int
	json.Unmarshal(body, &counts)
	if st != 200 || counts["located"] != 2 || counts["missing"] != 0 || len(counts) != 4 {
		t.Errorf("counts: %d %s", st, body)
	}
	if strings.Contains(string(body), "Коваленко") {
		t.Error("counts reveal a name")
	}

	bad := []struct{ body, field string }{
		{`{"given_name":"x","status":"missing"}`, "family_name"},
		{`{"family_name":"x","given_name":"y","status":"lost"}`, "status"},
		{`{"family_name":"x","given_name":"y","status":"missing","circumstances":["kidnap"]}`, "circumstances[0]"},
		{`{"family_name":"x","given_name":"y","status":"missing","birth_date":"2014-02-30"}`, "birth_date"},
		{`{"family_name":"x","given_name":"y","status":"missing","school":"z"}`, "school"},
	}
	for _, b := range bad {
		st, body := s.do("POST", "/api/v1/children", cw1, "", []byte(b.body))
		if _, field, msg := apiErr(t, body); st != 400 || field != b.field || strings.Contains(msg, "2014-02-30") {
			t.Errorf("%s: %d on %q (%s), want 400 on %q", b.body, st, field, msg, b.field)
		}
	}
}
