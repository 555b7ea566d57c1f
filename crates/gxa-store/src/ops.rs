// Store operations, written once for both backends.
//
// This file is `include!`d by `sqlite.rs` and `postgres.rs`, which define what differs:
// `Db` (the sqlx database), `Backend` (the backend type), `reader()` and `writer()` (pools),
// `begin_write()` (a transaction that serialises change log writers) and `lease_clock()`.
// Every query uses `$n` placeholders, which sqlx's SQLite driver accepts as well, and only types
// both databases store the same way (TEXT, 64-bit integers, byte strings), so the text of each
// query is shared and type-checked against both backends.

type DbRow = <Db as sqlx::Database>::Row;

/// Status list id and index, revocation sequence and time of a credential.
type RevocationRow = (Option<String>, Option<i64>, Option<i64>, Option<i64>);

/// The longest page of a listing.
const MAX_PAGE: u32 = 1000;

/// The largest status list accepted (2^26 bits = 8 MiB).
const MAX_STATUS_LIST_BITS: u64 = 1 << 26;

/// The columns `listed_from_row` reads.
macro_rules! listed_columns {
    () => {
        "c.pk, c.id, c.types, c.subject, c.issuer, c.profile, c.format, c.body_sha256, \
         c.issued_at, c.valid_from, c.valid_until, c.status_list_id, c.status_index, \
         c.superseded_by, r.revoked_at "
    };
}

/// The start of a credential query: every column `credential_from_row` reads.
macro_rules! credential_select {
    () => {
        concat!(
            "SELECT ",
            listed_columns!(),
            ", b.body, c.canonical_hash, c.evidence_sha256 \
             FROM credentials c JOIN credential_bodies b ON b.credential_pk = c.pk \
             LEFT JOIN revocations r ON r.credential_id = c.id "
        )
    };
}

/// The start of a listing query: no bodies (see [`crate::ListedCredential`]).
macro_rules! listed_select {
    () => {
        concat!(
            "SELECT ",
            listed_columns!(),
            "FROM credentials c LEFT JOIN revocations r ON r.credential_id = c.id "
        )
    };
}

impl Backend {
    // ---- credentials and the change log ----

    pub(crate) async fn insert_credential(
        &self,
        new: &crate::NewCredential,
    ) -> Result<crate::ChangeEntry, StoreError> {
        validate_credential(new)?;
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        insert_credential_row(&mut tx, new).await?;
        let entry = append_change(&mut tx, crate::ChangeKind::Issued, &new.id, None, now).await?;
        tx.commit().await?;
        Ok(entry)
    }

    pub(crate) async fn import_credentials(
        &self,
        batch: &[crate::NewCredential],
    ) -> Result<Vec<crate::ChangeEntry>, StoreError> {
        for new in batch {
            validate_credential(new)?;
        }
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let mut entries = Vec::with_capacity(batch.len());
        for new in batch {
            insert_credential_row(&mut tx, new).await?;
            entries
                .push(append_change(&mut tx, crate::ChangeKind::Issued, &new.id, None, now).await?);
        }
        tx.commit().await?;
        Ok(entries)
    }

