//! JSON-LD credential text → canonical N-Quads, on the fast path and on the library path.
//!
//! The input, `benches/data/credential.json`, is a typical Gaia-X Tagus service-offering
//! credential (the same as `gxa-rdf`'s bench): contexts credentials v1 + jws-2020 + Gaia-X
//! Tagus, a JsonWebSignature2020 proof (a named graph), 50 quads. Target: ≤ 50 µs
//! per credential on one core, end to end (parse, JSON-LD → RDF, RDFC-1.0, N-Quads).
//!
//! Run: `taskset -c 1 cargo bench -p gxa-jsonld --bench jsonld -- --measurement-time 5`.

#![allow(
    clippy::expect_used,
    reason = "a benchmark with a broken fixture must stop"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use gxa_jsonld::{Processor, ToRdfOptions};
use gxa_rdf::{CanonicalizeOptions, canonicalize};

const CREDENTIAL: &str = include_str!("data/credential.json");

fn bench(c: &mut Criterion) {
    let processor = Processor::pinned();
    let strict = ToRdfOptions::strict();
    let canon = CanonicalizeOptions::default();
    let value: serde_json::Value = serde_json::from_str(CREDENTIAL).expect("bench input is JSON");
    let fast = processor
        .to_rdf_fast(&value, &strict)
        .expect("the bench credential takes the fast path");
    let library = processor
        .to_rdf_str_library(CREDENTIAL, &strict)
        .expect("the library accepts the bench credential");
    assert_eq!(fast.len(), 50);
    assert_eq!(
        canonicalize(&fast, &canon).expect("canonical").nquads,
        canonicalize(&library, &canon).expect("canonical").nquads
    );

    c.bench_function("jsonld/fast_text_to_canonical_50_quads", |b| {
        b.iter(|| {
            let dataset = processor
                .to_rdf_str(std::hint::black_box(CREDENTIAL), &strict)
                .expect("to RDF");
            canonicalize(&dataset, &canon).expect("canonical").nquads
        })
    });
    c.bench_function("jsonld/library_text_to_canonical_50_quads", |b| {
        b.iter(|| {
            let dataset = processor
                .to_rdf_str_library(std::hint::black_box(CREDENTIAL), &strict)
                .expect("to RDF");
            canonicalize(&dataset, &canon).expect("canonical").nquads
        })
    });
    c.bench_function("jsonld/fast_text_to_dataset_50_quads", |b| {
        b.iter(|| {
            processor
                .to_rdf_str(std::hint::black_box(CREDENTIAL), &strict)
                .expect("to RDF")
                .len()
        })
    });
    c.bench_function("jsonld/fast_value_to_dataset_50_quads", |b| {
        b.iter(|| {
            processor
                .to_rdf_fast(std::hint::black_box(&value), &strict)
                .expect("to RDF")
                .len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
