//! gx-attest against the Rust peers on the same inputs (`cargo bench --manifest-path tests/rustpeers/Cargo.toml --target-dir target --profile dev`):
//!
//! - JSON-LD → canonical N-Quads of 20 strict-valid generated credentials (the corpus of
//!   `gxa-conformance`): gx-attest (as it runs: the fast path; and its library path alone), sophia (sophia_jsonld + RDFC-1.0), ssi (json-ld + URDNA2015);
//! - verification of one credential: eddsa-rdfc-2022 and JsonWebSignature2020 (signed by ssi, so
//!   that ssi can check it; see `tests/cross.rs` on ssi#701) by gx-attest and ssi; `vc+jwt` by
//!   gx-attest, ssi and josekit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark with a broken fixture must stop"
)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gxa_proof::{
    Canonicalizer, KeyPair, PinnedJsonLd, Resolver, SignOptions, SignSuite, Signed, VerifyOptions,
};
use gxa_rustpeers::{VERIFY_AT, josekit_peer, sophia_peer, ssi_peer};
use serde_json::{Value, json};

fn corpus() -> Vec<String> {
    gxa_conformance::generate::credentials(20_261_206, 200)
        .into_iter()
        .map(|(_, doc)| serde_json::to_string(&doc).unwrap())
        .filter(|text| {
            let doc: Value = serde_json::from_str(text).unwrap();
            PinnedJsonLd.canonicalize(&doc).is_ok()
                && sophia_peer::canonical_nquads(text, true).is_ok()
                && ssi_peer::canonical_nquads(text).is_ok()
        })
        .take(20)
        .collect()
}

fn canonicalize(c: &mut Criterion) {
    let docs = corpus();
    assert_eq!(docs.len(), 20);
    let mut group = c.benchmark_group("canonicalize_20_generated");
    group.bench_function("gx-attest", |b| {
        b.iter(|| {
            for text in &docs {
                let doc: Value = serde_json::from_str(text).unwrap();
                PinnedJsonLd.canonicalize(&doc).unwrap();
            }
        });
    });
    group.bench_function("gx-attest library path", |b| {
        b.iter(|| {
            for text in &docs {
                let dataset = gxa_jsonld::Processor::pinned()
                    .to_rdf_str_library(text, &gxa_jsonld::ToRdfOptions::strict())
                    .unwrap();
                gxa_rdf::canonicalize(&dataset, &gxa_rdf::CanonicalizeOptions::default()).unwrap();
            }
        });
    });
    group.bench_function("sophia", |b| {
        b.iter(|| {
            for text in &docs {
                sophia_peer::canonical_nquads(text, true).unwrap();
            }
        });
    });
    group.bench_function("ssi", |b| {
        b.iter(|| {
            for text in &docs {
                ssi_peer::canonical_nquads(text).unwrap();
            }
        });
    });
    group.finish();
}

fn ours_valid(input: &str) {
    let resolver = Resolver::new();
    let mut opts = VerifyOptions::new(&resolver);
    opts.canonicalizer = Some(&PinnedJsonLd);
    opts.at = gxa_proof::parse_rfc3339(VERIFY_AT);
    assert!(gxa_proof::verify(input, &opts).unwrap().is_valid());
}

fn verify(c: &mut Criterion) {
    let private = ssi_peer::generate_jwk("ed25519").unwrap();
    let pair = KeyPair::from_jwk(&private).unwrap();
    let did_key = gxa_proof::did_key(gxa_proof::Signer::public_key(&pair)).unwrap();
    let key_method = format!("{did_key}#{}", did_key.trim_start_matches("did:key:"));
    let jwk_method = gxa_proof::default_verification_method(&pair);
    let credential = |issuer: &str| {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "issuer": issuer,
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
        })
    };
    let created = "2024-06-01T00:00:00Z";
    let eddsa = serde_json::to_string(
        &ssi_peer::sign(
            &credential(did_key.as_str()),
            ssi_peer::Suite::EddsaRdfc2022,
            &private,
            &key_method,
            created,
        )
        .unwrap(),
    )
    .unwrap();
    let jwk_did = jwk_method.split('#').next().unwrap();
    let jws2020 = serde_json::to_string(
        &ssi_peer::sign(
            &credential(jwk_did),
            ssi_peer::Suite::Jws2020,
            &private,
            &jwk_method,
            created,
        )
        .unwrap(),
    )
    .unwrap();
    let options = SignOptions {
        verification_method: Some(jwk_method.clone()),
        created: Some(created.to_owned()),
        ..SignOptions::default()
    };
    let Signed::Jwt(jwt) = gxa_proof::sign(
        &credential(jwk_did),
        SignSuite::VcJwt,
        &pair,
        &options,
        None,
    )
    .unwrap() else {
        unreachable!()
    };
    let mut public = private.clone();
    public.as_object_mut().unwrap().remove("d");

    let mut group = c.benchmark_group("verify_one");
    for (suite, input) in [("eddsa-rdfc-2022", &eddsa), ("jws2020", &jws2020)] {
        group.bench_with_input(BenchmarkId::new("gx-attest", suite), input, |b, input| {
            b.iter(|| ours_valid(input));
        });
        group.bench_with_input(BenchmarkId::new("ssi", suite), input, |b, input| {
            b.iter(|| ssi_peer::verify(input).unwrap());
        });
    }
    group.bench_with_input(BenchmarkId::new("gx-attest", "vc+jwt"), &jwt, |b, jwt| {
        b.iter(|| ours_valid(jwt));
    });
    group.bench_with_input(BenchmarkId::new("ssi", "vc+jwt"), &jwt, |b, jwt| {
        b.iter(|| ssi_peer::verify_vc_jwt(jwt).unwrap());
    });
    group.bench_with_input(BenchmarkId::new("josekit", "vc+jwt"), &jwt, |b, jwt| {
        b.iter(|| josekit_peer::verify(jwt, &public, "EdDSA").unwrap());
    });
    group.finish();
}

criterion_group!(benches, canonicalize, verify);
criterion_main!(benches);
