package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/notify"
)

// Webhooks and their deliveries are operational data: they are not
// records and have no ledger entries.

// UserByID returns the user with id, or derrors.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	var u auth.User
	var role string
	var pub []byte
	err := s.read.QueryRowContext(ctx,
		`SELECT id, name, role, org, public_key, witness_key FROM users WHERE id = $1`, id,
	).Scan(&u.ID, &u.Name, &role, &u.Org, &pub, &u.WitnessKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, derrors.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %d: %w", id, err)
	}
	u.Role = auth.Role(role)
	if len(pub) > 0 {
		u.PublicKey = pub
	}
	return &u, nil
}

// CreateWebhook stores w unless its owner already has maxPerOwner webhooks
// or the server maxTotal, which are conflicts (derrors.ErrConflict naming
// the field "url").
func (s *Store) CreateWebhook(ctx context.Context, w notify.Webhook, maxPerOwner, maxTotal int) error {
	types, err := json.Marshal(nonNil(w.Types))
	if err != nil {
		return fmt.Errorf("sqlite: create webhook: %w", err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create webhook: %w", err)
	}
	defer tx.Rollback()
	var own, all int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(owner_id = $1), 0) FROM webhooks`, w.OwnerID).Scan(&all, &own); err != nil {
		return fmt.Errorf("sqlite: create webhook: %w", err)
	}
	switch {
	case own >= maxPerOwner:
		return &derrors.FieldError{Field: "url", Message: fmt.Sprintf("a user may register at most %d webhooks", maxPerOwner), Err: derrors.ErrConflict}
	case all >= maxTotal:
		return &derrors.FieldError{Field: "url", Message: fmt.Sprintf("the server holds at most %d webhooks", maxTotal), Err: derrors.ErrConflict}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, owner_id, url, types, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		w.ID, w.OwnerID, w.URL, string(types), w.Secret, w.Created.UnixNano()); err != nil {
		return fmt.Errorf("sqlite: create webhook: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create webhook: %w", err)
	}
	return nil
}

const webhookColumns = `id, owner_id, url, types, secret, created_at`

func scanWebhook(sc interface{ Scan(...any) error }) (notify.Webhook, error) {
	var w notify.Webhook
	var types string
	var created int64
	if err := sc.Scan(&w.ID, &w.OwnerID, &w.URL, &types, &w.Secret, &created); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(types), &w.Types); err != nil {
		return w, fmt.Errorf("webhook %s: types: %w", w.ID, err)
	}
	w.Created = time.Unix(0, created).UTC()
	return w, nil
}

func (s *Store) queryWebhooks(ctx context.Context, query string, args ...any) ([]notify.Webhook, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
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
		return nil, fmt.Errorf("sqlite: webhooks: %w", err)
	}
	return out, nil
}

// AllWebhooks returns every webhook, oldest first.
func (s *Store) AllWebhooks(ctx context.Context) ([]notify.Webhook, error) {
	out, err := s.queryWebhooks(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: all webhooks: %w", err)
	}
	return out, nil
}

// Webhook returns the webhook with id, or derrors.ErrNotFound.
func (s *Store) Webhook(ctx context.Context, id string) (notify.Webhook, error) {
	w, err := scanWebhook(s.read.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, derrors.ErrNotFound
	}
	if err != nil {
		return w, fmt.Errorf("sqlite: webhook %s: %w", id, err)
	}
	return w, nil
}

// DeleteWebhook removes the webhook with id and its deliveries, or
// returns derrors.ErrNotFound.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete webhook %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.ErrNotFound
	}
	return nil
}

// EnqueueDeliveries stores new pending deliveries, due at once; see
// notify.DeliveryStore.
func (s *Store) EnqueueDeliveries(ctx context.Context, ds []notify.Delivery, maxPending int) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
	}
	defer tx.Rollback()
	for _, d := range ds {
		ev, err := json.Marshal(d.Event)
		if err != nil {
			return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
		}
		aud, err := json.Marshal(d.Audience)
		if err != nil {
			return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1 AND state = 'pending'`, d.WebhookID).Scan(&pending); err != nil {
			return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
		}
		state, next, reason := string(notify.Pending), sql.NullInt64{Int64: d.Created.UnixNano(), Valid: true}, ""
		if pending >= maxPending {
			state, next, reason = string(notify.Failed), sql.NullInt64{}, fmt.Sprintf("queue full: %d deliveries were already pending", pending)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, event, audience, state, next_at, error, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (webhook_id, event_id) DO NOTHING`,
			d.WebhookID, d.Event.ID, ev, aud, state, next, reason, d.Created.UnixNano()); err != nil {
			if strings.Contains(err.Error(), "FOREIGN KEY") {
				continue // the webhook was deleted meanwhile
			}
			return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
	}
	return nil
}

// ClaimDue returns pending deliveries due at now and leases them; see
// notify.DeliveryStore.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notify.Delivery, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT d.seq, d.webhook_id, d.event, d.audience, d.tries, d.created_at, w.url, w.secret, w.owner_id
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.state = 'pending' AND d.next_at <= $1 ORDER BY d.next_at, d.seq LIMIT $2`, now.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
	}
	var out []notify.Delivery
	for rows.Next() {
		var d notify.Delivery
		var ev, aud []byte
		var created int64
		if err := rows.Scan(&d.Seq, &d.WebhookID, &ev, &aud, &d.Tries, &created, &d.URL, &d.Secret, &d.OwnerID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
		}
		if err := errors.Join(json.Unmarshal(ev, &d.Event), json.Unmarshal(aud, &d.Audience)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: claim deliveries: delivery %d: %w", d.Seq, err)
		}
		d.Event.Audience = d.Audience
		d.State, d.Created = notify.Pending, time.Unix(0, created).UTC()
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
	}
	until := now.Add(lease).UnixNano()
	for _, d := range out {
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_at = $1 WHERE seq = $2`, until, d.Seq); err != nil {
			return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
	}
	return out, nil
}

// RecordAttempt logs an attempt and sets the delivery's state; see
// notify.DeliveryStore. A delivery whose webhook was deleted meanwhile is
// gone, and nothing is recorded.
func (s *Store) RecordAttempt(ctx context.Context, seq int64, a *notify.Attempt, state notify.State, reason string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: record attempt: %w", err)
	}
	defer tx.Rollback()
	var next sql.NullInt64
	tries := "tries"
	if a != nil {
		if a.NextAttempt != nil && state == notify.Pending {
			next = sql.NullInt64{Int64: a.NextAttempt.UnixNano(), Valid: true}
		}
		var an sql.NullInt64
		if a.NextAttempt != nil {
			an = sql.NullInt64{Int64: a.NextAttempt.UnixNano(), Valid: true}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery, attempt, at, status_code, error, duration_ns, next_at)
			SELECT seq, $2, $3, $4, $5, $6, $7 FROM webhook_deliveries WHERE seq = $1`,
			seq, a.N, a.At.UnixNano(), a.StatusCode, a.Error, int64(a.Duration), an)
		if err != nil {
			return fmt.Errorf("sqlite: record attempt: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		tries = "tries + 1"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = $1, next_at = $2, error = $3, tries = `+tries+` WHERE seq = $4`,
		string(state), next, reason, seq); err != nil {
		return fmt.Errorf("sqlite: record attempt: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: record attempt: %w", err)
	}
	return nil
}

