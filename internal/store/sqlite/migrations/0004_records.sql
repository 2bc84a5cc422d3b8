-- Records other than observations: analysts' incident decisions now, and
-- later agreements, findings, replies and releases. Each is canonical JSON
-- (body) with a ledger entry of its type; rows are only ever inserted.
CREATE TABLE records (
    seq          INTEGER PRIMARY KEY,
    type         TEXT NOT NULL,
    id           BLOB NOT NULL, -- the record's UUID, 16 bytes
    author_id    INTEGER NOT NULL,
    accepted_at  INTEGER NOT NULL,
    body         BLOB NOT NULL,
    salt         BLOB NOT NULL,
    ledger_idx   INTEGER NOT NULL,
    UNIQUE (type, id)
);
