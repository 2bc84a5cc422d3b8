package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/data"
	"truce/internal/auth"
	"truce/internal/checkpoint"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/incident"
	"truce/internal/ingest"
	"truce/internal/ledger"
	"truce/internal/mapsvg"
	"truce/internal/notify"
	"truce/internal/observation"
	"truce/internal/parties"
	"truce/internal/region"
	"truce/internal/report"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
	"truce/internal/web"
)

// demoDay is the day the fixture's data is about: the shipped real data
// (Air Force bulletins, air-raid alerts) covers it, and the simulated
// monitoring day is set on it.
var demoDay = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// fixture is a real truce server, wired as `truce serve` wires it: a SQLite
// store with the shipped real data and the demo's simulated monitoring
// day posted through the API, fusion, the findings, a signed checkpoint,
// the API and the pages on one mux.
type fixture struct {
	url    string
	tokens map[auth.Role]string // one user per role; the party is UA
	// incident is one incident's id (the largest by observations), not
	// released; released is another, released to the public through a
	// finding on it.
	incident, released string
}

var (
	fixtureOnce sync.Once
	theFixture  *fixture
	fixtureErr  error
	cleanups    []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// shared returns the fixture, building it on first use: it takes a few
// seconds, so the tests share one.
func shared(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { theFixture, fixtureErr = newFixture(t) })
	if fixtureErr != nil {
		t.Fatalf("fixture: %v", fixtureErr)
	}
	return theFixture
}

