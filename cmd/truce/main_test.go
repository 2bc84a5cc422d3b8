package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/internal/observation"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// startServe runs `truce serve` through run() and returns its base URL and
// its stdout. The server stops when the test ends.
func startServe(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout := &syncBuffer{}
	var serveErr error
	stopped := make(chan struct{})
	args = append([]string{"serve", "-addr", "127.0.0.1:0", "-log-key", filepath.Join(t.TempDir(), "log.key")}, args...)
	go func() {
		serveErr = run(ctx, args, stdout, io.Discard)
		close(stopped)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
		if serveErr != nil {
			t.Errorf("serve returned %v", serveErr)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout
		}
		select {
		case <-stopped:
			t.Fatalf("serve stopped before listening")
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("serve did not start")
	return "", nil
}

func TestREADMECommands(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"go run ./cmd/truce serve --demo", "go test ./..."} {
		if !bytes.Contains(b, []byte(cmd)) {
			t.Errorf("README.md no longer gives %q", cmd)
		}
	}
}

func TestServeHealthz(t *testing.T) {
	base, _ := startServe(t, "-db", "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.Status != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body.Status)
	}
	// What a newcomer opens in a browser: the front page, not a 404.
	page, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Errorf("front page: %d %s", page.StatusCode, page.Header.Get("Content-Type"))
	}
}

func TestServeDemo(t *testing.T) {
	base, stdout := startServe(t, "--demo")
	var token string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(stdout.String(), "demo loaded") {
		time.Sleep(20 * time.Millisecond)
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "analyst" {
			token = f[len(f)-1]
		}
	}
	if !strings.Contains(stdout.String(), "demo loaded") || token == "" {
		t.Fatalf("demo output lacks the load summary or an analyst token:\n%s", stdout)
	}
	for _, role := range []string{"monitor", "analyst", "party", "mediator", "observer", "witness", "caseworker", "admin"} {
		if !regexp.MustCompile(`(?m)^` + role + `\s.*truce_\S+$`).MatchString(stdout.String()) {
			t.Errorf("no token printed for %s", role)
		}
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/observations?limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Items []json.RawMessage }
	json.NewDecoder(resp.Body).Decode(&page)
	if resp.StatusCode != 200 || len(page.Items) < 100 {
		t.Errorf("analyst list: status %d, %d items; want a populated system", resp.StatusCode, len(page.Items))
	}
}

// runCmd runs a command through run() and returns its stdout.
func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, &out, &errOut)
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestUserAdd(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	out, err := runCmd(t, "user", "add", "-db", db, "-role", "monitor", "-org", "Mission", "-name", "Patrol 1")
	if err != nil {
		t.Fatal(err)
	}
	if tok := lastLine(out); !regexp.MustCompile(`^truce_[A-Za-z0-9_-]{43}$`).MatchString(tok) {
		t.Errorf("last line %q is not a token", tok)
	}
	bad := []struct {
		name string
		args []string
	}{
		{"unknown role", []string{"-role", "general", "-org", "X", "-name", "N"}},
		{"party without a code", []string{"-role", "party", "-org", "Ukraine", "-name", "N"}},
		{"no name", []string{"-role", "monitor", "-org", "X"}},
		{"missing key file", []string{"-role", "monitor", "-org", "X", "-name", "N", "-pubkey", "/nonexistent"}},
	}
	for _, tt := range bad {
		if out, err := runCmd(t, append([]string{"user", "add", "-db", db}, tt.args...)...); err == nil || strings.Contains(out, "truce_") {
			t.Errorf("%s: err %v, output %q; want an error and no token", tt.name, err, out)
		}
	}
	if _, err := runCmd(t, "user", "remove"); !errors.Is(err, errUsage) {
		t.Errorf("user remove: got %v, want a usage error", err)
	}
}

func TestImportJSONL(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "t.db")
	if _, err := runCmd(t, "keygen", "-out", filepath.Join(dir, "dev")); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, "user", "add", "-db", db, "-role", "monitor", "-org", "Sensors", "-name", "Array", "-pubkey", filepath.Join(dir, "dev.pub"))
	if err != nil {
		t.Fatal(err)
	}
	token := lastLine(out)
	priv := readKey(t, filepath.Join(dir, "dev.key"))

	var file bytes.Buffer
	for i, line := range []string{
		`{"id":"6f1c7a2e-0d0b-4a6e-9d1f-000000000001","observed_at":"2025-06-01T01:00:00Z","lat":47.8,"lon":35.1,"domain":"land","kind":"artillery","source":"acoustic"}`,
		`{"id":"6f1c7a2e-0d0b-4a6e-9d1f-000000000002","observed_at":"2025-06-01T01:00:00Z","lat":95,"lon":35.1,"domain":"land","kind":"artillery","source":"acoustic"}`,
		`not json at all`,
		`{"id":"6f1c7a2e-0d0b-4a6e-9d1f-000000000003","observed_at":"2025-06-01T01:05:00Z","region":"UA-23","domain":"land","kind":"mortar","source":"acoustic"}`,
		``,
		`{"id":"6f1c7a2e-0d0b-4a6e-9d1f-000000000004","observed_at":"2025-06-01T01:06:00Z","region":"UA-23","domain":"land","kind":"mortar","source":"acoustic"}`,
	} {
		b := []byte(line)
		if strings.HasPrefix(line, "{") && i != 5 { // line 6 stays unsigned: the key makes signing required
			if b, err = observation.Sign(priv, b); err != nil {
				t.Fatal(err)
			}
		}
		file.Write(b)
		file.WriteByte('\n')
	}
	path := filepath.Join(dir, "obs.jsonl")
	os.WriteFile(path, file.Bytes(), 0o644)

	out, err = runCmd(t, "import", "-db", db, "-format", "jsonl", "-token", token, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 lines read, 2 imported, 0 already present, 3 rejected", "line 2: lat:", "line 3: body:", "line 6: signature:"} {
		if !strings.Contains(out, want) {
			t.Errorf("first import: output lacks %q:\n%s", want, out)
		}
	}
	out, err = runCmd(t, "import", "-db", db, "-format", "jsonl", "-token", token, path)
	if err != nil || !strings.Contains(out, "0 imported, 2 already present") {
		t.Errorf("second import: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "import", "-db", db, "-token", "truce_wrong", path); err == nil {
		t.Error("import with an unknown token succeeded")
	}
	if _, err := runCmd(t, "import", "-db", db, "-format", "csv", "-token", token, path); err == nil {
		t.Error("import of an unknown format succeeded")
	}
}

func readKey(t *testing.T, path string) ed25519.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(ed25519.PrivateKey)
}

func TestUnknownCommand(t *testing.T) {
	if _, err := runCmd(t, "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("got %v, want a usage error", err)
	}
}
