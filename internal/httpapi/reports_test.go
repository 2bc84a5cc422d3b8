package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"truce/internal/auth"
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
		{"/api/v1/reports/daily/2025-06-01?lang=uk", "lang"},
	} {
		st, body := s.do("GET", tt.path, "", "", nil)
		code, field, _ := apiErr(t, body)
		if st != 400 || code != "invalid" || field != tt.field {
			t.Errorf("%s: %d %s %s, want 400 invalid naming %q", tt.path, st, code, field, tt.field)
		}
	}
}
