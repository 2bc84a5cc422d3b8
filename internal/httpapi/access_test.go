package httpapi_test

import (
	"encoding/json"
	"testing"

	"truce/internal/auth"
)

// TestAccessMatrix checks every endpoint against every role and the public,
// both what is allowed and what is refused.
func TestAccessMatrix(t *testing.T) {
	s := newServer(t, 0)
	tokens := roleTokens(s, "Sensors")
	// Records to read: one by the Mission's monitor, one alleged by UA.
	if st, b := s.do("POST", "/api/v1/observations", tokens["monitor Mission"], "", obs(1, nil)); st != 201 {
		t.Fatalf("setup: %d %s", st, b)
	}
	if st, b := s.do("POST", "/api/v1/observations", tokens["party UA"], "", obs(2, nil)); st != 201 {
		t.Fatalf("setup: %d %s", st, b)
	}
	s.publish()
	n := 100
	endpoints := []struct {
		name, method, path string
		post               bool
		want               map[string]cell
	}{
		{"submit", "POST", "/api/v1/observations", true, map[string]cell{
			"public": {401, 0}, "bad token": {401, 0}, "monitor Mission": {201, 0}, "monitor Sensors": {201, 0},
			"analyst": {201, 0}, "mediator": {403, 0}, "party UA": {201, 0}, "party RU": {201, 0},
			"observer": {403, 0}, "witness": {403, 0}, "caseworker": {403, 0}, "admin": {403, 0}}},
		{"list", "GET", "/api/v1/observations?to=2025-06-01T02:00:00Z", false, map[string]cell{
			"public": {401, 0}, "bad token": {401, 0}, "monitor Mission": {200, 1}, "monitor Sensors": {200, 0},
			"analyst": {200, 2}, "mediator": {200, 2}, "party UA": {200, 1}, "party RU": {200, 0},
			"observer": {403, 0}, "witness": {403, 0}, "caseworker": {403, 0}, "admin": {403, 0}}},
		{"get monitor's record", "GET", "/api/v1/observations/" + uuid(1), false, map[string]cell{
			"public": {401, 0}, "bad token": {401, 0}, "monitor Mission": {200, 0}, "monitor Sensors": {404, 0},
			"analyst": {200, 0}, "mediator": {200, 0}, "party UA": {404, 0}, "party RU": {404, 0},
			"observer": {403, 0}, "witness": {403, 0}, "caseworker": {403, 0}, "admin": {403, 0}}},
		{"get UA's allegation", "GET", "/api/v1/observations/" + uuid(2), false, map[string]cell{
			"public": {401, 0}, "bad token": {401, 0}, "monitor Mission": {404, 0}, "monitor Sensors": {404, 0},
			"analyst": {200, 0}, "mediator": {200, 0}, "party UA": {200, 0}, "party RU": {404, 0},
			"observer": {403, 0}, "witness": {403, 0}, "caseworker": {403, 0}, "admin": {403, 0}}},
		// By now each role that may submit has added one record (the
		// analyst's under the Mission's name).
		{"ledger records", "GET", "/api/v1/ledger/records", false, map[string]cell{
			"public": {401, 0}, "bad token": {401, 0}, "monitor Mission": {200, 3}, "monitor Sensors": {200, 1},
			"analyst": {200, 7}, "mediator": {200, 7}, "party UA": {200, 2}, "party RU": {200, 1},
			"observer": {403, 0}, "witness": {403, 0}, "caseworker": {403, 0}, "admin": {403, 0}}},
		{"record proof", "GET", "/api/v1/ledger/proof?type=observation&id=" + uuid(1), false, allRoles(tokens, cell{200, 0}, 401)},
		{"checkpoint", "GET", "/ledger/checkpoint", false, allRoles(tokens, cell{200, 0}, 401)},
		{"tile", "GET", "/ledger/tile/0/000.p/2", false, allRoles(tokens, cell{200, 0}, 401)},
		{"entries", "GET", "/ledger/tile/entries/000.p/2", false, allRoles(tokens, cell{200, 0}, 401)},
		{"inclusion proof", "GET", "/ledger/proof/inclusion?index=0&size=2", false, allRoles(tokens, cell{200, 0}, 401)},
		{"consistency proof", "GET", "/ledger/proof/consistency?from=1&to=2", false, allRoles(tokens, cell{200, 0}, 401)},
		{"cosignature", "POST", "/ledger/cosignature", false, map[string]cell{
			"public": {401, 0}, "bad token": {401, 0}, "monitor Mission": {403, 0}, "monitor Sensors": {403, 0},
			"analyst": {403, 0}, "mediator": {403, 0}, "party UA": {403, 0}, "party RU": {403, 0},
			"observer": {403, 0}, "witness": {403, 0}, "caseworker": {403, 0}, "admin": {403, 0}}},
		// Incidents are released in tiers (access_findings_test.go): with
		// no finding released, everyone else lists none and finds none.
		{"incidents", "GET", "/api/v1/incidents", false, allRoles(tokens, cell{200, 0}, 401)},
		{"incident", "GET", "/api/v1/incidents/nope", false, allRoles(tokens, cell{404, 0}, 401)},
		{"decision", "POST", "/api/v1/incidents/nope/decisions", false, analystsOnly(tokens, 400)}, // an empty body
		{"adopt agreement", "POST", "/api/v1/agreements", false, mediatorOnly(tokens, 400)},        // an empty body
		{"amend agreement", "POST", "/api/v1/agreements/nope/versions", false, mediatorOnly(tokens, 400)},
		{"agreements", "GET", "/api/v1/agreements", false, allRoles(tokens, cell{200, 0}, 401)},
		{"agreement", "GET", "/api/v1/agreements/nope", false, allRoles(tokens, cell{404, 0}, 401)},
		{"submit persons", "POST", "/api/v1/persons", false, personsRoles(tokens, 400)}, // an empty body
		{"persons", "GET", "/api/v1/persons", false, personsRoles(tokens, 200)},
		{"assign caseworkers", "POST", "/api/v1/persons/nope/caseworkers", false, mediatorOnly(tokens, 404)},
		{"reconcile", "POST", "/api/v1/persons/reconcile", false, func() map[string]cell { // an empty body
			m := personsRoles(tokens, 400)
			m["party UA"], m["party RU"] = cell{403, 0}, cell{403, 0}
			return m
		}()},
		{"record exchange", "POST", "/api/v1/exchanges", false, mediatorOnly(tokens, 400)}, // an empty body
		{"record stage", "POST", "/api/v1/exchanges/nope/stages", false, mediatorOnly(tokens, 404)},
		{"exchanges", "GET", "/api/v1/exchanges", false, allRoles(tokens, cell{200, 0}, 401)},
		{"open child case", "POST", "/api/v1/children", false, childRoles(tokens, 400)}, // an empty body
		{"child cases", "GET", "/api/v1/children", false, childRoles(tokens, 200)},
		{"child case", "GET", "/api/v1/children/nope", false, childRoles(tokens, 404)},
		{"update child case", "POST", "/api/v1/children/nope", false, childRoles(tokens, 404)},
		{"child case counts", "GET", "/api/v1/children/counts", false, allRoles(tokens, cell{200, 0}, 401)},
		{"healthz", "GET", "/healthz", false, allRoles(tokens, cell{200, 0}, 401)},
		{"metrics", "GET", "/metrics", false, allRoles(tokens, cell{200, 0}, 401)},
		{"openapi", "GET", "/api/v1/openapi.json", false, allRoles(tokens, cell{200, 0}, 401)},
	}
	for _, ep := range endpoints {
		for who, tok := range tokens {
			want, ok := ep.want[who]
			if !ok {
				t.Fatalf("%s: no expectation for %s", ep.name, who)
			}
			var body []byte
			if ep.post {
				n++
				body = obs(n, map[string]any{"observed_at": "2025-06-01T05:00:00Z"}) // outside the listed window
			}
			status, resp := s.do(ep.method, ep.path, tok, "", body)
			if status != want.status {
				t.Errorf("%s as %s: status %d, want %d (%s)", ep.name, who, status, want.status, resp)
				continue
			}
			if (ep.name == "list" || ep.name == "ledger records") && status == 200 {
				var page struct{ Items []json.RawMessage }
				json.Unmarshal(resp, &page)
				if len(page.Items) != want.items {
					t.Errorf("%s as %s: %d items, want %d", ep.name, who, len(page.Items), want.items)
				}
			}
		}
	}
}

