//! The PostgreSQL backend, for several service replicas on one database.
//!
//! Every transaction that appends to the change log first takes the transaction-scoped advisory
//! lock [`LOG_LOCK`]. The next sequence number is read after the lock is held, and the lock is
//! released only after the commit is visible, so sequence order is commit order: a reader of
//! `changes(after)` can never see entry `n + 1` before entry `n` has committed. Lease times come
//! from the database clock, so replicas with skewed clocks still agree on expiry.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Transaction};

use crate::StoreError;

type Db = sqlx::Postgres;
type Backend = PostgresBackend;

/// The advisory lock key of the change log ("gxa" + 1, an arbitrary constant shared by all
/// replicas; it only has to differ from other users' keys in the same database).
const LOG_LOCK: i64 = 7_271_101;

/// Listing pages are read row by row: rows arrive on the connection's own task, and building
/// the page as JSON on the server (`json_agg`) measured slower (see `sqlite.rs`).
const PAGE_AS_JSON: Option<(&str, &str)> = None;

/// The migrations of `migrations/postgres/`, embedded.
fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr as _;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            "initial".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0001_initial.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            "slots".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0002_slots.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            "partners".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0003_partners.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            "credential bodies".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0004_credential_bodies.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            5,
            "ces".into(),
            MigrationType::Simple,
            include_str!("../migrations/postgres/0005_ces.sql").into_sql_str(),
            false,
        ),
    ])
}

/// A PostgreSQL database.
#[derive(Clone, Debug)]
pub(crate) struct PostgresBackend {
    pool: Pool<Db>,
}

impl PostgresBackend {
    /// Connects to `url` (`postgres://…`) and migrates the database (sqlx serialises concurrent
    /// migrations of several replicas with an advisory lock of its own).
    pub(crate) async fn open(url: &str, connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .connect(url)
            .await?;
        migrator().run(&pool).await?;
        Ok(Self { pool })
    }

    fn reader(&self) -> &Pool<Db> {
        &self.pool
    }

    fn writer(&self) -> &Pool<Db> {
        &self.pool
    }

    /// Starts a write transaction holding the change log lock (see the module docs).
    async fn begin_write(&self) -> Result<Transaction<'static, Db>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(LOG_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Now, for leases: the database clock, shared by all replicas.
    async fn lease_clock(&self) -> Result<i64, StoreError> {
        let now: i64 =
            sqlx::query_scalar("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")
                .fetch_one(&self.pool)
                .await?;
        Ok(now)
    }

    /// Closes the pool.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

include!("ops.rs");
include!("partner_ops.rs");
include!("ces_ops.rs");
