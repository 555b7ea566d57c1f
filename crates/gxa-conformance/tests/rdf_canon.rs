//! The W3C RDF Dataset Canonicalization test suite, run from its manifest
//! (`rdf-canon/tests/manifest.jsonld` in the shared reference data, see README, Set up): eval,
//! map and negative tests.

use gxa_conformance::{
    Outcome, Report, diff_lines, field, manifest_entries, shared_conformance_dir,
};
use gxa_rdf::{CanonicalizeOptions, HashAlgorithm, canonicalize, parse_nquads};

/// Every test passes; nothing is listed.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn run_entry(dir: &std::path::Path, entry: &serde_json::Value) -> Outcome {
    let kind = field(entry, "type").unwrap_or("");
    let action = field(entry, "action").unwrap_or("");
    let input = match std::fs::read_to_string(dir.join(action)) {
        Ok(text) => text,
        Err(e) => return Outcome::Fail(format!("cannot read {action}: {e}")),
    };
    let dataset = match parse_nquads(&input) {
        Ok(ds) => ds,
        Err(e) => return Outcome::Fail(format!("parse error: {e}")),
    };
    let hash = match field(entry, "hashAlgorithm") {
        Some("SHA384") => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha256,
    };
    let options = CanonicalizeOptions {
        hash,
        ..CanonicalizeOptions::default()
    };
    let started = std::time::Instant::now();
    let result = canonicalize(&dataset, &options);
    match kind {
        "rdfc:RDFC10NegativeEvalTest" => match result {
            Err(_) if started.elapsed().as_millis() < 100 => Outcome::Pass,
            Err(e) => Outcome::Fail(format!(
                "refused, but only after {:?}: {e}",
                started.elapsed()
            )),
            Ok(_) => Outcome::Fail("a poison graph was canonicalized instead of refused".into()),
        },
        "rdfc:RDFC10EvalTest" | "rdfc:RDFC10MapTest" => {
            let canonical = match result {
                Ok(c) => c,
                Err(e) => return Outcome::Fail(format!("error: {e}")),
            };
            let expected_file = field(entry, "result").unwrap_or("");
            let expected = match std::fs::read_to_string(dir.join(expected_file)) {
                Ok(text) => text,
                Err(e) => return Outcome::Fail(format!("cannot read {expected_file}: {e}")),
            };
            if kind == "rdfc:RDFC10EvalTest" {
                if canonical.nquads == expected {
                    Outcome::Pass
                } else {
                    Outcome::Fail(
                        diff_lines(&expected, &canonical.nquads)
                            .unwrap_or_else(|| "line order differs".into()),
                    )
                }
            } else {
                let expected: std::collections::BTreeMap<String, String> =
                    match serde_json::from_str(&expected) {
                        Ok(map) => map,
                        Err(e) => return Outcome::Fail(format!("bad map file: {e}")),
                    };
                if expected == canonical.issued {
                    Outcome::Pass
                } else {
                    Outcome::Fail(format!(
                        "map differs: expected {expected:?}, got {:?}",
                        canonical.issued
                    ))
                }
            }
        }
        other => Outcome::Fail(format!("unknown test type {other}")),
    }
}

#[test]
fn rdf_canon_manifest() {
    let dir = shared_conformance_dir().join("rdf-canon/tests");
    let entries = manifest_entries(&dir.join("manifest.jsonld")).unwrap();
    assert_eq!(entries.len(), 86, "the rdf-canon manifest has 86 tests");
    let mut report = Report::default();
    for entry in &entries {
        let id = field(entry, "id").unwrap_or("?");
        report.record(id, run_entry(&dir, entry));
    }
    println!("rdf-canon: {}", report.summary());
    if let Err(problems) = report.check(KNOWN_FAILURES) {
        panic!("rdf-canon: {}\n{problems}", report.summary());
    }
    assert_eq!(report.counts(), (86, 0, 0));
}
