//! Signing, content hashing and the JSON-LD details both profiles need.
//!
//! Tagus documents are signed with JsonWebSignature2020 in the Gaia-X flavour (the proof
//! embedded, `application/vc+ld+json`); Loire documents become a VC-JOSE `vc+jwt`
//! (`application/vc+jwt`), after a strict JSON-LD expansion so that nothing is signed that a
//! JSON-LD reader would drop. Everything here is CPU-bound and called from
//! [`tokio::task::spawn_blocking`].

use std::sync::Arc;

use gxa_proof::{
    Canonicalizer as _, PinnedJsonLd, SignOptions, SignSuite, Signed, Signer, with_proof_context,
};
use gxa_scs::Profile;
use gxa_store::CredentialFormat;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::IssuerError;

/// The status vocabulary's namespace (W3C Bitstring Status List v1.0).
const STATUS_NS: &str = "https://www.w3.org/ns/credentials/status#";

/// The inline context that defines the Bitstring Status List terms for VC 1.1 (Tagus)
/// documents. `credentials/v1` has no status list terms, and the status list context that is
/// pinned (`https://w3id.org/vc/status-list/2021/v1`) is StatusList2021, a different
/// vocabulary; contexts are never fetched. The definitions are those of
/// `https://www.w3.org/ns/credentials/v2` for the same terms, so a Tagus credential's status
/// expands to the same RDF as a Loire one.
pub(crate) fn tagus_status_context() -> Value {
    let term = |name: &str| format!("{STATUS_NS}{name}");
    json!({
        "BitstringStatusListCredential": term("BitstringStatusListCredential"),
        "BitstringStatusList": {
            "@id": term("BitstringStatusList"),
            "@context": {
                "@protected": true,
                "id": "@id",
                "type": "@type",
                "encodedList": {"@id": term("encodedList"), "@type": "https://w3id.org/security#multibase"},
                "statusPurpose": term("statusPurpose"),
                "ttl": term("ttl"),
            }
        },
        "BitstringStatusListEntry": {
            "@id": term("BitstringStatusListEntry"),
            "@context": {
                "@protected": true,
                "id": "@id",
                "type": "@type",
                "statusListCredential": {"@id": term("statusListCredential"), "@type": "@id"},
                "statusListIndex": term("statusListIndex"),
                "statusPurpose": term("statusPurpose"),
            }
        }
    })
}

/// Adds the status terms' context to a Tagus document (at the end of `@context`).
pub(crate) fn add_tagus_status_context(doc: &mut Map<String, Value>) {
    let context = tagus_status_context();
    match doc.get_mut("@context") {
        Some(Value::Array(list)) => {
            if !list.contains(&context) {
                list.push(context);
            }
        }
        Some(other) => {
            let first = other.take();
            *other = Value::Array(vec![first, context]);
        }
        None => {
            doc.insert("@context".to_owned(), Value::Array(vec![context]));
        }
    }
}

