//! gx-attest and the Rust peers sign for each other: ssi both ways for JsonWebSignature2020,
//! eddsa-rdfc-2022, ecdsa-rdfc-2019 and VC-JOSE `vc+jwt`; josekit both ways for `vc+jwt`. Each
//! credential is also tampered with (its issuance date moved by a day) and must be refused by
//! both sides. Inputs are strict-valid credentials of the generated corpus of `gxa-conformance`
//! (VC 1.1 and 2.0, with language maps, lists, typed literals, scoped contexts …), issued by the
//! signing key's DID; verification at a fixed time.
//!
//! Known peer bug, asserted so that a fix is noticed: **ssi re-serialises the JWS header before
//! checking a JsonWebSignature2020 proof** instead of using the received bytes
//! (spruceid/ssi#701), so a valid proof whose header is `{"alg","b64","crit"}` (gx-attest's order,
//! and that of the JavaScript `jose` stacks and the Gaia-X tools) fails there with "invalid
//! signature", while its own order `{"alg","crit","b64"}` passes. That the two sides agree on
//! everything else is shown by the other direction: ssi's JsonWebSignature2020 proofs verify
//! here, which needs the same verify data (proof options and document hashes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test: a broken fixture must stop the run"
)]

use std::collections::BTreeMap;

use gxa_proof::{
    KeyPair, PinnedJsonLd, Resolver, SignOptions, SignSuite, Signed, Signer, VerifyOptions,
};
use gxa_rustpeers::{VERIFY_AT, josekit_peer, ssi_peer};
use serde_json::{Value, json};

const CREATED: &str = "2024-06-01T00:00:00Z";
/// Strict-valid generated credentials per VCDM version.
const PER_VERSION: usize = 8;

struct Key {
    label: &'static str,
    alg: &'static str,
    private: Value,
    pair: KeyPair,
}

impl Key {
    fn new(label: &'static str, alg: &'static str, private: Value) -> Self {
        let pair = KeyPair::from_jwk(&private)
            .unwrap()
            .with_algorithm(alg.parse().unwrap())
            .unwrap();
        Self {
            label,
            alg,
            private,
            pair,
        }
    }

    fn public(&self) -> Value {
        let mut jwk = self.private.clone();
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
            jwk.as_object_mut().unwrap().remove(private);
        }
        jwk
    }

    /// `did:jwk:…#0` (JsonWebKey2020), what JsonWebSignature2020 and VC-JOSE use.
    fn jwk_method(&self) -> String {
        gxa_proof::default_verification_method(&self.pair)
    }

    /// `did:key:z…#z…` (Multikey), what the Data Integrity suites use.
    fn key_method(&self) -> String {
        let did = gxa_proof::did_key(self.pair.public_key()).unwrap();
        let fragment = did.trim_start_matches("did:key:").to_owned();
        format!("{did}#{fragment}")
    }
}

fn ed25519() -> Key {
    Key::new(
        "Ed25519",
        "EdDSA",
        ssi_peer::generate_jwk("ed25519").unwrap(),
    )
}

fn keys() -> Vec<Key> {
    vec![
        Key::new(
            "Ed25519",
            "EdDSA",
            ssi_peer::generate_jwk("ed25519").unwrap(),
        ),
        Key::new("P-256", "ES256", ssi_peer::generate_jwk("p256").unwrap()),
        Key::new(
            "RSA-2048",
            "PS256",
            josekit_peer::generate_rsa_jwk().unwrap(),
        ),
    ]
}

fn did_of(method: &str) -> &str {
    method.split('#').next().unwrap()
}

