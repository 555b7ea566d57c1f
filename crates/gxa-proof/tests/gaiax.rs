//! Gaia-X Tagus fixtures (the shared reference data beside the checkout, see README, Set up)
//! and the did:web fixture of the XFSC
//! Federated Catalogue.
//!
//! The Tagus fixtures come without the DID documents of their signers (did:web of the Gaia-X
//! lab wizard, notary and compliance services) and without usable x5u chains, so they cannot
//! be verified offline: verification reports "could not check" naming the DID, which is what
//! these tests assert, together with the facts that can be checked offline (the PS256
//! detached header of every proof; that every credential canonicalises). Both flavours are
//! exercised on the same credentials with our own RSA key.
//!
//! Flavour of the fixtures (from their shape, not verifiable without keys): all use the
//! PS256 detached header `{"alg":"PS256","b64":false,"crit":["b64"]}`; the wizard and
//! compliance outputs are Gaia-X flavour (as GXDCH v1 signs); the 2024 notary LRN credential
//! carries a `@context` inside its proof, typical of a spec-flavour signer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers"
)]

use gxa_proof::{
    Canonicalizer, Flavour, FlavourHint, KeyPair, PinnedJsonLd, Resolver, SignOptions, SignSuite,
    Signed, VerifyError, VerifyOptions, sign, verify_document,
};
use gxa_testkit::shared::json;
use serde_json::{Value, json};

const FIXTURES: [&str; 8] = [
    "gaiax-data/tagus/claim-compliance-provider/complianceCredentialsResponse.json",
    "gaiax-data/tagus/claim-compliance-provider/end2end-legalParticipant.json",
    "gaiax-data/tagus/claim-compliance-provider/end2end-legalRegistrationNumber.json",
    "gaiax-data/tagus/claim-compliance-provider/end2end-termsAndConditions.json",
    "gaiax-data/tagus/claim-compliance-provider/verifiablePresentationRequest.json",
    "gaiax-data/tagus/gx-compliance-fixtures/participant-vp.json",
    "gaiax-data/tagus/gx-compliance-fixtures/service-offering-vp.json",
    "gaiax-data/tagus/gx-compliance-fixtures/service-offering-label-level-1.json",
];

/// Every object with a `proof` member.
fn signed_objects(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("proof") {
                out.push(v.clone());
            }
            for child in m.values() {
                signed_objects(child, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| signed_objects(c, out)),
        _ => {}
    }
}

#[test]
fn tagus_fixtures_need_their_did_documents() {
    let resolver = Resolver::new();
    let mut opts = VerifyOptions::new(&resolver);
    opts.canonicalizer = Some(&PinnedJsonLd);
    let mut n = 0;
    for file in FIXTURES {
        let mut creds = Vec::new();
        signed_objects(&json(file), &mut creds);
        assert!(!creds.is_empty(), "{file}");
        for cred in creds {
            let jws = cred["proof"]["jws"].as_str().unwrap();
            assert!(
                jws.starts_with("eyJhbGciOiJQUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19.."),
                "{file}: header {jws:.60}"
            );
            match verify_document(&cred, &opts) {
                Err(VerifyError::Did(e)) => {
                    assert!(e.to_string().contains("did:web:"), "{file}: {e}")
                }
                other => panic!("{file}: expected an unresolvable did:web, got {other:?}"),
            }
            n += 1;
        }
    }
    assert!(n >= 20, "{n}");
}

#[test]
fn tagus_credentials_canonicalise_offline() {
    let mut failures = Vec::new();
    let mut n = 0;
    for file in FIXTURES {
        let mut creds = Vec::new();
        signed_objects(&json(file), &mut creds);
        for mut cred in creds {
            if cred
                .get("type")
                .is_some_and(|t| t.to_string().contains("VerifiablePresentation"))
            {
                continue;
            }
            cred.as_object_mut().unwrap().remove("proof");
            n += 1;
            if let Err(e) = PinnedJsonLd.canonicalize(&cred) {
                failures.push(format!("{file}: {e}"));
            }
        }
    }
    assert!(n > 10);
    // Known: one credential of the msg-systems VP uses https://schema.org/, which is not pinned
    // (nothing is fetched), so it cannot be canonicalised offline.
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].contains("verifiablePresentationRequest.json"),
        "{failures:#?}"
    );
    assert!(failures[0].contains("https://schema.org/"), "{failures:#?}");
}

fn participant() -> Value {
    let mut cred = json(FIXTURES[1]);
    cred.as_object_mut().unwrap().remove("proof");
    cred
}

