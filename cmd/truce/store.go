package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"truce/internal/airwar"
	"truce/internal/auth"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/notify"
	"truce/internal/observation"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

// store is what the commands need from a database. Both stores have it:
// package sqlite's (the default) and package postgres's.
type store interface {
	httpapi.Store
	notify.DeliveryStore
	fusion.FinishedStore
	CreateUser(ctx context.Context, u *auth.User, tokenHash [32]byte) (int64, error)
	SaveCheckpoint(ctx context.Context, size int64, note []byte) error
	TreeSize(ctx context.Context) (int64, error)
	WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error)
	WriteBulletins(ctx context.Context, bs []airwar.Bulletin, accepted time.Time) ([]observation.Outcome, error)
	WriteAlerts(ctx context.Context, as []airwar.Alert, accepted time.Time) ([]observation.Outcome, error)
	// The webhook registrations the API serves.
	CreateWebhook(ctx context.Context, w notify.Webhook, maxPerOwner, maxTotal int) error
	Webhooks(ctx context.Context, ownerID int64) ([]notify.Webhook, error)
	Webhook(ctx context.Context, id string) (notify.Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	Deliveries(ctx context.Context, webhookID string, beforeSeq int64, limit int) ([]notify.Delivery, error)
	Close() error
}

var (
	_ store = (*sqlite.Store)(nil)
	_ store = (*postgres.Store)(nil)
)

// openStore opens the database named by a -db value: sqlite:PATH (or a
// bare path) or a postgres:// URL. This is the one place the store is
// chosen.
func openStore(ctx context.Context, db string) (store, error) {
	switch {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		s, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redact(db), err)
		}
		return s, nil
	case strings.HasPrefix(db, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(db, "sqlite:"))
	case strings.Contains(db, "://"):
		return nil, fmt.Errorf("open %s: unknown database scheme (want sqlite:PATH or postgres://…)", redact(db))
	}
	return sqlite.Open(ctx, db)
}

// redact hides a password in a database URL.
func redact(db string) string {
	if i := strings.LastIndex(db, "@"); i > 0 {
		if j := strings.Index(db, "://"); j > 0 && j < i {
			return db[:j+3] + "…@" + db[i+1:]
		}
	}
	return db
}
