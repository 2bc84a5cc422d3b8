package agreement

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"truce/internal/derrors"
)

const validBody = `{"title": "Black Sea truce", "parties": ["UA", "RU"], "terms": [
 {"id": "sea", "domains": ["sea"], "from": "2025-03-25T00:00:00Z", "to": "2025-04-25T00:00:00Z"},
 {"id": "energy", "domains": ["air", "land"], "from": "2025-03-18T00:00:00+02:00", "to": "2025-04-18T00:00:00Z",
  "kinds": ["drone", "missile"], "targets": ["energy_infrastructure"],
  "zone": {"type": "Polygon", "bbox": [30, 50, 31, 51], "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}}]}`

func TestParseValid(t *testing.T) {
	a, err := Parse([]byte(validBody))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got, want := len(a.Terms), 2; got != want {
		t.Fatalf("got %d terms, want %d", got, want)
	}
	e := a.Terms[1]
	if got, want := e.From.Format("2006-01-02T15:04Z07:00"), "2025-03-17T22:00Z"; got != want {
		t.Errorf("from: got %s, want %s (UTC)", got, want)
	}
	if e.Zone == nil || e.Zone.Type != "Polygon" || len(e.Zone.Polygons[0][0]) != 5 {
		t.Errorf("zone: got %+v", e.Zone)
	}
	if a.ID != "" || a.Version != 0 {
		t.Errorf("got id %q version %d, want them left to the server", a.ID, a.Version)
	}
}

func TestParseInvalid(t *testing.T) {
	term := func(extra string) string {
		return `{"title": "t", "parties": ["UA", "RU"], "terms": [{"id": "a", "domains": ["land"], "from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}, {"id": "b", "domains": ["air"], "from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"` + extra + `}]}`
	}
	zone := func(z string) string { return term(`, "zone": ` + z) }
	sq := `[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]`
	tests := []struct {
		name, body, field string
		tooLarge          bool
	}{
		{"not json", `{"title":`, "body", false},
		{"array body", `[]`, "body", false},
		{"unknown top-level field", `{"title": "t", "parties": ["UA", "RU"], "terms": [], "signed": true}`, "signed", false},
		{"missing title", `{"parties": ["UA", "RU"], "terms": []}`, "title", false},
		{"empty title", `{"title": "", "parties": ["UA", "RU"], "terms": []}`, "title", false},
		{"title too long", `{"title": "` + strings.Repeat("x", MaxTitle+1) + `", "parties": ["UA", "RU"], "terms": [{"id": "a", "domains": ["land"], "from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}]}`, "title", false},
		{"one party", `{"title": "t", "parties": ["UA"], "terms": []}`, "parties", false},
		{"bad party code", `{"title": "t", "parties": ["UA", "Russia"], "terms": []}`, "parties[1]", false},
		{"duplicate party", `{"title": "t", "parties": ["UA", "UA"], "terms": []}`, "parties[1]", false},
		{"no terms", `{"title": "t", "parties": ["UA", "RU"], "terms": []}`, "terms", false},
		{"terms not array", `{"title": "t", "parties": ["UA", "RU"], "terms": {}}`, "terms", false},
		{"unknown term field", term(`, "severity": 3`), "terms[1].severity", false},
		{"duplicate term id", strings.Replace(term(""), `"id": "b"`, `"id": "a"`, 1), "terms[1].id", false},
		{"bad term id", strings.Replace(term(""), `"id": "b"`, `"id": "b c"`, 1), "terms[1].id", false},
		{"unknown domain", strings.Replace(term(""), `["air"]`, `["space"]`, 1), "terms[1].domains[0]", false},
		{"no domains", strings.Replace(term(""), `["air"]`, `[]`, 1), "terms[1].domains", false},
		{"missing to", strings.Replace(term(""), `, "to": "2025-02-01T00:00:00Z"}]`, `}]`, 1), "terms[1].to", false},
		{"from not RFC 3339", strings.Replace(term(""), `"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}]`, `"from": "1 Jan 2025", "to": "2025-02-01T00:00:00Z"}]`, 1), "terms[1].from", false},
		{"from equals to", strings.Replace(term(""), `"to": "2025-02-01T00:00:00Z"}]`, `"to": "2025-01-01T00:00:00Z"}]`, 1), "terms[1].to", false},
		{"to before from", strings.Replace(term(""), `"to": "2025-02-01T00:00:00Z"}]`, `"to": "2024-12-31T00:00:00Z"}]`, 1), "terms[1].to", false},
		{"unknown kind", term(`, "kinds": ["drone", "laser"]`), "terms[1].kinds[1]", false},
		{"kind of another domain", term(`, "kinds": ["artillery"]`), "terms[1].kinds[0]", false},
		{"bad target", term(`, "targets": ["Energy Infrastructure"]`), "terms[1].targets[0]", false},
		{"zone not object", zone(`"Kyiv"`), "terms[1].zone", false},
		{"zone point", zone(`{"type": "Point", "coordinates": [30, 50]}`), "terms[1].zone.type", false},
		{"zone unknown member", zone(`{"type": "Polygon", "coordinates": ` + "[" + sq + "]" + `, "crs": {}}`), "terms[1].zone.crs", false},
		{"zone missing coordinates", zone(`{"type": "Polygon"}`), "terms[1].zone.coordinates", false},
		{"zone ring open", zone(`{"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51]]]}`), "terms[1].zone.coordinates[0]", false},
		{"zone ring of 3", zone(`{"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [30, 50]]]}`), "terms[1].zone.coordinates[0]", false},
		{"zone latitude out of range", zone(`{"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [31, 91], [30, 51], [30, 50]]]}`), "terms[1].zone.coordinates[0][2]", false},
		{"zone position of 1", zone(`{"type": "MultiPolygon", "coordinates": [[` + sq + `], [[[30], [31, 50], [31, 51], [30, 50]]]]}`), "terms[1].zone.coordinates[1][0][0]", false},
		{"zone hole open", zone(`{"type": "MultiPolygon", "coordinates": [[` + sq + `, [[30.2, 50.2], [30.4, 50.2], [30.4, 50.4], [30.2, 50.4]]]]}`), "terms[1].zone.coordinates[0][1]", false},
		{"zone without area", zone(`{"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [32, 50], [30, 50]]]}`), "terms[1].zone.coordinates[0]", false},
		{"zone empty multipolygon", zone(`{"type": "MultiPolygon", "coordinates": []}`), "terms[1].zone.coordinates", false},
		{"body too large", `{"title": "` + strings.Repeat("x", MaxBodyBytes) + `"}`, "body", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			var fe *derrors.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *derrors.FieldError on %s", err, tt.field)
			}
			if fe.Field != tt.field {
				t.Errorf("got field %q (%v), want %q", fe.Field, err, tt.field)
			}
			want := derrors.ErrInvalid
			if tt.tooLarge {
				want = derrors.ErrTooLarge
			}
			if !errors.Is(err, want) {
				t.Errorf("got %v, want it to wrap %v", err, want)
			}
		})
	}
}

func TestAgreementJSONRoundTrip(t *testing.T) {
	a, err := Parse([]byte(validBody))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Agreement
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip: got %s, want %s", b2, b)
	}
	if !back.Terms[1].Zone.equal(a.Terms[1].Zone) {
		t.Errorf("zone: got %+v, want %+v", back.Terms[1].Zone, a.Terms[1].Zone)
	}
}