/// Strict-valid generated credentials (gx-attest's strict expansion accepts them), VC 1.1 and/or
/// 2.0, re-issued by `did`, on which ssi's canonicalization agrees.
fn credentials(v11: bool, v20: bool, did: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let (mut n11, mut n20) = (0, 0);
    for (name, mut doc) in gxa_conformance::generate::credentials(7, 4000) {
        let is_v20 = name.ends_with("vc20");
        let (wanted, count) = if is_v20 {
            (v20, &mut n20)
        } else {
            (v11, &mut n11)
        };
        if !wanted || *count == PER_VERSION {
            continue;
        }
        if is_v20 {
            doc["issuer"]["id"] = json!(did);
        } else {
            doc["issuer"] = json!(did);
        }
        // Only credentials whose canonical form ssi computes right (`tests/canonical.rs` lists
        // the constructs it gets wrong: lists of values, language tag case, control
        // characters, some numbers): here the suites are under test, not the canonicalization.
        if has_large_number(&doc) {
            continue; // ssi panics on these: `ssi_panics_on_large_numbers`
        }
        let ours = gxa_proof::Canonicalizer::canonicalize(&PinnedJsonLd, &doc);
        let theirs = ssi_peer::canonical_nquads(&serde_json::to_string(&doc).unwrap());
        if ours.is_ok() && ours.ok() == theirs.ok() {
            *count += 1;
            out.push(doc);
        }
    }
    assert_eq!(
        out.len(),
        PER_VERSION * (usize::from(v11) + usize::from(v20))
    );
    out
}

/// A number at or beyond 2^53 in magnitude, or written with an exponent.
fn has_large_number(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            text.contains(['e', 'E'])
                || n.as_f64()
                    .is_some_and(|f| f.abs() >= 9_007_199_254_740_992.0)
        }
        Value::Array(items) => items.iter().any(has_large_number),
        Value::Object(map) => map.values().any(has_large_number),
        _ => false,
    }
}

fn tamper_document(doc: &Value) -> Value {
    let mut doc = doc.clone();
    for date in ["issuanceDate", "validFrom"] {
        if doc.get(date).is_some() {
            doc[date] = json!("2024-01-02T00:00:00Z");
        }
    }
    doc
}

/// The same for a compact JWS: the payload re-encoded with the date moved, signature kept.
fn tamper_jwt(jwt: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    let payload = tamper_document(&payload);
    format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    )
}

fn our_verify(input: &str) -> Result<(), String> {
    let resolver = Resolver::new();
    let mut opts = VerifyOptions::new(&resolver);
    opts.canonicalizer = Some(&PinnedJsonLd);
    opts.at = gxa_proof::parse_rfc3339(VERIFY_AT);
    let report = gxa_proof::verify(input, &opts).map_err(|e| e.to_string())?;
    if report.is_valid() {
        Ok(())
    } else {
        Err(report.reasons().join("; "))
    }
}

fn our_sign(doc: &Value, suite: SignSuite, key: &Key, method: &str) -> Signed {
    let options = SignOptions {
        verification_method: Some(method.to_owned()),
        created: Some(CREATED.to_owned()),
        ..SignOptions::default()
    };
    // The suite's context added as `gx-attest sign` does (JsonWebSignature2020 on VC 1.1).
    let doc = gxa_proof::with_proof_context(doc.clone(), suite);
    gxa_proof::sign(&doc, suite, &key.pair, &options, Some(&PinnedJsonLd)).unwrap()
}

fn text(signed: &Signed) -> String {
    match signed {
        Signed::Document(doc) => serde_json::to_string(doc).unwrap(),
        Signed::Jwt(jwt) => jwt.clone(),
    }
}

/// Per direction: how many credentials verified, were refused when tampered, and (for the
/// known bug) were refused as the bug predicts.
#[derive(Default, Debug)]
struct Counts {
    verified: usize,
    tampered_refused: usize,
    known_bug: usize,
}

type Tally = BTreeMap<String, Counts>;

fn print(tally: &Tally) {
    for (direction, counts) in tally {
        println!(
            "{direction}: {} verified, {} tampered copies refused, {} known-bug refusals",
            counts.verified, counts.tampered_refused, counts.known_bug
        );
    }
}

