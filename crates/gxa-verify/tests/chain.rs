//! `x5u` chains and trust anchors (the `certificate_chain` check): chains made with rcgen per test,
//! validated with `validate_chain`, each failure with its specific reason.

#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::path::PathBuf;

use gxa_proof::{Algorithm, KeyPair as GxKey, Signer};
use gxa_testkit::pki::{Ca, ca_params, ev_extension, intermediate, leaf, leaf_params, root};
use gxa_verify::{ChainError, ChainPolicy, TrustAnchors, jwk_matches_spki, validate_chain};
use rcgen::{
    CertificateParams, ExtendedKeyUsagePurpose, Issuer, KeyPair, PublicKeyData, date_time_ymd,
};
use serde_json::Value;

/// root → intermediate → leaf, with the leaf's PEM, the intermediate's and the root's.
struct Chain {
    root: Ca,
    inter: Ca,
    leaf_pem: String,
}

fn chain_with(params: &CertificateParams, key: &KeyPair) -> Chain {
    let root = root("Test Root");
    let inter = intermediate("Test Intermediate", &root);
    let leaf_pem = leaf(params, key, &inter);
    Chain {
        root,
        inter,
        leaf_pem,
    }
}

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

const NOW: &str = "2026-06-01T00:00:00Z";
const NO_EV: ChainPolicy = ChainPolicy { require_ev: false };

fn anchors(ca: &Ca) -> TrustAnchors {
    TrustAnchors::from_pem(ca.pem.as_bytes()).unwrap()
}

#[test]
fn valid_chain_leaf_intermediate_root() {
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    let a = anchors(&c.root);
    // With and without the root in the document.
    for pem in [
        format!("{}{}{}", c.leaf_pem, c.inter.pem, c.root.pem),
        format!("{}{}", c.leaf_pem, c.inter.pem),
    ] {
        let v = validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV).unwrap();
        assert_eq!(v.leaf_subject, "CN=provider.example");
        assert_eq!(v.root_subject, "CN=Test Root");
        assert_eq!(v.not_after, at("2027-01-01T00:00:00Z"));
        assert!(!v.ev);
        assert_eq!(v.leaf_public_key_spki_der, key.subject_public_key_info());
    }
    // CRLF line endings and text around the sections (as some servers and tools write).
    let crlf =
        format!("chain for provider.example\n{}{}", c.leaf_pem, c.inter.pem).replace('\n', "\r\n");
    let v = validate_chain(crlf.as_bytes(), &a, at(NOW), &NO_EV).unwrap();
    assert_eq!(v.leaf_subject, "CN=provider.example");
}

#[test]
fn expired_and_not_yet_valid_leaves() {
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    let a = anchors(&c.root);
    let pem = format!("{}{}", c.leaf_pem, c.inter.pem);
    // Valid now (and remembered as validated): other times are still checked.
    validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV).unwrap();
    let err = validate_chain(pem.as_bytes(), &a, at("2027-06-01T00:00:00Z"), &NO_EV).unwrap_err();
    assert_eq!(
        err,
        ChainError::Expired {
            subject: "CN=provider.example".into(),
            not_after: "2027-01-01T00:00:00Z".into()
        }
    );
    let err = validate_chain(pem.as_bytes(), &a, at("2024-06-01T00:00:00Z"), &NO_EV).unwrap_err();
    assert_eq!(
        err,
        ChainError::NotYetValid {
            subject: "CN=provider.example".into(),
            not_before: "2025-01-01T00:00:00Z".into()
        }
    );
    let err = validate_chain(pem.as_bytes(), &a, at("1960-01-01T00:00:00Z"), &NO_EV).unwrap_err();
    assert!(matches!(err, ChainError::InvalidTime(_)), "{err:?}");
}

#[test]
fn expired_intermediate_is_named() {
    let root = root("Test Root");
    let inter_key = KeyPair::generate().unwrap();
    let mut inter_params = ca_params("Short-lived Intermediate");
    inter_params.not_after = date_time_ymd(2026, 3, 1);
    let inter_pem = inter_params
        .signed_by(&inter_key, &root.issuer)
        .unwrap()
        .pem();
    let inter = Ca {
        pem: inter_pem,
        issuer: Issuer::new(inter_params, inter_key),
    };
    let key = KeyPair::generate().unwrap();
    let leaf_pem = leaf(&leaf_params("provider.example"), &key, &inter);
    let pem = format!("{leaf_pem}{}", inter.pem);
    let a = anchors(&root);
    let v = validate_chain(pem.as_bytes(), &a, at("2026-02-01T00:00:00Z"), &NO_EV).unwrap();
    assert_eq!(
        v.not_after,
        at("2026-03-01T00:00:00Z"),
        "the chain ends with the intermediate"
    );
    let err = validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV).unwrap_err();
    assert_eq!(
        err,
        ChainError::Expired {
            subject: "CN=Short-lived Intermediate".into(),
            not_after: "2026-03-01T00:00:00Z".into()
        }
    );
}

