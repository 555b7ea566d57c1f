//! JWS (RFC 7515) compact and detached serialisation, with unencoded payloads (RFC 7797), and
//! the header rules this crate enforces.
//!
//! The signature is always checked over the protected header **as received**
//! (`ASCII(BASE64URL(header)) || '.' || payload`), never over a re-serialisation.

use gxa_credential::compact::{Compact, Part};
use serde_json::{Map, Value};

use crate::report::Failure;
use crate::{Algorithm, KeyError, Signer, b64};

/// A parsed compact JWS; the encoded parts are kept as received.
#[derive(Debug, Clone)]
pub(crate) struct Jws<'a> {
    pub(crate) header_b64: &'a str,
    pub(crate) header: Map<String, Value>,
    pub(crate) payload_b64: &'a str,
    pub(crate) signature: Vec<u8>,
}

impl Jws<'_> {
    /// The signing input with the payload part as received (attached JWS).
    pub(crate) fn signing_input(&self) -> Vec<u8> {
        let mut input = Vec::with_capacity(self.header_b64.len() + 1 + self.payload_b64.len());
        input.extend_from_slice(self.header_b64.as_bytes());
        input.push(b'.');
        input.extend_from_slice(self.payload_b64.as_bytes());
        input
    }

    /// The signing input of a detached unencoded payload (RFC 7797 §3).
    pub(crate) fn detached_signing_input(&self, payload: &[u8]) -> Vec<u8> {
        detached_input(self.header_b64, payload)
    }
}

fn detached_input(header_b64: &str, payload: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(header_b64.len() + 1 + payload.len());
    input.extend_from_slice(header_b64.as_bytes());
    input.push(b'.');
    input.extend_from_slice(payload);
    input
}

/// Parses `header.payload.signature` (payload may be empty: detached).
pub(crate) fn parse_compact(text: &str) -> Result<Jws<'_>, Failure> {
    let malformed = |m: &str| Failure::MalformedJws(m.to_owned());
    let parts =
        Compact::split(text).map_err(|_| malformed("a compact JWS has exactly three parts"))?;
    let (h, p) = (parts.header, parts.payload);
    let header_bytes = parts
        .bytes(Part::Header)
        .map_err(|_| malformed("header is not base64url"))?;
    let header: Map<String, Value> = match serde_json::from_slice(&header_bytes) {
        Ok(Value::Object(m)) => m,
        _ => return Err(malformed("header is not a JSON object")),
    };
    let signature = parts
        .bytes(Part::Signature)
        .map_err(|_| malformed("signature is not base64url"))?;
    if signature.is_empty() {
        return Err(malformed("empty signature"));
    }
    Ok(Jws {
        header_b64: h,
        header,
        payload_b64: p,
        signature,
    })
}

/// What a header is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderRules {
    /// JsonWebSignature2020: `b64: false` and `crit: ["b64"]` are required.
    Unencoded,
    /// A JWT: no `b64`, no `crit`.
    Jwt,
}

/// Applies the header rules; returns the algorithm.
pub(crate) fn check_header(
    header: &Map<String, Value>,
    rules: HeaderRules,
) -> Result<Algorithm, Failure> {
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::MalformedJws("no alg".into()))?;
    let alg: Algorithm = alg.parse().map_err(Failure::Algorithm)?;
    for member in ["jwk", "x5c", "jku", "x5u"] {
        if header.contains_key(member) {
            return Err(Failure::KeyInHeader(member.to_owned()));
        }
    }
    let understood: &[&str] = match rules {
        HeaderRules::Unencoded => &["b64"],
        HeaderRules::Jwt => &[],
    };
    if let Some(crit) = header.get("crit") {
        let list = crit
            .as_array()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| Failure::UnknownCrit(crit.to_string()))?;
        for entry in list {
            let name = entry
                .as_str()
                .ok_or_else(|| Failure::UnknownCrit(entry.to_string()))?;
            if !understood.contains(&name) || !header.contains_key(name) {
                return Err(Failure::UnknownCrit(name.to_owned()));
            }
        }
    }
    match rules {
        HeaderRules::Unencoded => {
            let crit_b64 = header
                .get("crit")
                .and_then(Value::as_array)
                .is_some_and(|l| l.iter().any(|e| e == "b64"));
            if header.get("b64") != Some(&Value::Bool(false)) || !crit_b64 {
                return Err(Failure::B64NotFalse);
            }
        }
        HeaderRules::Jwt => {
            if header.contains_key("b64") {
                return Err(Failure::B64InJwt);
            }
        }
    }
    Ok(alg)
}

