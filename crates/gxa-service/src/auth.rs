//! Authentication of the provider-side routes: an API token scoped to one subject.
//!
//! Two ways to present it, both in `Authorization`:
//!
//! * `Bearer <token>` (RFC 6750 §2.1, <https://www.rfc-editor.org/rfc/rfc6750#section-2.1>);
//! * `Basic base64(<subject>:<token>)` (RFC 7617, <https://www.rfc-editor.org/rfc/rfc7617>), which
//!   is what the SCS test runner sends (`Authorization: Basic <tokenfile>`, the tokenfile holding
//!   `base64(SUBJECT:passphrase)`), so a runner can point its upload URL at this service
//!   unchanged. The password is the token; a non-empty user name must be the token's subject.
//!
//! Tokens come from two places, both kept only as SHA-256 hashes: the configuration
//! ([`TokenTable`], compared in constant time against every entry, so timing tells nothing about
//! which or how many tokens exist) and the store (tokens made with
//! [`gxa_store::Store::create_token`], e.g. the demo token; the store compares in constant time as
//! well). Configured tokens are configuration, not state: removing one from the file revokes it at
//! the next start of every replica. A missing or unknown token is 401 with a `WWW-Authenticate`
//! challenge for both schemes; a valid token used for another subject is 403.

use axum::http::{HeaderMap, header};
use base64::Engine as _;

use crate::config::{Access, OpsConfig};
use crate::error::{ApiError, ConfigError};

/// The configured tokens: SHA-256 of the token and its subject.
#[derive(Clone, Debug, Default)]
pub struct TokenTable {
    entries: Vec<([u8; 32], String)>,
}

impl TokenTable {
    /// An empty table (only store tokens are accepted).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a token by its SHA-256 (64 hex digits).
    pub fn add_sha256(&mut self, subject: &str, sha256_hex: &str) -> Result<(), ApiError> {
        let digest: gxa_store::Sha256Digest = sha256_hex
            .to_ascii_lowercase()
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("not a SHA-256: {sha256_hex:?}")))?;
        self.entries.push((*digest.as_bytes(), subject.to_owned()));
        Ok(())
    }

    /// Adds a plain token (development only); only its hash is kept.
    pub fn add_plain(&mut self, subject: &str, token: &str) {
        let digest = gxa_store::Sha256Digest::of(token.as_bytes());
        self.entries.push((*digest.as_bytes(), subject.to_owned()));
    }

    /// How many tokens are configured.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no token is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The subject of `token`, comparing with every entry in constant time.
    fn subject_of(&self, token: &str) -> Option<&str> {
        let digest = gxa_store::Sha256Digest::of(token.as_bytes());
        let mut found = None;
        for (hash, subject) in &self.entries {
            let equal =
                aws_lc_rs::constant_time::verify_slices_are_equal(hash, digest.as_bytes()).is_ok();
            if equal && found.is_none() {
                found = Some(subject.as_str());
            }
        }
        found
    }
}

/// The subject an authenticated request acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    /// The subject id the token belongs to.
    pub subject: String,
}

/// What the `Authorization` header presents.
#[derive(Debug, PartialEq, Eq)]
enum Credentials {
    Bearer(String),
    Basic { user: String, password: String },
}

fn parse_authorization(value: &str) -> Result<Credentials, ApiError> {
    let bad = || ApiError::Unauthorized("malformed Authorization header".to_owned());
    let (scheme, rest) = value.trim().split_once(' ').ok_or_else(bad)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        if rest.is_empty() {
            return Err(bad());
        }
        return Ok(Credentials::Bearer(rest.to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .map_err(|_| bad())?;
        let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
        let (user, password) = decoded.split_once(':').ok_or_else(bad)?;
        return Ok(Credentials::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        });
    }
    Err(ApiError::Unauthorized(format!(
        "unsupported authorization scheme {scheme:?}; use Bearer or Basic"
    )))
}

impl Authenticated {
    /// The subject of the token in `headers`, looked up in the configured `tokens`, then in
    /// the `store` (the `Authenticated` extractor of the handlers; see the module docs).
    pub(crate) async fn from_headers(
        headers: &HeaderMap,
        tokens: &TokenTable,
        store: &gxa_store::Store,
    ) -> Result<Self, ApiError> {
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("authentication required".to_owned()))?;
        let value = value
            .to_str()
            .map_err(|_| ApiError::Unauthorized("malformed Authorization header".to_owned()))?;
        let (token, user) = match parse_authorization(value)? {
            Credentials::Bearer(token) => (token, None),
            Credentials::Basic { user, password } => (password, Some(user)),
        };
        let subject = match tokens.subject_of(&token) {
            Some(subject) => subject.to_owned(),
            None => store
                .authenticate_token(&token)
                .await?
                .ok_or_else(|| ApiError::Unauthorized("unknown or revoked token".to_owned()))?,
        };
        match user {
            Some(user) if !user.is_empty() && user != subject => Err(ApiError::Forbidden(format!(
                "the token does not belong to subject {user:?}"
            ))),
            _ => Ok(Self { subject }),
        }
    }
}

