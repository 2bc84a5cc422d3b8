package httpapi_test

import (
	"encoding/json"
	"testing"
	"time"
)

// TestFindingsAccessMatrix checks every endpoint of the parties' loop, and
// the incidents at each release tier, against every role and the public.
// The state: six incidents, A to F, at hours 1 to 6, with
//
//	A  a finding about RU, sent
//	B  a finding about UA, replied and released to observers (not public)
//	C  a finding about RU, replied, released and public
//	D  a finding about RU, a draft
//	E  a finding about UA, replied (not released)
//	F  no finding
//
// and one allegation each from UA (on E) and RU (on A).
func TestFindingsAccessMatrix(t *testing.T) {
	s := newLoopServer(t)
	tokens := roleTokens(s.server, "")
	analyst, ua, ru := tokens["analyst"], tokens["party UA"], tokens["party RU"]
	inc := map[string]string{}
	for i, name := range []string{"A", "B", "C", "D", "E", "F"} {
		inc[name] = s.incidentAt(tokens["monitor Mission"], analyst, i+1, i+1)
	}
	// The parties' allegations, at the places of E and A.
	s.json("POST", "/api/v1/observations", ua, string(obs(20, map[string]any{"observed_at": "2025-06-01T05:00:00Z", "lat": 48.5, "lon": 33.5})), 201, nil)
	s.json("POST", "/api/v1/observations", ru, string(obs(21, map[string]any{"observed_at": "2025-06-01T01:00:00Z", "lat": 46.5, "lon": 31.5})), 201, nil)

	f := map[string]string{}
	write := func(name, party string) string {
		var out findingOut
		s.json("POST", "/api/v1/incidents/"+inc[name]+"/findings", analyst, map[string]any{"party": party, "established": "What happened at " + name + "."}, 201, &out)
		f[name] = out.ID
		return "/api/v1/findings/" + out.ID
	}
	act := func(path, action, tok string, body any) { s.json("POST", path+"/"+action, tok, body, 200, nil) }
	a := write("A", "RU")
	act(a, "send", analyst, nil)
	b := write("B", "UA")
	act(b, "send", analyst, nil)
	act(b, "reply", ua, map[string]any{"text": "UA's reply on B."})
	c := write("C", "RU")
	act(c, "send", analyst, nil)
	act(c, "reply", ru, map[string]any{"text": "RU's reply on C."})
	act(c, "release_observers", analyst, nil)
	write("D", "RU")
	e := write("E", "UA")
	act(e, "send", analyst, nil)
	act(e, "reply", ua, map[string]any{"text": "UA's reply on E."})
	s.clock.advance(24 * time.Hour) // C becomes public
	if n, err := s.findings.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	act(b, "release_observers", analyst, nil)

	// who sees what, by tier: staff everything; the party concerned from
	// sending; the other party and observers from release to observers;
	// everyone from public release.
	staff := func(c cell) map[string]cell {
		m := allRoles(tokens, cell{404, 0}, 401)
		m["analyst"], m["mediator"] = c, c
		return m
	}
	with := func(m map[string]cell, c cell, who ...string) map[string]cell {
		for _, w := range who {
			m[w] = c
		}
		return m
	}
	ok := cell{200, 0}
	endpoints := []struct {
		name, method, path string
		body               any
		want               map[string]cell
	}{
		{"incidents", "GET", "/api/v1/incidents", nil, with(with(with(allRoles(tokens, cell{200, 1}, 401), cell{200, 6}, "analyst", "mediator"),
			cell{200, 3}, "party UA", "party RU"), cell{200, 2}, "observer")},
		{"incident A (sent to RU)", "GET", "/api/v1/incidents/" + inc["A"], nil, with(staff(ok), ok, "party RU")},
		{"incident B (observers)", "GET", "/api/v1/incidents/" + inc["B"], nil, with(staff(ok), ok, "party UA", "party RU", "observer")},
		{"incident C (public)", "GET", "/api/v1/incidents/" + inc["C"], nil, allRoles(tokens, ok, 401)},
		{"incident D (draft)", "GET", "/api/v1/incidents/" + inc["D"], nil, staff(ok)},
		{"incident E (UA replied)", "GET", "/api/v1/incidents/" + inc["E"], nil, with(staff(ok), ok, "party UA")},
		{"incident F (no finding)", "GET", "/api/v1/incidents/" + inc["F"], nil, staff(ok)},
		{"findings", "GET", "/api/v1/findings", nil, with(with(with(allRoles(tokens, cell{200, 1}, 401), cell{200, 5}, "analyst", "mediator"),
			cell{200, 3}, "party UA", "party RU"), cell{200, 2}, "observer")},
		{"findings of A", "GET", "/api/v1/findings?incident=" + inc["A"], nil, with(with(allRoles(tokens, cell{200, 0}, 401), cell{200, 1}, "analyst", "mediator", "party RU"), cell{200, 0}, "party UA")},
		{"finding A", "GET", a, nil, with(staff(ok), ok, "party RU")},
		{"finding B", "GET", b, nil, with(staff(ok), ok, "party UA", "party RU", "observer")},
		{"finding C", "GET", c, nil, allRoles(tokens, ok, 401)},
		{"finding D", "GET", "/api/v1/findings/" + f["D"], nil, staff(ok)},
		{"finding E", "GET", e, nil, with(staff(ok), ok, "party UA")},
		{"no finding", "GET", "/api/v1/findings/nope", nil, allRoles(tokens, cell{404, 0}, 401)},
		{"write a finding", "POST", "/api/v1/incidents/" + inc["F"] + "/findings", "", analystsOnly(tokens, 400)}, // an empty body
		{"write on no incident", "POST", "/api/v1/incidents/nope/findings", map[string]any{"party": "RU", "established": "x"}, analystsOnly(tokens, 404)},
		// Refused moves, which change nothing.
		{"release A to the public", "POST", a + "/release_public", nil, with(with(with(allRoles(tokens, cell{404, 0}, 401), cell{409, 0}, "analyst", "mediator"), cell{403, 0}, "party RU"), cell{401, 0}, "public")},
		{"reply to E again", "POST", e + "/reply", map[string]any{"text": "again"}, with(with(with(allRoles(tokens, cell{404, 0}, 401), cell{403, 0}, "analyst", "mediator"), cell{409, 0}, "party UA"), cell{401, 0}, "public")},
		{"send D", "POST", "/api/v1/findings/" + f["D"] + "/send", map[string]any{"reason": 1}, with(allRoles(tokens, cell{400, 0}, 401), cell{401, 0}, "public")}, // a bad body
		{"expire A", "POST", a + "/expire", nil, with(with(allRoles(tokens, cell{404, 0}, 401), cell{403, 0}, "analyst", "mediator", "party RU"), cell{401, 0}, "public")},
		{"allegations", "GET", "/api/v1/allegations", nil, with(with(analystsOnly(tokens, 0), cell{200, 2}, "analyst", "mediator"), cell{200, 1}, "party UA", "party RU")},
		{"allegations of A", "GET", "/api/v1/incidents/" + inc["A"] + "/allegations", nil, with(analystsOnly(tokens, 0), cell{200, 1}, "analyst", "mediator")},
	}
	before := s.size()
	for _, ep := range endpoints {
		for who, tok := range tokens {
			want, ok := ep.want[who]
			if !ok {
				t.Fatalf("%s: no expectation for %s", ep.name, who)
			}
			var body []byte
			switch x := ep.body.(type) {
			case nil:
			case string:
				body = []byte(x)
			default:
				body, _ = json.Marshal(x)
			}
			status, resp := s.do(ep.method, ep.path, tok, "", body)
			if status != want.status {
				t.Errorf("%s as %s: status %d, want %d (%s)", ep.name, who, status, want.status, resp)
				continue
			}
			var page struct{ Items []json.RawMessage }
			if status == 200 && json.Unmarshal(resp, &page) == nil && page.Items != nil && len(page.Items) != want.items {
				t.Errorf("%s as %s: %d items, want %d", ep.name, who, len(page.Items), want.items)
			}
		}
	}
	if got := s.size(); got != before {
		t.Errorf("the matrix's refused moves added %d ledger entries", got-before)
	}
}
