-- The ledger: one row per leaf. leaf is the encoded entry (ledger.Entry),
-- hashes the tlog stored hashes that appending this leaf wrote (32 bytes
-- each, in stored-hash-index order). Rows are only ever inserted.
CREATE TABLE ledger_entries (
    idx     INTEGER PRIMARY KEY,
    leaf    BLOB NOT NULL,
    hashes  BLOB NOT NULL
);

-- Signed checkpoints, newest by size. note is the signed note as signed by
-- the log, without cosignatures.
CREATE TABLE ledger_checkpoints (
    size       INTEGER PRIMARY KEY,
    note       BLOB NOT NULL,
    signed_at  INTEGER NOT NULL
);

-- Witness cosignatures of checkpoints, one per witness key and checkpoint.
CREATE TABLE ledger_cosignatures (
    size     INTEGER NOT NULL,
    witness  TEXT NOT NULL,
    line     TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);
