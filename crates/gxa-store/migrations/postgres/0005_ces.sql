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

-- How far the change log has been delivered to each CES this service publishes to. The change
-- log is the outbox: every change is committed together with its entry, so nothing can be
-- lost between the commit and the send; `delivered` is the last sequence number a target
-- took (or refused for good), moved only after its answer. A crash after a send and before the
-- move sends that event again, with the same `source` and `id`, which the receiver drops.
CREATE TABLE ces_deliveries (
    target      TEXT    NOT NULL PRIMARY KEY,
    delivered   BIGINT  NOT NULL DEFAULT 0 CHECK (delivered >= 0),
    sent        BIGINT  NOT NULL DEFAULT 0,
    refused     BIGINT  NOT NULL DEFAULT 0,
    failures    BIGINT  NOT NULL DEFAULT 0,
    updated_at  BIGINT  NOT NULL,
    last_error  TEXT
);
