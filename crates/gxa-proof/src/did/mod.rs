//! DIDs: offline resolution of `did:key` (<https://w3c-ccg.github.io/did-key-spec/>) and
//! `did:jwk` (<https://github.com/quartzjer/did-jwk/blob/main/spec.md>), `did:web`
//! (<https://w3c-ccg.github.io/did-method-web/>) from documents the caller supplies, the
//! did:web ↔ URL mapping, and verification-method dereferencing with verification
//! relationships (<https://www.w3.org/TR/did-core/#verification-relationships>).
//!
//! **No network I/O here**: the network did:web resolver belongs to the verifier service.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::{KeyError, PublicKey, b64};

/// Why a DID or verification method could not be resolved (the proof cannot be checked).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DidError {
    /// The DID is syntactically wrong.
    #[error("invalid DID {0:?}")]
    Invalid(String),
    /// No document for this DID (did:web without a given document, unknown methods).
    #[error("cannot resolve {0:?} offline (give its DID document with --did-document)")]
    Unresolvable(String),
    /// The key inside a DID or method is unusable.
    #[error("key of {did}: {source}")]
    Key {
        /// The DID or method.
        did: String,
        /// The cause.
        source: KeyError,
    },
    /// A document given by the caller is not a DID document.
    #[error("not a DID document: {0}")]
    BadDocument(String),
}

/// A verification method with its public key.
#[derive(Debug, Clone)]
pub struct VerificationMethod {
    /// Absolute id (DID URL or URL).
    pub id: String,
    /// Its `type` (JsonWebKey2020, Multikey, …).
    pub kind: String,
    /// Its controller.
    pub controller: Option<String>,
    /// The key.
    pub key: PublicKey,
    /// `publicKeyJwk.alg` if the method pins one.
    pub jwk_alg: Option<String>,
}

/// A dereferenced method and whether the requested relationship allows it.
#[derive(Debug, Clone)]
pub struct Dereferenced {
    /// The method.
    pub method: VerificationMethod,
    /// `Some(true/false)` when a controller document says; `None` for a bare key the caller
    /// trusted directly ([`Resolver::add_verification_method`]).
    pub purpose_allowed: Option<bool>,
}

/// Resolves DIDs offline: did:key and did:jwk from the DID itself, anything else (did:web,
/// HTTPS controller documents) from documents added beforehand.
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    /// Shared, so that a verification's copy of the resolver (to which it adds the documents
    /// it fetched) does not copy the configured documents.
    documents: HashMap<String, std::sync::Arc<Value>>,
    bare_keys: HashMap<String, VerificationMethod>,
}

/// The DID (or URL) part of a DID URL.
pub fn did_of(url: &str) -> &str {
    url.split(['#', '?']).next().unwrap_or(url)
}

impl Resolver {
    /// An empty resolver (did:key and did:jwk still resolve).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a DID document (or any controller document), keyed by its `id`.
    pub fn add_document(&mut self, doc: Value) -> Result<(), DidError> {
        // A DID resolution result wraps the document.
        let doc = match doc.get("didDocument") {
            Some(inner) => inner.clone(),
            None => doc,
        };
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| DidError::BadDocument("no \"id\"".into()))?
            .to_owned();
        self.documents.insert(id, std::sync::Arc::new(doc));
        Ok(())
    }

    /// Adds a standalone verification method the caller trusts directly (e.g. a test-suite key);
    /// it is found by its `id` and by `publicKeyJwk.kid`.
    pub fn add_verification_method(&mut self, vm: &Value) -> Result<(), DidError> {
        let id = vm
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| DidError::BadDocument("verification method without id".into()))?;
        let method = parse_method(vm, id)?;
        if let Some(kid) = vm.pointer("/publicKeyJwk/kid").and_then(Value::as_str) {
            self.bare_keys.insert(kid.to_owned(), method.clone());
        }
        self.bare_keys.insert(id.to_owned(), method);
        Ok(())
    }

    /// Resolves a DID to its document.
    pub fn resolve(&self, did: &str) -> Result<Value, DidError> {
        self.resolve_ref(did).map(std::borrow::Cow::into_owned)
    }

    /// Resolves a DID to its document, borrowed when it was added beforehand.
    pub fn resolve_ref(&self, did: &str) -> Result<std::borrow::Cow<'_, Value>, DidError> {
        if let Some(doc) = self.documents.get(did) {
            return Ok(std::borrow::Cow::Borrowed(doc));
        }
        if did.starts_with("did:key:") {
            did_key_document(did).map(std::borrow::Cow::Owned)
        } else if did.starts_with("did:jwk:") {
            did_jwk_document(did).map(std::borrow::Cow::Owned)
        } else {
            Err(DidError::Unresolvable(did.to_owned()))
        }
    }

    /// Finds the verification method `url` and checks that the relationship `purpose`
    /// (`assertionMethod`, `authentication`, …) lists it.
    ///
    /// `Ok(None)` means the controller document was found but does not contain the method.
    pub fn dereference(&self, url: &str, purpose: &str) -> Result<Option<Dereferenced>, DidError> {
        if let Some(method) = self.bare_keys.get(url) {
            return Ok(Some(Dereferenced {
                method: method.clone(),
                purpose_allowed: None,
            }));
        }
        let doc = self.resolve_ref(did_of(url))?;
        let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or(did_of(url));
        let Some(method) = find_method(&doc, doc_id, url)? else {
            return Ok(None);
        };
        let allowed = relationship_lists(&doc, doc_id, purpose, url);
        Ok(Some(Dereferenced {
            method,
            purpose_allowed: Some(allowed),
        }))
    }
}

