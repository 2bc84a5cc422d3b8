-- Reads of the most sensitive records (children's cases): who read what,
-- when. Rows are only ever inserted.
CREATE TABLE access_log (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    type       TEXT NOT NULL,
    record_id  TEXT NOT NULL
);
CREATE INDEX access_log_record ON access_log (type, record_id);
