//! Sign and verify per suite on a typical ~50-quad credential, plus the raw
//! signature cost of each algorithm for comparison. Run:
//! `cargo bench -p gxa-proof --bench proof -- --warm-up-time 1 --measurement-time 3`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark code"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use gxa_proof::{
    Algorithm, Canonicalizer, KeyPair, PinnedJsonLd, Resolver, SignOptions, SignSuite, Signed,
    Signer, VerifyOptions, sign, verify, verify_document,
};
use serde_json::{Map, Value, json};

/// A credential of about 50 quads (credentials v1 + jws-2020 + an inline `@vocab`, as Gaia-X
/// Tagus credentials are built, or v2 + examples v2).
fn credential(v2: bool) -> Value {
    let mut subject = Map::new();
    subject.insert("id".into(), json!("did:example:subject"));
    for i in 0..42 {
        subject.insert(format!("property{i}"), json!(format!("value number {i}")));
    }
    let mut doc = if v2 {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "validFrom": "2024-01-01T00:00:00Z",
        })
    } else {
        json!({
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/security/suites/jws-2020/v1",
                {"@vocab": "https://example.org/vocab#"}
            ],
            "issuanceDate": "2024-01-01T00:00:00Z",
        })
    };
    doc["id"] = json!("urn:uuid:3b1f5c0e-7a43-4c8e-9d2a-4f7e3c2b1a00");
    doc["type"] = json!(["VerifiableCredential", "ExampleCredential"]);
    doc["issuer"] = json!("did:example:issuer");
    doc["credentialSubject"] = Value::Object(subject);
    doc
}

fn bench(c: &mut Criterion) {
    let quads = PinnedJsonLd
        .canonicalize(&credential(false))
        .unwrap()
        .lines()
        .count();
    eprintln!(
        "credential v1: {quads} quads; v2: {} quads",
        PinnedJsonLd
            .canonicalize(&credential(true))
            .unwrap()
            .lines()
            .count()
    );

    let keys = [
        ("EdDSA", KeyPair::generate(Algorithm::EdDsa).unwrap()),
        ("ES256", KeyPair::generate(Algorithm::Es256).unwrap()),
        ("PS256", KeyPair::generate(Algorithm::Ps256).unwrap()),
    ];
    let resolver = Resolver::new();
    let mut vopts = VerifyOptions::new(&resolver);
    vopts.canonicalizer = Some(&PinnedJsonLd);
    let sopts = SignOptions {
        created: Some("2024-01-01T00:00:00Z".into()),
        ..SignOptions::default()
    };

    let mut group = c.benchmark_group("raw");
    for (name, key) in &keys {
        let msg = [7u8; 121];
        group.bench_function(format!("{name}/sign"), |b| {
            b.iter(|| key.sign(black_box(&msg)).unwrap())
        });
        let sig = key.sign(&msg).unwrap();
        let public = key.public_key().clone();
        let alg = key.algorithm();
        group.bench_function(format!("{name}/verify"), |b| {
            b.iter(|| public.verify(alg, black_box(&msg), &sig).unwrap())
        });
    }
    group.finish();

    let cases: Vec<(SignSuite, &str, usize, bool)> = vec![
        (SignSuite::Jws2020, "jws2020", 0, false),
        (SignSuite::Jws2020, "jws2020", 1, false),
        (SignSuite::Jws2020, "jws2020", 2, false),
        (SignSuite::Jws2020GaiaX, "jws2020-gaiax", 2, false),
        (SignSuite::EddsaRdfc2022, "eddsa-rdfc-2022", 0, true),
        (SignSuite::EcdsaRdfc2019, "ecdsa-rdfc-2019", 1, true),
        (SignSuite::VcJwt, "vc-jwt", 0, true),
        (SignSuite::VcJwt, "vc-jwt", 1, true),
        (SignSuite::VcJwt, "vc-jwt", 2, true),
    ];
    let mut group = c.benchmark_group("suite");
    for (suite, name, k, v2) in cases {
        let (alg, key) = &keys[k];
        let doc = credential(v2);
        group.bench_function(format!("{name}/{alg}/sign"), |b| {
            b.iter(|| sign(black_box(&doc), suite, key, &sopts, Some(&PinnedJsonLd)).unwrap())
        });
        match sign(&doc, suite, key, &sopts, Some(&PinnedJsonLd)).unwrap() {
            Signed::Document(signed) => {
                assert!(verify_document(&signed, &vopts).unwrap().is_valid());
                group.bench_function(format!("{name}/{alg}/verify"), |b| {
                    b.iter(|| verify_document(black_box(&signed), &vopts).unwrap())
                });
            }
            Signed::Jwt(jwt) => {
                assert!(verify(&jwt, &vopts).unwrap().proofs[0].is_valid());
                group.bench_function(format!("{name}/{alg}/verify"), |b| {
                    b.iter(|| verify(black_box(&jwt), &vopts).unwrap())
                });
            }
        }
    }
    group.finish();

    let mut group = c.benchmark_group("canonicalize");
    let doc = credential(false);
    group.bench_function("jsonld+rdfc/v1-50quads", |b| {
        b.iter(|| PinnedJsonLd.canonicalize(black_box(&doc)).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