// NextDue returns when the earliest pending delivery is due.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT min(next_at) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("sqlite: next due delivery: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.Unix(0, at.Int64).UTC(), true, nil
}

// Deliveries returns the delivery log of a webhook: up to limit
// deliveries before seq beforeSeq (all if 0), newest first, each with its
// attempts in order.
func (s *Store) Deliveries(ctx context.Context, webhookID string, beforeSeq int64, limit int) ([]notify.Delivery, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT seq, event, state, tries, next_at, error, created_at FROM webhook_deliveries
		WHERE webhook_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, webhookID, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: deliveries: %w", err)
	}
	var out []notify.Delivery
	for rows.Next() {
		var d notify.Delivery
		var ev []byte
		var state string
		var next sql.NullInt64
		var created int64
		if err := rows.Scan(&d.Seq, &ev, &state, &d.Tries, &next, &d.Error, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: deliveries: %w", err)
		}
		if err := json.Unmarshal(ev, &d.Event); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: deliveries: delivery %d: %w", d.Seq, err)
		}
		d.WebhookID, d.State, d.Created = webhookID, notify.State(state), time.Unix(0, created).UTC()
		if next.Valid && d.State == notify.Pending {
			t := time.Unix(0, next.Int64).UTC()
			d.NextAttempt = &t
		}
		d.Attempts = []notify.Attempt{}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: deliveries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// The attempts of the page's deliveries, in one query.
	byseq := map[int64]*notify.Delivery{}
	for i := range out {
		byseq[out[i].Seq] = &out[i]
	}
	arows, err := s.read.QueryContext(ctx, `SELECT delivery, attempt, at, status_code, error, duration_ns, next_at FROM webhook_attempts
		WHERE delivery BETWEEN $1 AND $2 AND delivery IN (SELECT seq FROM webhook_deliveries WHERE webhook_id = $3) ORDER BY delivery, attempt`,
		out[len(out)-1].Seq, out[0].Seq, webhookID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: deliveries: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var seq, at, dur int64
		var next sql.NullInt64
		var a notify.Attempt
		if err := arows.Scan(&seq, &a.N, &at, &a.StatusCode, &a.Error, &dur, &next); err != nil {
			return nil, fmt.Errorf("sqlite: deliveries: %w", err)
		}
		a.At, a.Duration = time.Unix(0, at).UTC(), time.Duration(dur)
		a.DurationMS = float64(a.Duration.Microseconds()) / 1000
		if next.Valid {
			t := time.Unix(0, next.Int64).UTC()
			a.NextAttempt = &t
		}
		if d := byseq[seq]; d != nil {
			d.Attempts = append(d.Attempts, a)
		}
	}
	if err := arows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: deliveries: %w", err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
