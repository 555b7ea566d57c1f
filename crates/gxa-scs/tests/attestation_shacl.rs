//! SHACL conformance of issued attestations (they must conform to their SHACL shape), in Rust
//! instead of the former pySHACL script.
//!
//! Attestations are built from the shared generated reports (the signed upload and the plain
//! report stream), signed in both profiles (Tagus: JsonWebSignature2020 in the Gaia-X flavour,
//! the signed JSON-LD validated with its proof; Loire: the credential inside the vc+jwt
//! payload), and validated with `gxa-shacl` against the pinned `contexts/scs/scs-shape.ttl`
//! and against the pinned Gaia-X shapes of the profile (which check the
//! `gx:StandardConformity` node a passing attestation carries). Negative cases must fail
//! naming the shape's property.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly on broken fixtures"
)]

use base64::Engine as _;
use gxa_credential::Profile;
use gxa_proof::{Algorithm, KeyPair, PinnedJsonLd, SignOptions, SignSuite, Signed};
use gxa_scs::{
    AllowedSigners, AttestationOptions, CheckedAtZone, Evaluation, Evaluator, Limits, Scope,
    attestation_document, attestation_id, verify_upload,
};
use gxa_shacl::{Report, Validator};
use jiff::Timestamp;
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/scs-data");
const SCS_SHAPE: &str = include_str!("../../../contexts/scs/scs-shape.ttl");
const AT: &str = "2026-11-25T12:00:00Z";
const ISSUER: &str = "did:web:attester.example.org";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap()
}

fn evaluator() -> Evaluator {
    let scopes = ["scs-compatible-iaas.yaml", "scs-compatible-kaas.yaml"]
        .map(|f| Scope::from_yaml(&read(&format!("standards/{f}")), Limits::default()).unwrap());
    Evaluator::new(scopes.to_vec(), CheckedAtZone::utc(), Limits::default())
}

/// Evaluations of the signed upload, and of the plain report stream.
fn evaluations() -> Vec<Vec<Evaluation>> {
    let at: Timestamp = AT.parse().unwrap();
    let signers =
        AllowedSigners::parse(&String::from_utf8(read("generated/allowed_signers")).unwrap())
            .unwrap();
    let upload = verify_upload(&read("generated/upload-body.txt"), &signers)
        .unwrap()
        .unwrap();
    let mut signed = evaluator();
    signed.add_upload(&upload).unwrap();
    let mut plain = evaluator();
    plain
        .add_report_file(&read("generated/reports-combined.yaml"))
        .unwrap();
    plain
        .add_report_file(&read("generated/report-iaas.yaml"))
        .unwrap();
    vec![signed.evaluate(at), plain.evaluate(at)]
}

fn unsigned(evaluation: &Evaluation, profile: Profile) -> Value {
    let at: Timestamp = AT.parse().unwrap();
    let mut options = AttestationOptions::new(profile, ISSUER, at);
    let scope = evaluation.scope.uuid.as_deref().unwrap();
    options.credential_id = Some(attestation_id(
        "urn:uuid:",
        &evaluation.subject,
        scope,
        profile,
        at,
    ));
    attestation_document(evaluation, &options)
}

/// The document as a verifier's SHACL step sees it: Tagus signed JSON-LD (proof included),
/// Loire the vc+jwt payload.
fn signed(doc: &Value, profile: Profile, key: &KeyPair) -> Value {
    let options = SignOptions {
        verification_method: Some(format!("{ISSUER}#k")),
        created: Some(AT.to_owned()),
        challenge: None,
        domain: None,
        strict_jsonld: true,
    };
    match profile {
        Profile::Tagus => {
            let mut doc = doc.clone();
            doc["@context"]
                .as_array_mut()
                .unwrap()
                .insert(1, gxa_contexts::urls::JWS_2020_V1.into());
            let Signed::Document(signed) = gxa_proof::sign(
                &doc,
                SignSuite::Jws2020GaiaX,
                key,
                &options,
                Some(&PinnedJsonLd),
            )
            .unwrap() else {
                panic!("jws2020 gives a document")
            };
            assert!(signed.get("proof").is_some());
            signed
        }
        Profile::Loire => {
            let Signed::Jwt(jwt) =
                gxa_proof::sign(doc, SignSuite::VcJwt, key, &options, Some(&PinnedJsonLd)).unwrap()
            else {
                panic!("vc-jwt gives a JWT")
            };
            let payload = jwt.split('.').nth(1).unwrap();
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap();
            let inner: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(&inner, doc, "the payload is the credential");
            inner
        }
    }
}

