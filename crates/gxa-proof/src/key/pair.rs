//! Private keys held in memory (read from files or generated), signing with aws-lc-rs.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use serde_json::Value;

use super::der::{self, PemBlock};
use super::{Curve, KeyError, PublicKey, Signer};
use crate::{Algorithm, b64};

enum Inner {
    Ed25519(Ed25519KeyPair),
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private key in memory (file keys), usable as a [`Signer`].
pub struct KeyPair {
    alg: Algorithm,
    inner: Inner,
    public: PublicKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("alg", &self.alg)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

fn ec_signing(curve: Curve) -> Result<&'static sig::EcdsaSigningAlgorithm, KeyError> {
    match curve {
        Curve::P256 => Ok(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
        Curve::P384 => Ok(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
        Curve::P521 => Ok(&sig::ECDSA_P521_SHA512_FIXED_SIGNING),
        other => Err(KeyError::Unsupported(format!(
            "signing with {}",
            other.jwk_name()
        ))),
    }
}

impl KeyPair {
    fn from_inner(inner: Inner, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        let public = match &inner {
            Inner::Ed25519(k) => {
                let x: [u8; 32] = k
                    .public_key()
                    .as_ref()
                    .try_into()
                    .map_err(|_| KeyError::Backend("Ed25519 public key length".into()))?;
                PublicKey::Ed25519(x)
            }
            Inner::Ecdsa(k) => {
                let point = k.public_key().as_ref().to_vec();
                let curve = match point.len() {
                    65 => Curve::P256,
                    97 => Curve::P384,
                    133 => Curve::P521,
                    _ => return Err(KeyError::Unsupported("EC key size".into())),
                };
                PublicKey::Ec { curve, point }
            }
            Inner::Rsa(k) => {
                let (n, e) = der::rsa_public_key(k.public_key().as_ref())?;
                if n.len() * 8 < 2048 {
                    return Err(KeyError::Unsupported(format!(
                        "RSA key of {} bits (minimum 2048)",
                        n.len() * 8
                    )));
                }
                PublicKey::Rsa { n, e }
            }
        };
        let alg = alg.unwrap_or_else(|| public.default_algorithm());
        if !public.fits(alg) || !alg.can_sign() {
            return Err(KeyError::AlgorithmMismatch {
                alg,
                key: public.describe(),
            });
        }
        Ok(Self {
            alg,
            inner,
            public,
            rng: SystemRandom::new(),
        })
    }

    /// The same key with another algorithm (RSA: PS256 ↔ RS256).
    pub fn with_algorithm(self, alg: Algorithm) -> Result<Self, KeyError> {
        if !self.public.fits(alg) || !alg.can_sign() {
            return Err(KeyError::AlgorithmMismatch {
                alg,
                key: self.public.describe(),
            });
        }
        Ok(Self { alg, ..self })
    }

    /// Generates a fresh key (RSA: 2048 bits).
    pub fn generate(alg: Algorithm) -> Result<Self, KeyError> {
        let backend = |e: aws_lc_rs::error::Unspecified| KeyError::Backend(e.to_string());
        let inner = match alg {
            Algorithm::EdDsa => Inner::Ed25519(Ed25519KeyPair::generate().map_err(backend)?),
            Algorithm::Es256 => Inner::Ecdsa(
                EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).map_err(backend)?,
            ),
            Algorithm::Es384 => Inner::Ecdsa(
                EcdsaKeyPair::generate(&sig::ECDSA_P384_SHA384_FIXED_SIGNING).map_err(backend)?,
            ),
            Algorithm::Es512 => Inner::Ecdsa(
                EcdsaKeyPair::generate(&sig::ECDSA_P521_SHA512_FIXED_SIGNING).map_err(backend)?,
            ),
            Algorithm::Ps256 | Algorithm::Rs256 => {
                Inner::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).map_err(backend)?)
            }
            other => {
                return Err(KeyError::Unsupported(format!("generating {other} keys")));
            }
        };
        Self::from_inner(inner, Some(alg))
    }