#[test]
fn tagus_credential_signed_and_verified_in_both_flavours_with_ps256() {
    let key = KeyPair::generate(gxa_proof::Algorithm::Ps256).unwrap();
    let did = "did:web:cloud.example.eu";
    let vm = format!("{did}#JWK2020-RSA");
    let mut jwk = gxa_proof::Signer::public_key(&key).to_jwk();
    jwk.insert("alg".into(), "PS256".into());
    jwk.insert(
        "x5u".into(),
        "https://cloud.example.eu/.well-known/x509CertificateChain.pem".into(),
    );
    let mut resolver = Resolver::new();
    resolver
        .add_document(json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": did,
            "verificationMethod": [{"id": vm, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}],
            "assertionMethod": [vm]
        }))
        .unwrap();
    let mut opts = VerifyOptions::new(&resolver);
    opts.canonicalizer = Some(&PinnedJsonLd);
    opts.at = gxa_proof::parse_rfc3339("2024-03-07T00:00:00Z");
    for (suite, flavour) in [
        (SignSuite::Jws2020GaiaX, Flavour::GaiaX),
        (SignSuite::Jws2020, Flavour::Spec),
    ] {
        let options = SignOptions {
            verification_method: Some(vm.clone()),
            ..SignOptions::default()
        };
        let Signed::Document(doc) =
            sign(&participant(), suite, &key, &options, Some(&PinnedJsonLd)).unwrap()
        else {
            panic!()
        };
        assert!(
            doc["proof"]["jws"]
                .as_str()
                .unwrap()
                .starts_with("eyJhbGciOiJQUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19.."),
            "the Gaia-X header, byte for byte"
        );
        let report = verify_document(&doc, &opts).unwrap();
        assert!(report.is_valid(), "{report}");
        assert_eq!(report.proofs[0].flavour, Some(flavour));
        assert_eq!(
            report.proofs[0].algorithm,
            Some(gxa_proof::Algorithm::Ps256)
        );
    }
}

/// A [`FlavourHint`] changes which JsonWebSignature2020 flavour is tried first, never the
/// outcome: valid proofs of both flavours, a changed document, a signature of the wrong length
/// and one by another key give the same report whichever flavour is tried first.
#[test]
fn jws2020_outcome_does_not_depend_on_the_hint() {
    let resolver = Resolver::new();
    let mut cases = Vec::new();
    for alg in [gxa_proof::Algorithm::EdDsa, gxa_proof::Algorithm::Es256] {
        let key = KeyPair::generate(alg).unwrap();
        let other = KeyPair::generate(alg).unwrap();
        for suite in [SignSuite::Jws2020GaiaX, SignSuite::Jws2020] {
            let options = SignOptions {
                created: Some("2024-03-01T00:00:00Z".into()),
                ..SignOptions::default()
            };
            let signed = |key: &KeyPair| {
                let Signed::Document(doc) =
                    sign(&participant(), suite, key, &options, Some(&PinnedJsonLd)).unwrap()
                else {
                    panic!("a document")
                };
                doc
            };
            let doc = signed(&key);
            let mut changed = doc.clone();
            changed["credentialSubject"]["gx:legalName"] = "Someone else".into();
            let mut short = doc.clone();
            let jws = short["proof"]["jws"].as_str().unwrap();
            short["proof"]["jws"] = jws[..jws.len() - 8].into();
            // Another key's signature under this key's verification method.
            let mut foreign = signed(&other);
            foreign["proof"]["verificationMethod"] = doc["proof"]["verificationMethod"].clone();
            cases.push((format!("{alg:?} {suite:?} valid"), doc, true));
            cases.push((format!("{alg:?} {suite:?} changed"), changed, false));
            cases.push((format!("{alg:?} {suite:?} short"), short, false));
            cases.push((format!("{alg:?} {suite:?} other key"), foreign, false));
        }
    }
    let report = |doc: &Value, hint: Option<&FlavourHint>| {
        let mut opts = VerifyOptions::new(&resolver);
        opts.canonicalizer = Some(&PinnedJsonLd);
        opts.at = gxa_proof::parse_rfc3339("2024-03-07T00:00:00Z");
        opts.flavour_hint = hint;
        verify_document(doc, &opts).unwrap().to_json()
    };
    let (spec_doc, gaiax_doc) = (&cases[4].1, &cases[0].1);
    for (name, doc, valid) in &cases {
        let without = report(doc, None);
        assert_eq!(without["valid"], *valid, "{name}: {without}");
        for prime in [gaiax_doc, spec_doc] {
            let hint = FlavourHint::default();
            report(prime, Some(&hint));
            let first = hint.first();
            assert_eq!(
                first,
                if prime == spec_doc {
                    Flavour::Spec
                } else {
                    Flavour::GaiaX
                }
            );
            assert_eq!(report(doc, Some(&hint)), without, "{name}, {first:?} first");
        }
    }
}

#[test]
fn fc_did_web_document_with_x5u() {
    let mut resolver = Resolver::new();
    let doc = json("gaiax-data/did-fixtures/fc-did-server-did.json");
    let id = doc["id"].as_str().unwrap().to_owned();
    resolver.add_document(doc.clone()).unwrap();
    let methods = doc["verificationMethod"].as_array().unwrap();
    assert_eq!(methods.len(), 2);
    for m in methods {
        assert!(m["publicKeyJwk"]["x5u"].is_string());
        let url = m["id"].as_str().unwrap();
        let url = if url.starts_with('#') {
            format!("{id}{url}")
        } else {
            url.to_owned()
        };
        let deref = resolver
            .dereference(&url, "assertionMethod")
            .unwrap()
            .unwrap();
        assert!(deref.purpose_allowed.is_some());
    }
    assert!(
        gxa_proof::did_web_to_url(&id)
            .unwrap()
            .starts_with("https://")
    );
}