/// Signs a detached unencoded payload; returns `header..signature`.
pub(crate) fn sign_detached(
    signer: &dyn Signer,
    header_json: &str,
    payload: &[u8],
) -> Result<String, KeyError> {
    let header_b64 = b64::encode(header_json.as_bytes());
    let sig = signer.sign(&detached_input(&header_b64, payload))?;
    Ok(format!("{header_b64}..{}", b64::encode(&sig)))
}

/// Signs an attached payload; returns the compact JWS.
pub(crate) fn sign_compact(
    signer: &dyn Signer,
    header_json: &str,
    payload: &[u8],
) -> Result<String, KeyError> {
    let mut out = b64::encode(header_json.as_bytes());
    out.push('.');
    out.push_str(&b64::encode(payload));
    let sig = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64::encode(&sig));
    Ok(out)
}

/// Verifies a detached JWS with an unencoded payload (`b64: false`) over `payload`, with the
/// JsonWebSignature2020 header rules.
pub fn verify_detached(
    jws: &str,
    payload: &[u8],
    key: &crate::PublicKey,
) -> Result<Algorithm, Failure> {
    let parsed = parse_compact(jws)?;
    if !parsed.payload_b64.is_empty() {
        return Err(Failure::MalformedJws("payload must be detached".into()));
    }
    let alg = check_header(&parsed.header, HeaderRules::Unencoded)?;
    key.verify(
        alg,
        &parsed.detached_signing_input(payload),
        &parsed.signature,
    )
    .map_err(Failure::Signature)?;
    Ok(alg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn header_rules() {
        let ok = header(json!({"alg":"PS256","b64":false,"crit":["b64"]}));
        assert_eq!(
            check_header(&ok, HeaderRules::Unencoded),
            Ok(Algorithm::Ps256)
        );
        let cases = [
            (json!({"alg":"none","b64":false,"crit":["b64"]}), "alg-none"),
            (
                json!({"alg":"HS256","b64":false,"crit":["b64"]}),
                "alg-hmac",
            ),
            (
                json!({"alg":"PS256","b64":true,"crit":["b64"]}),
                "b64-not-false",
            ),
            (json!({"alg":"PS256","b64":false}), "b64-not-false"),
            (
                json!({"alg":"PS256","b64":false,"crit":["b64","exp"]}),
                "unknown-crit",
            ),
            (
                json!({"alg":"PS256","b64":false,"crit":["b64"],"jwk":{}}),
                "key-in-header",
            ),
            (
                json!({"alg":"PS256","b64":false,"crit":["b64"],"x5c":[]}),
                "key-in-header",
            ),
            (
                json!({"alg":"PS256","b64":false,"crit":["b64"],"jku":"x"}),
                "key-in-header",
            ),
        ];
        for (h, code) in cases {
            let err = check_header(&header(h.clone()), HeaderRules::Unencoded).unwrap_err();
            assert_eq!(err.code(), code, "{h}");
        }
        let jwt_cases = [
            (
                json!({"alg":"ES256","crit":["b64"],"b64":false}),
                "unknown-crit",
            ),
            (json!({"alg":"ES256","b64":true}), "b64-in-jwt"),
            (json!({"alg":"ES256","crit":[]}), "unknown-crit"),
        ];
        for (h, code) in jwt_cases {
            assert_eq!(
                check_header(&header(h), HeaderRules::Jwt)
                    .unwrap_err()
                    .code(),
                code
            );
        }
    }

    #[test]
    fn malformed_compact() {
        for bad in ["", "a.b", "a.b.c.d", "!!.x.y", "e30.x.", "e30.x.%%%"] {
            assert!(parse_compact(bad).is_err(), "{bad}");
        }
    }
}
