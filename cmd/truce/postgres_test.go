package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce/internal/store/postgres/pgtest"
)

// TestPostgresEndToEnd runs truce on PostgreSQL (TRUCE_TEST_POSTGRES; the
// test skips without it): users are added and a server started with
// -db postgres://…, observations posted become incidents, a second server
// on the same database takes observations into the same ledger, truce
// verify -full passes against the first, and truce export reads the
// database.
func TestPostgresEndToEnd(t *testing.T) {
	db := pgtest.URL(t)
	dir := t.TempDir()
	user := func(args ...string) string {
		out, err := runCmd(t, append([]string{"user", "add", "-db", db}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return lastLine(out)
	}
	monitor := user("-role", "monitor", "-org", "Mission", "-name", "Patrol")
	analyst := user("-role", "analyst", "-org", "Mission", "-name", "Analyst")

	keyFile := filepath.Join(dir, "log.key")
	first, _ := startServe(t, "-db", db, "-log-key", keyFile, "-checkpoint-interval", "20ms")
	vk, err := os.ReadFile(keyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	vkey := strings.TrimSpace(string(vk))
	// A replica: the same database and ledger key.
	second, _ := startServe(t, "-db", db, "-log-key", keyFile, "-checkpoint-interval", "20ms")

	post := func(base string, from, to int) {
		t.Helper()
		var body bytes.Buffer
		for i := from; i < to; i++ {
			fmt.Fprintf(&body, `{"id":"6f1c7a2e-0d0b-4a6e-9d1f-%012d","observed_at":"2025-06-01T01:%02d:00Z","lat":47.8,"lon":35.1,"domain":"land","kind":"artillery","count":3,"source":"patrol"}`+"\n", i, i)
		}
		req, _ := http.NewRequest("POST", base+"/api/v1/observations", &body)
		req.Header.Set("Authorization", "Bearer "+monitor)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("post to %s: %s", base, resp.Status)
		}
	}
	get := func(base, path, token string) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s\n%s", path, resp.Status, b.String())
		}
		return b.Bytes()
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	post(first, 0, 40)
	post(second, 30, 50) // 30..39 are duplicates, 40..49 new
	waitFor("the first server's incidents", func() bool {
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(get(first, "/api/v1/incidents", analyst), &page); err != nil {
			t.Fatal(err)
		}
		return len(page.Items) > 0
	})
	waitFor("a checkpoint of size 50", func() bool {
		return strings.Contains(string(get(first, "/ledger/checkpoint", "")), "\n50\n")
	})
	out, err := runCmd(t, "verify", "-server", first, "-log-key", vkey, "-full", "-token", analyst)
	if err != nil || !strings.Contains(out, "50 entries recomputed") || !strings.Contains(out, "records: 50 checked") {
		t.Fatalf("verify -full against the first server: %v\n%s", err, out)
	}
	out, err = runCmd(t, "export", "-db", db, "-format", "jsonl")
	if err != nil || strings.Count(out, "\n") == 0 {
		t.Fatalf("export from PostgreSQL: %v\n%s", err, out)
	}
}

// TestOpenStoreRefusesBadURLs: a URL that does not parse, or names no
// server, is an error that does not show the password.
func TestOpenStoreRefusesBadURLs(t *testing.T) {
	for _, db := range []string{
		"postgres://truce:s3cret@127.0.0.1:1/truce?sslmode=disable&connect_timeout=2",
		"postgres://truce:s3cret@127.0.0.1:5432/truce?sslmode=bogus",
		"mysql://truce:s3cret@host/db",
	} {
		s, err := openStore(t.Context(), db)
		if err == nil {
			s.Close()
			t.Errorf("%s: opened", db)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the password: %v", db, err)
		}
	}
}
