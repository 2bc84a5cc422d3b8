package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"text/tabwriter"
	"time"

	"truce/internal/auth"
	"truce/internal/ledger"
)

// demoUser is one account the demo creates.
type demoUser struct {
	role auth.Role
	org  string
	name string
}

var demoUsers = []demoUser{
	{auth.Monitor, "Mission", "Patrol Team 7"},
	{auth.Monitor, "Sensor Partner", "Acoustic Array East"},
	{auth.Analyst, "Mission", "Duty Analyst"},
	{auth.Mediator, "Mediator", "Mediation Desk"},
	{auth.Party, "UA", "UA Liaison Officer"},
	{auth.Party, "RU", "RU Liaison Officer"},
	{auth.Observer, "Observer State", "Observer Desk"},
	{auth.Witness, "Witness Org", "Witness Operator"},
	{auth.Caseworker, "Humanitarian Partner", "Caseworker"},
	{auth.Admin, "Operator", "Administrator"},
}

// userCreator is what the demo needs from the store.
type userCreator interface {
	CreateUser(ctx context.Context, u *auth.User, tokenHash [32]byte) (int64, error)
}

// loadDemo creates a user per role, prints their tokens, and posts a
// simulated monitoring day through the real HTTP intake.
func loadDemo(ctx context.Context, e env, store userCreator, base, logVKey, dir string) error {
	tokens := map[string]string{}
	witnessKey := filepath.Join(dir, "witness.key")
	wskey, wvkey, err := ledger.GenerateWitnessKey("witness.demo/w1")
	if err != nil {
		return err
	}
	if err := writeNew(witnessKey, []byte(wskey+"\n"), 0o600); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tORGANISATION\tNAME\tTOKEN")
	for _, du := range demoUsers {
		token, hash, err := auth.NewToken()
		if err != nil {
			return err
		}
		u := &auth.User{Name: du.name, Role: du.role, Org: du.org}
		if du.role == auth.Witness {
			u.WitnessKey = wvkey
		}
		if _, err := store.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		tokens[du.name] = token
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", du.role, du.org, du.name, token)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	batches := demoObservations(day, 1)
	total := 0
	for _, name := range []string{"Patrol Team 7", "Acoustic Array East", "UA Liaison Officer", "RU Liaison Officer"} {
		n, err := postJSONLines(ctx, base, tokens[name], batches[name])
		if err != nil {
			return fmt.Errorf("post %s: %w", name, err)
		}
		total += n
	}
	fmt.Fprintf(e.stdout, "truce: demo loaded %d observations for %s; try:\n  curl -H 'Authorization: Bearer %s' '%s/api/v1/observations?limit=5'\n",
		total, day.Format(time.DateOnly), tokens["Duty Analyst"], base)
	fmt.Fprintf(e.stdout, "  go run ./cmd/truce witness -server %s -log-key '%s' -key %s -state %s -token %s\n",
		base, logVKey, witnessKey, filepath.Join(dir, "witness.state"), tokens["Witness Operator"])
	fmt.Fprintf(e.stdout, "  go run ./cmd/truce verify -server %s -log-key '%s' -full -token %s\n", base, logVKey, tokens["Duty Analyst"])
	return nil
}

// demoObservations simulates one day along the front line and over Kyiv:
// shelling heard by acoustic sensors and seen by patrols, a night drone
// attack, and the parties' allegations. Keyed by submitter name.
func demoObservations(day time.Time, seed uint64) map[string][]map[string]any {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := map[string][]map[string]any{}
	id := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
	}
	add := func(who string, t time.Time, lat, lon, uncM float64, domain, kind, source string, count int, attributed string) {
		o := map[string]any{
			"id": id(), "observed_at": t.Format(time.RFC3339), "time_uncertainty_s": 60,
			"lat": round(lat, 5), "lon": round(lon, 5), "location_uncertainty_m": uncM,
			"domain": domain, "kind": kind, "count": count, "source": source,
		}
		if attributed != "" {
			o["attributed_to"] = attributed
		}
		out[who] = append(out[who], o)
	}
	// Shelling near the Zaporizhzhia front line, every few minutes by day.
	for i := 0; i < 120; i++ {
		t := day.Add(6*time.Hour + time.Duration(rng.IntN(12*3600))*time.Second)
		lat, lon := 47.45+rng.Float64()*0.25, 35.6+rng.Float64()*0.6
		kind := []string{"artillery", "mortar", "mlrs", "explosion"}[rng.IntN(4)]
		for s := 0; s < 1+rng.IntN(3); s++ {
			add("Acoustic Array East", t.Add(time.Duration(rng.IntN(20))*time.Second), lat+rng.NormFloat64()*0.01, lon+rng.NormFloat64()*0.01, 1500, "land", "explosion", "acoustic", 1, "")
		}
		if rng.IntN(3) == 0 {
			add("Patrol Team 7", t.Add(time.Duration(rng.IntN(300))*time.Second), lat+rng.NormFloat64()*0.002, lon+rng.NormFloat64()*0.002, 200, "land", kind, "patrol", 1+rng.IntN(4), "")
		}
		if rng.IntN(4) == 0 {
			party, against := "UA Liaison Officer", "RU"
			if rng.IntN(2) == 0 {
				party, against = "RU Liaison Officer", "UA"
			}
			add(party, t.Add(time.Duration(rng.IntN(900))*time.Second), lat+rng.NormFloat64()*0.03, lon+rng.NormFloat64()*0.03, 5000, "land", kind, "party", 1+rng.IntN(10), against)
		}
	}
	// A night drone attack on Kyiv: impacts a few km apart.
	for i := 0; i < 60; i++ {
		t := day.Add(time.Duration(rng.IntN(4*3600)) * time.Second)
		lat, lon := 50.45+rng.NormFloat64()*0.05, 30.52+rng.NormFloat64()*0.08
		add("Patrol Team 7", t, lat, lon, 300, "air", "drone", "camera", 1, "")
	}
	add("UA Liaison Officer", day.Add(2*time.Hour), 50.45, 30.52, 30000, "air", "drone", "party", 60, "RU")
	return out
}

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5*sign(v))) / p
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// postJSONLines posts objects as one JSON Lines batch and returns how many
// were accepted.
func postJSONLines(ctx context.Context, base, token string, objs []map[string]any) (int, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, o := range objs {
		if err := enc.Encode(o); err != nil {
			return 0, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/observations", &body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var br struct {
		Accepted int `json:"accepted"`
		Rejected int `json:"rejected"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&br); err != nil {
		return 0, fmt.Errorf("status %s: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || br.Rejected > 0 {
		return br.Accepted, fmt.Errorf("status %s: %d rejected", resp.Status, br.Rejected)
	}
	return br.Accepted, nil
}
