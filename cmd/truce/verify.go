package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"truce/internal/ledger"
	"truce/internal/ledger/audit"
)

func runVerify(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "verify", `verify -server URL -log-key VKEY|FILE [-token T] [-state FILE] [-full] [-witnesses FILE -quorum K]

Audits a running server's ledger from outside. Checks the checkpoint's signature
by the log's key (given out of band: the server prints it when it creates it,
and writes it to its -log-key file's .pub), the witnesses' cosignatures, and
consistency with the checkpoint saved in -state (then saves the new one). With
-full it recomputes the tree from every entry; with -token it checks that every
record that token may read matches its entry's commitment and is included.
Exit status 0 only if everything holds; each problem is printed with what and
where (record id, entry index).`)
	server := fs.String("server", envOr("TRUCE_SERVER", "http://127.0.0.1:8080"), "the server's base URL (env TRUCE_SERVER)")
	logKey := fs.String("log-key", envOr("TRUCE_LOG_VKEY", ""), "the log's verifier key, or a file holding it (env TRUCE_LOG_VKEY)")
	token := fs.String("token", envOr("TRUCE_TOKEN", ""), "check every record this token may read (env TRUCE_TOKEN)")
	state := fs.String("state", "", "file keeping the last verified checkpoint")
	full := fs.Bool("full", false, "recompute the whole tree from every entry")
	witnesses := fs.String("witnesses", "", "file with one witness verifier key per line")
	quorum := fs.Int("quorum", 0, "how many of -witnesses must have cosigned the checkpoint")
	if err := parse(fs, args); err != nil {
		return err
	}
	logVerifier, err := readLogVerifier(*logKey)
	if err != nil {
		return fmt.Errorf("verify: -log-key: %w", err)
	}
	opts := audit.Options{LogVerifier: logVerifier, Quorum: *quorum, Full: *full}
	if *witnesses != "" {
		if opts.Witnesses, err = readWitnesses(*witnesses); err != nil {
			return fmt.Errorf("verify: -witnesses: %w", err)
		}
	}
	if *quorum > len(opts.Witnesses) {
		return fmt.Errorf("verify: -quorum %d but %d witness keys", *quorum, len(opts.Witnesses))
	}
	if *state != "" {
		if opts.State, err = readOptional(*state); err != nil {
			return fmt.Errorf("verify: -state: %w", err)
		}
	}
	client := &http.Client{Timeout: time.Minute}
	base := strings.TrimSuffix(*server, "/")
	if *token != "" {
		for _, typ := range []string{"observation", "incident_decision", "finding_event", "bulletin", "alert"} {
			recs, err := fetchLedgerRecords(ctx, client, base, *token, typ)
			if errors.Is(err, errForbidden) {
				continue // this token may not read records of this type
			}
			if err != nil {
				return fmt.Errorf("verify: %s records: %w", typ, err)
			}
			opts.Records = append(opts.Records, recs...)
		}
	}
	res, err := audit.Verify(ctx, audit.NewHTTPFetcher(base+"/ledger/", client), opts)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if *state != "" && res.State != nil {
		if err := writeAtomic(*state, res.State); err != nil {
			return fmt.Errorf("verify: -state: %w", err)
		}
	}
	c := res.Checkpoint
	fmt.Fprintf(e.stdout, "checkpoint: %s, %d entries, root %s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
	if len(opts.Witnesses) > 0 {
		fmt.Fprintf(e.stdout, "cosignatures: %d of %d witnesses (quorum %d)\n", res.Cosignatures, len(opts.Witnesses), *quorum)
	}
	if *full {
		fmt.Fprintf(e.stdout, "full audit: %d entries recomputed\n", res.Entries)
	}
	if *token != "" {
		fmt.Fprintf(e.stdout, "records: %d checked against their entries", res.Records)
		if len(res.Pending) > 0 {
			fmt.Fprintf(e.stdout, ", %d newer than the checkpoint (check again later)", len(res.Pending))
		}
		fmt.Fprintln(e.stdout)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(e.stdout, "PROBLEM %s\n", p)
	}
	if !res.OK() {
		return fmt.Errorf("verify: %d problems", len(res.Problems))
	}
	fmt.Fprintln(e.stdout, "ok: everything checked holds")
	return nil
}

// readLogVerifier takes a verifier key or the name of a file holding one.
func readLogVerifier(s string) (note.Verifier, error) {
	if s == "" {
		return nil, errors.New("required: the log's verifier key")
	}
	if b, err := os.ReadFile(s); err == nil {
		s = strings.TrimSpace(string(b))
	}
	return note.NewVerifier(s)
}

func readWitnesses(path string) ([]note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var vs []note.Verifier
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		v, err := ledger.NewWitnessVerifier(t)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		vs = append(vs, v)
	}
	return vs, sc.Err()
}

// readOptional reads a file, or returns nil if it does not exist yet.
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// writeAtomic replaces a file's content in one step, so a crash leaves the
// old state or the new one, never half of either.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// errForbidden means the server refused the token this listing.
var errForbidden = errors.New("forbidden")

// fetchLedgerRecords pages through every record of a type that the token
// may read, with its entry index and commitment salt.
func fetchLedgerRecords(ctx context.Context, client *http.Client, base, token, typ string) ([]audit.Record, error) {
	var out []audit.Record
	cursor := ""
	for {
		u := base + "/api/v1/ledger/records?limit=1000&type=" + url.QueryEscape(typ)
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusForbidden {
			return nil, errForbidden
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
		}
		var page struct {
			Items []struct {
				Type   string          `json:"type"`
				ID     string          `json:"id"`
				Index  int64           `json:"index"`
				Salt   []byte          `json:"salt"`
				Record json.RawMessage `json:"record"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			out = append(out, audit.Record{ID: it.ID, Type: it.Type, Index: it.Index, Canonical: it.Record, Salt: it.Salt})
		}
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
