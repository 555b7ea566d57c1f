//! `gx-attest sign`, `verify` and `keys`: the CLI contract and its exit codes
//! (0 valid / success, 1 invalid, 2 could not check / error).

#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::path::Path;
use std::process::Output;

use super::gx_attest;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/");

fn run(args: &[&str]) -> Output {
    gx_attest().args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

const CREDENTIAL: &str = r#"{
  "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
  "id": "urn:uuid:0c2b8f1e-6f2e-4c55-9d1e-2f8c3b7a9e10",
  "type": ["VerifiableCredential"],
  "issuer": "did:web:localhost%3A8443",
  "issuanceDate": "2024-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:subject"}
}"#;

const CREDENTIAL_V2: &str = r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "id": "urn:uuid:5f0c7a1e-2b7d-4a0b-8b8e-2e9f1c4d6a70",
  "type": ["VerifiableCredential"],
  "issuer": "did:web:localhost%3A8443",
  "validFrom": "2024-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:example:subject"}
}"#;

#[test]
fn keys_generate_sign_verify_every_suite() {
    let tmp = tempfile::tempdir().unwrap();
    let did = "did:web:localhost%3A8443";
    for (alg, suites) in [
        ("PS256", vec!["jws2020", "jws2020-gaiax", "vc-jwt"]),
        ("EdDSA", vec!["jws2020", "eddsa-rdfc-2022", "vc-jwt"]),
        ("ES256", vec!["jws2020", "ecdsa-rdfc-2019", "vc-jwt"]),
        ("ES384", vec!["ecdsa-rdfc-2019"]),
    ] {
        let dir = tmp.path().join(alg);
        let out = run(&[
            "keys",
            "generate",
            "--alg",
            alg,
            "--did",
            did,
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout(&out).contains("DEVELOPMENT"));
        let did_doc = dir.join("did.json").display().to_string();
        let key_dir = dir.display().to_string();
        for suite in suites {
            let input = if suite.contains("rdfc") {
                CREDENTIAL_V2
            } else {
                CREDENTIAL
            };
            let file = write(tmp.path(), "in.json", input);
            // The key set directory signs with its did:web method.
            let out = run(&["sign", "--key", &key_dir, "--suite", suite, &file]);
            assert_eq!(
                code(&out),
                0,
                "{alg} {suite}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let signed = write(tmp.path(), "signed.json", &stdout(&out));
            let out = run(&[
                "verify",
                "--did-document",
                &did_doc,
                "--at",
                "2025-01-01T00:00:00Z",
                &signed,
            ]);
            assert_eq!(code(&out), 0, "{alg} {suite}: {}", stdout(&out));
            assert!(stdout(&out).starts_with("valid"));
            // Without the DID document: could not check.
            let out = run(&["verify", &signed]);
            assert_eq!(code(&out), 2, "{alg} {suite}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("did:web:localhost%3A8443"));
        }
    }
}

#[test]
fn sign_with_a_key_file_uses_did_jwk_and_verifies_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "keys",
        "generate",
        "--alg",
        "EdDSA",
        "--did",
        "did:web:example.com",
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0);
    let key = tmp.path().join("eddsa-dev.key.pem").display().to_string();
    let file = write(tmp.path(), "in.json", CREDENTIAL);
    let out = run(&[
        "sign",
        "--key",
        &key,
        "--suite",
        "jws2020",
        "--created",
        "2024-01-02T03:04:05Z",
        &file,
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let signed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(signed["proof"]["created"], "2024-01-02T03:04:05Z");
    let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
    assert!(vm.starts_with("did:jwk:") && vm.ends_with("#0"), "{vm}");
    // The credential names a did:web issuer but the did:jwk key signed it: the signature is
    // good, the key does not belong to the issuer (the verification method check).
    let signed_file = write(tmp.path(), "signed.json", &stdout(&out));
    let out = run(&["verify", "--json", &signed_file]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["proofs"][0]["valid"], true);
    assert_eq!(report["checks"][2]["check"], "verification_method");
    assert!(
        report["checks"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("is not the issuer"),
        "{report}"
    );
    // Issued by the key's own did:jwk: valid, with the flavour that matched.
    let mut own = serde_json::from_str::<serde_json::Value>(CREDENTIAL).unwrap();
    own["issuer"] = serde_json::json!(vm.trim_end_matches("#0"));
    let own_file = write(tmp.path(), "own.json", &own.to_string());
    let out = run(&[
        "sign",
        "--key",
        &key,
        "--suite",
        "jws2020",
        "--created",
        "2024-01-02T03:04:05Z",
        &own_file,
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let own_signed = write(tmp.path(), "own-signed.json", &stdout(&out));
    let out = run(&["verify", "--json", &own_signed]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["verdict"], "valid");
    assert_eq!(report["proofs"][0]["flavour"], "jws2020");
    // Tampered: exit 1, the reason on standard output.
    let mut doc = signed.clone();
    doc["credentialSubject"]["id"] = serde_json::json!("did:example:mallory");
    let bad = write(tmp.path(), "bad.json", &doc.to_string());
    let out = run(&["verify", &bad]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("signature does not verify"),
        "{}",
        stdout(&out)
    );
    // vc-jwt to standard output, verified from standard input.
    let out = run(&["sign", "--key", &key, "--suite", "vc-jwt", &file]);
    assert_eq!(code(&out), 0);
    let jwt = stdout(&out);
    assert_eq!(jwt.trim().split('.').count(), 3);
    let mut child = gx_attest()
        .args(["verify", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), jwt.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    // The credential's issuer is a did:web, the key a did:jwk: invalid, with that reason.
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("issuer mismatch"), "{}", stdout(&out));
}

#[test]
fn transmute_presentation_challenge() {
    let vp = format!("{SHARED}conformance/jws2020/transmute-interop/verifiablePresentation.json");
    let out = run(&["verify", "--challenge", "123", &vp]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = run(&["verify", "--challenge", "999", &vp]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("challenge"));
}

#[test]
fn verify_never_panics_on_garbage() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, input) in [
        "",
        "{",
        "null",
        "x",
        "a.b.c",
        "{\"proof\":{}}",
        "eyJhbGciOiJub25lIn0.e30.",
    ]
    .iter()
    .enumerate()
    {
        let file = write(tmp.path(), &format!("g{i}.json"), input);
        let out = run(&["verify", &file]);
        assert!(matches!(code(&out), 1 | 2), "{input:?}: {}", code(&out));
    }
    let out = run(&[
        "sign",
        "--key",
        "/nonexistent",
        "--suite",
        "jws2020",
        "/nonexistent",
    ]);
    assert_eq!(code(&out), 2);
    let out = run(&["verify", "--at", "yesterday", "/nonexistent"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn keys_example_signs_and_its_did_document_verifies() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../keys.example");
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["keys", "did-document", dir]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let did_doc = write(tmp.path(), "did.json", &stdout(&out));
    let file = write(tmp.path(), "in.json", CREDENTIAL);
    let out = run(&["sign", "--key", dir, "--suite", "jws2020-gaiax", &file]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let signed = write(tmp.path(), "signed.json", &stdout(&out));
    let out = run(&[
        "verify",
        "--did-document",
        &did_doc,
        "--at",
        "2025-01-01T00:00:00Z",
        &signed,
    ]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("jws2020-gaiax"), "{}", stdout(&out));
    assert!(stdout(&out).contains("PS256"), "{}", stdout(&out));
}
