//! PKCS#11 signing against SoftHSM2 (Debian package `softhsm2`): keys generated on the token
//! (sensitive, non-extractable) sign EdDSA, ES256, ES384, PS256 and RS256; the signatures
//! verify with the public key read from the token.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` at `C_Initialize`. The test sets up a private token
//! directory and re-runs itself with that variable (setting it in-process would need
//! `unsafe`), so it never touches the system token store.
#![cfg(feature = "pkcs11")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers"
)]

use std::process::Command;

use gxa_proof::{
    Algorithm, PinnedJsonLd, Pkcs11Signer, Resolver, SignOptions, SignSuite, Signed, Signer,
    VerifyOptions, generate_on_token, sign, verify,
};
use serde_json::json;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const INNER: &str = "GXA_PKCS11_INNER";

#[test]
fn softhsm2_signing() {
    if !std::path::Path::new(MODULE).exists() {
        // `tests/services/up.sh run` (the README's test command) and `.ci/run` install
        // softhsm2; a plain `cargo test` on a machine without it skips, loudly, outside CI.
        assert!(
            std::env::var_os("CI").is_none(),
            "{MODULE} missing: apt-get install -y softhsm2"
        );
        eprintln!("SKIPPED softhsm2_signing: {MODULE} missing (apt-get install -y softhsm2)");
        return;
    }
    if std::env::var_os(INNER).is_none() {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let init = Command::new("softhsm2-util")
            .args([
                "--init-token",
                "--free",
                "--label",
                "gx-test",
                "--so-pin",
                "0000",
                "--pin",
                "1234",
            ])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "softhsm2_signing",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SOFTHSM2_CONF", &conf)
            .env(INNER, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 passed"), "{stdout}");
        return;
    }
    inner();
}

fn inner() {
    let credential = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:hsm",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"}
    });
    for alg in [
        Algorithm::EdDsa,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Ps256,
        Algorithm::Rs256,
    ] {
        let uri = format!(
            "pkcs11:token=gx-test;object=key-{}?module-path={MODULE}&pin-value=1234",
            alg.name()
        );
        let public = generate_on_token(&uri, alg).unwrap();
        let signer = Pkcs11Signer::open(&uri).unwrap();
        let signer = signer.with_algorithm(alg).unwrap();
        assert_eq!(signer.public_key(), &public);
        assert_eq!(signer.algorithm(), alg);
        // Raw signature verifies with the public key from the token.
        let sig = signer.sign(b"hello world").unwrap();
        public.verify(alg, b"hello world", &sig).unwrap();
        assert!(public.verify(alg, b"hello world!", &sig).is_err());
        // A JsonWebSignature2020 proof and a vc+jwt, verified through did:jwk.
        let resolver = Resolver::new();
        let mut opts = VerifyOptions::new(&resolver);
        opts.canonicalizer = Some(&PinnedJsonLd);
        let Signed::Document(doc) = sign(
            &credential,
            SignSuite::Jws2020,
            &signer,
            &SignOptions::default(),
            Some(&PinnedJsonLd),
        )
        .unwrap() else {
            panic!()
        };
        let report = gxa_proof::verify_document(&doc, &opts).unwrap();
        assert!(report.is_valid(), "{alg}: {report}");
        let Signed::Jwt(jwt) = sign(
            &credential,
            SignSuite::VcJwt,
            &signer,
            &SignOptions::default(),
            None,
        )
        .unwrap() else {
            panic!()
        };
        let report = verify(&jwt, &opts).unwrap();
        assert!(report.proofs[0].is_valid(), "{alg}: {report}");
    }
    // A wrong PIN is an error, not a signer.
    let bad = format!("pkcs11:token=gx-test;object=key-EdDSA?module-path={MODULE}&pin-value=9999");
    assert!(Pkcs11Signer::open(&bad).is_err());
}
