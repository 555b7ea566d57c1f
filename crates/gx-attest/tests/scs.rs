//! `gx-attest scs evaluate` and `gx-attest scs verify-upload`: the CLI contract of issue 4.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use super::gx_attest;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/scs-data");
const IAAS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/scs-data/standards/scs-compatible-iaas.yaml"
);
const KAAS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/scs-data/standards/scs-compatible-kaas.yaml"
);
const AT: &str = "2026-11-25T12:00:00Z";

fn data(path: &str) -> String {
    format!("{DATA}/{path}")
}

fn run(args: &[&str]) -> Output {
    gx_attest().arg("scs").args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn tampered_body(dir: &tempfile::TempDir) -> PathBuf {
    let mut body = std::fs::read(data("generated/upload-body.txt")).unwrap();
    let last = body.len() - 2;
    body[last] ^= 0x01;
    let path = dir.path().join("tampered.txt");
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn evaluate_signed_upload_as_json() {
    let body = data("generated/upload-body.txt");
    let signers = data("generated/allowed_signers");
    let out = run(&[
        "evaluate",
        "--scope",
        IAAS,
        "--scope",
        KAAS,
        "--at",
        AT,
        "--json",
        "--allowed-signers",
        &signers,
        &body,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let (iaas, kaas) = (&lines[0], &lines[1]);
    assert_eq!(iaas["subject"], "example-cloud");
    assert_eq!(
        iaas["scope"]["uuid"],
        "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f"
    );
    assert_eq!(iaas["scope"]["name"], "SCS-compatible IaaS");
    assert_eq!(iaas["best_passed"], Value::Null);
    let v51 = &iaas["versions"][1];
    assert_eq!(v51["version"], "v5.1");
    assert_eq!(v51["state"], "effective");
    assert_eq!(v51["verdict"], "fail");
    assert_eq!(v51["valid_until"], Value::Null);
    assert_eq!(
        v51["testcases"]["scs-0102-prop-provided_until"]["result"],
        "fail"
    );
    assert_eq!(v51["testcases"]["scs-0116-permissions"]["result"], "abort");
    assert_eq!(
        v51["testcases"]["scs-0100-syntax-check"]["checked_at"],
        "2026-11-25T02:17:36.64018Z"
    );
    assert_eq!(kaas["subject"], "example-k8s-1.35");
    assert_eq!(kaas["best_passed"], "v1");
    assert_eq!(kaas["checked_at_zone"], "UTC");
    let v1 = &kaas["versions"][0];
    assert_eq!(v1["verdict"], "pass");
    assert_eq!(v1["valid_until"], "2026-12-07T00:00:00Z");
    assert_eq!(
        v1["testcases"]["cncf-k8s-conformance"]["expires_at"],
        "2028-01-01T00:00:00Z"
    );
}

#[test]
fn evaluate_prints_a_table() {
    let out = run(&[
        "evaluate",
        "--scope",
        IAAS,
        "--at",
        AT,
        "--checked-at-zone",
        "Europe/Berlin",
        &data("generated/report-iaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("example-cloud: SCS-compatible IaaS"),
        "{text}"
    );
    assert!(text.contains("read as Europe/Berlin"), "{text}");
    assert!(text.contains("v5.1       effective   fail"), "{text}");
    assert!(text.contains("best passed: none"), "{text}");
    assert!(text.contains("scs-0102-prop-provided_until"), "{text}");
    assert!(text.contains("scs-0116-permissions"), "{text}");
}

#[test]
fn evaluate_legacy_and_multi_document_inputs() {
    let out = run(&[
        "evaluate",
        "--scope",
        KAAS,
        "--scope",
        IAAS,
        "--at",
        AT,
        "--json",
        &data("generated/reports-combined.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn evaluate_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let signed = data("generated/upload-body.txt");
    let signers = data("generated/allowed_signers");
    // A signed body needs --allowed-signers.
    let out = run(&["evaluate", "--scope", IAAS, "--scope", KAAS, &signed]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--allowed-signers is required"),
        "{}",
        stderr(&out)
    );
    // A tampered body does not verify.
    let tampered = tampered_body(&dir);
    let out = run(&[
        "evaluate",
        "--scope",
        IAAS,
        "--scope",
        KAAS,
        "--allowed-signers",
        &signers,
        tampered.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("signature not valid"),
        "{}",
        stderr(&out)
    );
    // A report for a scope that was not given.
    let out = run(&[
        "evaluate",
        "--scope",
        IAAS,
        &data("generated/report-kaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown scope uuid"),
        "{}",
        stderr(&out)
    );
    // Malformed YAML.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "spec: {uuid: [\n").unwrap();
    let out = run(&["evaluate", "--scope", IAAS, bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("malformed"), "{}", stderr(&out));
    // The size limit is configurable.
    let out = run(&[
        "evaluate",
        "--scope",
        KAAS,
        "--max-yaml-bytes",
        "1000",
        &data("generated/report-kaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("over the limit of 1000 bytes"),
        "{}",
        stderr(&out)
    );
    // An unknown zone, a bad --at.
    let out = run(&[
        "evaluate",
        "--scope",
        KAAS,
        "--checked-at-zone",
        "Mars/Base",
        &data("generated/report-kaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Mars/Base"), "{}", stderr(&out));
    let out = run(&[
        "evaluate",
        "--scope",
        KAAS,
        "--at",
        "tomorrow",
        &data("generated/report-kaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn verify_upload_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let body = data("generated/upload-body.txt");
    let signers = data("generated/allowed_signers");
    let out = run(&["verify-upload", "--allowed-signers", &signers, &body]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("valid:") && text.contains("SHA256:") && text.contains("sha256-"));
    assert!(text.contains("mail@csp.eu"), "{text}");
    // Tampered: 1.
    let tampered = tampered_body(&dir);
    let out = run(&[
        "verify-upload",
        "--allowed-signers",
        &signers,
        tampered.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("does not verify"), "{}", stdout(&out));
    // Unknown signer: 1.
    let other = dir.path().join("other_signers");
    std::fs::write(
        &other,
        "x@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ5OKfM2Lx6c6pN1aH4Lq4Ix0Uu1rZ2jwGmGQmH6vQx\n",
    )
    .unwrap();
    let out = run(&[
        "verify-upload",
        "--allowed-signers",
        other.to_str().unwrap(),
        &body,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not in the allowed signers"),
        "{}",
        stdout(&out)
    );
    // Malformed body or signers file: 2.
    let out = run(&[
        "verify-upload",
        "--allowed-signers",
        &signers,
        &data("generated/report-kaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a signed upload"),
        "{}",
        stderr(&out)
    );
    let out = run(&["verify-upload", "--allowed-signers", &body, &body]);
    assert_eq!(out.status.code(), Some(2));
}
