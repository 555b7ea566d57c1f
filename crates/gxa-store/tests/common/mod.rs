//! The test databases: every store test runs its body against SQLite and PostgreSQL.
//!
//! PostgreSQL comes from `GXA_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`);
//! each test gets a fresh database `gxa_test_…`, dropped at the end. Without the variable the
//! tests say so loudly and run on SQLite only, except when `CI` is set: then they fail.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a broken test database must stop the test"
)]

use std::sync::atomic::{AtomicU64, Ordering};

use gxa_store::{CredentialFormat, NewCredential, Store, StoreOptions};

/// Small pools: the tests run in parallel and open several replicas on one server.
const OPTIONS: StoreOptions = StoreOptions { max_connections: 4 };
use jiff::Timestamp;
use sqlx::Connection as _;

/// One backend's database for one test, with an open store.
pub(crate) struct TestDb {
    /// `sqlite` or `postgres`.
    pub(crate) name: &'static str,
    /// The URL the store was opened with; a second `Store::open(url)` is another replica.
    pub(crate) url: String,
    /// The store.
    pub(crate) store: Store,
    database: EmptyDb,
}

impl TestDb {
    /// Another replica: an independent `Store` (own pools) on the same database.
    pub(crate) async fn replica(&self) -> Store {
        Store::open_with(&self.url, &OPTIONS).await.unwrap()
    }

    /// Closes the store and drops the PostgreSQL database.
    pub(crate) async fn finish(self) {
        self.store.close().await;
        self.database.finish().await;
    }
}

/// One backend's database for one test, created but never opened (no tables): for tests of
/// migrations.
pub(crate) struct EmptyDb {
    /// `sqlite` or `postgres`.
    pub(crate) name: &'static str,
    /// Its URL.
    pub(crate) url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl EmptyDb {
    /// Drops the PostgreSQL database.
    pub(crate) async fn finish(mut self) {
        if let Some((admin_url, database)) = self.postgres.take() {
            drop_database(&admin_url, &database).await;
        }
    }
}

impl Drop for EmptyDb {
    /// A test that failed before `finish` still drops its PostgreSQL database.
    fn drop(&mut self) {
        if let Some((admin_url, database)) = self.postgres.take() {
            let cleanup = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(drop_database(&admin_url, &database));
            });
            let _ = cleanup.join();
        }
    }
}

async fn drop_database(admin_url: &str, database: &str) {
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "gxa_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `[sqlite, postgres]` stores, freshly migrated and empty.
pub(crate) async fn test_dbs() -> Vec<TestDb> {
    let mut dbs = Vec::new();
    for database in empty_dbs().await {
        let store = Store::open_with(&database.url, &OPTIONS).await.unwrap();
        dbs.push(TestDb {
            name: database.name,
            url: database.url.clone(),
            store,
            database,
        });
    }
    dbs
}

/// `[sqlite, postgres]` databases without tables.
pub(crate) async fn empty_dbs() -> Vec<EmptyDb> {
    let mut dbs = vec![sqlite()];
    match std::env::var("GXA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => dbs.push(postgres(&url).await),
        _ if std::env::var_os("CI").is_some() => {
            panic!("GXA_TEST_POSTGRES_URL is not set: in CI the PostgreSQL store tests must run")
        }
        _ => {
            // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "\n********\nSKIPPED: PostgreSQL tests need GXA_TEST_POSTGRES_URL \
                     (e.g. postgres://postgres@127.0.0.1:5432/test); the store tests ran on \
                     SQLite only\n********\n"
                );
            });
        }
    }
    dbs
}

fn sqlite() -> EmptyDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.sqlite3").display());
    EmptyDb {
        name: "sqlite",
        url,
        _dir: Some(dir),
        postgres: None,
    }
}

async fn postgres(admin_url: &str) -> EmptyDb {
    let database = unique_name();
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to GXA_TEST_POSTGRES_URL: {err}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    EmptyDb {
        name: "postgres",
        url: with_database(admin_url, &database),
        _dir: None,
        postgres: Some((admin_url.to_owned(), database)),
    }
}

/// `url` with its database name replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    format!("{scheme}://{authority}/{database}{query}")
}

/// Now, at the store's precision (microseconds).
pub(crate) fn now() -> Timestamp {
    Timestamp::from_microsecond(Timestamp::now().as_microsecond()).unwrap()
}

/// A credential with plausible fields and a body unique to `id`.
pub(crate) fn credential(id: &str, subject: &str, types: &[&str]) -> NewCredential {
    let now = now();
    NewCredential {
        id: id.to_owned(),
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        subject: subject.to_owned(),
        issuer: "did:web:issuer.example".to_owned(),
        profile: "gaia-x-tagus".to_owned(),
        format: CredentialFormat::LdJson,
        body: format!(r#"{{"id":"{id}","credentialSubject":{{"id":"{subject}"}}}}"#).into_bytes(),
        canonical_hash: Some("sha256:00".to_owned()),
        issued_at: now,
        valid_from: now,
        valid_until: Some(now + jiff::SignedDuration::from_hours(90 * 24)),
        status: None,
        evidence: None,
    }
}
