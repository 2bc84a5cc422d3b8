package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/incident"
	"truce/internal/ingest"
	"truce/internal/metrics"
	"truce/internal/parties"
	"truce/internal/report"
	"truce/internal/store/sqlite"
)

// loopClock is the clock of a loop server: the test moves it.
type loopClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *loopClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *loopClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// loopServer is the real API with the parties' loop wired as serve wires
// it, on a clock the test moves.
type loopServer struct {
	*server
	clock    *loopClock
	findings *parties.Service
}

func newLoopServer(t testing.TB) *loopServer { return newLoopServerWith(t, nil) }

// newLoopServerWith is newLoopServer with the report renderer, if not nil.
func newLoopServerWith(t testing.TB, reports *report.Renderer) *loopServer {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	incidents := fusion.New(store, incident.Config{}, nil)
	if err := incidents.Load(ctx); err != nil {
		t.Fatal(err)
	}
	clock := &loopClock{t: now}
	findings := parties.New(parties.Config{Store: store, Now: clock.now})
	if err := findings.Load(ctx); err != nil {
		t.Fatal(err)
	}
	c := ingest.NewCommitter(incidents.Writer(store), 5000)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	h := httpapi.NewHandler(httpapi.Config{Store: store, Writer: c, Metrics: metrics.New(), Now: clock.now, Reports: reports,
		Incidents: incidents, Agreements: incidents, Findings: findings, Pseudonyms: parties.NewPseudonyms([]byte("test secret"))})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		store.Close()
	})
	return &loopServer{server: &server{t: t, url: ts.URL, store: store}, clock: clock, findings: findings}
}

