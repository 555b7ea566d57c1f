//! The document inside a secured credential: the JSON-LD itself, or a JWT's payload.

use serde_json::Value;

use crate::Format;
use crate::compact::{Compact, CompactError, Part};

/// Why a secured credential's document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// A JSON-LD credential that is not JSON.
    #[error("the credential is not JSON")]
    NotJson,
    /// A JWT that is not UTF-8 text.
    #[error("the JWT is not UTF-8")]
    NotUtf8,
    /// A JWT that is not a compact JWS with a JSON payload.
    #[error(transparent)]
    Compact(#[from] CompactError),
}

/// The credential document of a secured credential: the JSON-LD, or the JWT payload — its
/// `vc` (or `vp`) claim for a VC 1.1 JWT ([VC 1.1 §6.3.1]), whose other claims are not JSON-LD.
/// The JWT's surrounding whitespace is ignored.
///
/// [VC 1.1 §6.3.1]: https://www.w3.org/TR/vc-data-model-1.1/#jwt-encoding
pub fn document(format: Format, body: &[u8]) -> Result<Value, EnvelopeError> {
    match format {
        Format::JsonLd => serde_json::from_slice(body).map_err(|_| EnvelopeError::NotJson),
        Format::Jwt => {
            let text = std::str::from_utf8(body).map_err(|_| EnvelopeError::NotUtf8)?;
            let payload = Compact::split(text.trim())?.json(Part::Payload)?;
            let inner = ["vc", "vp"]
                .into_iter()
                .find_map(|claim| payload.get(claim).filter(|v| v.is_object()).cloned());
            Ok(inner.unwrap_or(payload))
        }
    }
}

/// The unsigned document: [`document`] without an embedded `proof`.
pub fn unsigned_document(format: Format, body: &[u8]) -> Result<Value, EnvelopeError> {
    let mut doc = document(format, body)?;
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("proof");
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compact::encode;

    fn jwt(payload: &Value) -> Vec<u8> {
        format!(
            " eyJhbGciOiJFUzI1NiJ9.{}.c2ln\n",
            encode(payload.to_string().as_bytes())
        )
        .into_bytes()
    }

    #[test]
    fn documents() {
        let vc2 = json!({"type": "VerifiableCredential", "validFrom": "2026-01-01T00:00:00Z"});
        assert_eq!(document(Format::Jwt, &jwt(&vc2)).unwrap(), vc2);
        let vc11 = json!({"iss": "did:web:a.example", "vc": vc2});
        assert_eq!(document(Format::Jwt, &jwt(&vc11)).unwrap(), vc2);
        let signed =
            json!({"type": "VerifiableCredential", "proof": {"type": "JsonWebSignature2020"}});
        let body = signed.to_string();
        assert_eq!(
            unsigned_document(Format::JsonLd, body.as_bytes()).unwrap(),
            json!({"type": "VerifiableCredential"})
        );
        assert_eq!(document(Format::JsonLd, b"{"), Err(EnvelopeError::NotJson));
        assert_eq!(
            document(Format::Jwt, b"a.b"),
            Err(EnvelopeError::Compact(CompactError::Parts))
        );
        assert_eq!(document(Format::Jwt, &[0xff]), Err(EnvelopeError::NotUtf8));
    }
}
