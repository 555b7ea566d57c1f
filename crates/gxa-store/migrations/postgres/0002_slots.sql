-- gx-attest store, PostgreSQL schema version 2: logical credential slots, uploads by subject.
--
-- Never edit this file once released.
--
-- A slot names "the current credential of one kind" (e.g. the SCS attestation of one subject,
-- scope and profile). The row points at the current credential and is moved, in the same write
-- transaction as the issuance, by `Store::issue_in_slot`; the issuer names the credential it
-- expects to replace, so two replicas issuing into one slot at once cannot both succeed.
CREATE TABLE credential_slots (
    slot           TEXT    NOT NULL PRIMARY KEY,
    subject        TEXT    NOT NULL,
    credential_id  TEXT    NOT NULL UNIQUE REFERENCES credentials (id),
    updated_at     BIGINT  NOT NULL
);

CREATE INDEX credential_slots_by_subject ON credential_slots (subject, slot);

-- A subject's uploads, oldest first, for evaluating everything it has uploaded.
CREATE INDEX uploads_by_subject ON uploads (subject_id, received_at);
