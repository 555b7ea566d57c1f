//! SCS compliance badges: `GET /badges/{subject}/{scope}.svg`, shields.io-style SVG.
//!
//! The SCS compliance monitor has no badges (its "badge" is an emoji in a table cell); this one is
//! computed by the strict evaluation of `gxa-scs` (a missing, expired or aborted result is
//! `incomplete`, never a pass). Colours: pass green, fail red, incomplete amber, unknown grey.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Problem};
use crate::render::{BadgeState, badge_svg};
use crate::state::AppState;

/// The badge of a subject's compliance with a scope (by scope uuid or name), now.
#[utoipa::path(get, path = "/badges/{subject}/{scope}.svg", tag = "badges",
    params(
        ("subject" = String, Path, description = "The SCS subject, e.g. `example-cloud`"),
        ("scope" = String, Path, description = "The scope's uuid or name, followed by `.svg`"),
    ),
    responses(
        (status = 200, description = "The badge (grey `unknown` when never evaluated)", content((String = "image/svg+xml"))),
        (status = 404, description = "Not an `.svg` path, or an unknown scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn badge(
    State(state): State<AppState>,
    Path((subject, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let scope = file
        .strip_suffix(".svg")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::NotFound("badges end in .svg".to_owned()))?;
    let status = state.issuer().scs_status(&subject, scope).await?;
    let (label, message, badge_state) = match &status {
        None => (scope.to_owned(), "unknown".to_owned(), BadgeState::Unknown),
        Some(s) => {
            let badge_state = BadgeState::from_verdict(&s.verdict);
            let message = match (&badge_state, &s.best_passed) {
                (BadgeState::Pass, Some(version)) => format!("pass {version}"),
                _ => s.verdict.clone(),
            };
            (s.scope_name.clone(), message, badge_state)
        }
    };
    let svg = badge_svg(&label, &message, badge_state);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            ),
            // README images go through caching proxies; five minutes keeps badges current.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            ),
        ],
        svg,
    )
        .into_response())
}
