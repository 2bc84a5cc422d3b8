package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"truce/internal/auth"
	"truce/internal/fusion"
	"truce/internal/incident"
	"truce/internal/ledger"
	"truce/internal/record"
)

type incidentPage struct {
	Items      []incident.Incident
	NextCursor string `json:"next_cursor"`
}

// incidentWorld posts observations that fuse into known incidents: a
// shelling near Huliaipole seen by two organisations (corroborated), a lone
// mortar report 20 km away, a drone over Kyiv, and a naval strike.
func incidentWorld(t *testing.T) (*server, string) {
	t.Helper()
	s := newServer(t, 0)
	mission := s.user(auth.Monitor, "Mission", nil)
	sensors := s.user(auth.Monitor, "Sensors", nil)
	post := func(tok string, n int, ch map[string]any) {
		t.Helper()
		if st, b := s.do("POST", "/api/v1/observations", tok, "", obs(n, ch)); st != 201 {
			t.Fatalf("post %d: %d %s", n, st, b)
		}
	}
	post(mission, 1, map[string]any{"lat": 47.660, "lon": 36.250, "kind": "artillery", "observed_at": "2025-06-01T03:00:00Z", "location_uncertainty_m": 300})
	post(sensors, 2, map[string]any{"lat": 47.662, "lon": 36.252, "kind": "explosion", "source": "acoustic", "observed_at": "2025-06-01T03:00:20Z", "location_uncertainty_m": 1500})
	post(mission, 3, map[string]any{"lat": 47.840, "lon": 36.300, "kind": "mortar", "observed_at": "2025-06-01T05:00:00Z"})
	post(mission, 4, map[string]any{"lat": 50.45, "lon": 30.52, "domain": "air", "kind": "drone", "source": "camera", "observed_at": "2025-06-01T01:00:00Z"})
	post(sensors, 5, map[string]any{"lat": 46.3, "lon": 30.9, "domain": "sea", "kind": "naval_strike", "source": "radar", "observed_at": "2025-06-01T02:00:00Z"})
	return s, s.user(auth.Analyst, "Mission", nil)
}

func (s *server) incidents(t *testing.T, tok, query string) incidentPage {
	t.Helper()
	st, body := s.do("GET", "/api/v1/incidents?"+query, tok, "", nil)
	if st != 200 {
		t.Fatalf("list %s: %d %s", query, st, body)
	}
	var p incidentPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *server) incidentOf(t *testing.T, tok, obsID string) incident.Incident {
	t.Helper()
	for _, inc := range s.incidents(t, tok, "limit=1000").Items {
		if slices.Contains(inc.Observations, obsID) {
			return inc
		}
	}
	t.Fatalf("no incident holds %s", obsID)
	return incident.Incident{}
}