// json sends a request and decodes the answer into v (if not nil) when
// the status is want; otherwise it fails the test.
func (s *loopServer) json(method, path, token string, body any, want int, v any) {
	s.t.Helper()
	var b []byte
	switch x := body.(type) {
	case nil:
	case string:
		b = []byte(x)
	default:
		b, _ = json.Marshal(x)
	}
	st, resp := s.do(method, path, token, "", b)
	if st != want {
		s.t.Fatalf("%s %s: status %d, want %d (%s)", method, path, st, want, resp)
	}
	if v != nil {
		if err := json.Unmarshal(resp, v); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func (s *loopServer) size() int64 {
	s.t.Helper()
	n, err := s.store.TreeSize(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// incidentAt posts observation n by token at hour h of the day, far from
// the others, and returns the id of its incident.
func (s *loopServer) incidentAt(token, analyst string, n, h int) string {
	s.t.Helper()
	o := obs(n, map[string]any{"observed_at": fmt.Sprintf("2025-06-01T%02d:00:00Z", h), "lat": 46.0 + float64(h)/2, "lon": 31.0 + float64(h)/2})
	s.json("POST", "/api/v1/observations", token, string(o), 201, nil)
	var page struct{ Items []incident.Incident }
	s.json("GET", fmt.Sprintf("/api/v1/incidents?from=2025-06-01T%02d:00:00Z&limit=1", h), analyst, nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].Observations[0] != uuid(n) {
		s.t.Fatalf("incident of observation %d: got %+v", n, page.Items)
	}
	return page.Items[0].ID
}

type findingOut struct {
	ID, Incident, Party, State, Author string
	Established                        string
	Deadline                           time.Time
	PublicDue                          time.Time `json:"public_due"`
	Reply                              *struct{ Text, By string }
	Allowed                            []string
	Events                             []struct {
		Action string
		Actor  struct{ Role, ID string }
	}
}

func TestFindingLoop(t *testing.T) {
	s := newLoopServer(t)
	monitor, analyst, mediator := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Mediator, "Mediator", nil)
	ru, ua, observer := s.user(auth.Party, "RU", nil), s.user(auth.Party, "UA", nil), s.user(auth.Observer, "State", nil)
	inc := s.incidentAt(monitor, analyst, 1, 1)

	var f findingOut
	s.json("POST", "/api/v1/incidents/"+inc+"/findings", analyst, map[string]any{"party": "RU",
		"established": "Two drones struck the substation.", "attributed_to": "RU", "confidence": "medium"}, 201, &f)
	if f.State != "draft" || f.Incident != inc || f.Party != "RU" {
		t.Fatalf("created: got %+v", f)
	}
	path := "/api/v1/findings/" + f.ID
	s.json("GET", path, ru, nil, 404, nil) // a draft is the mission's
	s.json("POST", path+"/reply", ru, map[string]any{"text": "no"}, 404, nil)
	s.json("POST", path+"/revise", analyst, map[string]any{"established": "Three drones struck the substation.", "attributed_to": "RU", "confidence": "high"}, 200, &f)
	s.json("POST", path+"/release_observers", analyst, nil, 409, nil) // a draft
	s.json("POST", path+"/send", ru, nil, 404, nil)
	s.json("POST", path+"/send", analyst, nil, 200, &f)
	if f.State != "sent" || !f.Deadline.Equal(now.Add(72*time.Hour)) {
		t.Fatalf("sent: got %s, deadline %s", f.State, f.Deadline)
	}
	s.json("POST", path+"/send", analyst, nil, 409, nil)
	s.json("POST", path+"/revise", analyst, map[string]any{"established": "x"}, 409, nil)

	// The party concerned sees it, with what it may do; the other does not.
	s.json("GET", path, ru, nil, 200, &f)
	if strings.Join(f.Allowed, ",") != "reply" || f.Established != "Three drones struck the substation." {
		t.Errorf("RU sees: allowed %v, established %q", f.Allowed, f.Established)
	}
	if strings.HasPrefix(f.Author, "user-") == false {
		t.Errorf("RU sees the author as %q, want a pseudonym", f.Author)
	}
	for _, e := range f.Events {
		if e.Action == "create" || e.Action == "revise" {
			t.Errorf("RU sees the drafting: %+v", f.Events)
		}
	}
	s.json("GET", path, ua, nil, 404, nil)
	s.json("GET", path, observer, nil, 404, nil)
	s.json("GET", path, "", nil, 404, nil)
	s.json("POST", path+"/reply", ua, map[string]any{"text": "no"}, 404, nil)
	s.json("POST", path+"/reply", analyst, map[string]any{"text": "no"}, 403, nil)
	s.json("POST", path+"/extend", analyst, map[string]any{"deadline": now.Add(100 * time.Hour), "reason": "x"}, 403, nil)
	s.json("POST", path+"/expire", mediator, nil, 403, nil) // the clock's alone
	s.json("POST", path+"/release_observers", analyst, nil, 409, nil)

	s.json("POST", path+"/reply", ru, map[string]any{"text": "Our forces did not operate there.", "evidence": []string{strings.Repeat("ab", 32)}}, 200, &f)
	if f.State != "replied" || f.Reply == nil || !strings.HasPrefix(f.Reply.By, "user-") {
		t.Fatalf("replied: got %+v", f)
	}
	s.json("POST", path+"/reply", ru, map[string]any{"text": "again"}, 409, nil)
	s.json("POST", path+"/release_public", mediator, nil, 409, nil) // not yet to observers
	s.json("GET", path, ua, nil, 404, nil)                          // the reply stays between RU and the mission

	s.json("POST", path+"/release_observers", analyst, nil, 200, &f)
	for _, tok := range []string{ua, observer} {
		var seen findingOut
		s.json("GET", path, tok, nil, 200, &seen)
		if seen.Reply == nil || seen.Reply.Text != "Our forces did not operate there." {
			t.Errorf("released to observers: got reply %+v", seen.Reply)
		}
	}
	s.json("GET", path, "", nil, 404, nil)
	s.json("POST", path+"/release_public", analyst, nil, 409, nil) // the 24 h delay runs

	s.clock.advance(24*time.Hour - time.Second)
	if n, err := s.findings.Sweep(t.Context()); err != nil || n != 0 {
		t.Fatalf("sweep before the public delay: %d, %v", n, err)
	}
	s.clock.advance(time.Second)
	if n, err := s.findings.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep at the public delay: %d, %v", n, err)
	}
	s.json("GET", path, "", nil, 200, &f)
	if f.State != "released_public" {
		t.Errorf("public: got %s", f.State)
	}
	s.json("POST", path+"/withdraw", mediator, map[string]any{"reason": "x"}, 409, nil)
	s.json("POST", path+"/send", "", nil, 401, nil)

	// The staff's view names the clock and the users; the public's
	// pseudonymises the users.
	s.json("GET", path, analyst, nil, 200, &f)
	if last := f.Events[len(f.Events)-1]; last.Action != "release_public" || last.Actor.Role != "system" || last.Actor.ID != "clock" {
		t.Errorf("last event: got %+v", last)
	}
	if len(f.Events) != 6 {
		t.Errorf("the analyst sees %d events, want 6 (create, revise, send, reply, release_observers, release_public)", len(f.Events))
	}

	// A restart replays the same finding from the ledger's records.
	restarted := parties.New(parties.Config{Store: s.store, Now: s.clock.now})
	if err := restarted.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	was, _ := s.findings.Get(f.ID)
	is, err := restarted.Get(f.ID)
	if err != nil || !reflect.DeepEqual(is, was) {
		t.Errorf("after a restart: got %+v, %v; want %+v", is, err, was)
	}
}

func TestFindingDeadlines(t *testing.T) {
	s := newLoopServer(t)
	monitor, analyst, mediator, ru := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Mediator, "Mediator", nil), s.user(auth.Party, "RU", nil)
	inc := s.incidentAt(monitor, analyst, 1, 1)
	var f findingOut
	s.json("POST", "/api/v1/incidents/"+inc+"/findings", mediator, map[string]any{"party": "RU", "established": "Shelling.", "reply_window": "48h", "public_delay": "0s"}, 201, &f)
	path := "/api/v1/findings/" + f.ID
	s.json("POST", path+"/send", mediator, map[string]any{"reason": "for RU's reply"}, 200, &f)
	if !f.Deadline.Equal(now.Add(48 * time.Hour)) {
		t.Fatalf("deadline: got %s, want now+48h", f.Deadline)
	}
	s.clock.advance(48 * time.Hour)
	s.json("POST", path+"/reply", ru, map[string]any{"text": "late"}, 409, nil) // the deadline is exclusive
	if n, err := s.findings.Sweep(t.Context()); err != nil || n != 1 {
		t.Fatalf("sweep at the deadline: %d, %v", n, err)
	}
	s.json("GET", path, ru, nil, 200, &f)
	if f.State != "deadline_passed" {
		t.Fatalf("got %s, want deadline_passed", f.State)
	}
	s.json("POST", path+"/extend", mediator, map[string]any{"deadline": now.Add(40 * time.Hour)}, 400, nil) // no reason
	s.json("POST", path+"/extend", mediator, map[string]any{"deadline": now.Add(40 * time.Hour), "reason": "x"}, 409, nil)
	s.json("POST", path+"/extend", mediator, map[string]any{"deadline": now.Add(60 * time.Hour), "reason": "RU's reply was lost"}, 200, &f)
	if f.State != "sent" {
		t.Fatalf("extended: got %s", f.State)
	}
	s.json("POST", path+"/reply", ru, map[string]any{"text": "Not us."}, 200, nil)
	s.json("POST", path+"/release_observers", mediator, nil, 200, &f)
	if !f.PublicDue.Equal(s.clock.now().Add(time.Second)) {
		t.Errorf("public due: got %s, want a second after release", f.PublicDue)
	}
	s.clock.advance(time.Second)
	s.json("POST", path+"/release_public", mediator, nil, 200, &f) // by hand, once due
}

func TestFindingInput(t *testing.T) {
	s := newLoopServer(t)
	monitor, analyst, mediator, ru := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Mediator, "Mediator", nil), s.user(auth.Party, "RU", nil)
	inc := s.incidentAt(monitor, analyst, 1, 1)
	var f findingOut
	s.json("POST", "/api/v1/incidents/"+inc+"/findings", analyst, map[string]any{"party": "RU", "established": "x"}, 201, &f)
	sent := f.ID
	s.json("POST", "/api/v1/findings/"+sent+"/send", analyst, nil, 200, nil)
	s.json("POST", "/api/v1/incidents/"+inc+"/findings", analyst, map[string]any{"party": "RU", "established": "x"}, 201, &f)
	draft := f.ID
	long := strings.Repeat("x", 20001)
	tests := []struct {
		name, path, token, body string
		status                  int
		field                   string
	}{
		{"not JSON", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":`, 400, "body"},
		{"unknown field", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU","established":"x","colour":"red"}`, 400, "colour"},
		{"wrong type", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":7,"established":"x"}`, 400, "party"},
		{"no party", "/api/v1/incidents/" + inc + "/findings", analyst, `{"established":"x"}`, 400, "party"},
		{"nothing established", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU"}`, 400, "established"},
		{"too long", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU","established":"` + long + `"}`, 400, "established"},
		{"bad confidence", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU","established":"x","attributed_to":"RU","confidence":"sure"}`, 400, "confidence"},
		{"bad window", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU","established":"x","reply_window":"3 days"}`, 400, "reply_window"},
		{"window too short", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU","established":"x","reply_window":"10m"}`, 400, "reply_window"},
		{"delay too long", "/api/v1/incidents/" + inc + "/findings", analyst, `{"party":"RU","established":"x","public_delay":"1000h"}`, 400, "public_delay"},
		{"no such incident", "/api/v1/incidents/nope/findings", analyst, `{"party":"RU","established":"x"}`, 404, ""},
		{"unknown action", "/api/v1/findings/" + draft + "/publish", analyst, ``, 400, "action"},
		{"field of another action", "/api/v1/findings/" + draft + "/send", analyst, `{"deadline":"2025-07-01T00:00:00Z"}`, 400, "deadline"},
		{"two objects", "/api/v1/findings/" + draft + "/send", analyst, `{} {}`, 400, "body"},
		{"revise to nothing", "/api/v1/findings/" + draft + "/revise", analyst, `{}`, 400, "established"},
		{"withdraw without reason", "/api/v1/findings/" + draft + "/withdraw", analyst, ``, 400, "reason"},
		{"reply without text", "/api/v1/findings/" + sent + "/reply", ru, `{}`, 400, "text"},
		{"bad evidence", "/api/v1/findings/" + sent + "/reply", ru, `{"text":"no","evidence":["abc"]}`, 400, "evidence[0]"},
		{"duplicate evidence", "/api/v1/findings/" + sent + "/reply", ru, `{"text":"no","evidence":["` + strings.Repeat("ab", 32) + `","` + strings.Repeat("ab", 32) + `"]}`, 400, "evidence[1]"},
		{"extend without deadline", "/api/v1/findings/" + sent + "/extend", mediator, `{"reason":"x"}`, 400, "deadline"},
		{"bad deadline", "/api/v1/findings/" + sent + "/extend", mediator, `{"reason":"x","deadline":"soon"}`, 400, "deadline"},
		{"reason too long", "/api/v1/findings/" + sent + "/extend", mediator, `{"reason":"` + long + `","deadline":"2025-06-05T00:00:00Z"}`, 400, "reason"},
		{"bad cursor", "/api/v1/findings?cursor=abc", analyst, ``, 400, "cursor"},
		{"bad state", "/api/v1/findings?state=open", analyst, ``, 400, "state"},
		{"bad limit", "/api/v1/findings?limit=0", analyst, ``, 400, "limit"},
		{"unknown parameter", "/api/v1/findings?colour=red", analyst, ``, 400, "colour"},
		{"allegations: bad cursor", "/api/v1/allegations?cursor=abc", ru, ``, 400, "cursor"},
		{"allegations: unknown parameter", "/api/v1/allegations?party=UA", ru, ``, 400, "party"},
	}
	before := s.size()
	for _, tt := range tests {
		method := "POST"
		if strings.Contains(tt.path, "?") {
			method = "GET"
		}
		st, b := s.do(method, tt.path, tt.token, "", []byte(tt.body))
		if st != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, st, tt.status, b)
			continue
		}
		if tt.field != "" {
			if _, field, _ := apiErr(t, b); field != tt.field {
				t.Errorf("%s: field %q, want %q (%s)", tt.name, field, tt.field, b)
			}
		}
	}
	if got := s.size(); got != before {
		t.Errorf("refused input added %d ledger entries", got-before)
	}
	s.json("GET", "/api/v1/findings/"+draft, analyst, nil, 200, &f)
	if f.State != "draft" || len(f.Events) != 1 {
		t.Errorf("the draft after refused input: %s with %d events", f.State, len(f.Events))
	}
}

// TestIncidentTiers checks what each viewer sees of an incident as its
// finding moves through the tiers, and the allegations that joined it.
func TestIncidentTiers(t *testing.T) {
	s := newLoopServer(t)
	monitor, analyst := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil)
	ru, ua, observer := s.user(auth.Party, "RU", nil), s.user(auth.Party, "UA", nil), s.user(auth.Observer, "State", nil)
	inc := s.incidentAt(monitor, analyst, 1, 1)
	// UA's allegation of the same event joins the incident.
	s.json("POST", "/api/v1/observations", ua, string(obs(2, map[string]any{"observed_at": "2025-06-01T01:00:00Z", "lat": 46.5, "lon": 31.5})), 201, nil)
	var full struct {
		incident.Incident
		ReportedBy []struct {
			Reporter, Source string
			Observations     int
		} `json:"reported_by"`
	}
	s.json("GET", "/api/v1/incidents/"+inc, analyst, nil, 200, &full)
	if len(full.Observations) != 2 {
		t.Fatalf("the allegation did not join: %+v", full.Incident)
	}
	var allegations struct {
		Items []struct {
			ID       string
			Incident *struct{ ID, Status, Release string }
		}
	}
	s.json("GET", "/api/v1/incidents/"+inc+"/allegations", analyst, nil, 200, &allegations)
	if len(allegations.Items) != 1 || allegations.Items[0].ID != uuid(2) {
		t.Fatalf("the incident's allegations: got %+v", allegations.Items)
	}
	s.json("GET", "/api/v1/allegations", ua, nil, 200, &allegations)
	if len(allegations.Items) != 1 || allegations.Items[0].Incident != nil {
		t.Fatalf("UA's allegations before release: got %+v", allegations.Items)
	}
	s.json("GET", "/api/v1/allegations", ru, nil, 200, &allegations)
	if len(allegations.Items) != 0 {
		t.Fatalf("RU sees UA's allegations: %+v", allegations.Items)
	}

	var f findingOut
	s.json("POST", "/api/v1/incidents/"+inc+"/findings", analyst, map[string]any{"party": "RU", "established": "Shelling of the village."}, 201, &f)
	path := "/api/v1/findings/" + f.ID
	sees := func(tok string) (int, map[string]any) {
		t.Helper()
		st, b := s.do("GET", "/api/v1/incidents/"+inc, tok, "", nil)
		var m map[string]any
		json.Unmarshal(b, &m)
		if st == 200 && tok != analyst && strings.Contains(string(b), "Mission") {
			t.Errorf("a released view names the monitor: %s", b)
		}
		return st, m
	}
	check := func(stage string, want map[string]int) {
		t.Helper()
		for who, tok := range map[string]string{"RU": ru, "UA": ua, "observer": observer, "public": "", "monitor": monitor} {
			st, _ := sees(tok)
			if st != want[who] {
				t.Errorf("%s: %s gets %d, want %d", stage, who, st, want[who])
			}
			var page struct{ Items []json.RawMessage }
			s.json("GET", "/api/v1/incidents", tok, nil, 200, &page)
			if n := len(page.Items); (n == 1) != (want[who] == 200) {
				t.Errorf("%s: %s lists %d incidents", stage, who, n)
			}
		}
	}
	check("draft", map[string]int{"RU": 404, "UA": 404, "observer": 404, "public": 404, "monitor": 404})
	s.json("POST", path+"/send", analyst, nil, 200, nil)
	check("sent", map[string]int{"RU": 200, "UA": 404, "observer": 404, "public": 404, "monitor": 404})
	_, m := sees(ru)
	if m["release"] != "parties" || m["lat"] != *full.Lat || len(m["observations"].([]any)) != 0 {
		t.Errorf("RU's view: got release %v, lat %v, observations %v", m["release"], m["lat"], m["observations"])
	}
	s.json("GET", "/api/v1/allegations", ua, nil, 200, &allegations)
	if allegations.Items[0].Incident != nil {
		t.Errorf("UA learns of the incident from RU's finding: %+v", allegations.Items[0].Incident)
	}
	s.json("POST", path+"/reply", ru, map[string]any{"text": "Not us."}, 200, nil)
	s.json("POST", path+"/release_observers", analyst, nil, 200, nil)
	check("observers", map[string]int{"RU": 200, "UA": 200, "observer": 200, "public": 404, "monitor": 404})
	s.json("GET", "/api/v1/allegations", ua, nil, 200, &allegations)
	if a := allegations.Items[0].Incident; a == nil || a.ID != inc || a.Status != "corroborated" && a.Status != "reported" || a.Release != "parties" {
		t.Errorf("UA's allegation after release: got %+v", a)
	}
	s.clock.advance(24 * time.Hour)
	if _, err := s.findings.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("public", map[string]int{"RU": 200, "UA": 200, "observer": 200, "public": 200, "monitor": 200})

	_, m = sees("")
	lat, lon, r := m["lat"].(float64), m["lon"].(float64), m["radius_m"].(float64)
	if lat != math.Round(*full.Lat*10)/10 || lon != math.Round(*full.Lon*10)/10 || r < 12000 || r < full.RadiusM+7870 {
		t.Errorf("the public's position: %v, %v ±%v m; exact %v, %v ±%v m", lat, lon, r, *full.Lat, *full.Lon, full.RadiusM)
	}
	if m["release"] != "public" || len(m["observations"].([]any)) != 0 || m["status_reason"] != nil {
		t.Errorf("the public's view: %v", m)
	}
	reps, _ := m["reported_by"].([]any)
	if len(reps) != 2 {
		t.Fatalf("reported_by: got %v", m["reported_by"])
	}
	for _, x := range reps {
		who := x.(map[string]any)["reporter"].(string)
		if who != "UA" && !strings.HasPrefix(who, "org-") {
			t.Errorf("reporter %q: want UA or a pseudonym", who)
		}
	}
	s.json("GET", "/api/v1/incidents/"+inc, analyst, nil, 200, &full)
	if full.ReportedBy[0].Reporter != "Mission" && full.ReportedBy[1].Reporter != "Mission" {
		t.Errorf("the analyst's reported_by: %+v", full.ReportedBy)
	}
	// The public's box filter works on the rounded position only.
	var page struct{ Items []json.RawMessage }
	box := fmt.Sprintf("%v,%v,%v,%v", lon-0.001, lat-0.001, lon+0.001, lat+0.001)
	s.json("GET", "/api/v1/incidents?bbox="+box, "", nil, 200, &page)
	if len(page.Items) != 1 {
		t.Errorf("public bbox around the rounded position: %d items", len(page.Items))
	}
}

// TestReleasedIncidentsPage pages the public's list of released incidents.
func TestReleasedIncidentsPage(t *testing.T) {
	s := newLoopServer(t)
	monitor, analyst, ru := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Party, "RU", nil)
	var want []string
	for i := range 5 {
		inc := s.incidentAt(monitor, analyst, i+1, i+1)
		if i == 2 {
			continue // never released
		}
		want = append(want, inc)
		var f findingOut
		s.json("POST", "/api/v1/incidents/"+inc+"/findings", analyst, map[string]any{"party": "RU", "established": "x", "public_delay": "1h"}, 201, &f)
		s.json("POST", "/api/v1/findings/"+f.ID+"/send", analyst, nil, 200, nil)
		s.json("POST", "/api/v1/findings/"+f.ID+"/reply", ru, map[string]any{"text": "no"}, 200, nil)
		s.json("POST", "/api/v1/findings/"+f.ID+"/release_observers", analyst, nil, 200, nil)
	}
	s.clock.advance(time.Hour)
	if n, err := s.findings.Sweep(t.Context()); err != nil || n != 4 {
		t.Fatalf("sweep: %d, %v", n, err)
	}
	var got []string
	cursor := ""
	for range 10 {
		var page struct {
			Items      []struct{ ID string }
			NextCursor string `json:"next_cursor"`
		}
		s.json("GET", "/api/v1/incidents?limit=3"+cursor, "", nil, 200, &page)
		for _, it := range page.Items {
			got = append(got, it.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = "&cursor=" + page.NextCursor
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("public pages: got %v, want %v", got, want)
	}
	var page struct{ Items []json.RawMessage }
	s.json("GET", "/api/v1/incidents?from=2025-06-01T03:00:00Z&to=2025-06-01T05:00:00Z", "", nil, 200, &page)
	if len(page.Items) != 1 { // hour 3 is unreleased, hour 4 is
		t.Errorf("public window: %d items, want 1", len(page.Items))
	}
	var fs struct{ Items []json.RawMessage }
	s.json("GET", "/api/v1/findings?incident="+want[0], "", nil, 200, &fs)
	if len(fs.Items) != 1 {
		t.Errorf("public findings of an incident: %d, want 1", len(fs.Items))
	}
	s.json("GET", "/api/v1/findings?incident=nope", "", nil, 200, &fs)
	if len(fs.Items) != 0 {
		t.Errorf("findings of no incident: %d, want 0", len(fs.Items))
	}
}

// BenchmarkReleasedIncidents lists the first page of 100 incidents when
// 1000 exist and 200 of them are public: the public's list is built from
// the findings, not from every incident; the analyst's is the live view's.
func BenchmarkReleasedIncidents(b *testing.B) {
	s := newLoopServer(b)
	monitor, analyst, ru := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Party, "RU", nil)
	var batch strings.Builder
	for i := range 1000 {
		batch.Write(obs(i+1, map[string]any{"observed_at": now.Add(-time.Duration(i) * time.Hour).Format(time.RFC3339),
			"lat": 45.0 + float64(i%40)/4, "lon": 30.0 + float64(i/40)/2}))
		batch.WriteByte('\n')
	}
	if st, body := s.do("POST", "/api/v1/observations", monitor, "application/x-ndjson", []byte(batch.String())); st != 200 {
		b.Fatalf("setup: %d %s", st, body)
	}
	var ids []string
	for cursor := ""; ; {
		var page struct {
			Items      []struct{ ID string }
			NextCursor string `json:"next_cursor"`
		}
		s.json("GET", "/api/v1/incidents?limit=1000"+cursor, analyst, nil, 200, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = "&cursor=" + page.NextCursor
	}
	for i := 0; i < len(ids); i += 5 {
		var f findingOut
		s.json("POST", "/api/v1/incidents/"+ids[i]+"/findings", analyst, map[string]any{"party": "RU", "established": "x", "public_delay": "0s"}, 201, &f)
		s.json("POST", "/api/v1/findings/"+f.ID+"/send", analyst, nil, 200, nil)
		s.json("POST", "/api/v1/findings/"+f.ID+"/reply", ru, map[string]any{"text": "no"}, 200, nil)
		s.json("POST", "/api/v1/findings/"+f.ID+"/release_observers", analyst, nil, 200, nil)
	}
	s.clock.advance(time.Minute)
	if _, err := s.findings.Sweep(context.Background()); err != nil {
		b.Fatal(err)
	}
	if len(ids) != 1000 {
		b.Fatalf("%d incidents, want 1000", len(ids))
	}
	for _, bb := range []struct{ name, token string }{{"public", ""}, {"analyst", analyst}} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				var page struct{ Items []json.RawMessage }
				s.json("GET", "/api/v1/incidents?limit=100", bb.token, nil, 200, &page)
				if len(page.Items) != 100 {
					b.Fatalf("%d items", len(page.Items))
				}
			}
		})
	}
}

// TestFindingRecords checks that the mission reads the loop's records with
// what ties them to the ledger, and nobody else does.
func TestFindingRecords(t *testing.T) {
	s := newLoopServer(t)
	monitor, analyst, ru := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Party, "RU", nil)
	inc := s.incidentAt(monitor, analyst, 1, 1)
	var f findingOut
	s.json("POST", "/api/v1/incidents/"+inc+"/findings", analyst, map[string]any{"party": "RU", "established": "x"}, 201, &f)
	s.json("POST", "/api/v1/findings/"+f.ID+"/send", analyst, nil, 200, nil)
	var page struct {
		Items []struct {
			Type, Salt string
			Record     struct{ Finding, Action string }
		}
	}
	s.json("GET", "/api/v1/ledger/records?type=finding_event", analyst, nil, 200, &page)
	if len(page.Items) != 2 || page.Items[0].Record.Action != "create" || page.Items[1].Record.Action != "send" || page.Items[1].Record.Finding != f.ID || page.Items[0].Salt == "" {
		t.Errorf("the analyst reads: %+v", page.Items)
	}
	s.json("GET", "/api/v1/ledger/records?type=finding_event", ru, nil, 403, nil)
	s.json("GET", "/api/v1/ledger/records?type=finding_event", "", nil, 401, nil)
}
