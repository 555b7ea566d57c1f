//! N-Quads → canonical N-Quads (RDFC-1.0) on a typical Gaia-X credential: 50 quads, contexts
//! credentials v1 + jws-2020 + Gaia-X Tagus, with a JsonWebSignature2020 proof (a named graph)
//! and 12 blank nodes. Target: ≤ 20 µs per credential on one core.
//!
//! `benches/data/credential.nq` is `gx-attest canonicalize benches/data/credential.json` with
//! the blank nodes relabelled as a JSON-LD processor would emit them (`_:b0`…), so that the
//! bench does the whole job: parse, relabel, serialize.

#![allow(
    clippy::expect_used,
    reason = "a benchmark with a broken fixture must stop"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use gxa_rdf::{CanonicalizeOptions, canonicalize, parse_nquads};

fn input() -> String {
    include_str!("data/credential.nq").replace("_:c14n", "_:b")
}

fn bench(c: &mut Criterion) {
    let text = input();
    let dataset = parse_nquads(&text).expect("bench input parses");
    assert_eq!(dataset.len(), 50);
    let options = CanonicalizeOptions::default();
    c.bench_function("rdfc10/nquads_to_canonical_50_quads", |b| {
        b.iter(|| {
            let dataset = parse_nquads(std::hint::black_box(&text)).expect("parses");
            canonicalize(&dataset, &options)
                .expect("canonicalizes")
                .nquads
        })
    });
    c.bench_function("nquads/parse_50_quads", |b| {
        b.iter(|| {
            parse_nquads(std::hint::black_box(&text))
                .expect("parses")
                .len()
        })
    });
    c.bench_function("rdfc10/canonicalize_parsed_50_quads", |b| {
        b.iter(|| {
            canonicalize(std::hint::black_box(&dataset), &options)
                .expect("canonicalizes")
                .nquads
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
