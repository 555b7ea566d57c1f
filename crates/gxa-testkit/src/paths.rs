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

/// A path as a TOML basic string's content in a test configuration (forward slashes).
pub fn toml_path(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}
