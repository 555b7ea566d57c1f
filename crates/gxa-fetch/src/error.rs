//! Fetch errors, split by what they mean to a verifier.
//!
//! A refusal ([`FetchError::is_refused`]) means the URL itself is unacceptable (wrong scheme,
//! forbidden address, endless redirects, oversized answer): the credential that named it is
//! *invalid*. Everything else (time-outs, DNS, TLS, connection and HTTP failures) means the
//! check *could not be done*: the same credential may verify later. See
//! `ARCHITECTURE.md` ("Errors": invalid is a value, could not check is an error).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Why a fetch failed. `Clone`, because coalesced requests share one outcome.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL does not parse, has no host, or cannot be followed. Refused.
    #[error("{url}: not a usable URL: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A scheme other than https (or http when allowed). Refused.
    #[error("{url}: scheme {scheme:?} is not allowed (https only)")]
    SchemeNotAllowed {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// The host is, or resolves to, an address the guard refuses (SSRF). Refused; no
    /// connection was made.
    #[error("{url}: {host} is the forbidden address {addr}: {reason}")]
    ForbiddenAddress {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
        /// The refused address.
        addr: IpAddr,
        /// The address range it is in.
        reason: &'static str,
    },
    /// More redirects than `max_redirects`. Refused.
    #[error("{url}: more than {max} redirects")]
    TooManyRedirects {
        /// The URL first asked for.
        url: String,
        /// The limit.
        max: usize,
    },
    /// The body is larger than `max_body_bytes` (by `Content-Length` or while streaming).
    /// Refused.
    #[error("{url}: response body larger than {max} bytes")]
    TooLarge {
        /// The URL that answered.
        url: String,
        /// The limit.
        max: usize,
    },
    /// The connect or total time-out elapsed. Could not check.
    #[error("{url}: timed out after {after:?}")]
    Timeout {
        /// The URL first asked for.
        url: String,
        /// The limit that elapsed.
        after: Duration,
    },
    /// DNS failed or gave no address. Could not check.
    #[error("{url}: DNS resolution of {host} failed: {reason}")]
    Dns {
        /// The URL.
        url: String,
        /// The host name.
        host: String,
        /// The resolver's message.
        reason: String,
    },
    /// The TLS handshake failed (unknown CA, wrong name, expired server certificate). Could
    /// not check.
    #[error("{url}: TLS handshake failed: {reason}")]
    Tls {
        /// The URL.
        url: String,
        /// rustls's message.
        reason: String,
    },
    /// The connection failed (refused, reset, unreachable). Could not check.
    #[error("{url}: connection failed")]
    Connect {
        /// The URL.
        url: String,
        /// The client error.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The server answered with a status other than 2xx or a followable redirect. Could not
    /// check.
    #[error("{url}: HTTP status {status}")]
    HttpStatus {
        /// The URL that answered.
        url: String,
        /// The status code.
        status: u16,
    },
    /// A redirect without a usable `Location`. Could not check.
    #[error("{url}: redirect ({status}) without a usable Location: {reason}")]
    BadRedirect {
        /// The URL that answered.
        url: String,
        /// The status code.
        status: u16,
        /// What is wrong with the `Location`.
        reason: String,
    },
    /// Any other transport failure (the connection dropped while reading the body). Could not
    /// check.
    #[error("{url}: transfer failed")]
    Transport {
        /// The URL.
        url: String,
        /// The client error.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The policy cannot be turned into a client (an unusable extra root certificate).
    #[error("fetcher configuration: {0}")]
    Config(String),
}

impl FetchError {
    /// Whether the policy refused the URL (scheme, forbidden address, redirects, size): the
    /// credential naming it is invalid. `false`: the check could not be done.
    pub fn is_refused(&self) -> bool {
        match self {
            Self::InvalidUrl { .. }
            | Self::SchemeNotAllowed { .. }
            | Self::ForbiddenAddress { .. }
            | Self::TooManyRedirects { .. }
            | Self::TooLarge { .. } => true,
            Self::Timeout { .. }
            | Self::Dns { .. }
            | Self::Tls { .. }
            | Self::Connect { .. }
            | Self::HttpStatus { .. }
            | Self::BadRedirect { .. }
            | Self::Transport { .. }
            | Self::Config(_) => false,
        }
    }

    /// The URL the error is about (`None` for configuration errors).
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::InvalidUrl { url, .. }
            | Self::SchemeNotAllowed { url, .. }
            | Self::ForbiddenAddress { url, .. }
            | Self::TooManyRedirects { url, .. }
            | Self::TooLarge { url, .. }
            | Self::Timeout { url, .. }
            | Self::Dns { url, .. }
            | Self::Tls { url, .. }
            | Self::Connect { url, .. }
            | Self::HttpStatus { url, .. }
            | Self::BadRedirect { url, .. }
            | Self::Transport { url, .. } => Some(url),
            Self::Config(_) => None,
        }
    }
}
