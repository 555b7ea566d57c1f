//! Credentials: the paged listing, one credential in several representations, revocation.
//!
//! Credentials are immutable (see `gxa-store`): the bytes served for a media type never change,
//! so they are cacheable for a year (`immutable`); whether a credential is still good is in its
//! status list (W3C Bitstring Status List, <https://www.w3.org/TR/vc-bitstring-status-list/>), not
//! in the credential. Only the HTML page, which shows superseded/revoked state, is short-lived.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gxa_store::{
    CredentialFilter, CredentialFormat, CredentialState, ListCursor, ListedCredential,
};
use serde::{Deserialize, Serialize};

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::middleware::header_value;
use crate::negotiate;
use crate::render;
use crate::state::{AppState, CachedCredential};

pub(crate) const VC_LD_JSON: &str = "application/vc+ld+json";
pub(crate) const LD_JSON: &str = "application/ld+json";
pub(crate) const VC_JWT: &str = "application/vc+jwt";
/// Plain JSON: a JSON-LD credential as issued, or a JWT credential enveloped.
pub(crate) const JSON: &str = "application/json";
/// A JWT credential under the generic JWT media type (RFC 7519 §10.3.1).
const JWT: &str = "application/jwt";
/// A JWT credential as the ICAM 24.07 examples name it (`typ` `vc+ld+json+jwt`).
const VC_LD_JSON_JWT: &str = "application/vc+ld+json+jwt";
pub(crate) const N_QUADS: &str = "application/n-quads";
pub(crate) const HTML: &str = "text/html";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=60";

/// Query of `GET /credentials`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only credentials with this entry in their `type` list (e.g. `gx:LegalParticipant`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    credential_type: Option<String>,
    /// Only credentials about this subject id.
    subject: Option<String>,
    /// Only credentials of this issuer DID.
    issuer: Option<String>,
    /// Only credentials of this issuance profile (`tagus`, `loire`).
    profile: Option<String>,
    /// Only `current`, `superseded` or `revoked` credentials.
    status: Option<String>,
    /// The `next` value of the previous page (opaque).
    cursor: Option<String>,
    /// Page size, 1..=1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

/// One credential in a listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CredentialSummary {
    /// The credential id (also its URL).
    id: String,
    /// Its `type` list.
    types: Vec<String>,
    /// The credential subject.
    subject: String,
    /// The issuer DID.
    issuer: String,
    /// The issuance profile.
    profile: String,
    /// `ld+json` or `vc+jwt`.
    format: &'static str,
    /// SHA-256 (hex) of the body as issued: the `ETag` of its native representation.
    sha256: String,
    /// RFC 3339.
    issued_at: String,
    /// RFC 3339.
    valid_from: String,
    /// RFC 3339, if it expires.
    valid_until: Option<String>,
    /// The credential that replaced this one, if any.
    superseded_by: Option<String>,
    /// When it was revoked, if it was.
    revoked_at: Option<String>,
}

impl From<ListedCredential> for CredentialSummary {
    fn from(c: ListedCredential) -> Self {
        Self {
            sha256: c.body_sha256.to_string(),
            issued_at: c.issued_at.to_string(),
            valid_from: c.valid_from.to_string(),
            valid_until: c.valid_until.map(|t| t.to_string()),
            revoked_at: c.revoked_at.map(|t| t.to_string()),
            format: c.format.as_str(),
            id: c.id,
            types: c.types,
            subject: c.subject,
            issuer: c.issuer,
            profile: c.profile,
            superseded_by: c.superseded_by,
        }
    }
}

/// A page of `GET /credentials`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CredentialPage {
    /// The credentials of this page, in storage order.
    items: Vec<CredentialSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<String>,
}

/// Parses a page size: 1..=1000, default 100.
pub(crate) fn parse_limit(limit: Option<&str>) -> Result<u32, ApiError> {
    // An empty `limit=` is a form's way of leaving it out.
    match limit.filter(|text| !text.is_empty()) {
        None => Ok(100),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err(ApiError::BadRequest(format!(
                "limit must be an integer from 1 to 1000, not {text:?}"
            ))),
        },
    }
}

/// Parses a listing cursor; absent or empty: the first page.
pub(crate) fn parse_cursor(cursor: Option<&str>) -> Result<Option<ListCursor>, ApiError> {
    match cursor {
        None | Some("") => Ok(None),
        Some(text) => text.parse::<ListCursor>().map(Some).map_err(|_| {
            ApiError::BadRequest("cursor is not one this service handed out".to_owned())
        }),
    }
}

/// Parses a `status` filter: `current`, `superseded` or `revoked`; absent: any.
pub(crate) fn parse_state(status: Option<&str>) -> Result<Option<CredentialState>, ApiError> {
    match status {
        None => Ok(None),
        Some(name) => CredentialState::from_name(name).map(Some).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "status must be current, superseded or revoked, not {name:?}"
            ))
        }),
    }
}

