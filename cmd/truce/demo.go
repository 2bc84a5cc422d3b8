package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"text/tabwriter"
	"time"

	"truce/internal/auth"
	"truce/internal/ledger"
	"truce/internal/observation"
	"truce/internal/simulate"
)

// demoStaff are the accounts the demo creates besides the simulated
// organisations' submitters.
var demoStaff = []auth.User{
	{Role: auth.Analyst, Org: "Mission", Name: "Duty Analyst"},
	{Role: auth.Mediator, Org: "Mediator", Name: "Mediation Desk"},
	{Role: auth.Observer, Org: "Observer State", Name: "Observer Desk"},
	{Role: auth.Witness, Org: "Witness Org", Name: "Witness Operator"},
	{Role: auth.Caseworker, Org: "Humanitarian Partner", Name: "Caseworker"},
	{Role: auth.Admin, Org: "Operator", Name: "Administrator"},
}

// userCreator is what the demo needs from the store.
type userCreator interface {
	CreateUser(ctx context.Context, u *auth.User, tokenHash [32]byte) (int64, error)
	airwarWriter
}

// loadDemo creates a user for every submitter of a simulated monitoring
// day and one per other role, prints a token per role, and posts the day
// through the real HTTP intake, each submitter with its own token.
func loadDemo(ctx context.Context, e env, store userCreator, base, logVKey, dir string) error {
	// The shipped real data first, through the store: the Air Force's
	// bulletins and the air-raid alerts.
	nb, na, err := loadRealData(ctx, e, store)
	if err != nil {
		return fmt.Errorf("real data: %w", err)
	}
	fmt.Fprintf(e.stdout, "truce: imported the shipped real data: %d Air Force bulletin rows, %d air-raid alerts; the daily report of 1 June 2025:\n  %s/api/v1/reports/daily/2025-06-01?format=html\n", nb, na, base)
	cfg := simulate.Demo()
	cfg.Start = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	sc, err := simulate.Generate(cfg)
	if err != nil {
		return err
	}
	witnessKey := filepath.Join(dir, "witness.key")
	wskey, wvkey, err := ledger.GenerateWitnessKey("witness.demo/w1")
	if err != nil {
		return err
	}
	if err := writeNew(witnessKey, []byte(wskey+"\n"), 0o600); err != nil {
		return err
	}
	parties := map[string]string{}
	for _, o := range sc.Organizations {
		parties[o.Name] = o.Party
	}

	// One user per simulated submitter, so that fusion sees the same
	// independent sources the scenario has.
	type submitter struct {
		org string
		id  int64
	}
	users := map[submitter]string{}    // token
	partyTokens := map[string]string{} // a liaison officer's token per party
	batches := map[submitter][]observation.Observation{}
	var order []submitter
	shown := map[auth.Role]string{} // the token printed per role
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tORGANISATION\tNAME\tTOKEN")
	create := func(u auth.User) (string, error) {
		token, hash, err := auth.NewToken()
		if err != nil {
			return "", err
		}
		if _, err := store.CreateUser(ctx, &u, hash); err != nil {
			return "", err
		}
		if _, ok := shown[u.Role]; !ok {
			shown[u.Role] = token
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Role, u.Org, u.Name, token)
		}
		return token, nil
	}
	for _, r := range sc.Records {
		k := submitter{r.Organization, r.SubmitterID}
		if _, ok := users[k]; !ok {
			u := auth.User{Role: auth.Monitor, Org: r.Organization, Name: fmt.Sprintf("%s %d", r.Organization, r.SubmitterID)}
			if p := parties[r.Organization]; p != "" {
				u = auth.User{Role: auth.Party, Org: p, Name: fmt.Sprintf("%s liaison %d", p, r.SubmitterID)}
			}
			if users[k], err = create(u); err != nil {
				return err
			}
			if u.Role == auth.Party && partyTokens[u.Org] == "" {
				partyTokens[u.Org] = users[k]
			}
			order = append(order, k)
		}
		batches[k] = append(batches[k], r.Observation)
	}
	for _, u := range demoStaff {
		if u.Role == auth.Witness {
			u.WitnessKey = wvkey
		}
		if _, err := create(u); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	total := 0
	for _, k := range order {
		n, err := postJSONLines(ctx, base, users[k], batches[k])
		if err != nil {
			return fmt.Errorf("post for %s %d: %w", k.org, k.id, err)
		}
		total += n
	}
	if err := loadHumanitarianDemo(ctx, base, shown[auth.Mediator], shown[auth.Caseworker]); err != nil {
		return fmt.Errorf("humanitarian track: %w", err)
	}
	nf, err := loadFindingsDemo(ctx, base, shown[auth.Analyst], partyTokens)
	if err != nil {
		return fmt.Errorf("parties' loop: %w", err)
	}
	fmt.Fprintf(e.stdout, "truce: demo wrote %d findings across the parties' loop (draft, sent, replied, released to observers, soon public); try, as RU's liaison officer:\n  curl -H 'Authorization: Bearer %s' '%s/api/v1/findings'\n  curl '%s/api/v1/incidents'   # released incidents only, rounded, once the clock makes one public\n",
		nf, partyTokens["RU"], base, base)
	fmt.Fprintf(e.stdout, "truce: demo loaded %d observations of %s from %d submitters, two person lists, an exchange and three children's cases; try:\n  curl -H 'Authorization: Bearer %s' '%s/api/v1/incidents?limit=5'\n  curl '%s/api/v1/exchanges'\n",
		total, cfg.Start.Format(time.DateOnly), len(order), shown[auth.Analyst], base, base)
	fmt.Fprintf(e.stdout, "  go run ./cmd/truce witness -server %s -log-key '%s' -key %s -state %s -token %s\n",
		base, logVKey, witnessKey, filepath.Join(dir, "witness.state"), shown[auth.Witness])
	fmt.Fprintf(e.stdout, "  go run ./cmd/truce verify -server %s -log-key '%s' -full -token %s\n", base, logVKey, shown[auth.Analyst])
	return nil
}

// postJSONLines posts objects as one JSON Lines batch and returns how many
// were accepted.
func postJSONLines(ctx context.Context, base, token string, objs []observation.Observation) (int, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for i := range objs {
		if err := enc.Encode(&objs[i]); err != nil {
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
