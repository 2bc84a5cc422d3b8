-- Users and their hashed bearer tokens.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    org         TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    public_key  BLOB,
    witness_key TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

-- Observations: the canonical record in body, the columns it is found by,
-- and what ties it to the ledger: the salt of its commitment and the index of
-- its entry. Times are Unix nanoseconds.
CREATE TABLE observations (
    seq           INTEGER PRIMARY KEY,
    id            BLOB NOT NULL UNIQUE, -- the UUID's 16 bytes
    content_hash  BLOB NOT NULL,
    observed_at   INTEGER NOT NULL,
    accepted_at   INTEGER NOT NULL,
    domain        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    source        TEXT NOT NULL,
    organization  TEXT NOT NULL,
    party         TEXT NOT NULL,
    submitter_id  INTEGER NOT NULL,
    region        TEXT NOT NULL,
    lat           REAL,
    lon           REAL,
    body          BLOB NOT NULL,
    salt          BLOB NOT NULL,
    ledger_idx    INTEGER NOT NULL
);
CREATE INDEX observations_time ON observations (observed_at, seq);
CREATE INDEX observations_org_time ON observations (organization, observed_at, seq) WHERE party = '';
CREATE INDEX observations_party_time ON observations (party, observed_at, seq) WHERE party <> '';
