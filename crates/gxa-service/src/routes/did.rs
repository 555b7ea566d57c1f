//! did:web: the DID document of the key set and the x5u certificate chains.
//!
//! did:web resolution: <https://w3c-ccg.github.io/did-method-web/#read-resolve>. A host-only DID
//! (`did:web:provider.example`) is served at `/.well-known/did.json` (a route); a path DID
//! (`did:web:provider.example:gx`) at `/gx/did.json`, and each key's `x5u` chain
//! (RFC 7517 §4.6) at the path of its URL; both are looked up by the router's fallback, since
//! their paths come from the key set.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::Problem;
use crate::middleware::header_value;
use crate::state::AppState;

/// The DID document's media type (<https://www.w3.org/TR/did-core/#representations>).
pub(crate) const DID_JSON: &str = "application/did+ld+json";
/// RFC 8555 §9.1: a PEM certificate chain.
pub(crate) const PEM_CHAIN: &str = "application/pem-certificate-chain";

/// The DID document of the service's key set.
#[utoipa::path(get, path = "/.well-known/did.json", tag = "did",
    responses(
        (status = 200, description = "The did:web document: a JsonWebKey2020 method (with x5u) and a Multikey method per key, active and retired", content((serde_json::Value = "application/did+ld+json"))),
    ))]
pub(crate) async fn did_document(State(state): State<AppState>) -> Response {
    did_document_response(&state)
}

pub(crate) fn did_document_response(state: &AppState) -> Response {
    let body = serde_json::to_vec_pretty(state.issuer().did_document()).unwrap_or_default();
    let etag = format!("\"{}\"", gxa_store::Sha256Digest::of(&body));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(DID_JSON)),
            // Keys rotate rarely, but a resolver must see a new key within minutes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (header::ETAG, header_value(&etag)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response()
}

/// The PEM chain of a key (leaf first), as named by the `x5u` of its JWK. The path is the one of
/// the configured `x5u` URL; development key sets use this one.
#[utoipa::path(get, path = "/.well-known/x509CertificateChain.pem", tag = "did",
    responses(
        (status = 200, description = "PEM certificate chain, leaf first", content((String = "application/pem-certificate-chain"))),
        (status = 404, description = "No key of the key set publishes its chain here", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) fn chain_response(chain: &[u8]) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(PEM_CHAIN)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        chain.to_vec(),
    )
        .into_response()
}
