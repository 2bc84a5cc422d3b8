package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"testing"
	"time"
)

// TestAccessMatrixNotify checks the notification endpoints against every
// role and the public, what is allowed and what is refused.
func TestAccessMatrixNotify(t *testing.T) {
	s := newNotifyServer(t, time.Minute)
	tokens := roleTokens(s.server, "")
	// UA's webhook, which only UA may read or delete.
	st, body := s.do("POST", "/api/v1/webhooks", tokens["party UA"], "", []byte(`{"url": "https://example.org/ua"}`))
	if st != 201 {
		t.Fatalf("setup: %d %s", st, body)
	}
	var hook struct{ ID string }
	json.Unmarshal(body, &hook)
	signedIn := func(c cell) map[string]cell {
		m := allRoles(tokens, c, 401)
		m["public"] = cell{401, 0}
		return m
	}
	uaOnly := func(c cell) map[string]cell {
		m := signedIn(cell{404, 0})
		m["party UA"] = c
		return m
	}
	listed := signedIn(cell{200, 0})
	listed["party UA"] = cell{200, 1}
	absent := "/api/v1/webhooks/00000000-0000-4000-8000-000000000000"
	endpoints := []struct {
		name, method, path string
		want               map[string]cell
	}{
		{"event stream", "GET", "/api/v1/events", allRoles(tokens, cell{200, 0}, 401)},
		{"register webhook", "POST", "/api/v1/webhooks", signedIn(cell{400, 0})}, // an empty body
		{"list webhooks", "GET", "/api/v1/webhooks", listed},
		{"UA's delivery log", "GET", "/api/v1/webhooks/" + hook.ID + "/deliveries", uaOnly(cell{200, 0})},
		{"absent delivery log", "GET", absent + "/deliveries", signedIn(cell{404, 0})},
		{"malformed id", "GET", "/api/v1/webhooks/nope/deliveries", signedIn(cell{404, 0})},
		{"delete absent webhook", "DELETE", absent, signedIn(cell{404, 0})},
		// Last: UA deletes its own webhook after everyone else was refused.
		{"delete UA's webhook", "DELETE", "/api/v1/webhooks/" + hook.ID, uaOnly(cell{204, 0})},
	}
	whos := []string{}
	for who := range tokens {
		if who != "party UA" {
			whos = append(whos, who)
		}
	}
	sort.Strings(whos)
	whos = append(whos, "party UA")
	for _, ep := range endpoints {
		for _, who := range whos {
			want, ok := ep.want[who]
			if !ok {
				t.Fatalf("%s: no expectation for %s", ep.name, who)
			}
			var status int
			var resp []byte
			if ep.path == "/api/v1/events" {
				status = s.streamStatus(t, tokens[who])
			} else {
				status, resp = s.do(ep.method, ep.path, tokens[who], "", nil)
			}
			if status != want.status {
				t.Errorf("%s as %s: status %d, want %d (%s)", ep.name, who, status, want.status, resp)
				continue
			}
			if ep.name == "list webhooks" && status == 200 {
				var page struct{ Items []json.RawMessage }
				json.Unmarshal(resp, &page)
				if len(page.Items) != want.items {
					t.Errorf("%s as %s: %d items, want %d", ep.name, who, len(page.Items), want.items)
				}
			}
		}
	}
}

// streamStatus opens the event stream and returns its status, without
// waiting for the stream to end.
func (s *notifyServer) streamStatus(t *testing.T, token string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/events", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