/// Pages through the stored credentials, newest last; filters combine with AND.
#[utoipa::path(get, path = "/credentials", tag = "credentials", params(ListQuery),
    responses(
        (status = 200, description = "A page of credentials", body = CredentialPage),
        (status = 400, description = "Bad cursor, limit or status", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let cursor = parse_cursor(query.cursor.as_deref())?;
    let state_filter = parse_state(query.status.as_deref())?;
    let filter = CredentialFilter {
        credential_type: query.credential_type,
        subject: query.subject,
        issuer: query.issuer,
        profile: query.profile,
        state: state_filter,
    };
    let page = state
        .store()
        .list_credentials(&filter, cursor, limit)
        .await?;
    let body = CredentialPage {
        items: page
            .items
            .into_iter()
            .map(CredentialSummary::from)
            .collect(),
        next: page.next.map(|c| c.to_string()),
    };
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(body),
    )
        .into_response())
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison, RFC 9110 §13.1.2).
pub(crate) fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|candidate| candidate.trim() == "*" || bare(candidate) == bare(etag))
}

/// A representation with its validators, or 304 when the client has it.
pub(crate) fn representation(
    headers: &HeaderMap,
    media_type: &'static str,
    body: Bytes,
    etag: &str,
    cache_control: &'static str,
) -> Response {
    let common = [
        (header::ETAG, header_value(etag)),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ),
        (header::VARY, HeaderValue::from_static("Accept")),
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ),
    ];
    if etag_matches(headers, etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let content_type = match media_type {
        HTML => HeaderValue::from_static("text/html; charset=utf-8"),
        other => HeaderValue::from_static(other),
    };
    let mut response = (StatusCode::OK, common, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    if media_type == HTML {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
    }
    response
}

/// The JSON-LD document a credential's RDF is read from: the body, or a JWT's payload.
pub(crate) fn document_json(
    id: &str,
    format: CredentialFormat,
    body: &[u8],
) -> Result<serde_json::Value, ApiError> {
    gxa_credential::document(format, body)
        .map_err(|e| ApiError::Internal(format!("stored credential {id}: {e}")))
}

/// The media types a credential can be served as, preferred first.
fn available(format: CredentialFormat) -> &'static [&'static str] {
    match format {
        CredentialFormat::Jwt => &[VC_JWT, JWT, VC_LD_JSON_JWT, LD_JSON, JSON, N_QUADS, HTML],
        _ => &[VC_LD_JSON, LD_JSON, JSON, N_QUADS, HTML],
    }
}

/// A JWT credential as JSON-LD: the VC 2.0 `EnvelopedVerifiableCredential` whose `id` is the
/// JWT as a data URL ([VC 2.0 § 4.13](https://www.w3.org/TR/vc-data-model-2.0/#enveloped-verifiable-credentials)),
/// what a JSON client that asked for JSON can store and present.
fn enveloped(jwt: &[u8]) -> Bytes {
    let jwt = String::from_utf8_lossy(jwt);
    Bytes::from(
        serde_json::json!({
            "@context": gxa_contexts::urls::CREDENTIALS_V2,
            "id": format!("data:application/vc+jwt,{}", jwt.trim()),
            "type": "EnvelopedVerifiableCredential",
        })
        .to_string(),
    )
}

