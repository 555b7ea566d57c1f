//! Store benchmarks on SQLite with 100 000 credentials (copies of the example Tagus
//! LegalParticipant, 925 bytes): get by id, a listing page, and the insert
//! rate (one transaction per credential, as the service issues; and batched, as an import).
//!
//! `cargo bench -p gxa-store --bench store`. Set `GXA_BENCH_CREDENTIALS` to change the size, and
//! `GXA_BENCH_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`) to run the same on a
//! fresh PostgreSQL database as well.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "a benchmark whose store fails must stop"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gxa_store::{CredentialFilter, ListCursor, Store};
use jiff::Timestamp;

#[path = "support/copies.rs"]
mod copies;

use copies::Template;

/// The ids of the copies; `copies.rs` appends a zero-padded number.
const PREFIX: &str = "https://issuer.example/credentials/";

/// Copies of the example Tagus LegalParticipant (925 bytes), each with its own id.
fn template() -> Template {
    Template::parse(include_bytes!(
        "../../../examples/credentials/tagus-legal-participant.json"
    ))
    .unwrap()
}

/// A small deterministic generator for lookup keys (no `rand` dependency for a bench).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn bench_store(c: &mut Criterion) {
    let total: u64 = std::env::var("GXA_BENCH_CREDENTIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = rt.block_on(Store::open_data_dir(dir.path())).unwrap();
    run(c, &rt, &store, "SQLite", total);
    rt.block_on(store.close());

    // PostgreSQL only when asked: a fresh database on the server, dropped afterwards.
    if let Ok(admin_url) = std::env::var("GXA_BENCH_POSTGRES_URL") {
        let database = format!("gxa_bench_{}", std::process::id());
        let url = rt.block_on(create_database(&admin_url, &database));
        let store = rt.block_on(Store::open(&url)).unwrap();
        run(c, &rt, &store, "PostgreSQL", total);
        rt.block_on(store.close());
        rt.block_on(execute(
            &admin_url,
            format!("DROP DATABASE {database} WITH (FORCE)"),
        ));
    }
}

async fn execute(admin_url: &str, statement: String) {
    use sqlx::Connection as _;
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(&mut admin)
        .await
        .unwrap();
}

async fn create_database(admin_url: &str, database: &str) -> String {
    execute(admin_url, format!("CREATE DATABASE {database}")).await;
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{database}")
}

fn run(c: &mut Criterion, rt: &tokio::runtime::Runtime, store: &Store, backend: &str, total: u64) {
    let template = template();
    let credential = |n: u64| template.copy(PREFIX, n, Timestamp::now());
    // Fill: batches of 1000 in one transaction each.
    let start = Instant::now();
    let batch_size = 1000;
    for first in (0..total).step_by(batch_size as usize) {
        let batch: Vec<_> = (first..(first + batch_size).min(total))
            .map(credential)
            .collect();
        rt.block_on(store.import_credentials(&batch)).unwrap();
    }
    let elapsed = start.elapsed();
    eprintln!(
        "import ({backend}): {total} credentials in {:.1} s = {:.0} credentials/s \
         (batches of {batch_size})",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );

    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    c.bench_function(&format!("get_credential ({total}, {backend})"), |b| {
        b.iter(|| {
            let id = format!("{PREFIX}{:08}", rng.below(total));
            black_box(rt.block_on(store.get_credential(&id)).unwrap())
        })
    });

    // Cursors all over the table, as clients half-way through a listing send them.
    let all = CredentialFilter::default();
    let mut cursors: Vec<ListCursor> = Vec::new();
    let mut cursor = None;
    while let Some(next) = rt
        .block_on(store.list_credentials(&all, cursor, 1000))
        .unwrap()
        .next
    {
        cursors.push(next);
        cursor = Some(next);
    }
    c.bench_function(
        &format!("list_credentials page of 50 ({total}, {backend})"),
        |b| {
            b.iter(|| {
                let cursor = cursors[rng.below(cursors.len() as u64) as usize];
                let page = rt
                    .block_on(store.list_credentials(&all, Some(cursor), 50))
                    .unwrap();
                black_box(page)
            })
        },
    );

    let by_subject = CredentialFilter {
        subject: Some("bench-subject-7".into()),
        ..Default::default()
    };
    c.bench_function(
        &format!("list_credentials page of 50, by subject ({total}, {backend})"),
        |b| {
            b.iter(|| {
                black_box(
                    rt.block_on(store.list_credentials(&by_subject, None, 50))
                        .unwrap(),
                )
            })
        },
    );

    let mut next = total;
    c.bench_function(
        &format!("insert_credential, one transaction each ({backend})"),
        |b| {
            b.iter_custom(|iters| {
                let batch: Vec<_> = (next..next + iters).map(credential).collect();
                next += iters;
                let start = Instant::now();
                for new in &batch {
                    rt.block_on(store.insert_credential(new)).unwrap();
                }
                start.elapsed()
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench_store
}
criterion_main!(benches);
