//! The SQLite backend: one database file, WAL mode, a single writer connection per `Store`.
//!
//! Writers serialise with `BEGIN IMMEDIATE`, which takes SQLite's write lock when the transaction
//! starts, so two `Store`s on one file (two processes) also take turns; the busy timeout makes the
//! second one wait instead of failing. Readers use a separate read-only pool and never block the
//! writer (WAL). `synchronous = FULL`: a committed issuance survives a power loss, not only a
//! crash of the process.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Transaction};

use crate::StoreError;

type Db = sqlx::Sqlite;
type Backend = SqliteBackend;

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The migrations of `migrations/sqlite/`, embedded.
fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr as _;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    Migrator::with_migrations(vec![Migration::new(
        1,
        "initial".into(),
        MigrationType::Simple,
        include_str!("../migrations/sqlite/0001_initial.sql").into_sql_str(),
        false,
    )])
}

/// A SQLite database.
#[derive(Clone, Debug)]
pub(crate) struct SqliteBackend {
    read: Pool<Db>,
    write: Pool<Db>,
}

impl SqliteBackend {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite:path`) and
    /// migrates it.
    pub(crate) async fn open(url: &str, readers: u32) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        migrator().run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(readers)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { read, write })
    }

    fn reader(&self) -> &Pool<Db> {
        &self.read
    }

    fn writer(&self) -> &Pool<Db> {
        &self.write
    }

    /// Starts a write transaction holding the database's write lock, so that the change log's
    /// next sequence number cannot be taken by anyone else until this transaction ends.
    async fn begin_write(&self) -> Result<Transaction<'static, Db>, StoreError> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Now, for leases: the local clock (every process using the file runs on this machine).
    async fn lease_clock(&self) -> Result<i64, StoreError> {
        Ok(jiff::Timestamp::now().as_microsecond())
    }

    /// Closes the pools.
    pub(crate) async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

include!("ops.rs");
