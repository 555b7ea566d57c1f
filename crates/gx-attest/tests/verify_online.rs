//! `gx-attest verify` with the issue-7 flags: `--online` against a local https server (test CA
//! through `--ca`, `localhost:38443` exempted with `--allow-host`) serving the bad corpus's DID
//! documents, x5u chains and status lists; `--trust-anchors`, `--require-ev`, `--json`.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;

use gxa_testkit::https;
use gxa_testkit::report::{CHECKS, check};
use serde_json::Value;

use super::gx_attest;

const AT: &str = "2026-06-01T00:00:00Z";

fn corpus() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/bad"))
}

/// The corpus server, started once per test process on the port the corpus names.
fn server() {
    static SERVER: OnceLock<https::FileServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = corpus();
        https::start_files(
            &dir.join("www"),
            &dir.join("keys/tls-localhost.pem"),
            &dir.join("keys/tls-localhost.key.pem"),
            "127.0.0.1:38443",
        )
    });
}

fn case(name: &str) -> String {
    corpus().join(format!("cases/{name}")).display().to_string()
}

fn path(rel: &str) -> String {
    corpus().join(rel).display().to_string()
}

/// `gx-attest verify --online` with the test CA, the corpus host allowed and the corpus time
/// (the server started).
fn online_verify() -> std::process::Command {
    server();
    let mut command = gx_attest();
    command
        .args(["verify", "--online", "--ca"])
        .arg(path("keys/tls-ca.pem"))
        .args(["--allow-host", "localhost:38443", "--at", AT]);
    command
}

/// `verify --online --json` with the test CA and the corpus host allowed, plus `extra`.
fn online(extra: &[&str], file: &str) -> (i32, Value, String) {
    parse(
        online_verify()
            .arg("--json")
            .args(extra)
            .arg(file)
            .output()
            .unwrap(),
    )
}

