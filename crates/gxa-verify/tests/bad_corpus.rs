//! The bad corpus (`tests/data/bad/`): every crafted credential and presentation
//! must make exactly the expected check fail (or error) with the expected reason, and nothing
//! else; the valid baselines must be valid. DID documents, x5u chains and status lists are
//! served over real TLS by a local server on `https://localhost:38443` (test CA, `localhost`
//! allowed by the fetcher's policy); every SSRF target is refused before any connection.
//!
//! Regenerate the corpus with `cargo run -p gxa-verify --example bad_corpus` (repo root).

#![allow(clippy::unwrap_used, reason = "test set-up")]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gxa_fetch::{FetchPolicy, Fetcher};
use gxa_testkit::{https, tls};
use gxa_verify::{
    ChainPolicy, CheckKind, Outcome, TrustAnchors, Verdict, Verifier, VerifierConfig, VerifyReport,
};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bad")
}

#[derive(Hash, PartialEq, Eq, Clone)]
struct ConfigKey {
    anchors: bool,
    require_ev: bool,
    challenge: Option<String>,
    domain: Option<String>,
    max_input_bytes: Option<usize>,
}

fn verifier(key: &ConfigKey, fetcher: &Fetcher, dir: &Path) -> Verifier {
    let mut config = VerifierConfig::offline();
    config.fetcher = Some(fetcher.clone());
    if key.anchors {
        config.trust_anchors =
            Some(TrustAnchors::from_path(&dir.join("keys/trust-anchor.pem")).unwrap());
    }
    config.chain_policy = ChainPolicy {
        require_ev: key.require_ev,
    };
    if let Some(n) = key.max_input_bytes {
        config.max_input_bytes = n;
    }
    Verifier::new(config)
        .unwrap()
        .expecting(key.challenge.as_deref(), key.domain.as_deref())
}

/// Every (path, check, outcome, reason) that failed or errored, anywhere in the report tree.
fn problems(report: &VerifyReport, path: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, String)>) {
    for c in &report.checks {
        if matches!(c.outcome, Outcome::Fail | Outcome::Error) {
            out.push((
                path.clone(),
                format!("{} {}: {}", c.check, c.outcome.name(), c.reason),
            ));
        }
    }
    for (i, child) in report.credentials.iter().enumerate() {
        path.push(i);
        problems(child, path, out);
        path.pop();
    }
}

fn at_path<'a>(report: &'a VerifyReport, path: &[usize]) -> Option<&'a VerifyReport> {
    match path.split_first() {
        None => Some(report),
        Some((i, rest)) => at_path(report.credentials.get(*i)?, rest),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_corpus_gives_exactly_the_expected_reasons() {
    let dir = corpus();
    let _server = https::start_files(
        &dir.join("www"),
        &dir.join("keys/tls-localhost.pem"),
        &dir.join("keys/tls-localhost.key.pem"),
        "127.0.0.1:38443",
    );
    let fetcher = Fetcher::new(FetchPolicy {
        allowed_hosts: vec!["localhost:38443".into()],
        extra_roots: tls::certs(&dir.join("keys/tls-ca.pem")),
        ..FetchPolicy::default()
    })
    .unwrap();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let at: jiff::Timestamp = manifest["at"].as_str().unwrap().parse().unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    let mut verifiers: HashMap<ConfigKey, Verifier> = HashMap::new();
    let mut mismatches = Vec::new();
    let mut bad = 0;
    let mut by_check: HashMap<String, usize> = HashMap::new();
    for e in entries {
        let id = e["id"].as_str().unwrap();
        let key = ConfigKey {
            anchors: e["anchors"].as_bool().unwrap_or(false),
            require_ev: e["require_ev"].as_bool().unwrap_or(false),
            challenge: e["challenge"].as_str().map(str::to_owned),
            domain: e["domain"].as_str().map(str::to_owned),
            max_input_bytes: e["max_input_bytes"].as_u64().map(|n| n as usize),
        };
        let v = verifiers
            .entry(key.clone())
            .or_insert_with(|| verifier(&key, &fetcher, &dir))
            .clone();
        let text = std::fs::read_to_string(dir.join(e["file"].as_str().unwrap())).unwrap();
        let report = v.verify(&text, at).await;
        let mut found = Vec::new();
        problems(&report, &mut Vec::new(), &mut found);
        let outcome = e["outcome"].as_str().unwrap();
        if outcome == "valid" {
            if report.verdict != Verdict::Valid {
                mismatches.push(format!("{id}: expected valid, got {found:?}"));
            }
            continue;
        }
        bad += 1;
        let check: CheckKind = e["check"].as_str().unwrap().parse().unwrap();
        *by_check.entry(check.name().to_owned()).or_default() += 1;
        let reason = e["reason"].as_str().unwrap();
        let path: Vec<usize> = e["path"]
            .as_array()
            .map(|a| a.iter().map(|i| i.as_u64().unwrap() as usize).collect())
            .unwrap_or_default();
        let expected_outcome = if outcome == "error" {
            Outcome::Error
        } else {
            Outcome::Fail
        };
        let expected_verdict = if outcome == "error" {
            Verdict::CouldNotCheck
        } else {
            Verdict::Invalid
        };
        let target = at_path(&report, &path).and_then(|r| r.check(check));
        let ok_target =
            target.is_some_and(|c| c.outcome == expected_outcome && c.reason.contains(reason));
        // Exactly one problem in the whole tree: the expected one.
        let ok_only = found.len() == 1 && found[0].0 == path;
        if !ok_target || !ok_only || report.verdict != expected_verdict {
            mismatches.push(format!(
                "{id}: expected {check} {outcome} containing {reason:?} at {path:?}; verdict {}, problems {found:?}",
                report.verdict.name()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} entries mismatch:\n{}",
        mismatches.len(),
        entries.len(),
        mismatches.join("\n")
    );
    assert!(bad >= 100, "only {bad} bad entries");
    for check in CheckKind::ALL {
        if check != CheckKind::Shapes {
            assert!(
                by_check.get(check.name()).copied().unwrap_or(0) >= 5,
                "too few entries for {check}: {by_check:?}"
            );
        }
    }
}