// roleTokens creates a user of every role and returns the tokens the
// access matrices use, by name: the public (""), a bad token, a monitor of
// the Mission (and of secondOrg, if given), the analyst, the mediator, both
// parties, an observer, a witness, a caseworker and an admin.
func roleTokens(s *server, secondOrg string) map[string]string {
	tokens := map[string]string{
		"public":          "",
		"bad token":       "truce_not-a-real-token",
		"monitor Mission": s.user(auth.Monitor, "Mission", nil),
		"analyst":         s.user(auth.Analyst, "Mission", nil),
		"mediator":        s.user(auth.Mediator, "Mediator", nil),
		"party UA":        s.user(auth.Party, "UA", nil),
		"party RU":        s.user(auth.Party, "RU", nil),
		"observer":        s.user(auth.Observer, "State", nil),
		"witness":         s.user(auth.Witness, "Witness", nil),
		"caseworker":      s.user(auth.Caseworker, "ICRC", nil),
		"admin":           s.user(auth.Admin, "Operator", nil),
	}
	if secondOrg != "" {
		tokens["monitor "+secondOrg] = s.user(auth.Monitor, secondOrg, nil)
	}
	return tokens
}

// allRoles expects the same cell for every token but the bad one, which
// gets badToken: an unknown token is refused everywhere, even where no token
// is needed.
func allRoles(tokens map[string]string, c cell, badToken int) map[string]cell {
	m := map[string]cell{}
	for who := range tokens {
		m[who] = c
	}
	m["bad token"] = cell{badToken, 0}
	return m
}

