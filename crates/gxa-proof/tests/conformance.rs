//! Conformance vectors from the shared reference data (see README, Set up):
//! JsonWebSignature2020 (spec vectors and
//! transmute fixtures), vc-di-eddsa / vc-di-ecdsa rdfc TestVectors with every intermediate
//! value.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers"
)]

use gxa_proof::{
    Canonicalizer, Flavour, KeyPair, PinnedJsonLd, RdfcHash, Resolver, SignOptions, SignSuite,
    Signed, Suite, VerifyOptions, sign, verify_document,
};
use gxa_testkit::shared::{json, read};
use serde_json::{Value, json};

fn opts(resolver: &Resolver) -> VerifyOptions<'_> {
    let mut o = VerifyOptions::new(resolver);
    o.canonicalizer = Some(&PinnedJsonLd);
    o.at = gxa_proof::parse_rfc3339("2024-01-01T00:00:00Z");
    o
}

/// The spec's issuer key (`keypair_0`) as the controller document of the vc_0 verification
/// method (`issuer_0` lists it under the undefined `publicKey` term, see SOURCES.md).
fn spec_resolver() -> Resolver {
    let keypairs = json("conformance/jws2020/spec-test-vectors/keypairs.json");
    let mut jwk = keypairs["keypair_0"]["publicKeyJwk"].clone();
    if jwk.is_null() {
        jwk = keypairs["keypair_0"].clone();
        jwk.as_object_mut().unwrap().remove("d");
    }
    let vm = "https://example.com/issuer/123#ovsDKYBjFemIy8DVhc-w2LSi8CvXMw2AYDzHj04yxkc";
    let mut resolver = Resolver::new();
    resolver
        .add_document(json!({
            "id": "https://example.com/issuer/123",
            "verificationMethod": [{"id": vm, "type": "JsonWebKey2020",
                "controller": "https://example.com/issuer/123", "publicKeyJwk": jwk}],
            "assertionMethod": [vm],
        }))
        .unwrap();
    resolver
}

fn spec_private_key() -> KeyPair {
    let keypairs = json("conformance/jws2020/spec-test-vectors/keypairs.json");
    let k = &keypairs["keypair_0"];
    let jwk = if k.get("privateKeyJwk").is_some() {
        &k["privateKeyJwk"]
    } else {
        k
    };
    KeyPair::from_jwk(jwk).unwrap()
}

#[test]
fn jws2020_spec_vector_verifies_in_spec_flavour() {
    let creds = json("conformance/jws2020/spec-test-vectors/credentials.json");
    let resolver = spec_resolver();
    let report = verify_document(&creds["vc_0"], &opts(&resolver)).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.proofs[0].flavour, Some(Flavour::Spec));
}

#[test]
fn jws2020_spec_vector_reproduced_byte_for_byte() {
    let creds = json("conformance/jws2020/spec-test-vectors/credentials.json");
    let mut input = creds["vc_template_0"].clone();
    input["issuer"] = json!({"id": "https://example.com/issuer/123"});
    let key = spec_private_key();
    let options = SignOptions {
        verification_method: Some(
            "https://example.com/issuer/123#ovsDKYBjFemIy8DVhc-w2LSi8CvXMw2AYDzHj04yxkc".into(),
        ),
        created: Some("2019-12-11T03:50:55Z".into()),
        ..SignOptions::default()
    };
    let Signed::Document(signed) = sign(
        &input,
        SignSuite::Jws2020,
        &key,
        &options,
        Some(&PinnedJsonLd),
    )
    .unwrap() else {
        panic!("not a document")
    };
    assert_eq!(signed["proof"]["jws"], creds["vc_0"]["proof"]["jws"]);
    assert_eq!(signed, creds["vc_0"]);
}

#[test]
fn jws2020_detached_signature_vectors() {
    // signatures.json: detached b64=false JWS over "hello world"; signature_0 EdDSA
    // (keypair_0), signature_1 ES256K (keypair_1).
    let sigs = json("conformance/jws2020/spec-test-vectors/signatures.json");
    let keypairs = json("conformance/jws2020/spec-test-vectors/keypairs.json");
    let message = json("conformance/jws2020/spec-test-vectors/message.json");
    let msg = message.as_str().map(str::to_owned).unwrap_or_else(|| {
        message
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    });
    for (sig_name, key_name) in [("signature_0", "keypair_0"), ("signature_1", "keypair_1")] {
        let jws = sigs[sig_name].as_str().unwrap();
        let k = &keypairs[key_name];
        let jwk = if k.get("publicKeyJwk").is_some() {
            &k["publicKeyJwk"]
        } else {
            k
        };
        let key = gxa_proof::PublicKey::from_jwk(jwk).unwrap();
        assert!(
            gxa_proof::verify_detached_jws(jws, msg.as_bytes(), &key).is_ok(),
            "{sig_name}"
        );
        assert!(gxa_proof::verify_detached_jws(jws, b"hello world!", &key).is_err());
    }
}

