//! The layers around every route: request ids, tracing, metrics, panics, timeouts, and the
//! guarantee that every error response is `application/problem+json`.
//!
//! Order (outermost first): set `x-request-id` if missing → propagate it to the response →
//! security headers → tracing span (carrying the request id) → metrics → catch panics (500 problem) → problem
//! fallback → request timeout (503 problem) → the route.

use std::any::Any;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{
    ApiError, InternalErrorLogged, PROBLEM_JSON, internal_error_response, problem_response,
};
use crate::state::AppState;

/// The request id header (set when missing, echoed in the response, recorded in the span).
pub const REQUEST_ID: &str = "x-request-id";

/// Records request count and latency under the matched route template.
pub(crate) async fn record_metrics(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics().observe_request(
        &method,
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// Security headers on every response: `X-Content-Type-Options: nosniff` (a browser must not
/// guess an HTML or script type from a credential or an uploaded report), and on HTML pages a
/// `Content-Security-Policy` of `frame-ancestors 'none'` (no framing, no clickjacking).
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    response
}

/// Guards the operator's views (`/metrics`, `/partners…`, `/clearing/check`) as `[ops]`
/// configures them (see [`crate::auth::OpsAccess`]).
pub(crate) async fn ops_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let view = if path == "/metrics" {
        crate::auth::OpsView::Metrics
    } else if path.starts_with("/clearing/") {
        crate::auth::OpsView::Clearing
    } else {
        crate::auth::OpsView::Partners
    };
    match state.ops_access().check(view, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(err) => err.into_response(),
    }
}

/// Bounds the time a request may take; over it the client gets 503 with `Retry-After`.
pub(crate) async fn timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limit = state.options().request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_secs = limit.as_secs_f64(), "request timed out");
            problem_response(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(format!(
                    "the request took longer than {} s",
                    limit.as_secs_f64()
                )),
            )
        }
    }
}

/// Largest framework error body copied into a problem's `detail`.
const MAX_DETAIL: usize = 1024;
/// Marks an error response whose body is another service's documented error format (the
/// Gaia-X compliance and notary answers of the compliance role), which clients parse: kept as is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServiceErrorBody;

/// Rewrites error responses that are not problem documents yet (the framework's own: 405,
/// extractor rejections, body-limit 413) into `application/problem+json`, keeping status and
/// headers such as `Allow`. 5xx bodies are not copied (they might describe internals).
pub(crate) async fn problem_fallback(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem || response.extensions().get::<ServiceErrorBody>().is_some() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = if status.is_client_error() {
        match axum::body::to_bytes(body, MAX_DETAIL).await {
            Ok(bytes) if !bytes.is_empty() => Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => None,
        }
    } else {
        if parts.extensions.get::<InternalErrorLogged>().is_none() {
            tracing::error!(
                status = status.as_u16(),
                "server error without a problem body"
            );
        }
        None
    };
    let detail = detail.or_else(|| match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            Some("this route does not support the request method".to_owned())
        }
        _ => None,
    });
    let mut problem = problem_response(status, detail);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    problem
}

/// The 500 problem of a panicking handler (the panic message is logged, not sent).
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "handler panicked");
    internal_error_response()
}

/// Reads a request body up to the configured limit.
/// Over the limit → 413 (early, from `Content-Length`, when the client announces it);
/// a body that has not arrived within half the request timeout → 408 (the other half is left
/// for the work, after which the request as a whole is 503).
pub(crate) async fn read_body(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    body: Body,
) -> Result<Bytes, ApiError> {
    read_body_limited(state, headers, body, state.options().max_body_bytes).await
}

/// [`read_body`] with a route's own limit (never above the configured one).
pub(crate) async fn read_body_limited(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let limit = limit.min(state.options().max_body_bytes);
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let read = axum::body::to_bytes(body, limit);
    match tokio::time::timeout(state.options().request_timeout / 2, read).await {
        Err(_) => Err(ApiError::RequestTimeout),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) => {
            let inner = err.into_inner();
            if inner
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(ApiError::PayloadTooLarge(limit))
            } else {
                Err(ApiError::BadRequest(format!(
                    "the request body could not be read: {inner}"
                )))
            }
        }
    }
}

/// Checks that the request's `Content-Type` is `expected` (parameters such as `charset` allowed);
/// otherwise 415.
pub(crate) fn require_content_type(
    headers: &axum::http::HeaderMap,
    expected: &'static str,
) -> Result<(), ApiError> {
    let matches = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected));
    if matches {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(expected))
    }
}

/// A header value that is known to be valid ASCII.
pub(crate) fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}
