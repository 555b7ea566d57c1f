//! Operations: liveness, readiness, Prometheus metrics (the OpenAPI document is served by
//! `routes::openapi`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Health of the process.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `ok` or `ready`.
    status: &'static str,
    /// `sqlite` or `postgres` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<&'static str>,
    /// The change feed's latest sequence number (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_sequence: Option<u64>,
}

/// Liveness: the process answers. Does not touch the database (a restart would not fix it).
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        backend: None,
        latest_sequence: None,
    })
}

/// Readiness: the database answers; a load balancer sends traffic only then.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let latest = state
        .store()
        .latest_sequence()
        .await
        .map_err(|err| ApiError::Unavailable(format!("database: {err}")))?;
    Ok(Json(Health {
        status: "ready",
        backend: Some(state.store().backend_name()),
        latest_sequence: Some(latest),
    }))
}

/// Prometheus metrics in the OpenMetrics text format: `gxa_http_requests_total{method,route,status}`,
/// `gxa_http_request_duration_seconds{route}`, `gxa_credentials_issued_total{source,profile}`,
/// `gxa_issuance_duration_seconds{operation}`.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "OpenMetrics text", content((String = "application/openmetrics-text")))))]
pub(crate) async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let text = state
        .metrics()
        .encode()
        .map_err(|e| ApiError::Internal(format!("encoding metrics: {e}")))?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        text,
    )
        .into_response())
}
