package httpapi_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"truce/internal/auth"
	"truce/internal/observation"
)

func TestPostObservationBadInput(t *testing.T) {
	s := newServer(t, 1<<20)
	tok := s.user(auth.Monitor, "Mission", nil)
	huge := strings.Repeat("x", observation.MaxBytes)
	manyEvidence := make([]map[string]string, 33)
	for i := range manyEvidence {
		manyEvidence[i] = map[string]string{"sha256": strings.Repeat("a", 64)}
	}
	bigArray := "[" + strings.Repeat(string(obs(1, map[string]any{"narrative": strings.Repeat("y", 8000)}))+",", 200) + string(obs(2, nil)) + "]"
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"id is a number", string(obs(1, map[string]any{"id": 5})), 400, "id"},
		{"id not a UUID", string(obs(1, map[string]any{"id": "obs-1"})), 400, "id"},
		{"id missing", string(obs(1, map[string]any{"id": nil})), 400, "id"},
		{"observed_at missing", string(obs(1, map[string]any{"observed_at": nil})), 400, "observed_at"},
		{"observed_at not RFC 3339", string(obs(1, map[string]any{"observed_at": "yesterday"})), 400, "observed_at"},
		{"observed_at is a number", string(obs(1, map[string]any{"observed_at": 1748740000})), 400, "observed_at"},
		{"observed_at an hour ahead", string(obs(1, map[string]any{"observed_at": "2025-06-01T13:00:01Z"})), 400, "observed_at"},
		{"observed_at before 2000", string(obs(1, map[string]any{"observed_at": "1999-12-31T23:59:59Z"})), 400, "observed_at"},
		{"lat NaN", strings.Replace(string(obs(1, nil)), `"lat":47.84`, `"lat":NaN`, 1), 400, "lat"},
		{"lon Infinity", strings.Replace(string(obs(1, nil)), `"lon":35.14`, `"lon":Infinity`, 1), 400, "lon"},
		{"lat -Infinity", strings.Replace(string(obs(1, nil)), `"lat":47.84`, `"lat":-Infinity`, 1), 400, "lat"},
		{"lat above 90", string(obs(1, map[string]any{"lat": 91})), 400, "lat"},
		{"lon below -180", string(obs(1, map[string]any{"lon": -180.5})), 400, "lon"},
		{"lat without lon", string(obs(1, map[string]any{"lon": nil})), 400, "lon"},
		{"neither coordinates nor region", string(obs(1, map[string]any{"lat": nil, "lon": nil})), 400, "lat"},
		{"lat is a string", string(obs(1, map[string]any{"lat": "47.84"})), 400, "lat"},
		{"region not ISO 3166-2", string(obs(1, map[string]any{"lat": nil, "lon": nil, "region": "Kyiv"})), 400, "region"},
		{"unknown domain", string(obs(1, map[string]any{"domain": "space"})), 400, "domain"},
		{"domain missing", string(obs(1, map[string]any{"domain": nil})), 400, "domain"},
		{"unknown kind", string(obs(1, map[string]any{"kind": "banana"})), 400, "kind"},
		{"kind of another domain", string(obs(1, map[string]any{"domain": "sea", "kind": "drone"})), 400, "kind"},
		{"unknown source", string(obs(1, map[string]any{"source": "rumour"})), 400, "source"},
		{"source missing", string(obs(1, map[string]any{"source": nil})), 400, "source"},
		{"negative count", string(obs(1, map[string]any{"count": -3})), 400, "count"},
		{"zero count", string(obs(1, map[string]any{"count": 0})), 400, "count"},
		{"fractional count", string(obs(1, map[string]any{"count": 1.5})), 400, "count"},
		{"count is a string", string(obs(1, map[string]any{"count": "12"})), 400, "count"},
		{"negative time uncertainty", string(obs(1, map[string]any{"time_uncertainty_s": -1})), 400, "time_uncertainty_s"},
		{"location uncertainty of a million km", string(obs(1, map[string]any{"location_uncertainty_m": 1e9})), 400, "location_uncertainty_m"},
		{"attributed_to not a party code", string(obs(1, map[string]any{"attributed_to": "Russia"})), 400, "attributed_to"},
		{"oversized narrative", string(obs(1, map[string]any{"narrative": strings.Repeat("ж", 5000)})), 400, "narrative"},
		{"evidence hash not 64 hex", string(obs(1, map[string]any{"evidence": []map[string]string{{"sha256": "abc123"}}})), 400, "evidence[0].sha256"},
		{"evidence hash not hex", string(obs(1, map[string]any{"evidence": []map[string]string{{"sha256": strings.Repeat("g", 64)}}})), 400, "evidence[0].sha256"},
		{"evidence media type", string(obs(1, map[string]any{"evidence": []map[string]string{{"sha256": strings.Repeat("a", 64), "media_type": "jpeg photo"}}})), 400, "evidence[0].media_type"},
		{"evidence not an array", string(obs(1, map[string]any{"evidence": "abc"})), 400, "evidence"},
		{"too much evidence", string(obs(1, map[string]any{"evidence": manyEvidence})), 400, "evidence"},
		{"unknown field", string(obs(1, map[string]any{"submitter": "someone else"})), 400, "submitter"},
		{"signature without a registered key", string(obs(1, map[string]any{"signature": strings.Repeat("A", 86) + "=="})), 400, "signature"},
		{"signature not base64", string(obs(1, map[string]any{"signature": "not base64!"})), 400, "signature"},
		{"trailing garbage", string(obs(1, nil)) + " xyz", 400, "body"},
		{"two objects", string(obs(1, nil)) + string(obs(2, nil)), 400, "body"},
		{"not an object", `"hello"`, 400, "body"},
		{"empty body", ``, 400, "body"},
		{"truncated", `{"id": "6f1c7a2e-0d0b-4a6e-9d1f-000000000001", "lat": 4`, 400, "body"},
		{"malformed array element", "[" + string(obs(1, nil)) + ", {\"id\": }]", 400, "body"},
		{"one observation over 64 KiB", string(obs(1, map[string]any{"narrative": huge})), 413, "body"},
		{"body over the limit", bigArray, 413, "body"},
	}
	if len(tests) < 30 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.do("POST", "/api/v1/observations", tok, "application/json", []byte(tt.body))
			if status != tt.status {
				t.Fatalf("status: got %d, want %d (%s)", status, tt.status, body)
			}
			_, field, msg := apiErr(t, body)
			t.Logf("%d %s: %s", status, field, msg)
			if field != tt.field || msg == "" {
				t.Errorf("error field: got %q (%q), want %q", field, msg, tt.field)
			}
			if n := s.count(); n != 0 {
				t.Errorf("database changed: %d observations stored", n)
			}
		})
	}
}

