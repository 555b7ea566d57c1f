//! Check 7 (shapes) through the verifier: the Gaia-X Loire shapes on the project's reference
//! credentials (`shared/gaiax-data/examples-own/`, linked, so validated together in one
//! presentation), conforming and broken, and the check skipped when not requested. The examples
//! are unsigned, so the proof check fails; the shapes check is reported on its own all the same.

#![allow(clippy::unwrap_used, reason = "test set-up")]

use gxa_verify::{CheckKind, Outcome, Verifier, VerifierConfig};
use serde_json::Value;

const OWN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/gaiax-data/examples-own/"
);

fn presentation() -> Value {
    let creds: Vec<Value> = [
        "legal-person",
        "vat-id-lrn",
        "issuer-tandc",
        "vm-service-offering",
    ]
    .iter()
    .map(|n| {
        let text = std::fs::read_to_string(format!("{OWN}{n}.unsigned.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
    .collect();
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": creds,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loire_shapes_pass_fail_and_skip() {
    let at: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let mut config = VerifierConfig::offline();
    config.shapes = true;
    let verifier = Verifier::new(config).unwrap();
    let good = presentation();
    let report = verifier.verify(&good.to_string(), at).await;
    let shapes = report.check(CheckKind::Shapes).unwrap();
    assert_eq!(shapes.outcome, Outcome::Pass, "{report}");
    assert!(shapes.reason.contains("Loire"), "{}", shapes.reason);
    // No proof: the proof check fails, independently of the shapes.
    assert_eq!(
        report.check(CheckKind::Proof).unwrap().outcome,
        Outcome::Fail
    );

    // A service offering without its provider violates a minimum count.
    let mut bad = good.clone();
    let subject = bad["verifiableCredential"][3]["credentialSubject"]
        .as_object_mut()
        .unwrap();
    let removed = ["gx:providedBy", "providedBy"]
        .iter()
        .filter_map(|k| subject.remove(*k))
        .count();
    assert_eq!(removed, 1, "the example names its provider");
    let report = verifier.verify(&bad.to_string(), at).await;
    let shapes = report.check(CheckKind::Shapes).unwrap();
    assert_eq!(shapes.outcome, Outcome::Fail, "{report}");
    assert!(shapes.reason.contains("providedBy"), "{}", shapes.reason);

    // Shapes off: skipped with the reason.
    let off = Verifier::new(VerifierConfig::offline()).unwrap();
    let report = off.verify(&good.to_string(), at).await;
    let shapes = report.check(CheckKind::Shapes).unwrap();
    assert_eq!(shapes.outcome, Outcome::Skipped);
    assert!(shapes.reason.contains("not requested"));
}

/// One credential received alone (a partner's change feed, `POST /verify` of one credential):
/// constraints on the nodes it links to (the provider, described by the legal-person
/// credential) cannot be decided and are named, not failed; its own statements still are
/// validated. In a presentation the same credential is held to everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_credential_alone_is_held_to_its_own_statements() {
    let at: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let mut config = VerifierConfig::offline();
    config.shapes = true;
    let verifier = Verifier::new(config).unwrap();
    let offering = presentation()["verifiableCredential"][3].clone();
    let provider = offering["credentialSubject"]
        .get("gx:providedBy")
        .or_else(|| offering["credentialSubject"].get("providedBy"))
        .and_then(|p| p.get("id").or_else(|| p.get("@id")).or(Some(p)))
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();

    let report = verifier.verify(&offering.to_string(), at).await;
    let shapes = report.check(CheckKind::Shapes).unwrap();
    assert_eq!(shapes.outcome, Outcome::Pass, "{report}");
    assert!(
        shapes.reason.contains("not checked alone"),
        "{}",
        shapes.reason
    );
    assert!(shapes.reason.contains(&provider), "{}", shapes.reason);

    // Its own missing property still fails.
    let mut broken = offering.clone();
    let subject = broken["credentialSubject"].as_object_mut().unwrap();
    assert!(subject.remove("gx:providedBy").is_some() || subject.remove("providedBy").is_some());
    let report = verifier.verify(&broken.to_string(), at).await;
    let shapes = report.check(CheckKind::Shapes).unwrap();
    assert_eq!(shapes.outcome, Outcome::Fail, "{report}");
    assert!(shapes.reason.contains("providedBy"), "{}", shapes.reason);

    // In a presentation without the provider's credential, the links must resolve.
    let alone = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [offering],
    });
    let report = verifier.verify(&alone.to_string(), at).await;
    let shapes = report.check(CheckKind::Shapes).unwrap();
    assert_eq!(shapes.outcome, Outcome::Fail, "{report}");
}