    pub(crate) async fn reissue_credential(
        &self,
        old_id: &str,
        new: &crate::NewCredential,
    ) -> Result<crate::ChangeEntry, StoreError> {
        validate_credential(new)?;
        if old_id == new.id {
            return Err(StoreError::InvalidInput(
                "a re-issued credential needs a new id".to_owned(),
            ));
        }
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let old: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT c.superseded_by, r.seq FROM credentials c \
             LEFT JOIN revocations r ON r.credential_id = c.id WHERE c.id = $1",
        )
        .bind(old_id)
        .fetch_optional(&mut *tx)
        .await?;
        match old {
            None => return Err(StoreError::not_found("credential", old_id)),
            Some((Some(by), _)) => {
                return Err(StoreError::Conflict(format!(
                    "credential {old_id} was already superseded by {by}"
                )));
            }
            Some((None, Some(_))) => {
                return Err(StoreError::Conflict(format!(
                    "credential {old_id} was revoked"
                )));
            }
            Some((None, None)) => {}
        }
        insert_credential_row(&mut tx, new).await?;
        let entry = supersede(&mut tx, old_id, &new.id, now).await?;
        tx.commit().await?;
        Ok(entry)
    }

    pub(crate) async fn revoke_credential(
        &self,
        id: &str,
    ) -> Result<crate::Revocation, StoreError> {
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let revocation = revoke_in(&mut tx, id, now).await?;
        if revocation.newly_revoked {
            tx.commit().await?;
        }
        Ok(revocation)
    }

    pub(crate) async fn get_credential(
        &self,
        id: &str,
    ) -> Result<crate::StoredCredential, StoreError> {
        let row = sqlx::query(concat!(credential_select!(), "WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(row) => credential_from_row(&row),
            None => Err(StoreError::not_found("credential", id)),
        }
    }

    pub(crate) async fn list_credentials(
        &self,
        filter: &crate::CredentialFilter,
        after: Option<crate::ListCursor>,
        limit: u32,
    ) -> Result<crate::Page<crate::ListedCredential>, StoreError> {
        use std::fmt::Write as _;

        let limit = limit.clamp(1, MAX_PAGE);
        // Built from fixed fragments only; every value is bound.
        let mut sql = String::from(concat!(listed_select!(), "WHERE c.pk > $1"));
        let mut n = 1;
        if filter.subject.is_some() {
            n += 1;
            let _ = write!(sql, " AND c.subject = ${n}");
        }
        if filter.issuer.is_some() {
            n += 1;
            let _ = write!(sql, " AND c.issuer = ${n}");
        }
        if filter.credential_type.is_some() {
            n += 1;
            let _ = write!(
                sql,
                " AND EXISTS (SELECT 1 FROM credential_types t \
                 WHERE t.credential_pk = c.pk AND t.type = ${n})"
            );
        }
        if filter.profile.is_some() {
            n += 1;
            let _ = write!(sql, " AND c.profile = ${n}");
        }
        match filter.state {
            None => {}
            Some(crate::CredentialState::Current) => {
                sql.push_str(" AND c.superseded_by IS NULL AND r.revoked_at IS NULL");
            }
            Some(crate::CredentialState::Superseded) => {
                sql.push_str(" AND c.superseded_by IS NOT NULL AND r.revoked_at IS NULL");
            }
            Some(crate::CredentialState::Revoked) => sql.push_str(" AND r.revoked_at IS NOT NULL"),
        }
        n += 1;
        let _ = write!(sql, " ORDER BY c.pk LIMIT ${n}");

        // Every value is bound, in the order of the placeholders above.
        macro_rules! bind_all {
            ($query:expr) => {{
                let mut query = $query.bind(after.map_or(0, |c| c.0));
                if let Some(subject) = &filter.subject {
                    query = query.bind(subject);
                }
                if let Some(issuer) = &filter.issuer {
                    query = query.bind(issuer);
                }
                if let Some(credential_type) = &filter.credential_type {
                    query = query.bind(credential_type);
                }
                if let Some(profile) = &filter.profile {
                    query = query.bind(profile);
                }
                query.bind(i64::from(limit) + 1)
            }};
        }
        let mut rows: Vec<(i64, crate::ListedCredential)> = match PAGE_AS_JSON {
            Some((start, end)) => {
                let sql = format!("{start}{sql}{end}");
                let page: String =
                    bind_all!(sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)))
                        .fetch_one(self.reader())
                        .await?;
                let rows: Vec<ListedJson> = serde_json::from_str(&page)
                    .map_err(|err| StoreError::Corrupt(format!("listing page: {err}")))?;
                let mut rows = rows
                    .into_iter()
                    .map(|row| Ok((row.0, listed_from_json(row)?)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                // An aggregate's order is not promised: the cursor's order is restored.
                rows.sort_unstable_by_key(|(pk, _)| *pk);
                rows
            }
            None => bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)))
                .fetch_all(self.reader())
                .await?
                .iter()
                .map(|row| Ok((sqlx::Row::try_get(row, "pk")?, listed_from_row(row)?)))
                .collect::<Result<_, StoreError>>()?,
        };
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = more
            .then(|| rows.last().map(|(pk, _)| crate::ListCursor(*pk)))
            .flatten();
        Ok(crate::Page {
            items: rows.into_iter().map(|(_, listed)| listed).collect(),
            next,
        })
    }

    pub(crate) async fn changes(
        &self,
        after: crate::ChangeCursor,
        limit: u32,
    ) -> Result<Vec<crate::ChangeEntry>, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let after = i64::try_from(after.0).map_err(|_| StoreError::InvalidCursor)?;
        let latest: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM change_log")
            .fetch_one(self.reader())
            .await?;
        if after > latest {
            // A cursor from the future was not handed out by this store.
            return Err(StoreError::InvalidCursor);
        }
        let rows = sqlx::query(
            "SELECT l.seq, l.kind, l.credential_id, c.issuer, l.previous_id, l.recorded_at \
             FROM change_log l JOIN credentials c ON c.id = l.credential_id \
             WHERE l.seq > $1 ORDER BY l.seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(change_from_row).collect()
    }

    pub(crate) async fn latest_sequence(&self) -> Result<u64, StoreError> {
        let latest: i64 = sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM change_log")
            .fetch_one(self.reader())
            .await?;
        to_u64(latest)
    }

    pub(crate) async fn expiring_before(
        &self,
        before: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<crate::StoredCredential>, StoreError> {
        let rows = sqlx::query(concat!(
            credential_select!(),
            "WHERE c.valid_until IS NOT NULL AND c.valid_until < $1 \
             AND c.superseded_by IS NULL AND r.credential_id IS NULL \
             ORDER BY c.valid_until, c.pk LIMIT $2"
        ))
        .bind(before.as_microsecond())
        .bind(i64::from(limit.clamp(1, MAX_PAGE)))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    // ---- uploads ----

    pub(crate) async fn put_upload(
        &self,
        new: &crate::NewUpload,
    ) -> Result<(crate::Upload, bool), StoreError> {
        let digest = crate::Sha256Digest::of(&new.body);
        let inserted = sqlx::query(
            "INSERT INTO uploads (sha256, subject_id, media_type, body, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(digest.as_bytes().as_slice())
        .bind(&new.subject)
        .bind(&new.media_type)
        .bind(new.body.as_slice())
        .bind(stored_now().as_microsecond())
        .execute(self.writer())
        .await?
        .rows_affected()
            == 1;
        let upload = self.get_upload_from(self.writer(), digest).await?;
        Ok((upload, inserted))
    }

    pub(crate) async fn get_upload(
        &self,
        sha256: crate::Sha256Digest,
    ) -> Result<crate::Upload, StoreError> {
        self.get_upload_from(self.reader(), sha256).await
    }

    async fn get_upload_from(
        &self,
        pool: &Pool<Db>,
        sha256: crate::Sha256Digest,
    ) -> Result<crate::Upload, StoreError> {
        let row: Option<(String, String, Vec<u8>, i64)> = sqlx::query_as(
            "SELECT subject_id, media_type, body, received_at FROM uploads WHERE sha256 = $1",
        )
        .bind(sha256.as_bytes().as_slice())
        .fetch_optional(pool)
        .await?;
        let Some((subject, media_type, body, received_at)) = row else {
            return Err(StoreError::not_found("upload", sha256.to_string()));
        };
        Ok(crate::Upload {
            sha256,
            subject,
            media_type,
            body,
            received_at: timestamp(received_at)?,
        })
    }

    // ---- status lists ----

    pub(crate) async fn create_status_list(
        &self,
        id: &str,
        purpose: crate::StatusPurpose,
        size_bits: u64,
    ) -> Result<crate::StatusList, StoreError> {
        if id.is_empty() {
            return Err(StoreError::InvalidInput("empty status list id".to_owned()));
        }
        if !(crate::MIN_STATUS_LIST_BITS..=MAX_STATUS_LIST_BITS).contains(&size_bits)
            || !size_bits.is_multiple_of(8)
        {
            return Err(StoreError::InvalidInput(format!(
                "a status list has a multiple of 8 bits between {} and {MAX_STATUS_LIST_BITS}, \
                 not {size_bits}",
                crate::MIN_STATUS_LIST_BITS
            )));
        }
        let bytes = usize::try_from(size_bits / 8)
            .map_err(|_| StoreError::InvalidInput(format!("status list size {size_bits}")))?;
        let now = stored_now().as_microsecond();
        let res = sqlx::query(
            "INSERT INTO status_lists (id, purpose, size_bits, bits, next_index, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5)",
        )
        .bind(id)
        .bind(purpose.as_str())
        .bind(to_i64(size_bits)?)
        .bind(vec![0u8; bytes])
        .bind(now)
        .execute(self.writer())
        .await;
        match res {
            Ok(_) => {}
            Err(err) if crate::error::is_unique_violation(&err) => {
                return Err(StoreError::already_exists("status list", id));
            }
            Err(err) => return Err(err.into()),
        }
        self.get_status_list_from(self.writer(), id).await
    }

    pub(crate) async fn get_status_list(&self, id: &str) -> Result<crate::StatusList, StoreError> {
        self.get_status_list_from(self.reader(), id).await
    }

    async fn get_status_list_from(
        &self,
        pool: &Pool<Db>,
        id: &str,
    ) -> Result<crate::StatusList, StoreError> {
        let row: Option<(String, i64, Vec<u8>, i64, i64)> = sqlx::query_as(
            "SELECT purpose, size_bits, bits, next_index, updated_at FROM status_lists \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let Some((purpose, size_bits, bits, next_index, updated_at)) = row else {
            return Err(StoreError::not_found("status list", id));
        };
        Ok(crate::StatusList {
            id: id.to_owned(),
            purpose: crate::StatusPurpose::parse(&purpose)?,
            size_bits: to_u64(size_bits)?,
            bits,
            allocated: to_u64(next_index)?,
            updated_at: timestamp(updated_at)?,
        })
    }

    pub(crate) async fn allocate_status_index(&self, list: &str) -> Result<u64, StoreError> {
        // One statement: the row's write lock makes concurrent allocations take turns.
        let index: Option<i64> = sqlx::query_scalar(
            "UPDATE status_lists SET next_index = next_index + 1 \
             WHERE id = $1 AND next_index < size_bits RETURNING next_index - 1",
        )
        .bind(list)
        .fetch_optional(self.writer())
        .await?;
        match index {
            Some(index) => to_u64(index),
            None => {
                // Either the list is missing or full.
                self.get_status_list_from(self.writer(), list).await?;
                Err(StoreError::StatusListFull(list.to_owned()))
            }
        }
    }

    // ---- subjects, tokens, SSH keys ----

    pub(crate) async fn register_subject(&self, id: &str) -> Result<bool, StoreError> {
        if id.is_empty() {
            return Err(StoreError::InvalidInput("empty subject id".to_owned()));
        }
        let res = sqlx::query(
            "INSERT INTO subjects (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(stored_now().as_microsecond())
        .execute(self.writer())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    pub(crate) async fn list_subjects(&self) -> Result<Vec<crate::Subject>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, created_at FROM subjects ORDER BY id")
                .fetch_all(self.reader())
                .await?;
        rows.into_iter()
            .map(|(id, created_at)| {
                Ok(crate::Subject {
                    id,
                    created_at: timestamp(created_at)?,
                })
            })
            .collect()
    }

    pub(crate) async fn get_subject(&self, id: &str) -> Result<crate::Subject, StoreError> {
        let created_at: Option<i64> =
            sqlx::query_scalar("SELECT created_at FROM subjects WHERE id = $1")
                .bind(id)
                .fetch_optional(self.reader())
                .await?;
        match created_at {
            Some(created_at) => Ok(crate::Subject {
                id: id.to_owned(),
                created_at: timestamp(created_at)?,
            }),
            None => Err(StoreError::not_found("subject", id)),
        }
    }

    pub(crate) async fn register_token(
        &self,
        subject: &str,
        label: &str,
        token: &str,
    ) -> Result<(), StoreError> {
        let digest = crate::Sha256Digest::of(token.as_bytes());
        let res = sqlx::query(
            "INSERT INTO api_tokens (token_sha256, subject_id, label, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(digest.as_bytes().as_slice())
        .bind(subject)
        .bind(label)
        .bind(stored_now().as_microsecond())
        .execute(self.writer())
        .await;
        match res {
            Ok(_) => Ok(()),
            Err(err) if crate::error::is_foreign_key_violation(&err) => {
                Err(StoreError::not_found("subject", subject))
            }
            Err(err) if crate::error::is_unique_violation(&err) => Err(StoreError::already_exists(
                "api token",
                format!("{subject} {label}"),
            )),
            Err(err) => Err(err.into()),
        }
    }

    pub(crate) async fn authenticate_token(
        &self,
        token: &str,
    ) -> Result<Option<String>, StoreError> {
        let digest = crate::Sha256Digest::of(token.as_bytes());
        // The lookup is by hash, so its timing tells nothing about the token; the comparison of
        // the stored hash is constant-time all the same.
        let row: Option<(Vec<u8>, String)> = sqlx::query_as(
            "SELECT token_sha256, subject_id FROM api_tokens WHERE token_sha256 = $1",
        )
        .bind(digest.as_bytes().as_slice())
        .fetch_optional(self.reader())
        .await?;
        Ok(row.and_then(|(stored, subject)| {
            aws_lc_rs::constant_time::verify_slices_are_equal(&stored, digest.as_bytes())
                .ok()
                .map(|()| subject)
        }))
    }

    pub(crate) async fn delete_token(
        &self,
        subject: &str,
        label: &str,
    ) -> Result<bool, StoreError> {
        let res = sqlx::query("DELETE FROM api_tokens WHERE subject_id = $1 AND label = $2")
            .bind(subject)
            .bind(label)
            .execute(self.writer())
            .await?;
        Ok(res.rows_affected() > 0)
    }

    pub(crate) async fn add_ssh_key(&self, subject: &str, key: &str) -> Result<bool, StoreError> {
        let res = sqlx::query(
            "INSERT INTO ssh_keys (subject_id, public_key, added_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject_id, public_key) DO NOTHING",
        )
        .bind(subject)
        .bind(key)
        .bind(stored_now().as_microsecond())
        .execute(self.writer())
        .await;
        match res {
            Ok(res) => Ok(res.rows_affected() == 1),
            Err(err) if crate::error::is_foreign_key_violation(&err) => {
                Err(StoreError::not_found("subject", subject))
            }
            Err(err) => Err(err.into()),
        }
    }

    pub(crate) async fn ssh_keys(&self, subject: &str) -> Result<Vec<String>, StoreError> {
        self.get_subject(subject).await?;
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT public_key FROM ssh_keys WHERE subject_id = $1 ORDER BY added_at, public_key",
        )
        .bind(subject)
        .fetch_all(self.reader())
        .await?;
        Ok(keys)
    }

    pub(crate) async fn remove_ssh_key(
        &self,
        subject: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let res = sqlx::query("DELETE FROM ssh_keys WHERE subject_id = $1 AND public_key = $2")
            .bind(subject)
            .bind(key)
            .execute(self.writer())
            .await?;
        Ok(res.rows_affected() > 0)
    }

    // ---- leases ----

    pub(crate) async fn try_acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<crate::Lease>, StoreError> {
        let now = self.lease_clock().await?;
        let expires = now.saturating_add(duration_micros(ttl)?);
        // Insert, or take over when the lease has expired, or extend when we hold it already.
        let row: Option<(String, i64)> = sqlx::query_as(
            "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
               expires_at = excluded.expires_at, \
               acquired_at = CASE WHEN leases.holder = excluded.holder \
                 THEN leases.acquired_at ELSE excluded.acquired_at END \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= $3 \
             RETURNING holder, expires_at",
        )
        .bind(name)
        .bind(holder)
        .bind(now)
        .bind(expires)
        .fetch_optional(self.writer())
        .await?;
        row.map(|(holder, expires_at)| lease(name, holder, expires_at))
            .transpose()
    }

    pub(crate) async fn renew_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<crate::Lease>, StoreError> {
        let now = self.lease_clock().await?;
        let expires = now.saturating_add(duration_micros(ttl)?);
        let row: Option<(String, i64)> = sqlx::query_as(
            "UPDATE leases SET expires_at = $4 \
             WHERE name = $1 AND holder = $2 AND expires_at > $3 RETURNING holder, expires_at",
        )
        .bind(name)
        .bind(holder)
        .bind(now)
        .bind(expires)
        .fetch_optional(self.writer())
        .await?;
        row.map(|(holder, expires_at)| lease(name, holder, expires_at))
            .transpose()
    }

    pub(crate) async fn release_lease(&self, name: &str, holder: &str) -> Result<bool, StoreError> {
        let res = sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(self.writer())
            .await?;
        Ok(res.rows_affected() > 0)
    }

    // ---- logical slots (migration 0002) ----

    pub(crate) async fn issue_in_slot(
        &self,
        slot: &str,
        expected: Option<&str>,
        new: &crate::NewCredential,
        previous: crate::Previous,
    ) -> Result<crate::SlotIssuance, StoreError> {
        validate_credential(new)?;
        if slot.is_empty() {
            return Err(StoreError::InvalidInput("empty slot name".to_owned()));
        }
        if expected == Some(new.id.as_str()) {
            return Err(StoreError::InvalidInput(
                "a re-issued credential needs a new id".to_owned(),
            ));
        }
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT credential_id FROM credential_slots WHERE slot = $1")
                .bind(slot)
                .fetch_optional(&mut *tx)
                .await?;
        if current.as_deref() != expected {
            return Err(StoreError::Conflict(format!(
                "slot {slot} holds {}, not {}",
                current.as_deref().unwrap_or("nothing"),
                expected.unwrap_or("nothing")
            )));
        }
        let entry = match expected {
            None => {
                insert_credential_row(&mut tx, new).await?;
                sqlx::query(
                    "INSERT INTO credential_slots (slot, subject, credential_id, updated_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(slot)
                .bind(&new.subject)
                .bind(&new.id)
                .bind(now.as_microsecond())
                .execute(&mut *tx)
                .await?;
                append_change(&mut tx, crate::ChangeKind::Issued, &new.id, None, now).await?
            }
            Some(old_id) => {
                let old: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
                    "SELECT c.superseded_by, r.seq FROM credentials c \
                     LEFT JOIN revocations r ON r.credential_id = c.id WHERE c.id = $1",
                )
                .bind(old_id)
                .fetch_optional(&mut *tx)
                .await?;
                let revoked = match old {
                    None => return Err(StoreError::not_found("credential", old_id)),
                    Some((Some(by), _)) => {
                        return Err(StoreError::Conflict(format!(
                            "credential {old_id} was already superseded by {by}"
                        )));
                    }
                    Some((None, revocation)) => revocation.is_some(),
                };
                insert_credential_row(&mut tx, new).await?;
                sqlx::query(
                    "UPDATE credential_slots SET credential_id = $1, subject = $2, \
                     updated_at = $3 WHERE slot = $4",
                )
                .bind(&new.id)
                .bind(&new.subject)
                .bind(now.as_microsecond())
                .bind(slot)
                .execute(&mut *tx)
                .await?;
                if revoked {
                    // A revoked credential stays revoked and is not superseded: its successor
                    // is a new issuance, not a replacement.
                    append_change(&mut tx, crate::ChangeKind::Issued, &new.id, None, now).await?
                } else {
                    let entry = supersede(&mut tx, old_id, &new.id, now).await?;
                    if previous == crate::Previous::Revoke {
                        // Same transaction: no reader ever sees the successor while the
                        // predecessor still verifies as current.
                        let revocation = revoke_in(&mut tx, old_id, now).await?;
                        tx.commit().await?;
                        return Ok(crate::SlotIssuance {
                            entry,
                            revoked_previous: Some(revocation),
                        });
                    }
                    entry
                }
            }
        };
        tx.commit().await?;
        Ok(crate::SlotIssuance {
            entry,
            revoked_previous: None,
        })
    }

    pub(crate) async fn current_in_slot(
        &self,
        slot: &str,
    ) -> Result<Option<crate::StoredCredential>, StoreError> {
        let row = sqlx::query(concat!(
            credential_select!(),
            "JOIN credential_slots s ON s.credential_id = c.id WHERE s.slot = $1"
        ))
        .bind(slot)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(credential_from_row).transpose()
    }

    pub(crate) async fn slot_of(&self, credential_id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT slot FROM credential_slots WHERE credential_id = $1")
                .bind(credential_id)
                .fetch_optional(self.reader())
                .await?,
        )
    }

    pub(crate) async fn slots_of_subject(
        &self,
        subject: &str,
    ) -> Result<Vec<(String, crate::StoredCredential)>, StoreError> {
        use sqlx::Row as _;

        let rows = sqlx::query(concat!(
            "SELECT s.slot AS slot_name, ",
            // The column list of `credential_select!` without its leading `SELECT `.
            listed_columns!(),
            ", b.body, c.canonical_hash, c.evidence_sha256 \
             FROM credentials c JOIN credential_bodies b ON b.credential_pk = c.pk \
             LEFT JOIN revocations r ON r.credential_id = c.id \
             JOIN credential_slots s ON s.credential_id = c.id \
             WHERE s.subject = $1 ORDER BY s.slot"
        ))
        .bind(subject)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("slot_name")?, credential_from_row(row)?)))
            .collect()
    }

    pub(crate) async fn uploads_of_subject(
        &self,
        subject: &str,
        limit: u32,
    ) -> Result<Vec<crate::Upload>, StoreError> {
        let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
            "SELECT sha256 FROM uploads WHERE subject_id = $1 \
             ORDER BY received_at DESC, sha256 LIMIT $2",
        )
        .bind(subject)
        .bind(i64::from(limit.clamp(1, MAX_PAGE)))
        .fetch_all(self.reader())
        .await?;
        let mut uploads = Vec::with_capacity(rows.len());
        for (sha256,) in rows.iter().rev() {
            let digest = crate::Sha256Digest::from_slice(sha256)?;
            uploads.push(self.get_upload_from(self.reader(), digest).await?);
        }
        Ok(uploads)
    }
}

