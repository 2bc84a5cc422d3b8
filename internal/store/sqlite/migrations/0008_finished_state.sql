-- What the stored finished incidents were made with: fusion's version, its
-- horizon and gate (the tag the server computes). A server that makes them
-- otherwise deletes them and makes them again (ResetFinishedIncidents);
-- one that makes them the same way keeps them, and its replay rewrites
-- only what differs.
CREATE TABLE finished_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    tag  TEXT NOT NULL
);
