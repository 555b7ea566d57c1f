//! The JSON-LD contexts the service's documents use, served so that an online JSON-LD processor
//! can expand them: `GET /contexts` lists them, `GET /contexts/{file}` serves one, byte for byte
//! as compiled in (`gxa_contexts::PINNED`; the files of `contexts/`). A context never changes
//! under its URL, so they are cached for a year. gx-attest's own `https://w3id.org/gx-attest/
//! scs/v1` is resolvable once w3id.org redirects it here (`contexts/w3id/`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use serde::Serialize;

use crate::error::{ApiError, Problem};
use crate::routes::credentials::representation;

/// `application/ld+json`.
const LD_JSON: &str = "application/ld+json";
/// A year: a context is immutable under its URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One served context.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ContextEntry {
    /// The URL documents reference it by.
    url: &'static str,
    /// Where this service serves it (`/contexts/{file}`).
    path: String,
    /// SHA-256 of the document, lowercase hex.
    sha256: String,
}

/// The contexts this service serves, one entry per URL (aliases share a file).
#[utoipa::path(get, path = "/contexts", tag = "contexts",
    responses((status = 200, description = "Every context, by URL", body = [ContextEntry])))]
pub(crate) async fn list() -> Response {
    let entries: Vec<ContextEntry> = gxa_contexts::PINNED
        .iter()
        .map(|c| ContextEntry {
            url: c.url,
            path: format!("/contexts/{}", c.file),
            sha256: c.sha256_hex(),
        })
        .collect();
    let mut response = Json(entries).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// One context document, e.g. `/contexts/scs/v1.jsonld`.
#[utoipa::path(get, path = "/contexts/{file}", tag = "contexts",
    params(("file" = String, Path, description = "The file under contexts/, e.g. scs/v1.jsonld")),
    responses(
        (status = 200, description = "The context, as compiled in", body = serde_json::Value, content_type = "application/ld+json"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such context", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let context = gxa_contexts::PINNED
        .iter()
        .find(|c| c.file == file)
        .ok_or_else(|| {
            ApiError::NotFound(format!("no context {file:?} (GET /contexts lists them)"))
        })?;
    let etag = format!("\"{}\"", context.sha256_hex());
    Ok(representation(
        &headers,
        LD_JSON,
        Bytes::from_static(context.text.as_bytes()),
        &etag,
        IMMUTABLE,
    ))
}
