//! Keys: public keys as found in JWKs (RFC 7517/7518/8037) and Multikeys
//! (<https://www.w3.org/TR/controller-document/#multikey>), private keys from files (JWK, PEM
//! PKCS#8, PKCS#1 and SEC1), and the [`Signer`] abstraction that file and PKCS#11 keys implement.
//!
//! All cryptography is aws-lc-rs.

pub(crate) mod der;
mod pair;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::signature::{
    self as sig, ParsedPublicKey, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::{Map, Value};

pub use pair::KeyPair;

use crate::{Algorithm, b64};

/// Errors reading or using a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key material is not well formed.
    #[error("malformed key: {0}")]
    Malformed(String),
    /// A well-formed key of a kind this crate does not support.
    #[error("unsupported key: {0}")]
    Unsupported(String),
    /// The algorithm cannot be used with this key.
    #[error("algorithm {alg} does not fit a {key} key")]
    AlgorithmMismatch {
        /// The algorithm asked for.
        alg: Algorithm,
        /// The key type.
        key: String,
    },
    /// Reading a key file failed.
    #[error("cannot read key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The crypto backend refused the operation.
    #[error("crypto backend: {0}")]
    Backend(String),
    /// A PKCS#11 token operation failed.
    #[error("PKCS#11: {0}")]
    Pkcs11(String),
}

/// Signs messages with one private key, wherever the key lives (file or hardware token).
pub trait Signer: Send + Sync {
    /// The JOSE algorithm this signer produces.
    fn algorithm(&self) -> Algorithm;
    /// The matching public key.
    fn public_key(&self) -> &PublicKey;
    /// Signs `message` (the signer hashes it as `algorithm` requires); ECDSA gives r‖s.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// Elliptic curves of JWK `crv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
    /// secp256k1.
    Secp256k1,
}

impl Curve {
    /// JWK `crv` name.
    pub fn jwk_name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::Secp256k1 => "secp256k1",
        }
    }

    fn from_jwk_name(name: &str) -> Option<Self> {
        Some(match name {
            "P-256" => Self::P256,
            "P-384" => Self::P384,
            "P-521" => Self::P521,
            "secp256k1" => Self::Secp256k1,
            _ => return None,
        })
    }

    /// Bytes of one coordinate.
    pub fn coordinate_len(self) -> usize {
        match self {
            Self::P256 | Self::Secp256k1 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Self::P256 => Algorithm::Es256,
            Self::P384 => Algorithm::Es384,
            Self::P521 => Algorithm::Es512,
            Self::Secp256k1 => Algorithm::Es256K,
        }
    }

    fn verification(self) -> &'static sig::EcdsaVerificationAlgorithm {
        match self {
            Self::P256 => &sig::ECDSA_P256_SHA256_FIXED,
            Self::P384 => &sig::ECDSA_P384_SHA384_FIXED,
            Self::P521 => &sig::ECDSA_P521_SHA512_FIXED,
            Self::Secp256k1 => &sig::ECDSA_P256K1_SHA256_FIXED,
        }
    }

    /// The multicodec prefix of a compressed public key (varint), if there is one.
    fn multicodec(self) -> Option<[u8; 2]> {
        match self {
            Self::P256 => Some([0x80, 0x24]),
            Self::P384 => Some([0x81, 0x24]),
            Self::P521 => Some([0x82, 0x24]),
            Self::Secp256k1 => Some([0xe7, 0x01]),
        }
    }
}

const ED25519_MULTICODEC: [u8; 2] = [0xed, 0x01];

/// Why a signature does not verify; a verification *result*, not an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureFailure {
    /// The algorithm is not the one of the key type (e.g. ES256 with an RSA key).
    #[error("algorithm {alg} does not fit a {key} key")]
    AlgorithmMismatch {
        /// JWS alg.
        alg: Algorithm,
        /// Key description.
        key: String,
    },
    /// RSA modulus below 2048 bits.
    #[error("RSA key of {0} bits is below the 2048-bit minimum")]
    WeakKey(usize),
    /// Wrong length or encoding (e.g. an ASN.1 DER ECDSA signature where JWS wants r‖s).
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The signature does not match.
    #[error("signature does not verify")]
    Mismatch,
}

/// A public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// Ed25519, the 32-byte point.
    Ed25519([u8; 32]),
    /// ECDSA: the SEC1 uncompressed point `04 ‖ x ‖ y`.
    Ec {
        /// The curve.
        curve: Curve,
        /// Uncompressed point.
        point: Vec<u8>,
    },
    /// RSA, big-endian unsigned integers without leading zeros.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
}

impl PublicKey {
    /// A short description ("Ed25519", "EC P-256", "RSA-2048").
    pub fn describe(&self) -> String {
        match self {
            Self::Ed25519(_) => "Ed25519".into(),
            Self::Ec { curve, .. } => format!("EC {}", curve.jwk_name()),
            Self::Rsa { n, .. } => format!("RSA-{}", n.len() * 8),
        }
    }

