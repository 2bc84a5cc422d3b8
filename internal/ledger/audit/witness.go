package audit

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"truce/internal/ledger"
)

// Witness checks the newest checkpoint of the log that f reads and cosigns
// it. prevState is the newState of the previous call (nil the first time):
// the last checkpoint this witness cosigned.
//
// Witness verifies the log's signature, then refuses, with an error
// wrapping ErrRollback, a checkpoint smaller than the one in prevState, and,
// with an error wrapping ErrFork, one of the same size with another root or
// a larger one that a consistency proof (built from tiles, checked with
// transparency-dev/merkle) does not connect to it. A bad log signature is an
// error wrapping ledger.ErrSignature.
//
// On success it returns cosigned, the checkpoint note as served with the
// witness's cosignature line added (the body to POST to the log's
// cosignature endpoint), and newState, to save and pass next time. The
// caller MUST save newState before publishing cosigned, so that a crash
// cannot make it cosign two views of one log.
func Witness(ctx context.Context, f Fetcher, signer note.Signer, logVerifier note.Verifier, prevState []byte) (cosigned, newState []byte, err error) {
	var prev *ledger.Checkpoint
	if len(prevState) > 0 {
		c, err := ledger.OpenCheckpoint(prevState, logVerifier)
		if err != nil {
			return nil, nil, fmt.Errorf("audit: witness: saved state: %w", err)
		}
		prev = &c
	}
	msg, err := f.Fetch(ctx, "checkpoint")
	if err != nil {
		return nil, nil, fmt.Errorf("audit: witness: %w", err)
	}
	cp, err := ledger.OpenCheckpoint(msg, logVerifier)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: witness: refusing checkpoint: %w", err)
	}
	if prev != nil {
		switch {
		case cp.Size < prev.Size:
			return nil, nil, fmt.Errorf("audit: witness: refusing checkpoint of size %d: already cosigned size %d (%w)", cp.Size, prev.Size, ErrRollback)
		case cp.Size == prev.Size && cp.Root != prev.Root:
			return nil, nil, fmt.Errorf("audit: witness: refusing checkpoint of size %d with root %s: already cosigned root %s for that size (%w)", cp.Size, cp.Root, prev.Root, ErrFork)
		case cp.Size > prev.Size:
			if err := newTiles(f, cp.Size).verifyConsistency(ctx, *prev, cp); err != nil {
				if errors.Is(err, errTiles) {
					return nil, nil, fmt.Errorf("audit: witness: cannot prove checkpoint of size %d consistent with cosigned size %d: %w", cp.Size, prev.Size, err)
				}
				return nil, nil, fmt.Errorf("audit: witness: refusing checkpoint of size %d: not consistent with cosigned size %d: %v (%w)", cp.Size, prev.Size, err, ErrFork)
			}
		}
	}
	line, err := ledger.Cosign(msg, signer)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: witness: %w", err)
	}
	cosigned, err = ledger.AddCosignatures(msg, []byte(line))
	if err != nil {
		return nil, nil, fmt.Errorf("audit: witness: %w", err)
	}
	return cosigned, cosigned, nil
}
