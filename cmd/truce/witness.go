package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"truce/internal/ledger"
	"truce/internal/ledger/audit"
)

func runWitness(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "witness", `witness -server URL -key FILE -state FILE -log-key VKEY|FILE -token T [-every D]

Fetches the newest checkpoint, checks the log's signature and that it is
consistent with the last checkpoint this witness cosigned (kept in -state),
saves it, and posts the cosignature (C2SP tlog-cosignature). It refuses, and
reports, a bad signature, a rollback or a fork: then nothing is cosigned.`)
	server := fs.String("server", envOr("TRUCE_SERVER", "http://127.0.0.1:8080"), "the server's base URL (env TRUCE_SERVER)")
	keyFile := fs.String("key", "", "the witness's private key file (truce keygen -kind witness)")
	state := fs.String("state", "", "file keeping the last cosigned checkpoint")
	logKey := fs.String("log-key", envOr("TRUCE_LOG_VKEY", ""), "the log's verifier key, or a file holding it (env TRUCE_LOG_VKEY)")
	token := fs.String("token", envOr("TRUCE_TOKEN", ""), "the witness user's bearer token (env TRUCE_TOKEN)")
	every := fs.Duration("every", 0, "keep witnessing at this interval (0: once)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *keyFile == "" || *state == "" || *token == "" {
		fs.Usage()
		return errUsage
	}
	logVerifier, err := readLogVerifier(*logKey)
	if err != nil {
		return fmt.Errorf("witness: -log-key: %w", err)
	}
	skey, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("witness: -key: %w", err)
	}
	signer, err := ledger.NewWitnessSigner(strings.TrimSpace(string(skey)), time.Now)
	if err != nil {
		return fmt.Errorf("witness: -key: %w", err)
	}
	client := &http.Client{Timeout: time.Minute}
	base := strings.TrimSuffix(*server, "/")
	fetcher := audit.NewHTTPFetcher(base+"/ledger/", client)
	once := func() error {
		prev, err := readOptional(*state)
		if err != nil {
			return fmt.Errorf("witness: -state: %w", err)
		}
		cosigned, next, err := audit.Witness(ctx, fetcher, signer, logVerifier, prev)
		if err != nil {
			return fmt.Errorf("witness: refused: %w", err)
		}
		// Save first: a crash after posting must not let this witness
		// cosign another view of the log later.
		if err := writeAtomic(*state, next); err != nil {
			return fmt.Errorf("witness: -state: %w", err)
		}
		if err := postCosignature(ctx, client, base, *token, cosigned); err != nil {
			return fmt.Errorf("witness: post: %w", err)
		}
		size, _ := ledger.CheckpointSize(cosigned)
		fmt.Fprintf(e.stdout, "cosigned %s at size %d\n", logVerifier.Name(), size)
		return nil
	}
	if *every <= 0 {
		return once()
	}
	t := time.NewTicker(*every)
	defer t.Stop()
	for {
		if err := once(); err != nil {
			fmt.Fprintln(e.stderr, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func postCosignature(ctx context.Context, client *http.Client, base, token string, cosigned []byte) error {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/ledger/cosignature", bytes.NewReader(cosigned))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return nil
}
