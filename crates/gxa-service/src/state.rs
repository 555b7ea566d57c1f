//! [`AppState`]: what every handler shares (the issuer, which holds the store, and the metrics).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use gxa_store::CredentialFormat;

use gxa_issuer::Issuer;

use crate::auth::{OpsAccess, TokenTable};
use crate::config::{Limits, Role, VerifyConfig};
use crate::derived::Derived;
use crate::metrics::Metrics;
use crate::pool::VerifyPool;

/// Settings the router needs at request time.
#[derive(Clone, Debug)]
pub struct RouterOptions {
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// Time a request may take.
    pub request_timeout: Duration,
}

impl RouterOptions {
    /// From the configured limits.
    pub fn from_limits(limits: &Limits) -> Self {
        Self {
            max_body_bytes: limits.max_body_bytes,
            request_timeout: limits.request_timeout(),
        }
    }
}

/// The immutable part of a stored credential: its bytes as issued never change (see
/// `gxa-store`), so they can be kept in memory without invalidation.
#[derive(Debug)]
pub(crate) struct CachedCredential {
    pub(crate) format: CredentialFormat,
    pub(crate) body: Bytes,
    pub(crate) etag: String,
    /// Its canonical N-Quads and their entity tag, once asked for (as immutable as the body).
    pub(crate) nquads: std::sync::OnceLock<(Bytes, String)>,
}

/// Most credentials kept in memory; when full, the cache starts over (bounded memory, no
/// bookkeeping on the read path).
const CREDENTIAL_CACHE_ENTRIES: usize = 4096;

/// The shared state of the router: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: Issuer,
    metrics: Arc<Metrics>,
    options: RouterOptions,
    tokens: TokenTable,
    credentials: Mutex<HashMap<String, Arc<CachedCredential>>>,
    /// The path the DID document is served at (`/.well-known/did.json` or `/a/b/did.json`).
    did_path: String,
    /// The verifier of `POST /verify` (`None`: the route answers 501).
    verifier: Option<gxa_verify::Verifier>,
    /// The partner sync, behind `GET /partners`.
    partners: Option<gxa_partners::Syncer>,
    /// The clearing pre-flight behind `GET /clearing/check` (with a `[clearing]` section).
    preflight: Option<Arc<crate::clearing::Preflight>>,
    /// The bounded pool and body limits of `POST /verify`.
    verify_pool: VerifyPool,
    /// Badges' board and documents signed on demand, kept in memory.
    derived: Arc<Derived>,
    /// Who may read `/metrics` and `/partners`.
    ops: OpsAccess,
    /// The role the service runs in (`/openapi.json` documents its routes).
    role: Role,
}

impl AppState {
    /// State over an issuer; `metrics` may be shared with the caller (e.g. a test); `tokens` are
    /// the configured API tokens (store tokens are accepted besides).
    pub fn new(
        issuer: Issuer,
        metrics: Arc<Metrics>,
        options: RouterOptions,
        tokens: TokenTable,
    ) -> Self {
        let did_path = did_web_path(issuer.did());
        Self {
            inner: Arc::new(Inner {
                issuer,
                metrics,
                options,
                tokens,
                credentials: Mutex::new(HashMap::new()),
                did_path,
                verifier: None,
                partners: None,
                preflight: None,
                verify_pool: VerifyPool::from_config(&VerifyConfig::default()),
                derived: Arc::new(Derived::new(Duration::from_secs(
                    Limits::default().derived_cache_secs,
                ))),
                ops: OpsAccess::default(),
                role: Role::default(),
            }),
        }
    }

    /// The same state with other router options (e.g. a shorter timeout in a test).
    pub fn with_options(&self, options: RouterOptions) -> Self {
        self.derived(|inner| inner.options = options)
    }

