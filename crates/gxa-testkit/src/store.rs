//! Test databases: a SQLite store in a tempdir and a PostgreSQL database of its own.
//!
//! PostgreSQL comes from `GXA_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`);
//! each test gets a fresh database `gxa_test_…`, dropped at the end (also when the test fails).
//! Without the variable the tests say so loudly and run on SQLite only, except when `CI` is
//! set: then they fail.

use std::sync::atomic::{AtomicU64, Ordering};

use gxa_store::{CredentialFormat, NewCredential, Store, StoreOptions};
use jiff::Timestamp;
use sqlx::Connection as _;

/// Small pools: the tests run in parallel and open several replicas on one server.
const OPTIONS: StoreOptions = StoreOptions { max_connections: 4 };

/// `GXA_TEST_POSTGRES_URL`, or `None` after saying that `what` (e.g. "PostgreSQL store tests")
/// is SKIPPED and what ran `instead`; panics when `CI` is set.
pub fn postgres_admin_url(what: &str, instead: &str) -> Option<String> {
    match std::env::var("GXA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if crate::in_ci() => {
            panic!("GXA_TEST_POSTGRES_URL is not set: in CI the {what} must run")
        }
        _ => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                crate::skipped(&format!(
                    "\n********\nSKIPPED: the {what} need GXA_TEST_POSTGRES_URL \
                     (e.g. postgres://postgres@127.0.0.1:5432/test); {instead}\n********\n"
                ));
            });
            None
        }
    }
}

/// A PostgreSQL database of one test, created on the server of an admin URL; dropped by
/// [`PgDatabase::finish`], or when dropped (a test that failed before `finish`).
pub struct PgDatabase {
    /// Its URL.
    pub url: String,
    admin: Option<(String, String)>,
}

impl PgDatabase {
    /// Creates a fresh database `<prefix>_<pid>_<nanos>_<n>` on the server of `admin_url`.
    pub async fn create(admin_url: &str, prefix: &str) -> Self {
        Self::create_named(admin_url, &unique_name(prefix)).await
    }

    /// Creates the database `name` on the server of `admin_url`, dropping any earlier one of
    /// that name first.
    pub async fn create_named(admin_url: &str, name: &str) -> Self {
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|err| panic!("cannot connect to GXA_TEST_POSTGRES_URL: {err}"));
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        Self {
            url: with_database(admin_url, name),
            admin: Some((admin_url.to_owned(), name.to_owned())),
        }
    }

    /// Drops the database.
    pub async fn finish(mut self) {
        if let Some((admin_url, name)) = self.admin.take() {
            drop_database(&admin_url, &name).await;
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.admin.take() {
            // On a thread of its own: the test may be inside a runtime, or have none.
            let cleanup = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(drop_database(&admin_url, &name));
            });
            let _ = cleanup.join();
        }
    }
}

async fn drop_database(admin_url: &str, name: &str) {
    let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await else {
        return;
    };
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    format!("{scheme}://{authority}/{database}{query}")
}

/// A SQLite database URL in a fresh tempdir (the file is not created yet).
pub fn sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.sqlite3").display());
    (dir, url)
}

/// One backend's database for one test, with an open store.
pub struct TestDb {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// The URL the store was opened with; a second `Store::open(url)` is another replica.
    pub url: String,
    /// The store.
    pub store: Store,
    database: EmptyDb,
}

impl TestDb {
    /// Another replica: an independent `Store` (own pools) on the same database.
    pub async fn replica(&self) -> Store {
        Store::open_with(&self.url, &OPTIONS).await.unwrap()
    }

    /// Closes the store and drops the PostgreSQL database.
    pub async fn finish(self) {
        self.store.close().await;
        self.database.finish().await;
    }
}

/// One backend's database for one test, created but never opened (no tables): for tests of
/// migrations.
pub struct EmptyDb {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<PgDatabase>,
}

impl EmptyDb {
    /// Drops the PostgreSQL database.
    pub async fn finish(mut self) {
        if let Some(database) = self.postgres.take() {
            database.finish().await;
        }
    }
}

/// `[sqlite, postgres]` stores, freshly migrated and empty.
pub async fn test_dbs() -> Vec<TestDb> {
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
pub async fn empty_dbs() -> Vec<EmptyDb> {
    let (dir, url) = sqlite();
    let mut dbs = vec![EmptyDb {
        name: "sqlite",
        url,
        _dir: Some(dir),
        postgres: None,
    }];
    if let Some(admin_url) = postgres_admin_url(
        "PostgreSQL store tests",
        "the store tests ran on SQLite only",
    ) {
        let database = PgDatabase::create(&admin_url, "gxa_test").await;
        dbs.push(EmptyDb {
            name: "postgres",
            url: database.url.clone(),
            _dir: None,
            postgres: Some(database),
        });
    }
    dbs
}

/// Now, at the store's precision (microseconds).
pub fn now() -> Timestamp {
    Timestamp::from_microsecond(Timestamp::now().as_microsecond()).unwrap()
}

/// A credential with plausible fields and a body unique to `id`.
pub fn credential(id: &str, subject: &str, types: &[&str]) -> NewCredential {
    let now = now();
    NewCredential {
        id: id.to_owned(),
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        subject: subject.to_owned(),
        issuer: "did:web:issuer.example".to_owned(),
        profile: "gaia-x-tagus".to_owned(),
        format: CredentialFormat::JsonLd,
        body: format!(r#"{{"id":"{id}","credentialSubject":{{"id":"{subject}"}}}}"#).into_bytes(),
        canonical_hash: Some("sha256:00".to_owned()),
        issued_at: now,
        valid_from: now,
        valid_until: Some(now + jiff::SignedDuration::from_hours(90 * 24)),
        status: None,
        evidence: None,
    }
}
