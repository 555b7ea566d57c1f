//! PKCS#11 signing keys (RFC 7512 URIs) through `cryptoki`; the private key never leaves the
//! token. Placeholder until the token code lands.

use crate::{Algorithm, KeyError, PublicKey, Signer};

/// A signer backed by a PKCS#11 token.
#[derive(Debug)]
pub struct Pkcs11Signer {
    alg: Algorithm,
    public: PublicKey,
}

impl Pkcs11Signer {
    /// Opens `pkcs11:token=…;object=…?module-path=…&pin-value=…`.
    pub fn open(uri: &str) -> Result<Self, KeyError> {
        Err(KeyError::Pkcs11(format!("not implemented yet: {uri}")))
    }
}

impl Signer for Pkcs11Signer {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, KeyError> {
        Err(KeyError::Pkcs11("not implemented yet".into()))
    }
}
