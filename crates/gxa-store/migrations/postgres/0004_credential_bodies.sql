-- Credential bodies in a table of their own (issue 6: listings over a million credentials).
--
-- PostgreSQL moves large values out of line (TOAST) by itself, but a JSON body compresses well
-- and then often stays in the row, so listing rows carried the bodies. The same split as on
-- SQLite keeps listing rows small on both backends and lets both share their queries.
--
-- Moved, not copied, in one transaction (sqlx runs each migration in one). The immutability of
-- 0001 carries over to the new table.

CREATE TABLE credential_bodies (
    credential_pk  BIGINT NOT NULL PRIMARY KEY REFERENCES credentials (pk),
    body           BYTEA  NOT NULL
);

INSERT INTO credential_bodies (credential_pk, body) SELECT pk, body FROM credentials;

-- The trigger's column list depends on the column: dropped and re-created without it.
DROP TRIGGER credentials_immutable ON credentials;
ALTER TABLE credentials DROP COLUMN body;

CREATE TRIGGER credentials_immutable
BEFORE UPDATE OF pk, id, types, subject, issuer, profile, format, body_sha256,
    canonical_hash, issued_at, valid_from, valid_until, status_list_id, status_index,
    evidence_sha256 ON credentials
FOR EACH ROW EXECUTE FUNCTION gxa_refuse('credentials are immutable');

CREATE TRIGGER credential_bodies_immutable
BEFORE UPDATE OR DELETE OR TRUNCATE ON credential_bodies
FOR EACH STATEMENT EXECUTE FUNCTION gxa_refuse('credentials are immutable');
