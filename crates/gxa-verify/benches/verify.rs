//! Verification throughput with warm caches: a JsonWebSignature2020 credential in the
//! Gaia-X Tagus shape (credentials v1 + jws-2020 + an inline `@vocab` object, the shape the
//! gxa-proof bench uses), the same credential with a URL-only context list (what gx-attest
//! emits; the JSON-LD fast path caches those), a vc+jwt, and a presentation of 10 vc+jwt
//! credentials. Offline verifier with the did:web document configured: no network, so
//! "warm" means the shapes and compiled contexts are loaded; the whole pipeline (syntax,
//! strict expansion, proof, method binding, validity, status) runs per iteration.
//!
//! Run: `cargo bench -p gxa-verify --bench verify` (pin to one core with `taskset -c 0`).

#![expect(clippy::unwrap_used, reason = "bench set-up")]

use criterion::{Criterion, criterion_group, criterion_main};
use gxa_proof::{Algorithm, KeyPair, PinnedJsonLd, SignOptions, SignSuite, Signed, Signer};
use gxa_verify::{Verifier, VerifierConfig};
use serde_json::{Value, json};

const DID: &str = "did:web:bench.example";

fn did_document(keys: &[(&str, &KeyPair)]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|(frag, k)| {
            json!({"id": format!("{DID}#{frag}"), "type": "JsonWebKey2020", "controller": DID,
                   "publicKeyJwk": Value::Object(k.public_key().to_jwk())})
        })
        .collect();
    let ids: Vec<String> = keys.iter().map(|(f, _)| format!("{DID}#{f}")).collect();
    json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": DID,
           "verificationMethod": methods, "assertionMethod": ids, "authentication": ids})
}

fn tagus(inline_vocab: bool) -> Value {
    let mut ctx = vec![
        json!("https://www.w3.org/2018/credentials/v1"),
        json!("https://w3id.org/security/suites/jws-2020/v1"),
    ];
    let subject = if inline_vocab {
        ctx.push(json!({"@vocab": "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#"}));
        json!({"id": "https://bench.example/lp", "type": "LegalParticipant",
               "legalName": "Bench Cloud GmbH", "headquarterAddress": {"countrySubdivisionCode": "DE-BE"},
               "legalAddress": {"countrySubdivisionCode": "DE-BE"},
               "legalRegistrationNumber": {"id": "https://bench.example/lrn"}})
    } else {
        json!({"id": "https://bench.example/lp", "name": "Bench Cloud GmbH"})
    };
    if !inline_vocab {
        ctx.push(json!("https://www.w3.org/2018/credentials/examples/v1"));
    }
    json!({
        "@context": ctx,
        "id": "https://bench.example/credentials/1",
        "type": ["VerifiableCredential"],
        "issuer": DID,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    })
}

fn sign(doc: &Value, suite: SignSuite, key: &KeyPair, frag: &str) -> Value {
    let opts = SignOptions {
        verification_method: Some(format!("{DID}#{frag}")),
        created: Some("2026-01-01T00:00:00Z".into()),
        ..SignOptions::default()
    };
    match gxa_proof::sign(doc, suite, key, &opts, Some(&PinnedJsonLd)).unwrap() {
        Signed::Document(d) => d,
        Signed::Jwt(j) => Value::String(j),
    }
}

fn bench(c: &mut Criterion) {
    let ed = KeyPair::generate(Algorithm::EdDsa).unwrap();
    let es = KeyPair::generate(Algorithm::Es256).unwrap();
    let mut config = VerifierConfig::offline();
    config.did_documents = vec![did_document(&[("ed", &ed), ("es", &es)])];
    let verifier = Verifier::new(config).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let at: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();

    let mut inputs: Vec<(String, String)> = Vec::new();
    for (alg, key, frag) in [("EdDSA", &ed, "ed"), ("ES256", &es, "es")] {
        for (shape, inline) in [("tagus-inline-vocab", true), ("url-contexts", false)] {
            let doc = sign(&tagus(inline), SignSuite::Jws2020, key, frag);
            inputs.push((format!("jws2020 {alg} {shape}"), doc.to_string()));
        }
    }
    let v2 = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
        "issuer": DID, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:s", "name": "Bench"}});
    let jwt = sign(&v2, SignSuite::VcJwt, &ed, "ed");
    inputs.push(("vc+jwt EdDSA".into(), jwt.as_str().unwrap().to_owned()));
    let env = json!({"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential",
        "id": format!("data:application/vc+jwt,{}", jwt.as_str().unwrap())});
    let vp = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
        "holder": DID, "verifiableCredential": vec![env; 10]});
    let vp_jwt = sign(&vp, SignSuite::VcJwt, &ed, "ed");
    inputs.push((
        "vp+jwt EdDSA of 10 vc+jwt".into(),
        vp_jwt.as_str().unwrap().to_owned(),
    ));
    let ld_creds: Vec<Value> = (0..10)
        .map(|_| sign(&tagus(false), SignSuite::Jws2020, &ed, "ed"))
        .collect();
    let ld_vp = json!({"@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "type": ["VerifiablePresentation"], "holder": DID, "verifiableCredential": ld_creds});
    inputs.push((
        "JSON-LD VP jws2020 EdDSA of 10 jws2020".into(),
        sign(&ld_vp, SignSuite::Jws2020, &ed, "ed").to_string(),
    ));

    let mut group = c.benchmark_group("verify");
    for (name, input) in &inputs {
        let report = rt.block_on(verifier.verify(input, at));
        assert!(report.is_valid(), "{name}: {report}");
        group.bench_function(name.as_str(), |b| {
            b.iter(|| rt.block_on(verifier.verify(input, at)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
