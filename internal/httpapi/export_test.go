package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"truce/internal/auth"
	"truce/internal/export"
)

// get sends a GET and returns the status, the Content-Type and the body.
func (s *server) get(path, token string) (int, string, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestExportAccess checks every role and the public against the export:
// analysts and the mediator read it, every other role is refused.
func TestExportAccess(t *testing.T) {
	s := newServer(t, 0)
	tokens := map[string]string{"public": "", "bad token": "truce_not-a-real-token"}
	want := map[string]int{"public": 401, "bad token": 401}
	for _, r := range []auth.Role{auth.Monitor, auth.Analyst, auth.Mediator, auth.Party, auth.Observer, auth.Witness, auth.Caseworker, auth.Admin} {
		org := "Org"
		if r == auth.Party {
			org = "UA"
		}
		tokens[string(r)] = s.user(r, org, nil)
		want[string(r)] = 403
	}
	want["analyst"], want["mediator"] = 200, 200
	if st, b := s.do("POST", "/api/v1/observations", tokens["analyst"], "", obs(1, nil)); st != 201 {
		t.Fatalf("setup: %d %s", st, b)
	}
	for _, f := range export.Formats() {
		for who, tok := range tokens {
			st, ct, b := s.get("/api/v1/export?format="+string(f), tok)
			if st != want[who] {
				t.Errorf("%s %s: %d, want %d: %s", who, f, st, want[who], b)
				continue
			}
			if st == 200 && ct != f.ContentType() {
				t.Errorf("%s %s: Content-Type %q, want %q", who, f, ct, f.ContentType())
			}
			if st != 200 {
				if code, _, _ := apiErr(t, b); code == "" {
					t.Errorf("%s %s: %d without an error body", who, f, st)
				}
			}
		}
	}
}

// TestExportFormats submits observations through the API and reads each
// export back: the incidents the API lists, in every format.
func TestExportFormats(t *testing.T) {
	s := newServer(t, 0)
	tok := s.user(auth.Analyst, "Mission", nil)
	// Two reports of one impact, one far away, one region-only.
	for i, ch := range []map[string]any{
		nil,
		{"lat": 47.841, "observed_at": "2025-06-01T01:24:00Z"},
		{"lat": 49.0, "lon": 32.0, "kind": "drone", "domain": "air", "observed_at": "2025-06-01T03:00:00Z"},
		{"lat": nil, "lon": nil, "region": "UA-65", "kind": "mortar", "observed_at": "2025-06-01T05:00:00Z"},
	} {
		if st, b := s.do("POST", "/api/v1/observations", tok, "", obs(i+1, ch)); st != 201 {
			t.Fatalf("setup: %d %s", st, b)
		}
	}
	st, _, b := s.get("/api/v1/incidents", tok)
	if st != 200 {
		t.Fatalf("incidents: %d %s", st, b)
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	json.Unmarshal(b, &page)
	if len(page.Items) != 3 {
		t.Fatalf("%d incidents, want 3", len(page.Items))
	}

	st, _, b = s.get("/api/v1/export?format=jsonl", tok)
	if st != 200 {
		t.Fatalf("jsonl: %d %s", st, b)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != len(page.Items) {
		t.Fatalf("jsonl: %d lines, want %d", len(lines), len(page.Items))
	}
	for i, l := range lines {
		var a, b bytes.Buffer
		json.Compact(&a, []byte(l))
		json.Compact(&b, page.Items[i])
		if a.String() != b.String() {
			t.Errorf("jsonl line %d:\n got %s\nwant %s", i, a.String(), b.String())
		}
	}

	for _, tt := range []struct {
		f    export.Format
		cols []string
	}{{export.ACLED, export.ACLEDColumns}, {export.UCDP, export.UCDPColumns}} {
		st, _, b := s.get("/api/v1/export?format="+string(tt.f), tok)
		if st != 200 {
			t.Fatalf("%s: %d %s", tt.f, st, b)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", tt.f, err)
		}
		if strings.Join(rows[0], ",") != strings.Join(tt.cols, ",") || len(rows) != 4 {
			t.Errorf("%s: header %v, %d rows", tt.f, rows[0], len(rows)-1)
		}
	}

	st, _, b = s.get("/api/v1/export?format=geojson", tok)
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry *struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); st != 200 || err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("geojson: %d %v %s", st, err, b)
	}
	points := 0
	for _, f := range fc.Features {
		if f.Geometry != nil {
			points++
			if f.Geometry.Type != "Point" || f.Geometry.Coordinates[0] < 30 || f.Geometry.Coordinates[1] < 45 {
				t.Errorf("geometry %+v: want a Point in lon, lat order", f.Geometry)
			}
		}
	}
	if points != 2 {
		t.Errorf("%d point features, want 2 (and one null geometry)", points)
	}

	// A window holding only the drone.
	st, _, b = s.get("/api/v1/export?format=jsonl&from=2025-06-01T02:00:00Z&to=2025-06-01T04:00:00Z", tok)
	if st != 200 || strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), `"kind":"drone"`) {
		t.Errorf("window: %d %s", st, b)
	}
}

func TestExportBadRequests(t *testing.T) {
	s := newServer(t, 0)
	tok := s.user(auth.Analyst, "Mission", nil)
	for _, tt := range []struct{ query, field string }{
		{"", "format"},
		{"?format=xlsx", "format"},
		{"?format=jsonl&from=yesterday", "from"},
		{"?format=jsonl&from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", "to"},
		{"?format=jsonl&bbox=1,2,3,4", "bbox"},
	} {
		st, ct, b := s.get("/api/v1/export"+tt.query, tok)
		if st != 400 || ct != "application/json" {
			t.Errorf("%q: %d %q, want 400 JSON", tt.query, st, ct)
			continue
		}
		if code, field, _ := apiErr(t, b); code != "invalid" || field != tt.field {
			t.Errorf("%q: error %s on %q, want invalid on %q", tt.query, code, field, tt.field)
		}
	}
}
