package observation_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce/internal/derrors"
	"truce/internal/observation"
)

var update = flag.Bool("update", false, "rewrite golden files")

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const sample = `{
  "id": "6F1C7A2E-0D0B-4A6E-9D1F-2B1F7C4E9A10",
  "observed_at": "2025-06-01T04:23:45.5+03:00",
  "time_uncertainty_s": 60,
  "lat": 50.4501, "lon": 30.5234,
  "location_uncertainty_m": 500,
  "region": "UA-32",
  "domain": "air",
  "kind": "drone",
  "count": 12,
  "source": "acoustic",
  "attributed_to": "RU",
  "narrative": "Гул над містом, \"вибух\" <о 4:23> ☂",
  "evidence": [{"sha256": "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "media_type": "image/jpeg"}]
}`

func TestParseNormalises(t *testing.T) {
	o, err := observation.Parse([]byte(sample), now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, got, want string }{
		{"id lower-cased", o.ID, "6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10"},
		{"time in UTC", o.ObservedAt.Format(time.RFC3339Nano), "2025-06-01T01:23:45.5Z"},
		{"evidence hash lower-cased", o.Evidence[0].SHA256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	o, err := observation.Parse([]byte(`{"id":"6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10","observed_at":"2025-06-01T00:00:00Z","region":"UA-63","domain":"land","kind":"mine","source":"patrol"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if o.Count != 1 || o.TimeUncertaintyS != 0 || o.LocationUncertaintyM != 0 || o.HasPoint() {
		t.Errorf("defaults: count %d, uncertainties %v %v, point %v", o.Count, o.TimeUncertaintyS, o.LocationUncertaintyM, o.HasPoint())
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	tests := []struct{ body, field string }{
		{`{"id": "x", "lat": NaN}`, "lat"},
		{`{"id": "6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10", "evidence": [{"sha256": 5}]}`, "evidence.sha256"},
		{`{"nested": {"deep": [1, 2, }}`, "nested"},
		{`{, "id": 1}`, "body"},
		{`[1, 2]`, "body"},
		{`{"id": "6f1c7a2e-0d0b-4a6e-9d1f-2b1f7c4e9a10", "observed_at": "2025-06-01T00:00:00Z", "region": "UA-63", "domain": "land", "kind": "mine", "source": "patrol", "count": 1e400}`, "count"},
	}
	for _, tt := range tests {
		_, err := observation.Parse([]byte(tt.body), now)
		var fe *derrors.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("%s: got %v, want a FieldError on %q", tt.body, err, tt.field)
		}
	}
}

// TestCanonicalGolden pins the canonical bytes the store keeps and the
// ledger commits to: changing them breaks every existing commitment.
func TestCanonicalGolden(t *testing.T) {
	o, err := observation.Parse([]byte(sample), now)
	if err != nil {
		t.Fatal(err)
	}
	rec := observation.Record{Observation: o, Organization: "Mission", SubmitterID: 7, AcceptedAt: now}
	p := observation.Prepare(rec)
	got := string(p.Body) + "\n"
	golden := filepath.Join("testdata", "canonical.golden")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("canonical record:\n got %s\nwant %s", got, want)
	}
	// Canonical form is idempotent: parsing the stored body's observation
	// fields again gives the same content hash.
	var back observation.Record
	if err := json.Unmarshal(p.Body, &back); err != nil {
		t.Fatal(err)
	}
	if back.Observation.ContentHash() != p.ContentHash {
		t.Errorf("content hash changed through a round trip")
	}
}

func TestSigningBytesAreRFC8785(t *testing.T) {
	// Keys sorted by UTF-16 code units, no spaces, numbers in ECMAScript
	// form, the signature member dropped.
	raw := `{"z": 1.50, "a": [1e2, "é\u0041"], "signature": "xyz", "b": {"y": true, "x": null}}`
	got, err := observation.SigningBytes([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":[100,"éA"],"b":{"x":null,"y":true},"z":1.5}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSignVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	signed, err := observation.Sign(priv, []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	o, err := observation.Parse(signed, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := observation.VerifySignature(pub, signed, o.Signature); err != nil {
		t.Errorf("valid signature: %v", err)
	}
	forged := strings.Replace(string(signed), `"count":12`, `"count":13`, 1)
	if err := observation.VerifySignature(pub, []byte(forged), o.Signature); err == nil {
		t.Error("a changed count still verifies")
	}
}