/// Makes a relative DID URL (`#key-1`) absolute against `base`.
fn absolute(base: &str, id: &str) -> String {
    if id.starts_with('#') {
        format!("{base}{id}")
    } else {
        id.to_owned()
    }
}

fn find_method(
    doc: &Value,
    doc_id: &str,
    url: &str,
) -> Result<Option<VerificationMethod>, DidError> {
    match method_in(doc, doc_id, url) {
        Some(vm) => parse_method(vm, url).map(Some),
        None => Ok(None),
    }
}

/// The verification method object `url` in its controller document `doc` (whose `id` is
/// `doc_id`): embedded in `verificationMethod` or in a verification relationship, or in the
/// legacy `publicKey` list; ids relative to the document (`#key-1`) are made absolute
/// ([DID Core §5.2](https://www.w3.org/TR/did-core/#verification-methods)).
pub fn method_in<'a>(doc: &'a Value, doc_id: &str, url: &str) -> Option<&'a Value> {
    [
        "verificationMethod",
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "publicKey",
    ]
    .into_iter()
    .flat_map(|key| match doc.get(key) {
        Some(Value::Array(items)) => items.iter().filter(|v| v.is_object()).collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    })
    .find(|vm| {
        vm.get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| absolute(doc_id, id) == url)
    })
}

