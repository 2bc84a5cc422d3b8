package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"truce/data"
	"truce/internal/auth"
	"truce/internal/checkpoint"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/incident"
	"truce/internal/ingest"
	"truce/internal/ledger"
	"truce/internal/metrics"
	"truce/internal/region"
	"truce/internal/report"
	"truce/internal/store/sqlite"
)

// server is the real API over a real SQLite store, group committer and
// checkpoint publisher.
type server struct {
	t         testing.TB
	url       string
	store     *sqlite.Store
	publisher *checkpoint.Publisher
}

func newServer(t testing.TB, maxBody int64) *server {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	incidents := fusion.New(store, incident.Config{}, nil)
	if err := incidents.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := ingest.NewCommitter(incidents.Writer(store), 5000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	go incidents.Run(ctx, 100*time.Millisecond) // fusion runs beside the write path, as in serve
	skey, _, err := ledger.GenerateKey("test.example/log")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := checkpoint.New(store, skey, nil)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := report.NewRenderer(boundaries(t))
	if err != nil {
		t.Fatal(err)
	}
	h := httpapi.NewHandler(httpapi.Config{Reports: reports, Store: store, Writer: c, Metrics: metrics.New(), MaxBody: maxBody,
		Now: tick(), LogVerifier: pub.Verifier(), Incidents: incidents, Agreements: incidents})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		store.Close()
	})
	return &server{t: t, url: ts.URL, store: store, publisher: pub}
}

// publish signs a checkpoint of the ledger as it is.
func (s *server) publish() {
	s.t.Helper()
	if _, err := s.publisher.Publish(context.Background()); err != nil {
		s.t.Fatal(err)
	}
}

// boundaries reads the shipped oblast boundaries.
func boundaries(t testing.TB) *region.Boundaries {
	t.Helper()
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := region.LoadBoundaries(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tick returns a server clock that starts at now and moves on a
// millisecond each time it is read, so that events have an order.
func tick() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return now.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// now is the server clock in tests.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// user creates a user and returns its token.
func (s *server) user(role auth.Role, org string, pub ed25519.PublicKey) string {
	s.t.Helper()
	tok, hash, err := auth.NewToken()
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.store.CreateUser(context.Background(), &auth.User{Name: string(role) + " " + org, Role: role, Org: org, PublicKey: pub}, hash); err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// do sends a request and returns the status and body.
func (s *server) do(method, path, token, contentType string, body []byte) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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
	return resp.StatusCode, b
}

func (s *server) count() int64 {
	s.t.Helper()
	n, err := s.store.CountObservations(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// obs returns a valid observation as a JSON object, with id n, changed by
// the given top-level fields (a nil value deletes the field).
func obs(n int, changes map[string]any) []byte {
	o := map[string]any{
		"id":          uuid(n),
		"observed_at": "2025-06-01T01:23:45Z", "time_uncertainty_s": 60,
		"lat": 47.84, "lon": 35.14, "location_uncertainty_m": 500,
		"domain": "land", "kind": "artillery", "count": 3, "source": "patrol",
	}
	for k, v := range changes {
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
	}
	b, _ := json.Marshal(o)
	return b
}

func uuid(n int) string {
	return "6f1c7a2e-0d0b-4a6e-9d1f-" + pad12(n)
}

func pad12(n int) string {
	s := "000000000000" + itoa(n)
	return s[len(s)-12:]
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// apiErr decodes an error answer.
func apiErr(t testing.TB, body []byte) (code, field, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Field, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	return e.Error.Code, e.Error.Field, e.Error.Message
}