/// Inserts the credential row and its types; the caller holds the write lock.
async fn insert_credential_row(
    tx: &mut Transaction<'static, Db>,
    new: &crate::NewCredential,
) -> Result<(), StoreError> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT pk FROM credentials WHERE id = $1")
        .bind(&new.id)
        .fetch_optional(&mut **tx)
        .await?;
    if existing.is_some() {
        return Err(StoreError::already_exists("credential", &new.id));
    }
    let status = match &new.status {
        Some((list, index)) => {
            let allocated: Option<i64> =
                sqlx::query_scalar("SELECT next_index FROM status_lists WHERE id = $1")
                    .bind(list)
                    .fetch_optional(&mut **tx)
                    .await?;
            let allocated = allocated.ok_or_else(|| StoreError::not_found("status list", list))?;
            let index = to_i64(*index)?;
            if index >= allocated {
                return Err(StoreError::InvalidInput(format!(
                    "status index {index} of {list} was not allocated"
                )));
            }
            Some((list.as_str(), index))
        }
        None => None,
    };
    if let Some(evidence) = &new.evidence {
        let found: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT sha256 FROM uploads WHERE sha256 = $1")
                .bind(evidence.as_bytes().as_slice())
                .fetch_optional(&mut **tx)
                .await?;
        if found.is_none() {
            return Err(StoreError::not_found("upload", evidence.to_string()));
        }
    }
    let types = serde_json::to_string(&new.types)
        .map_err(|err| StoreError::InvalidInput(format!("credential types: {err}")))?;
    let res: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO credentials (id, types, subject, issuer, profile, format, body_sha256, \
         canonical_hash, issued_at, valid_from, valid_until, status_list_id, status_index, \
         evidence_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING pk",
    )
    .bind(&new.id)
    .bind(types)
    .bind(&new.subject)
    .bind(&new.issuer)
    .bind(&new.profile)
    .bind(new.format.as_str())
    .bind(crate::Sha256Digest::of(&new.body).as_bytes().as_slice())
    .bind(new.canonical_hash.as_deref())
    .bind(new.issued_at.as_microsecond())
    .bind(new.valid_from.as_microsecond())
    .bind(new.valid_until.map(|t| t.as_microsecond()))
    .bind(status.map(|(list, _)| list))
    .bind(status.map(|(_, index)| index))
    .bind(new.evidence.as_ref().map(|d| d.as_bytes().as_slice()))
    .fetch_one(&mut **tx)
    .await;
    let pk = match res {
        Ok(pk) => pk,
        // The id was checked above under the write lock, so this is the status slot.
        Err(err) if crate::error::is_unique_violation(&err) => {
            return Err(StoreError::Conflict(format!(
                "status entry of credential {} is used by another credential",
                new.id
            )));
        }
        Err(err) => return Err(err.into()),
    };
    // Bodies live apart from the listed columns (migration 0004).
    sqlx::query("INSERT INTO credential_bodies (credential_pk, body) VALUES ($1, $2)")
        .bind(pk)
        .bind(new.body.as_slice())
        .execute(&mut **tx)
        .await?;
    let mut seen = std::collections::HashSet::new();
    for credential_type in &new.types {
        if seen.insert(credential_type.as_str()) {
            sqlx::query("INSERT INTO credential_types (type, credential_pk) VALUES ($1, $2)")
                .bind(credential_type)
                .bind(pk)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Revokes `id` inside the caller's write transaction: sets its bit in its revocation status
/// list (when it has a status entry: a credential without one is revoked by the record and the
/// change-log entry alone) and appends the `revoked` change-log entry. Idempotent: an already
/// revoked credential is reported with its first revocation and nothing changes.
async fn revoke_in(
    tx: &mut Transaction<'static, Db>,
    id: &str,
    now: jiff::Timestamp,
) -> Result<crate::Revocation, StoreError> {
    let row: Option<RevocationRow> = sqlx::query_as(
        "SELECT c.status_list_id, c.status_index, r.seq, r.revoked_at FROM credentials c \
         LEFT JOIN revocations r ON r.credential_id = c.id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((list, index, seq, revoked_at)) = row else {
        return Err(StoreError::not_found("credential", id));
    };
    if let (Some(seq), Some(revoked_at)) = (seq, revoked_at) {
        // Idempotent: report the first revocation, change nothing.
        return Ok(crate::Revocation {
            seq: to_u64(seq)?,
            revoked_at: timestamp(revoked_at)?,
            newly_revoked: false,
        });
    }
    if let (Some(list), Some(index)) = (list, index) {
        set_revocation_bit(tx, id, &list, to_u64(index)?, now).await?;
    }
    let entry = append_change(tx, crate::ChangeKind::Revoked, id, None, now).await?;
    sqlx::query("INSERT INTO revocations (credential_id, seq, revoked_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(to_i64(entry.seq)?)
        .bind(now.as_microsecond())
        .execute(&mut **tx)
        .await?;
    Ok(crate::Revocation {
        seq: entry.seq,
        revoked_at: entry.recorded_at,
        newly_revoked: true,
    })
}

/// Sets bit `index` of the revocation list `list` (the status entry of credential `id`).
async fn set_revocation_bit(
    tx: &mut Transaction<'static, Db>,
    id: &str,
    list: &str,
    index: u64,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let (purpose, mut bits): (String, Vec<u8>) =
        sqlx::query_as("SELECT purpose, bits FROM status_lists WHERE id = $1")
            .bind(list)
            .fetch_one(&mut **tx)
            .await?;
    if crate::StatusPurpose::parse(&purpose)? != crate::StatusPurpose::Revocation {
        return Err(StoreError::Conflict(format!(
            "status list {list} of credential {id} is not a revocation list"
        )));
    }
    if !crate::bits::set_bit(&mut bits, index) {
        return Err(StoreError::Corrupt(format!(
            "status index {index} beyond the end of list {list}"
        )));
    }
    sqlx::query("UPDATE status_lists SET bits = $1, updated_at = $2 WHERE id = $3")
        .bind(bits)
        .bind(now.as_microsecond())
        .bind(list)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks `old_id` as superseded by `new_id` (set once: the trigger refuses a second time) and
/// appends the `reissued` entry; the caller holds the write lock and has inserted `new_id`.
async fn supersede(
    tx: &mut Transaction<'static, Db>,
    old_id: &str,
    new_id: &str,
    at: jiff::Timestamp,
) -> Result<crate::ChangeEntry, StoreError> {
    sqlx::query("UPDATE credentials SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL")
        .bind(new_id)
        .bind(old_id)
        .execute(&mut **tx)
        .await?;
    append_change(tx, crate::ChangeKind::Reissued, new_id, Some(old_id), at).await
}

/// Appends the next change log entry; the caller holds the write lock (`begin_write`).
async fn append_change(
    tx: &mut Transaction<'static, Db>,
    kind: crate::ChangeKind,
    credential_id: &str,
    previous: Option<&str>,
    at: jiff::Timestamp,
) -> Result<crate::ChangeEntry, StoreError> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO change_log (seq, kind, credential_id, previous_id, recorded_at) \
         SELECT coalesce(max(seq), 0) + 1, $1, $2, $3, $4 FROM change_log RETURNING seq",
    )
    .bind(kind.as_str())
    .bind(credential_id)
    .bind(previous)
    .bind(at.as_microsecond())
    .fetch_one(&mut **tx)
    .await?;
    let issuer: String = sqlx::query_scalar("SELECT issuer FROM credentials WHERE id = $1")
        .bind(credential_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(crate::ChangeEntry {
        seq: to_u64(seq)?,
        kind,
        credential_id: credential_id.to_owned(),
        issuer,
        previous: previous.map(str::to_owned),
        recorded_at: at,
    })
}

fn validate_credential(new: &crate::NewCredential) -> Result<(), StoreError> {
    let missing = if new.id.is_empty() {
        "id"
    } else if new.types.is_empty() || new.types.iter().any(String::is_empty) {
        "types"
    } else if new.subject.is_empty() {
        "subject"
    } else if new.issuer.is_empty() {
        "issuer"
    } else if new.body.is_empty() {
        "body"
    } else {
        return Ok(());
    };
    Err(StoreError::InvalidInput(format!(
        "credential {:?} has no {missing}",
        new.id
    )))
}

/// One row of a listing page as `PAGE_AS_JSON` writes it: pk, id, types, subject, issuer,
/// profile, format, body_sha256 (hex), issued_at, valid_from, valid_until, status_list_id,
/// status_index, superseded_by, revoked_at.
type ListedJson = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

fn listed_from_json(row: ListedJson) -> Result<crate::ListedCredential, StoreError> {
    let (
        _,
        id,
        types,
        subject,
        issuer,
        profile,
        format,
        body_sha256,
        issued_at,
        valid_from,
        valid_until,
        status_list,
        status_index,
        superseded_by,
        revoked_at,
    ) = row;
    Ok(crate::ListedCredential {
        id,
        types: credential_types(&types)?,
        subject,
        issuer,
        profile,
        format: crate::model::parse_format(&format)?,
        body_sha256: body_sha256
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("body digest {body_sha256:?}")))?,
        issued_at: timestamp(issued_at)?,
        valid_from: timestamp(valid_from)?,
        valid_until: valid_until.map(timestamp).transpose()?,
        status: status_entry(status_list, status_index)?,
        superseded_by,
        revoked_at: revoked_at.map(timestamp).transpose()?,
    })
}

fn credential_types(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json)
        .map_err(|err| StoreError::Corrupt(format!("credential types: {err}")))
}

