//! The fetcher: one reqwest client behind the guard, the cache, coalescing and per-host limits.

use std::collections::{HashMap, HashSet};
use std::error::Error as StdError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use reqwest::{StatusCode, Url};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

use crate::cache::{Cache, Key, ttl_from_headers};
use crate::guard::{GuardError, GuardedResolver, forbidden_reason, resolve_checked};
use crate::policy::AllowedHost;
use crate::{FetchError, FetchPolicy};

/// A fetched document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The final URL, after redirects (relative references inside the document resolve
    /// against it).
    pub url: String,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
    /// The body, at most `max_body_bytes`.
    pub body: Bytes,
    /// `true` when this call made no request of its own: served from the cache, or shared
    /// from an identical request already in flight.
    pub from_cache: bool,
}

type Shared = Arc<OnceCell<Result<Fetched, FetchError>>>;

struct Inner {
    client: reqwest::Client,
    policy: FetchPolicy,
    allowed: Vec<AllowedHost>,
    cache: Mutex<Cache>,
    in_flight: Mutex<HashMap<Key, Shared>>,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    stats: Counters,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    cache_hits: AtomicU64,
    coalesced: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
}

/// What a [`Fetcher`] has done since it was made (shared by its clones), for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// HTTP requests sent (each redirect hop counts).
    pub requests: u64,
    /// Calls answered from the cache.
    pub cache_hits: u64,
    /// Calls that shared another call's request in flight.
    pub coalesced: u64,
    /// Calls that ended in a refusal ([`FetchError::is_refused`]).
    pub refused: u64,
    /// Calls that ended in another error (could not check).
    pub failed: u64,
}

/// The guarded fetcher for did:web documents, `x5u` chains and status lists.
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool, the cache, the
/// in-flight table and the per-host limits, so one `Fetcher` per process is the intended use.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

