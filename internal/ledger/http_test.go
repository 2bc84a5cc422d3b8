package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"truce/internal/ledger"
	"truce/internal/ledger/ledgertest"
)

func TestHandler(t *testing.T) {
	ctx := t.Context()
	m, _, logV := newTestLog(t, 300)
	mux := http.NewServeMux()
	indexOf := func(_ context.Context, id string) (int64, error) {
		for i, e := range m.Entries {
			if en, _ := ledger.ParseEntry(e); en.ID == id {
				return int64(i), nil
			}
		}
		return 0, fmt.Errorf("no entry for %s: %w", id, ledger.ErrNotFound)
	}
	mux.Handle("/ledger/", http.StripPrefix("/ledger", ledger.NewHandler(ledger.HandlerConfig{Checkpoints: m, Reader: m, IndexOf: indexOf})))
	e7, _, _ := testEntry(7)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cp, _ := m.LatestCheckpoint(ctx)

	tests := []struct {
		path        string
		status      int
		contentType string
		cache       string
		body        []byte
	}{
		{"/ledger/checkpoint", 200, "text/plain; charset=utf-8", "public, max-age=5", cp},
		{"/ledger/tile/0/000", 200, "application/octet-stream", "public, max-age=31536000, immutable", nil},
		{"/ledger/tile/0/001.p/44", 200, "application/octet-stream", "public, max-age=5", nil},
		{"/ledger/tile/1/000.p/1", 200, "application/octet-stream", "public, max-age=5", nil},
		{"/ledger/tile/entries/000", 200, "application/octet-stream", "public, max-age=31536000, immutable", nil},
		{"/ledger/tile/entries/001.p/44", 200, "application/octet-stream", "public, max-age=5", nil},
		{"/ledger/tile/0/001", 404, "application/json", "no-store", nil},
		{"/ledger/tile/0/001.p/45", 404, "application/json", "no-store", nil},
		{"/ledger/tile/entries/002.p/1", 404, "application/json", "no-store", nil},
		{"/ledger/tile/0/1", 404, "application/json", "no-store", nil},
		{"/ledger/proof/inclusion?index=3&size=300", 200, "application/json", "public, max-age=5", nil},
		{"/ledger/proof/inclusion?index=300&size=300", 400, "application/json", "no-store", nil},
		{"/ledger/proof/inclusion?index=3&size=301", 404, "application/json", "no-store", nil},
		{"/ledger/proof/inclusion?index=x&size=3", 400, "application/json", "no-store", nil},
		{"/ledger/proof/consistency?from=10&to=300", 200, "application/json", "public, max-age=5", nil},
		{"/ledger/proof/inclusion?id=" + e7.ID + "&size=300", 200, "application/json", "public, max-age=5", nil},
		{"/ledger/proof/inclusion?id=nope&size=300", 404, "application/json", "no-store", nil},
		{"/ledger/proof/consistency?from=10&to=5", 400, "application/json", "no-store", nil},
		{"/ledger/cosignature", 405, "", "", nil}, // GET
		{"/ledger/nothing", 404, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if tt.contentType != "" && resp.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.contentType)
			}
			if tt.cache != "" && resp.Header.Get("Cache-Control") != tt.cache {
				t.Errorf("Cache-Control %q, want %q", resp.Header.Get("Cache-Control"), tt.cache)
			}
			if tt.body != nil && !bytes.Equal(body, tt.body) {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if tt.status >= 400 && tt.contentType == "application/json" {
				var e struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
					t.Errorf("error body %s: want {\"error\":{\"code\",\"message\"}}", body)
				}
			}
		})
	}

	// The proofs verify with transparency-dev/merkle against the checkpoint.
	c, err := ledger.OpenCheckpoint(cp, logV)
	if err != nil {
		t.Fatal(err)
	}
	var inc ledger.InclusionProofJSON
	getJSON(t, srv.URL+"/ledger/proof/inclusion?index=3&size=300", &inc)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, 3, 300, rfc6962.DefaultHasher.HashLeaf(m.Entries[3]), bytesSlices(inc.Hashes), c.Root[:]); err != nil {
		t.Errorf("inclusion proof from HTTP: %v", err)
	}
	getJSON(t, srv.URL+"/ledger/proof/inclusion?id="+e7.ID+"&size=300", &inc)
	if inc.Index != 7 {
		t.Errorf("inclusion proof by id: index %d, want 7", inc.Index)
	}
	var cons ledger.ConsistencyProofJSON
	getJSON(t, srv.URL+"/ledger/proof/consistency?from=10&to=300", &cons)
	root10, _ := ledger.RootHash(ctx, m, 10)
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, 10, 300, bytesSlices(cons.Hashes), root10[:], c.Root[:]); err != nil {
		t.Errorf("consistency proof from HTTP: %v", err)
	}
	// The JSON shape is documented: hashes are base64 strings.
	resp, _ := http.Get(srv.URL + "/ledger/proof/consistency?from=300&to=300")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := strings.TrimSpace(string(body)); got != `{"from":300,"to":300,"hashes":[]}` {
		t.Errorf("empty consistency proof = %s", got)
	}

	// Entry bundles are gzipped for clients that accept it.
	req, _ := http.NewRequest("GET", srv.URL+"/ledger/tile/entries/000", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("entry bundle Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestHandlerNoCheckpoint(t *testing.T) {
	m := ledgertest.New()
	srv := httptest.NewServer(ledger.NewHandler(ledger.HandlerConfig{Checkpoints: m, Reader: m}))
	defer srv.Close()
	for _, p := range []string{"/checkpoint", "/tile/0/000.p/1"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s on an empty log: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHandlerCosignature(t *testing.T) {
	ctx := t.Context()
	m, _, logV := newTestLog(t, 10)
	cp, _ := m.LatestCheckpoint(ctx)
	skey, vkey, _ := ledger.GenerateWitnessKey("witness.example/w1")
	w, _ := ledger.NewWitnessSigner(skey, time.Now)
	wv, _ := ledger.NewWitnessVerifier(vkey)
	skey2, _, _ := ledger.GenerateWitnessKey("witness.example/w2")
	w2, _ := ledger.NewWitnessSigner(skey2, time.Now)

	// The caller authenticates: here the token names the witness.
	witnessFor := func(r *http.Request) (note.Verifier, error) {
		if r.Header.Get("Authorization") != "Bearer w1" {
			return nil, errors.New("not a witness")
		}
		return wv, nil
	}
	srv := httptest.NewServer(ledger.NewHandler(ledger.HandlerConfig{
		Checkpoints: m, Reader: m, Cosignatures: m, LogVerifier: logV, Witness: witnessFor,
	}))
	defer srv.Close()
	post := func(token string, body []byte) int {
		req, _ := http.NewRequest("POST", srv.URL+"/cosignature", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	line, _ := ledger.Cosign(cp, w)
	line2, _ := ledger.Cosign(cp, w2)
	good := append(append([]byte(nil), cp...), line...)
	byW2 := append(append([]byte(nil), cp...), line2...)

	tests := []struct {
		name  string
		token string
		body  []byte
		want  int
	}{
		{"not a witness", "nobody", good, 403},
		{"cosignature by an unknown key", "w1", byW2, 400},
		{"not a note", "w1", []byte("hello"), 400},
		{"valid", "w1", good, 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.token, tt.body); got != tt.want {
				t.Errorf("POST cosignature: %d, want %d", got, tt.want)
			}
		})
	}
	resp, _ := http.Get(srv.URL + "/checkpoint")
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n, err := ledger.CountCosignatures(served, []note.Verifier{wv}); n != 1 || err != nil {
		t.Errorf("served checkpoint has %d valid cosignatures (%v), want 1:\n%s", n, err, served)
	}

	// Without the options, cosignatures are not accepted.
	srv2 := httptest.NewServer(ledger.NewHandler(ledger.HandlerConfig{Checkpoints: m, Reader: m}))
	defer srv2.Close()
	resp, _ = http.Post(srv2.URL+"/cosignature", "text/plain", bytes.NewReader(good))
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("POST cosignature without options: %d, want 404", resp.StatusCode)
	}
}
