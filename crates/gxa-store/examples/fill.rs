//! Fills a store with copies of one credential, for load tests at scale (the same store filled
//! with 1,000,000 credentials, `benches/load/run.sh` with `FILL`). Not part of the product: the service issues credentials
//! one by one; this writes them the way an import would, in batches of one transaction each, and
//! prints the import rate.
//!
//! ```text
//! cargo run --release -p gxa-store --example fill -- STORE TEMPLATE ID_PREFIX COUNT
//! ```
//!
//! - `STORE`: a data directory (SQLite, as `gx-attest serve --data`) or a `postgres://` URL.
//! - `TEMPLATE`: a JSON-LD credential (e.g. one fetched from the running service); each copy is
//!   its bytes with the `id` replaced by `ID_PREFIX` + a zero-padded number, stored under one of
//!   1000 subjects `bench-subject-N`, so listings by subject have something to find.
//! - `COUNT`: how many to add. Copies are numbered from 0, so a second run needs a fresh prefix
//!   (a taken id fails the batch: the store refuses to overwrite a credential).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool for benchmarks"
)]

use std::process::ExitCode;
use std::time::Instant;

use gxa_store::Store;
use jiff::Timestamp;

#[path = "../benches/support/copies.rs"]
mod copies;

use copies::Template;

async fn fill(store: &str, template: &str, prefix: &str, count: u64) -> Result<(), String> {
    let bytes = std::fs::read(template).map_err(|e| format!("{template}: {e}"))?;
    let template = Template::parse(&bytes)?;
    eprintln!(
        "template {} ({} bytes), issuer {}",
        template.id,
        bytes.len(),
        template.issuer
    );
    let store = if store.starts_with("postgres://") || store.starts_with("postgresql://") {
        Store::open(store).await
    } else {
        Store::open_data_dir(std::path::Path::new(store)).await
    }
    .map_err(|e| format!("{store}: {e}"))?;

    const BATCH: u64 = 1000;
    let start = Instant::now();
    let now = Timestamp::now();
    let mut first = 0;
    while first < count {
        let batch: Vec<_> = (first..(first + BATCH).min(count))
            .map(|n| template.copy(prefix, n, now))
            .collect();
        store
            .import_credentials(&batch)
            .await
            .map_err(|e| format!("import at {first}: {e}"))?;
        first += BATCH;
        if first % 100_000 == 0 {
            eprintln!(
                "{first} credentials, {:.0} s",
                start.elapsed().as_secs_f64()
            );
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "imported {count} credentials of {} bytes in {elapsed:.1} s = {:.0} credentials/s \
         (batches of {BATCH})",
        bytes.len(),
        count as f64 / elapsed
    );
    store.close().await;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [store, template, prefix, count] = args.as_slice() else {
        eprintln!("usage: fill STORE TEMPLATE ID_PREFIX COUNT");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<u64>() else {
        eprintln!("COUNT must be a number, not {count:?}");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(fill(store, template, prefix, count)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fill: {e}");
            ExitCode::FAILURE
        }
    }
}