/// The TLS settings of gx-attest's HTTP clients: rustls with the aws-lc-rs provider, TLS 1.2 and
/// 1.3, the Mozilla roots (`webpki-roots`) plus `extra_roots` (a private PKI, a test CA), ALPN h2
/// and http/1.1. The error names what could not be set up.
pub fn client_tls(
    extra_roots: &[rustls::pki_types::CertificateDer<'static>],
) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for root in extra_roots {
        roots
            .add(root.clone())
            .map_err(|e| format!("extra root certificate: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tls)
}

impl Fetcher {
    /// Builds the client: rustls with the aws-lc-rs provider, the Mozilla roots plus
    /// `extra_roots`, no proxy (a proxy would resolve names where the guard cannot see them),
    /// no automatic redirects (each hop is re-checked here), the guarded resolver.
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let tls = client_tls(&policy.extra_roots).map_err(FetchError::Config)?;

        let allowed: Vec<AllowedHost> = policy
            .allowed_hosts
            .iter()
            .map(|entry| {
                AllowedHost::parse(entry)
                    .ok_or_else(|| FetchError::Config(format!("allowed host {entry:?}")))
            })
            .collect::<Result<_, _>>()?;
        let exempt_names: HashSet<String> = allowed.iter().map(|a| a.host.clone()).collect();

        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .dns_resolver(Arc::new(GuardedResolver {
                exempt_names: Arc::new(exempt_names),
            }))
            .user_agent(concat!("gx-attest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                cache: Mutex::new(Cache::new(policy.cache_entries)),
                allowed,
                policy,
                in_flight: Mutex::new(HashMap::new()),
                hosts: Mutex::new(HashMap::new()),
                stats: Counters::default(),
            }),
        })
    }

    /// Counters since the fetcher was made.
    pub fn stats(&self) -> FetchStats {
        let c = &self.inner.stats;
        FetchStats {
            requests: c.requests.load(Ordering::Relaxed),
            cache_hits: c.cache_hits.load(Ordering::Relaxed),
            coalesced: c.coalesced.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// The policy this fetcher enforces.
    pub fn policy(&self) -> &FetchPolicy {
        &self.inner.policy
    }

    /// GETs `url` with the given `Accept`.
    ///
    /// Served from the cache when a fresh copy exists (lifetime from `Cache-Control: max-age`,
    /// `no-store`/`no-cache` honoured, bounded by `max_ttl`). Concurrent calls for the same URL
    /// and `Accept` share one network request and its outcome. Otherwise each hop is checked
    /// (scheme, IP-literal host, resolved addresses, per-host slot), redirects are followed up
    /// to `max_redirects`, and the body is read up to `max_body_bytes`, all within
    /// `total_timeout`. Only 2xx answers succeed.
    pub async fn get(&self, url: &str, accept: &str) -> Result<Fetched, FetchError> {
        let key: Key = (url.to_owned(), accept.to_owned());
        let stats = &self.inner.stats;
        if let Some(mut hit) = lock(&self.inner.cache).get(&key, Instant::now()) {
            stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            hit.from_cache = true;
            return Ok(hit);
        }
        let shared = lock(&self.inner.in_flight)
            .entry(key.clone())
            .or_default()
            .clone();
        let _in_flight = InFlightGuard {
            inner: &self.inner,
            key: &key,
            shared: &shared,
        };
        let mut led = false;
        let res = shared
            .get_or_init(|| {
                led = true;
                self.fetch_and_cache(url, accept, &key)
            })
            .await
            .clone();
        if !led {
            stats.coalesced.fetch_add(1, Ordering::Relaxed);
        }
        match &res {
            Ok(_) => {}
            Err(e) if e.is_refused() => {
                stats.refused.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                stats.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        res.map(|mut fetched| {
            fetched.from_cache = !led;
            fetched
        })
    }

    /// POSTs `body` (JSON text) to `url` under the same guard and limits as [`Fetcher::get`]
    /// (scheme, address guard, per-host permit, time-out, body size); never cached or
    /// coalesced, and redirects are not followed (a POST is not repeated elsewhere). A non-2xx
    /// answer is [`FetchError::HttpStatus`]. For questions such as a registry's
    /// `POST /v2/api/trustAnchor/chain/file`.
    pub async fn post_json(&self, url: &str, body: &str) -> Result<Fetched, FetchError> {
        let policy = &self.inner.policy;
        let current = Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        let attempt = async {
            let host_key = self.check_target(&current).await?;
            let _permit = self.host_permit(host_key).await;
            self.inner.stats.requests.fetch_add(1, Ordering::Relaxed);
            let res = self
                .inner
                .client
                .post(current.clone())
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_owned())
                .send()
                .await
                .map_err(|e| classify(current.as_str(), e, policy))?;
            let status = res.status();
            if !status.is_success() {
                return Err(FetchError::HttpStatus {
                    url: current.to_string(),
                    status: status.as_u16(),
                });
            }
            self.read_body(current.clone(), res).await.map(|(f, _)| f)
        };
        let res = match tokio::time::timeout(policy.total_timeout, attempt).await {
            Ok(res) => res,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_owned(),
                after: policy.total_timeout,
            }),
        };
        if let Err(e) = &res {
            let counter = if e.is_refused() {
                &self.inner.stats.refused
            } else {
                &self.inner.stats.failed
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        res
    }

    async fn fetch_and_cache(
        &self,
        url: &str,
        accept: &str,
        key: &Key,
    ) -> Result<Fetched, FetchError> {
        let policy = &self.inner.policy;
        let (fetched, ttl) =
            match tokio::time::timeout(policy.total_timeout, self.fetch_hops(url, accept)).await {
                Ok(res) => res?,
                Err(_) => {
                    return Err(FetchError::Timeout {
                        url: url.to_owned(),
                        after: policy.total_timeout,
                    });
                }
            };
        if let Some(ttl) = ttl {
            let now = Instant::now();
            lock(&self.inner.cache).insert(key.clone(), fetched.clone(), now + ttl, now);
        }
        Ok(fetched)
    }

    async fn fetch_hops(
        &self,
        url: &str,
        accept: &str,
    ) -> Result<(Fetched, Option<std::time::Duration>), FetchError> {
        let policy = &self.inner.policy;
        let mut current = Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        for _hop in 0..=policy.max_redirects {
            let host_key = self.check_target(&current).await?;
            let _permit = self.host_permit(host_key).await;
            tracing::debug!(url = %current, "fetching");
            self.inner.stats.requests.fetch_add(1, Ordering::Relaxed);
            let res = self
                .inner
                .client
                .get(current.clone())
                .header(ACCEPT, accept)
                .send()
                .await
                .map_err(|e| classify(current.as_str(), e, policy))?;
            let status = res.status();
            if matches!(
                status,
                StatusCode::MOVED_PERMANENTLY
                    | StatusCode::FOUND
                    | StatusCode::SEE_OTHER
                    | StatusCode::TEMPORARY_REDIRECT
                    | StatusCode::PERMANENT_REDIRECT
            ) {
                current = next_hop(&current, status, res.headers().get(LOCATION))?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::HttpStatus {
                    url: current.to_string(),
                    status: status.as_u16(),
                });
            }
            return self.read_body(current, res).await;
        }
        Err(FetchError::TooManyRedirects {
            url: url.to_owned(),
            max: policy.max_redirects,
        })
    }

    async fn read_body(
        &self,
        url: Url,
        mut res: reqwest::Response,
    ) -> Result<(Fetched, Option<std::time::Duration>), FetchError> {
        let policy = &self.inner.policy;
        let max = policy.max_body_bytes;
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            max,
        };
        if res
            .content_length()
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > max))
        {
            return Err(too_large());
        }
        let content_type = res
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let ttl = ttl_from_headers(
            res.headers()
                .get_all(CACHE_CONTROL)
                .iter()
                .filter_map(|v| v.to_str().ok()),
            policy.default_ttl,
            policy.max_ttl,
        );
        let mut body = BytesMut::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| classify(url.as_str(), e, policy))?
        {
            if body.len().saturating_add(chunk.len()) > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((
            Fetched {
                url: url.to_string(),
                content_type,
                body: body.freeze(),
                from_cache: false,
            },
            ttl,
        ))
    }

    /// Checks one hop before any connection: the scheme, an IP-literal host, a host allowed
    /// only on other ports. Returns the `host:port` key of the per-host limit.
    async fn check_target(&self, url: &Url) -> Result<String, FetchError> {
        let policy = &self.inner.policy;
        match url.scheme() {
            "https" => {}
            "http" if policy.allow_http => {}
            scheme => {
                return Err(FetchError::SchemeNotAllowed {
                    url: url.to_string(),
                    scheme: scheme.to_owned(),
                });
            }
        }
        let (Some(host_str), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: "no host".to_owned(),
            });
        };
        let host_str = host_str.to_ascii_lowercase();
        // `Url` has already turned every IPv4 spelling (`2130706433`, `0x7f.1`) into dotted
        // form and brackets IPv6.
        let ip_literal: Option<std::net::IpAddr> = host_str
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&host_str)
            .parse()
            .ok();
        let named = self.inner.allowed.iter().any(|a| a.host == host_str);
        let exempt = self
            .inner
            .allowed
            .iter()
            .any(|a| a.host == host_str && a.port.is_none_or(|p| p == port));
        let forbidden = |addr: std::net::IpAddr, reason| FetchError::ForbiddenAddress {
            url: url.to_string(),
            host: host_str.clone(),
            addr,
            reason,
        };
        match ip_literal {
            _ if exempt => {}
            // IP literals never reach the resolver: check them here.
            Some(ip) => {
                if let Some(reason) = forbidden_reason(ip) {
                    return Err(forbidden(ip, reason));
                }
            }
            // The resolver exempts names by host only; a listed name on another port is
            // checked here instead.
            None if named => {
                resolve_checked(&host_str, false)
                    .await
                    .map_err(|e| guard_error(url.as_str(), e))?;
            }
            None => {}
        }
        Ok(format!("{host_str}:{port}"))
    }

    async fn host_permit(&self, host_key: String) -> HostPermit {
        let semaphore = lock(&self.inner.hosts)
            .entry(host_key.clone())
            .or_insert_with(|| {
                Arc::new(Semaphore::new(
                    self.inner.policy.per_host_concurrency.max(1),
                ))
            })
            .clone();
        // The semaphore is never closed, so acquiring only fails if it were; then run
        // unlimited rather than fail the fetch.
        let permit = semaphore.clone().acquire_owned().await.ok();
        HostPermit {
            inner: self.inner.clone(),
            host_key,
            semaphore,
            permit,
        }
    }
}

