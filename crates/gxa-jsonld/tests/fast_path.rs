//! The fast path through the public API: it answers for credentials, agrees with the library
//! path, and declines whatever the library rejects, so that errors stay the library's.
//! (The full differential test is `gxa-conformance/tests/json_ld_fast_path.rs`.)

use gxa_jsonld::{JsonLdError, Processor, ToRdfOptions};
use gxa_rdf::{CanonicalizeOptions, Dataset, canonicalize};
use serde_json::{Value, json};

const CREDENTIAL: &str = include_str!("../benches/data/credential.json");

fn canonical(dataset: &Dataset) -> Result<String, gxa_rdf::CanonicalizationError> {
    canonicalize(dataset, &CanonicalizeOptions::default()).map(|c| c.nquads)
}

#[test]
fn the_bench_credential_takes_the_fast_path_and_matches_the_library() {
    let processor = Processor::pinned();
    let value: Value = serde_json::from_str(CREDENTIAL).unwrap();
    let fast = processor
        .to_rdf_fast(&value, &ToRdfOptions::strict())
        .unwrap();
    let library = processor
        .to_rdf_str_library(CREDENTIAL, &ToRdfOptions::strict())
        .unwrap();
    assert_eq!(fast.len(), 50);
    assert_eq!(canonical(&fast).unwrap(), canonical(&library).unwrap());
    assert_eq!(
        processor.canonicalize(&value).unwrap(),
        canonical(&library).unwrap()
    );
}

#[test]
fn undefined_terms_are_declined_and_reported_by_the_library() {
    let processor = Processor::pinned();
    let mut value: Value = serde_json::from_str(CREDENTIAL).unwrap();
    value["credentialSubject"]["undefinedTerm"] = json!("x");
    let declined = processor
        .to_rdf_fast(&value, &ToRdfOptions::strict())
        .unwrap_err();
    assert_eq!(declined.reason(), "key does not expand to an absolute IRI");
    let err = processor
        .to_rdf(&value, &ToRdfOptions::strict())
        .unwrap_err();
    assert!(
        matches!(&err, JsonLdError::UndefinedTerm { term, .. } if term == "undefinedTerm"),
        "{err}"
    );
}

#[test]
fn duplicate_keys_fall_back_to_the_library_error() {
    let text = CREDENTIAL.replacen(
        "\"issuer\": \"did:web:cloud.example.eu\",",
        "\"issuer\": \"did:web:cloud.example.eu\", \"issuer\": \"did:web:other.example\",",
        1,
    );
    assert_ne!(text, CREDENTIAL);
    let err = Processor::pinned()
        .to_rdf_str(&text, &ToRdfOptions::strict())
        .unwrap_err();
    assert_eq!(err, JsonLdError::DuplicateKey("issuer".into()));
}

#[test]
fn threads_share_the_compiled_contexts() {
    let expected = canonical(
        &Processor::pinned()
            .to_rdf_str_library(CREDENTIAL, &ToRdfOptions::strict())
            .unwrap(),
    )
    .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                (0..50)
                    .map(|_| {
                        canonical(
                            &Processor::pinned()
                                .to_rdf_str(CREDENTIAL, &ToRdfOptions::strict())
                                .unwrap(),
                        )
                        .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for handle in handles {
        for nquads in handle.join().unwrap() {
            assert_eq!(nquads, expected);
        }
    }
}
