//! [`ClearingError`] and the error answers of the Gaia-X services ([`ServiceAnswer`]).

use serde_json::{Value, json};

/// An error answer of a compliance or notary service, in the shapes the real services use
/// (GXDCH v1 and v2, and NestJS's default; read by `ServiceAnswer::parse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAnswer {
    /// Compliance v1 (Tagus): `409 {"statusCode": 409, "message": {"conforms": false,
    /// "results": [...]}}`.
    V1 {
        /// The HTTP status.
        status: u16,
        /// The `results` (one line per failed rule).
        results: Vec<String>,
    },
    /// Compliance v2 (Loire) and the notary: `400 {"message": "...", "error": "Bad Request",
    /// "statusCode": 400, "errors": [...]}`.
    V2 {
        /// The HTTP status.
        status: u16,
        /// `message`.
        message: String,
        /// `errors` (may be empty).
        errors: Vec<String>,
    },
    /// Any other body (problem+json, text): status and the body's text, shortened.
    Other {
        /// The HTTP status.
        status: u16,
        /// The body (at most 2 000 characters).
        body: String,
    },
}

impl ServiceAnswer {
    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            Self::V1 { status, .. } | Self::V2 { status, .. } | Self::Other { status, .. } => {
                *status
            }
        }
    }

    /// Every reason the service gave, one per line.
    pub fn reasons(&self) -> Vec<String> {
        match self {
            Self::V1 { results, .. } => results.clone(),
            Self::V2 {
                message, errors, ..
            } => {
                let mut out = vec![message.clone()];
                out.extend(errors.iter().cloned());
                out
            }
            Self::Other { body, .. } => vec![body.clone()],
        }
    }

    /// The JSON body a service sends for this answer.
    pub fn to_json(&self) -> Value {
        match self {
            Self::V1 { status, results } => json!({
                "statusCode": status,
                "message": {"conforms": false, "results": results},
            }),
            Self::V2 {
                status,
                message,
                errors,
            } => json!({
                "message": message,
                "error": reason_phrase(*status),
                "statusCode": status,
                "errors": errors,
            }),
            Self::Other { status, body } => json!({"statusCode": status, "message": body}),
        }
    }

    /// Reads an error body: the v1 shape, the v2 shape (also NestJS's plain
    /// `{"statusCode", "message", "error"}`, `message` possibly a list), or anything else.
    pub fn parse(status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let strings = |v: Option<&Value>| -> Vec<String> {
            match v {
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|x| match x {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Null) | None => Vec::new(),
                Some(other) => vec![other.to_string()],
            }
        };
        if let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) {
            if let Some(Value::Object(message)) = obj.get("message")
                && message.contains_key("conforms")
            {
                return Self::V1 {
                    status,
                    results: strings(message.get("results")),
                };
            }
            if obj.contains_key("statusCode") || obj.contains_key("errors") {
                let mut messages = strings(obj.get("message"));
                let message = if messages.is_empty() {
                    obj.get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                } else {
                    messages.remove(0)
                };
                let mut errors = messages;
                errors.extend(strings(obj.get("errors")));
                return Self::V2 {
                    status,
                    message,
                    errors,
                };
            }
            if let Some(detail) = obj.get("detail").and_then(Value::as_str) {
                return Self::Other {
                    status,
                    body: detail.to_owned(),
                };
            }
        }
        Self::Other {
            status,
            body: text.chars().take(2000).collect(),
        }
    }
}

impl std::fmt::Display for ServiceAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status(), self.reasons().join("; "))
    }
}

/// The reason phrase of the statuses the services answer with.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        _ => "Error",
    }
}

/// Errors of the clearing-house round trip.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClearingError {
    /// The service answered with an error (4xx, not retried): what it said.
    #[error("the {service} service at {url} refused: {answer}")]
    Rejected {
        /// `compliance` or `notary`.
        service: &'static str,
        /// The URL asked.
        url: String,
        /// Its answer.
        answer: ServiceAnswer,
    },
    /// The service could not be reached or kept failing (5xx, 429, time-outs, connection
    /// errors) after every retry.
    #[error("the {service} service at {url} is unavailable after {attempts} attempts: {last}")]
    Unavailable {
        /// `compliance` or `notary`.
        service: &'static str,
        /// The URL asked.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// What the service sent back does not verify or is not what was asked for.
    #[error("the {service} service's answer is not acceptable: {reason}")]
    BadAnswer {
        /// `compliance` or `notary`.
        service: &'static str,
        /// Why.
        reason: String,
    },
    /// A malformed input (presentation, JWT, registration number).
    #[error("{0}")]
    Malformed(String),
    /// The configuration is not usable.
    #[error("configuration: {0}")]
    Config(String),
    /// The participant has nothing to present.
    #[error("{0}")]
    NothingToPresent(String),
    /// Signing failed.
    #[error("signing: {0}")]
    Sign(#[from] gxa_proof::SignError),
    /// The key set could not be used.
    #[error("key set: {0}")]
    Keys(#[from] gxa_proof::KeySetError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] gxa_store::StoreError),
    /// A bug or an unexpected failure.
    #[error("internal error: {0}")]
    Internal(String),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn parses_the_real_error_shapes() {
        let v1 = br#"{"statusCode":409,"message":{"conforms":false,"results":["a","b"]}}"#;
        assert_eq!(
            ServiceAnswer::parse(409, v1),
            ServiceAnswer::V1 {
                status: 409,
                results: vec!["a".into(), "b".into()]
            }
        );
        let v2 = br#"{"message":"The iss header referencing the issuer's DID is missing","error":"Bad Request","statusCode":400,"errors":["x"]}"#;
        let answer = ServiceAnswer::parse(400, v2);
        assert_eq!(
            answer.reasons(),
            [
                "The iss header referencing the issuer's DID is missing",
                "x"
            ]
        );
        // round trip through the bodies the services send
        assert_eq!(
            ServiceAnswer::parse(400, answer.to_json().to_string().as_bytes()),
            answer
        );
        let nest = br#"{"statusCode":400,"message":["vcid must be a URL"],"error":"Bad Request"}"#;
        assert_eq!(
            ServiceAnswer::parse(400, nest).reasons(),
            ["vcid must be a URL"]
        );
        assert_eq!(
            ServiceAnswer::parse(502, b"<html>bad gateway</html>").to_string(),
            "HTTP 502: <html>bad gateway</html>"
        );
    }
}
