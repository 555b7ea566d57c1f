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
