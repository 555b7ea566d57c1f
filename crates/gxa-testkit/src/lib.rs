//! What the workspace's tests share, in one place (`publish = false`, only ever a
//! dev-dependency):
//!
//! - [`store`] (feature `store`): a temporary SQLite store in a tempdir and a temporary
//!   PostgreSQL database from `GXA_TEST_POSTGRES_URL`, dropped at the end;
//! - [`service`] (feature `service`): the real `gxa-service` router over a real issuer and store,
//!   on both backends;
//! - [`tls`] and [`https`] (feature `tls`): a throw-away test CA with a `localhost` certificate,
//!   and a small HTTPS server on loopback (real TLS, no mock client);
//! - [`reports`]: signed SCS reports as the SCS test runner makes them (`ssh-keygen`);
//! - [`http`]: a plain HTTP/1.1 client (the requests curl sends) and free ports;
//! - [`process`]: a child process (`gx-attest serve`) killed when dropped;
//! - [`report`]: reading verification reports (JSON);
//! - [`services`]: the running inventory test services (`tests/services/up.sh up`);
//! - [`paths`]: the repository and its `examples/`;
//! - [`shared`]: the shared reference data beside the checkout (see README, Set up).
//!
//! A test that needs something the machine does not have (PostgreSQL, the inventory services)
//! says `SKIPPED` on the process's standard error and passes; when `CI` is set it fails
//! instead, so CI never passes without it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a broken fixture must stop the test"
)]

pub mod http;
#[cfg(feature = "tls")]
pub mod https;
pub mod paths;
pub mod process;
pub mod report;
pub mod reports;
#[cfg(feature = "service")]
pub mod service;
pub mod services;
pub mod shared;
#[cfg(feature = "store")]
pub mod store;
#[cfg(feature = "tls")]
pub mod tls;

/// Says `message` loudly on the process's standard error: libtest captures `eprintln!` of
/// passing tests, and a skip must be seen.
pub(crate) fn skipped(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Whether the tests run in CI (`CI` set), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}
