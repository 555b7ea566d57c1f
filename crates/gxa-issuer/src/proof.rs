//! Signing, content hashing and the JSON-LD details both profiles need.
//!
//! Tagus documents are signed with JsonWebSignature2020 in the Gaia-X flavour (the proof
//! embedded, `application/vc+ld+json`); Loire documents become a VC-JOSE `vc+jwt`
//! (`application/vc+jwt`), after a strict JSON-LD expansion so that nothing is signed that a
//! JSON-LD reader would drop. Everything here is CPU-bound and called from
//! [`tokio::task::spawn_blocking`].

use gxa_proof::{Canonicalizer as _, PinnedJsonLd};
use gxa_store::CredentialFormat;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::IssuerError;

/// The context of a Tagus (VC 1.1) credential's status entry: the published StatusList2021
/// context (<https://w3id.org/vc/status-list/2021/v1>, pinned, never fetched).
/// `credentials/v1` has no status terms; the Bitstring Status List terms exist only in
/// `credentials/v2`, and an inline context that defines them costs interoperability (JSON-LD
/// stacks differ on `@id` aliases inside scoped contexts), so VC 1.1 verifiers get the list
/// vocabulary they all know.
pub(crate) const TAGUS_STATUS_CONTEXT: &str = gxa_contexts::urls::STATUS_LIST_2021_V1;

/// Adds the status terms' context to a Tagus document (at the end of `@context`).
pub(crate) fn add_tagus_status_context(doc: &mut Map<String, Value>) {
    let context = json!(TAGUS_STATUS_CONTEXT);
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
    let nquads = PinnedJsonLd
        .canonicalize(&content)
        .map_err(IssuerError::NotJsonLd)?;
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
    gxa_credential::unsigned_document(format, body)
        .map_err(|e| IssuerError::Internal(format!("stored credential is corrupt: {e}")))
}
