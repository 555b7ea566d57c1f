//! A throw-away test CA with a TLS certificate for `localhost` and `127.0.0.1`, and PEM helpers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA named by the test and a `localhost` / `127.0.0.1` server certificate it signed.
pub struct TestCa {
    /// The CA certificate.
    pub ca: CertificateDer<'static>,
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The server certificate.
    pub cert: CertificateDer<'static>,
    /// The server certificate, PEM.
    pub cert_pem: String,
    /// The server key (PKCS#8), PEM.
    pub key_pem: String,
    key_der: Vec<u8>,
}

impl TestCa {
    /// A fresh CA named `ca_name` and its server certificate.
    pub fn new(ca_name: &str) -> Self {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        };
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
        Self {
            ca: ca_cert.der().clone(),
            ca_pem: ca_cert.pem(),
            cert: leaf_cert.der().clone(),
            cert_pem: leaf_cert.pem(),
            key_pem: leaf_key.serialize_pem(),
            key_der: leaf_key.serialize_der(),
        }
    }

    /// A rustls server configuration with the server certificate (aws-lc-rs, safe defaults).
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        server_config(
            vec![self.cert.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
        )
    }

    /// Writes `(ca.pem, cert.pem, key.pem)` to `dir`.
    pub fn write(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        std::fs::create_dir_all(dir).unwrap();
        let paths = (
            dir.join("ca.pem"),
            dir.join("cert.pem"),
            dir.join("key.pem"),
        );
        std::fs::write(&paths.0, &self.ca_pem).unwrap();
        std::fs::write(&paths.1, &self.cert_pem).unwrap();
        std::fs::write(&paths.2, &self.key_pem).unwrap();
        paths
    }
}

/// A test CA named `ca_name` and a TLS certificate for `localhost` and `127.0.0.1` signed by
/// it, written to `dir` as `(ca.pem, cert.pem, key.pem)`.
pub fn tls_files(dir: &Path, ca_name: &str) -> (PathBuf, PathBuf, PathBuf) {
    TestCa::new(ca_name).write(dir)
}

/// The last certificate of a PEM chain file (a development key set's self-signed CA, the
/// root its `x5u` chain ends in); the chain must hold a leaf before it.
pub fn root_of_chain(chain: &Path) -> String {
    let text = std::fs::read_to_string(chain).unwrap();
    let start = text.rfind("-----BEGIN CERTIFICATE-----").unwrap();
    assert!(text[..start].contains("BEGIN CERTIFICATE"), "leaf and CA");
    text[start..].to_owned()
}

/// The certificates of a PEM file.
pub fn certs(pem: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(pem)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A rustls server configuration with the certificate chain and key of two PEM files.
pub fn server_config_from_files(cert_pem: &Path, key_pem: &Path) -> Arc<rustls::ServerConfig> {
    server_config(
        certs(cert_pem),
        PrivateKeyDer::from_pem_file(key_pem).unwrap(),
    )
}

fn server_config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}
