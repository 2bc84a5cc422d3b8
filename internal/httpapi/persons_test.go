package httpapi_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"truce/internal/auth"
	"truce/internal/ledger"
	"truce/internal/record"
)

func TestPersonLists(t *testing.T) {
	s := newServer(t, 0)
	csv, err := os.ReadFile("../person/testdata/a.csv")
	if err != nil {
		t.Fatal(err)
	}
	bad := string(csv) + "UA-99,Коваль,Іван,,,1987-02-30,,,pow,held\n" + "UA-98,Коваль,Іван,,,1987-02-03,,,soldier,held\n"
	ua := s.user(auth.Party, "UA", nil)
	ru := s.user(auth.Party, "RU", nil)
	mediator := s.user(auth.Mediator, "Mediator", nil)
	caseworker := s.user(auth.Caseworker, "ICRC", nil)

	st, body := s.do("POST", "/api/v1/persons?purpose=exchange", ua, "text/csv", []byte(bad))
	var res struct {
		ID       string
		Party    string
		Persons  int
		Rejected []struct{ Field, Message string }
	}
	if err := json.Unmarshal(body, &res); st != 201 || err != nil {
		t.Fatalf("post: %d %v %s", st, err, body)
	}
	if res.Party != "UA" || res.Persons == 0 || len(res.Rejected) != 2 || res.Rejected[0].Field != "birth_date" || res.Rejected[1].Field != "category" {
		t.Errorf("post: %+v, want UA's good rows stored and the two bad ones named", res)
	}
	if strings.Contains(string(body), "Коваль") {
		t.Errorf("an error repeats personal data: %s", body)
	}
	if st, _ := s.do("POST", "/api/v1/persons?party=RU", ua, "text/csv", csv); st != 400 {
		t.Errorf("UA submitting RU's list: %d, want 400", st)
	}
	if st, _ := s.do("POST", "/api/v1/persons?party=RU", mediator, "text/csv", csv); st != 201 {
		t.Errorf("the mediator submitting for RU: %d, want 201", st)
	}

	tests := []struct {
		who    string
		token  string
		status int
		lists  int
	}{
		{"public", "", 401, 0},
		{"UA", ua, 200, 1},
		{"RU", ru, 200, 1},
		{"mediator", mediator, 200, 2},
		{"caseworker, not assigned", caseworker, 200, 0},
		{"analyst", s.user(auth.Analyst, "Mission", nil), 403, 0},
		{"monitor", s.user(auth.Monitor, "Mission", nil), 403, 0},
		{"observer", s.user(auth.Observer, "State", nil), 403, 0},
	}
	for _, tt := range tests {
		st, body := s.do("GET", "/api/v1/persons", tt.token, "", nil)
		var page struct{ Items []struct{ Party string } }
		json.Unmarshal(body, &page)
		if st != tt.status || len(page.Items) != tt.lists {
			t.Errorf("%s: %d with %d lists, want %d with %d", tt.who, st, len(page.Items), tt.status, tt.lists)
		}
	}

	// The mediator assigns the caseworker to UA's list: it reads that one.
	if st, body := s.do("POST", "/api/v1/persons/"+res.ID+"/caseworkers", mediator, "", []byte(`{"caseworkers":[`+caseworkerID(t, s, caseworker)+`]}`)); st != 200 {
		t.Fatalf("assign: %d %s", st, body)
	}
	if st, _ := s.do("POST", "/api/v1/persons/"+res.ID+"/caseworkers", caseworker, "", []byte(`{"caseworkers":[]}`)); st != 403 {
		t.Errorf("a caseworker assigning: %d, want 403", st)
	}
	_, body = s.do("GET", "/api/v1/persons", caseworker, "", nil)
	var page struct{ Items []struct{ ID, Party string } }
	json.Unmarshal(body, &page)
	if len(page.Items) != 1 || page.Items[0].ID != res.ID {
		t.Errorf("the assigned caseworker reads %+v, want UA's list alone", page.Items)
	}

	// The ledger holds the list only as a salted commitment.
	recs, _ := s.store.ListRecords(t.Context(), record.TypePersonList, 0, 10)
	for _, r := range recs {
		leaves, _ := s.store.ReadEntries(t.Context(), r.LedgerIndex, r.LedgerIndex+1)
		if strings.Contains(string(leaves[0]), "Лисенко") || strings.Contains(string(leaves[0]), "LYSENKO") {
			t.Errorf("personal data in the ledger: %s", leaves[0])
		}
		e, err := ledger.ParseEntry(leaves[0])
		if err != nil || ledger.VerifyCommitment(e.Commitment, r.Salt, r.Body) != nil {
			t.Errorf("list %s does not match its entry", r.ID)
		}
	}
}

func TestReconcileStoredLists(t *testing.T) {
	s := newServer(t, 0)
	mediator := s.user(auth.Mediator, "Mediator", nil)
	ids := map[string]string{}
	for _, side := range []string{"a", "b", "history"} {
		csv, err := os.ReadFile("../person/testdata/" + side + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		party := map[string]string{"a": "UA", "b": "RU", "history": "UA"}[side]
		st, body := s.do("POST", "/api/v1/persons?party="+party, mediator, "text/csv", csv)
		var res struct{ ID string }
		if err := json.Unmarshal(body, &res); st != 201 || err != nil {
			t.Fatalf("%s: %d %s", side, st, body)
		}
		ids[side] = res.ID
	}
	req := `{"a":"` + ids["a"] + `","b":"` + ids["b"] + `","history":"` + ids["history"] + `"}`
	st, body := s.do("POST", "/api/v1/persons/reconcile", mediator, "", []byte(req))
	if st != 200 {
		t.Fatalf("reconcile: %d %s", st, body)
	}
	// The same lists reconciled from their files give the same answer.
	golden, err := os.ReadFile("../person/testdata/reconcile.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	json.Unmarshal(body, &got)
	json.Unmarshal(golden, &want)
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("reconcile through the API:\n%s\nwant (the CLI's golden):\n%s", g, w)
	}
	tests := []struct {
		token, body string
		status      int
		field       string
	}{
		{s.user(auth.Party, "UA", nil), req, 403, ""},
		{"", req, 401, ""},
		{mediator, `{"a":"` + ids["a"] + `"}`, 400, "a"},
		{mediator, `{"a":"` + ids["a"] + `","b":"nope"}`, 400, "b"},
		{mediator, `{"a":"x","b":"y","c":"z"}`, 400, "c"},
	}
	for _, tt := range tests {
		st, body := s.do("POST", "/api/v1/persons/reconcile", tt.token, "", []byte(tt.body))
		if _, field, _ := apiErr(t, body); st != tt.status || field != tt.field {
			t.Errorf("%s: %d on %q, want %d on %q", tt.body, st, field, tt.status, tt.field)
		}
	}
}

// caseworkerID returns the user id behind a token.
func caseworkerID(t *testing.T, s *server, token string) string {
	t.Helper()
	u, err := s.store.UserByTokenHash(t.Context(), auth.HashToken(token))
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(u.ID, 10)
}
