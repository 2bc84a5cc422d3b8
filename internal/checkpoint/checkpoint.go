// Package checkpoint publishes the ledger's signed checkpoints: at an
// interval, while the log grows, it signs a C2SP tlog-checkpoint for the
// current tree and stores it, and it refuses to sign anything inconsistent
// with the checkpoint it signed before.
package checkpoint

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// Store is what publishing needs from the database.
type Store interface {
	ledger.HashReader
	TreeSize(ctx context.Context) (int64, error)
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	SaveCheckpoint(ctx context.Context, size int64, note []byte) error
}

// Publisher signs checkpoints of one log with one key.
type Publisher struct {
	store    Store
	signer   note.Signer
	verifier note.Verifier
	log      *slog.Logger
}

// New returns a publisher signing with skey, a signed-note private key
// whose name is the log's origin (see ledger.GenerateKey).
func New(store Store, skey string, log *slog.Logger) (*Publisher, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: log key: %w", err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: log key: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{store: store, signer: signer, verifier: verifier, log: log}, nil
}

// Origin returns the log's origin, the name of its key.
func (p *Publisher) Origin() string { return p.signer.Name() }

// Verifier returns the verifier of the log's key.
func (p *Publisher) Verifier() note.Verifier { return p.verifier }

// ErrInconsistent means the stored ledger no longer agrees with the latest
// signed checkpoint: it shrank, or its hashes give another root. The
// publisher then signs nothing more, since signing would make a fork.
var ErrInconsistent = errors.New("checkpoint: ledger inconsistent with its latest checkpoint")

// Publish signs and stores a checkpoint of the current tree if the tree
// grew since the latest checkpoint (or none was signed yet). It returns the
// size of the latest checkpoint after the call.
func (p *Publisher) Publish(ctx context.Context) (int64, error) {
	last := int64(-1)
	var lastRoot tlog.Hash
	msg, err := p.store.LatestCheckpoint(ctx)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
	case err != nil:
		return 0, fmt.Errorf("checkpoint: %w", err)
	default:
		c, err := ledger.OpenCheckpoint(msg, p.verifier)
		if err != nil {
			return 0, fmt.Errorf("checkpoint: the latest stored checkpoint is not signed by this log's key %s: %w", p.verifier.Name(), err)
		}
		last, lastRoot = c.Size, c.Root
	}
	size, err := p.store.TreeSize(ctx)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	if size < last {
		return last, fmt.Errorf("%w: the ledger has %d entries, the checkpoint %d", ErrInconsistent, size, last)
	}
	if size == last {
		return last, nil
	}
	if last > 0 {
		root, err := ledger.RootHash(ctx, p.store, last)
		if err != nil {
			return last, fmt.Errorf("checkpoint: root of %d: %w", last, err)
		}
		if root != lastRoot {
			return last, fmt.Errorf("%w: the stored hashes give another root for size %d", ErrInconsistent, last)
		}
	}
	root, err := ledger.RootHash(ctx, p.store, size)
	if err != nil {
		return last, fmt.Errorf("checkpoint: root of %d: %w", size, err)
	}
	signed, err := ledger.SignCheckpoint(p.signer, p.signer.Name(), size, root)
	if err != nil {
		return last, fmt.Errorf("checkpoint: sign %d: %w", size, err)
	}
	if err := p.store.SaveCheckpoint(ctx, size, signed); err != nil {
		return last, fmt.Errorf("checkpoint: %w", err)
	}
	return size, nil
}

// Run publishes every interval until ctx is done. Errors are logged; an
// inconsistent ledger is logged at error level on every attempt, so that
// operators see it, and nothing is signed.
func (p *Publisher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	last := int64(-1)
	for {
		size, err := p.Publish(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.ErrorContext(ctx, "checkpoint not published", slog.Any("err", err))
		case size != last:
			p.log.DebugContext(ctx, "checkpoint published", slog.Int64("size", size))
			last = size
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// VerifierKey derives the verifier key "<name>+<hash>+<base64(0x01 || public key)>"
// of a log's signed-note Ed25519 private key
// "PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>", to give to witnesses
// and verifiers.
func VerifierKey(skey string) (string, error) {
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	parts := strings.SplitN(rest, "+", 3) // name, hash, base64 (which may itself hold '+')
	if !ok || len(parts) != 3 {
		return "", fmt.Errorf("checkpoint: log key: not a signed-note private key")
	}
	data, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(data) != 1+ed25519.SeedSize || data[0] != 1 {
		return "", fmt.Errorf("checkpoint: log key: not an Ed25519 signed-note key")
	}
	pub := ed25519.NewKeyFromSeed(data[1:]).Public().(ed25519.PublicKey)
	return parts[0] + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...)), nil
}
