//! The partner exchange: which partners are synced, how far, and what was refused.
//! The credentials received are served by the ordinary catalogue routes (`GET /credentials?
//! issuer=<partner DID>`, `GET /credentials/{id}`) and appear in our `/changes`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Problem};
use crate::routes::credentials::parse_limit;
use crate::state::AppState;

/// One configured partner and its sync state.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PartnerSummary {
    /// The partner's local id.
    id: String,
    /// The partner's DID: the issuer of every credential taken from it.
    did: String,
    /// Its gx-attest base URL.
    base_url: String,
    /// The partner's last change feed sequence number whose outcome is stored.
    cursor: u64,
    /// RFC 3339: end of the last round that reached the end of the partner's feed.
    last_success_at: Option<String>,
    /// Why the last round stopped early (a fetch failed or timed out); cleared by a
    /// successful round.
    last_error: Option<String>,
    /// Credentials stored from this partner (all time).
    stored: u64,
    /// Entries of this partner rejected (all time).
    rejected: u64,
    /// Third-party entries skipped by this process since it started.
    skipped: u64,
    /// Allowed credential types (empty: any).
    types: Vec<String>,
    /// Allowed subject ids or prefixes ending in `*` (empty: any).
    subjects: Vec<String>,
}

/// `GET /partners`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PartnerList {
    /// The configured partners, in configuration order.
    partners: Vec<PartnerSummary>,
}

/// The configured partners with their sync state: cursor, last success, last error, counts.
#[utoipa::path(get, path = "/partners", tag = "partners",
    responses(
        (status = 200, description = "The partners (empty without `[[partners]]`)", body = PartnerList),
    ))]
pub(crate) async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut partners = Vec::new();
    if let Some(syncer) = state.partners() {
        for partner in syncer.partners() {
            let stored = state.store().partner_state(&partner.id).await?;
            partners.push(PartnerSummary {
                id: partner.id.clone(),
                did: partner.did.clone(),
                base_url: partner.base_url.clone(),
                cursor: stored.cursor,
                last_success_at: stored.last_success_at.map(|t| t.to_string()),
                last_error: stored.last_error,
                stored: stored.stored,
                rejected: stored.rejected,
                skipped: syncer.stats(&partner.id).map_or(0, |s| s.skipped),
                types: partner.policy.types.clone(),
                subjects: partner.policy.subjects.clone(),
            });
        }
    }
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(PartnerList { partners }),
    )
        .into_response())
}

/// Query of `GET /partners/{id}/rejections`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RejectionsQuery {
    /// The `next` of the previous page (a partner sequence number); absent = start.
    cursor: Option<String>,
    /// Most entries, 1..=1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

/// One refused entry of a partner's feed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Rejection {
    /// The partner's change feed sequence number.
    seq: u64,
    /// The credential the entry named.
    credential_id: String,
    /// `invalid` (verification failed), `policy` (outside the trust policy) or `conflict`
    /// (the id is stored with another body).
    kind: &'static str,
    /// The failing checks' reasons, e.g. `proof fail: …`.
    reasons: Vec<String>,
    /// RFC 3339.
    received_at: String,
}

/// A page of rejections.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RejectionPage {
    /// In the partner's feed order.
    rejections: Vec<Rejection>,
    /// Pass as `cursor` for the next page; absent when this page is not full.
    next: Option<String>,
}

/// What was refused from a partner and why, in the partner's feed order.
#[utoipa::path(get, path = "/partners/{id}/rejections", tag = "partners",
    params(("id" = String, Path, description = "The partner's id"), RejectionsQuery),
    responses(
        (status = 200, description = "A page of rejections", body = RejectionPage),
        (status = 400, description = "Bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown partner", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn rejections(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<RejectionsQuery>,
) -> Result<Response, ApiError> {
    if state.partners().and_then(|s| s.partner(&id)).is_none() {
        return Err(ApiError::NotFound(format!("no partner {id:?}")));
    }
    let limit = parse_limit(query.limit.as_deref())?;
    let after = match query.cursor.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "cursor {text:?} is not one this service handed out"
                ))
            })?,
    };
    let items = state.store().partner_rejections(&id, after, limit).await?;
    // A full page may have a successor (which may then be empty).
    let next = if items.len() == limit as usize {
        items.last().map(|r| r.partner_seq.to_string())
    } else {
        None
    };
    let body = RejectionPage {
        rejections: items
            .into_iter()
            .map(|r| Rejection {
                seq: r.partner_seq,
                credential_id: r.credential_id,
                kind: r.kind.as_str(),
                reasons: r.reasons,
                received_at: r.received_at.to_string(),
            })
            .collect(),
        next,
    };
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(body),
    )
        .into_response())
}
