-- gx-attest store, SQLite schema version 1.
--
-- Never edit this file once released: add a new numbered migration instead (sqlx checks the
-- checksum of every applied migration at start).
--
-- Conventions: times are INTEGER microseconds since the Unix epoch (UTC); SHA-256 digests are raw
-- 32-byte BLOBs; every table is STRICT so that a wrong type is an error, not a silent conversion.

-- Providers that may upload, with their API tokens and SSH keys.
CREATE TABLE subjects (
    id          TEXT    NOT NULL PRIMARY KEY,
    created_at  INTEGER NOT NULL
) STRICT;

-- Only the SHA-256 of a token is kept; the token itself is shown once at creation.
CREATE TABLE api_tokens (
    token_sha256 BLOB    NOT NULL PRIMARY KEY CHECK (length(token_sha256) = 32),
    subject_id   TEXT    NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    label        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (subject_id, label)
) STRICT;

-- OpenSSH public keys that may sign a subject's SCS report uploads (SSHSIG).
CREATE TABLE ssh_keys (
    subject_id  TEXT    NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    public_key  TEXT    NOT NULL,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (subject_id, public_key)
) STRICT;

-- Raw signed uploads kept as evidence, deduplicated by content hash.
CREATE TABLE uploads (
    sha256       BLOB    NOT NULL PRIMARY KEY CHECK (length(sha256) = 32),
    subject_id   TEXT    NOT NULL,
    media_type   TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    received_at  INTEGER NOT NULL
) STRICT;

-- W3C Bitstring Status Lists; `bits` is the uncompressed bitstring, `next_index` the allocator.
CREATE TABLE status_lists (
    id          TEXT    NOT NULL PRIMARY KEY,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    size_bits   INTEGER NOT NULL CHECK (size_bits >= 131072 AND size_bits % 8 = 0),
    bits        BLOB    NOT NULL,
    next_index  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (length(bits) * 8 = size_bits),
    CHECK (next_index >= 0 AND next_index <= size_bits)
) STRICT;

-- Issued credentials, immutable (see the triggers below). `pk` orders listings and cursors.
CREATE TABLE credentials (
    pk               INTEGER NOT NULL PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    types            TEXT    NOT NULL,  -- JSON array, as given
    subject          TEXT    NOT NULL,
    issuer           TEXT    NOT NULL,
    profile          TEXT    NOT NULL,
    format           TEXT    NOT NULL CHECK (format IN ('ld+json', 'vc+jwt')),
    body             BLOB    NOT NULL,
    body_sha256      BLOB    NOT NULL CHECK (length(body_sha256) = 32),
    canonical_hash   TEXT,
    issued_at        INTEGER NOT NULL,
    valid_from       INTEGER NOT NULL,
    valid_until      INTEGER,
    status_list_id   TEXT    REFERENCES status_lists (id),
    status_index     INTEGER CHECK (status_index >= 0),
    evidence_sha256  BLOB    REFERENCES uploads (sha256),
    superseded_by    TEXT    REFERENCES credentials (id),
    CHECK ((status_list_id IS NULL) = (status_index IS NULL)),
    UNIQUE (status_list_id, status_index)
) STRICT;

CREATE INDEX credentials_by_subject ON credentials (subject, pk);
CREATE INDEX credentials_by_issuer ON credentials (issuer, pk);
CREATE INDEX credentials_by_expiry ON credentials (valid_until) WHERE superseded_by IS NULL;

-- One row per entry of a credential's type list, for filtering by type.
CREATE TABLE credential_types (
    type           TEXT    NOT NULL,
    credential_pk  INTEGER NOT NULL REFERENCES credentials (pk),
    PRIMARY KEY (type, credential_pk)
) STRICT, WITHOUT ROWID;

-- The append-only change log; `seq` is the change feed cursor: 1, 2, 3, … without gaps.
CREATE TABLE change_log (
    seq            INTEGER NOT NULL PRIMARY KEY CHECK (seq > 0),
    kind           TEXT    NOT NULL CHECK (kind IN ('issued', 'reissued', 'revoked')),
    credential_id  TEXT    NOT NULL REFERENCES credentials (id),
    previous_id    TEXT    REFERENCES credentials (id),
    recorded_at    INTEGER NOT NULL,
    CHECK ((kind = 'reissued') = (previous_id IS NOT NULL))
) STRICT;

-- Revocations: one row per revoked credential, pointing at its change log entry.
CREATE TABLE revocations (
    credential_id  TEXT    NOT NULL PRIMARY KEY REFERENCES credentials (id),
    seq            INTEGER NOT NULL UNIQUE REFERENCES change_log (seq),
    revoked_at     INTEGER NOT NULL
) STRICT;

-- Leases: which replica runs a scheduled job (e.g. re-issuance) until `expires_at`.
CREATE TABLE leases (
    name         TEXT    NOT NULL PRIMARY KEY,
    holder       TEXT    NOT NULL,
    acquired_at  INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

-- Immutability, enforced by the database as well as by the store's API.
CREATE TRIGGER credentials_immutable
BEFORE UPDATE OF pk, id, types, subject, issuer, profile, format, body, body_sha256,
    canonical_hash, issued_at, valid_from, valid_until, status_list_id, status_index,
    evidence_sha256 ON credentials
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;

CREATE TRIGGER credentials_superseded_once
BEFORE UPDATE OF superseded_by ON credentials
WHEN OLD.superseded_by IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'superseded_by is set once');
END;

CREATE TRIGGER credentials_no_delete
BEFORE DELETE ON credentials
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;

CREATE TRIGGER credential_types_immutable
BEFORE UPDATE ON credential_types
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;

CREATE TRIGGER credential_types_no_delete
BEFORE DELETE ON credential_types
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;

-- The change log is append-only and gapless.
CREATE TRIGGER change_log_gapless
BEFORE INSERT ON change_log
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM change_log)
BEGIN
    SELECT RAISE(ABORT, 'change log sequence must be gapless');
END;

CREATE TRIGGER change_log_no_update
BEFORE UPDATE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

CREATE TRIGGER change_log_no_delete
BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

CREATE TRIGGER uploads_immutable
BEFORE UPDATE ON uploads
BEGIN
    SELECT RAISE(ABORT, 'uploads are immutable');
END;