fn transmute_resolver() -> Resolver {
    let mut resolver = Resolver::new();
    resolver
        .add_document(json(
            "conformance/jws2020/transmute-interop/controller.json",
        ))
        .unwrap();
    resolver
}

#[test]
fn jws2020_transmute_credential_and_presentation_verify() {
    let resolver = transmute_resolver();
    let vc = json("conformance/jws2020/transmute-interop/verifiableCredential.json");
    let report = verify_document(&vc, &opts(&resolver)).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.proofs[0].flavour, Some(Flavour::Spec));

    // did:key resolves offline too, without the controller document.
    let offline = Resolver::new();
    assert!(verify_document(&vc, &opts(&offline)).unwrap().is_valid());

    let vp = json("conformance/jws2020/transmute-interop/verifiablePresentation.json");
    let mut o = opts(&resolver);
    o.challenge = Some("123");
    let report = verify_document(&vp, &o).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.credentials.len(), 1);
    // A wrong challenge is a verdict, not an error.
    o.challenge = Some("456");
    let report = verify_document(&vp, &o).unwrap();
    assert!(!report.is_valid());
    assert_eq!(
        report.proofs[0].failure.as_ref().unwrap().code(),
        "wrong-challenge"
    );
}

#[test]
fn jws2020_transmute_reproduced_byte_for_byte() {
    let key_file = json("conformance/jws2020/transmute-interop/key.json");
    let key = KeyPair::from_jwk(&key_file["privateKeyJwk"]).unwrap();
    let input = json("conformance/jws2020/transmute-interop/credential.json");
    let expected = json("conformance/jws2020/transmute-interop/verifiableCredential.json");
    let mut input = input.clone();
    input["issuer"] = expected["issuer"].clone();
    let options = SignOptions {
        verification_method: Some(key_file["id"].as_str().unwrap().into()),
        created: Some("2010-01-01T19:23:24Z".into()),
        ..SignOptions::default()
    };
    let Signed::Document(signed) = sign(
        &input,
        SignSuite::Jws2020,
        &key,
        &options,
        Some(&PinnedJsonLd),
    )
    .unwrap() else {
        panic!("not a document")
    };
    assert_eq!(signed["proof"]["jws"], expected["proof"]["jws"]);
    assert_eq!(signed, expected);
}

fn text(rel: &str) -> String {
    read(rel)
}

struct DiVector {
    dir: &'static str,
    suffix: &'static str,
    key_file: &'static str,
    suite: Suite,
}

const DI_VECTORS: [DiVector; 6] = [
    DiVector {
        dir: "vc-di-eddsa/TestVectors/eddsa-rdfc-2022",
        suffix: "DataInt",
        key_file: "vc-di-eddsa/TestVectors/keyPair.json",
        suite: Suite::EddsaRdfc2022,
    },
    DiVector {
        dir: "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/employ",
        suffix: "DataInt",
        key_file: "vc-di-eddsa/TestVectors/keyPair.json",
        suite: Suite::EddsaRdfc2022,
    },
    DiVector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256",
        suffix: "ECDSAP256",
        key_file: "vc-di-ecdsa/TestVectors/p256KeyPair.json",
        suite: Suite::EcdsaRdfc2019,
    },
    DiVector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/employ",
        suffix: "ECDSAP256",
        key_file: "vc-di-ecdsa/TestVectors/p256KeyPair.json",
        suite: Suite::EcdsaRdfc2019,
    },
    DiVector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384",
        suffix: "ECDSAP384",
        key_file: "vc-di-ecdsa/TestVectors/p384KeyPair.json",
        suite: Suite::EcdsaRdfc2019,
    },
    DiVector {
        dir: "vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/employ",
        suffix: "ECDSAP384",
        key_file: "vc-di-ecdsa/TestVectors/p384KeyPair.json",
        suite: Suite::EcdsaRdfc2019,
    },
];