func TestIncidentsFilters(t *testing.T) {
	s, analyst := incidentWorld(t)
	tests := []struct {
		query string
		want  [][]int // the observations of each incident, in listing order
	}{
		{"", [][]int{{4}, {5}, {1, 2}, {3}}},
		{"domain=land", [][]int{{1, 2}, {3}}},
		{"kind=drone", [][]int{{4}}},
		{"status=corroborated", [][]int{{1, 2}}},
		{"status=reported&domain=land", [][]int{{3}}},
		{"bbox=36,47.5,36.5,48", [][]int{{1, 2}, {3}}},
		{"region=UA-30", [][]int{}}, // no locator in this server: only stated regions count
		{"from=2025-06-01T02:30:00Z&to=2025-06-01T04:00:00Z", [][]int{{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := [][]int{}
			for _, inc := range s.incidents(t, analyst, tt.query).Items {
				var ns []int
				for _, id := range inc.Observations {
					var n int
					fmt.Sscanf(id[len(id)-12:], "%d", &n)
					ns = append(ns, n)
				}
				got = append(got, ns)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	inc := s.incidentOf(t, analyst, uuid(1))
	if inc.Sources != 2 || inc.Organizations != 2 || inc.Kind != "artillery" {
		t.Errorf("the corroborated incident: %d sources, %d organisations, kind %s", inc.Sources, inc.Organizations, inc.Kind)
	}
	st, body := s.do("GET", "/api/v1/incidents/"+inc.ID, analyst, "", nil)
	var got incident.Incident
	json.Unmarshal(body, &got)
	if st != 200 || got.ID != inc.ID {
		t.Errorf("get: %d %s", st, body)
	}
	if st, _ := s.do("GET", "/api/v1/incidents/nope", analyst, "", nil); st != 404 {
		t.Errorf("unknown incident: %d, want 404", st)
	}
}

func TestIncidentsPaging(t *testing.T) {
	s, analyst := incidentWorld(t)
	all := s.incidents(t, analyst, "limit=1000").Items
	var paged []string
	q := "limit=1"
	for range 10 {
		p := s.incidents(t, analyst, q)
		for _, inc := range p.Items {
			paged = append(paged, inc.ID)
		}
		if p.NextCursor == "" {
			break
		}
		q = "limit=1&cursor=" + url.QueryEscape(p.NextCursor)
	}
	var want []string
	for _, inc := range all {
		want = append(want, inc.ID)
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Errorf("paged %v, want %v", paged, want)
	}
	for _, q := range []string{"cursor=xyz", "bbox=1,2,3", "bbox=40,50,30,60", "status=happy", "limit=0", "region=", "nonsense=1", "from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z"} {
		st, body := s.do("GET", "/api/v1/incidents?"+q, analyst, "", nil)
		if q == "region=" {
			if st != 200 {
				t.Errorf("%s: %d", q, st)
			}
			continue
		}
		if _, field, _ := apiErr(t, body); st != 400 || field == "" {
			t.Errorf("%s: %d, field %q; want 400 naming the field", q, st, field)
		}
	}
}

func TestDecisionsSurviveRefusion(t *testing.T) {
	s, analyst := incidentWorld(t)
	decide := func(incID string, body string) (int, []byte) {
		return s.do("POST", "/api/v1/incidents/"+incID+"/decisions", analyst, "", []byte(body))
	}
	corroborated := s.incidentOf(t, analyst, uuid(1))
	lone := s.incidentOf(t, analyst, uuid(3))
	steps := []struct {
		name  string
		inc   string
		body  string
		check func(t *testing.T)
	}{
		{"verify", corroborated.ID, `{"kind":"status","status":"verified","reason":"crater seen by patrol"}`, func(t *testing.T) {
			if inc := s.incidentOf(t, analyst, uuid(2)); inc.Status != incident.Verified || inc.StatusReason != "crater seen by patrol" {
				t.Errorf("status %s (%q)", inc.Status, inc.StatusReason)
			}
		}},
		{"attribute", corroborated.ID, `{"kind":"attribution","attributed_to":"RU","confidence":"medium","reason":"direction of fire"}`, func(t *testing.T) {
			if inc := s.incidentOf(t, analyst, uuid(1)); inc.AttributedTo != "RU" || inc.AttributionConfidence != incident.Medium {
				t.Errorf("attribution %s %s", inc.AttributedTo, inc.AttributionConfidence)
			}
		}},
		{"merge", corroborated.ID, `{"kind":"merge","incidents":["` + lone.ID + `"]}`, func(t *testing.T) {
			if inc := s.incidentOf(t, analyst, uuid(3)); !slices.Contains(inc.Observations, uuid(1)) {
				t.Errorf("after merge, observation 3 is in %v", inc.Observations)
			}
		}},
		{"split", corroborated.ID, `{"kind":"split","observations":["` + uuid(2) + `"]}`, func(t *testing.T) {
			if inc := s.incidentOf(t, analyst, uuid(2)); len(inc.Observations) != 1 {
				t.Errorf("after split, observation 2 is with %v", inc.Observations)
			}
		}},
	}
	for _, st := range steps {
		inc := st.inc
		if st.name == "split" { // the incident's id is still that of observation 1's incident
			inc = s.incidentOf(t, analyst, uuid(1)).ID
		}
		code, body := decide(inc, st.body)
		if code != 201 {
			t.Fatalf("%s: %d %s", st.name, code, body)
		}
		st.check(t)
	}
	before := s.incidents(t, analyst, "limit=1000").Items

	// A new view fused from the store alone gives the same incidents.
	again := fusion.New(s.store, incident.Config{}, nil)
	if err := again.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, _, err := again.List(context.Background(), fusion.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Errorf("re-fused incidents differ:\n before %s\n after  %s", b1, b2)
	}
	recs, _ := s.store.ListRecords(context.Background(), record.TypeIncidentDecision, 0, 100)
	if len(recs) != 4 {
		t.Errorf("%d decisions stored, want 4", len(recs))
	}

	// Each decision is a ledger record that its readers can check.
	st, body := s.do("GET", "/api/v1/ledger/records?type=incident_decision&limit=3", analyst, "", nil)
	var page struct {
		Items []struct {
			ID     string
			Index  int64
			Salt   []byte
			Record json.RawMessage
		}
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &page); st != 200 || err != nil || len(page.Items) != 3 || page.NextCursor == "" {
		t.Fatalf("decision records: %d %v %s", st, err, body)
	}
	for _, it := range page.Items {
		leaves, err := s.store.ReadEntries(context.Background(), it.Index, it.Index+1)
		if err != nil || len(leaves) != 1 {
			t.Fatalf("entry %d: %v", it.Index, err)
		}
		e, _ := ledger.ParseEntry(leaves[0])
		if e.Type != record.TypeIncidentDecision || e.ID != it.ID || ledger.VerifyCommitment(e.Commitment, it.Salt, it.Record) != nil {
			t.Errorf("decision %s does not match its entry %d", it.ID, it.Index)
		}
	}
	if st, _ := s.do("GET", "/api/v1/ledger/records?type=incident_decision", s.user(auth.Monitor, "Mission", nil), "", nil); st != 403 {
		t.Errorf("a monitor listing decisions: %d, want 403", st)
	}
	if st, _ := s.do("GET", "/api/v1/ledger/records?type=gossip", analyst, "", nil); st != 400 {
		t.Errorf("an unknown record type: %d, want 400", st)
	}
}

func TestBadDecisions(t *testing.T) {
	s, analyst := incidentWorld(t)
	inc := s.incidentOf(t, analyst, uuid(1))
	tests := []struct {
		body   string
		status int
		field  string
	}{
		{`{"kind":"promote"}`, 400, "kind"},
		{`{"kind":"status","status":"reported","reason":"x"}`, 400, "status"},
		{`{"kind":"status","status":"verified"}`, 400, "reason"},
		{`{"kind":"attribution","attributed_to":"Russia","confidence":"high","reason":"x"}`, 400, "attributed_to"},
		{`{"kind":"attribution","attributed_to":"RU","confidence":"sure","reason":"x"}`, 400, "confidence"},
		{`{"kind":"merge"}`, 400, "incidents"},
		{`{"kind":"merge","incidents":["nope"]}`, 400, "incidents[0]"},
		{`{"kind":"split","observations":["not-a-uuid"]}`, 400, "observations[0]"},
		{`{"kind":"status","status":"verified","reason":"x","author":"someone else"}`, 400, "author"},
		{`{"kind":"status","reason":5}`, 400, "reason"},
		{`not json`, 400, "body"},
	}
	for _, tt := range tests {
		st, body := s.do("POST", "/api/v1/incidents/"+inc.ID+"/decisions", analyst, "", []byte(tt.body))
		if _, field, _ := apiErr(t, body); st != tt.status || field != tt.field {
			t.Errorf("%s: %d on %q, want %d on %q (%s)", tt.body, st, field, tt.status, tt.field, body)
		}
	}
	if st, _ := s.do("POST", "/api/v1/incidents/nope/decisions", analyst, "", []byte(`{"kind":"status","status":"verified","reason":"x"}`)); st != 404 {
		t.Errorf("decision on an unknown incident: %d, want 404", st)
	}
	if recs, _ := s.store.ListRecords(context.Background(), record.TypeIncidentDecision, 0, 100); len(recs) != 0 {
		t.Errorf("%d decisions stored after refusals", len(recs))
	}
}