fn relationship_lists(doc: &Value, doc_id: &str, purpose: &str, url: &str) -> bool {
    let entries = match doc.get(purpose) {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    entries.into_iter().any(|entry| {
        let id = match entry {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("id").and_then(Value::as_str),
            _ => None,
        };
        id.is_some_and(|id| absolute(doc_id, id) == url)
    })
}

fn parse_method(vm: &Value, id: &str) -> Result<VerificationMethod, DidError> {
    let key_err = |source| DidError::Key {
        did: id.to_owned(),
        source,
    };
    let key = if let Some(jwk) = vm.get("publicKeyJwk") {
        PublicKey::from_jwk(jwk).map_err(key_err)?
    } else if let Some(mb) = vm.get("publicKeyMultibase").and_then(Value::as_str) {
        PublicKey::from_multikey(mb).map_err(key_err)?
    } else if let Some(b58) = vm.get("publicKeyBase58").and_then(Value::as_str) {
        // Ed25519VerificationKey2018: raw 32 bytes in base58btc.
        let bytes = bs58::decode(b58)
            .into_vec()
            .map_err(|e| key_err(KeyError::Malformed(e.to_string())))?;
        let x: [u8; 32] = bytes.try_into().map_err(|_| {
            key_err(KeyError::Malformed(
                "publicKeyBase58 is not 32 bytes".into(),
            ))
        })?;
        PublicKey::Ed25519(x)
    } else {
        return Err(key_err(KeyError::Unsupported(
            "verification method without publicKeyJwk / publicKeyMultibase".into(),
        )));
    };
    Ok(VerificationMethod {
        id: id.to_owned(),
        kind: vm
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        controller: vm
            .get("controller")
            .and_then(Value::as_str)
            .map(str::to_owned),
        key,
        jwk_alg: vm
            .pointer("/publicKeyJwk/alg")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

const RELATIONSHIPS: [&str; 4] = [
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
];

fn did_key_document(did: &str) -> Result<Value, DidError> {
    let mb = did
        .strip_prefix("did:key:")
        .ok_or_else(|| DidError::Invalid(did.to_owned()))?;
    let key = PublicKey::from_multikey(mb).map_err(|source| DidError::Key {
        did: did.to_owned(),
        source,
    })?;
    let vm_id = format!("{did}#{mb}");
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1"
        ]),
    );
    doc.insert("id".into(), did.into());
    doc.insert(
        "verificationMethod".into(),
        json!([{
            "id": vm_id, "type": "Multikey", "controller": did,
            "publicKeyMultibase": mb,
            "publicKeyJwk": Value::Object(key.to_jwk()),
        }]),
    );
    for rel in RELATIONSHIPS {
        doc.insert(rel.into(), json!([vm_id]));
    }
    Ok(Value::Object(doc))
}

fn did_jwk_document(did: &str) -> Result<Value, DidError> {
    let encoded = did
        .strip_prefix("did:jwk:")
        .ok_or_else(|| DidError::Invalid(did.to_owned()))?;
    let jwk: Value = b64::decode(encoded)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| DidError::Invalid(did.to_owned()))?;
    if jwk.get("d").is_some() {
        return Err(DidError::Invalid(format!("{did} carries a private key")));
    }
    PublicKey::from_jwk(&jwk).map_err(|source| DidError::Key {
        did: did.to_owned(),
        source,
    })?;
    let vm_id = format!("{did}#0");
    let mut doc = Map::new();
    doc.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1"
        ]),
    );
    doc.insert("id".into(), did.into());
    doc.insert(
        "verificationMethod".into(),
        json!([{ "id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk }]),
    );
    let usage = jwk.get("use").and_then(Value::as_str);
    if usage != Some("sig") {
        doc.insert("keyAgreement".into(), json!([vm_id]));
    }
    if usage != Some("enc") {
        for rel in RELATIONSHIPS {
            doc.insert(rel.into(), json!([vm_id]));
        }
    }
    Ok(Value::Object(doc))
}

/// The did:jwk of a public key (members in RFC 7638 order, plus `alg` when given).
pub fn did_jwk(key: &PublicKey, alg: Option<&str>) -> String {
    let mut jwk = key.to_jwk();
    if let Some(alg) = alg {
        jwk.insert("alg".into(), alg.into());
    }
    format!(
        "did:jwk:{}",
        b64::encode(Value::Object(jwk).to_string().as_bytes())
    )
}

/// The did:key of a public key (Ed25519, P-256, P-384); `None` for RSA.
pub fn did_key(key: &PublicKey) -> Option<String> {
    key.to_multikey().map(|mb| format!("did:key:{mb}"))
}

/// Maps a did:web DID to the HTTPS URL of its document: `did:web:example.com` →
/// `https://example.com/.well-known/did.json`, `did:web:example.com%3A8443:u:alice` →
/// `https://example.com:8443/u/alice/did.json`.
pub fn did_web_to_url(did: &str) -> Result<String, DidError> {
    let rest = did
        .strip_prefix("did:web:")
        .ok_or_else(|| DidError::Invalid(did.to_owned()))?;
    let rest = did_of(rest);
    let mut parts = rest.split(':');
    let host = parts.next().unwrap_or("");
    if host.is_empty() || host.contains('/') {
        return Err(DidError::Invalid(did.to_owned()));
    }
    // The host is percent-encoded: the port's colon (`%3A`) and, for an IPv6 literal, its
    // brackets and colons (`%5B%3A%3A1%5D%3A8080` → `[::1]:8080`).
    let host = percent_decode_host(host).ok_or_else(|| DidError::Invalid(did.to_owned()))?;
    let path: Vec<&str> = parts.collect();
    if path.iter().any(|p| p.is_empty() || p.contains('/')) {
        return Err(DidError::Invalid(did.to_owned()));
    }
    if path.is_empty() {
        Ok(format!("https://{host}/.well-known/did.json"))
    } else {
        Ok(format!("https://{host}/{}/did.json", path.join("/")))
    }
}

/// The percent-decoded host (and port) of a did:web; `None` for a malformed escape or for
/// anything a URL authority of a host and a port cannot hold (userinfo, paths, queries).
fn percent_decode_host(host: &str) -> Option<String> {
    // A malformed escape stays as it is, and its `%` is refused below.
    let decoded = percent_encoding::percent_decode_str(host)
        .decode_utf8()
        .ok()?;
    decoded
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        .then(|| decoded.into_owned())
}

/// Maps a document URL (or a base URL `https://host[:port][/path]`) back to its did:web.
pub fn did_web_from_url(url: &str) -> Result<String, DidError> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| DidError::Invalid(format!("{url} is not an https URL")))?;
    let rest = rest
        .strip_suffix("/.well-known/did.json")
        .or_else(|| rest.strip_suffix("/did.json"))
        .unwrap_or(rest)
        .trim_end_matches('/');
    let mut segments = rest.split('/');
    let host = segments.next().unwrap_or("");
    if host.is_empty() {
        return Err(DidError::Invalid(url.to_owned()));
    }
    let mut did = format!(
        "did:web:{}",
        host.replace('[', "%5B")
            .replace(']', "%5D")
            .replace(':', "%3A")
    );
    for seg in segments {
        if seg.is_empty() || seg == ".well-known" {
            return Err(DidError::Invalid(url.to_owned()));
        }
        did.push(':');
        did.push_str(seg);
    }
    Ok(did)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_mapping_with_paths_and_ports() {
        let cases = [
            (
                "did:web:example.com",
                "https://example.com/.well-known/did.json",
            ),
            (
                "did:web:example.com%3A8443:user:alice",
                "https://example.com:8443/user/alice/did.json",
            ),
            (
                "did:web:compliance.lab.gaia-x.eu:development",
                "https://compliance.lab.gaia-x.eu/development/did.json",
            ),
            (
                "did:web:%5B%3A%3A1%5D%3A8080",
                "https://[::1]:8080/.well-known/did.json",
            ),
        ];
        for (did, url) in cases {
            assert_eq!(did_web_to_url(did).unwrap(), url);
            assert_eq!(did_web_from_url(url).unwrap(), did);
        }
        assert_eq!(
            did_web_from_url("https://localhost:3000").unwrap(),
            "did:web:localhost%3A3000"
        );
        assert!(did_web_to_url("did:web:").is_err());
        assert!(did_web_to_url("did:key:z6Mk").is_err());
        assert!(did_web_to_url("did:web:example.com::x").is_err());
        assert!(did_web_to_url("did:web:user%40evil.example").is_err());
        assert!(did_web_to_url("did:web:example.com%2Fpath").is_err());
        assert!(did_web_to_url("did:web:example.com%zz").is_err());
    }

    #[test]
    fn did_jwk_round_trip() {
        let key = crate::KeyPair::generate(crate::Algorithm::Es256).unwrap();
        let did = did_jwk(crate::Signer::public_key(&key), Some("ES256"));
        let resolver = Resolver::new();
        let deref = resolver
            .dereference(&format!("{did}#0"), "assertionMethod")
            .unwrap()
            .unwrap();
        assert_eq!(&deref.method.key, crate::Signer::public_key(&key));
        assert_eq!(deref.purpose_allowed, Some(true));
        let deref = resolver
            .dereference(&format!("{did}#0"), "keyAgreement")
            .unwrap()
            .unwrap();
        assert_eq!(deref.purpose_allowed, Some(true));
    }

    #[test]
    fn did_key_ed25519_resolves() {
        let did = "did:key:z6MkhRZ7XMcydYWTYGQrVxKXaG9Bpd3LrbA345QGWNMaSxeE";
        let url = format!("{did}#z6MkhRZ7XMcydYWTYGQrVxKXaG9Bpd3LrbA345QGWNMaSxeE");
        let deref = Resolver::new()
            .dereference(&url, "authentication")
            .unwrap()
            .unwrap();
        assert_eq!(
            Value::Object(deref.method.key.to_jwk()),
            json!({"crv":"Ed25519","kty":"OKP","x":"LCMyoqPsygm7_avCkaRcLkGscO2k_rPQeqQy-xNVaWM"})
        );
        assert!(matches!(
            Resolver::new().resolve("did:web:example.com"),
            Err(DidError::Unresolvable(_))
        ));
    }
}