fn scs_validator(profile: Profile) -> Validator {
    Validator::with_shapes(profile, SCS_SHAPE, None).unwrap()
}

fn describe(report: &Report) -> String {
    report
        .violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn issued_attestations_conform_in_both_profiles() {
    let key = KeyPair::generate(Algorithm::EdDsa).unwrap();
    let mut passing_with_conformity = 0;
    for profile in [Profile::Tagus, Profile::Loire] {
        let scs = scs_validator(profile);
        let gaiax = Validator::new(profile).unwrap();
        for evaluations in evaluations() {
            assert_eq!(evaluations.len(), 2, "IaaS and KaaS subjects");
            for evaluation in &evaluations {
                let doc = signed(&unsigned(evaluation, profile), profile, &key);
                let report = scs.validate(std::slice::from_ref(&doc)).unwrap();
                assert!(
                    report.conforms,
                    "{profile:?} {}: {}",
                    evaluation.subject,
                    describe(&report)
                );
                let subject = &doc["credentialSubject"];
                if subject.get("gx:standardConformity").is_some() {
                    passing_with_conformity += 1;
                }
                let report = gaiax.validate(std::slice::from_ref(&doc)).unwrap();
                assert!(
                    report.conforms,
                    "{profile:?} Gaia-X shapes, {}: {}",
                    evaluation.subject,
                    describe(&report)
                );
            }
        }
    }
    // The KaaS subject passes: its attestation carries the gx:StandardConformity the Gaia-X
    // shapes checked above (in both profiles, for both inputs).
    assert_eq!(passing_with_conformity, 4);
}

/// The unsigned Loire attestation of the passing KaaS subject, to break.
fn kaas() -> Value {
    let evaluations = evaluations().remove(0);
    let kaas = evaluations
        .iter()
        .find(|e| e.subject == "example-k8s-1.35")
        .unwrap();
    unsigned(kaas, Profile::Loire)
}

fn violations_of(doc: &Value) -> Report {
    let report = scs_validator(Profile::Loire)
        .validate(std::slice::from_ref(doc))
        .unwrap();
    assert!(!report.conforms, "a broken attestation conformed");
    report
}

fn assert_names(report: &Report, property: &str, component: &str) {
    assert!(
        report.violations.iter().any(|v| {
            v.path.as_deref().is_some_and(|p| p.contains(property))
                && v.component.contains(component)
        }),
        "expected a {component} violation on {property}, got:\n{}",
        describe(report)
    );
}

#[test]
fn missing_verdict_is_named() {
    let mut doc = kaas();
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("verdict");
    assert_names(&violations_of(&doc), "scs/v1#verdict", "MinCount");
}

#[test]
fn unknown_verdict_is_named() {
    let mut doc = kaas();
    doc["credentialSubject"]["verdict"] = "passed".into();
    assert_names(&violations_of(&doc), "scs/v1#verdict", "In");
}

#[test]
fn bad_upload_digest_is_named() {
    let mut doc = kaas();
    doc["credentialSubject"]["uploads"][0]["uploadDigest"] = "sha256-not-base64".into();
    assert_names(&violations_of(&doc), "scs/v1#digestSRI", "Pattern");
}

#[test]
fn bad_signer_fingerprint_is_named() {
    let mut doc = kaas();
    doc["credentialSubject"]["uploads"][0]["signerKeyFingerprint"] = "MD5:00:11".into();
    assert_names(
        &violations_of(&doc),
        "scs/v1#signerKeyFingerprint",
        "Pattern",
    );
}

#[test]
fn bad_scope_uuid_is_named() {
    let mut doc = kaas();
    doc["credentialSubject"]["certificateScope"]["scopeUuid"] = "not-a-uuid".into();
    assert_names(&violations_of(&doc), "scs/v1#scopeUuid", "Pattern");
}

#[test]
fn bad_testcase_result_is_named() {
    let mut doc = kaas();
    doc["credentialSubject"]["testcaseResults"][0]["testResult"] = "ok".into();
    assert_names(&violations_of(&doc), "scs/v1#result", "In");
}
