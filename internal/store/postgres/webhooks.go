package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/notify"
)

// Webhooks and their deliveries are operational data: they are not
// records and have no ledger entries. Several servers may deliver from one
// queue: ClaimDue skips rows another server's claim has locked, and a
// claim's lease keeps them from being claimed twice afterwards.

// CreateWebhook stores w unless its owner already has maxPerOwner webhooks
// or the server maxTotal, which are conflicts (derrors.ErrConflict naming
// the field "url"). The webhooks table is locked against other creations
// meanwhile, so that concurrent creations cannot pass the limits together.
func (s *Store) CreateWebhook(ctx context.Context, w notify.Webhook, maxPerOwner, maxTotal int) error {
	types := w.Types
	if types == nil {
		types = []string{}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE webhooks IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var own, all int
		if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE owner_id = $1) FROM webhooks`, w.OwnerID).Scan(&all, &own); err != nil {
			return err
		}
		switch {
		case own >= maxPerOwner:
			return &derrors.FieldError{Field: "url", Message: fmt.Sprintf("a user may register at most %d webhooks", maxPerOwner), Err: derrors.ErrConflict}
		case all >= maxTotal:
			return &derrors.FieldError{Field: "url", Message: fmt.Sprintf("the server holds at most %d webhooks", maxTotal), Err: derrors.ErrConflict}
		}
		_, err := tx.Exec(ctx, `INSERT INTO webhooks (id, owner_id, url, types, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			w.ID, w.OwnerID, w.URL, types, w.Secret, w.Created.UnixNano())
		return err
	})
	if fe := (*derrors.FieldError)(nil); errors.As(err, &fe) {
		return fe
	}
	if err != nil {
		return fmt.Errorf("postgres: create webhook: %w", err)
	}
	return nil
}

const webhookColumns = `id, owner_id, url, types, secret, created_at`

func scanWebhook(row pgx.Row) (notify.Webhook, error) {
	var w notify.Webhook
	var created int64
	if err := row.Scan(&w.ID, &w.OwnerID, &w.URL, &w.Types, &w.Secret, &created); err != nil {
		return w, err
	}
	if w.Types == nil {
		w.Types = []string{}
	}
	w.Created = time.Unix(0, created).UTC()
	return w, nil
}

func (s *Store) queryWebhooks(ctx context.Context, query string, args ...any) ([]notify.Webhook, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhooks returns the webhooks owned by ownerID, oldest first.
func (s *Store) Webhooks(ctx context.Context, ownerID int64) ([]notify.Webhook, error) {
	out, err := s.queryWebhooks(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE owner_id = $1 ORDER BY seq`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("postgres: webhooks: %w", err)
	}
	return out, nil
}

// AllWebhooks returns every webhook, oldest first.
func (s *Store) AllWebhooks(ctx context.Context) ([]notify.Webhook, error) {
	out, err := s.queryWebhooks(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("postgres: all webhooks: %w", err)
	}
	return out, nil
}

// Webhook returns the webhook with id, or derrors.ErrNotFound.
func (s *Store) Webhook(ctx context.Context, id string) (notify.Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, derrors.ErrNotFound
	}
	if err != nil {
		return w, fmt.Errorf("postgres: webhook %s: %w", id, err)
	}
	return w, nil
}

// DeleteWebhook removes the webhook with id and its deliveries, or
// returns derrors.ErrNotFound.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete webhook %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return derrors.ErrNotFound
	}
	return nil
}

// EnqueueDeliveries stores new pending deliveries, due at once; see
// notify.DeliveryStore. A delivery of a webhook deleted meanwhile is
// dropped. Each webhook's row is locked (FOR UPDATE) while its pending
// deliveries are counted and the new one inserted, so that servers
// enqueueing together cannot pass maxPending together, and a deletion
// waits for the enqueue to commit.
func (s *Store) EnqueueDeliveries(ctx context.Context, ds []notify.Delivery, maxPending int) error {
	// Webhooks are locked in one order, whoever enqueues, so that two
	// servers' enqueues cannot deadlock; each webhook's deliveries keep
	// their order.
	ds = slices.Clone(ds)
	slices.SortStableFunc(ds, func(a, b notify.Delivery) int { return strings.Compare(a.WebhookID, b.WebhookID) })
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, d := range ds {
			ev, err := json.Marshal(d.Event)
			if err != nil {
				return err
			}
			aud, err := json.Marshal(d.Audience)
			if err != nil {
				return err
			}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhooks WHERE id = $1 FOR UPDATE)`, d.WebhookID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				continue // the webhook was deleted meanwhile
			}
			var pending int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND state = 'pending'`, d.WebhookID).Scan(&pending); err != nil {
				return err
			}
			state, next, reason := string(notify.Pending), &[]int64{d.Created.UnixNano()}[0], ""
			if pending >= maxPending {
				state, next, reason = string(notify.Failed), nil, fmt.Sprintf("queue full: %d deliveries were already pending", pending)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, event, audience, state, next_at, error, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (webhook_id, event_id) DO NOTHING`,
				d.WebhookID, d.Event.ID, ev, aud, state, next, reason, d.Created.UnixNano()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: enqueue deliveries: %w", err)
	}
	return nil
}