#[test]
fn untrusted_root_and_missing_intermediate() {
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    let other = root("Some Other Root");
    let untrusted = anchors(&other);
    let full = format!("{}{}{}", c.leaf_pem, c.inter.pem, c.root.pem);
    let err = validate_chain(full.as_bytes(), &untrusted, at(NOW), &NO_EV).unwrap_err();
    assert_eq!(
        err,
        ChainError::UntrustedRoot {
            root: "CN=Test Root".into()
        }
    );
    assert!(err.to_string().contains("not a trust anchor"));

    let a = anchors(&c.root);
    for pem in [c.leaf_pem.clone(), format!("{}{}", c.leaf_pem, c.root.pem)] {
        let err = validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV).unwrap_err();
        assert_eq!(
            err,
            ChainError::MissingIntermediate {
                subject: "CN=provider.example".into(),
                issuer: "CN=Test Intermediate".into()
            },
            "{pem}"
        );
    }
}

#[test]
fn wrong_order_is_reported() {
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    let a = anchors(&c.root);
    let err = validate_chain(
        format!("{}{}{}", c.inter.pem, c.leaf_pem, c.root.pem).as_bytes(),
        &a,
        at(NOW),
        &NO_EV,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ChainError::WrongOrder {
            position: 1,
            subject: "CN=Test Intermediate".into()
        }
    );
    let err = validate_chain(
        format!("{}{}{}", c.leaf_pem, c.root.pem, c.inter.pem).as_bytes(),
        &a,
        at(NOW),
        &NO_EV,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ChainError::WrongOrder {
            position: 2,
            subject: "CN=Test Root".into()
        }
    );
}

#[test]
fn intermediate_that_is_not_a_ca() {
    let root = root("Test Root");
    // An end-entity certificate (no CA basic constraints) used as an issuer.
    let fake_key = KeyPair::generate().unwrap();
    let fake_params = leaf_params("Not A CA");
    let fake_pem = fake_params
        .signed_by(&fake_key, &root.issuer)
        .unwrap()
        .pem();
    let fake = Ca {
        pem: fake_pem,
        issuer: Issuer::new(fake_params, fake_key),
    };
    let key = KeyPair::generate().unwrap();
    let leaf_pem = leaf(&leaf_params("provider.example"), &key, &fake);
    let err = validate_chain(
        format!("{leaf_pem}{}", fake.pem).as_bytes(),
        &anchors(&root),
        at(NOW),
        &NO_EV,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ChainError::NotCa {
            subject: "CN=Not A CA".into()
        }
    );
}

#[test]
fn forged_signature_is_reported() {
    // A second "Test Intermediate" with another key: names chain, signatures do not.
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    let impostor = intermediate("Test Intermediate", &root("Test Root"));
    let err = validate_chain(
        format!("{}{}", c.leaf_pem, impostor.pem).as_bytes(),
        &anchors(&c.root),
        at(NOW),
        &NO_EV,
    )
    .unwrap_err();
    assert_eq!(err, ChainError::BadSignature, "{err}");
}

#[test]
fn ev_policy_required_missing_and_present() {
    let key = KeyPair::generate().unwrap();
    let plain = chain_with(&leaf_params("provider.example"), &key);
    let pem = format!("{}{}", plain.leaf_pem, plain.inter.pem);
    let ev = ChainPolicy { require_ev: true };
    let err = validate_chain(pem.as_bytes(), &anchors(&plain.root), at(NOW), &ev).unwrap_err();
    assert_eq!(
        err,
        ChainError::NoEvPolicy {
            subject: "CN=provider.example".into()
        }
    );

    let mut params = leaf_params("provider.example");
    params.custom_extensions.push(ev_extension());
    let with_ev = chain_with(&params, &key);
    let pem = format!("{}{}", with_ev.leaf_pem, with_ev.inter.pem);
    let v = validate_chain(pem.as_bytes(), &anchors(&with_ev.root), at(NOW), &ev).unwrap();
    assert!(v.ev);
    let v = validate_chain(pem.as_bytes(), &anchors(&with_ev.root), at(NOW), &NO_EV).unwrap();
    assert!(v.ev, "EV is reported even when not required");
}

