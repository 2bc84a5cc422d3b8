package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"truce/internal/person"
)

// loadHumanitarianDemo gives the demo's humanitarian track something to
// show, through the real API: both parties' lists of persons to exchange
// (generated, with the usual spelling differences), a "50 for 50"
// commitment with its first stage, and a few children's cases.
func loadHumanitarianDemo(ctx context.Context, base, mediator, caseworker string) error {
	ds := person.Generate(person.GenerateConfig{Seed: 20250601, N: 120})
	lists := map[string]string{}
	for party, ps := range map[string][]person.Person{"UA": ds.A, "RU": ds.B} {
		var csv bytes.Buffer
		if err := person.WriteCSV(&csv, ps); err != nil {
			return err
		}
		var res struct{ ID string }
		if err := demoCall(ctx, "POST", base+"/api/v1/persons?purpose=exchange&party="+party, mediator, "text/csv", csv.Bytes(), &res); err != nil {
			return fmt.Errorf("%s list: %w", party, err)
		}
		lists[party] = res.ID
	}
	var ex struct{ ID string }
	if err := demoCall(ctx, "POST", base+"/api/v1/exchanges", mediator, "application/json",
		[]byte(`{"title":"50 for 50","category":"pow","targets":{"UA":50,"RU":50}}`), &ex); err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	type ref struct {
		List   string `json:"list"`
		Person string `json:"person"`
	}
	var stage struct {
		Persons []ref `json:"persons"`
	}
	for party, ps := range map[string][]person.Person{"UA": ds.A, "RU": ds.B} {
		for _, p := range ps[:min(20, len(ps))] {
			stage.Persons = append(stage.Persons, ref{lists[party], p.ID})
		}
	}
	body, _ := json.Marshal(stage)
	if err := demoCall(ctx, "POST", base+"/api/v1/exchanges/"+ex.ID+"/stages", mediator, "application/json", body, nil); err != nil {
		return fmt.Errorf("exchange stage: %w", err)
	}
	for _, c := range []string{
		`{"family_name":"Коваленко","given_name":"Марія","birth_date":"2014-05-02","circumstances":["deportation"],"last_known_place":"Khersonska oblast","status":"missing"}`,
		`{"family_name":"Бондаренко","given_name":"Іван","birth_date":"2012-11-20","circumstances":["deportation","forced_document_change"],"status":"located"}`,
		`{"family_name":"Шевчук","given_name":"Софія","birth_date":"2016-01-09","circumstances":["adoption"],"status":"in_return"}`,
	} {
		if err := demoCall(ctx, "POST", base+"/api/v1/children", caseworker, "application/json", []byte(c), nil); err != nil {
			return fmt.Errorf("child case: %w", err)
		}
	}
	return nil
}

// demoCall makes one API call and decodes its answer into out, if any.
func demoCall(ctx context.Context, method, url, token, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
