//! Upgrading a store in place: a database written by an earlier release (migrations 0001–0003,
//! credential bodies inside `credentials`) is opened by this one, which moves the bodies to
//! `credential_bodies` (0004). Nothing stored may be lost or changed on the way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use gxa_store::{CredentialFilter, Sha256Digest, Store};
use gxa_testkit::store::empty_dbs;
use sqlx::SqlSafeStr as _;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// The migrations of the previous release, with the same text (sqlx compares checksums).
fn previous_release(backend: &str) -> Migrator {
    let texts: [(&str, &str); 3] = match backend {
        "sqlite" => [
            (
                "initial",
                include_str!("../migrations/sqlite/0001_initial.sql"),
            ),
            ("slots", include_str!("../migrations/sqlite/0002_slots.sql")),
            (
                "partners",
                include_str!("../migrations/sqlite/0003_partners.sql"),
            ),
        ],
        _ => [
            (
                "initial",
                include_str!("../migrations/postgres/0001_initial.sql"),
            ),
            (
                "slots",
                include_str!("../migrations/postgres/0002_slots.sql"),
            ),
            (
                "partners",
                include_str!("../migrations/postgres/0003_partners.sql"),
            ),
        ],
    };
    Migrator::with_migrations(
        texts
            .into_iter()
            .zip(1..)
            .map(|((name, sql), version)| {
                Migration::new(
                    version,
                    name.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// Bodies as an earlier release stored them: a JSON credential, a 20 KB one (overflow pages on
/// SQLite, TOAST on PostgreSQL) and bytes that are not UTF-8.
fn bodies() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "urn:old:1".to_owned(),
            br#"{"id":"urn:old:1","credentialSubject":{"id":"did:web:a"}}"#.to_vec(),
        ),
        (
            "urn:old:2".to_owned(),
            format!(r#"{{"id":"urn:old:2","pad":"{}"}}"#, "x".repeat(20_000)).into_bytes(),
        ),
        ("urn:old:3".to_owned(), vec![0xff, 0x00, 0xfe, b'.', 0x80]),
    ]
}

const INSERT_OLD: &str = "INSERT INTO credentials (id, types, subject, issuer, profile, format, \
     body, body_sha256, issued_at, valid_from) \
     VALUES ($1, '[\"VerifiableCredential\"]', 's', 'did:web:issuer.example', 'tagus', \
     'ld+json', $2, $3, 1000000, 1000000)";

async fn write_previous_release(backend: &str, url: &str) {
    let bodies = bodies();
    macro_rules! fill {
        ($conn:expr) => {{
            let conn = $conn;
            previous_release(backend).run(&mut *conn).await.unwrap();
            for (id, body) in &bodies {
                sqlx::query(INSERT_OLD)
                    .bind(id)
                    .bind(body.as_slice())
                    .bind(Sha256Digest::of(body).as_bytes().as_slice())
                    .execute(&mut *conn)
                    .await
                    .unwrap();
            }
        }};
    }
    use sqlx::Connection as _;
    if backend == "sqlite" {
        let options = url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .unwrap()
            .create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        fill!(&mut conn);
        conn.close().await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        fill!(&mut conn);
        conn.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_move_to_their_own_table_without_loss() {
    for db in empty_dbs().await {
        write_previous_release(db.name, &db.url).await;

        let store = Store::open(&db.url).await.unwrap();
        for (id, body) in bodies() {
            let stored = store.get_credential(&id).await.unwrap();
            assert_eq!(stored.body, body, "{}: {id}", db.name);
            assert_eq!(stored.body_sha256, Sha256Digest::of(&body));
        }
        let listed = store
            .list_credentials(&CredentialFilter::default(), None, 10)
            .await
            .unwrap();
        let ids: Vec<_> = listed.items.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["urn:old:1", "urn:old:2", "urn:old:3"], "{}", db.name);

        // The moved bodies are as immutable as they were, and the column is gone.
        use sqlx::Connection as _;
        for statement in [
            "UPDATE credential_bodies SET body = body",
            "DELETE FROM credential_bodies",
            "UPDATE credentials SET types = types",
            "SELECT body FROM credentials",
        ] {
            let refused = if db.name == "sqlite" {
                let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement).execute(&mut conn).await.is_err()
            } else {
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement).execute(&mut conn).await.is_err()
            };
            assert!(refused, "{}: {statement} was allowed", db.name);
        }

        // A second open finds nothing to migrate.
        store.close().await;
        let again = Store::open(&db.url).await.unwrap();
        assert_eq!(
            again.get_credential("urn:old:2").await.unwrap().body,
            bodies()[1].1
        );
        again.close().await;
        db.finish().await;
    }
}
