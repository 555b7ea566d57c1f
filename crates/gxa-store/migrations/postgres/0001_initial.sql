-- gx-attest store, PostgreSQL schema version 1.
--
-- Never edit this file once released: add a new numbered migration instead (sqlx checks the
-- checksum of every applied migration at start).
--
-- Conventions: times are BIGINT microseconds since the Unix epoch (UTC), as in the SQLite schema,
-- so that both backends run the same queries on the same values; SHA-256 digests are 32-byte BYTEA.
-- Change log writers take `pg_advisory_xact_lock(7271101)` before appending (see src/postgres.rs).

-- Providers that may upload, with their API tokens and SSH keys.
CREATE TABLE subjects (
    id          TEXT   NOT NULL PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- Only the SHA-256 of a token is kept; the token itself is shown once at creation.
CREATE TABLE api_tokens (
    token_sha256 BYTEA  NOT NULL PRIMARY KEY CHECK (length(token_sha256) = 32),
    subject_id   TEXT   NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    label        TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (subject_id, label)
);

-- OpenSSH public keys that may sign a subject's SCS report uploads (SSHSIG).
CREATE TABLE ssh_keys (
    subject_id  TEXT   NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    public_key  TEXT   NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (subject_id, public_key)
);

-- Raw signed uploads kept as evidence, deduplicated by content hash.
CREATE TABLE uploads (
    sha256       BYTEA  NOT NULL PRIMARY KEY CHECK (length(sha256) = 32),
    subject_id   TEXT   NOT NULL,
    media_type   TEXT   NOT NULL,
    body         BYTEA  NOT NULL,
    received_at  BIGINT NOT NULL
);

-- W3C Bitstring Status Lists; `bits` is the uncompressed bitstring, `next_index` the allocator.
CREATE TABLE status_lists (
    id          TEXT   NOT NULL PRIMARY KEY,
    purpose     TEXT   NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    size_bits   BIGINT NOT NULL CHECK (size_bits >= 131072 AND size_bits % 8 = 0),
    bits        BYTEA  NOT NULL,
    next_index  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CHECK (length(bits)::bigint * 8 = size_bits),
    CHECK (next_index >= 0 AND next_index <= size_bits)
);

-- Issued credentials, immutable (see the triggers below). `pk` orders listings and cursors.
CREATE TABLE credentials (
    pk               BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT   NOT NULL UNIQUE,
    types            TEXT   NOT NULL,  -- JSON array, as given
    subject          TEXT   NOT NULL,
    issuer           TEXT   NOT NULL,
    profile          TEXT   NOT NULL,
    format           TEXT   NOT NULL CHECK (format IN ('ld+json', 'vc+jwt')),
    body             BYTEA  NOT NULL,
    body_sha256      BYTEA  NOT NULL CHECK (length(body_sha256) = 32),
    canonical_hash   TEXT,
    issued_at        BIGINT NOT NULL,
    valid_from       BIGINT NOT NULL,
    valid_until      BIGINT,
    status_list_id   TEXT   REFERENCES status_lists (id),
    status_index     BIGINT CHECK (status_index >= 0),
    evidence_sha256  BYTEA  REFERENCES uploads (sha256),
    superseded_by    TEXT   REFERENCES credentials (id),
    CHECK ((status_list_id IS NULL) = (status_index IS NULL)),
    UNIQUE (status_list_id, status_index)
);

CREATE INDEX credentials_by_subject ON credentials (subject, pk);
CREATE INDEX credentials_by_issuer ON credentials (issuer, pk);
CREATE INDEX credentials_by_expiry ON credentials (valid_until) WHERE superseded_by IS NULL;

-- One row per entry of a credential's type list, for filtering by type.
CREATE TABLE credential_types (
    type           TEXT   NOT NULL,
    credential_pk  BIGINT NOT NULL REFERENCES credentials (pk),
    PRIMARY KEY (type, credential_pk)
);

-- The append-only change log; `seq` is the change feed cursor: 1, 2, 3, … without gaps.
CREATE TABLE change_log (
    seq            BIGINT NOT NULL PRIMARY KEY CHECK (seq > 0),
    kind           TEXT   NOT NULL CHECK (kind IN ('issued', 'reissued', 'revoked')),
    credential_id  TEXT   NOT NULL REFERENCES credentials (id),
    previous_id    TEXT   REFERENCES credentials (id),
    recorded_at    BIGINT NOT NULL,
    CHECK ((kind = 'reissued') = (previous_id IS NOT NULL))
);

-- Revocations: one row per revoked credential, pointing at its change log entry.
CREATE TABLE revocations (
    credential_id  TEXT   NOT NULL PRIMARY KEY REFERENCES credentials (id),
    seq            BIGINT NOT NULL UNIQUE REFERENCES change_log (seq),
    revoked_at     BIGINT NOT NULL
);

-- Leases: which replica runs a scheduled job (e.g. re-issuance) until `expires_at`.
-- Lease times come from the database clock (one clock for all replicas).
CREATE TABLE leases (
    name         TEXT   NOT NULL PRIMARY KEY,
    holder       TEXT   NOT NULL,
    acquired_at  BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);

-- Immutability, enforced by the database as well as by the store's API.
CREATE FUNCTION gxa_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER credentials_immutable
BEFORE UPDATE OF pk, id, types, subject, issuer, profile, format, body, body_sha256,
    canonical_hash, issued_at, valid_from, valid_until, status_list_id, status_index,
    evidence_sha256 ON credentials
FOR EACH ROW EXECUTE FUNCTION gxa_refuse('credentials are immutable');

CREATE TRIGGER credentials_superseded_once
BEFORE UPDATE OF superseded_by ON credentials
FOR EACH ROW WHEN (OLD.superseded_by IS NOT NULL)
EXECUTE FUNCTION gxa_refuse('superseded_by is set once');

CREATE TRIGGER credentials_no_delete
BEFORE DELETE OR TRUNCATE ON credentials
FOR EACH STATEMENT EXECUTE FUNCTION gxa_refuse('credentials are immutable');

CREATE TRIGGER credential_types_immutable
BEFORE UPDATE OR DELETE OR TRUNCATE ON credential_types
FOR EACH STATEMENT EXECUTE FUNCTION gxa_refuse('credentials are immutable');

-- The change log is append-only and gapless (writers hold the advisory lock, so max(seq) is stable).
CREATE FUNCTION gxa_change_log_gapless() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT coalesce(max(seq), 0) + 1 FROM change_log) THEN
        RAISE EXCEPTION 'change log sequence must be gapless' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER change_log_gapless
BEFORE INSERT ON change_log
FOR EACH ROW EXECUTE FUNCTION gxa_change_log_gapless();

CREATE TRIGGER change_log_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON change_log
FOR EACH STATEMENT EXECUTE FUNCTION gxa_refuse('the change log is append-only');

CREATE TRIGGER uploads_immutable
BEFORE UPDATE ON uploads
FOR EACH STATEMENT EXECUTE FUNCTION gxa_refuse('uploads are immutable');
