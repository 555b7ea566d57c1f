//! JOSE signature algorithms (RFC 7518 §3, RFC 8037 for EdDSA, RFC 8812 for ES256K).
//!
//! <https://www.rfc-editor.org/rfc/rfc7518#section-3.1>

use std::fmt;
use std::str::FromStr;

/// A JWS `alg` this crate can verify (and, except ES256K, sign).
///
/// HMAC algorithms (`HS*`) and `none` are deliberately absent: they cannot be expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Ed25519 (RFC 8037).
    EdDsa,
    /// ECDSA P-256 with SHA-256, r‖s signature.
    Es256,
    /// ECDSA P-384 with SHA-384, r‖s signature.
    Es384,
    /// ECDSA P-521 with SHA-512.
    Es512,
    /// ECDSA secp256k1 with SHA-256 (RFC 8812; verification only).
    Es256K,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (Gaia-X default).
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl Algorithm {
    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
            Self::Es256K => "ES256K",
            Self::Ps256 => "PS256",
            Self::Rs256 => "RS256",
        }
    }

    /// Whether this crate can sign with it.
    pub fn can_sign(self) -> bool {
        self != Self::Es256K
    }

    /// The algorithms accepted by `gx-attest keys generate` and `--alg`.
    pub const SIGNING: [Self; 5] = [
        Self::EdDsa,
        Self::Es256,
        Self::Es384,
        Self::Ps256,
        Self::Rs256,
    ];
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a JWS `alg` value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlgorithmRejected {
    /// `alg: none` (an unsecured JWS).
    #[error("alg \"none\" is not accepted")]
    None,
    /// A symmetric MAC (`HS256` …): a verifier must never accept them for credentials.
    #[error("HMAC algorithm {0:?} is not accepted")]
    Hmac(String),
    /// Any other value.
    #[error("unsupported alg {0:?}")]
    Unsupported(String),
}

impl FromStr for Algorithm {
    type Err = AlgorithmRejected;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "EdDSA" | "Ed25519" => Self::EdDsa,
            "ES256" => Self::Es256,
            "ES384" => Self::Es384,
            "ES512" => Self::Es512,
            "ES256K" => Self::Es256K,
            "PS256" => Self::Ps256,
            "RS256" => Self::Rs256,
            _ if s.eq_ignore_ascii_case("none") => return Err(AlgorithmRejected::None),
            _ if s.len() >= 2 && s[..2].eq_ignore_ascii_case("HS") => {
                return Err(AlgorithmRejected::Hmac(s.to_owned()));
            }
            _ => return Err(AlgorithmRejected::Unsupported(s.to_owned())),
        })
    }
}