func TestPostObservationIdempotent(t *testing.T) {
	s := newServer(t, 0)
	tok := s.user(auth.Monitor, "Mission", nil)
	tests := []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"first", obs(1, nil), 201, "created"},
		{"same again", obs(1, nil), 200, "duplicate"},
		{"same content, other key order and explicit default", []byte(`{"count":3,"source":"patrol","kind":"artillery","domain":"land","location_uncertainty_m":500,"lon":35.14,"lat":47.84,"time_uncertainty_s":60,"observed_at":"2025-06-01T01:23:45Z","id":"` + uuid(1) + `"}`), 200, "duplicate"},
		{"other content", obs(1, map[string]any{"count": 4}), 409, "conflict"},
		{"upper-case id is the same id", obs(1, map[string]any{"id": strings.ToUpper(uuid(1))}), 200, "duplicate"},
	}
	for _, tt := range tests {
		status, body := s.do("POST", "/api/v1/observations", tok, "", tt.body)
		if status != tt.status {
			t.Fatalf("%s: status %d, want %d: %s", tt.name, status, tt.status, body)
		}
		var r struct{ Status, ID string }
		json.Unmarshal(body, &r)
		if code, field, _ := apiErr(t, body); status == 409 && (code != "conflict" || field != "id") {
			t.Errorf("%s: error %q on %q, want conflict on id", tt.name, code, field)
		} else if status != 409 && r.Status != tt.want {
			t.Errorf("%s: status %q, want %q", tt.name, r.Status, tt.want)
		}
	}
	if n := s.count(); n != 1 {
		t.Errorf("%d observations stored, want 1", n)
	}
	_, body := s.do("GET", "/api/v1/observations/"+uuid(1), s.user(auth.Analyst, "Mission", nil), "", nil)
	var rec observation.Record
	if err := json.Unmarshal(body, &rec); err != nil || rec.Count != 3 {
		t.Errorf("stored count %d (%v), want the first submission's 3", rec.Count, err)
	}
}

