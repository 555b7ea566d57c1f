//! `POST /verify`: verification as a service (README, "Verify over HTTP").
//!
//! The body is a credential or presentation — JSON-LD with embedded proofs (Gaia-X Tagus) or a
//! compact `vc+jwt`/`vp+jwt` (Gaia-X Loire) — and the answer is the [`gxa_verify::VerifyReport`]
//! of the seven checks: syntax and contexts, proofs, verification method (did:web fetched through
//! the guarded fetcher), certificate chain (`x5u`), validity window, status list, shapes.
//!
//! **200 for valid and invalid input alike**: an invalid credential is a value, not an error
//! (STYLE.md rule 10), and a catalogue wants to know *which* check failed. That includes a body
//! that is not JSON or not a JWT at all: the syntax check fails and says why, exactly as
//! `gx-attest verify` would report the same file. problem+json is kept for requests the service
//! cannot act on: an unsupported `Content-Type` (415), an empty or non-UTF-8 body (400), a body
//! over the limit (413: the smaller of the service's body limit and the `[verify]` limit of the
//! media type, `max_jsonld_bytes` or `max_jwt_bytes`), a malformed `?at=` or unknown query
//! parameter (400), and the bounded pool full (503 with `Retry-After`, see [`crate::VerifyPool`]).
//! An input of more JSON values than `[verify] max_json_values` fails the syntax check before
//! any JSON-LD work, and one verification fetches at most `max_fetches` distinct URLs
//! (`max_fetches_per_host` per host): what it could not fetch is "could not check".
//!
//! **Batches**: a JSON array body (any JSON media type) or `application/jsonl` (one document
//! per line; a JWT as a JSON string) is verified document by document in one pool slot and
//! answered with a JSON array of the reports, each with its `index`; at most
//! `[verify] max_batch` documents (413 beyond), the whole body under `max_jsonld_bytes`. An
//! element is given to the verifier as its exact JSON text, so a duplicate key inside one is
//! still the syntax failure it would be alone.
//!
//! The verdict `could_not_check` (a did:web document, chain or status list could not be
//! fetched, e.g. a time-out) is distinct from `invalid` (a check failed, including a fetch the
//! guard refused: every URL in a credential is attacker-chosen, so a credential pointing at
//! `169.254.169.254` is invalid, not unlucky).

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::{ApiError, Problem};
use crate::middleware::read_body_limited;
use crate::state::AppState;

/// The media types `POST /verify` accepts. JSON-LD and JSON bodies may also hold a JSON string
/// with a compact JWT (what some wallets send); the verifier tells the forms apart by content,
/// so the media type only has to say "a credential of some form". `application/jsonl` (and
/// `application/x-ndjson`) is a batch, one document per line.
pub(crate) const ACCEPTED: &[&str] = &[
    "application/json",
    "application/ld+json",
    "application/vc+ld+json",
    "application/vp+ld+json",
    "application/vc+jwt",
    "application/vp+jwt",
    "application/jwt",
    "text/plain",
    "application/jsonl",
    "application/x-ndjson",
];

const ACCEPTED_TEXT: &str = "application/json, application/ld+json, application/vc+ld+json, \
    application/vp+ld+json, application/vc+jwt, application/vp+jwt, application/jwt, text/plain \
    or application/jsonl";

/// What a body holds, by its media type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// JSON or JSON-LD: one document, or a batch when the body is a JSON array.
    Json,
    /// A compact JWT.
    Jwt,
    /// JSON lines: a batch.
    Lines,
}

/// Query of `POST /verify`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifyQuery {
    /// Verification time, RFC 3339 (e.g. `2026-11-25T10:00:00Z`); default: now. Validity
    /// windows and certificate chains are judged at this time.
    at: Option<String>,
    /// The presentation `challenge` the holder must have signed (vp+jwt: `nonce`); checked on
    /// presentations only.
    challenge: Option<String>,
    /// The presentation `domain` (vp+jwt: `aud`); checked on presentations only.
    domain: Option<String>,
}

/// The `Content-Type`'s media type, if it is one of [`ACCEPTED`], as what the body holds.
fn accepted_media_type(headers: &HeaderMap) -> Result<BodyKind, ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    match media_type {
        Some(m) if ACCEPTED.iter().any(|a| a.eq_ignore_ascii_case(m)) => {
            let m = m.to_ascii_lowercase();
            Ok(if m.ends_with("jwt") || m == "text/plain" {
                BodyKind::Jwt
            } else if m == "application/jsonl" || m == "application/x-ndjson" {
                BodyKind::Lines
            } else {
                BodyKind::Json
            })
        }
        _ => Err(ApiError::UnsupportedMediaType(ACCEPTED_TEXT)),
    }
}

