//! `GET /v2/credentials-events`: this service's change log as a Gaia-X Credential Event Service
//! lists it (CloudEvents of type `eu.gaia-x.credential`, `gxa_ces`), so that a catalogue that
//! follows a CES can follow this provider directly. Paged as the CES is: `page` (from 0) and
//! `size`; `type` filters by event type. Events are in change-log order, page `p` holding the
//! changes `p·size + 1 …`; the log has no gaps, so a follower that asks again for its last page
//! until it is full misses nothing.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gxa_store::{ChangeCursor, StoreError};

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
