//! One test per verification rejection rule (docs/commands.md, "Keys, signing and
//! verification"), each with a crafted input.

use serde_json::{Value, json};

use crate::jws;
use crate::suite::jws2020;
use crate::{
    Algorithm, Canonicalizer, KeyPair, PinnedJsonLd, Resolver, SignOptions, SignSuite, Signed,
    Signer, VerificationReport, VerifyOptions, b64, default_verification_method, sign, verify,
    verify_document,
};

fn credential() -> Value {
    json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": "urn:uuid:8a3d3b52-3a7b-4c4e-9a55-0f4f0c1d2e3f",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"}
    })
}

fn presentation() -> Value {
    json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder"
    })
}

fn opts(resolver: &Resolver) -> VerifyOptions<'_> {
    let mut o = VerifyOptions::new(resolver);
    o.canonicalizer = Some(&PinnedJsonLd);
    o
}

fn code(report: &VerificationReport) -> String {
    assert!(!report.is_valid());
    report
        .proofs
        .iter()
        .filter_map(|p| p.failure.as_ref())
        .chain(&report.failures)
        .next()
        .map(|f| f.code().to_owned())
        .unwrap_or_default()
}

/// A JsonWebSignature2020 proof (Gaia-X payload) with an arbitrary protected header.
fn craft_jws2020(doc: &Value, key: &dyn Signer, header: &str) -> Value {
    let canon = PinnedJsonLd.canonicalize(doc).unwrap();
    let vm = default_verification_method(key);
    let jws = jws::sign_detached(key, header, &jws2020::gaiax_payload(&canon)).unwrap();
    let mut out = doc.clone();
    out["proof"] = json!({
        "type": "JsonWebSignature2020", "created": "2024-01-01T00:00:00Z",
        "verificationMethod": vm, "proofPurpose": "assertionMethod", "jws": jws
    });
    out
}

fn signed(doc: &Value, suite: SignSuite, key: &KeyPair, options: &SignOptions) -> Value {
    match sign(doc, suite, key, options, Some(&PinnedJsonLd)).unwrap() {
        Signed::Document(d) => d,
        Signed::Jwt(_) => unreachable!(),
    }
}

fn jwt(header: &Value, payload: &Value, key: &dyn Signer) -> String {
    jws::sign_compact(key, &header.to_string(), payload.to_string().as_bytes()).unwrap()
}

fn ed() -> KeyPair {
    KeyPair::generate(Algorithm::EdDsa).unwrap()
}

#[test]
fn crafted_baseline_is_valid() {
    let key = ed();
    let doc = craft_jws2020(
        &credential(),
        &key,
        r#"{"alg":"EdDSA","b64":false,"crit":["b64"]}"#,
    );
    let report = verify_document(&doc, &opts(&Resolver::new())).unwrap();
    assert!(report.is_valid(), "{report}");
}

#[test]
fn rejects_alg_none() {
    let key = ed();
    let doc = craft_jws2020(
        &credential(),
        &key,
        r#"{"alg":"none","b64":false,"crit":["b64"]}"#,
    );
    let report = verify_document(&doc, &opts(&Resolver::new())).unwrap();
    assert_eq!(code(&report), "alg-none");
    // An unsecured JWT (alg none, empty signature).
    let kid = default_verification_method(&key);
    let header = b64::encode(
        json!({"alg":"none","typ":"vc+jwt","kid":kid})
            .to_string()
            .as_bytes(),
    );
    let payload = b64::encode(credential().to_string().as_bytes());
    let report = verify(&format!("{header}.{payload}."), &opts(&Resolver::new())).unwrap();
    assert_eq!(code(&report), "malformed-jws");
    let report = verify(&format!("{header}.{payload}.AAAA"), &opts(&Resolver::new())).unwrap();
    assert_eq!(code(&report), "alg-none");
}

#[test]
fn rejects_hmac() {
    let key = ed();
    let doc = craft_jws2020(
        &credential(),
        &key,
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
    );
    assert_eq!(
        code(&verify_document(&doc, &opts(&Resolver::new())).unwrap()),
        "alg-hmac"
    );
    let kid = default_verification_method(&key);
    let t = jwt(
        &json!({"alg":"HS256","typ":"vc+jwt","kid":kid}),
        &credential(),
        &key,
    );
    assert_eq!(
        code(&verify(&t, &opts(&Resolver::new())).unwrap()),
        "alg-hmac"
    );
}

