package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/incident"
	"truce/internal/metrics"
	"truce/internal/observation"
	"truce/internal/report"
	"truce/internal/simulate"
	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

// TestDailyReportAccess checks that every role, and the public, may read
// the daily report in each format, and that a bad token is still refused.
func TestDailyReportAccess(t *testing.T) {
	s := newServer(t, 0)
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.WriteBulletins(context.Background(), storetest.ShippedBulletins(t), accepted); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"public": ""}
	for _, r := range []auth.Role{auth.Monitor, auth.Analyst, auth.Mediator, auth.Party, auth.Observer, auth.Witness, auth.Caseworker, auth.Admin} {
		org := "Org"
		if r == auth.Party {
			org = "UA"
		}
		tokens[string(r)] = s.user(r, org, nil)
	}
	for _, tt := range []struct{ query, contentType, contains string }{
		{"", "application/json", `"launched": 472`},
		{"?format=json", "application/json", `"launched": 472`},
		{"?format=md", "text/markdown; charset=utf-8", "| drones | 472 |"},
		{"?format=html", "text/html; charset=utf-8", "<svg"},
	} {
		for who, tok := range tokens {
			req, _ := http.NewRequest("GET", s.url+"/api/v1/reports/daily/2025-06-01"+tt.query, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tt.contentType || !strings.Contains(string(b), tt.contains) {
				t.Errorf("%s %s: %d %q, body has %q: %v", who, tt.query, resp.StatusCode, resp.Header.Get("Content-Type"), tt.contains, strings.Contains(string(b), tt.contains))
			}
		}
	}
	if st, _ := s.do("GET", "/api/v1/reports/daily/2025-06-01", "truce_not-a-real-token", "", nil); st != 401 {
		t.Errorf("bad token: %d, want 401", st)
	}
}