#[test]
fn extended_key_usage_server_auth_if_present() {
    let key = KeyPair::generate().unwrap();
    let mut tls = leaf_params("provider.example");
    tls.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let c = chain_with(&tls, &key);
    validate_chain(
        format!("{}{}", c.leaf_pem, c.inter.pem).as_bytes(),
        &anchors(&c.root),
        at(NOW),
        &NO_EV,
    )
    .unwrap();

    let mut mail = leaf_params("provider.example");
    mail.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    let c = chain_with(&mail, &key);
    let err = validate_chain(
        format!("{}{}", c.leaf_pem, c.inter.pem).as_bytes(),
        &anchors(&c.root),
        at(NOW),
        &NO_EV,
    )
    .unwrap_err();
    assert_eq!(err, ChainError::KeyUsage);
}

#[test]
fn malformed_and_empty_documents() {
    let a = anchors(&root("Test Root"));
    type Expect = fn(&ChainError) -> bool;
    let cases: [(&[u8], Expect); 5] = [
        (b"", |e| *e == ChainError::Empty),
        (b"just some text\n", |e| *e == ChainError::Empty),
        (
            b"-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
            |e| matches!(e, ChainError::Malformed(_)),
        ),
        (b"-----BEGIN CERTIFICATE-----\nMIIBCgKCAQEA\n", |e| {
            matches!(e, ChainError::Malformed(_))
        }),
        // Valid base64, not a certificate.
        (
            b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
            |e| matches!(e, ChainError::Malformed(_)),
        ),
    ];
    for (pem, expected) in cases {
        let err = validate_chain(pem, &a, at(NOW), &NO_EV).unwrap_err();
        assert!(
            expected(&err),
            "{:?}: {err:?}",
            String::from_utf8_lossy(pem)
        );
    }
    // Too many certificates.
    let c = root("Test Root");
    let many = c.pem.repeat(11);
    let err = validate_chain(many.as_bytes(), &a, at(NOW), &NO_EV).unwrap_err();
    assert_eq!(err, ChainError::TooManyCertificates(11));
}

/// The leaf of a chain for a gx-attest key, and that key's public JWK.
fn chain_for(alg: Algorithm) -> (Chain, Value) {
    let gx = GxKey::generate(alg).unwrap();
    let jwk = Value::Object(gx.public_key().to_jwk());
    let key = KeyPair::from_pem(&gx.to_pkcs8_pem().unwrap()).unwrap();
    (chain_with(&leaf_params("provider.example"), &key), jwk)
}