#[test]
fn data_integrity_proofs_cross_verify_with_ssi() {
    let mut tally = Tally::new();
    for key in keys() {
        let mut suites = vec![(
            ssi_peer::Suite::Jws2020,
            SignSuite::Jws2020,
            key.jwk_method(),
            true,
        )];
        match key.label {
            "Ed25519" => suites.push((
                ssi_peer::Suite::EddsaRdfc2022,
                SignSuite::EddsaRdfc2022,
                key.key_method(),
                false,
            )),
            "P-256" => suites.push((
                ssi_peer::Suite::EcdsaRdfc2019,
                SignSuite::EcdsaRdfc2019,
                key.key_method(),
                false,
            )),
            _ => {}
        }
        for (peer_suite, our_suite, method, v11) in suites {
            let label = format!("{our_suite:?} {}", key.label);
            // JsonWebSignature2020 on VC 1.1 (as Gaia-X Tagus uses it; the VC 2.0 context does not
            // define it), the Data Integrity suites on VC 2.0.
            for doc in credentials(v11, !v11, did_of(&method)) {
                // ssi → gx-attest
                let theirs = ssi_peer::sign(&doc, peer_suite, &key.private, &method, CREATED)
                    .unwrap_or_else(|e| panic!("{label}: ssi could not sign: {e}\n{doc:#}"));
                let theirs_text = serde_json::to_string(&theirs).unwrap();
                ssi_peer::verify(&theirs_text)
                    .unwrap_or_else(|e| panic!("{label}: ssi refuses its own proof: {e}"));
                our_verify(&theirs_text).unwrap_or_else(|e| {
                    panic!("{label}: ssi → gx-attest refused: {e}\n{theirs:#}")
                });
                if our_suite == SignSuite::Jws2020 {
                    // ssi#701 in the other direction comes from this: ssi writes its header
                    // in another key order than gx-attest (both valid JSON).
                    let order = |jws: &Value| {
                        use base64::Engine as _;
                        let header = jws.as_str().unwrap().split('.').next().unwrap();
                        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
                            .decode(header)
                            .unwrap();
                        let header = String::from_utf8(header).unwrap();
                        ["alg", "b64", "crit"].map(|k| header.find(&format!("\"{k}\"")).unwrap())
                    };
                    let [alg, b64, crit] = order(&theirs["proof"]["jws"]);
                    assert!(alg < crit && crit < b64, "ssi: alg, crit, b64");
                    let Signed::Document(ours) = our_sign(&doc, our_suite, &key, &method) else {
                        unreachable!()
                    };
                    let [alg, b64, crit] = order(&ours["proof"]["jws"]);
                    assert!(alg < b64 && b64 < crit, "gx-attest: alg, b64, crit");
                }
                let counts = tally
                    .entry(format!("ssi → gx-attest, {label}"))
                    .or_default();
                counts.verified += 1;
                let mut forged = tamper_document(&theirs);
                forged["proof"] = theirs["proof"].clone();
                assert!(our_verify(&serde_json::to_string(&forged).unwrap()).is_err());
                assert!(ssi_peer::verify(&serde_json::to_string(&forged).unwrap()).is_err());
                counts.tampered_refused += 1;

                // gx-attest → ssi
                let ours = our_sign(&doc, our_suite, &key, &method);
                let ours_text = text(&ours);
                our_verify(&ours_text).unwrap();
                let counts = tally
                    .entry(format!("gx-attest → ssi, {label}"))
                    .or_default();
                match (our_suite, ssi_peer::verify(&ours_text)) {
                    (SignSuite::Jws2020, Err(e)) if e.message.contains("signature") => {
                        // spruceid/ssi#701: see the module documentation.
                        counts.known_bug += 1;
                    }
                    (_, Ok(())) => counts.verified += 1,
                    (_, Err(e)) => panic!("{label}: gx-attest → ssi refused: {e}\n{ours_text}"),
                }
                let Signed::Document(signed) = &ours else {
                    unreachable!()
                };
                let mut forged = tamper_document(signed);
                forged["proof"] = signed["proof"].clone();
                let forged = serde_json::to_string(&forged).unwrap();
                assert!(our_verify(&forged).is_err());
                assert!(ssi_peer::verify(&forged).is_err());
                counts.tampered_refused += 1;
            }
        }
    }
    print(&tally);
    for (direction, counts) in &tally {
        let expected = PER_VERSION;
        assert_eq!(counts.verified + counts.known_bug, expected, "{direction}");
        assert_eq!(counts.tampered_refused, expected, "{direction}");
        if direction.starts_with("gx-attest → ssi") && direction.contains("Jws2020") {
            assert_eq!(
                counts.known_bug, expected,
                "spruceid/ssi#701 seems fixed: {direction} verified {}; update the test",
                counts.verified
            );
        }
    }
}