/// The next URL of a redirect, resolved against the current one.
fn next_hop(
    current: &Url,
    status: StatusCode,
    location: Option<&reqwest::header::HeaderValue>,
) -> Result<Url, FetchError> {
    let bad = |reason: String| FetchError::BadRedirect {
        url: current.to_string(),
        status: status.as_u16(),
        reason,
    };
    let location = location
        .ok_or_else(|| bad("no Location header".to_owned()))?
        .to_str()
        .map_err(|_| bad("Location is not visible ASCII".to_owned()))?;
    current
        .join(location)
        .map_err(|e| bad(format!("{location:?}: {e}")))
}

/// A slot of the per-host limit; on release, drops the host's semaphore if no one else
/// holds or waits for it, so the table stays as small as the set of busy hosts.
struct HostPermit {
    inner: Arc<Inner>,
    host_key: String,
    semaphore: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for HostPermit {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut hosts = lock(&self.inner.hosts);
        // Two references: the table's and ours (each waiter holds another).
        if Arc::strong_count(&self.semaphore) <= 2
            && hosts
                .get(&self.host_key)
                .is_some_and(|current| Arc::ptr_eq(current, &self.semaphore))
        {
            hosts.remove(&self.host_key);
        }
    }
}

/// Removes a finished (or abandoned) in-flight entry once its last user is gone, so that
/// cancelled callers do not leave entries behind.
struct InFlightGuard<'a> {
    inner: &'a Inner,
    key: &'a Key,
    shared: &'a Shared,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        let mut in_flight = lock(&self.inner.in_flight);
        let Some(current) = in_flight.get(self.key) else {
            return;
        };
        // Done: later callers find the cache (or fetch again after an error). Not done and
        // only the table and this caller hold it: nobody is left to finish it.
        if Arc::ptr_eq(current, self.shared)
            && (self.shared.initialized() || Arc::strong_count(self.shared) <= 2)
        {
            in_flight.remove(self.key);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // No code panics while holding these locks; if one ever did, the data (a cache, a table
    // of counters) is still consistent enough to use.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn guard_error(url: &str, e: GuardError) -> FetchError {
    match e {
        GuardError::Forbidden { host, addr, reason } => FetchError::ForbiddenAddress {
            url: url.to_owned(),
            host,
            addr,
            reason,
        },
        GuardError::Dns { host, reason } => FetchError::Dns {
            url: url.to_owned(),
            host,
            reason,
        },
    }
}

