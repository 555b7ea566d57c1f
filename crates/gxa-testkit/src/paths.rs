//! Where the test data lives.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `examples/` of the repository.
pub fn examples() -> PathBuf {
    repo().join("examples")
}