#[test]
fn undefined_terms_are_refused_by_both_signers() {
    let key = ed25519();
    let method = key.key_method();
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did_of(&method),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:s", "undefinedTerm": "x"},
    });
    let options = SignOptions {
        verification_method: Some(method.clone()),
        created: Some(CREATED.to_owned()),
        ..SignOptions::default()
    };
    let ours = gxa_proof::sign(
        &doc,
        SignSuite::EddsaRdfc2022,
        &key.pair,
        &options,
        Some(&PinnedJsonLd),
    );
    assert!(ours.is_err(), "{ours:?}");
    let theirs = ssi_peer::sign(
        &doc,
        ssi_peer::Suite::EddsaRdfc2022,
        &key.private,
        &method,
        CREATED,
    );
    let e = theirs.unwrap_err();
    assert!(e.message.contains("undefinedTerm"), "{e}");
}

#[test]
fn vc_jwt_cross_verifies_with_ssi_and_josekit() {
    let mut tally = Tally::new();
    let mut all = keys();
    // RS256 as well for josekit (gx-attest signs what keys.toml names).
    let rsa = all[2].private.clone();
    all.push(Key::new("RSA-2048", "RS256", rsa));
    for key in &all {
        let method = key.jwk_method();
        let label = format!("{} {}", key.label, key.alg);
        for doc in credentials(false, true, did_of(&method)) {
            let ours = text(&our_sign(&doc, SignSuite::VcJwt, key, &method));
            our_verify(&ours).unwrap();
            let forged = tamper_jwt(&ours);
            assert!(our_verify(&forged).is_err());

            // gx-attest → josekit
            let (payload, typ) = josekit_peer::verify(&ours, &key.public(), key.alg)
                .unwrap_or_else(|e| panic!("{label}: gx-attest → josekit refused: {e}"));
            assert_eq!(payload, doc, "{label}: the payload is the credential");
            assert_eq!(typ.as_deref(), Some("vc+jwt"));
            assert!(josekit_peer::verify(&forged, &key.public(), key.alg).is_err());
            let c = tally
                .entry(format!("gx-attest → josekit, vc+jwt {label}"))
                .or_default();
            c.verified += 1;
            c.tampered_refused += 1;

            // josekit → gx-attest
            let theirs = josekit_peer::sign_vc_jwt(&doc, &key.private, key.alg, &method).unwrap();
            our_verify(&theirs)
                .unwrap_or_else(|e| panic!("{label}: josekit → gx-attest refused: {e}"));
            assert!(our_verify(&tamper_jwt(&theirs)).is_err());
            let c = tally
                .entry(format!("josekit → gx-attest, vc+jwt {label}"))
                .or_default();
            c.verified += 1;
            c.tampered_refused += 1;

            if key.alg == "RS256" {
                continue; // ssi signs RSA keys PS256 only
            }
            // ssi → gx-attest, with `typ: vc+jwt`
            let theirs = ssi_peer::sign_vc_jwt(&doc, &key.private, &method).unwrap();
            if key.label.starts_with("RSA") {
                // ssi resolves an RSA did:jwk without its key: it refuses even its own RSA
                // JWTs ("missing public key"), so only gx-attest verifies them.
                let e = ssi_peer::verify_vc_jwt(&theirs).unwrap_err();
                assert!(e.message.contains("missing public key"), "{e}");
                assert!(ssi_peer::verify_vc_jwt(&ours).is_err());
                tally
                    .entry(format!("gx-attest → ssi, vc+jwt {label}"))
                    .or_default()
                    .known_bug += 1;
            } else {
                ssi_peer::verify_vc_jwt(&theirs)
                    .unwrap_or_else(|e| panic!("{label}: ssi refuses its own vc+jwt: {e}"));
            }
            our_verify(&theirs)
                .unwrap_or_else(|e| panic!("{label}: ssi vc+jwt → gx-attest refused: {e}"));
            assert!(our_verify(&tamper_jwt(&theirs)).is_err());
            let c = tally
                .entry(format!("ssi → gx-attest, vc+jwt {label}"))
                .or_default();
            c.verified += 1;
            c.tampered_refused += 1;
            // ssi's own `JoseVc` writes `typ: vc-ld+jwt`, `cty: vc`: a media type no version of
            // VC-JOSE-COSE defines (the Recommendation and Gaia-X Loire: `vc+jwt`; its drafts:
            // `vc+ld+jwt`), refused here for what it says it is, not for its signature.
            let jose_vc = ssi_peer::sign_jose_vc(&doc, &key.private, &method).unwrap();
            let refused = our_verify(&jose_vc).unwrap_err();
            assert!(refused.contains("vc-ld+jwt"), "{refused}");
            tally
                .entry(format!("ssi → gx-attest, JoseVc vc-ld+jwt {label}"))
                .or_default()
                .known_bug += 1;

            if key.label.starts_with("RSA") {
                continue;
            }
            // gx-attest → ssi
            ssi_peer::verify_vc_jwt(&ours)
                .unwrap_or_else(|e| panic!("{label}: gx-attest → ssi refused: {e}"));
            assert!(ssi_peer::verify_vc_jwt(&forged).is_err());
            let c = tally
                .entry(format!("gx-attest → ssi, vc+jwt {label}"))
                .or_default();
            c.verified += 1;
            c.tampered_refused += 1;
        }
    }
    print(&tally);
    assert_eq!(tally.len(), 4 * 2 + 3 * 3);
    for (direction, counts) in &tally {
        if direction.contains("JoseVc") || direction.starts_with("gx-attest → ssi, vc+jwt RSA") {
            assert_eq!(counts.known_bug, PER_VERSION, "{direction}");
        } else {
            assert_eq!(counts.verified, PER_VERSION, "{direction}");
            assert_eq!(counts.tampered_refused, PER_VERSION, "{direction}");
        }
    }
}

