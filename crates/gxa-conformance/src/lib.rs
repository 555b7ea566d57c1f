#![doc = include_str!("../README.md")]

pub mod generate;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The folder of the shared conformance corpora.
pub fn shared_conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}

/// The outcome of one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Pass,
    /// It failed, with what differed.
    Fail(String),
    /// It was not run, with the reason (e.g. a JSON-LD 1.0-only test).
    Skip(String),
}

/// The outcomes of one manifest, by test id.
#[derive(Debug, Default)]
pub struct Report {
    /// Outcome per test id, in manifest order of ids.
    pub outcomes: BTreeMap<String, Outcome>,
}

impl Report {
    /// Records an outcome.
    pub fn record(&mut self, id: &str, outcome: Outcome) {
        self.outcomes.insert(id.to_owned(), outcome);
    }

    /// Counts (passed, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for outcome in self.outcomes.values() {
            match outcome {
                Outcome::Pass => counts.0 += 1,
                Outcome::Fail(_) => counts.1 += 1,
                Outcome::Skip(_) => counts.2 += 1,
            }
        }
        counts
    }

    /// Checks the report against the known failures (`id → reason`): every failure must be
    /// known, every known failure must still fail. Returns a description of each discrepancy.
    pub fn check(&self, known_failures: &[(&str, &str)]) -> Result<(), Discrepancies> {
        let mut problems = String::new();
        for (id, outcome) in &self.outcomes {
            let known = known_failures.iter().any(|(k, _)| k == id);
            match outcome {
                Outcome::Fail(why) if !known => {
                    let _ = writeln!(problems, "FAILED {id}: {why}");
                }
                Outcome::Pass if known => {
                    let _ = writeln!(problems, "PASSES but listed as a known failure: {id}");
                }
                _ => {}
            }
        }
        for (id, _) in known_failures {
            if !self.outcomes.contains_key(*id) {
                let _ = writeln!(
                    problems,
                    "listed as a known failure but not in the manifest: {id}"
                );
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Discrepancies(problems))
        }
    }

    /// A one-line summary, `N passed, N failed, N skipped`.
    pub fn summary(&self) -> String {
        let (p, f, s) = self.counts();
        format!("{p} passed, {f} failed, {s} skipped")
    }
}

/// The report disagrees with the known failures: one line per discrepancy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Discrepancies(pub String);

/// A manifest that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The manifest.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{path}: {source}")]
    Json {
        /// The manifest.
        path: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// No `entries` or `sequence` array.
    #[error("{0}: no entries")]
    NoEntries(String),
}

/// Reads a manifest's `entries` (or `sequence`) array.
pub fn manifest_entries(path: &Path) -> Result<Vec<serde_json::Value>, ManifestError> {
    let shown = || path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
        path: shown(),
        source,
    })?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ManifestError::Json {
            path: shown(),
            source,
        })?;
    manifest
        .get("entries")
        .or_else(|| manifest.get("sequence"))
        .and_then(serde_json::Value::as_array)
        .cloned()
        .ok_or_else(|| ManifestError::NoEntries(shown()))
}

/// A string field of a manifest entry.
pub fn field<'a>(entry: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    entry.get(name).and_then(serde_json::Value::as_str)
}

/// Compares two N-Quads documents as sets of lines; returns a diff when they differ.
pub fn diff_lines(expected: &str, actual: &str) -> Option<String> {
    let mut e: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut a: Vec<&str> = actual.lines().filter(|l| !l.trim().is_empty()).collect();
    e.sort_unstable();
    a.sort_unstable();
    if e == a {
        return None;
    }
    let mut out = String::new();
    for line in &e {
        if !a.contains(line) {
            let _ = writeln!(out, "  - {line}");
        }
    }
    for line in &a {
        if !e.contains(line) {
            let _ = writeln!(out, "  + {line}");
        }
    }
    Some(out)
}

/// The base URL under which the JSON-LD API test suite's files refer to each other.
pub const JSON_LD_TESTS_BASE: &str = "https://w3c.github.io/json-ld-api/tests/";

/// Serves the JSON-LD API suite's own files (contexts referenced by tests) under
/// [`JSON_LD_TESTS_BASE`], for `gxa_jsonld::Processor::with_documents`.
pub struct JsonLdSuiteFiles {
    /// The suite's `tests/` folder.
    pub dir: PathBuf,
}

impl gxa_jsonld::DocumentSource for JsonLdSuiteFiles {
    fn document(&self, url: &str) -> Option<String> {
        let path = url.strip_prefix(JSON_LD_TESTS_BASE)?;
        if path.contains("..") {
            return None;
        }
        std::fs::read_to_string(self.dir.join(path)).ok()
    }
}
