//! `GET /clearing/check`: the clearing pre-flight of `gx-attest clearing check` as an endpoint
//! of the provider (with a `[clearing]` section): every check a Gaia-X clearing house makes on
//! what the client would submit, each pass/fail with its reason (`gxa_clearing::preflight`).
//!
//! Budgets: the check asks the configured did:web, x5u and registry URLs (never a URL from the
//! request), through the clearing client's guarded HTTP with its time-outs and retries; one
//! check runs at a time (a second request meanwhile gets 503 with `Retry-After`), and a result
//! is answered again for [`FRESH_FOR`] without asking anyone (the state:
//! [`crate::clearing::Preflight`]). `[ops] clearing = "token"` puts
//! the route behind the operations token.

use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gxa_clearing::ClearingError;
use gxa_credential::Profile;
use gxa_criteria::Level;
use serde_json::json;

use crate::clearing::FRESH_FOR;
use crate::error::ApiError;
use crate::state::AppState;

/// Query of `GET /clearing/check`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckQuery {
    /// `loire` or `tagus` (default: the profiles of `[clearing]`).
    profile: Option<String>,
    /// `SC`, `L1`, `L2` or `L3` (default: `[clearing] level`).
    level: Option<String>,
    /// `true`: read the key set's own DID document and chain instead of fetching them, and do
    /// not ask the registry.
    offline: Option<bool>,
}

/// Runs the clearing house's checks on what this provider would submit.
#[utoipa::path(get, path = "/clearing/check", tag = "clearing", params(CheckQuery),
    responses(
        (status = 200, description = "Every check with its outcome and reason; `passed` is false when one failed", content_type = "application/json"),
        (status = 400, description = "A query parameter that is no profile, level or boolean", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "`[ops] clearing = \"token\"` and no operations token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No `[clearing]` section configured", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to present yet (no participant credentials)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Another check is running; retry after `Retry-After` seconds", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn check(
    State(state): State<AppState>,
    query: Result<Query<CheckQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Some(preflight) = state.preflight() else {
        return Err(ApiError::NotFound(
            "no clearing house is configured ([clearing] section)".to_owned(),
        ));
    };
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let profiles = match &query.profile {
        Some(p) => vec![
            p.parse::<Profile>()
                .map_err(|e| ApiError::BadRequest(format!("profile: {e}")))?,
        ],
        None => preflight.client.config().profiles.clone(),
    };
    let level = query
        .level
        .as_deref()
        .map(str::parse::<Level>)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("level: {e}")))?;
    let offline = query.offline.unwrap_or(false);
    let key = (profiles.clone(), level, offline);

    let Ok(mut last) = preflight.last.try_lock() else {
        return Err(ApiError::Busy(
            "a clearing pre-flight is running; retry in a few seconds".to_owned(),
        ));
    };
    last.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
    let answer = match last.get(&key) {
        Some((_, answer)) => answer.clone(),
        None => {
            let local = offline.then_some((&preflight.local.0, preflight.local.1.as_deref()));
            let mut reports = Vec::new();
            for profile in profiles {
                let report = preflight
                    .client
                    .preflight(profile, level, local)
                    .await
                    .map_err(refusal)?;
                reports.push(report);
            }
            let answer = json!({
                "passed": reports.iter().all(gxa_clearing::preflight::Report::passed),
                "checkedAt": gxa_credential::now().to_string(),
                "offline": offline,
                "reports": reports,
            });
            last.insert(key, (Instant::now(), answer.clone()));
            answer
        }
    };
    drop(last);
    let mut response = axum::Json(answer).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=30"),
    );
    Ok(response)
}

/// Why the pre-flight could not run, as the client's error says.
fn refusal(err: ClearingError) -> ApiError {
    match err {
        ClearingError::NothingToPresent(m) => ApiError::Conflict(m),
        ClearingError::Config(m) => ApiError::Conflict(format!("[clearing]: {m}")),
        other => ApiError::from(other),
    }
}