/// ssi panics (an `unwrap` on serde_json's "number too large", with the `arbitrary_precision`
/// it needs) when it signs a VCDM 2.0 credential with a number such as 1e21; gx-attest signs
/// and verifies it.
#[test]
fn ssi_panics_on_large_numbers() {
    let key = ed25519();
    let method = key.key_method();
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", {"amount": "https://vocab.example/amount"}],
        "type": ["VerifiableCredential"],
        "issuer": did_of(&method),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:s", "amount": 1e21},
    });
    let e = ssi_peer::sign(
        &doc,
        ssi_peer::Suite::EddsaRdfc2022,
        &key.private,
        &method,
        CREATED,
    )
    .unwrap_err();
    assert!(e.message.starts_with("panicked"), "{e}");
    let e = ssi_peer::sign_jose_vc(&doc, &key.private, &key.jwk_method()).unwrap_err();
    assert!(e.message.starts_with("panicked"), "{e}");
    let ours = our_sign(&doc, SignSuite::EddsaRdfc2022, &key, &method);
    our_verify(&text(&ours)).unwrap();
}

/// What ssi's canonical form leaves out (`tests/canonical.rs`: the values of a list) its
/// signature does not cover: a list item changed after ssi signed still verifies with ssi.
/// gx-attest refuses the changed credential (and the unchanged one too, since ssi hashed a
/// form without the list's values).
#[test]
fn ssi_signatures_do_not_cover_list_values() {
    let key = ed25519();
    let method = key.key_method();
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
            {"steps": {"@id": "https://vocab.example/steps", "@container": "@list"}}],
        "type": ["VerifiableCredential"],
        "issuer": did_of(&method),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:s", "steps": ["pay 10 EUR", "ship"]},
    });
    let signed = ssi_peer::sign(
        &doc,
        ssi_peer::Suite::EddsaRdfc2022,
        &key.private,
        &method,
        CREATED,
    )
    .unwrap();
    ssi_peer::verify(&serde_json::to_string(&signed).unwrap()).unwrap();
    let mut changed = signed.clone();
    changed["credentialSubject"]["steps"][0] = json!("pay 10000 EUR");
    let changed = serde_json::to_string(&changed).unwrap();
    ssi_peer::verify(&changed).expect("ssi does not see the change (known bug)");
    assert!(our_verify(&changed).is_err());
    assert!(our_verify(&serde_json::to_string(&signed).unwrap()).is_err());
}