func newFixture(t testing.TB) (*fixture, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "truce-web-test-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	store, err := sqlite.Open(ctx, filepath.Join(dir, "truce.db"))
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { store.Close() })
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		return nil, err
	}
	boundaries, err := region.LoadBoundaries(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	reports, err := report.NewRenderer(boundaries)
	if err != nil {
		return nil, err
	}
	incidents := fusion.New(store, incident.Config{Locate: boundaries.Locate}, nil)
	if err := incidents.Load(ctx); err != nil {
		return nil, err
	}
	hub := notify.NewHub(notify.HubConfig{})
	incidents.Notify(hub, nil)
	findings := parties.New(parties.Config{Store: store, Events: hub})
	if err := findings.Load(ctx); err != nil {
		return nil, err
	}
	committer := ingest.NewCommitter(incidents.Writer(store), 5000)
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { committer.Run(bg) })
	wg.Go(func() { incidents.Run(bg, 50*time.Millisecond) })
	cleanups = append(cleanups, func() { stop(); wg.Wait() })
	skey, _, err := ledger.GenerateKey("web.test/log")
	if err != nil {
		return nil, err
	}
	publisher, err := checkpoint.New(store, skey, nil)
	if err != nil {
		return nil, err
	}
	api := httpapi.NewHandler(httpapi.Config{Store: store, Writer: committer, Incidents: incidents, Agreements: incidents,
		Reports: reports, Locate: boundaries.Locate, LogVerifier: publisher.Verifier(), Findings: findings,
		Pseudonyms: parties.NewPseudonyms([]byte(skey)), Events: hub})
	pages, err := web.NewHandler(web.Config{API: api, LogVerifier: publisher.Verifier(),
		Map: mapsvg.New(boundaries.Regions(), 640), DefaultDay: demoDay})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", api)
	for _, p := range pages.Patterns() {
		mux.Handle(p, pages)
	}
	ts := httptest.NewServer(mux)
	cleanups = append(cleanups, ts.Close, hub.Close) // event streams end first

	// The shipped real data.
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := store.WriteBulletins(ctx, storetest.ShippedBulletins(t), accepted); err != nil {
		return nil, err
	}
	if _, err := store.WriteAlerts(ctx, storetest.ShippedAlerts(t), accepted); err != nil {
		return nil, err
	}

	// The demo's simulated monitoring day, each submitter with its own
	// token, through the API's intake.
	fx := &fixture{url: ts.URL, tokens: map[auth.Role]string{}}
	newUser := func(u auth.User) (string, error) {
		token, hash, err := auth.NewToken()
		if err != nil {
			return "", err
		}
		if _, err := store.CreateUser(ctx, &u, hash); err != nil {
			return "", err
		}
		if _, ok := fx.tokens[u.Role]; !ok && (u.Role != auth.Party || u.Org == "UA") {
			fx.tokens[u.Role] = token
		}
		return token, nil
	}
	cfg := simulate.Demo()
	cfg.Start = demoDay
	sc, err := simulate.Generate(cfg)
	if err != nil {
		return nil, err
	}
	party := map[string]string{}
	for _, o := range sc.Organizations {
		party[o.Name] = o.Party
	}
	type submitter struct {
		org string
		id  int64
	}
	batches := map[submitter][]observation.Observation{}
	var order []submitter
	for _, r := range sc.Records {
		k := submitter{r.Organization, r.SubmitterID}
		if _, ok := batches[k]; !ok {
			order = append(order, k)
		}
		batches[k] = append(batches[k], r.Observation)
	}
	for _, k := range order {
		u := auth.User{Role: auth.Monitor, Org: k.org, Name: fmt.Sprintf("%s %d", k.org, k.id)}
		if p := party[k.org]; p != "" {
			u = auth.User{Role: auth.Party, Org: p, Name: fmt.Sprintf("%s liaison %d", p, k.id)}
		}
		token, err := newUser(u)
		if err != nil {
			return nil, err
		}
		if err := postBatch(ctx, ts.URL, token, batches[k]); err != nil {
			return nil, fmt.Errorf("post for %s: %w", k.org, err)
		}
	}
	for _, u := range []auth.User{
		{Role: auth.Analyst, Org: "Mission", Name: "Duty Analyst"},
		{Role: auth.Mediator, Org: "Mediator", Name: "Mediation Desk"},
		{Role: auth.Observer, Org: "Observer State", Name: "Observer Desk"},
		{Role: auth.Caseworker, Org: "Humanitarian Partner", Name: "Caseworker"},
		{Role: auth.Party, Org: "UA", Name: "UA liaison"},
		{Role: auth.Monitor, Org: "Mission", Name: "Mission monitor"},
	} {
		if _, err := newUser(u); err != nil {
			return nil, err
		}
	}
	if _, err := publisher.Publish(ctx); err != nil {
		return nil, err
	}

	// The incident with the most observations.
	best := 0
	for _, inc := range incidentsOf(ctx, ts.URL, fx.tokens[auth.Analyst]) {
		if len(inc.Observations) > best {
			best, fx.incident = len(inc.Observations), inc.ID
		}
	}
	if fx.incident == "" {
		return nil, fmt.Errorf("no incidents after loading the demo")
	}

	// A finding about UA on a corroborated incident, through the parties'
	// loop to the public.
	var corroborated struct {
		Items []incidentRef `json:"items"`
	}
	if err := call(ctx, "GET", ts.URL+"/api/v1/incidents?status=corroborated&limit=5", fx.tokens[auth.Analyst], nil, &corroborated); err != nil {
		return nil, err
	}
	for _, inc := range corroborated.Items {
		if inc.ID != fx.incident {
			fx.released = inc.ID
			break
		}
	}
	if fx.released == "" {
		return nil, fmt.Errorf("no corroborated incident to release")
	}
	var fnd struct {
		ID string `json:"id"`
	}
	if err := call(ctx, "POST", ts.URL+"/api/v1/incidents/"+fx.released+"/findings", fx.tokens[auth.Analyst],
		map[string]any{"party": "UA", "attributed_to": "UA", "confidence": "medium", "public_delay": "0s",
			"established": "Monitors from two organisations observed the strike; its direction points to forces of UA."}, &fnd); err != nil {
		return nil, err
	}
	for _, step := range []struct {
		action, token string
		body          any
	}{
		{"send", fx.tokens[auth.Analyst], nil},
		{"reply", fx.tokens[auth.Party], map[string]any{"text": "We are investigating."}},
		{"release_observers", fx.tokens[auth.Analyst], nil},
		{"release_public", fx.tokens[auth.Analyst], nil},
	} {
		// The public release is due at once (public_delay 0s), as the
		// service's clock sees it: retry while it answers too early.
		for try := 0; ; try++ {
			err := call(ctx, "POST", ts.URL+"/api/v1/findings/"+fnd.ID+"/"+step.action, step.token, step.body, nil)
			if err == nil {
				break
			}
			if try == 30 || !strings.Contains(err.Error(), "too early") {
				return nil, fmt.Errorf("finding %s: %w", step.action, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return fx, nil
}

// call sends a JSON request to the API and decodes a 2xx answer into out.
func call(ctx context.Context, method, url, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s %s", method, url, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// postBatch posts observations as one JSON Lines batch.
func postBatch(ctx context.Context, base, token string, objs []observation.Observation) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for i := range objs {
		if err := enc.Encode(&objs[i]); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/observations", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var br struct {
		Rejected int `json:"rejected"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || br.Rejected > 0 {
		return fmt.Errorf("status %s, %d rejected", resp.Status, br.Rejected)
	}
	return nil
}

type incidentRef struct {
	ID           string   `json:"id"`
	Observations []string `json:"observations"`
}

// incidentsOf lists every incident the token may see.
func incidentsOf(ctx context.Context, base, token string) []incidentRef {
	var all []incidentRef
	q := url.Values{"limit": {"1000"}}
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/incidents?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return all
		}
		var page struct {
			Items      []incidentRef `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		q.Set("cursor", page.NextCursor)
	}
}

// get fetches path from the fixture with the given headers and cookies,
// without following redirects.
func (fx *fixture) get(t testing.TB, path string, header map[string]string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	return fx.do(t, "GET", path, nil, header, cookies...)
}

func (fx *fixture) do(t testing.TB, method, path string, body io.Reader, header map[string]string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, fx.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