/// Maps a reqwest error by walking its source chain: a guard refusal or DNS failure from our
/// resolver, a rustls error (inside an `io::Error`), a time-out, a connection failure.
fn classify(url: &str, e: reqwest::Error, policy: &FetchPolicy) -> FetchError {
    let mut source: Option<&(dyn StdError + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(guard) = err.downcast_ref::<GuardError>() {
            return guard_error(
                url,
                match guard {
                    GuardError::Forbidden { host, addr, reason } => GuardError::Forbidden {
                        host: host.clone(),
                        addr: *addr,
                        reason,
                    },
                    GuardError::Dns { host, reason } => GuardError::Dns {
                        host: host.clone(),
                        reason: reason.clone(),
                    },
                },
            );
        }
        if let Some(tls) = find_rustls_error(err) {
            return FetchError::Tls {
                url: url.to_owned(),
                reason: tls.to_string(),
            };
        }
        source = err.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout {
            url: url.to_owned(),
            after: if e.is_connect() {
                policy.connect_timeout
            } else {
                policy.total_timeout
            },
        };
    }
    let connect = e.is_connect();
    // In an `Arc`: the shared outcome of coalesced requests must be `Clone`.
    let source = Arc::new(e);
    if connect {
        FetchError::Connect {
            url: url.to_owned(),
            source,
        }
    } else {
        FetchError::Transport {
            url: url.to_owned(),
            source,
        }
    }
}

/// A rustls error in `err` or inside the `io::Error`s wrapping it (hyper wraps the handshake
/// error twice, and `io::Error::source` skips the wrapped error, so look inside explicitly).
fn find_rustls_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current = err;
    for _ in 0..8 {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = current.downcast_ref::<std::io::Error>()?.get_ref()?;
        current = inner;
    }
    None
}
