// Partner exchange operations (migration 0003), written once for both backends.
//
// `include!`d after `ops.rs` by `sqlite.rs` and `postgres.rs`; uses its helpers
// (`insert_credential_row`, `append_change`, `stored_now`, `to_i64`, ...). Every write moves the
// partner's cursor in the same transaction as the entry's outcome (see `partner.rs`).

impl Backend {
    pub(crate) async fn receive_partner_credential(
        &self,
        receipt: &crate::PartnerReceipt,
    ) -> Result<crate::ReceiptOutcome, StoreError> {
        validate_partner(&receipt.partner_id, receipt.partner_seq)?;
        let new = &receipt.credential;
        validate_credential(new)?;
        if new.status.is_some() || new.evidence.is_some() {
            return Err(StoreError::InvalidInput(
                "a partner's credential has no local status entry or evidence".to_owned(),
            ));
        }
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let existing: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT body_sha256 FROM credentials WHERE id = $1")
                .bind(&new.id)
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match existing {
            Some(hash) if hash.as_slice() == crate::Sha256Digest::of(&new.body).as_bytes() => {
                // A resumed sync, or a second partner serving the same credential.
                insert_provenance(&mut tx, receipt, now).await?;
                crate::ReceiptOutcome::AlreadyStored
            }
            Some(_) => {
                insert_rejection(
                    &mut tx,
                    &receipt.partner_id,
                    receipt.partner_seq,
                    &new.id,
                    crate::RejectionKind::Conflict,
                    &[format!(
                        "credential {} is stored already with a different body",
                        new.id
                    )],
                    now,
                )
                .await?;
                crate::ReceiptOutcome::Conflict
            }
            None => {
                insert_credential_row(&mut tx, new).await?;
                // A re-issuance supersedes the previous credential when it is stored here,
                // current, and the same issuer's; otherwise (e.g. it was rejected) the new
                // credential is simply issued.
                let replaceable = match receipt.previous.as_deref() {
                    Some(previous) => {
                        let row: Option<(String, Option<String>, Option<i64>)> = sqlx::query_as(
                            "SELECT c.issuer, c.superseded_by, r.seq FROM credentials c \
                             LEFT JOIN revocations r ON r.credential_id = c.id WHERE c.id = $1",
                        )
                        .bind(previous)
                        .fetch_optional(&mut *tx)
                        .await?;
                        matches!(row, Some((issuer, None, None)) if issuer == new.issuer)
                            .then_some(previous)
                    }
                    None => None,
                };
                let entry = match replaceable {
                    Some(previous) => supersede(&mut tx, previous, &new.id, now).await?,
                    None => {
                        append_change(&mut tx, crate::ChangeKind::Issued, &new.id, None, now)
                            .await?
                    }
                };
                insert_provenance(&mut tx, receipt, now).await?;
                crate::ReceiptOutcome::Stored(entry)
            }
        };
        advance_partner_cursor(&mut tx, &receipt.partner_id, receipt.partner_seq, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub(crate) async fn reject_partner_entry(
        &self,
        partner_id: &str,
        partner_seq: u64,
        credential_id: &str,
        kind: crate::RejectionKind,
        reasons: &[String],
    ) -> Result<bool, StoreError> {
        validate_partner(partner_id, partner_seq)?;
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let inserted = insert_rejection(
            &mut tx,
            partner_id,
            partner_seq,
            credential_id,
            kind,
            reasons,
            now,
        )
        .await?;
        advance_partner_cursor(&mut tx, partner_id, partner_seq, now).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    pub(crate) async fn receive_partner_revocation(
        &self,
        partner_id: &str,
        partner_seq: u64,
        credential_id: &str,
        issuer: &str,
    ) -> Result<Option<crate::Revocation>, StoreError> {
        validate_partner(partner_id, partner_seq)?;
        let now = stored_now();
        let mut tx = self.begin_write().await?;
        let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT c.issuer, r.seq, r.revoked_at FROM credentials c \
             LEFT JOIN revocations r ON r.credential_id = c.id WHERE c.id = $1",
        )
        .bind(credential_id)
        .fetch_optional(&mut *tx)
        .await?;
        let revocation = match row {
            // Only the issuer revokes; a credential not stored here (rejected, skipped) has
            // nothing to revoke.
            Some((stored_issuer, None, None)) if stored_issuer == issuer => {
                let entry =
                    append_change(&mut tx, crate::ChangeKind::Revoked, credential_id, None, now)
                        .await?;
                sqlx::query(
                    "INSERT INTO revocations (credential_id, seq, revoked_at) VALUES ($1, $2, $3)",
                )
                .bind(credential_id)
                .bind(to_i64(entry.seq)?)
                .bind(now.as_microsecond())
                .execute(&mut *tx)
                .await?;
                Some(crate::Revocation {
                    seq: entry.seq,
                    revoked_at: now,
                    newly_revoked: true,
                })
            }
            Some((stored_issuer, Some(seq), Some(revoked_at))) if stored_issuer == issuer => {
                Some(crate::Revocation {
                    seq: to_u64(seq)?,
                    revoked_at: timestamp(revoked_at)?,
                    newly_revoked: false,
                })
            }
            _ => None,
        };
        advance_partner_cursor(&mut tx, partner_id, partner_seq, now).await?;
        tx.commit().await?;
        Ok(revocation)
    }

    pub(crate) async fn skip_partner_entry(
        &self,
        partner_id: &str,
        partner_seq: u64,
    ) -> Result<(), StoreError> {
        validate_partner(partner_id, partner_seq)?;
        let now = stored_now();
        let mut tx = self.writer().begin().await?;
        advance_partner_cursor(&mut tx, partner_id, partner_seq, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn record_partner_round(
        &self,
        partner_id: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        if partner_id.is_empty() {
            return Err(StoreError::InvalidInput("empty partner id".to_owned()));
        }
        let now = stored_now().as_microsecond();
        let success = error.is_none().then_some(now);
        sqlx::query(
            "INSERT INTO partner_cursors (partner_id, cursor, updated_at, last_success_at, \
             last_error) VALUES ($1, 0, $2, $3, $4) \
             ON CONFLICT (partner_id) DO UPDATE SET \
               last_success_at = coalesce(excluded.last_success_at, \
                 partner_cursors.last_success_at), \
               last_error = excluded.last_error",
        )
        .bind(partner_id)
        .bind(now)
        .bind(success)
        .bind(error)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub(crate) async fn partner_state(
        &self,
        partner_id: &str,
    ) -> Result<crate::PartnerState, StoreError> {
        let row: Option<(i64, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT cursor, updated_at, last_success_at, last_error FROM partner_cursors \
             WHERE partner_id = $1",
        )
        .bind(partner_id)
        .fetch_optional(self.reader())
        .await?;
        let stored: i64 =
            sqlx::query_scalar("SELECT count(*) FROM partner_credentials WHERE partner_id = $1")
                .bind(partner_id)
                .fetch_one(self.reader())
                .await?;
        let rejected: i64 =
            sqlx::query_scalar("SELECT count(*) FROM partner_rejections WHERE partner_id = $1")
                .bind(partner_id)
                .fetch_one(self.reader())
                .await?;
        let (cursor, updated_at, last_success_at, last_error) = match row {
            Some((cursor, updated_at, success, error)) => {
                (to_u64(cursor)?, timestamp(updated_at)?, success, error)
            }
            None => (0, jiff::Timestamp::UNIX_EPOCH, None, None),
        };
        Ok(crate::PartnerState {
            partner_id: partner_id.to_owned(),
            cursor,
            updated_at,
            last_success_at: last_success_at.map(timestamp).transpose()?,
            last_error,
            stored: to_u64(stored)?,
            rejected: to_u64(rejected)?,
        })
    }

    pub(crate) async fn partner_rejections(
        &self,
        partner_id: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<crate::PartnerRejection>, StoreError> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT partner_seq, credential_id, kind, reasons, received_at \
             FROM partner_rejections WHERE partner_id = $1 AND partner_seq > $2 \
             ORDER BY partner_seq LIMIT $3",
        )
        .bind(partner_id)
        .bind(to_i64(after)?)
        .bind(i64::from(limit.clamp(1, MAX_PAGE)))
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(seq, credential_id, kind, reasons, received_at)| {
                Ok(crate::PartnerRejection {
                    partner_id: partner_id.to_owned(),
                    partner_seq: to_u64(seq)?,
                    credential_id,
                    kind: crate::RejectionKind::parse(&kind)?,
                    reasons: serde_json::from_str(&reasons)
                        .map_err(|e| StoreError::Corrupt(format!("rejection reasons: {e}")))?,
                    received_at: timestamp(received_at)?,
                })
            })
            .collect()
    }

    pub(crate) async fn partner_provenance(
        &self,
        credential_id: &str,
    ) -> Result<Option<crate::PartnerProvenance>, StoreError> {
        let row: Option<(String, i64, i64, String)> = sqlx::query_as(
            "SELECT partner_id, partner_seq, received_at, report FROM partner_credentials \
             WHERE credential_id = $1",
        )
        .bind(credential_id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|(partner_id, seq, received_at, report)| {
            Ok(crate::PartnerProvenance {
                credential_id: credential_id.to_owned(),
                partner_id,
                partner_seq: to_u64(seq)?,
                received_at: timestamp(received_at)?,
                report,
            })
        })
        .transpose()
    }
}

fn validate_partner(partner_id: &str, partner_seq: u64) -> Result<(), StoreError> {
    if partner_id.is_empty() {
        return Err(StoreError::InvalidInput("empty partner id".to_owned()));
    }
    if partner_seq == 0 || i64::try_from(partner_seq).is_err() {
        return Err(StoreError::InvalidInput(format!(
            "partner sequence number {partner_seq} out of range"
        )));
    }
    Ok(())
}

/// Moves the partner's cursor forward to `seq` (never back).
async fn advance_partner_cursor(
    tx: &mut Transaction<'static, Db>,
    partner_id: &str,
    seq: u64,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO partner_cursors (partner_id, cursor, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (partner_id) DO UPDATE SET cursor = excluded.cursor, \
           updated_at = excluded.updated_at \
         WHERE partner_cursors.cursor < excluded.cursor",
    )
    .bind(partner_id)
    .bind(to_i64(seq)?)
    .bind(at.as_microsecond())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_provenance(
    tx: &mut Transaction<'static, Db>,
    receipt: &crate::PartnerReceipt,
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO partner_credentials (credential_id, partner_id, partner_seq, received_at, \
         report) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(&receipt.credential.id)
    .bind(&receipt.partner_id)
    .bind(to_i64(receipt.partner_seq)?)
    .bind(at.as_microsecond())
    .bind(&receipt.report)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a rejection; `false` when this entry was rejected already (a resumed sync).
async fn insert_rejection(
    tx: &mut Transaction<'static, Db>,
    partner_id: &str,
    partner_seq: u64,
    credential_id: &str,
    kind: crate::RejectionKind,
    reasons: &[String],
    at: jiff::Timestamp,
) -> Result<bool, StoreError> {
    let reasons = serde_json::to_string(reasons)
        .map_err(|e| StoreError::InvalidInput(format!("rejection reasons: {e}")))?;
    let res = sqlx::query(
        "INSERT INTO partner_rejections (partner_id, partner_seq, credential_id, kind, reasons, \
         received_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (partner_id, partner_seq) DO NOTHING",
    )
    .bind(partner_id)
    .bind(to_i64(partner_seq)?)
    .bind(credential_id)
    .bind(kind.as_str())
    .bind(reasons)
    .bind(at.as_microsecond())
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}
