-- Finished incidents: those whose observations are all older than fusion's
-- horizon, so that fusion can never change them again, kept here instead of
-- in the server's memory. These rows are derived data (fusion's output,
-- reproducible from the ledger's records by replay), not ledger-covered
-- records: a replay deletes and stores them again. Times are Unix
-- nanoseconds (bigint), as in the SQLite store. body is the incident's JSON
-- without its violation, which is judged when the incident is read and
-- never stored.
CREATE TABLE finished_incidents (
    id        text COLLATE "C" PRIMARY KEY, -- byte order, as incident.Less compares ids
    start_at  bigint NOT NULL,
    end_at    bigint NOT NULL,
    domain    text NOT NULL,
    kind      text NOT NULL,
    status    text NOT NULL,
    region    text NOT NULL,
    lat       double precision, -- NULL when the incident has only a region
    lon       double precision,
    body      bytea NOT NULL
);
CREATE INDEX finished_incidents_start ON finished_incidents (start_at, id);

-- Which finished incident holds each observation: derived data as well.
CREATE TABLE finished_members (
    obs_id       uuid PRIMARY KEY,
    incident_id  text COLLATE "C" NOT NULL
);
CREATE INDEX finished_members_incident ON finished_members (incident_id);