#[test]
fn rejects_alg_that_does_not_fit_the_key() {
    let key = ed();
    let doc = craft_jws2020(
        &credential(),
        &key,
        r#"{"alg":"ES256","b64":false,"crit":["b64"]}"#,
    );
    assert_eq!(
        code(&verify_document(&doc, &opts(&Resolver::new())).unwrap()),
        "alg-key-mismatch"
    );
    let rsa = KeyPair::generate(Algorithm::Ps256).unwrap();
    let doc = craft_jws2020(
        &credential(),
        &rsa,
        r#"{"alg":"EdDSA","b64":false,"crit":["b64"]}"#,
    );
    assert_eq!(
        code(&verify_document(&doc, &opts(&Resolver::new())).unwrap()),
        "alg-key-mismatch"
    );
}

#[test]
fn rejects_unknown_crit() {
    let key = ed();
    let doc = craft_jws2020(
        &credential(),
        &key,
        r#"{"alg":"EdDSA","b64":false,"crit":["b64","urn:example:unknown"],"urn:example:unknown":1}"#,
    );
    assert_eq!(
        code(&verify_document(&doc, &opts(&Resolver::new())).unwrap()),
        "unknown-crit"
    );
    let kid = default_verification_method(&key);
    let t = jwt(
        &json!({"alg":"EdDSA","typ":"vc+jwt","kid":kid,"crit":["exp"],"exp":1}),
        &credential(),
        &key,
    );
    assert_eq!(
        code(&verify(&t, &opts(&Resolver::new())).unwrap()),
        "unknown-crit"
    );
}

#[test]
fn rejects_b64_true_in_jws2020() {
    let key = ed();
    for header in [
        r#"{"alg":"EdDSA","b64":true,"crit":["b64"]}"#,
        r#"{"alg":"EdDSA"}"#,
        r#"{"alg":"EdDSA","b64":false}"#,
    ] {
        let doc = craft_jws2020(&credential(), &key, header);
        assert_eq!(
            code(&verify_document(&doc, &opts(&Resolver::new())).unwrap()),
            "b64-not-false",
            "{header}"
        );
    }
}

#[test]
fn rejects_keys_taken_from_the_header() {
    let key = ed();
    let jwk = Value::Object(key.public_key().to_jwk());
    for (member, value) in [
        ("jwk", jwk),
        ("x5c", json!(["MIIB"])),
        ("jku", json!("https://attacker.example/jwks")),
    ] {
        let mut header = json!({"alg":"EdDSA","b64":false,"crit":["b64"]});
        header[member] = value.clone();
        let doc = craft_jws2020(&credential(), &key, &header.to_string());
        assert_eq!(
            code(&verify_document(&doc, &opts(&Resolver::new())).unwrap()),
            "key-in-header"
        );
        let kid = default_verification_method(&key);
        let mut h = json!({"alg":"EdDSA","typ":"vc+jwt","kid":kid});
        h[member] = value;
        let t = jwt(&h, &credential(), &key);
        assert_eq!(
            code(&verify(&t, &opts(&Resolver::new())).unwrap()),
            "key-in-header"
        );
    }
}

#[test]
fn rejects_proof_purpose_not_allowed_by_the_did_document() {
    let key = ed();
    let did = "did:web:issuer.example";
    let vm = format!("{did}#key-1");
    let mut resolver = Resolver::new();
    resolver
        .add_document(json!({
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "verificationMethod": [{"id": "#key-1", "type": "JsonWebKey2020", "controller": did,
                "publicKeyJwk": Value::Object(key.public_key().to_jwk())}],
            "authentication": ["#key-1"]
        }))
        .unwrap();
    let options = SignOptions {
        verification_method: Some(vm.clone()),
        ..SignOptions::default()
    };
    let doc = signed(&credential(), SignSuite::Jws2020, &key, &options);
    assert_eq!(
        code(&verify_document(&doc, &opts(&resolver)).unwrap()),
        "purpose-not-allowed"
    );
    // The same key under assertionMethod verifies.
    let mut ok = Resolver::new();
    ok.add_document(json!({
        "id": did,
        "verificationMethod": [{"id": vm, "type": "JsonWebKey2020", "controller": did,
            "publicKeyJwk": Value::Object(key.public_key().to_jwk())}],
        "assertionMethod": [vm]
    }))
    .unwrap();
    assert!(verify_document(&doc, &opts(&ok)).unwrap().is_valid());
    // A method the document does not contain.
    let mut other = doc.clone();
    other["proof"]["verificationMethod"] = json!(format!("{did}#key-2"));
    assert_eq!(
        code(&verify_document(&other, &opts(&ok)).unwrap()),
        "method-not-found"
    );
}

