//! One reqwest client per source: rustls (aws-lc-rs) with the Mozilla roots plus a configured
//! CA bundle, or a pinned certificate; timeouts; retries with exponential back-off for
//! connection errors, timeouts, 429 and 5xx; a semaphore bounding requests in flight; a
//! request counter. Error messages carry the method and URL without query or user info.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde_json::Value;
use sha2::Digest;
use tokio::sync::Semaphore;

use crate::config::HttpConfig;
use crate::error::{SourceError, config};

/// TLS trust of one source.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trust<'a> {
    /// Extra CA bundle (PEM).
    pub(crate) ca_file: Option<&'a Path>,
    /// Accept exactly this certificate (SHA-256 of its DER), whatever its issuer.
    pub(crate) pinned_sha256: Option<&'a str>,
    /// `verify: false` in clouds.yaml.
    pub(crate) insecure: bool,
}

/// An HTTP client bound to one source.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    origin: String,
    client: reqwest::Client,
    cfg: HttpConfig,
    limit: Arc<Semaphore>,
    requests: Arc<AtomicU64>,
}

/// An answer with a success status.
pub(crate) struct Answer {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) endpoint: String,
}

impl Answer {
    pub(crate) fn json(&self, origin: &str) -> Result<Value, SourceError> {
        serde_json::from_slice(&self.body).map_err(|e| SourceError::Invalid {
            origin: origin.to_owned(),
            endpoint: self.endpoint.clone(),
            message: format!("not JSON: {e}"),
        })
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The method and URL for messages: no query string, no user info.
pub(crate) fn endpoint(method: &Method, url: &str) -> String {
    let mut shown = match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.to_string()
        }
        Err(_) => url.split('?').next().unwrap_or(url).to_owned(),
    };
    if shown.len() > 300 {
        shown.truncate(300);
    }
    format!("{method} {shown}")
}

fn detail(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    // Prefer the message of the usual JSON error shapes.
    let msg = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| {
            [
                "/error/message",
                "/detail",
                "/faultstring",
                "/message",
                "/badRequest/message",
                "/itemNotFound/message",
                "/forbidden/message",
            ]
            .iter()
            .find_map(|p| v.pointer(p).and_then(Value::as_str).map(str::to_owned))
        })
        .unwrap_or_else(|| text.to_owned());
    let cut: String = msg.chars().take(200).collect();
    format!(": {cut}")
}