/// Who may read the operator's views (`[ops]` in the configuration): `/metrics`, the
/// partners' sync state and rejections, and the clearing pre-flight. Public by default; with `token`, only a request
/// carrying the operations token (`Authorization: Bearer`, as Prometheus'
/// `authorization.credentials_file` sends it). Account tokens do not open them: an account
/// acts for its subjects, not as the operator.
#[derive(Clone, Debug, Default)]
pub struct OpsAccess {
    /// SHA-256 of the operations token, when one is configured.
    token_sha256: Option<[u8; 32]>,
    /// `/metrics` needs the token.
    pub metrics: bool,
    /// `/partners` (and its rejections) need the token.
    pub partners: bool,
    /// `/clearing/check` needs the token.
    pub clearing: bool,
}

/// An operator's view guarded by [`OpsAccess`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpsView {
    /// `/metrics`.
    Metrics,
    /// `/partners`, `/partners/{id}/rejections`.
    Partners,
    /// `/clearing/check`.
    Clearing,
}

impl OpsAccess {
    /// The access rules of the `[ops]` section, reading its token file.
    pub fn from_config(config: &OpsConfig) -> Result<Self, ConfigError> {
        let metrics = config.metrics == Access::Token;
        let partners = config.partners == Access::Token;
        let clearing = config.clearing == Access::Token;
        if !metrics && !partners && !clearing {
            return Ok(Self::default());
        }
        let path = config.token_file.as_ref().ok_or_else(|| {
            ConfigError::Invalid("ops.token_file is required when a view is \"token\"".to_owned())
        })?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Invalid(format!("ops.token_file {}: {e}", path.display())))?;
        let access = Self::with_token(text.trim(), metrics, partners)
            .map_err(|e| ConfigError::Invalid(format!("ops.token_file {}: {e}", path.display())))?;
        Ok(Self { clearing, ..access })
    }

    /// Access with `token` (at least 16 characters) for the views marked `true`.
    pub fn with_token(token: &str, metrics: bool, partners: bool) -> Result<Self, ApiError> {
        if token.len() < 16 {
            return Err(ApiError::BadRequest(
                "the operations token needs at least 16 characters".to_owned(),
            ));
        }
        Ok(Self {
            token_sha256: Some(*gxa_store::Sha256Digest::of(token.as_bytes()).as_bytes()),
            metrics,
            partners,
            clearing: false,
        })
    }

    /// Whether a request with these headers may read `view`: 401 without the token.
    pub fn check(&self, view: OpsView, headers: &HeaderMap) -> Result<(), ApiError> {
        let guarded = match view {
            OpsView::Metrics => self.metrics,
            OpsView::Partners => self.partners,
            OpsView::Clearing => self.clearing,
        };
        if !guarded {
            return Ok(());
        }
        let denied = || ApiError::Unauthorized("the operations token is required".to_owned());
        let expected = self.token_sha256.ok_or_else(denied)?;
        let value = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(denied)?;
        let Credentials::Bearer(token) = parse_authorization(value)? else {
            return Err(denied());
        };
        let digest = gxa_store::Sha256Digest::of(token.as_bytes());
        aws_lc_rs::constant_time::verify_slices_are_equal(&expected, digest.as_bytes())
            .map_err(|_| denied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_access_asks_for_the_operations_token_only_where_configured() {
        use axum::http::{HeaderMap, HeaderValue};
        let access = OpsAccess::with_token("ops-token-0123456789", true, false).unwrap();
        let mut headers = HeaderMap::new();
        assert!(access.check(OpsView::Partners, &headers).is_ok());
        assert!(access.check(OpsView::Metrics, &headers).is_err());
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer ops-token-0123456789x"),
        );
        assert!(access.check(OpsView::Metrics, &headers).is_err());
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer ops-token-0123456789"),
        );
        assert!(access.check(OpsView::Metrics, &headers).is_ok());
        assert!(OpsAccess::with_token("short", true, true).is_err());
        assert!(
            OpsAccess::default()
                .check(OpsView::Metrics, &HeaderMap::new())
                .is_ok()
        );
    }

    #[test]
    fn token_table_matches_hashes_only() {
        let mut table = TokenTable::new();
        table.add_plain("a", "plain-token-0123456789");
        // sha256("abc")
        table
            .add_sha256(
                "b",
                "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
            )
            .unwrap();
        assert_eq!(table.subject_of("plain-token-0123456789"), Some("a"));
        assert_eq!(table.subject_of("abc"), Some("b"));
        assert_eq!(table.subject_of("abd"), None);
        assert!(table.add_sha256("c", "abc").is_err());
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn authorization_forms() {
        assert_eq!(
            parse_authorization("Bearer abc").unwrap(),
            Credentials::Bearer("abc".to_owned())
        );
        assert_eq!(
            parse_authorization("bearer   abc ").unwrap(),
            Credentials::Bearer("abc".to_owned())
        );
        // base64("example-cloud:secret:with:colons")
        let encoded =
            base64::engine::general_purpose::STANDARD.encode("example-cloud:secret:with:colons");
        assert_eq!(
            parse_authorization(&format!("Basic {encoded}")).unwrap(),
            Credentials::Basic {
                user: "example-cloud".to_owned(),
                password: "secret:with:colons".to_owned()
            }
        );
        for bad in [
            "Bearer",
            "Bearer ",
            "Basic !!!",
            "Basic Zm9v",
            "Digest x",
            "token",
        ] {
            assert!(
                matches!(parse_authorization(bad), Err(ApiError::Unauthorized(_))),
                "{bad}"
            );
        }
    }
}
