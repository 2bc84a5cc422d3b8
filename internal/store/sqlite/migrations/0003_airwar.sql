-- The air war's public records (package airwar): Air Force bulletin rows
-- and air-raid alerts, each stored as its canonical record in body with the
-- columns it is found by, the salt of its ledger commitment and the index of
-- its entry. Times are Unix nanoseconds. A window or alert [start_at,
-- end_at] is found by start_at, and, when it spans two days or more, by
-- end_at through the partial indexes (see sqlite/airwar.go).
CREATE TABLE bulletins (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    content_hash  BLOB NOT NULL,
    day           TEXT NOT NULL,
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    command       TEXT NOT NULL,
    accepted_at   INTEGER NOT NULL,
    body          BLOB NOT NULL,
    salt          BLOB NOT NULL,
    ledger_idx    INTEGER NOT NULL
);
CREATE INDEX bulletins_day ON bulletins (day);
CREATE INDEX bulletins_start ON bulletins (start_at);
CREATE INDEX bulletins_long_end ON bulletins (end_at) WHERE end_at - start_at >= 172800000000000;

CREATE TABLE alerts (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    content_hash  BLOB NOT NULL,
    feed          TEXT NOT NULL,
    region        TEXT NOT NULL,
    level         TEXT NOT NULL,
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL,
    accepted_at   INTEGER NOT NULL,
    body          BLOB NOT NULL,
    salt          BLOB NOT NULL,
    ledger_idx    INTEGER NOT NULL
);
CREATE INDEX alerts_start ON alerts (start_at);
CREATE INDEX alerts_long_end ON alerts (end_at) WHERE end_at - start_at >= 172800000000000;
