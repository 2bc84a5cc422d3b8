package httpapi_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"truce/internal/auth"
)

func TestExchangeStages(t *testing.T) {
	s := newServer(t, 0)
	mediator := s.user(auth.Mediator, "Mediator", nil)
	ua := s.user(auth.Party, "UA", nil)
	post := func(path, tok, body string, want int) []byte {
		t.Helper()
		st, resp := s.do("POST", path, tok, "", []byte(body))
		if st != want {
			t.Fatalf("POST %s: %d %s, want %d", path, st, resp, want)
		}
		return resp
	}
	// UA's list of its people to be returned; RU's of its own.
	lists := map[string]string{}
	for party, file := range map[string]string{"UA": "a", "RU": "b"} {
		csv, _ := os.ReadFile("../person/testdata/" + file + ".csv")
		st, body := s.do("POST", "/api/v1/persons?party="+party, mediator, "text/csv", csv)
		var res struct{ ID string }
		if json.Unmarshal(body, &res); st != 201 {
			t.Fatalf("list %s: %d %s", party, st, body)
		}
		lists[party] = res.ID
	}
	var ex struct{ ID string }
	json.Unmarshal(post("/api/v1/exchanges", mediator, `{"title":"2 for 2","category":"pow","targets":{"UA":2,"RU":2}}`, 201), &ex)

	stage1 := `{"persons":[{"list":"` + lists["UA"] + `","person":"UA-1"},{"list":"` + lists["RU"] + `","person":"RU-1"}]}`
	post("/api/v1/exchanges/"+ex.ID+"/stages", mediator, stage1, 201)
	bad := []struct{ body, field string }{
		{stage1, "persons[0]"}, // already returned
		{`{"persons":[{"list":"` + lists["UA"] + `","person":"UA-404"}]}`, "persons[0].person"},
		{`{"persons":[{"list":"nope","person":"UA-2"}]}`, "persons[0].list"},
		{`{"persons":[]}`, "persons"},
		{`{"persons":[{"list":"` + lists["UA"] + `","person":"UA-2"},{"list":"` + lists["UA"] + `","person":"UA-2"}]}`, "persons[1]"},
		{`{"persons":[{"list":"x","person":"y"}],"note":"z"}`, "note"},
	}
	for _, b := range bad {
		st, body := s.do("POST", "/api/v1/exchanges/"+ex.ID+"/stages", mediator, "", []byte(b.body))
		if _, field, _ := apiErr(t, body); st != 400 || field != b.field {
			t.Errorf("%s: %d on %q, want 400 on %q", b.body, st, field, b.field)
		}
	}
	post("/api/v1/exchanges/"+ex.ID+"/stages", mediator, `{"persons":[{"list":"`+lists["UA"]+`","person":"UA-2"},{"list":"`+lists["RU"]+`","person":"RU-2"}]}`, 201)
	if st, _ := s.do("POST", "/api/v1/exchanges/"+ex.ID+"/stages", ua, "", []byte(stage1)); st != 403 {
		t.Errorf("a party recording a stage: %d, want 403", st)
	}

	// Anyone sees the tallies; they hold counts, not persons.
	st, body := s.do("GET", "/api/v1/exchanges", "", "", nil)
	var page struct {
		Items []struct {
			Returned map[string]int
			Complete bool
			Stages   []struct{ Returned map[string]int }
		}
	}
	json.Unmarshal(body, &page)
	if st != 200 || len(page.Items) != 1 || page.Items[0].Returned["UA"] != 2 || page.Items[0].Returned["RU"] != 2 ||
		!page.Items[0].Complete || len(page.Items[0].Stages) != 2 || page.Items[0].Stages[0].Returned["UA"] != 1 {
		t.Errorf("tallies: %d %s", st, body)
	}
	if strings.Contains(string(body), "UA-1") || strings.Contains(string(body), "Лисенко") {
		t.Errorf("the public tallies name persons: %s", body)
	}
	// UA's list shows its returned people as released.
	_, body = s.do("GET", "/api/v1/persons", ua, "", nil)
	var lp struct {
		Items []struct {
			Persons []struct{ ID, Status string }
		}
	}
	json.Unmarshal(body, &lp)
	for _, p := range lp.Items[0].Persons {
		if want := map[bool]string{true: "released", false: p.Status}[p.ID == "UA-1" || p.ID == "UA-2"]; p.Status != want {
			t.Errorf("%s: status %s, want %s", p.ID, p.Status, want)
		}
	}
}