// analystsOnly expects ok for the analyst and the mediator, 403 for every
// other role and 401 without a valid token.
func analystsOnly(tokens map[string]string, ok int) map[string]cell {
	m := map[string]cell{}
	for who := range tokens {
		m[who] = cell{403, 0}
	}
	m["public"], m["bad token"] = cell{401, 0}, cell{401, 0}
	m["analyst"], m["mediator"] = cell{ok, 0}, cell{ok, 0}
	return m
}

// mediatorOnly expects ok for the mediator, 403 for every other role and
// 401 without a valid token.
func mediatorOnly(tokens map[string]string, ok int) map[string]cell {
	m := analystsOnly(tokens, 403)
	m["mediator"] = cell{ok, 0}
	return m
}

// personsRoles expects ok for the mediator, caseworkers and the parties
// (their own lists), 403 for the others and 401 without a valid token.
func personsRoles(tokens map[string]string, ok int) map[string]cell {
	m := analystsOnly(tokens, 403)
	for _, who := range []string{"mediator", "caseworker", "party UA", "party RU"} {
		m[who] = cell{ok, 0}
	}
	return m
}

// childRoles expects ok for the mediator and caseworkers, 403 for the
// others and 401 without a valid token.
func childRoles(tokens map[string]string, ok int) map[string]cell {
	m := analystsOnly(tokens, 403)
	m["mediator"], m["caseworker"] = cell{ok, 0}, cell{ok, 0}
	return m
}

// cell is one expectation of the matrix.
type cell struct {
	status int
	items  int // for lists: how many items the role sees
}