// ClaimDue returns pending deliveries due at now and leases them; see
// notify.DeliveryStore. Rows another server is claiming are skipped.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notify.Delivery, error) {
	var out []notify.Delivery
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT d.seq, d.webhook_id, d.event, d.audience, d.tries, d.created_at, w.url, w.secret, w.owner_id
			FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.state = 'pending' AND d.next_at <= $1 ORDER BY d.next_at, d.seq LIMIT $2
			FOR UPDATE OF d SKIP LOCKED`, now.UnixNano(), limit)
		if err != nil {
			return err
		}
		var d notify.Delivery
		var ev, aud []byte
		var created int64
		_, err = pgx.ForEachRow(rows, []any{&d.Seq, &d.WebhookID, &ev, &aud, &d.Tries, &created, &d.URL, &d.Secret, &d.OwnerID}, func() error {
			d.Event, d.Audience = notify.Event{}, auth.Audience{}
			if err := errors.Join(json.Unmarshal(ev, &d.Event), json.Unmarshal(aud, &d.Audience)); err != nil {
				return fmt.Errorf("delivery %d: %w", d.Seq, err)
			}
			d.Event.Audience = d.Audience
			d.State, d.Created = notify.Pending, time.Unix(0, created).UTC()
			out = append(out, d)
			return nil
		})
		if err != nil {
			return err
		}
		seqs := make([]int64, len(out))
		for i, d := range out {
			seqs[i] = d.Seq
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET next_at = $1 WHERE seq = ANY($2)`, now.Add(lease).UnixNano(), seqs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
	}
	return out, nil
}

// RecordAttempt logs an attempt and sets the delivery's state; see
// notify.DeliveryStore. A delivery whose webhook was deleted meanwhile is
// gone, and nothing is recorded.
func (s *Store) RecordAttempt(ctx context.Context, seq int64, a *notify.Attempt, state notify.State, reason string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var next *int64
		tries := "tries"
		if a != nil {
			var an *int64
			if a.NextAttempt != nil {
				v := a.NextAttempt.UnixNano()
				an = &v
				if state == notify.Pending {
					next = an
				}
			}
			tag, err := tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery, attempt, at, status_code, error, duration_ns, next_at)
				SELECT seq, $2, $3, $4, $5, $6, $7 FROM webhook_deliveries WHERE seq = $1`,
				seq, a.N, a.At.UnixNano(), a.StatusCode, a.Error, int64(a.Duration), an)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return nil
			}
			tries = "tries + 1"
		}
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = $1, next_at = $2, error = $3, tries = `+tries+` WHERE seq = $4`,
			string(state), next, reason, seq)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record attempt: %w", err)
	}
	return nil
}

// NextDue returns when the earliest pending delivery is due.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at *int64
	if err := s.pool.QueryRow(ctx, `SELECT min(next_at) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("postgres: next due delivery: %w", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return time.Unix(0, *at).UTC(), true, nil
}

// Deliveries returns the delivery log of a webhook: up to limit
// deliveries before seq beforeSeq (all if 0), newest first, each with its
// attempts in order.
func (s *Store) Deliveries(ctx context.Context, webhookID string, beforeSeq int64, limit int) ([]notify.Delivery, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, event, state, tries, next_at, error, created_at FROM webhook_deliveries
		WHERE webhook_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, webhookID, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	var out []notify.Delivery
	var d notify.Delivery
	var ev []byte
	var state string
	var next *int64
	var created int64
	_, err = pgx.ForEachRow(rows, []any{&d.Seq, &ev, &state, &d.Tries, &next, &d.Error, &created}, func() error {
		d.Event = notify.Event{}
		if err := json.Unmarshal(ev, &d.Event); err != nil {
			return fmt.Errorf("delivery %d: %w", d.Seq, err)
		}
		d.WebhookID, d.State, d.Created = webhookID, notify.State(state), time.Unix(0, created).UTC()
		d.NextAttempt = nil
		if next != nil && d.State == notify.Pending {
			t := time.Unix(0, *next).UTC()
			d.NextAttempt = &t
		}
		d.Attempts = []notify.Attempt{}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	byseq := map[int64]*notify.Delivery{}
	seqs := make([]int64, len(out))
	for i := range out {
		byseq[out[i].Seq] = &out[i]
		seqs[i] = out[i].Seq
	}
	arows, err := s.pool.Query(ctx, `SELECT delivery, attempt, at, status_code, error, duration_ns, next_at FROM webhook_attempts
		WHERE delivery = ANY($1) ORDER BY delivery, attempt`, seqs)
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	var seq, at, dur int64
	var a notify.Attempt
	var anext *int64
	_, err = pgx.ForEachRow(arows, []any{&seq, &a.N, &at, &a.StatusCode, &a.Error, &dur, &anext}, func() error {
		a.At, a.Duration = time.Unix(0, at).UTC(), time.Duration(dur)
		a.DurationMS = float64(a.Duration.Microseconds()) / 1000
		a.NextAttempt = nil
		if anext != nil {
			t := time.Unix(0, *anext).UTC()
			a.NextAttempt = &t
		}
		if d := byseq[seq]; d != nil {
			d.Attempts = append(d.Attempts, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	return out, nil
}