    /// The algorithm a JWS by this key uses unless told otherwise (RSA: PS256, as Gaia-X does).
    pub fn default_algorithm(&self) -> Algorithm {
        match self {
            Self::Ed25519(_) => Algorithm::EdDsa,
            Self::Ec { curve, .. } => curve.algorithm(),
            Self::Rsa { .. } => Algorithm::Ps256,
        }
    }

    /// Whether `alg` fits this key type.
    pub fn fits(&self, alg: Algorithm) -> bool {
        match self {
            Self::Ed25519(_) => alg == Algorithm::EdDsa,
            Self::Ec { curve, .. } => curve.algorithm() == alg,
            Self::Rsa { .. } => matches!(alg, Algorithm::Ps256 | Algorithm::Rs256),
        }
    }

    /// Verifies `signature` over `message` with `alg`.
    pub fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureFailure> {
        if !self.fits(alg) {
            return Err(SignatureFailure::AlgorithmMismatch {
                alg,
                key: self.describe(),
            });
        }
        let res = match self {
            Self::Ed25519(key) => {
                if signature.len() != 64 {
                    return Err(SignatureFailure::Malformed(format!(
                        "Ed25519 signature of {} bytes, expected 64",
                        signature.len()
                    )));
                }
                UnparsedPublicKey::new(&sig::ED25519, key).verify(message, signature)
            }
            Self::Ec { curve, point } => {
                let want = 2 * curve.coordinate_len();
                if signature.len() != want {
                    let hint = if signature.first() == Some(&0x30) {
                        " (looks like ASN.1 DER; JWS wants r‖s)"
                    } else {
                        ""
                    };
                    return Err(SignatureFailure::Malformed(format!(
                        "ECDSA signature of {} bytes, expected {want}{hint}",
                        signature.len()
                    )));
                }
                UnparsedPublicKey::new(curve.verification(), point).verify(message, signature)
            }
            Self::Rsa { n, e } => {
                if n.len() * 8 < 2048 {
                    return Err(SignatureFailure::WeakKey(n.len() * 8));
                }
                if signature.len() != n.len() {
                    return Err(SignatureFailure::Malformed(format!(
                        "RSA signature of {} bytes, expected {}",
                        signature.len(),
                        n.len()
                    )));
                }
                let params = if alg == Algorithm::Ps256 {
                    &sig::RSA_PSS_2048_8192_SHA256
                } else {
                    &sig::RSA_PKCS1_2048_8192_SHA256
                };
                RsaPublicKeyComponents { n, e }.verify(params, message, signature)
            }
        };
        res.map_err(|_| SignatureFailure::Mismatch)
    }