fn parse(out: Output) -> (i32, Value, String) {
    let code = out.status.code().unwrap_or(-1);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        code,
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn online_resolves_did_web_and_status_list() {
    let (code, report, err) = online(&[], &case("valid-status.json"));
    assert_eq!(code, 0, "{report:#} {err}");
    assert_eq!(report["verdict"], "valid");
    assert_eq!(check(&report, "verification_method")["outcome"], "pass");
    assert_eq!(check(&report, "status")["outcome"], "pass");
    assert_eq!(check(&report, "certificate_chain")["outcome"], "skipped");
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(names, CHECKS);
    // Revoked: invalid, exit 1, the reason in the report.
    let (code, report, _) = online(&[], &case("status-revoked.json"));
    assert_eq!(code, 1);
    assert_eq!(check(&report, "status")["outcome"], "fail");
    assert!(
        check(&report, "status")["reason"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
}

#[test]
fn trust_anchors_and_ev() {
    let anchors = path("keys/trust-anchor.pem");
    let (code, report, err) = online(
        &["--trust-anchors", &anchors, "--require-ev"],
        &case("valid-chain-ev.jwt"),
    );
    assert_eq!(code, 0, "{report:#} {err}");
    assert_eq!(check(&report, "certificate_chain")["outcome"], "pass");
    let (code, report, _) = online(
        &["--trust-anchors", &anchors],
        &case("chain-expired-leaf.json"),
    );
    assert_eq!(code, 1);
    assert_eq!(check(&report, "certificate_chain")["outcome"], "fail");
    let (code, report, _) = online(
        &["--trust-anchors", &anchors, "--require-ev"],
        &case("chain-not-ev.json"),
    );
    assert_eq!(code, 1);
    assert!(
        check(&report, "certificate_chain")["reason"]
            .as_str()
            .unwrap()
            .contains("EV")
    );
    // The same credential without --require-ev is valid.
    let (code, _, _) = online(&["--trust-anchors", &anchors], &case("chain-not-ev.json"));
    assert_eq!(code, 0);
}

#[test]
fn the_address_guard_holds_without_allow_host() {
    server();
    let ca = path("keys/tls-ca.pem");
    let out = gx_attest()
        .args(["verify", "--online", "--ca", &ca, "--at", AT, "--json"])
        .arg(case("valid-di.json"))
        .output()
        .unwrap();
    let (code, report, _) = parse(out);
    assert_eq!(code, 1, "{report:#}");
    let vm = check(&report, "verification_method");
    assert_eq!(vm["outcome"], "fail");
    assert!(vm["reason"].as_str().unwrap().contains("localhost"), "{vm}");
}

#[test]
fn offline_and_fetch_errors_are_could_not_check() {
    // Offline: the did:web cannot be resolved: exit 2, the DID on standard error.
    let out = gx_attest()
        .args(["verify", "--at", AT, &case("valid-di.json")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did:web:localhost%3A38443:issuer"));
    // Offline with the DID document given: valid, the status list not fetched (skipped).
    let out = gx_attest()
        .args(["verify", "--at", AT, "--json", "--did-document"])
        .arg(path("www/issuer/did.json"))
        .arg(case("valid-status.json"))
        .output()
        .unwrap();
    let (code, report, err) = parse(out);
    assert_eq!(code, 0, "{report:#} {err}");
    assert_eq!(check(&report, "status")["outcome"], "skipped");
    // Online, DID document 404: could not check.
    let (code, report, _) = online(&[], &case("vm-did-404.json"));
    assert_eq!(code, 2);
    assert_eq!(report["verdict"], "could_not_check");
}

#[test]
fn flags_need_online() {
    let out = gx_attest()
        .args(["verify", "--allow-host", "localhost", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `gx-attest verify FILE...`: the bad corpus as batches, each line checked against the
/// manifest (verdict and deciding check), in argument order; exit 0 only for a batch of valid
/// files, 1 with an invalid one, 2 with one that could not be checked or read; `--json` gives
/// one report per line with its file.
#[test]
fn batch_verify_reports_each_file_in_order() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("manifest.json")).unwrap())
            .unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    let plain = |e: &&Value| {
        [
            "challenge",
            "domain",
            "path",
            "max_input_bytes",
            "require_ev",
        ]
        .iter()
        .all(|k| e.get(*k).is_none())
    };
    let expected = |e: &Value| -> (String, String) {
        let verdict = match e["outcome"].as_str().unwrap() {
            "valid" => "valid",
            "fail" => "invalid",
            _ => "could-not-check",
        };
        let check = e["check"].as_str().filter(|c| !c.is_empty()).unwrap_or("-");
        (verdict.to_owned(), check.to_owned())
    };
    let anchors = path("keys/trust-anchor.pem");
    let run = |extra: &[&str], files: &[String]| {
        online_verify().args(extra).args(files).output().unwrap()
    };
    for with_anchors in [false, true] {
        let batch: Vec<&Value> = entries
            .iter()
            .filter(plain)
            .filter(|e| e.get("anchors").is_some() == with_anchors)
            .collect();
        let files: Vec<String> = batch
            .iter()
            .map(|e| path(e["file"].as_str().unwrap()))
            .collect();
        let extra: &[&str] = if with_anchors {
            &["--trust-anchors", &anchors]
        } else {
            &[]
        };
        let out = run(extra, &files);
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), batch.len(), "{text}");
        for ((entry, file), line) in batch.iter().zip(&files).zip(&lines) {
            let (verdict, check) = expected(entry);
            assert_eq!(
                *line,
                format!("{verdict}  {file}  {check}"),
                "{}",
                entry["id"]
            );
        }
        let unchecked = batch.iter().any(|e| e["outcome"] == "error");
        assert_eq!(
            out.status.code(),
            Some(if unchecked { 2 } else { 1 }),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{} files: ", batch.len())));
    }

    // Only valid files: exit 0. As JSON lines, each report names its file.
    let valid: Vec<String> = entries
        .iter()
        .filter(plain)
        .filter(|e| e["outcome"] == "valid" && e.get("anchors").is_none())
        .map(|e| path(e["file"].as_str().unwrap()))
        .collect();
    assert!(valid.len() >= 5);
    let out = run(&["--json", "--jobs", "3"], &valid);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for (line, file) in text.lines().zip(&valid) {
        let report: Value = serde_json::from_str(line).unwrap();
        assert_eq!(report["file"], file.as_str());
        assert_eq!(report["verdict"], "valid");
    }
    assert_eq!(text.lines().count(), valid.len());

    // A file that cannot be read is a line of its own, not the end of the batch.
    let missing = path("cases/no-such-file.json");
    let files = [valid[0].clone(), missing.clone(), valid[1].clone()];
    let out = run(&[], &files);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            format!("valid  {}  -", valid[0]),
            format!("could-not-check  {missing}  read"),
            format!("valid  {}  -", valid[1]),
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the file"));
}
