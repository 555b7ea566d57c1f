//! The optional HTTPS listener (rustls with the aws-lc-rs provider, HTTP/1.1).
//!
//! did:web resolvers fetch `https://` URLs only
//! (<https://w3c-ccg.github.io/did-method-web/#read-resolve>), so a service that is not behind a
//! TLS-terminating proxy needs its own. Connections are served by [`crate::conn`], with the
//! same limits as the plain listener, and shut down gracefully together with it.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::error::ServiceError;

/// A TLS acceptor from PEM files: the certificate chain (leaf first) and the private key.
pub(crate) fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, ServiceError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| ServiceError::Tls(format!("{}: {e}", path.display())))
    };
    let cert_pem = read(cert)?;
    let key_pem = read(key)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServiceError::Tls(format!("{}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(ServiceError::Tls(format!(
            "{}: no certificate",
            cert.display()
        )));
    }
    let private_key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| ServiceError::Tls(format!("{}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServiceError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|e| ServiceError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