#[test]
fn rejects_modified_proof_options() {
    for suite in [SignSuite::Jws2020, SignSuite::EddsaRdfc2022] {
        let key = ed();
        let mut doc = credential();
        if suite == SignSuite::EddsaRdfc2022 {
            doc["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
            doc.as_object_mut().unwrap().remove("issuanceDate");
        }
        let options = SignOptions {
            created: Some("2024-01-01T00:00:00Z".into()),
            ..SignOptions::default()
        };
        let doc = signed(&doc, suite, &key, &options);
        assert!(
            verify_document(&doc, &opts(&Resolver::new()))
                .unwrap()
                .is_valid()
        );
        let mut created = doc.clone();
        created["proof"]["created"] = json!("2024-01-02T00:00:00Z");
        assert_eq!(
            code(&verify_document(&created, &opts(&Resolver::new())).unwrap()),
            "bad-signature"
        );
        // Another key of the same type, and its method: the signature no longer matches.
        let mut method = doc.clone();
        method["proof"]["verificationMethod"] = json!(default_verification_method(&ed()));
        assert_eq!(
            code(&verify_document(&method, &opts(&Resolver::new())).unwrap()),
            "bad-signature"
        );
    }
}

#[test]
fn gaiax_flavour_does_not_sign_proof_options() {
    // Documented property of the Gaia-X flavour: `created` is not covered by the signature.
    let key = ed();
    let doc = signed(
        &credential(),
        SignSuite::Jws2020GaiaX,
        &key,
        &SignOptions::default(),
    );
    let mut created = doc.clone();
    created["proof"]["created"] = json!("2030-01-02T00:00:00Z");
    let report = verify_document(&created, &opts(&Resolver::new())).unwrap();
    assert_eq!(report.proofs[0].flavour, Some(crate::Flavour::GaiaX));
}

#[test]
fn rejects_wrong_challenge_or_domain() {
    let key = ed();
    let options = SignOptions {
        challenge: Some("c-123".into()),
        domain: Some("verifier.example".into()),
        ..SignOptions::default()
    };
    for suite in [SignSuite::Jws2020, SignSuite::Jws2020GaiaX] {
        let vp = signed(&presentation(), suite, &key, &options);
        let resolver = Resolver::new();
        let mut o = opts(&resolver);
        o.challenge = Some("c-123");
        o.domain = Some("verifier.example");
        assert!(verify_document(&vp, &o).unwrap().is_valid());
        o.challenge = Some("c-999");
        assert_eq!(code(&verify_document(&vp, &o).unwrap()), "wrong-challenge");
        o.challenge = Some("c-123");
        o.domain = Some("evil.example");
        assert_eq!(code(&verify_document(&vp, &o).unwrap()), "wrong-domain");
        // Tampering the challenge in the proof breaks the spec flavour's signature.
        if suite == SignSuite::Jws2020 {
            let mut t = vp.clone();
            t["proof"]["challenge"] = json!("c-999");
            o.domain = Some("verifier.example");
            o.challenge = Some("c-999");
            assert_eq!(code(&verify_document(&t, &o).unwrap()), "bad-signature");
        }
    }
    // vp+jwt: nonce and aud.
    let mut vp = presentation();
    vp["holder"] = json!(crate::did_of(&default_verification_method(&key)));
    let Signed::Jwt(t) = sign(&vp, SignSuite::VcJwt, &key, &options, None).unwrap() else {
        unreachable!()
    };
    let resolver = Resolver::new();
    let mut o = opts(&resolver);
    o.challenge = Some("c-123");
    o.domain = Some("verifier.example");
    let report = verify(&t, &o).unwrap();
    assert_eq!(report.proofs[0].suite, crate::Suite::VpJwt);
    assert!(report.failures.is_empty(), "{report}");
    o.challenge = Some("c-999");
    assert_eq!(code(&verify(&t, &o).unwrap()), "wrong-challenge");
    o.challenge = Some("c-123");
    o.domain = Some("evil.example");
    assert_eq!(code(&verify(&t, &o).unwrap()), "wrong-domain");
}

#[test]
fn rejects_truncated_or_malformed_signatures() {
    let key = KeyPair::generate(Algorithm::Es256).unwrap();
    let doc = signed(
        &credential(),
        SignSuite::Jws2020,
        &key,
        &SignOptions::default(),
    );
    let jws = doc["proof"]["jws"].as_str().unwrap().to_owned();
    let (header, sig) = jws.split_once("..").unwrap();
    let sig = b64::decode(sig).unwrap();
    let mut truncated = doc.clone();
    truncated["proof"]["jws"] = json!(format!("{header}..{}", b64::encode(&sig[..sig.len() - 6])));
    assert_eq!(
        code(&verify_document(&truncated, &opts(&Resolver::new())).unwrap()),
        "malformed-signature"
    );
    for bad in [
        format!("{jws}!"),
        jws.replacen("..", ".", 1),
        String::from("eyJ.."),
    ] {
        let mut m = doc.clone();
        m["proof"]["jws"] = json!(bad);
        assert_eq!(
            code(&verify_document(&m, &opts(&Resolver::new())).unwrap()),
            "malformed-jws",
            "{bad}"
        );
    }
    // A JWT with its signature cut.
    let Signed::Jwt(t) = sign(
        &credential(),
        SignSuite::VcJwt,
        &key,
        &SignOptions::default(),
        None,
    )
    .unwrap() else {
        unreachable!()
    };
    let (signing_input, sig) = t.rsplit_once('.').unwrap();
    let sig = b64::decode(sig).unwrap();
    let cut = format!("{signing_input}.{}", b64::encode(&sig[..40]));
    assert_eq!(
        code(&verify(&cut, &opts(&Resolver::new())).unwrap()),
        "malformed-signature"
    );
    let mut flipped = t.clone().into_bytes();
    let last = flipped.len() - 5;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(
        code(&verify(&flipped, &opts(&Resolver::new())).unwrap()),
        "bad-signature"
    );
}

/// DER-encodes an r‖s ECDSA signature (what OpenSSL emits, and JWS forbids).
fn to_der(sig: &[u8]) -> Vec<u8> {
    let int = |x: &[u8]| {
        let mut x = x.to_vec();
        while x.len() > 1 && x[0] == 0 {
            x.remove(0);
        }
        if x[0] & 0x80 != 0 {
            x.insert(0, 0);
        }
        let mut out = vec![0x02, u8::try_from(x.len()).unwrap()];
        out.extend(x);
        out
    };
    let (r, s) = sig.split_at(sig.len() / 2);
    let mut body = int(r);
    body.extend(int(s));
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend(body);
    out
}

#[test]
fn rejects_ecdsa_signatures_in_der_encoding() {
    let key = KeyPair::generate(Algorithm::Es256).unwrap();
    let doc = signed(
        &credential(),
        SignSuite::Jws2020,
        &key,
        &SignOptions::default(),
    );
    let jws = doc["proof"]["jws"].as_str().unwrap();
    let (header, sig) = jws.split_once("..").unwrap();
    let der = to_der(&b64::decode(sig).unwrap());
    let mut m = doc.clone();
    m["proof"]["jws"] = json!(format!("{header}..{}", b64::encode(&der)));
    let report = verify_document(&m, &opts(&Resolver::new())).unwrap();
    assert_eq!(code(&report), "malformed-signature");
    assert!(report.reasons()[0].contains("DER"), "{report}");
}

#[test]
fn rejects_vc_and_vp_claims_and_bad_media_types() {
    let key = ed();
    let kid = default_verification_method(&key);
    let mut payload = credential();
    payload["vc"] = json!({});
    let t = jwt(
        &json!({"alg":"EdDSA","typ":"vc+jwt","kid":kid}),
        &payload,
        &key,
    );
    assert_eq!(
        code(&verify(&t, &opts(&Resolver::new())).unwrap()),
        "forbidden-claim"
    );
    let t = jwt(
        &json!({"alg":"EdDSA","typ":"application/json","kid":kid}),
        &credential(),
        &key,
    );
    assert_eq!(
        code(&verify(&t, &opts(&Resolver::new())).unwrap()),
        "media-type"
    );
    // The field variants are accepted.
    for typ in ["vc+ld+json+jwt", "vc+ld+jwt", "vc+jwt"] {
        let mut c = credential();
        c["issuer"] = json!(crate::did_of(&kid));
        let t = jwt(&json!({"alg":"EdDSA","typ":typ,"kid":kid}), &c, &key);
        let report = verify(&t, &opts(&Resolver::new())).unwrap();
        assert!(report.is_valid(), "{typ}: {report}");
    }
}

#[test]
fn garbage_inputs_never_panic() {
    let resolver = Resolver::new();
    let o = opts(&resolver);
    for input in [
        "",
        "{",
        "[]",
        "null",
        "\"x\"",
        "a.b.c",
        "....",
        "{\"proof\":1}",
        "{\"proof\":[1,2]}",
        "{\"type\":\"VerifiablePresentation\",\"verifiableCredential\":[1,\"x.y.z\",{}]}",
        "{\"proof\":{\"type\":\"JsonWebSignature2020\"}}",
        "{\"proof\":{\"type\":\"DataIntegrityProof\",\"cryptosuite\":\"eddsa-rdfc-2022\",\"proofPurpose\":\"assertionMethod\",\"verificationMethod\":\"did:key:zzz\"}}",
        "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        "eyJhbGciOiJFZERTQSIsImtpZCI6ImRpZDpqd2s6eCMwIn0.e30.AAAA",
    ] {
        let _ = verify(input, &o);
    }
}