fn status_entry(
    list: Option<String>,
    index: Option<i64>,
) -> Result<Option<(String, u64)>, StoreError> {
    match (list, index) {
        (Some(list), Some(index)) => Ok(Some((list, to_u64(index)?))),
        (None, None) => Ok(None),
        _ => Err(StoreError::Corrupt("half a status entry".to_owned())),
    }
}

fn listed_from_row(row: &DbRow) -> Result<crate::ListedCredential, StoreError> {
    use sqlx::Row as _;

    let types: String = row.try_get("types")?;
    let types = credential_types(&types)?;
    let format: String = row.try_get("format")?;
    let status = status_entry(row.try_get("status_list_id")?, row.try_get("status_index")?)?;
    let body_sha256: Vec<u8> = row.try_get("body_sha256")?;
    let valid_until: Option<i64> = row.try_get("valid_until")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    Ok(crate::ListedCredential {
        id: row.try_get("id")?,
        types,
        subject: row.try_get("subject")?,
        issuer: row.try_get("issuer")?,
        profile: row.try_get("profile")?,
        format: crate::model::parse_format(&format)?,
        body_sha256: crate::Sha256Digest::from_slice(&body_sha256)?,
        issued_at: timestamp(row.try_get("issued_at")?)?,
        valid_from: timestamp(row.try_get("valid_from")?)?,
        valid_until: valid_until.map(timestamp).transpose()?,
        status,
        superseded_by: row.try_get("superseded_by")?,
        revoked_at: revoked_at.map(timestamp).transpose()?,
    })
}

