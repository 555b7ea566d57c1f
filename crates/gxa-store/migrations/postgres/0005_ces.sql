-- gx-attest store, PostgreSQL schema version 5: the Credential Event Service (issue 18).
--
-- Never edit this file once released.
--
-- Events received by this service's own CES endpoint (`POST /v2/credentials-events`, the
-- compliance role: a private federation's CES). A repeated delivery (same `source` and `id`,
-- as CloudEvents identifies an event) is stored once. `seq` orders them for the listing.
CREATE TABLE ces_events (
    seq          BIGSERIAL PRIMARY KEY,
    source       TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    subject      TEXT,
    received_at  BIGINT  NOT NULL,
    body         TEXT    NOT NULL,  -- the CloudEvent, JSON
    UNIQUE (source, event_id)
);
