package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"truce/internal/auth"
)

func TestListPaging(t *testing.T) {
	s := newServer(t, 0)
	mon := s.user(auth.Monitor, "Mission", nil)
	analyst := s.user(auth.Analyst, "Mission", nil)
	var batch bytes.Buffer
	for i := 1; i <= 230; i++ {
		kind, domain := "artillery", "land"
		if i%3 == 0 {
			kind, domain = "drone", "air"
		}
		batch.Write(obs(i, map[string]any{"observed_at": fmt.Sprintf("2025-06-01T%02d:%02d:00Z", (i/60)%24, i%60), "kind": kind, "domain": domain}))
		batch.WriteByte('\n')
	}
	if st, b := s.do("POST", "/api/v1/observations", mon, "application/x-ndjson", batch.Bytes()); st != 200 {
		t.Fatalf("setup: %d %s", st, b)
	}
	tests := []struct {
		query string
		want  int
	}{
		{"limit=50", 230},
		{"limit=1000", 230},
		{"limit=7&domain=air", 76}, // multiples of 3 up to 230
		{"limit=33&kind=artillery&from=2025-06-01T01:00:00Z", 171 - 57}, // minutes 60..230, less multiples of 3
		{"limit=10&from=2025-06-01T01:00:00Z&to=2025-06-01T02:00:00Z", 60},
		{"source=camera", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			seen := map[string]bool{}
			q := tt.query
			for pages := 0; ; pages++ {
				if pages > 300 {
					t.Fatal("paging does not end")
				}
				st, body := s.do("GET", "/api/v1/observations?"+q, analyst, "", nil)
				if st != 200 {
					t.Fatalf("status %d: %s", st, body)
				}
				var page struct {
					Items      []struct{ ID string }
					NextCursor *string `json:"next_cursor"`
				}
				if err := json.Unmarshal(body, &page); err != nil {
					t.Fatal(err)
				}
				for _, it := range page.Items {
					if seen[it.ID] {
						t.Fatalf("%s listed twice", it.ID)
					}
					seen[it.ID] = true
				}
				if page.NextCursor == nil || *page.NextCursor == "" {
					break
				}
				q = tt.query + "&cursor=" + url.QueryEscape(*page.NextCursor)
			}
			if len(seen) != tt.want {
				t.Errorf("got %d items, want %d", len(seen), tt.want)
			}
		})
	}
}

func TestListBadQuery(t *testing.T) {
	s := newServer(t, 0)
	analyst := s.user(auth.Analyst, "Mission", nil)
	tests := []struct{ query, field string }{
		{"from=yesterday", "from"},
		{"to=2025-13-01T00:00:00Z", "to"},
		{"from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", "to"},
		{"domain=space", "domain"},
		{"kind=banana", "kind"},
		{"source=rumour", "source"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"limit=ten", "limit"},
		{"cursor=abc", "cursor"},
		{"cursor=" + strings.Repeat("A", 40), "cursor"},
		{"bbox=1,2,3,4", "bbox"},
	}
	for _, tt := range tests {
		st, body := s.do("GET", "/api/v1/observations?"+tt.query, analyst, "", nil)
		if _, field, _ := apiErr(t, body); st != 400 || field != tt.field {
			t.Errorf("%s: status %d field %q, want 400 %q", tt.query, st, field, tt.field)
		}
	}
}

func TestUnknownAPIPath(t *testing.T) {
	s := newServer(t, 0)
	st, body := s.do("GET", "/api/v1/nothing-here", "", "", nil)
	if code, _, _ := apiErr(t, body); st != 404 || code != "not_found" {
		t.Errorf("status %d code %q, want 404 not_found", st, code)
	}
}

func TestMetrics(t *testing.T) {
	s := newServer(t, 0)
	mon := s.user(auth.Monitor, "Mission", nil)
	s.do("POST", "/api/v1/observations", mon, "", obs(1, nil))
	s.do("POST", "/api/v1/observations", mon, "", obs(1, nil))
	s.do("POST", "/api/v1/observations", mon, "application/x-ndjson", append(append(obs(2, nil), '\n'), obs(3, map[string]any{"lat": 100})...))
	_, body := s.do("GET", "/metrics", "", "", nil)
	for _, want := range []string{
		`truce_observations_total{outcome="created"} 2`,
		`truce_observations_total{outcome="duplicate"} 1`,
		`truce_observations_total{outcome="rejected"} 1`,
		`truce_http_requests_total{route="POST /api/v1/observations",code="201"} 1`,
		`truce_http_requests_total{route="POST /api/v1/observations",code="207"} 1`,
		`truce_observation_batch_size_bucket{le="2"} 3`,
		`truce_observation_batch_size_count 3`,
		`# TYPE truce_http_request_duration_seconds histogram`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
}
