-- Credential bodies in a table of their own (issue 6: listings over a million credentials).
--
-- In 0001 the body sat in the middle of the `credentials` row. SQLite stores a row as one record
-- and a body of a few KB spills into overflow pages, so reading any column after it
-- (`body_sha256`, the dates, the status entry) walked the body's overflow chain: a listing page
-- that needs no body still read every body. Here the rows stay small (a page of 100 is a few
-- leaf pages) and a body is read only by the one query that serves it.
--
-- Moved, not copied: every body is inserted here in the same transaction as the column is
-- dropped, so a store upgraded half-way does not exist (sqlx runs each migration in one
-- transaction). The immutability of 0001 carries over to the new table.

CREATE TABLE credential_bodies (
    credential_pk  INTEGER NOT NULL PRIMARY KEY REFERENCES credentials (pk),
    body           BLOB    NOT NULL
) STRICT;

INSERT INTO credential_bodies (credential_pk, body) SELECT pk, body FROM credentials;

-- The trigger names the column; SQLite refuses to drop a column a trigger mentions.
DROP TRIGGER credentials_immutable;
ALTER TABLE credentials DROP COLUMN body;

CREATE TRIGGER credentials_immutable
BEFORE UPDATE OF pk, id, types, subject, issuer, profile, format, body_sha256,
    canonical_hash, issued_at, valid_from, valid_until, status_list_id, status_index,
    evidence_sha256 ON credentials
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;

CREATE TRIGGER credential_bodies_immutable
BEFORE UPDATE ON credential_bodies
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;

CREATE TRIGGER credential_bodies_no_delete
BEFORE DELETE ON credential_bodies
BEGIN
    SELECT RAISE(ABORT, 'credentials are immutable');
END;
