//! The service's error types: [`ApiError`] at the HTTP edge, written as RFC 9457
//! `application/problem+json`, and [`ConfigError`] / [`ServiceError`] for start-up.
//!
//! Every error response of the service is a problem document
//! (<https://www.rfc-editor.org/rfc/rfc9457#section-3>): handlers return [`ApiError`], and the
//! `problem_fallback` middleware turns the few responses the framework makes itself (405,
//! extractor rejections, 413 from the body limit) into problems as well. Internal errors are
//! logged once, with their cause, and answered with a generic text: the cause may name database
//! hosts or file paths.
//!
//! This is the one place where the errors of the libraries become HTTP statuses (the `From`
//! impls below: store, issuer, clearing house). The module sits at the bottom of the crate: it
//! uses no other module of it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `WWW-Authenticate` challenge of a 401: bearer tokens, and HTTP Basic for the SCS test
/// runner (<https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1>).
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"gx-attest\", Basic realm=\"gx-attest\"";

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("{path}: {source}")]
    Toml {
        /// The file.
        path: String,
        /// The cause.
        source: toml::de::Error,
    },
    /// A value is out of range or inconsistent with another.
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened or migrated.
    #[error("store: {0}")]
    Store(#[from] gxa_store::StoreError),
    /// The key set could not be loaded or generated.
    #[error("key set: {0}")]
    KeySet(#[from] gxa_proof::KeySetError),
    /// The issuer could not be set up.
    #[error("issuer: {0}")]
    Issuer(#[from] gxa_issuer::IssuerError),
    /// A file named by the configuration could not be read or parsed.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// Binding or serving a socket failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be used.
    #[error("tls: {0}")]
    Tls(String),
    /// Demo mode refused to start (e.g. a non-loopback address).
    #[error("demo: {0}")]
    Demo(String),
    /// The `[verify]` section could not be used (trust anchors, extra CA, fetcher).
    #[error("verify: {0}")]
    Verify(String),
}

/// What a request can fail with, one variant per client-visible outcome.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 400: a malformed query, cursor or body.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credentials, or ones the service does not know.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but not allowed to act on this resource.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource.
    #[error("{0}")]
    NotFound(String),
    /// 405: the route exists, but not with this method here (the detail says where).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 406: none of the acceptable media types can be produced.
    #[error("none of the requested media types is available; available: {}", .0.join(", "))]
    NotAcceptable(Vec<&'static str>),
    /// 408: the request body did not arrive within the request timeout.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 409: the request contradicts stored state.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is over the configured limit.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body's media type is not accepted here.
    #[error("expected Content-Type {0}")]
    UnsupportedMediaType(&'static str),
    /// 422: well-formed, but not processable (e.g. a report that does not verify).
    #[error("{0}")]
    Unprocessable(String),
    /// 501: a route that is documented but not implemented yet.
    #[error("{0}")]
    NotImplemented(&'static str),
    /// 503: a dependency (the database) is down or the request timed out.
    #[error("{0}")]
    Unavailable(String),
    /// 503: the service is at capacity for this kind of request (the detail says which);
    /// answered with `Retry-After`, not logged as a failure.
    #[error("{0}")]
    Busy(String),
    /// 500: a bug or an unexpected failure; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Unavailable(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` means "see the status code"
    /// (<https://www.rfc-editor.org/rfc/rfc9457#section-4.2.1>).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The status code's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// Longest `detail` a problem carries (bytes): details quote what the client sent (an id, a
/// subject), which must not turn an error into an echo of a large request.
pub const MAX_DETAIL_BYTES: usize = 1024;

/// `detail` cut to [`MAX_DETAIL_BYTES`] on a character boundary, saying how long it was.
fn bounded(mut detail: String) -> String {
    if detail.len() <= MAX_DETAIL_BYTES {
        return detail;
    }
    let total = detail.len();
    let mut end = MAX_DETAIL_BYTES;
    while !detail.is_char_boundary(end) {
        end -= 1;
    }
    detail.truncate(end);
    detail.push_str(&format!("… ({total} bytes in all)"));
    detail
}

/// A problem+json response with `status` and `detail`.
pub fn problem_response(status: StatusCode, detail: Option<String>) -> Response {
    let detail = detail.map(bounded);
    let problem = Problem {
        problem_type: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        instance: None,
    };
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(WWW_AUTHENTICATE),
        );
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// Marks a response as carrying an internal error that was logged already.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InternalErrorLogged;

/// The 500 problem of an internal error whose cause has been logged (by the caller): a
/// generic text, never the cause.
pub(crate) fn internal_error_response() -> Response {
    let mut response = problem_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        Some("an internal error occurred; it has been logged".to_owned()),
    );
    response.extensions_mut().insert(InternalErrorLogged);
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            Self::Internal(cause) => {
                tracing::error!(cause = %cause, "internal error");
                return internal_error_response();
            }
            Self::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "service unavailable");
                "a dependency of the service is unavailable; retry later".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = problem_response(status, Some(detail));
        if let Self::NotAcceptable(available) = &self {
            // Not standardised for 406, but it tells a client what to ask for.
            if let Ok(value) = HeaderValue::from_str(&available.join(", ")) {
                response
                    .headers_mut()
                    .insert(header::HeaderName::from_static("x-available-types"), value);
            }
        }
        if status.is_server_error() {
            response.extensions_mut().insert(InternalErrorLogged);
        }
        response
    }
}

impl From<gxa_store::StoreError> for ApiError {
    fn from(err: gxa_store::StoreError) -> Self {
        use gxa_store::StoreError as E;
        let detail = match &err {
            E::Conflict(m) | E::InvalidInput(m) => m.clone(),
            E::Backend(sqlx_err) => format!("database: {sqlx_err}"),
            other => other.to_string(),
        };
        Self::of_store_error(&err, detail)
    }
}

impl ApiError {
    /// The one mapping of a [`gxa_store::StoreError`] to an HTTP outcome, with `detail` as the
    /// text; used for store errors that reach a handler directly and through the issuer.
    fn of_store_error(err: &gxa_store::StoreError, detail: String) -> Self {
        use gxa_store::StoreError as E;
        match err {
            E::NotFound { .. } => Self::NotFound(detail),
            E::AlreadyExists { .. } | E::Conflict(_) => Self::Conflict(detail),
            E::InvalidCursor | E::InvalidInput(_) => Self::BadRequest(detail),
            E::Backend(_) => Self::Unavailable(detail),
            _ => Self::Internal(detail),
        }
    }
}

impl From<gxa_issuer::IssuerError> for ApiError {
    fn from(err: gxa_issuer::IssuerError) -> Self {
        use gxa_issuer::ErrorKind as K;
        let message = err.to_string();
        // A store error keeps the issuer's text (`store: …`) and gets the store's status.
        if let gxa_issuer::IssuerError::Store(store) = &err {
            return Self::of_store_error(store, message);
        }
        match err.kind() {
            K::BadRequest => Self::BadRequest(message),
            K::Unprocessable => Self::Unprocessable(message),
            K::Forbidden => Self::Forbidden(message),
            K::NotFound => Self::NotFound(message),
            K::Conflict => Self::Conflict(message),
            K::Unavailable => Self::Unavailable(message),
            // Store errors are classified above, by the one store mapping.
            K::Store | K::Internal => Self::Internal(message),
        }
    }
}

/// The clearing house reaches HTTP only where the compliance role's own work failed (signing,
/// a bug): its refusals are answers in the Gaia-X services' shapes, not errors. So a 500.
impl From<gxa_clearing::ClearingError> for ApiError {
    fn from(err: gxa_clearing::ClearingError) -> Self {
        Self::Internal(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_has_rfc9457_fields_and_challenge() {
        let response = ApiError::Unauthorized("no token".to_owned()).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            HeaderValue::from_static(PROBLEM_JSON)
        );
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            HeaderValue::from_static(WWW_AUTHENTICATE)
        );
        let internal = ApiError::Internal("postgres://secret@db".to_owned()).into_response();
        assert_eq!(
            bounded("é".repeat(600)).len(),
            1024 + "… (1200 bytes in all)".len()
        );
        assert_eq!(bounded("short".to_owned()), "short");
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(internal.extensions().get::<InternalErrorLogged>().is_some());
    }
}