/// The signing key of an issuer: a signer and the DID URL its proofs name.
#[derive(Clone)]
pub(crate) struct SigningKey {
    pub(crate) signer: Arc<dyn Signer>,
    pub(crate) method: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material: only which method signs.
        f.debug_struct("SigningKey")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// A signed document and how to serve it.
#[derive(Debug, Clone)]
pub(crate) struct Sealed {
    pub(crate) body: Vec<u8>,
    pub(crate) format: CredentialFormat,
    pub(crate) media_type: &'static str,
}

/// Signs `doc` (a credential or a presentation) in `profile`, on the blocking pool.
pub(crate) async fn seal(
    key: &SigningKey,
    doc: Value,
    profile: Profile,
    created: Timestamp,
) -> Result<Sealed, IssuerError> {
    let key = key.clone();
    blocking(move || seal_now(&key, doc, profile, created)).await?
}

/// [`seal`] on the current thread.
pub(crate) fn seal_now(
    key: &SigningKey,
    doc: Value,
    profile: Profile,
    created: Timestamp,
) -> Result<Sealed, IssuerError> {
    let is_vp = doc.get("type").is_some_and(|t| {
        t == "VerifiablePresentation"
            || t.as_array()
                .is_some_and(|a| a.iter().any(|x| x == "VerifiablePresentation"))
    });
    let suite = match profile {
        Profile::Tagus => SignSuite::Jws2020GaiaX,
        Profile::Loire => SignSuite::VcJwt,
    };
    let doc = with_proof_context(doc, suite);
    let options = SignOptions {
        verification_method: Some(key.method.clone()),
        created: Some(created.to_string()),
        challenge: None,
        domain: None,
        strict_jsonld: true,
    };
    let signed = gxa_proof::sign(
        &doc,
        suite,
        key.signer.as_ref(),
        &options,
        Some(&PinnedJsonLd),
    )?;
    Ok(match signed {
        Signed::Document(doc) => Sealed {
            body: serde_json::to_vec(&doc).map_err(|e| {
                IssuerError::Internal(format!("serialising a signed document: {e}"))
            })?,
            format: CredentialFormat::LdJson,
            media_type: if is_vp {
                "application/vp+ld+json"
            } else {
                "application/vc+ld+json"
            },
        },
        Signed::Jwt(jwt) => Sealed {
            body: jwt.into_bytes(),
            format: CredentialFormat::VcJwt,
            media_type: if is_vp {
                "application/vp+jwt"
            } else {
                "application/vc+jwt"
            },
        },
    })
}

/// The content hash of an unsigned credential: `content-sha256:<hex>` of the RDFC-1.0
/// canonical N-Quads of the document without what every issuance changes (`id`,
/// `issuanceDate`, `expirationDate`, `validFrom`, `validUntil`, `credentialStatus`, `proof`)
/// and without the subject keys in `volatile` (e.g. the SCS `evaluatedAt`).
///
/// Two issuances with the same content hash state the same facts; the issuer re-issues only
/// when it changes. RDF, not JSON, is compared, so key order and spelling differences that do
/// not change the statements do not cause a re-issuance.
pub(crate) fn content_hash(doc: &Value, volatile: &[&str]) -> Result<String, IssuerError> {
    let mut content = doc.clone();
    if let Some(obj) = content.as_object_mut() {
        for key in [
            "id",
            "issuanceDate",
            "expirationDate",
            "validFrom",
            "validUntil",
            "credentialStatus",
            "proof",
        ] {
            obj.remove(key);
        }
        if let Some(Value::Object(subject)) = obj.get_mut("credentialSubject") {
            for key in volatile {
                subject.remove(*key);
            }
        }
    }
    let nquads = PinnedJsonLd.canonicalize(&content).map_err(|e| {
        IssuerError::Unprocessable(format!("the credential is not valid JSON-LD: {e}"))
    })?;
    Ok(format!(
        "content-sha256:{}",
        hex::encode(Sha256::digest(nquads.as_bytes()))
    ))
}

/// A strong ETag for a body.
pub(crate) fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Runs CPU-bound work on tokio's blocking pool.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, IssuerError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| IssuerError::Internal(format!("blocking task failed: {e}")))
}

/// The unsigned document inside a stored credential: the JSON-LD without its proof (Tagus) or
/// the vc+jwt payload (Loire).
pub(crate) fn unsigned_document(
    body: &[u8],
    format: CredentialFormat,
) -> Result<Value, IssuerError> {
    use base64::Engine as _;

    let corrupt =
        |what: &str| IssuerError::Internal(format!("stored credential is corrupt: {what}"));
    match format {
        CredentialFormat::LdJson => {
            let mut doc: Value = serde_json::from_slice(body).map_err(|_| corrupt("not JSON"))?;
            if let Some(obj) = doc.as_object_mut() {
                obj.remove("proof");
            }
            Ok(doc)
        }
        CredentialFormat::VcJwt => {
            let text = std::str::from_utf8(body).map_err(|_| corrupt("JWT not UTF-8"))?;
            let payload = text
                .split('.')
                .nth(1)
                .ok_or_else(|| corrupt("not a compact JWS"))?;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .map_err(|_| corrupt("JWT payload not base64url"))?;
            serde_json::from_slice(&bytes).map_err(|_| corrupt("JWT payload not JSON"))
        }
        _ => Err(corrupt("unknown format")),
    }
}