    /// A copy of this state changed by `change`, with empty caches.
    fn derived(&self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Inner {
            issuer: self.inner.issuer.clone(),
            metrics: Arc::clone(&self.inner.metrics),
            options: self.inner.options.clone(),
            tokens: self.inner.tokens.clone(),
            credentials: Mutex::new(HashMap::new()),
            did_path: self.inner.did_path.clone(),
            verifier: self.inner.verifier.clone(),
            partners: self.inner.partners.clone(),
            preflight: self.inner.preflight.clone(),
            verify_pool: self.inner.verify_pool.clone(),
            derived: Arc::new(Derived::new(self.inner.derived.max_age())),
            ops: self.inner.ops.clone(),
            role: self.inner.role,
        };
        change(&mut inner);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The same state with `verifier` answering `POST /verify` (built by [`crate::prepare`] from
    /// the `[verify]` section; tests pass one with their own trust anchors and fetch policy).
    pub fn with_verifier(&self, verifier: gxa_verify::Verifier) -> Self {
        self.derived(|inner| inner.verifier = Some(verifier))
    }

    /// The same state with the partner sync (`GET /partners` shows its partners).
    pub fn with_partners(&self, syncer: gxa_partners::Syncer) -> Self {
        self.derived(|inner| inner.partners = Some(syncer))
    }

    /// The same state with the clearing pre-flight answering `GET /clearing/check`.
    pub fn with_preflight(&self, preflight: crate::clearing::Preflight) -> Self {
        let preflight = Arc::new(preflight);
        self.derived(|inner| inner.preflight = Some(preflight))
    }

    /// The clearing pre-flight, if `[clearing]` is configured.
    pub(crate) fn preflight(&self) -> Option<&crate::clearing::Preflight> {
        self.inner.preflight.as_deref()
    }

    /// The same state with another `POST /verify` pool (built by [`crate::prepare`] from the
    /// `[verify]` section).
    pub fn with_verify_pool(&self, verify_pool: VerifyPool) -> Self {
        self.derived(|inner| inner.verify_pool = verify_pool)
    }

    /// The same state keeping derived public documents for at most `max_age` (0: not kept).
    pub fn with_derived_cache(&self, max_age: Duration) -> Self {
        self.derived(|inner| inner.derived = Arc::new(Derived::new(max_age)))
    }

    /// The same state with `ops` guarding the operator's views.
    pub fn with_ops_access(&self, ops: OpsAccess) -> Self {
        self.derived(|inner| inner.ops = ops)
    }

    /// The same state in `role`.
    pub fn with_role(&self, role: Role) -> Self {
        self.derived(|inner| inner.role = role)
    }

    /// The role the service runs in.
    pub fn role(&self) -> Role {
        self.inner.role
    }

    /// Who may read the operator's views.
    pub fn ops_access(&self) -> &OpsAccess {
        &self.inner.ops
    }

    /// The caches of derived public documents.
    pub(crate) fn derived_cache(&self) -> &Derived {
        &self.inner.derived
    }

    /// The pool of `POST /verify`.
    pub fn verify_pool(&self) -> &VerifyPool {
        &self.inner.verify_pool
    }

    /// The partner sync, if partners are configured.
    pub fn partners(&self) -> Option<&gxa_partners::Syncer> {
        self.inner.partners.as_ref()
    }

    /// The verifier of `POST /verify`, if one was configured.
    pub fn verifier(&self) -> Option<&gxa_verify::Verifier> {
        self.inner.verifier.as_ref()
    }

    /// The issuer.
    pub fn issuer(&self) -> &Issuer {
        &self.inner.issuer
    }

    /// The store.
    pub fn store(&self) -> &gxa_store::Store {
        self.inner.issuer.store()
    }

    /// The metrics, shared (for a background task that outlives a request).
    pub(crate) fn metrics_shared(&self) -> Arc<Metrics> {
        Arc::clone(&self.inner.metrics)
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The router options.
    pub fn options(&self) -> &RouterOptions {
        &self.inner.options
    }

    /// A cached credential.
    pub(crate) fn cached_credential(&self, id: &str) -> Option<Arc<CachedCredential>> {
        let cache = self
            .inner
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.get(id).cloned()
    }

    /// Keeps a credential's immutable bytes in memory.
    pub(crate) fn cache_credential(&self, id: String, entry: Arc<CachedCredential>) {
        let mut cache = self
            .inner
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= CREDENTIAL_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(id, entry);
    }

    /// The configured API tokens.
    pub fn tokens(&self) -> &TokenTable {
        &self.inner.tokens
    }

    /// The path of the DID document.
    pub fn did_path(&self) -> &str {
        &self.inner.did_path
    }

    /// The public base URL (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.issuer.config().base_url
    }

    /// The credential id of a path segment: `{base_url}/credentials/{segment}`.
    pub fn credential_id(&self, segment: &str) -> String {
        format!("{}/credentials/{segment}", self.base_url())
    }
}

/// The HTTP path of a did:web DID's document
/// (<https://w3c-ccg.github.io/did-method-web/#read-resolve>): `did:web:host` →
/// `/.well-known/did.json`, `did:web:host:a:b` → `/a/b/did.json`. Other DIDs get the
/// `.well-known` path, which is where a reader would look first.
pub fn did_web_path(did: &str) -> String {
    let Some(rest) = did.strip_prefix("did:web:") else {
        return "/.well-known/did.json".to_owned();
    };
    let mut parts = rest.split(':');
    let _host = parts.next();
    let path: Vec<&str> = parts.collect();
    if path.is_empty() {
        "/.well-known/did.json".to_owned()
    } else {
        format!("/{}/did.json", path.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::did_web_path;

    #[test]
    fn did_web_paths() {
        assert_eq!(
            did_web_path("did:web:127.0.0.1%3A8080"),
            "/.well-known/did.json"
        );
        assert_eq!(
            did_web_path("did:web:provider.example:gx:issuer"),
            "/gx/issuer/did.json"
        );
        assert_eq!(did_web_path("did:key:z6Mk"), "/.well-known/did.json");
    }
}
