//! What the store needs to know about a received credential, read from the credential itself
//! (never from the partner's listing, which is not signed): id, issuer, types, subjects and
//! validity, from the JSON-LD document (Tagus, VC 1.1: `issuanceDate`/`expirationDate`) or the
//! `vc+jwt` payload (Loire, VC 2.0 / VC-JOSE-COSE: the payload is the credential,
//! `validFrom`/`validUntil`; a VC 1.1 JWT's `vc` claim is read too).

use gxa_store::CredentialFormat;
use jiff::Timestamp;
use serde_json::Value;

/// The metadata of a received credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub(crate) id: Option<String>,
    pub(crate) issuer: Option<String>,
    /// Its own types, then its subjects' (as `gxa-issuer` stores them).
    pub(crate) types: Vec<String>,
    /// The ids of its subjects (or, without an id, their `scsSubject` name), in order.
    pub(crate) subjects: Vec<String>,
    pub(crate) valid_from: Option<Timestamp>,
    pub(crate) valid_until: Option<Timestamp>,
}

/// The format of a fetched credential: by its media type, else by its first byte (a compact
/// JWS never starts with `{`).
pub(crate) fn format_of(content_type: Option<&str>, body: &[u8]) -> CredentialFormat {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    match media.as_deref() {
        Some("application/vc+jwt" | "application/jwt") => CredentialFormat::Jwt,
        Some("application/vc+ld+json" | "application/ld+json" | "application/json") => {
            CredentialFormat::JsonLd
        }
        _ if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => {
            CredentialFormat::JsonLd
        }
        _ => CredentialFormat::Jwt,
    }
}

/// Reads the metadata; `Err` says why the body is not a credential document.
pub(crate) fn metadata(
    format: CredentialFormat,
    body: &[u8],
) -> Result<Metadata, gxa_credential::EnvelopeError> {
    let doc = gxa_credential::document(format, body)?;
    let issuer = match doc.get("issuer") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let mut types = Vec::new();
    push_types(&mut types, doc.get("type"));
    let mut subjects = Vec::new();
    let subject_values: Vec<&Value> = match doc.get("credentialSubject") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    for subject in subject_values {
        push_types(&mut types, subject.get("type"));
        // A subject without an id (an SCS attestation's subject is a blank node) is named by
        // its `scsSubject`, the SCS subject (cloud) name the issuing instance stores too.
        if let Some(id) = ["id", "scsSubject"]
            .iter()
            .find_map(|k| subject.get(*k).and_then(Value::as_str))
        {
            subjects.push(id.to_owned());
        }
    }
    let time = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| doc.get(*k).and_then(Value::as_str))
            .and_then(|t| t.parse::<Timestamp>().ok())
    };
    Ok(Metadata {
        id: doc.get("id").and_then(Value::as_str).map(str::to_owned),
        issuer,
        types,
        subjects,
        valid_from: time(&["validFrom", "issuanceDate"]),
        valid_until: time(&["validUntil", "expirationDate"]),
    })
}

fn push_types(types: &mut Vec<String>, value: Option<&Value>) {
    let mut push = |t: &str| {
        if !types.iter().any(|x| x == t) {
            types.push(t.to_owned());
        }
    };
    match value {
        Some(Value::String(t)) => push(t),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).for_each(push),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_metadata() {
        let body = br#"{"id":"urn:c:1","type":["VerifiableCredential","scs:X"],
            "issuer":{"id":"did:web:a"},"issuanceDate":"2026-01-01T00:00:00Z",
            "expirationDate":"2026-04-01T00:00:00Z",
            "credentialSubject":[{"id":"s1","type":"scs:Subject"},{"scsSubject":"s2"}],"proof":{}}"#;
        let m = metadata(CredentialFormat::JsonLd, body).unwrap();
        assert_eq!(m.id.as_deref(), Some("urn:c:1"));
        assert_eq!(m.issuer.as_deref(), Some("did:web:a"));
        assert_eq!(m.types, ["VerifiableCredential", "scs:X", "scs:Subject"]);
        assert_eq!(m.subjects, ["s1", "s2"]);
        assert_eq!(m.valid_from, Some("2026-01-01T00:00:00Z".parse().unwrap()));
        assert!(m.valid_until.is_some());
        assert!(metadata(CredentialFormat::JsonLd, b"nope").is_err());
    }

    #[test]
    fn jwt_metadata_and_format_detection() {
        let payload = gxa_credential::compact::encode(
            br#"{"id":"urn:c:2","type":"VerifiableCredential","issuer":"did:web:b",
                "validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"id":"s"}}"#,
        );
        let jwt = format!("eyJhbGciOiJFUzI1NiJ9.{payload}.sig");
        let m = metadata(CredentialFormat::Jwt, jwt.as_bytes()).unwrap();
        assert_eq!(m.issuer.as_deref(), Some("did:web:b"));
        assert_eq!(m.subjects, ["s"]);
        assert_eq!(m.valid_until, None);
        assert!(metadata(CredentialFormat::Jwt, b"a.b").is_err());
        assert_eq!(
            format_of(Some("application/vc+jwt"), b"{"),
            CredentialFormat::Jwt
        );
        assert_eq!(format_of(None, b" {\"a\":1}"), CredentialFormat::JsonLd);
        assert_eq!(format_of(None, jwt.as_bytes()), CredentialFormat::Jwt);
    }
}
