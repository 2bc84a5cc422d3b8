package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// loadFindingsDemo writes findings on the first incidents of the demo day,
// through the API, so that the parties' loop shows in several states: a
// draft, one sent to RU awaiting its reply, one UA replied to, one released
// to the parties and observers, and one released to observers with no
// public delay, which the clock makes public at its next sweep. It returns
// how many findings it wrote.
func loadFindingsDemo(ctx context.Context, base, analyst string, partyTokens map[string]string) (int, error) {
	ua, ru := partyTokens["UA"], partyTokens["RU"]
	if ua == "" || ru == "" {
		return 0, fmt.Errorf("the demo has no liaison officer of UA or RU")
	}
	var page struct {
		Items []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	if err := apiCall(ctx, "GET", base+"/api/v1/incidents?status=corroborated&limit=5", analyst, nil, &page); err != nil {
		return 0, err
	}
	type step struct {
		action, token string
		body          any
	}
	plans := []struct {
		party, delay string
		steps        []step
	}{
		{"RU", "", nil}, // a draft
		{"RU", "", []step{{"send", analyst, nil}}},
		{"UA", "", []step{{"send", analyst, nil}, {"reply", ua, map[string]any{"text": "The strike answered fire from the position named in the finding."}}}},
		{"RU", "", []step{{"send", analyst, nil}, {"reply", ru, map[string]any{"text": "Our forces did not operate in this area on that day."}}, {"release_observers", analyst, nil}}},
		{"UA", "0s", []step{{"send", analyst, nil}, {"reply", ua, map[string]any{"text": "We are investigating."}}, {"release_observers", analyst, nil}}},
	}
	n := 0
	for i, inc := range page.Items {
		if i == len(plans) {
			break
		}
		p := plans[i]
		body := map[string]any{"party": p.party, "attributed_to": p.party, "confidence": "medium",
			"established": fmt.Sprintf("Monitors from independent organisations observed the %s; its origin and direction point to forces of %s.", inc.Kind, p.party)}
		if p.delay != "" {
			body["public_delay"] = p.delay
		}
		var f struct {
			ID string `json:"id"`
		}
		if err := apiCall(ctx, "POST", base+"/api/v1/incidents/"+inc.ID+"/findings", analyst, body, &f); err != nil {
			return n, err
		}
		n++
		for _, s := range p.steps {
			if err := apiCall(ctx, "POST", base+"/api/v1/findings/"+f.ID+"/"+s.action, s.token, s.body, nil); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// apiCall sends a JSON request and decodes a 2xx answer into out (if not
// nil).
func apiCall(ctx context.Context, method, url, token string, body, out any) error {
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
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
