//! Test TLS material shared by the test suites of several crates (`gx-attest`, `gxa-service`),
//! each of which includes this file with `#[path]`: a test CA with a `localhost` server
//! certificate, and the root of a development key set's x5u chain.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: broken test material must stop the test"
)]

use std::path::{Path, PathBuf};

/// A test CA named `ca_name` and a TLS certificate for `localhost` and `127.0.0.1` signed by
/// it, written to `dir` as `(ca.pem, cert.pem, key.pem)`.
pub(crate) fn tls_files(dir: &Path, ca_name: &str) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    std::fs::create_dir_all(dir).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, ca_name);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, leaf_cert.pem()).unwrap();
    std::fs::write(&paths.2, leaf_key.serialize_pem()).unwrap();
    paths
}

/// The last certificate of a PEM chain file (a development key set's self-signed CA, the
/// root its `x5u` chain ends in); the chain must hold a leaf before it.
pub(crate) fn root_of_chain(chain: &Path) -> String {
    let text = std::fs::read_to_string(chain).unwrap();
    let start = text.rfind("-----BEGIN CERTIFICATE-----").unwrap();
    assert!(text[..start].contains("BEGIN CERTIFICATE"), "leaf and CA");
    text[start..].to_owned()
}
