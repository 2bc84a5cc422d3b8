-- Webhooks and their deliveries: operational data, not ledger records.
-- Times are Unix nanoseconds. A webhook's secret is its HMAC signing key,
-- kept as it is (the server must sign with it).
CREATE TABLE webhooks (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    owner_id    INTEGER NOT NULL,
    url         TEXT NOT NULL,
    types       TEXT NOT NULL, -- JSON array; empty for every type
    secret      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX webhooks_owner ON webhooks (owner_id, seq);
-- One row per event per webhook. state is pending, delivered or failed;
-- next_at is when a pending delivery is next tried.
CREATE TABLE webhook_deliveries (
    seq          INTEGER PRIMARY KEY,
    webhook_id   TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id     TEXT NOT NULL,
    event        BLOB NOT NULL, -- the event as sent (JSON)
    audience     BLOB NOT NULL, -- who may receive it (JSON), checked again at each attempt
    state        TEXT NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER,
    error        TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id) WHERE state = 'pending';
-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    seq          INTEGER PRIMARY KEY,
    delivery     INTEGER NOT NULL REFERENCES webhook_deliveries (seq) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status_code  INTEGER NOT NULL,
    error        TEXT NOT NULL,
    duration_ns  INTEGER NOT NULL,
    next_at      INTEGER
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery, attempt);