impl Http {
    pub(crate) fn new(
        origin: &str,
        cfg: &HttpConfig,
        trust: &Trust<'_>,
    ) -> Result<Self, SourceError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| config(origin, format!("TLS: {e}")))?;
        let tls = if let Some(pin) = trust.pinned_sha256 {
            let want = hex_decode(pin)
                .filter(|d| d.len() == 32)
                .ok_or_else(|| config(origin, "pinned_sha256: expected 64 hex digits"))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(OwnCheck {
                    pinned: Some(want),
                    provider,
                }))
                .with_no_client_auth()
        } else if trust.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(OwnCheck {
                    pinned: None,
                    provider,
                }))
                .with_no_client_auth()
        } else {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            if let Some(ca) = trust.ca_file {
                let mut n = 0;
                for cert in CertificateDer::pem_file_iter(ca)
                    .map_err(|e| config(origin, format!("CA file {}: {e}", ca.display())))?
                {
                    let cert =
                        cert.map_err(|e| config(origin, format!("CA file {}: {e}", ca.display())))?;
                    roots
                        .add(cert)
                        .map_err(|e| config(origin, format!("CA file {}: {e}", ca.display())))?;
                    n += 1;
                }
                if n == 0 {
                    return Err(config(
                        origin,
                        format!("CA file {}: no certificate", ca.display()),
                    ));
                }
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs.max(1)))
            .timeout(cfg.timeout())
            .user_agent(concat!("gx-attest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| config(origin, format!("HTTP client: {e}")))?;
        Ok(Self {
            origin: origin.to_owned(),
            client,
            cfg: cfg.clone(),
            limit: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    pub(crate) fn concurrency(&self) -> usize {
        self.cfg.concurrency.max(1)
    }

    pub(crate) fn page_size(&self) -> u32 {
        self.cfg.page_size.max(1)
    }

    /// Requests sent so far (each retry counts).
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sends a request, retrying what may pass on a second try. 401/403 are
    /// [`SourceError::Auth`]; other error statuses [`SourceError::Http`].
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer, SourceError> {
        let shown = endpoint(&method, url);
        let mut attempt = 0;
        loop {
            let permit = self
                .limit
                .acquire()
                .await
                .map_err(|_| SourceError::Transport {
                    origin: self.origin.clone(),
                    endpoint: shown.clone(),
                    message: "client closed".into(),
                })?;
            let mut req = self.client.request(method.clone(), url);
            for (k, v) in headers {
                let mut value = HeaderValue::from_str(v).map_err(|_| {
                    config(
                        &self.origin,
                        format!("header {k}: not a valid header value"),
                    )
                })?;
                if k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("x-auth-token")
                {
                    value.set_sensitive(true);
                }
                req = req.header(*k, value);
            }
            if let Some(b) = body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(serde_json::to_vec(b).unwrap_or_default());
            }
            req = req.header("Accept", "application/json");
            self.requests.fetch_add(1, Ordering::Relaxed);
            let result = async {
                let res = req.send().await?;
                let status = res.status();
                let headers = res.headers().clone();
                let body = res.bytes().await?.to_vec();
                Ok::<_, reqwest::Error>((status, headers, body))
            }
            .await;
            drop(permit);
            let retryable = match &result {
                Err(_) => true,
                Ok((status, _, _)) => {
                    *status == StatusCode::TOO_MANY_REQUESTS
                        || *status == StatusCode::BAD_GATEWAY
                        || *status == StatusCode::SERVICE_UNAVAILABLE
                        || *status == StatusCode::GATEWAY_TIMEOUT
                        || *status == StatusCode::INTERNAL_SERVER_ERROR
                }
            };
            if retryable && attempt < self.cfg.retries {
                let wait = self.cfg.backoff_ms.saturating_mul(1 << attempt.min(10));
                tracing::warn!(source = %self.origin, endpoint = %shown, attempt, "retrying in {wait} ms");
                tokio::time::sleep(Duration::from_millis(wait)).await;
                attempt += 1;
                continue;
            }
            return match result {
                Err(e) => Err(SourceError::Transport {
                    origin: self.origin.clone(),
                    endpoint: shown,
                    message: chain(&e),
                }),
                Ok((status, headers, body)) if status.is_success() => Ok(Answer {
                    headers,
                    body,
                    endpoint: shown,
                }),
                Ok((status, _, body))
                    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN =>
                {
                    Err(SourceError::Auth {
                        origin: self.origin.clone(),
                        endpoint: shown,
                        status: status.as_u16(),
                        detail: detail(&body),
                    })
                }
                Ok((status, _, body)) => Err(SourceError::Http {
                    origin: self.origin.clone(),
                    endpoint: shown,
                    status: status.as_u16(),
                    detail: detail(&body),
                }),
            };
        }
    }

    /// GET, JSON answer.
    pub(crate) async fn get_json(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Value, SourceError> {
        self.send(Method::GET, url, headers, None)
            .await?
            .json(&self.origin)
    }
}

/// The error and its causes, without the URL reqwest adds (its query might hold anything).
fn chain(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| *c != ':').collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A server certificate check other than the web PKI: exactly one certificate, by the SHA-256
/// of its DER (`pinned_sha256`), or none at all (`verify: false` in clouds.yaml, as
/// openstacksdk allows). Handshake signatures are checked either way.
#[derive(Debug)]
struct OwnCheck {
    /// `Some(sha256)`: only that certificate; `None`: any.
    pinned: Option<Vec<u8>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for OwnCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        match &self.pinned {
            Some(want)
                if sha2::Sha256::digest(end_entity.as_ref()).as_slice() != want.as_slice() =>
            {
                Err(rustls::Error::General(
                    "certificate does not match pinned_sha256".into(),
                ))
            }
            _ => Ok(rustls::client::danger::ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Resolves a `next` link (absolute, or a path on the same host) against the URL it came from.
pub(crate) fn join(base: &str, next: &str) -> Result<String, String> {
    let b = reqwest::Url::parse(base).map_err(|e| e.to_string())?;
    b.join(next)
        .map(|u| u.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A loopback HTTP/1.1 server answering the `n`th connection with `answer(n)` (`None`:
    /// never answer), one request per connection. Stands in for an upstream in trouble (5xx,
    /// hanging), which the real test services cannot be made to be on demand.
    async fn server(answer: fn(usize) -> Option<(u16, &'static str)>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let n = seen.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let _ = sock.read(&mut buf).await;
                    match answer(n) {
                        Some((status, body)) => {
                            let text = format!(
                                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = sock.write_all(text.as_bytes()).await;
                        }
                        None => tokio::time::sleep(Duration::from_secs(30)).await,
                    }
                });
            }
        });
        format!("http://{addr}/x?secret-looking=query")
    }

    fn http(retries: u32, timeout_secs: u64) -> Http {
        let cfg = HttpConfig {
            retries,
            backoff_ms: 10,
            timeout_secs,
            ..HttpConfig::default()
        };
        Http::new("test", &cfg, &Trust::default()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn five_hundreds_are_retried_with_backoff_then_reported() {
        let url = server(|n| {
            Some(if n < 2 {
                (503, "{}")
            } else {
                (200, r#"{"ok": true}"#)
            })
        })
        .await;
        let h = http(3, 5);
        assert_eq!(h.get_json(&url, &[]).await.unwrap()["ok"], true);
        assert_eq!(h.requests(), 3);

        let url = server(|_| Some((502, r#"{"message": "bad gateway"}"#))).await;
        let h = http(1, 5);
        let err = h.get_json(&url, &[]).await.unwrap_err();
        assert_eq!(h.requests(), 2);
        let msg = err.to_string();
        assert!(
            matches!(err, SourceError::Http { status: 502, .. }),
            "{msg}"
        );
        assert!(
            msg.starts_with("test: GET http://127.0.0.1:")
                && msg.ends_with("/x: HTTP 502: bad gateway"),
            "{msg}"
        );
        assert!(!msg.contains("secret-looking"), "{msg}");

        // 401/403 are not retried.
        let url = server(|_| Some((401, "{}"))).await;
        let h = http(3, 5);
        assert!(h.get_json(&url, &[]).await.unwrap_err().is_auth());
        assert_eq!(h.requests(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hanging_service_times_out() {
        let url = server(|_| None).await;
        let h = http(1, 1);
        let started = std::time::Instant::now();
        let err = h.get_json(&url, &[]).await.unwrap_err();
        assert!(matches!(err, SourceError::Transport { .. }), "{err}");
        assert!(err.to_string().contains("timed out"), "{err}");
        assert_eq!(h.requests(), 2);
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