type batchResult struct {
	Accepted, Rejected int
	Results            []struct {
		Line   int
		ID     string
		Status string
		Error  *struct{ Code, Field, Message string }
	}
}

func TestPostBatchKeepsGoodLines(t *testing.T) {
	huge := string(obs(90, map[string]any{"narrative": strings.Repeat("z", 70_000)}))
	lines := []string{
		string(obs(1, nil)),
		string(obs(2, map[string]any{"lat": 95})),
		"",
		"{not json",
		string(obs(3, nil)),
		huge,
		string(obs(1, map[string]any{"count": 9})), // conflicts with line 1
		string(obs(4, nil)),
		string(obs(3, nil)), // duplicate of line 5
	}
	type want struct {
		line          int
		status, field string
	}
	wantNDJSON := []want{{1, "created", ""}, {2, "rejected", "lat"}, {4, "rejected", "body"}, {5, "created", ""},
		{6, "rejected", "body"}, {7, "conflict", "id"}, {8, "created", ""}, {9, "duplicate", ""}}
	tests := []struct {
		name, contentType, body string
		want                    []want
	}{
		{"JSON Lines", "application/x-ndjson", strings.Join(lines, "\n") + "\n", wantNDJSON},
		{"JSON Lines with CRLF and no final newline", "application/x-ndjson", strings.Join(lines, "\r\n"), wantNDJSON},
		{"JSON array", "application/json", "[" + strings.Join([]string{lines[0], lines[1], `"x"`, lines[4], lines[6], lines[7]}, ",") + "]",
			[]want{{1, "created", ""}, {2, "rejected", "lat"}, {3, "rejected", "body"}, {4, "created", ""}, {5, "conflict", "id"}, {6, "created", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, 0)
			tok := s.user(auth.Monitor, "Mission", nil)
			status, body := s.do("POST", "/api/v1/observations", tok, tt.contentType, []byte(tt.body))
			if status != http.StatusMultiStatus {
				t.Fatalf("status %d, want 207: %s", status, body)
			}
			var br batchResult
			if err := json.Unmarshal(body, &br); err != nil {
				t.Fatal(err)
			}
			if len(br.Results) != len(tt.want) {
				t.Fatalf("%d results, want %d: %s", len(br.Results), len(tt.want), body)
			}
			for i, w := range tt.want {
				r := br.Results[i]
				field := ""
				if r.Error != nil {
					field = r.Error.Field
				}
				if r.Line != w.line || r.Status != w.status || field != w.field {
					t.Errorf("result %d: got line %d %s %q, want line %d %s %q", i, r.Line, r.Status, field, w.line, w.status, w.field)
				}
			}
			if n := s.count(); n != 3 {
				t.Errorf("%d observations stored, want 3", n)
			}
		})
	}
}

