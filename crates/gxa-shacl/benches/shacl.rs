//! The per-document cost of the shapes check, with a validator built once (as `gxa-verify`
//! keeps it): the example Loire VM service offering alone (`gx-attest verify --shapes` of one
//! credential: `validate_standalone`), the four Loire examples together (`gx-attest validate`)
//! and the Tagus participant presentation.
//!
//! The inputs are the project's shared reference data (`shared/gaiax-data/`, next to the
//! repository folder), as in the crate's tests.

#![allow(
    clippy::expect_used,
    reason = "a benchmark with a broken fixture must stop"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use gxa_credential::Profile;
use gxa_shacl::Validator;
use serde_json::Value;

macro_rules! shared {
    ($rel:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/gaiax-data/",
            $rel
        ))
    };
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("bench input is JSON")
}

/// The Tagus fixtures carry proofs the shapes do not describe; the crate's tests drop them too.
fn strip_proofs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("proof");
            m.values_mut().for_each(strip_proofs);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_proofs),
        _ => {}
    }
}

fn bench(c: &mut Criterion) {
    let loire = Validator::new(Profile::Loire).expect("Loire shapes load");
    let tagus = Validator::new(Profile::Tagus).expect("Tagus shapes load");
    let offering = vec![parse(shared!(
        "examples-own/vm-service-offering.unsigned.json"
    ))];
    let four: Vec<Value> = [
        shared!("examples-own/legal-person.unsigned.json"),
        shared!("examples-own/vat-id-lrn.unsigned.json"),
        shared!("examples-own/issuer-tandc.unsigned.json"),
        shared!("examples-own/vm-service-offering.unsigned.json"),
    ]
    .into_iter()
    .map(parse)
    .collect();
    let mut participant = parse(shared!("tagus/gx-compliance-fixtures/participant-vp.json"));
    strip_proofs(&mut participant);
    let participant = vec![participant];

    let report = loire
        .validate_standalone(&offering)
        .expect("the offering validates");
    assert!(report.conforms, "{:#?}", report.violations);
    assert!(loire.validate(&four).expect("validates").conforms);
    assert!(tagus.validate(&participant).expect("validates").conforms);

    c.bench_function("loire/vm_service_offering_standalone", |b| {
        b.iter(|| {
            loire
                .validate_standalone(std::hint::black_box(&offering))
                .expect("validates")
        })
    });
    c.bench_function("loire/four_examples_together", |b| {
        b.iter(|| {
            loire
                .validate(std::hint::black_box(&four))
                .expect("validates")
        })
    });
    c.bench_function("tagus/participant_vp", |b| {
        b.iter(|| {
            tagus
                .validate(std::hint::black_box(&participant))
                .expect("validates")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