    /// Reads a key from file content: a private JWK (JSON) or PEM (PKCS#8 `PRIVATE KEY`,
    /// PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`).
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            let jwk: Value = serde_json::from_str(trimmed)
                .map_err(|e| KeyError::Malformed(format!("JWK JSON: {e}")))?;
            return Self::from_jwk(&jwk);
        }
        let blocks = der::pem_blocks(text)?;
        let block = blocks
            .iter()
            .find(|b| b.label.ends_with("PRIVATE KEY"))
            .ok_or_else(|| KeyError::Malformed("no PEM private key block".into()))?;
        Self::from_pem_block(block)
    }

    /// Reads a key file (see [`KeyPair::from_text`]).
    pub fn from_file(path: &std::path::Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_text(&text)
    }

    fn from_pem_block(block: &PemBlock) -> Result<Self, KeyError> {
        let der = block.der.as_slice();
        let inner = match block.label.as_str() {
            "PRIVATE KEY" => {
                if let Ok(k) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
                    Inner::Ed25519(k)
                } else if let Ok(k) =
                    EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, der)
                {
                    Inner::Ecdsa(k)
                } else if let Ok(k) =
                    EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, der)
                {
                    Inner::Ecdsa(k)
                } else {
                    Inner::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|e| {
                        KeyError::Unsupported(format!(
                            "PKCS#8 key is not Ed25519, P-256, P-384 or RSA ≥ 2048: {e}"
                        ))
                    })?)
                }
            }
            "RSA PRIVATE KEY" => Inner::Rsa(
                RsaKeyPair::from_der(der)
                    .map_err(|e| KeyError::Malformed(format!("PKCS#1 RSA key: {e}")))?,
            ),
            "EC PRIVATE KEY" => {
                if let Ok(k) =
                    EcdsaKeyPair::from_private_key_der(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, der)
                {
                    Inner::Ecdsa(k)
                } else {
                    Inner::Ecdsa(
                        EcdsaKeyPair::from_private_key_der(
                            &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
                            der,
                        )
                        .map_err(|e| {
                            KeyError::Unsupported(format!("SEC1 key is not P-256 or P-384: {e}"))
                        })?,
                    )
                }
            }
            other => return Err(KeyError::Unsupported(format!("PEM block {other:?}"))),
        };
        Self::from_inner(inner, None)
    }

    /// Reads a private JWK (`d` and, for RSA, the CRT members are required).
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let public = PublicKey::from_jwk(jwk)?;
        let member = |name: &str| -> Result<Vec<u8>, KeyError> {
            jwk.get(name)
                .and_then(Value::as_str)
                .and_then(b64::decode)
                .ok_or_else(|| KeyError::Malformed(format!("private JWK member {name:?} missing")))
        };
        let alg = match jwk.get("alg").and_then(Value::as_str) {
            Some(a) => Some(
                a.parse::<Algorithm>()
                    .map_err(|e| KeyError::Unsupported(e.to_string()))?,
            ),
            None => None,
        };
        let rejected = |e: aws_lc_rs::error::KeyRejected| KeyError::Malformed(e.to_string());
        let inner = match &public {
            PublicKey::Ed25519(x) => Inner::Ed25519(
                Ed25519KeyPair::from_seed_and_public_key(&member("d")?, x).map_err(rejected)?,
            ),
            PublicKey::Ec { curve, point } => Inner::Ecdsa(
                EcdsaKeyPair::from_private_key_and_public_key(
                    ec_signing(*curve)?,
                    &member("d")?,
                    point,
                )
                .map_err(rejected)?,
            ),
            PublicKey::Rsa { n, e } => {
                let components = KeyPairComponents {
                    public_key: PublicKeyComponents {
                        n: n.as_slice(),
                        e: e.as_slice(),
                    },
                    d: member("d")?,
                    p: member("p")?,
                    q: member("q")?,
                    dP: member("dp")?,
                    dQ: member("dq")?,
                    qInv: member("qi")?,
                };
                Inner::Rsa(RsaKeyPair::from_components(&components).map_err(rejected)?)
            }
        };
        Self::from_inner(inner, alg)
    }

    /// Reads a Multikey pair (`publicKeyMultibase` + `secretKeyMultibase`, as in the W3C
    /// Data Integrity test vectors): Ed25519 (0x1300), P-256 (0x1306), P-384 (0x1307).
    pub fn from_multikey(public: &str, secret: &str) -> Result<Self, KeyError> {
        let public = PublicKey::from_multikey(public)?;
        let bytes = b64::multibase_decode(secret)
            .ok_or_else(|| KeyError::Malformed("secret multikey is not z-base58btc".into()))?;
        if bytes.len() < 3 {
            return Err(KeyError::Malformed("secret multikey too short".into()));
        }
        let (codec, d) = bytes.split_at(2);
        let rejected = |e: aws_lc_rs::error::KeyRejected| KeyError::Malformed(e.to_string());
        let inner = match (codec, &public) {
            ([0x80, 0x26], PublicKey::Ed25519(x)) => {
                Inner::Ed25519(Ed25519KeyPair::from_seed_and_public_key(d, x).map_err(rejected)?)
            }
            ([0x86 | 0x87, 0x26], PublicKey::Ec { curve, point }) => Inner::Ecdsa(
                EcdsaKeyPair::from_private_key_and_public_key(ec_signing(*curve)?, d, point)
                    .map_err(rejected)?,
            ),
            _ => return Err(KeyError::Unsupported("secret multikey type".into())),
        };
        Self::from_inner(inner, None)
    }

    /// The private key as PKCS#8 PEM (for `keys generate`).
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        let backend = |e: aws_lc_rs::error::Unspecified| KeyError::Backend(e.to_string());
        let der = match &self.inner {
            Inner::Ed25519(k) => k.to_pkcs8v1().map_err(backend)?.as_ref().to_vec(),
            Inner::Ecdsa(k) => k.to_pkcs8v1().map_err(backend)?.as_ref().to_vec(),
            Inner::Rsa(k) => {
                let doc: aws_lc_rs::encoding::Pkcs8V1Der<'_> = k.as_der().map_err(backend)?;
                doc.as_ref().to_vec()
            }
        };
        Ok(der::to_pem("PRIVATE KEY", &der))
    }
}

impl Signer for KeyPair {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let backend = |e: aws_lc_rs::error::Unspecified| KeyError::Backend(e.to_string());
        match &self.inner {
            Inner::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            Inner::Ecdsa(k) => Ok(k
                .sign(&self.rng, message)
                .map_err(backend)?
                .as_ref()
                .to_vec()),
            Inner::Rsa(k) => {
                let padding: &'static dyn sig::RsaEncoding = if self.alg == Algorithm::Rs256 {
                    &sig::RSA_PKCS1_SHA256
                } else {
                    &sig::RSA_PSS_SHA256
                };
                let mut out = vec![0; k.public_modulus_len()];
                k.sign(padding, &self.rng, message, &mut out)
                    .map_err(backend)?;
                Ok(out)
            }
        }
    }
}
