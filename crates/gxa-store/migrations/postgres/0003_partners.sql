-- gx-attest store, PostgreSQL schema version 3: credentials received from partners (issue 8).
--
-- Never edit this file once released.
--
-- A partner's valid credentials are stored in `credentials` exactly as received (issuer = the
-- partner's DID, profile `partner`, no local status entry), so the catalogue API and the change
-- feed re-serve them. These tables keep where each came from, what was refused and why, and how
-- far each partner's change feed has been read. Each entry's outcome and the cursor move are
-- written in one transaction, so a sync resumes after a crash without gaps or duplicates.

-- How far each partner's change feed has been read: `cursor` is the partner's last sequence
-- number whose outcome is stored (0 = nothing yet).
CREATE TABLE partner_cursors (
    partner_id       TEXT    NOT NULL PRIMARY KEY,
    cursor           BIGINT  NOT NULL DEFAULT 0 CHECK (cursor >= 0),
    updated_at       BIGINT  NOT NULL,
    last_success_at  BIGINT,
    last_error       TEXT
);

-- Provenance of received credentials: the partner, its change feed entry, the verifier report.
CREATE TABLE partner_credentials (
    credential_id  TEXT    NOT NULL PRIMARY KEY REFERENCES credentials (id),
    partner_id     TEXT    NOT NULL,
    partner_seq    BIGINT  NOT NULL CHECK (partner_seq > 0),
    received_at    BIGINT  NOT NULL,
    report         TEXT    NOT NULL  -- the gxa-verify report, JSON
);

CREATE INDEX partner_credentials_by_partner ON partner_credentials (partner_id, partner_seq);

-- Entries of a partner's feed that were refused, with the failing checks' reasons.
-- `kind`: `invalid` (verification failed), `policy` (outside the partner's trust policy),
-- `conflict` (the id is stored with a different body).
CREATE TABLE partner_rejections (
    partner_id     TEXT    NOT NULL,
    partner_seq    BIGINT  NOT NULL CHECK (partner_seq > 0),
    credential_id  TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('invalid', 'policy', 'conflict')),
    reasons        TEXT    NOT NULL,  -- JSON array of strings
    received_at    BIGINT  NOT NULL,
    PRIMARY KEY (partner_id, partner_seq)
);
