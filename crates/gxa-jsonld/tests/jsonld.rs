//! Behaviour of the JSON-LD wrapper: strict mode, pinned contexts, errors.

use gxa_jsonld::{JsonLdError, Processor, ToRdfOptions};
use serde_json::json;

fn credential() -> serde_json::Value {
    json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": "https://example.com/credentials/1",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:example.com",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": { "id": "did:web:example.com" }
    })
}

#[test]
fn pinned_credential_expands_in_strict_mode() {
    let ds = Processor::pinned()
        .to_rdf(&credential(), &ToRdfOptions::strict())
        .unwrap();
    assert_eq!(ds.len(), 4);
    let nq = Processor::pinned().canonicalize(&credential()).unwrap();
    assert!(nq.contains("<https://example.com/credentials/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> ."), "{nq}");
}

#[test]
fn strict_mode_rejects_an_undefined_property_and_names_it() {
    let mut doc = credential();
    doc["credentialSubject"]["undefinedTerm"] = json!("signed? no: dropped");
    let err = Processor::pinned()
        .to_rdf(&doc, &ToRdfOptions::strict())
        .unwrap_err();
    assert!(
        matches!(&err, JsonLdError::UndefinedTerm { term, .. } if term == "undefinedTerm"),
        "{err}"
    );
    assert!(err.to_string().contains("undefinedTerm"));
    // Lenient (standard JSON-LD) drops it silently: the very behaviour strict mode prevents.
    let lenient = Processor::pinned()
        .to_rdf(&doc, &ToRdfOptions::lenient())
        .unwrap();
    assert_eq!(lenient.len(), 4);
}

#[test]
fn strict_mode_rejects_an_undefined_type_and_names_it() {
    let mut doc = credential();
    doc["type"] = json!(["VerifiableCredential", "UndefinedType"]);
    let err = Processor::pinned()
        .to_rdf(&doc, &ToRdfOptions::strict())
        .unwrap_err();
    assert!(err.to_string().contains("UndefinedType"), "{err}");
}

#[test]
fn unknown_context_is_an_error_naming_the_url_and_is_never_fetched() {
    let mut doc = credential();
    doc["@context"] = json!([
        "https://www.w3.org/2018/credentials/v1",
        "https://schema.org/"
    ]);
    let err = Processor::pinned()
        .to_rdf(&doc, &ToRdfOptions::strict())
        .unwrap_err();
    assert_eq!(
        err,
        JsonLdError::UnknownContext("https://schema.org/".into())
    );
    assert!(err.to_string().contains("https://schema.org/"));
}

#[test]
fn duplicate_keys_are_rejected_in_text_input() {
    let text = r#"{"@context": {"p": "http://e/p"}, "@id": "http://e/s", "p": "a", "p": "b"}"#;
    let err = Processor::pinned()
        .to_rdf_str(text, &ToRdfOptions::strict())
        .unwrap_err();
    assert_eq!(err, JsonLdError::DuplicateKey("p".into()));
    assert!(matches!(
        Processor::pinned().to_rdf_str("{not json", &ToRdfOptions::strict()),
        Err(JsonLdError::Json(_))
    ));
}

#[test]
fn gaia_x_contexts_are_pinned() {
    for file in [
        "legal-person.unsigned.json",
        "vm-service-offering.unsigned.json",
    ] {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/gaiax-data/examples-own/"
        );
        let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
        let ds = Processor::pinned()
            .to_rdf_str(&text, &ToRdfOptions::strict())
            .unwrap();
        assert!(ds.len() > 5, "{file}: {} quads", ds.len());
    }
}