/// The documents of a batch body, each as the verifier takes text: a JSON string element (a
/// JWT) decoded, any other element its exact JSON text (duplicate keys and all, for the
/// verifier's strict parser to judge). `None`: not a batch.
fn batch_documents(
    kind: BodyKind,
    text: &str,
    max: usize,
) -> Result<Option<Vec<String>>, ApiError> {
    use serde_json::value::RawValue;
    let raw: Vec<&RawValue> = match kind {
        BodyKind::Jwt => return Ok(None),
        BodyKind::Json if !text.trim_start().starts_with('[') => return Ok(None),
        BodyKind::Json => serde_json::from_str(text).map_err(|e| {
            ApiError::BadRequest(format!("the body is a JSON array but not valid JSON: {e}"))
        })?,
        BodyKind::Lines => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                serde_json::from_str(line).map_err(|e| {
                    ApiError::BadRequest(format!("line {} is not one JSON value: {e}", i + 1))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    if raw.is_empty() {
        return Err(ApiError::BadRequest(
            "the batch is empty: send at least one credential, presentation or JWT".to_owned(),
        ));
    }
    if raw.len() > max {
        return Err(ApiError::PayloadTooLarge(max));
    }
    Ok(Some(
        raw.into_iter()
            .map(|element| {
                serde_json::from_str::<String>(element.get())
                    .unwrap_or_else(|_| element.get().to_owned())
            })
            .collect(),
    ))
}

/// Verifies a credential or presentation (JSON-LD or JWT) and answers with the report of the
/// seven checks — for valid and invalid input alike.
#[utoipa::path(post, path = "/verify", tag = "verify", params(VerifyQuery),
    request_body(description = "A credential or presentation: JSON-LD with embedded proofs, or a compact JWT; or a batch: a JSON array of them (JWTs as JSON strings), or `application/jsonl` with one per line",
        content(
            (serde_json::Value = "application/vc+ld+json"),
            (serde_json::Value = "application/vp+ld+json"),
            (serde_json::Value = "application/ld+json"),
            (serde_json::Value = "application/json"),
            (String = "application/vc+jwt"),
            (String = "application/vp+jwt"),
            (String = "application/jwt"),
            (String = "text/plain"),
            (String = "application/jsonl"),
            (String = "application/x-ndjson"),
        )),
    responses(
        (status = 200, description = "The verification report: `verdict` (`valid`, `invalid`, \
            `could_not_check`), `valid`, `format`, `kind`, `id`, `checks` (each `check`, \
            `outcome` pass/fail/error/skipped, `reason`), `proofs`, and for presentations the \
            nested `credentials` reports; for a batch a JSON array of reports, each with its \
            `index`", body = serde_json::Value),
        (status = 400, description = "Empty or non-UTF-8 body, malformed `at`, unknown query parameter, an empty batch, a batch line that is not one JSON value", body = Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit, or more documents than `[verify] max_batch`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not one of the accepted media types", body = Problem, content_type = "application/problem+json"),
        (status = 501, description = "The service was built without a verifier", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "All verification slots busy and the queue full, no slot free in time, or verification took longer than the request timeout (with `Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    Query(query): Query<VerifyQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let kind = accepted_media_type(&headers)?;
    let at = match query.at.as_deref() {
        None => jiff::Timestamp::now(),
        Some(text) => text.parse::<jiff::Timestamp>().map_err(|err| {
            ApiError::BadRequest(format!(
                "at must be an RFC 3339 date-time with an offset, not {text:?}: {err}"
            ))
        })?,
    };
    let Some(verifier) = state.verifier() else {
        return Err(ApiError::NotImplemented(
            "this service was started without a verifier",
        ));
    };
    // A place in the bounded pool before the body is read: a request the pool cannot take is
    // answered at once and costs no memory.
    let pool = state.verify_pool();
    let admitted = pool.admit()?;
    let limit = if kind == BodyKind::Jwt {
        pool.max_jwt_bytes
    } else {
        pool.max_jsonld_bytes
    };
    let bytes = read_body_limited(&state, &headers, body, limit).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|err| ApiError::BadRequest(format!("the body is not UTF-8: {err}")))?;
    if text.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "the body is empty: send a credential, a presentation or a JWT".to_owned(),
        ));
    }
    let verifier = if query.challenge.is_some() || query.domain.is_some() {
        verifier.expecting(query.challenge.as_deref(), query.domain.as_deref())
    } else {
        verifier.clone()
    };
    let batch = batch_documents(kind, text, pool.max_batch)?;
    let _running = admitted.run().await?;
    let mut response = match batch {
        None => Json(verify_one(&state, &verifier, text, at).await).into_response(),
        // One slot for the whole batch, the documents one after the other: a batch costs
        // what its documents cost, within the same body limit and request timeout.
        Some(documents) => {
            let mut reports = Vec::with_capacity(documents.len());
            for (index, document) in documents.iter().enumerate() {
                let report = verify_one(&state, &verifier, document, at).await;
                let mut value = serde_json::to_value(report)
                    .map_err(|e| ApiError::Internal(format!("report: {e}")))?;
                value["index"] = index.into();
                reports.push(value);
            }
            Json(reports).into_response()
        }
    };
    // A report holds at a time and against fetched documents that change: never cache it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Verifies one document, with its metric and log line.
async fn verify_one(
    state: &AppState,
    verifier: &gxa_verify::Verifier,
    text: &str,
    at: jiff::Timestamp,
) -> gxa_verify::VerifyReport {
    let started = std::time::Instant::now();
    let report = verifier.verify(text, at).await;
    let deciding = report.deciding_check().map_or("", |c| c.check.name());
    state.metrics().observe_verification(
        report.verdict.name(),
        deciding,
        started.elapsed().as_secs_f64(),
    );
    tracing::info!(
        verdict = report.verdict.name(),
        kind = report.kind.as_deref().unwrap_or("-"),
        id = report.id.as_deref().unwrap_or("-"),
        "verified"
    );
    report
}
