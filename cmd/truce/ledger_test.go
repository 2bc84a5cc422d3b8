package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// ledgerServer is a running server with observations in its ledger and a
// checkpoint covering them.
type ledgerServer struct {
	base, db, dir, vkey string
	analyst, witness    string
	ids                 []string
}

func startLedgerServer(t *testing.T) *ledgerServer {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	s := &ledgerServer{db: db, dir: dir}
	var err error
	if _, err = runCmd(t, "keygen", "-kind", "witness", "-name", "witness.example.org/w1", "-out", filepath.Join(dir, "w1")); err != nil {
		t.Fatal(err)
	}
	user := func(args ...string) string {
		out, err := runCmd(t, append([]string{"user", "add", "-db", "sqlite:" + db}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return lastLine(out)
	}
	monitor := user("-role", "monitor", "-org", "Mission", "-name", "Patrol")
	s.analyst = user("-role", "analyst", "-org", "Mission", "-name", "Analyst")
	s.witness = user("-role", "witness", "-org", "Witness Org", "-name", "W1", "-pubkey", filepath.Join(dir, "w1.pub"))

	keyFile := filepath.Join(dir, "log.key")
	s.base, _ = startServe(t, "-db", "sqlite:"+db, "-log-key", keyFile, "-checkpoint-interval", "20ms")
	vk, err := os.ReadFile(keyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	s.vkey = strings.TrimSpace(string(vk))

	var body bytes.Buffer
	for i := range 40 {
		id := fmt.Sprintf("6f1c7a2e-0d0b-4a6e-9d1f-%012d", i)
		s.ids = append(s.ids, id)
		fmt.Fprintf(&body, `{"id":%q,"observed_at":"2025-06-01T01:%02d:00Z","lat":47.8,"lon":35.1,"domain":"land","kind":"artillery","count":3,"source":"patrol"}`+"\n", id, i)
	}
	req, _ := http.NewRequest("POST", s.base+"/api/v1/observations", &body)
	req.Header.Set("Authorization", "Bearer "+monitor)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("post: %s", resp.Status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.get(t, "/ledger/checkpoint"), "\n40\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size 40:\n%s", s.get(t, "/ledger/checkpoint"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func (s *ledgerServer) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// exec changes the database behind the server's back.
func (s *ledgerServer) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+s.db+"?_pragma=busy_timeout(10000)") // the server writes too
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("tamper %q changed nothing", q)
	}
}

func (s *ledgerServer) verify(t *testing.T, extra ...string) (string, error) {
	t.Helper()
	return runCmd(t, append([]string{"verify", "-server", s.base, "-log-key", s.vkey}, extra...)...)
}

func TestVerifyAndWitness(t *testing.T) {
	s := startLedgerServer(t)
	state := filepath.Join(s.dir, "verify.state")
	out, err := s.verify(t, "-full", "-token", s.analyst, "-state", state)
	if err != nil || !strings.Contains(out, "40 entries recomputed") || !strings.Contains(out, "records: 40 checked") {
		t.Fatalf("verify of an untouched ledger: %v\n%s", err, out)
	}

	witnessArgs := []string{"witness", "-server", s.base, "-log-key", s.vkey, "-key", filepath.Join(s.dir, "w1.key"),
		"-state", filepath.Join(s.dir, "w1.state"), "-token", s.witness}
	if out, err := runCmd(t, witnessArgs...); err != nil || !strings.Contains(out, "cosigned") {
		t.Fatalf("witness: %v\n%s", err, out)
	}
	witnesses := filepath.Join(s.dir, "witnesses")
	pub, _ := os.ReadFile(filepath.Join(s.dir, "w1.pub"))
	os.WriteFile(witnesses, pub, 0o644)
	if out, err := s.verify(t, "-witnesses", witnesses, "-quorum", "1", "-state", state); err != nil {
		t.Errorf("verify with a quorum of the witness that cosigned: %v\n%s", err, out)
	}

	// A token that is not a witness's may not post cosignatures.
	bad := append(append([]string(nil), witnessArgs[:len(witnessArgs)-1]...), s.analyst)
	bad[8] = filepath.Join(s.dir, "w1-other.state")
	if _, err := runCmd(t, bad...); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("witness with an analyst's token: got %v, want 403", err)
	}
	// A witness refuses a checkpoint from a log other than the one it knows.
	otherState := filepath.Join(s.dir, "w1-foreign.state")
	os.WriteFile(otherState, []byte("example.org/other\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.org/other AAAAAAAA\n"), 0o644)
	foreign := append([]string(nil), witnessArgs...)
	foreign[8] = otherState
	if _, err := runCmd(t, foreign...); err == nil {
		t.Error("the witness cosigned over a state it cannot verify")
	}
}

// TestVerifyFindsTampering edits, deletes and reorders the database behind
// the server's back; verify must fail and say what and where.
func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *ledgerServer)
		args   func(s *ledgerServer) []string
		want   []string
	}{
		{
			name: "a record edited",
			tamper: func(t *testing.T, s *ledgerServer) {
				s.exec(t, `UPDATE observations SET body = replace(body, '"count":3', '"count":30') WHERE ledger_idx = 7`) // the record with id …007
			},
			args: func(s *ledgerServer) []string { return []string{"-token", s.analyst} },
			want: []string{"PROBLEM record", "6f1c7a2e-0d0b-4a6e-9d1f-000000000007"},
		},
		{
			name:   "an entry deleted",
			tamper: func(t *testing.T, s *ledgerServer) { s.exec(t, `DELETE FROM ledger_entries WHERE idx = 12`) },
			args:   func(s *ledgerServer) []string { return []string{"-full", "-token", s.analyst} },
			want:   []string{"PROBLEM entry", "PROBLEM root", "index 12 (id 6f1c7a2e-0d0b-4a6e-9d1f-000000000012)"},
		},
		{
			name: "two entries swapped",
			tamper: func(t *testing.T, s *ledgerServer) {
				s.exec(t, `UPDATE ledger_entries SET leaf = CASE idx WHEN 20 THEN (SELECT leaf FROM ledger_entries WHERE idx = 21) ELSE (SELECT leaf FROM ledger_entries WHERE idx = 20) END WHERE idx IN (20, 21)`)
			},
			args: func(*ledgerServer) []string { return []string{"-full"} },
			want: []string{"PROBLEM", "index 20"},
		},
		{
			name: "a commitment changed",
			tamper: func(t *testing.T, s *ledgerServer) {
				// The first hex digit of the commitment sits after
				// {"accepted_at":"<30 characters>","commitment":" — byte 63.
				s.exec(t, `UPDATE ledger_entries SET leaf = CAST(substr(leaf, 1, 62) || (CASE CAST(substr(leaf, 63, 1) AS TEXT) WHEN '0' THEN '1' ELSE '0' END) || substr(leaf, 64) AS BLOB) WHERE idx = 9`)
			},
			args: func(s *ledgerServer) []string { return []string{"-full", "-token", s.analyst} },
			want: []string{"PROBLEM", "index 9"},
		},
		{
			name: "the log truncated",
			tamper: func(t *testing.T, s *ledgerServer) {
				s.exec(t, `DELETE FROM ledger_entries WHERE idx >= 30`)
			},
			args: func(s *ledgerServer) []string { return []string{"-full"} },
			want: []string{"PROBLEM entry", "PROBLEM root"},
		},
		{
			name: "the checkpoint edited",
			tamper: func(t *testing.T, s *ledgerServer) {
				s.exec(t, `UPDATE ledger_checkpoints SET note = replace(note, X'0A34300A', X'0A34310A') WHERE size = 40`)
			},
			args: func(*ledgerServer) []string { return nil },
			want: []string{"PROBLEM signature"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startLedgerServer(t)
			if out, err := s.verify(t, "-full", "-token", s.analyst); err != nil {
				t.Fatalf("before tampering: %v\n%s", err, out)
			}
			tt.tamper(t, s)
			out, err := s.verify(t, tt.args(s)...)
			if err == nil {
				t.Fatalf("verify passed after tampering:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestVerifyDetectsRollback(t *testing.T) {
	s := startLedgerServer(t)
	state := filepath.Join(s.dir, "state")
	if out, err := s.verify(t, "-state", state); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Serve an older checkpoint again, as a server hiding later entries would.
	// (One statement, so that the server's publisher never sees a gap.)
	s.exec(t, `UPDATE ledger_checkpoints SET note = (SELECT note FROM ledger_checkpoints WHERE size = 0) WHERE size = 40`)
	out, err := s.verify(t, "-state", state)
	if err == nil || !strings.Contains(out, "PROBLEM") {
		t.Errorf("verify passed a rolled-back checkpoint:\n%s", out)
	}
	t.Log(out)
}

// TestWitnessRefusesFork shows a witness two different checkpoints of one
// size, both signed with the log's key: it must refuse the second.
func TestWitnessRefusesFork(t *testing.T) {
	s := startLedgerServer(t)
	args := []string{"witness", "-server", s.base, "-log-key", s.vkey, "-key", filepath.Join(s.dir, "w1.key"),
		"-state", filepath.Join(s.dir, "w1.state"), "-token", s.witness}
	if out, err := runCmd(t, args...); err != nil {
		t.Fatalf("first cosignature: %v\n%s", err, out)
	}
	skey, err := os.ReadFile(filepath.Join(s.dir, "log.key"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := ledger.SignCheckpoint(signer, signer.Name(), 40, tlog.Hash{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	s.exec(t, `UPDATE ledger_checkpoints SET note = $1 WHERE size = 40`, forged)
	s.exec(t, `DELETE FROM ledger_cosignatures WHERE size = 40`)
	out, err := runCmd(t, args...)
	if err == nil || !strings.Contains(err.Error(), "fork") {
		t.Errorf("the witness cosigned a fork: %v\n%s", err, out)
	}
}