func TestDailyReportFigures(t *testing.T) {
	s := newServer(t, 0)
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.WriteBulletins(context.Background(), storetest.ShippedBulletins(t), accepted); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.WriteAlerts(context.Background(), storetest.ShippedAlerts(t), accepted); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		day              string
		drones, missiles int
	}{{"2025-06-01", 472, 7}, {"2025-07-09", 728, 13}} {
		st, body := s.do("GET", "/api/v1/reports/daily/"+tt.day, "", "", nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", tt.day, st, body)
		}
		var r struct {
			Day    string
			Air    struct{ Drones, Missiles struct{ Launched int } }
			Alerts []struct {
				Region, Name string
				Count        int
				Minutes      float64
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Day != tt.day || r.Air.Drones.Launched != tt.drones || r.Air.Missiles.Launched != tt.missiles || len(r.Alerts) == 0 {
			t.Errorf("%s: got %+v", tt.day, r)
		}
	}
}

func TestDailyReportBadRequests(t *testing.T) {
	s := newServer(t, 0)
	for _, tt := range []struct{ path, field string }{
		{"/api/v1/reports/daily/2025-13-01", "day"},
		{"/api/v1/reports/daily/yesterday", "day"},
		{"/api/v1/reports/daily/2025-06-01?format=pdf", "format"},
		{"/api/v1/reports/daily/2025-06-01?colour=red", "colour"},
		{"/api/v1/reports/daily/2025-06-01?format=md&lang=de", "lang"},
		{"/api/v1/reports/daily/2025-06-01?format=md&lang=UK", "lang"},
		{"/api/v1/reports/daily/2025-06-01?lang=uk-UA", "lang"},
	} {
		st, body := s.do("GET", tt.path, "", "", nil)
		code, field, _ := apiErr(t, body)
		if st != 400 || code != "invalid" || field != tt.field {
			t.Errorf("%s: %d %s %s, want 400 invalid naming %q", tt.path, st, code, field, tt.field)
		}
	}
}

// TestAirSeries checks the figures series against the shipped data (1 June
// 2025: 472 drones, 7 missiles) and, day by day, against the daily report
// of each day, over ranges where the raw alert feeds (2024) and the merged
// table (2025) apply.
func TestAirSeries(t *testing.T) {
	s := newServer(t, 0)
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.WriteBulletins(context.Background(), storetest.ShippedBulletins(t), accepted); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.WriteAlerts(context.Background(), storetest.ShippedAlerts(t), accepted); err != nil {
		t.Fatal(err)
	}
	type item struct {
		Day               string
		Drones, Missiles  int
		DronesDestroyed   int     `json:"drones_destroyed"`
		MissilesDestroyed int     `json:"missiles_destroyed"`
		AirReported       bool    `json:"air_reported"`
		Alerts            int     `json:"alerts"`
		AlertMinutes      float64 `json:"alert_minutes"`
		AlertsReported    bool    `json:"alerts_reported"`
	}
	series := func(t *testing.T, from, to string) []item {
		t.Helper()
		st, body := s.do("GET", "/api/v1/reports/air?from="+from+"&to="+to, "", "", nil)
		if st != 200 {
			t.Fatalf("%s..%s: %d %s", from, to, st, body)
		}
		var page struct{ Items []item }
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		return page.Items
	}
	items := series(t, "2025-06-01", "2025-06-01")
	if len(items) != 1 || items[0].Day != "2025-06-01" || items[0].Drones != 472 || items[0].Missiles != 7 || !items[0].AirReported {
		t.Errorf("1 June 2025: %+v, want 472 drones and 7 missiles", items)
	}
	for _, rg := range [][2]string{{"2025-05-27", "2025-06-03"}, {"2025-07-07", "2025-07-10"}, {"2024-01-14", "2024-01-18"}, {"2024-02-27", "2024-03-02"}} {
		items := series(t, rg[0], rg[1])
		for i, it := range items {
			st, body := s.do("GET", "/api/v1/reports/daily/"+it.Day, "", "", nil)
			if st != 200 {
				t.Fatalf("%s: %d", it.Day, st)
			}
			var r struct {
				Day string
				Air struct {
					Drones, Missiles struct{ Launched, Destroyed int }
					Reported         bool
				}
				Alerts []struct {
					Count   int
					Minutes float64
				}
				AlertTotals struct {
					Alerts int
					Feeds  []string
				} `json:"alert_totals"`
			}
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			var minutes float64
			for _, a := range r.Alerts {
				minutes += a.Minutes
			}
			want := item{Day: r.Day, Drones: r.Air.Drones.Launched, Missiles: r.Air.Missiles.Launched,
				DronesDestroyed: r.Air.Drones.Destroyed, MissilesDestroyed: r.Air.Missiles.Destroyed, AirReported: r.Air.Reported,
				Alerts: r.AlertTotals.Alerts, AlertMinutes: math.Round(minutes*10) / 10, AlertsReported: len(r.AlertTotals.Feeds) > 0}
			if it != want {
				t.Errorf("%s: series %+v, daily report %+v", it.Day, it, want)
			}
			if i == 0 && it.Day != rg[0] || i == len(items)-1 && it.Day != rg[1] {
				t.Errorf("%s..%s: item %d is %s", rg[0], rg[1], i, it.Day)
			}
		}
	}
	if got := len(series(t, "2024-01-01", "2025-02-03")); got != 400 {
		t.Errorf("a 400-day range: %d items", got)
	}
}

func TestAirSeriesBadRequests(t *testing.T) {
	s := newServer(t, 0)
	for _, tt := range []struct{ query, field string }{
		{"", "from"},
		{"?to=2025-06-01", "from"},
		{"?from=2025-06-01", "to"},
		{"?from=2025-6-1&to=2025-06-02", "from"},
		{"?from=2025-06-01&to=tomorrow", "to"},
		{"?from=2025-06-02&to=2025-06-01", "to"},
		{"?from=2024-01-01&to=2025-02-04", "to"},
		{"?from=0001-01-01&to=9999-12-31", "to"},
		{"?from=2025-06-01&to=2025-06-02&format=csv", "format"},
	} {
		st, body := s.do("GET", "/api/v1/reports/air"+tt.query, "", "", nil)
		code, field, _ := apiErr(t, body)
		if st != 400 || code != "invalid" || field != tt.field {
			t.Errorf("%q: %d %s %s, want 400 invalid naming %q", tt.query, st, code, field, tt.field)
		}
	}
}

// newReportServer is the API with the parties' loop and the report
// renderer wired as serve wires them, on a clock the test moves.
func newReportServer(t *testing.T) *loopServer {
	t.Helper()
	reports, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	return newLoopServerWith(t, reports)
}

// dayReport is the part of the daily report's JSON these tests read.
type dayReport struct {
	Incidents struct {
		Included          bool
		View              string
		Total, Violations int
		Items             []struct {
			ID       string
			Domain   string
			Status   string
			Lat, Lon *float64
		}
		ByDomain []struct {
			Domain    string
			Incidents int
			CountBest int `json:"count_best"`
		} `json:"by_domain"`
	}
	Notes []string
}

// TestDailyReportIncidentsPerReader: analysts and the mediator get every
// incident of the day; the public, parties and observers only those
// released to them, as released (the public's positions coarsened), so
// the public's version never holds an unreleased incident.
func TestDailyReportIncidentsPerReader(t *testing.T) {
	s := newReportServer(t)
	monitor, analyst, mediator := s.user(auth.Monitor, "Mission", nil), s.user(auth.Analyst, "Mission", nil), s.user(auth.Mediator, "Talks", nil)
	ru, observer := s.user(auth.Party, "RU", nil), s.user(auth.Observer, "State", nil)
	// Five incidents on 1 June (Kyiv), one on 2 June (Kyiv: 21:30 UTC).
	var ids []string
	for i := range 5 {
		ids = append(ids, s.incidentAt(monitor, analyst, i+1, i+1))
	}
	s.clock.advance(10 * time.Hour)
	s.json("POST", "/api/v1/observations", monitor, string(obs(9, map[string]any{"observed_at": "2025-06-01T21:30:00Z", "lat": 49.0, "lon": 25.0})), 201, nil)
	get := func(tok string) dayReport {
		t.Helper()
		var r dayReport
		s.json("GET", "/api/v1/reports/daily/2025-06-01", tok, nil, 200, &r)
		return r
	}
	for who, tok := range map[string]string{"analyst": analyst, "mediator": mediator} {
		r := get(tok)
		if !r.Incidents.Included || r.Incidents.View != "staff" || r.Incidents.Total != 5 || len(r.Incidents.Items) != 5 {
			t.Errorf("%s: included %v, view %q, %d incidents (%d listed), want staff and 5", who, r.Incidents.Included, r.Incidents.View, r.Incidents.Total, len(r.Incidents.Items))
		}
	}
	for who, tok := range map[string]string{"public": "", "RU": ru, "observer": observer, "monitor": monitor} {
		r := get(tok)
		if !r.Incidents.Included || r.Incidents.View != "released" || r.Incidents.Total != 0 || len(r.Incidents.Items) != 0 || len(r.Incidents.ByDomain) != 0 {
			t.Errorf("%s before any release: view %q, %d incidents, %v", who, r.Incidents.View, r.Incidents.Total, r.Incidents.ByDomain)
		}
	}
	// A finding on the third incident, released to the public.
	var f findingOut
	s.json("POST", "/api/v1/incidents/"+ids[2]+"/findings", analyst, map[string]any{"party": "RU", "established": "Shelling."}, 201, &f)
	path := "/api/v1/findings/" + f.ID
	s.json("POST", path+"/send", analyst, nil, 200, nil)
	if r := get(ru); r.Incidents.Total != 1 || r.Incidents.Items[0].ID != ids[2] {
		t.Errorf("RU after the finding is sent: %+v", r.Incidents)
	}
	if r := get(""); r.Incidents.Total != 0 {
		t.Errorf("the public sees an incident released to the parties only: %+v", r.Incidents)
	}
	s.json("POST", path+"/reply", ru, map[string]any{"text": "Not us."}, 200, nil)
	s.json("POST", path+"/release_observers", analyst, nil, 200, nil)
	s.clock.advance(24 * time.Hour)
	if _, err := s.findings.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	var exact incident.Incident
	s.json("GET", "/api/v1/incidents/"+ids[2], analyst, nil, 200, &exact)
	pub := get("")
	if pub.Incidents.Total != 1 || len(pub.Incidents.Items) != 1 || pub.Incidents.Items[0].ID != ids[2] {
		t.Fatalf("the public after release: %+v", pub.Incidents)
	}
	it := pub.Incidents.Items[0]
	if it.Lat == nil || *it.Lat != math.Round(*exact.Lat*10)/10 || *it.Lon != math.Round(*exact.Lon*10)/10 {
		t.Errorf("the public's position %v,%v; want %v,%v rounded to 0.1°", it.Lat, it.Lon, *exact.Lat, *exact.Lon)
	}
	if len(pub.Incidents.ByDomain) != 1 || pub.Incidents.ByDomain[0].Incidents != 1 {
		t.Errorf("the public's tables count unreleased incidents: %+v", pub.Incidents.ByDomain)
	}
	if !strings.Contains(strings.Join(pub.Notes, " "), "released to this report's readers") {
		t.Errorf("the public's notes do not say what is left out: %q", pub.Notes)
	}
	// The public's HTML and Markdown hold no unreleased incident either.
	for _, format := range []string{"html", "md"} {
		st, body := s.do("GET", "/api/v1/reports/daily/2025-06-01?format="+format, "", "", nil)
		if st != 200 {
			t.Fatalf("%s: %d", format, st)
		}
		for i, id := range ids {
			if i != 2 && strings.Contains(string(body), id) {
				t.Errorf("%s: the public's report names unreleased incident %s", format, id)
			}
		}
	}
	if st, body := s.do("GET", "/api/v1/reports/daily/2025-06-01", "", "", nil); st != 200 || !strings.Contains(string(body), ids[2]) {
		t.Errorf("public JSON: %d", st)
	}
	if r := get(analyst); r.Incidents.Total != 5 {
		t.Errorf("the analyst after release: %d incidents", r.Incidents.Total)
	}
}

// TestDailyReportCacheHeaders: the public's version may be cached by
// anyone; a signed-in reader's is private.
func TestDailyReportCacheHeaders(t *testing.T) {
	s := newServer(t, 0)
	analyst := s.user(auth.Analyst, "Mission", nil)
	for _, tt := range []struct{ tok, want string }{{"", "public, max-age=60"}, {analyst, "private, max-age=60"}} {
		req, _ := http.NewRequest("GET", s.url+"/api/v1/reports/daily/2025-06-01", nil)
		if tt.tok != "" {
			req.Header.Set("Authorization", "Bearer "+tt.tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Cache-Control"); got != tt.want || resp.Header.Get("Vary") == "" {
			t.Errorf("token %v: Cache-Control %q, Vary %q; want %q", tt.tok != "", got, resp.Header.Get("Vary"), tt.want)
		}
	}
}

// BenchmarkDailyReport100k measures the daily report of a day holding
// 100,000 simulated observations, fused by the live view, built and
// rendered as HTML through the endpoint's handler for an analyst (every
// incident: the heaviest view) and for the public:
//
//	go test ./internal/httpapi -run '^$' -bench DailyReport100k -benchtime 20x
//
// It reports ms/op and the page's bytes (html-bytes), and the day's
// incidents. Setting up (simulating, storing and fusing the day) takes a
// few seconds and is not timed.
func BenchmarkDailyReport100k(b *testing.B) {
	ctx := context.Background()
	cfg := simulate.Config{Seed: 7, Start: time.Date(2025, 5, 31, 21, 0, 0, 0, time.UTC), Days: 1, ShellingPerDay: 40500,
		Barrages: 2, BarrageImpacts: 250, NavalPerDay: 15, FalseRate: 0.03, InventedRate: 0.03, MisstateRate: 0.1}
	sc, err := simulate.Generate(cfg)
	if err != nil {
		b.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "truce.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	prep := make([]observation.Prepared, len(sc.Records))
	for i, r := range sc.Records {
		prep[i] = observation.Prepare(r)
	}
	for i := 0; i < len(prep); i += 5000 {
		if _, err := store.WriteObservations(ctx, prep[i:min(i+5000, len(prep))]); err != nil {
			b.Fatal(err)
		}
	}
	bd := boundaries(b)
	incidents := fusion.New(store, incident.Config{Locate: bd.Locate}, nil)
	if err := incidents.Load(ctx); err != nil {
		b.Fatal(err)
	}
	reports, err := report.NewRenderer(bd)
	if err != nil {
		b.Fatal(err)
	}
	h := httpapi.NewHandler(httpapi.Config{Store: store, Metrics: metrics.New(), Reports: reports, Incidents: incidents, Agreements: incidents})
	tok, hash, err := auth.NewToken()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.CreateUser(ctx, &auth.User{Name: "analyst", Role: auth.Analyst, Org: "Mission"}, hash); err != nil {
		b.Fatal(err)
	}
	for _, reader := range []struct{ name, token, lang string }{{"analyst", tok, "en"}, {"analyst", tok, "uk"}, {"public", "", "en"}} {
		b.Run("reader="+reader.name+"/lang="+reader.lang, func(b *testing.B) {
			var size int
			var page []byte
			for b.Loop() {
				req := httptest.NewRequest("GET", "/api/v1/reports/daily/2025-06-01?format=html&lang="+reader.lang, nil)
				if reader.token != "" {
					req.Header.Set("Authorization", "Bearer "+reader.token)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
				}
				size, page = rec.Body.Len(), rec.Body.Bytes()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			b.ReportMetric(float64(size), "html-bytes")
			b.ReportMetric(float64(len(prep)), "observations")
			if reader.token != "" && !bytes.Contains(page, []byte(map[string]string{"en": "binned into", "uk": "згруповано в"}[reader.lang])) {
				b.Errorf("the analyst's page does not bin its map")
			}
			if size > 1_000_000 {
				b.Errorf("the page weighs %d bytes, over 1 MB", size)
			}
		})
	}
	var r struct{ Incidents struct{ Total int } }
	req := httptest.NewRequest("GET", "/api/v1/reports/daily/2025-06-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	json.Unmarshal(rec.Body.Bytes(), &r)
	b.Logf("%d observations, %d incidents on the day; JSON report %d bytes", len(prep), r.Incidents.Total, rec.Body.Len())
}

// BenchmarkAirSeries400 measures the figures series over 400 days of the
// shipped data (bulletins April–July 2025, raw alerts January–February
// 2024 and merged alerts April–July 2025):
//
//	go test ./internal/httpapi -run '^$' -bench AirSeries400 -benchtime 20x
func BenchmarkAirSeries400(b *testing.B) {
	s := newServer(b, 0)
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.WriteBulletins(context.Background(), storetest.ShippedBulletins(b), accepted); err != nil {
		b.Fatal(err)
	}
	if _, err := s.store.WriteAlerts(context.Background(), storetest.ShippedAlerts(b), accepted); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if st, body := s.do("GET", "/api/v1/reports/air?from=2024-07-01&to=2025-08-04", "", "", nil); st != 200 {
			b.Fatalf("%d %s", st, body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// TestAirSeriesAccess: the series is public; every role reads it, a bad
// token is refused.
func TestAirSeriesAccess(t *testing.T) {
	s := newServer(t, 0)
	path := "/api/v1/reports/air?from=2025-06-01&to=2025-06-02"
	for _, r := range []auth.Role{auth.Monitor, auth.Analyst, auth.Mediator, auth.Party, auth.Observer, auth.Witness, auth.Caseworker, auth.Admin} {
		org := "Org"
		if r == auth.Party {
			org = "UA"
		}
		if st, body := s.do("GET", path, s.user(r, org, nil), "", nil); st != 200 {
			t.Errorf("%s: %d %s", r, st, body)
		}
	}
	if st, body := s.do("GET", path, "", "", nil); st != 200 || !strings.Contains(string(body), `"day":"2025-06-02"`) {
		t.Errorf("public: %d %s", st, body)
	}
	if st, _ := s.do("GET", path, "truce_not-a-real-token", "", nil); st != 401 {
		t.Errorf("bad token: %d, want 401", st)
	}
}

// TestDailyReportLanguages checks ?lang= and Accept-Language: Markdown and
// HTML in the language asked for, ?lang= before the header, English by
// default, and the same JSON in every language.
func TestDailyReportLanguages(t *testing.T) {
	s := newServer(t, 0)
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.store.WriteBulletins(context.Background(), storetest.ShippedBulletins(t), accepted); err != nil {
		t.Fatal(err)
	}
	get := func(query, acceptLanguage string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+"/api/v1/reports/daily/2025-06-01"+query, nil)
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("%s (%s): %d %s", query, acceptLanguage, resp.StatusCode, b)
		}
		return resp, string(b)
	}
	for _, tt := range []struct{ query, acceptLanguage, lang, contains string }{
		{"?format=md", "", "en", "| drones | 472 |"},
		{"?format=md&lang=uk", "", "uk", "| дрони | 472 |"},
		{"?format=md&lang=ru", "uk", "ru", "| дроны | 472 |"},
		{"?format=md", "uk-UA,uk;q=0.9", "uk", "# Щоденний звіт, 2025-06-01"},
		{"?format=md&lang=en", "uk", "en", "# Daily report, 2025-06-01"},
		{"?format=md&lang=", "ru", "ru", "# Ежедневный отчёт, 2025-06-01"},
		{"?format=html&lang=uk", "", "uk", `<html lang="uk">`},
		{"?format=html", "ru", "ru", `<html lang="ru">`},
		{"?format=html", "de", "en", `<html lang="en">`},
	} {
		resp, body := get(tt.query, tt.acceptLanguage)
		if !strings.Contains(body, tt.contains) {
			t.Errorf("%s (%s): the body lacks %q", tt.query, tt.acceptLanguage, tt.contains)
		}
		if got := resp.Header.Get("Content-Language"); got != tt.lang {
			t.Errorf("%s (%s): Content-Language %q, want %q", tt.query, tt.acceptLanguage, got, tt.lang)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Language") {
			t.Errorf("%s: Vary %q lacks Accept-Language", tt.query, resp.Header.Get("Vary"))
		}
	}
	_, en := get("", "")
	for _, q := range []string{"?lang=uk", "?lang=ru&format=json"} {
		if _, body := get(q, "uk"); body != en {
			t.Errorf("%s: the JSON differs from English", q)
		}
	}
}
