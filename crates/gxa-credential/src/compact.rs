//! The JWS compact serialisation ([RFC 7515 §7.1]): `BASE64URL(header) '.' BASE64URL(payload)
//! '.' BASE64URL(signature)`, base64url without padding ([RFC 7515 §2]).
//!
//! This is the one place a compact JWS is split and its parts decoded; the signature is
//! checked by `gxa-proof` over the parts exactly as received ([`Compact::header`],
//! [`Compact::payload`]).
//!
//! [RFC 7515 §7.1]: https://www.rfc-editor.org/rfc/rfc7515#section-7.1
//! [RFC 7515 §2]: https://www.rfc-editor.org/rfc/rfc7515#section-2

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The three encoded parts of a compact JWS, as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compact<'a> {
    /// The encoded protected header.
    pub header: &'a str,
    /// The encoded payload (empty for a detached payload).
    pub payload: &'a str,
    /// The encoded signature.
    pub signature: &'a str,
}

/// Which part of a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The protected header.
    Header,
    /// The payload.
    Payload,
    /// The signature.
    Signature,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// Why a text is not a compact JWS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    /// Not three dot-separated parts.
    #[error("a compact JWS has exactly three parts")]
    Parts,
    /// A part is not base64url without padding.
    #[error("the JWS {0} is not base64url")]
    Base64(Part),
    /// A part is not JSON (header, payload).
    #[error("the JWS {0} is not JSON")]
    Json(Part),
}

impl<'a> Compact<'a> {
    /// Splits `text` into its three parts; nothing is decoded yet. The text is taken as it is
    /// (no trimming): the signature covers the parts as received.
    pub fn split(text: &'a str) -> Result<Self, CompactError> {
        let mut parts = text.split('.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(header), Some(payload), Some(signature), None) => Ok(Self {
                header,
                payload,
                signature,
            }),
            _ => Err(CompactError::Parts),
        }
    }

    /// The decoded bytes of `part`.
    pub fn bytes(&self, part: Part) -> Result<Vec<u8>, CompactError> {
        let text = match part {
            Part::Header => self.header,
            Part::Payload => self.payload,
            Part::Signature => self.signature,
        };
        decode(text).ok_or(CompactError::Base64(part))
    }

    /// The decoded header or payload as JSON (duplicate keys: the last wins; readers that
    /// must refuse duplicates parse [`Compact::bytes`] with their strict parser).
    pub fn json(&self, part: Part) -> Result<Value, CompactError> {
        serde_json::from_slice(&self.bytes(part)?).map_err(|_| CompactError::Json(part))
    }
}

/// base64url-decodes without padding; padding and the standard alphabet are refused.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()
}

/// base64url-encodes without padding.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_decodes() {
        let jwt = format!(
            "{}.{}.{}",
            encode(b"{\"alg\":\"ES256\"}"),
            encode(b"[1]"),
            "c2ln"
        );
        let c = Compact::split(&jwt).unwrap();
        assert_eq!(c.json(Part::Header).unwrap()["alg"], "ES256");
        assert_eq!(c.json(Part::Payload).unwrap(), serde_json::json!([1]));
        assert_eq!(c.bytes(Part::Signature).unwrap(), b"sig");
        assert_eq!(Compact::split("a.b"), Err(CompactError::Parts));
        assert_eq!(Compact::split("a.b.c.d"), Err(CompactError::Parts));
        let padded = Compact::split("eyJ9.e30=.c2ln").unwrap();
        assert_eq!(
            padded.bytes(Part::Payload),
            Err(CompactError::Base64(Part::Payload))
        );
        let not_json = Compact::split("bm9wZQ.bm9wZQ.c2ln").unwrap();
        assert_eq!(
            not_json.json(Part::Header),
            Err(CompactError::Json(Part::Header))
        );
    }
}
