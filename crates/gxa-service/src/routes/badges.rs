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
        ("scope" = String, Path, description = "The scope's uuid, name or alias (`scs-compatible-iaas`), followed by `.svg`"),
    ),
    responses(
        (status = 200, description = "The badge: the scope's name, then the best passing version or the verdict (grey `unknown` when never evaluated)", content((String = "image/svg+xml"))),
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
    // The scope by uuid, name or alias (`scs-compatible-iaas`, as the monitor's routes take).
    let scope = crate::monitor::find_scope(&state.issuer().config().scopes, scope)
        .ok_or_else(|| ApiError::NotFound(format!("no scope {scope:?}")))?;
    // The same evaluation as the pages (every account's uploads, for the report subject), kept
    // in memory until something changes (see `derived`).
    let (_, rows) = crate::monitor::board_now(&state).await?;
    let row = rows.iter().find(|r| {
        r.evaluation.subject == subject
            && r.evaluation
                .scope
                .uuid
                .as_deref()
                .unwrap_or(&r.evaluation.scope.name)
                == scope.key()
    });
    // Label: the scope's name; message: the best passing version, else the verdict.
    let label = scope.name().to_owned();
    let (message, badge_state) = match row {
        None => ("unknown".to_owned(), BadgeState::Unknown),
        Some(row) => {
            let summary = crate::monitor::summarize(scope, &row.evaluation, false);
            match (summary.passed.first(), summary.headline) {
                (Some(best), _) => (crate::monitor::marked(best), BadgeState::Pass),
                (None, Some(v)) => {
                    let word = crate::monitor::verdict_word(v);
                    (word.to_owned(), BadgeState::from_verdict(word))
                }
                (None, None) => ("no version in force".to_owned(), BadgeState::Unknown),
            }
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
