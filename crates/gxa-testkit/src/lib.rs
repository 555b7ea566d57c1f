#![doc = include_str!("../README.md")]
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
#[cfg(feature = "tls")]
pub mod pki;
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
#[cfg(feature = "tls")]
pub mod trustlist;

/// Says `message` loudly on the process's standard error: libtest captures `eprintln!` of
/// passing tests, and a skip must be seen.
pub fn skipped(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Whether the tests run in CI (`CI` set), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}
