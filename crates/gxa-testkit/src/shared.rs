//! The shared reference data beside the checkout (conformance suites, SCS and Gaia-X data; see
//! README, Set up).

use std::path::PathBuf;

use serde_json::Value;

/// `rel` inside the shared test data.
pub fn path(rel: &str) -> PathBuf {
    crate::paths::repo().join("../shared").join(rel)
}

/// A shared file's bytes.
pub fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A shared file's text.
pub fn read(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A shared JSON file.
pub fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}