func TestPartyPostsAllegations(t *testing.T) {
	s := newServer(t, 0)
	ua := s.user(auth.Party, "UA", nil)
	status, body := s.do("POST", "/api/v1/observations", ua, "", obs(1, map[string]any{"source": "acoustic", "attributed_to": "RU"}))
	if status != 201 {
		t.Fatalf("status %d: %s", status, body)
	}
	_, body = s.do("GET", "/api/v1/observations/"+uuid(1), s.user(auth.Analyst, "Mission", nil), "", nil)
	var rec observation.Record
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Source != observation.Party || rec.Party != "UA" || rec.Organization != "UA" {
		t.Errorf("got source %q party %q org %q; want party, UA, UA", rec.Source, rec.Party, rec.Organization)
	}
}

func TestSubmitterComesFromToken(t *testing.T) {
	s := newServer(t, 0)
	tok := s.user(auth.Monitor, "Mission", nil)
	for i, field := range []string{"organization", "party", "submitter_id", "accepted_at"} {
		status, body := s.do("POST", "/api/v1/observations", tok, "", obs(i, map[string]any{field: "Other"}))
		if code, f, _ := apiErr(t, body); status != 400 || f != field {
			t.Errorf("%s in payload: status %d %s on %q, want 400 on %q", field, status, code, f, field)
		}
	}
}

func TestSignedObservations(t *testing.T) {
	s := newServer(t, 0)
	pub, priv, _ := ed25519.GenerateKey(nil)
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	tok := s.user(auth.Monitor, "Sensors", pub)
	sign := func(key ed25519.PrivateKey, b []byte) []byte {
		out, err := observation.Sign(key, b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	good := sign(priv, obs(1, nil))
	var tampered map[string]any
	json.Unmarshal(good, &tampered)
	tampered["count"] = 300
	tamperedBody, _ := json.Marshal(tampered)
	tests := []struct {
		name   string
		body   []byte
		status int
	}{
		{"valid signature", good, 201},
		{"valid signature, keys reordered and spaced", reorder(t, sign(priv, obs(2, nil))), 201},
		{"missing signature", obs(3, nil), 400},
		{"signed by another key", sign(otherPriv, obs(4, nil)), 400},
		{"content changed after signing", tamperedBody, 400},
	}
	for _, tt := range tests {
		status, body := s.do("POST", "/api/v1/observations", tok, "", tt.body)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.status, body)
			continue
		}
		if status == 400 {
			if _, field, msg := apiErr(t, body); field != "signature" {
				t.Errorf("%s: field %q (%s), want signature", tt.name, field, msg)
			}
		}
	}
	// A batch: signatures are checked in parallel, each line on its own.
	var batch bytes.Buffer
	for i := 10; i < 60; i++ {
		b := sign(priv, obs(i, nil))
		if i%10 == 0 {
			b = sign(otherPriv, obs(i, nil))
		}
		batch.Write(b)
		batch.WriteByte('\n')
	}
	status, body := s.do("POST", "/api/v1/observations", tok, "application/x-ndjson", batch.Bytes())
	var br batchResult
	json.Unmarshal(body, &br)
	if status != 207 || br.Accepted != 45 || br.Rejected != 5 {
		t.Errorf("batch: status %d, %d accepted, %d rejected; want 207, 45, 5", status, br.Accepted, br.Rejected)
	}
	if n := s.count(); n != 47 {
		t.Errorf("%d stored, want 47", n)
	}
}

// reorder re-encodes a JSON object with its keys reversed and spaces added:
// the signature covers the canonical form, not the bytes.
func reorder(t *testing.T, b []byte) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	var out bytes.Buffer
	out.WriteString("{ ")
	for i := len(keys) - 1; i >= 0; i-- {
		fmt.Fprintf(&out, "%q : %s", keys[i], m[keys[i]])
		if i > 0 {
			out.WriteString(" , ")
		}
	}
	out.WriteString(" }")
	return out.Bytes()
}
