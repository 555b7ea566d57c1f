//! `gx-attest scs evaluate`, `scs verify-upload` and `scs attest`: their CLI contract.

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

// `scs attest`: signed attestations in both profiles, checked with `gx-attest verify`.

const ISSUER: &str = "did:web:attester.example.org";

/// Runs a top-level `gx-attest` command (not under `scs`).
fn top(args: &[&str]) -> Output {
    gx_attest().args(args).output().unwrap()
}

/// A development key set for [`ISSUER`] made by `gx-attest keys generate`; returns the key set
/// directory and its `did.json`.
fn key_set(dir: &tempfile::TempDir, alg: &str) -> (String, String) {
    let keys = dir.path().join(alg);
    let out = top(&[
        "keys",
        "generate",
        "--alg",
        alg,
        "--did",
        ISSUER,
        "--out",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let did_json = keys.join("did.json").display().to_string();
    (keys.display().to_string(), did_json)
}

/// `scs attest` over the shared signed upload (IaaS and KaaS subjects) at [`AT`].
fn attest(extra: &[&str]) -> Output {
    let signers = data("generated/allowed_signers");
    let body = data("generated/upload-body.txt");
    let mut args = vec![
        "attest",
        "--scope",
        IAAS,
        "--scope",
        KAAS,
        "--at",
        AT,
        "--allowed-signers",
        &signers,
    ];
    args.extend_from_slice(extra);
    args.push(&body);
    run(&args)
}

/// `gx-attest verify` of `text` at [`AT`], resolving did:web from `did_json` if given.
fn verify_text(dir: &tempfile::TempDir, name: &str, text: &str, did_json: Option<&str>) -> Output {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["verify", "--at", AT];
    if let Some(did_json) = did_json {
        args.extend(["--did-document", did_json]);
    }
    args.push(path.to_str().unwrap());
    top(&args)
}

#[test]
fn attest_tagus_jws2020_gaiax_verifies_and_tampering_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, did_json) = key_set(&dir, "PS256");
    let out = attest(&["--key", &keys, "--issuer", ISSUER, "--profile", "tagus"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let docs: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2, "one attestation per subject");
    let (iaas, kaas) = (&docs[0], &docs[1]);
    for doc in &docs {
        assert_eq!(doc["@context"][0], "https://www.w3.org/2018/credentials/v1");
        assert_eq!(
            doc["@context"][1],
            "https://w3id.org/security/suites/jws-2020/v1"
        );
        assert_eq!(doc["issuer"], ISSUER);
        assert_eq!(doc["issuanceDate"], AT);
        let proof = &doc["proof"];
        assert_eq!(proof["type"], "JsonWebSignature2020");
        assert_eq!(proof["created"], AT);
        assert_eq!(proof["proofPurpose"], "assertionMethod");
        assert_eq!(proof["verificationMethod"], format!("{ISSUER}#ps256-dev"));
    }
    assert_eq!(iaas["credentialSubject"]["scsSubject"], "example-cloud");
    assert_eq!(iaas["credentialSubject"]["verdict"], "fail");
    assert_eq!(kaas["credentialSubject"]["scsSubject"], "example-k8s-1.35");
    assert_eq!(kaas["credentialSubject"]["verdict"], "pass");
    assert_eq!(kaas["expirationDate"], "2026-12-07T00:00:00Z");

    for (i, doc) in docs.iter().enumerate() {
        let text = doc.to_string();
        let out = verify_text(&dir, &format!("tagus-{i}.json"), &text, Some(&did_json));
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("JsonWebSignature2020 (jws2020-gaiax) PS256"),
            "{}",
            stdout(&out)
        );
        // The signed document, proof included, is strict JSON-LD (every term defined): what
        // SHACL validation of the credential's graph starts from.
        let path = dir.path().join(format!("tagus-{i}.json"));
        let out = top(&[
            "canonicalize",
            "--input-format",
            "jsonld",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains("<https://w3id.org/gx-attest/scs/v1#verdict>"));
    }

    // A failing verdict turned into a passing one: exit 1, the signature names the reason.
    let mut forged = iaas.clone();
    forged["credentialSubject"]["verdict"] = "pass".into();
    let out = verify_text(&dir, "forged.json", &forged.to_string(), Some(&did_json));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("signature does not verify"),
        "{}",
        stdout(&out)
    );
    // An extended validity is caught too.
    let mut forged = kaas.clone();
    forged["expirationDate"] = "2027-12-07T00:00:00Z".into();
    let out = verify_text(&dir, "later.json", &forged.to_string(), Some(&did_json));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn attest_tagus_w3c_jws2020_flavour() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, did_json) = key_set(&dir, "ES256");
    let out = attest(&[
        "--key",
        &keys,
        "--issuer",
        ISSUER,
        "--profile",
        "tagus",
        "--suite",
        "jws2020",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    for (i, line) in lines.iter().enumerate() {
        let out = verify_text(&dir, &format!("w3c-{i}.json"), line, Some(&did_json));
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("JsonWebSignature2020 (jws2020) ES256"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn attest_loire_vc_jwt_verifies_and_tampering_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, did_json) = key_set(&dir, "PS256");
    let out = attest(&["--key", &keys, "--issuer", ISSUER, "--profile", "loire"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let jwts: Vec<&str> = text.lines().collect();
    assert_eq!(jwts.len(), 2, "one compact JWT per subject, one per line");
    for (i, jwt) in jwts.iter().enumerate() {
        assert_eq!(jwt.split('.').count(), 3, "{jwt}");
        let out = verify_text(&dir, &format!("loire-{i}.jwt"), jwt, Some(&did_json));
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(
            stdout(&out).contains(&format!("vc+jwt PS256 by {ISSUER}#ps256-dev")),
            "{}",
            stdout(&out)
        );
        // Without the issuer's DID document the key cannot be found: could not check.
        let out = verify_text(&dir, &format!("loire-{i}.jwt"), jwt, None);
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    }
    // The KaaS (passing) payload under the IaaS header and signature: exit 1.
    let iaas: Vec<&str> = jwts[0].split('.').collect();
    let kaas: Vec<&str> = jwts[1].split('.').collect();
    let swapped = format!("{}.{}.{}", iaas[0], kaas[1], iaas[2]);
    let out = verify_text(&dir, "swapped.jwt", &swapped, Some(&did_json));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("invalid"), "{}", stdout(&out));
    // One flipped signature character: exit 1.
    let mut flipped = jwts[1].to_owned().into_bytes();
    let at = flipped.len() - 10;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let out = verify_text(&dir, "flipped.jwt", &flipped, Some(&did_json));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn attest_with_a_key_file_signs_as_its_did_jwk() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, _) = key_set(&dir, "EdDSA");
    let key = format!("{keys}/eddsa-dev.key.pem");
    for profile in ["tagus", "loire"] {
        // No --issuer: the key's did:jwk issues, and resolves offline.
        let out = attest(&["--key", &key, "--profile", profile]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        for (i, line) in stdout(&out).lines().enumerate() {
            let out = verify_text(&dir, &format!("{profile}-jwk-{i}"), line, None);
            assert_eq!(out.status.code(), Some(0), "{profile}: {}", stdout(&out));
            assert!(stdout(&out).contains("by did:jwk:"), "{}", stdout(&out));
        }
    }
    // Without --at: issued now, in whole seconds, and the proof's `created` is the same time.
    let out = run(&[
        "attest",
        "--scope",
        KAAS,
        "--key",
        &key,
        "--profile",
        "tagus",
        &data("generated/report-kaas.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let issued = doc["issuanceDate"].as_str().unwrap();
    assert_eq!(doc["proof"]["created"], issued);
    assert!(
        issued.len() == 20 && issued.ends_with('Z') && issued.parse::<jiff::Timestamp>().is_ok(),
        "{issued}"
    );
    let path = dir.path().join("now.json");
    std::fs::write(&path, stdout(&out)).unwrap();
    let out = top(&["verify", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn attest_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, _) = key_set(&dir, "EdDSA");
    let key = format!("{keys}/eddsa-dev.key.pem");
    let cases: [(&[&str], &str); 6] = [
        // A key file has no did:web method: which one must be said.
        (
            &["--key", &key, "--issuer", ISSUER, "--profile", "tagus"],
            "give --verification-method",
        ),
        // The key set's DID is not the issuer.
        (
            &[
                "--key",
                &keys,
                "--issuer",
                "did:web:other.example.org",
                "--profile",
                "loire",
            ],
            "is not the DID of the key's verification method",
        ),
        // A verification method of another DID.
        (
            &[
                "--key",
                &keys,
                "--issuer",
                ISSUER,
                "--verification-method",
                "did:web:other.example.org#k",
                "--profile",
                "tagus",
            ],
            "must be a DID URL of the issuer",
        ),
        // Loire is vc+jwt only.
        (
            &["--key", &keys, "--profile", "loire", "--suite", "jws2020"],
            "loire attestations are secured as vc+jwt",
        ),
        (
            &["--key", "/nonexistent/key.pem", "--profile", "tagus"],
            "cannot use key /nonexistent/key.pem",
        ),
        // Only the two Gaia-X profiles exist.
        (
            &["--key", &keys, "--profile", "gaia-x"],
            "invalid value 'gaia-x'",
        ),
    ];
    for (args, message) in cases {
        let out = attest(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Evaluation errors are the same as `scs evaluate`'s: a signed body needs the signers.
    let out = run(&[
        "attest",
        "--scope",
        IAAS,
        "--key",
        &keys,
        "--profile",
        "tagus",
        &data("generated/upload-body.txt"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--allowed-signers is required"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn attest_ids_are_deterministic_unique_and_prefixed() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, did_json) = key_set(&dir, "EdDSA");
    let ids = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["--key", keys.as_str(), "--profile", "loire"];
        args.extend_from_slice(extra);
        let out = attest(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|jwt| {
                let payload = jwt.split('.').nth(1).unwrap();
                let bytes = base64_url_decode(payload);
                let doc: Value = serde_json::from_slice(&bytes).unwrap();
                doc["id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let first = ids(&[]);
    assert_eq!(first.len(), 2);
    for id in &first {
        assert!(id.starts_with("urn:uuid:"), "{id}");
        // A version-8 UUID: 8-4-4-4-12 hex digits, version nibble 8.
        let uuid = &id["urn:uuid:".len()..];
        let groups: Vec<&str> = uuid.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(groups[2].starts_with('8'), "{uuid}");
    }
    assert_ne!(first[0], first[1], "one id per subject and scope");
    assert_eq!(ids(&[]), first, "same inputs and --at: same ids");
    let prefixed = ids(&["--id", "https://provider.example/credentials/"]);
    for (id, urn) in prefixed.iter().zip(&first) {
        assert_eq!(
            id.strip_prefix("https://provider.example/credentials/"),
            urn.strip_prefix("urn:uuid:"),
        );
    }
    // The id is signed: the attestation still verifies.
    let out = attest(&[
        "--key",
        &keys,
        "--profile",
        "loire",
        "--id",
        "https://provider.example/credentials/",
    ]);
    let jwt = stdout(&out).lines().next().unwrap().to_owned();
    let out = verify_text(&dir, "prefixed.jwt", &jwt, Some(&did_json));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Not a prefix of a URN or URL.
    let out = attest(&["--key", &keys, "--profile", "loire", "--id", "no prefix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("neither a URN nor a URL prefix"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn attest_id_changes_with_the_issuance_time() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, _) = key_set(&dir, "EdDSA");
    let signers = data("generated/allowed_signers");
    let body = data("generated/upload-body.txt");
    let id_at = |at: &str| -> String {
        let out = run(&[
            "attest",
            "--scope",
            IAAS,
            "--scope",
            KAAS,
            "--at",
            at,
            "--allowed-signers",
            &signers,
            "--key",
            &keys,
            "--profile",
            "tagus",
            &body,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
        doc["id"].as_str().unwrap().to_owned()
    };
    assert_ne!(id_at(AT), id_at("2026-11-25T12:00:01Z"));
}

fn base64_url_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}