    /// Reads a public JWK (private members are ignored).
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let obj = jwk
            .as_object()
            .ok_or_else(|| KeyError::Malformed("JWK is not an object".into()))?;
        let member = |name: &str| -> Result<Vec<u8>, KeyError> {
            obj.get(name)
                .and_then(Value::as_str)
                .and_then(b64::decode)
                .ok_or_else(|| {
                    KeyError::Malformed(format!("JWK member {name:?} missing or not base64url"))
                })
        };
        let kty = obj.get("kty").and_then(Value::as_str).unwrap_or("");
        let crv = obj.get("crv").and_then(Value::as_str).unwrap_or("");
        match kty {
            "OKP" if crv == "Ed25519" => {
                let x = member("x")?;
                let x: [u8; 32] = x
                    .try_into()
                    .map_err(|_| KeyError::Malformed("Ed25519 x is not 32 bytes".into()))?;
                Ok(Self::Ed25519(x))
            }
            "EC" => {
                let curve = Curve::from_jwk_name(crv)
                    .ok_or_else(|| KeyError::Unsupported(format!("EC curve {crv:?}")))?;
                let (x, y) = (member("x")?, member("y")?);
                let len = curve.coordinate_len();
                if x.len() != len || y.len() != len {
                    return Err(KeyError::Malformed(format!(
                        "{} coordinates must be {len} bytes",
                        curve.jwk_name()
                    )));
                }
                let mut point = Vec::with_capacity(1 + 2 * len);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Ok(Self::Ec { curve, point })
            }
            "RSA" => {
                let n = member("n")?;
                let e = member("e")?;
                Ok(Self::Rsa {
                    n: strip_zeros(n),
                    e: strip_zeros(e),
                })
            }
            other => Err(KeyError::Unsupported(format!(
                "JWK kty {other:?} crv {crv:?}"
            ))),
        }
    }

    /// The public JWK, members in RFC 7638 order (so the thumbprint is a hash of its JSON).
    pub fn to_jwk(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match self {
            Self::Ed25519(x) => {
                m.insert("crv".into(), "Ed25519".into());
                m.insert("kty".into(), "OKP".into());
                m.insert("x".into(), b64::encode(x).into());
            }
            Self::Ec { curve, point } => {
                let len = curve.coordinate_len();
                m.insert("crv".into(), curve.jwk_name().into());
                m.insert("kty".into(), "EC".into());
                m.insert("x".into(), b64::encode(&point[1..=len]).into());
                m.insert("y".into(), b64::encode(&point[1 + len..]).into());
            }
            Self::Rsa { n, e } => {
                m.insert("e".into(), b64::encode(e).into());
                m.insert("kty".into(), "RSA".into());
                m.insert("n".into(), b64::encode(n).into());
            }
        }
        m
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn thumbprint(&self) -> String {
        let json = Value::Object(self.to_jwk()).to_string();
        b64::encode(crate::sha256(json.as_bytes()).as_ref())
    }

    /// The Multikey `publicKeyMultibase` (Ed25519, compressed EC points); RSA has none here.
    pub fn to_multikey(&self) -> Option<String> {
        match self {
            Self::Ed25519(x) => {
                let mut bytes = ED25519_MULTICODEC.to_vec();
                bytes.extend_from_slice(x);
                Some(b64::multibase_encode(&bytes))
            }
            Self::Ec { curve, point } => {
                let mut bytes = curve.multicodec()?.to_vec();
                bytes.extend_from_slice(&compress(*curve, point));
                Some(b64::multibase_encode(&bytes))
            }
            Self::Rsa { .. } => None,
        }
    }

    /// Reads a Multikey `publicKeyMultibase` (Ed25519, P-256, P-384, P-521, secp256k1).
    pub fn from_multikey(text: &str) -> Result<Self, KeyError> {
        let bytes = b64::multibase_decode(text)
            .ok_or_else(|| KeyError::Malformed("multibase key is not z-base58btc".into()))?;
        if bytes.len() < 2 {
            return Err(KeyError::Malformed("multikey too short".into()));
        }
        let (codec, key) = bytes.split_at(2);
        if codec == ED25519_MULTICODEC {
            let x: [u8; 32] = key
                .try_into()
                .map_err(|_| KeyError::Malformed("Ed25519 multikey is not 32 bytes".into()))?;
            return Ok(Self::Ed25519(x));
        }
        for curve in [Curve::P256, Curve::P384, Curve::P521, Curve::Secp256k1] {
            if curve.multicodec().as_ref().map(<[u8; 2]>::as_slice) == Some(codec) {
                return Ok(Self::Ec {
                    curve,
                    point: decompress(curve, key)?,
                });
            }
        }
        Err(KeyError::Unsupported(format!(
            "multicodec prefix {}",
            hex::encode(codec)
        )))
    }
}

fn strip_zeros(mut v: Vec<u8>) -> Vec<u8> {
    let zeros = v.iter().take_while(|b| **b == 0).count();
    if zeros > 0 && zeros < v.len() {
        v.drain(..zeros);
    }
    v
}

/// SEC1 compressed form of an uncompressed point.
fn compress(curve: Curve, point: &[u8]) -> Vec<u8> {
    let len = curve.coordinate_len();
    let y_odd = point.last().is_some_and(|b| b & 1 == 1);
    let mut out = Vec::with_capacity(1 + len);
    out.push(if y_odd { 3 } else { 2 });
    out.extend_from_slice(&point[1..=len]);
    out
}

/// Decompresses a SEC1 point through aws-lc (which parses compressed points and writes the
/// SubjectPublicKeyInfo with the uncompressed point at its end).
fn decompress(curve: Curve, compressed: &[u8]) -> Result<Vec<u8>, KeyError> {
    let len = curve.coordinate_len();
    if compressed.len() == 1 + 2 * len && compressed[0] == 4 {
        return Ok(compressed.to_vec());
    }
    let parsed = ParsedPublicKey::new(curve.verification(), compressed)
        .map_err(|e| KeyError::Malformed(format!("EC point: {e}")))?;
    let spki = parsed
        .as_der()
        .map_err(|e| KeyError::Backend(format!("SPKI export: {e}")))?;
    let spki = spki.as_ref();
    let want = 1 + 2 * len;
    if spki.len() < want || spki[spki.len() - want] != 4 {
        return Err(KeyError::Backend(
            "SPKI does not hold an uncompressed point".into(),
        ));
    }
    Ok(spki[spki.len() - want..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p256_multikey_round_trip_decompresses() {
        // did:key test vector from the vc-di-ecdsa TestVectors (p256KeyPair.json).
        let mk = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP";
        let key = PublicKey::from_multikey(mk).unwrap();
        assert!(
            matches!(key, PublicKey::Ec { curve: Curve::P256, ref point } if point.len() == 65)
        );
        assert_eq!(key.to_multikey().unwrap(), mk);
    }
}