#[test]
fn jwk_must_match_the_leaf_key() {
    for alg in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Ps256] {
        let (c, jwk) = chain_for(alg);
        let v = validate_chain(
            format!("{}{}", c.leaf_pem, c.inter.pem).as_bytes(),
            &anchors(&c.root),
            at(NOW),
            &NO_EV,
        )
        .unwrap();
        assert!(
            jwk_matches_spki(&jwk, &v.leaf_public_key_spki_der),
            "{alg:?}"
        );
        // Another key of the same type does not match.
        let other = Value::Object(GxKey::generate(alg).unwrap().public_key().to_jwk());
        assert!(
            !jwk_matches_spki(&other, &v.leaf_public_key_spki_der),
            "{alg:?}"
        );
        // Nor a key of another type, nor garbage.
        let foreign = if alg == Algorithm::EdDsa {
            Algorithm::Es256
        } else {
            Algorithm::EdDsa
        };
        let foreign = Value::Object(GxKey::generate(foreign).unwrap().public_key().to_jwk());
        assert!(
            !jwk_matches_spki(&foreign, &v.leaf_public_key_spki_der),
            "{alg:?}"
        );
        assert!(!jwk_matches_spki(
            &serde_json::json!({"kty": "OKP"}),
            &v.leaf_public_key_spki_der
        ));
        assert!(!jwk_matches_spki(&jwk, b"\x30\x03\x02\x01\x00"));
        // Extra JWK members (x5u, alg, kid) do not matter.
        let mut with_x5u = jwk.clone();
        with_x5u["x5u"] = "https://provider.example/.well-known/x509CertificateChain.pem".into();
        with_x5u["kid"] = "key-1".into();
        assert!(
            jwk_matches_spki(&with_x5u, &v.leaf_public_key_spki_der),
            "{alg:?}"
        );
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gxa-verify-chain-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn anchors_reload_from_a_file() {
    let dir = temp_dir("file");
    let file = dir.join("anchors.pem");
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    let pem = format!("{}{}{}", c.leaf_pem, c.inter.pem, c.root.pem);
    let old = root("Old Root");
    std::fs::write(&file, &old.pem).unwrap();
    let a = TrustAnchors::from_path(&file).unwrap();
    let shared = a.clone();
    assert_eq!(a.len(), 1);
    assert!(matches!(
        validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV),
        Err(ChainError::UntrustedRoot { .. })
    ));

    // Replaced: the new root is accepted, through every clone.
    std::fs::write(&file, format!("{}{}", old.pem, c.root.pem)).unwrap();
    assert_eq!(a.reload().unwrap(), 2);
    validate_chain(pem.as_bytes(), &shared, at(NOW), &NO_EV).unwrap();

    // Broken: the old set stays.
    std::fs::write(
        &file,
        "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    assert!(matches!(a.reload(), Err(ChainError::Anchors { .. })));
    assert_eq!(a.len(), 2);
    validate_chain(pem.as_bytes(), &shared, at(NOW), &NO_EV).unwrap();
    std::fs::write(&file, "no certificates here\n").unwrap();
    assert!(matches!(a.reload(), Err(ChainError::Anchors { .. })));
    std::fs::remove_file(&file).unwrap();
    assert!(matches!(a.reload(), Err(ChainError::Anchors { .. })));
    assert_eq!(a.len(), 2);
    validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV).unwrap();

    // The root removed again: the chain validated before is not trusted any more.
    std::fs::write(&file, &old.pem).unwrap();
    assert_eq!(a.reload().unwrap(), 1);
    assert!(matches!(
        validate_chain(pem.as_bytes(), &shared, at(NOW), &NO_EV),
        Err(ChainError::UntrustedRoot { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn anchors_from_a_directory() {
    let dir = temp_dir("dir");
    let key = KeyPair::generate().unwrap();
    let c = chain_with(&leaf_params("provider.example"), &key);
    std::fs::write(dir.join("a-other.pem"), root("Other Root").pem).unwrap();
    std::fs::write(dir.join("README"), "not a certificate").unwrap();
    let a = TrustAnchors::from_path(&dir).unwrap();
    assert_eq!(a.len(), 1);
    std::fs::write(dir.join("b-test.crt"), &c.root.pem).unwrap();
    assert_eq!(a.reload().unwrap(), 2);
    assert_eq!(
        a.subjects(),
        vec!["CN=Other Root".to_owned(), "CN=Test Root".to_owned()]
    );
    let pem = format!("{}{}", c.leaf_pem, c.inter.pem);
    let v = validate_chain(pem.as_bytes(), &a, at(NOW), &NO_EV).unwrap();
    assert_eq!(v.root_subject, "CN=Test Root");
    std::fs::remove_dir_all(&dir).unwrap();

    let empty = temp_dir("empty");
    assert!(matches!(
        TrustAnchors::from_path(&empty),
        Err(ChainError::Anchors { .. })
    ));
    std::fs::remove_dir_all(&empty).unwrap();
    assert!(matches!(
        TrustAnchors::from_pem(b"nothing"),
        Err(ChainError::Anchors { .. })
    ));
}

/// The development key set validates against its own CA as the only anchor, and each JWK in
/// its did.json is its chain's leaf key.
#[test]
fn dev_key_set_chains_validate_against_their_own_root() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../keys.example");
    let did: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("did.json")).unwrap()).unwrap();
    let mut checked = 0;
    for (file, fragment) in [
        ("x509CertificateChain.pem", "ps256-dev"),
        ("x509CertificateChain-eddsa.pem", "eddsa-dev"),
        ("x509CertificateChain-es256-retired.pem", "es256-2025"),
    ] {
        let pem = std::fs::read(dir.join(file)).unwrap();
        let root = pem_blocks(&pem).pop().unwrap();
        let a = TrustAnchors::from_pem(root.as_bytes()).unwrap();
        let v = validate_chain(&pem, &a, jiff::Timestamp::now(), &NO_EV).unwrap();
        assert_eq!(
            v.root_subject,
            "CN=gx-attest DEVELOPMENT CA (not a trust anchor), O=gx-attest development"
        );
        let jwk = did["verificationMethod"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"].as_str().unwrap().ends_with(&format!("#{fragment}")))
            .map(|m| &m["publicKeyJwk"]);
        if let Some(jwk) = jwk {
            assert!(jwk_matches_spki(jwk, &v.leaf_public_key_spki_der), "{file}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "did.json lists the keys with x5u chains");
}

fn pem_blocks(pem: &[u8]) -> Vec<String> {
    let text = String::from_utf8(pem.to_vec()).unwrap();
    text.split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("BEGIN CERTIFICATE"))
        .map(str::to_owned)
        .collect()
}