#[test]
fn data_integrity_vectors_every_intermediate_value() {
    for v in DI_VECTORS {
        let p = |name: &str| format!("conformance/{}/{name}{}", v.dir, v.suffix);
        let signed = json(&format!("{}.json", p("signed")));
        let config = json(&format!("{}.json", p("proofConfig")));
        let mut unsecured = signed.clone();
        unsecured.as_object_mut().unwrap().remove("proof");
        let pk = gxa_proof::PublicKey::from_multikey(
            json(&format!("conformance/{}", v.key_file))["publicKeyMultibase"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let rdfc = if matches!(
            pk,
            gxa_proof::PublicKey::Ec {
                curve: gxa_proof::Curve::P384,
                ..
            }
        ) {
            RdfcHash::Sha384
        } else {
            RdfcHash::Sha256
        };
        let canon_doc = PinnedJsonLd.canonicalize_with(&unsecured, rdfc).unwrap();
        assert_eq!(
            canon_doc,
            text(&format!("{}.txt", p("canonDoc"))),
            "{} canonDoc",
            v.dir
        );
        let canon_proof = PinnedJsonLd.canonicalize_with(&config, rdfc).unwrap();
        assert_eq!(
            canon_proof,
            text(&format!("{}.txt", p("proofCanon"))),
            "{} proofCanon",
            v.dir
        );
        let keys = json(&format!("conformance/{}", v.key_file));
        let public = keys["publicKeyMultibase"].as_str().unwrap();
        let secret = keys
            .get("privateKeyMultibase")
            .or_else(|| keys.get("secretKeyMultibase"))
            .and_then(Value::as_str)
            .unwrap();
        let pk = gxa_proof::PublicKey::from_multikey(public).unwrap();
        let doc_hash = gxa_proof::di_hash_hex(v.suite, &pk, &canon_doc).unwrap();
        let proof_hash = gxa_proof::di_hash_hex(v.suite, &pk, &canon_proof).unwrap();
        assert_eq!(
            doc_hash,
            text(&format!("{}.txt", p("docHash"))).trim(),
            "{} docHash",
            v.dir
        );
        assert_eq!(
            proof_hash,
            text(&format!("{}.txt", p("proofHash"))).trim(),
            "{} proofHash",
            v.dir
        );
        let combined = text(&format!("{}.txt", p("combinedHash")));
        assert_eq!(
            format!("{proof_hash}{doc_hash}"),
            combined.trim(),
            "{} combinedHash",
            v.dir
        );

        // The signed vector verifies with the did:key of the key pair.
        let resolver = Resolver::new();
        let report = verify_document(&signed, &opts(&resolver)).unwrap();
        assert!(report.is_valid(), "{}: {report}", v.dir);
        assert_eq!(report.proofs[0].suite, v.suite);

        // Sign the unsigned input again: Ed25519 reproduces the vector; ECDSA verifies.
        let key = KeyPair::from_multikey(public, secret).unwrap();
        let suite = if v.suite == Suite::EddsaRdfc2022 {
            SignSuite::EddsaRdfc2022
        } else {
            SignSuite::EcdsaRdfc2019
        };
        let options = SignOptions {
            verification_method: Some(config["verificationMethod"].as_str().unwrap().into()),
            created: Some(config["created"].as_str().unwrap().into()),
            ..SignOptions::default()
        };
        let Signed::Document(again) =
            sign(&unsecured, suite, &key, &options, Some(&PinnedJsonLd)).unwrap()
        else {
            panic!("not a document")
        };
        if v.suite == Suite::EddsaRdfc2022 {
            assert_eq!(again, signed, "{} byte-for-byte", v.dir);
            let sig_hex = text(&format!("{}.txt", p("sigHex")));
            let sig_b58 = text(&format!("{}.txt", p("sigBTC58")));
            assert_eq!(
                again["proof"]["proofValue"].as_str().unwrap(),
                sig_b58.trim()
            );
            assert!(!sig_hex.trim().is_empty());
        } else {
            assert!(
                verify_document(&again, &opts(&resolver))
                    .unwrap()
                    .is_valid()
            );
        }
    }
}

#[test]
fn tampered_data_integrity_vector_is_invalid() {
    let signed = json("conformance/vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json");
    let resolver = Resolver::new();
    let mut tampered = signed.clone();
    tampered["credentialSubject"]["alumniOf"] = Value::from("Someone Else");
    let report = verify_document(&tampered, &opts(&resolver)).unwrap();
    assert_eq!(
        report.proofs[0].failure.as_ref().unwrap().code(),
        "bad-signature"
    );
    let mut tampered = signed;
    tampered["proof"]["created"] = Value::from("2023-02-24T23:36:39Z");
    let report = verify_document(&tampered, &opts(&resolver)).unwrap();
    assert_eq!(
        report.proofs[0].failure.as_ref().unwrap().code(),
        "bad-signature"
    );
}
