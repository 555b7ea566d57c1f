// Credential Event Service operations (migration 0005), written once for both backends.
//
// `include!`d after `ops.rs` by `sqlite.rs` and `postgres.rs`; uses its helpers.

impl Backend {
    pub(crate) async fn receive_ces_event(
        &self,
        event: &crate::NewCesEvent,
    ) -> Result<crate::CesReceipt, StoreError> {
        if event.source.is_empty() || event.event_id.is_empty() {
            return Err(StoreError::InvalidInput(
                "a CES event needs a source and an id".to_owned(),
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO ces_events (source, event_id, subject, received_at, body) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, event_id) DO NOTHING",
        )
        .bind(&event.source)
        .bind(&event.event_id)
        .bind(event.subject.as_deref())
        .bind(stored_now().as_microsecond())
        .bind(&event.body)
        .execute(self.writer())
        .await?
        .rows_affected()
            == 1;
        let seq: i64 =
            sqlx::query_scalar("SELECT seq FROM ces_events WHERE source = $1 AND event_id = $2")
                .bind(&event.source)
                .bind(&event.event_id)
                .fetch_one(self.writer())
                .await?;
        Ok(crate::CesReceipt {
            seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("negative seq".into()))?,
            new: inserted,
        })
    }

    pub(crate) async fn ces_events(
        &self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<crate::CesEvent>, StoreError> {
        let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
            "SELECT seq, source, event_id, received_at, body FROM ces_events \
             ORDER BY seq LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(limit.clamp(1, MAX_PAGE)))
        .bind(to_i64(offset)?)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(seq, source, event_id, received_at, body)| {
                Ok(crate::CesEvent {
                    seq: u64::try_from(seq)
                        .map_err(|_| StoreError::Corrupt("negative seq".into()))?,
                    source,
                    event_id,
                    received_at: jiff::Timestamp::from_microsecond(received_at)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    body,
                })
            })
            .collect()
    }
}

impl Backend {
    pub(crate) async fn ces_delivery(&self, target: &str) -> Result<crate::CesDelivery, StoreError> {
        let row: Option<(i64, i64, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT delivered, sent, refused, failures, last_error FROM ces_deliveries \
             WHERE target = $1",
        )
        .bind(target)
        .fetch_optional(self.writer())
        .await?;
        let n = |v: i64| u64::try_from(v).map_err(|_| StoreError::Corrupt("negative count".into()));
        match row {
            None => Ok(crate::CesDelivery::default()),
            Some((delivered, sent, refused, failures, last_error)) => Ok(crate::CesDelivery {
                delivered: n(delivered)?,
                sent: n(sent)?,
                refused: n(refused)?,
                failures: n(failures)?,
                last_error,
            }),
        }
    }

    pub(crate) async fn ces_delivered(
        &self,
        target: &str,
        seq: u64,
        outcome: &crate::DeliveryOutcome,
    ) -> Result<(), StoreError> {
        let (sent, refused, error) = match outcome {
            crate::DeliveryOutcome::Sent => (1_i64, 0_i64, None),
            crate::DeliveryOutcome::Refused(reason) => (0, 1, Some(reason.as_str())),
        };
        // Only forward: a slower replica's late answer never moves the cursor back.
        sqlx::query(
            "INSERT INTO ces_deliveries (target, delivered, sent, refused, updated_at, last_error) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (target) DO UPDATE SET \
               delivered = CASE WHEN excluded.delivered > ces_deliveries.delivered \
                                THEN excluded.delivered ELSE ces_deliveries.delivered END, \
               sent = ces_deliveries.sent + excluded.sent, \
               refused = ces_deliveries.refused + excluded.refused, \
               updated_at = excluded.updated_at, \
               last_error = COALESCE(excluded.last_error, ces_deliveries.last_error)",
        )
        .bind(target)
        .bind(to_i64(seq)?)
        .bind(sent)
        .bind(refused)
        .bind(stored_now().as_microsecond())
        .bind(error)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub(crate) async fn ces_delivery_failed(
        &self,
        target: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ces_deliveries (target, failures, updated_at, last_error) \
             VALUES ($1, 1, $2, $3) \
             ON CONFLICT (target) DO UPDATE SET failures = ces_deliveries.failures + 1, \
               updated_at = excluded.updated_at, last_error = excluded.last_error",
        )
        .bind(target)
        .bind(stored_now().as_microsecond())
        .bind(error)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
