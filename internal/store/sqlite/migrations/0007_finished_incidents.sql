-- Finished incidents: those whose observations are all older than fusion's
-- horizon, so that fusion can never change them again, kept here instead of
-- in the server's memory. These rows are derived data (fusion's output,
-- reproducible from the ledger's records by replay), not ledger-covered
-- records: a replay deletes and stores them again. Times are Unix
-- nanoseconds. body is the incident's JSON without its violation, which is
-- judged when the incident is read and never stored.
CREATE TABLE finished_incidents (
    id        TEXT PRIMARY KEY,
    start_at  INTEGER NOT NULL,
    end_at    INTEGER NOT NULL,
    domain    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    status    TEXT NOT NULL,
    region    TEXT NOT NULL,
    lat       REAL, -- NULL when the incident has only a region
    lon       REAL,
    body      BLOB NOT NULL
);
CREATE INDEX finished_incidents_start ON finished_incidents (start_at, id);
-- Which finished incident holds each observation: derived data as well.
CREATE TABLE finished_members (
    obs_id       BLOB PRIMARY KEY, -- the observation's UUID, 16 bytes
    incident_id  TEXT NOT NULL
);
CREATE INDEX finished_members_incident ON finished_members (incident_id);
