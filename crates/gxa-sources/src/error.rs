//! [`SourceError`]: every failure names the source and the endpoint, never a secret.

/// A source could not be read. `origin` is the source (`keystone`, `nova`, `glance`,
/// `ironic`, `netbox`, `redfish <url>`, `config`); `endpoint` is the method and URL
/// (without query string or user info). Neither ever holds a password, token or secret.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The configuration (inventory.toml, clouds.yaml, a secret file) is unusable.
    #[error("{origin}: configuration: {message}")]
    Config {
        /// Which source or file.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The service refused the credentials (HTTP 401/403, or a refused session).
    #[error("{origin}: {endpoint}: authentication refused (HTTP {status}){detail}")]
    Auth {
        /// Which source.
        origin: String,
        /// Method and URL.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// The service's own message, when it gave one (`: …`), cut to 200 characters.
        detail: String,
    },
    /// Any other HTTP error status, after retries for 429 and 5xx.
    #[error("{origin}: {endpoint}: HTTP {status}{detail}")]
    Http {
        /// Which source.
        origin: String,
        /// Method and URL.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// The service's own message, when it gave one.
        detail: String,
    },
    /// Connection, TLS or timeout, after retries.
    #[error("{origin}: {endpoint}: {message}")]
    Transport {
        /// Which source.
        origin: String,
        /// Method and URL.
        endpoint: String,
        /// What failed (the error chain of the HTTP client).
        message: String,
    },
    /// The answer is not what the API documents (not JSON, a field missing, paging broken).
    #[error("{origin}: {endpoint}: unexpected answer: {message}")]
    Invalid {
        /// Which source.
        origin: String,
        /// Method and URL.
        endpoint: String,
        /// What is wrong.
        message: String,
    },
}

impl SourceError {
    /// Whether the service refused the credentials.
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Auth { .. })
    }

    /// The source the error is about.
    pub fn origin(&self) -> &str {
        match self {
            Self::Config { origin, .. }
            | Self::Auth { origin, .. }
            | Self::Http { origin, .. }
            | Self::Transport { origin, .. }
            | Self::Invalid { origin, .. } => origin,
        }
    }
}

pub(crate) fn config(origin: &str, message: impl Into<String>) -> SourceError {
    SourceError::Config {
        origin: origin.to_owned(),
        message: message.into(),
    }
}
