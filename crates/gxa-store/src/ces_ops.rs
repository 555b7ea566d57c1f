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