fn credential_from_row(row: &DbRow) -> Result<crate::StoredCredential, StoreError> {
    use sqlx::Row as _;

    let crate::ListedCredential {
        id,
        types,
        subject,
        issuer,
        profile,
        format,
        body_sha256,
        issued_at,
        valid_from,
        valid_until,
        status,
        superseded_by,
        revoked_at,
    } = listed_from_row(row)?;
    let evidence: Option<Vec<u8>> = row.try_get("evidence_sha256")?;
    Ok(crate::StoredCredential {
        id,
        types,
        subject,
        issuer,
        profile,
        format,
        body: row.try_get("body")?,
        body_sha256,
        canonical_hash: row.try_get("canonical_hash")?,
        issued_at,
        valid_from,
        valid_until,
        status,
        evidence: evidence
            .as_deref()
            .map(crate::Sha256Digest::from_slice)
            .transpose()?,
        superseded_by,
        revoked_at,
    })
}

fn change_from_row(row: &DbRow) -> Result<crate::ChangeEntry, StoreError> {
    use sqlx::Row as _;

    let kind: String = row.try_get("kind")?;
    Ok(crate::ChangeEntry {
        seq: to_u64(row.try_get("seq")?)?,
        kind: crate::ChangeKind::parse(&kind)?,
        credential_id: row.try_get("credential_id")?,
        issuer: row.try_get("issuer")?,
        previous: row.try_get("previous_id")?,
        recorded_at: timestamp(row.try_get("recorded_at")?)?,
    })
}

fn lease(name: &str, holder: String, expires_at: i64) -> Result<crate::Lease, StoreError> {
    Ok(crate::Lease {
        name: name.to_owned(),
        holder,
        expires_at: timestamp(expires_at)?,
    })
}

fn timestamp(micros: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_microsecond(micros)
        .map_err(|err| StoreError::Corrupt(format!("timestamp {micros}: {err}")))
}

fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative number {n}")))
}

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::InvalidInput(format!("number out of range: {n}")))
}

fn duration_micros(d: Duration) -> Result<i64, StoreError> {
    i64::try_from(d.as_micros())
        .map_err(|_| StoreError::InvalidInput(format!("duration out of range: {d:?}")))
}

/// Now, truncated to the stored precision (microseconds), so that returned values equal what a
/// later read gives.
fn stored_now() -> jiff::Timestamp {
    let micros = jiff::Timestamp::now().as_microsecond();
    jiff::Timestamp::from_microsecond(micros).unwrap_or_else(|_| jiff::Timestamp::now())
}
