//! `/v2/credentials-events`, the Gaia-X Credential Event Service's API (CloudEvents of type
//! `eu.gaia-x.credential`, `gxa_ces`; `docs/ces.md`).
//!
//! * `GET`: in the provider role, this service's change log as events, so that a catalogue that
//!   follows a CES can follow this provider directly; in the compliance role (a private
//!   federation's CES), the events received. Paged as the CES is: `page` (from 0) and `size`;
//!   `type` filters by event type. Change-log events are in log order, page `p` holding the
//!   changes `p·size + 1 …`; the log has no gaps, so a follower that asks again for its last
//!   page until it is full misses nothing.
//! * `POST` (compliance role): takes an event whose `data` is a credential that verifies with
//!   the `[verify]` settings (through the bounded pool of `POST /verify`), stores it once per
//!   `source` + `id` (201 new, 200 a repeated delivery).

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gxa_store::{ChangeCursor, StoreError};
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// Largest `size`: each event carries its credential.
const MAX_SIZE: u32 = 50;
/// `size` when none is given.
const DEFAULT_SIZE: u32 = 20;

/// Query of `GET /v2/credentials-events`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventsQuery {
    /// The page, from 0 (default 0).
    #[param(value_type = Option<u64>, minimum = 0)]
    page: Option<String>,
    /// Events per page, 1 to 50 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    size: Option<String>,
    /// Only events of this type (`eu.gaia-x.credential`, the only type here).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    event_type: Option<String>,
}

fn number<T: std::str::FromStr>(text: Option<&str>, name: &str, default: T) -> Result<T, ApiError> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("{name} must be a number, not {t:?}"))),
    }
}

/// The credential events of this service, oldest first, as a JSON array of CloudEvents.
#[utoipa::path(get, path = "/v2/credentials-events", tag = "feeds", params(EventsQuery),
    responses(
        (status = 200, description = "A JSON array of CloudEvents 1.0 (structured mode): `specversion` 1.0, `id` (`change-N`, stable per change), `source` (this issuer's DID), `type` eu.gaia-x.credential, `subject` (the credential id), `time`, `datacontenttype` and `data` (the credential: a JSON-LD object, or the VC-JWT as a string; for a revocation the id and state), and the extension attributes `gxattestchange` (issued, reissued, revoked) and `gxattestreplaces`. Past the last page: an empty array.", content_type = "application/json"),
        (status = 400, description = "A page or size that is no number, or a size outside 1 to 50", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let page: u64 = number(query.page.as_deref(), "page", 0)?;
    let size: u32 = number(query.size.as_deref(), "size", DEFAULT_SIZE)?;
    if !(1..=MAX_SIZE).contains(&size) {
        return Err(ApiError::BadRequest(format!(
            "size must be from 1 to {MAX_SIZE}, not {size}"
        )));
    }
    let wanted = query
        .event_type
        .as_deref()
        .is_none_or(|t| t.is_empty() || t == gxa_ces::EVENT_TYPE);
    let after = page
        .checked_mul(u64::from(size))
        .ok_or_else(|| ApiError::BadRequest(format!("page {page} is out of range")))?;
    if state.role().takes_ces_events() {
        let mut events = Vec::new();
        if wanted {
            for stored in state.store().ces_events(after, size).await? {
                let event: Value = serde_json::from_str(&stored.body).map_err(|e| {
                    ApiError::Internal(format!("stored CES event {}: {e}", stored.seq))
                })?;
                events.push(event);
            }
        }
        return Ok((
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
            Json(events),
        )
            .into_response());
    }
    let entries = if wanted {
        match state.store().changes(ChangeCursor(after), size).await {
            Ok(entries) => entries,
            // A page past the end of the log.
            Err(StoreError::InvalidCursor) => Vec::new(),
            Err(e) => return Err(e.into()),
        }
    } else {
        Vec::new()
    };
    let source = state.issuer().did().to_owned();
    let mut events = Vec::with_capacity(entries.len());
    for entry in &entries {
        let credential = match state.store().get_credential(&entry.credential_id).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        events.push(gxa_ces::of_change(&source, entry, credential.as_ref()));
    }
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(events),
    )
        .into_response())
}

/// Takes a credential event (compliance role: this service is a federation's CES).
#[utoipa::path(post, path = "/v2/credentials-events", tag = "compliance",
    request_body(content = Value, description = "A CloudEvent 1.0 (structured JSON) of type eu.gaia-x.credential whose data is a credential: a JSON-LD object or a VC-JWT string", content_type = "application/json"),
    responses(
        (status = 201, description = "Stored; the event as stored", content_type = "application/json"),
        (status = 200, description = "A repeated delivery (same source and id): stored before, nothing changed", content_type = "application/json"),
        (status = 400, description = "Not JSON, not a CloudEvent of type eu.gaia-x.credential", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 405, description = "Not in the compliance role", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The data is no credential, or does not verify (the failing checks named)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "All verification slots busy (with `Retry-After`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !(state.role().takes_ces_events()) {
        let mut response = ApiError::MethodNotAllowed(
            "this service takes CES events in the compliance and registry roles only".to_owned(),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return Ok(response);
    }
    let Some(verifier) = state.verifier() else {
        return Err(ApiError::NotImplemented(
            "this service was started without a verifier",
        ));
    };
    let pool = state.verify_pool();
    let admitted = pool.admit()?;
    let bytes =
        crate::middleware::read_body_limited(&state, &headers, body, pool.max_jsonld_bytes).await?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not JSON: {e}")))?;
    let event =
        gxa_ces::CloudEvent::parse(value).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let credential = match &event.data {
        Value::String(jwt) => jwt.clone(),
        Value::Object(doc) if doc.contains_key("proof") => event.data.to_string(),
        _ => {
            return Err(ApiError::Unprocessable(
                "data is no credential (a JSON-LD credential with a proof, or a VC-JWT): this \
                 CES lists credentials"
                    .to_owned(),
            ));
        }
    };
    let _running = admitted.run().await?;
    let report = verifier.verify(&credential, jiff::Timestamp::now()).await;
    if !report.is_valid() {
        return Err(ApiError::Unprocessable(format!(
            "the credential does not verify ({}): {}",
            report.verdict.name(),
            report.problems().join("; ")
        )));
    }
    let stored = serde_json::to_string(&event)
        .map_err(|e| ApiError::Internal(format!("serialising an event: {e}")))?;
    let receipt = state
        .store()
        .receive_ces_event(&gxa_store::NewCesEvent {
            source: event.source.clone(),
            event_id: event.id.clone(),
            subject: event.subject.clone(),
            body: stored,
        })
        .await?;
    let status = if receipt.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(event)).into_response())
}
