//! What the fetcher may do: schemes, exempt hosts, extra TLS roots, limits and cache bounds.
//!
//! Every URL the verifier fetches (a did:web document, an `x5u` chain, a status list) is chosen
//! by whoever wrote the credential, so the defaults are those of production: https only, no
//! private, loopback, link-local or otherwise non-public address, small bodies, short timeouts.
//! Tests loosen them explicitly (`allow_http`, `allowed_hosts`, `extra_roots`).

use std::time::Duration;

use rustls_pki_types::CertificateDer;

/// The limits of a [`Fetcher`](crate::Fetcher).
///
/// `Default` is the production policy: https only, every non-public address refused, the
/// Mozilla root set only, 5 s to connect, 15 s per fetch (all redirects and the body included),
/// 2 MiB per body, 3 redirects, 5 minutes of caching by default (what the Gaia-X compliance
/// service uses for DID documents and certificates) and at most 1 hour, 1 024 cached responses,
/// 4 requests at a time per host.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Allow plain `http://` URLs (tests only: an attacker on the path could substitute the
    /// DID document or the certificate chain).
    pub allow_http: bool,
    /// Hosts exempt from the address guard, as `host` (any port) or `host:port`; IPv6 literals
    /// as `[::1]` or `[::1]:8443`. Meant for tests on loopback (`localhost`), never for names
    /// taken from credentials. A host listed only with other ports is still fetched on a
    /// different port, but only after its resolved addresses pass the guard.
    pub allowed_hosts: Vec<String>,
    /// TLS roots trusted in addition to the Mozilla set (a test CA, a private PKI).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Time to establish a TCP connection.
    pub connect_timeout: Duration,
    /// Time for the whole fetch: waiting for a per-host slot, every redirect hop and reading
    /// the body.
    pub total_timeout: Duration,
    /// Largest accepted body; a larger `Content-Length` is refused before reading and a body
    /// without one is refused as soon as it grows past this.
    pub max_body_bytes: usize,
    /// Most redirects followed per fetch.
    pub max_redirects: usize,
    /// Time a response without `Cache-Control: max-age` stays cached (0: not cached).
    pub default_ttl: Duration,
    /// Upper bound on any cache lifetime, whatever `max-age` says (bounds how stale a status
    /// list may be).
    pub max_ttl: Duration,
    /// Most cached responses (0 disables the cache); the one expiring first is evicted.
    pub cache_entries: usize,
    /// Most concurrent requests to one `host:port` (0 is treated as 1).
    pub per_host_concurrency: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_http: false,
            allowed_hosts: Vec::new(),
            extra_roots: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_body_bytes: 2 * 1024 * 1024,
            max_redirects: 3,
            default_ttl: Duration::from_secs(300),
            max_ttl: Duration::from_secs(3600),
            cache_entries: 1024,
            per_host_concurrency: 4,
        }
    }
}

/// One normalised `allowed_hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowedHost {
    /// Lower-case host as `Url::host_str` spells it (IPv6 in brackets).
    pub(crate) host: String,
    /// `None`: any port.
    pub(crate) port: Option<u16>,
}

impl AllowedHost {
    /// Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal.
    pub(crate) fn parse(entry: &str) -> Option<Self> {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            return None;
        }
        if let Some(rest) = entry.strip_prefix('[') {
            let (host, after) = rest.split_once(']')?;
            host.parse::<std::net::Ipv6Addr>().ok()?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':')?.parse().ok()?),
            };
            return Some(Self {
                host: format!("[{host}]"),
                port,
            });
        }
        if entry.parse::<std::net::Ipv6Addr>().is_ok() {
            return Some(Self {
                host: format!("[{entry}]"),
                port: None,
            });
        }
        match entry.rsplit_once(':') {
            Some((host, port)) => Some(Self {
                host: host.to_owned(),
                port: Some(port.parse().ok()?),
            }),
            None => Some(Self {
                host: entry,
                port: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_host_forms() {
        let p = |s: &str| AllowedHost::parse(s).map(|a| (a.host, a.port));
        assert_eq!(p("localhost"), Some(("localhost".into(), None)));
        assert_eq!(p("LocalHost:8443"), Some(("localhost".into(), Some(8443))));
        assert_eq!(p("127.0.0.1:1"), Some(("127.0.0.1".into(), Some(1))));
        assert_eq!(p("[::1]"), Some(("[::1]".into(), None)));
        assert_eq!(p("[::1]:443"), Some(("[::1]".into(), Some(443))));
        assert_eq!(p("::1"), Some(("[::1]".into(), None)));
        assert_eq!(p("host:notaport"), None);
        assert_eq!(p("[::1]x"), None);
        assert_eq!(p(""), None);
    }
}