/// One credential, in the representation `Accept` asks for.
///
/// JSON-LD credentials: `application/vc+ld+json` (default), `application/ld+json` or
/// `application/json` (the bytes as issued, proof embedded). JWT credentials:
/// `application/vc+jwt` (default), `application/jwt` or `application/vc+ld+json+jwt` (the JWT as
/// issued), `application/ld+json` or `application/json` (the VC 2.0
/// `EnvelopedVerifiableCredential` around it). Both: `application/n-quads` (the RDFC-1.0 canonical form of the credential, for a JWT of its
/// payload; <https://www.w3.org/TR/rdf-canon/>) and `text/html` (a readable page).
#[utoipa::path(get, path = "/credentials/{id}", tag = "credentials",
    params(("id" = String, Path, description = "The last segment of the credential id, or a whole id (percent-encoded; e.g. a partner's credential re-served here)")),
    responses(
        (status = 200, description = "The credential", content(
            (serde_json::Value = "application/vc+ld+json"),
            (serde_json::Value = "application/ld+json"),
            (serde_json::Value = "application/json"),
            (String = "application/vc+jwt"),
            (String = "application/jwt"),
            (String = "application/vc+ld+json+jwt"),
            (String = "application/n-quads"),
            (String = "text/html"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "Unknown credential", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "No acceptable representation", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // Our own ids are `{base_url}/credentials/{uuid}`; a segment with a `:` is a whole
    // (percent-encoded) id, e.g. a partner's credential re-served here.
    let full_id = if id.contains(':') {
        id
    } else {
        state.credential_id(&id)
    };
    // The bytes as issued are immutable: served from memory after the first read.
    let cached = match state.cached_credential(&full_id) {
        Some(cached) => cached,
        None => {
            let credential = state.store().get_credential(&full_id).await?;
            let entry = Arc::new(CachedCredential {
                format: credential.format,
                etag: format!("\"{}\"", credential.body_sha256),
                body: Bytes::from(credential.body),
                nquads: std::sync::OnceLock::new(),
            });
            state.cache_credential(full_id.clone(), Arc::clone(&entry));
            entry
        }
    };
    let available = available(cached.format);
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let chosen = negotiate::choose(accept, available)
        .ok_or_else(|| ApiError::NotAcceptable(available.to_vec()))?;
    match chosen {
        LD_JSON | JSON if cached.format == CredentialFormat::Jwt => {
            let body = enveloped(&cached.body);
            let etag = format!("\"{}\"", gxa_store::Sha256Digest::of(&body));
            Ok(representation(&headers, chosen, body, &etag, IMMUTABLE))
        }
        VC_LD_JSON | LD_JSON | JSON | VC_JWT | JWT | VC_LD_JSON_JWT => Ok(representation(
            &headers,
            chosen,
            cached.body.clone(),
            &cached.etag,
            IMMUTABLE,
        )),
        N_QUADS => {
            // Canonicalized once per credential: the body it comes from never changes.
            let (body, etag) = match cached.nquads.get() {
                Some(done) => done.clone(),
                None => {
                    let document = document_json(&full_id, cached.format, &cached.body)?;
                    // RDFC-1.0 is CPU-bound (and work-limited): off the async runtime.
                    let nquads = tokio::task::spawn_blocking(move || {
                        gxa_jsonld::Processor::pinned().canonicalize(&document)
                    })
                    .await
                    .map_err(|e| ApiError::Internal(format!("canonicalization task: {e}")))?
                    .map_err(|e| ApiError::Internal(format!("canonical form of {full_id}: {e}")))?;
                    let body = Bytes::from(nquads);
                    let etag = format!("\"{}\"", gxa_store::Sha256Digest::of(&body));
                    cached.nquads.get_or_init(|| (body, etag)).clone()
                }
            };
            Ok(representation(&headers, N_QUADS, body, &etag, IMMUTABLE))
        }
        _ => {
            // The page shows the current state (superseded, revoked): read it fresh.
            let credential = state.store().get_credential(&full_id).await?;
            let document = document_json(&full_id, credential.format, &credential.body)?;
            let pretty = serde_json::to_string_pretty(&document).unwrap_or_default();
            let note = match (&credential.revoked_at, &credential.superseded_by) {
                (Some(at), _) => format!("revoked at {at}"),
                (None, Some(by)) => format!("superseded by {by}"),
                (None, None) => "current".to_owned(),
            };
            let body = Bytes::from(render::credential_page(&credential, &pretty, &note));
            let etag = format!("\"{}\"", gxa_store::Sha256Digest::of(&body));
            Ok(representation(&headers, HTML, body, &etag, SHORT))
        }
    }
}

/// The outcome of a revocation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RevocationBody {
    /// The revoked credential.
    id: String,
    /// The change feed entry of the revocation.
    seq: u64,
    /// RFC 3339.
    revoked_at: String,
    /// `false` when it had been revoked before (nothing changed).
    newly_revoked: bool,
}

/// Revokes one of the caller's credentials: sets its bit in the revocation status list.
/// Idempotent.
#[utoipa::path(post, path = "/credentials/{id}/revoke", tag = "credentials",
    params(("id" = String, Path, description = "The last segment of the credential id")),
    security(("bearer" = []), ("basic" = [])),
    responses(
        (status = 200, description = "Revoked (now or before)", body = RevocationBody),
        (status = 401, description = "Missing or unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a credential of the token's subject", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown credential", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The credential has no revocation status entry", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let full = state.credential_id(&id);
    let start = std::time::Instant::now();
    let revocation = state
        .issuer()
        .revoke(&auth.subject, &full)
        .await
        .inspect_err(|err| state.metrics().count_foreign_subject("revoke", err))?;
    state
        .metrics()
        .observe_signing("revoke", start.elapsed().as_secs_f64());
    if revocation.newly_revoked {
        state.metrics().count_issued("revocation", "", 1);
    }
    tracing::info!(credential = %full, subject = %auth.subject, newly = revocation.newly_revoked, "revoked");
    Ok(Json(RevocationBody {
        id: full,
        seq: revocation.seq,
        revoked_at: revocation.revoked_at.to_string(),
        newly_revoked: revocation.newly_revoked,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_and_limits() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(etag_matches(&headers, "\"b\""));
        assert!(etag_matches(&headers, "\"a\""));
        assert!(!etag_matches(&headers, "\"c\""));
        assert_eq!(parse_limit(None).unwrap(), 100);
        assert_eq!(parse_limit(Some("1000")).unwrap(), 1000);
        for bad in ["0", "1001", "-1", "ten", " "] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
        // `limit=` (a form left empty) is the default.
        assert_eq!(parse_limit(Some("")).unwrap(), 100);
    }
}
