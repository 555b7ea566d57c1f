//! The guarded fetcher against real HTTPS servers on loopback: a test CA (`gxa_testkit::tls`), rustls + hyper servers, the CA in `extra_roots` and
//! `localhost` allowed explicitly. No mock clients: every request goes through TCP and TLS.

#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use gxa_fetch::{FetchError, FetchPolicy, Fetcher};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls_pki_types::CertificateDer;
use tokio::net::TcpListener;

type Reply = Response<BoxBody<Bytes, Infallible>>;

/// Counters the tests read: TCP connections accepted, HTTP requests, most requests at once.
#[derive(Default)]
struct Counters {
    connections: AtomicUsize,
    requests: AtomicUsize,
    active: AtomicUsize,
    max_active: AtomicUsize,
}

struct Server {
    port: u16,
    ca: CertificateDer<'static>,
    counters: Arc<Counters>,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }
    fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::SeqCst)
    }
    fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

/// A body that never ends: `chunk` every `every`, and a size hint (Content-Length) if given.
struct Drip {
    chunk: Bytes,
    every: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    length: Option<u64>,
}

impl Body for Drip {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let Some(every) = self.every else {
            return Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))));
        };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(every)));
        match sleep.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => {
                self.sleep = None;
                Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.length.map_or_else(SizeHint::new, SizeHint::with_exact)
    }
}

fn full(status: StatusCode, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Reply {
    let mut res = Response::builder().status(status);
    for (k, v) in headers {
        res = res.header(*k, *v);
    }
    res.body(http_body_util::Full::new(body.into()).boxed())
        .unwrap()
}

async fn route(req: Request<Incoming>, port: u16, counters: Arc<Counters>) -> Reply {
    counters.requests.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_owned();
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    match path.as_str() {
        "/ok" => full(
            StatusCode::OK,
            &[
                ("content-type", "application/did+json"),
                ("cache-control", "max-age=60"),
            ],
            format!("{{\"accept\":\"{accept}\"}}"),
        ),
        "/nostore" => full(StatusCode::OK, &[("cache-control", "no-store")], "fresh"),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            full(StatusCode::OK, &[], "late")
        }
        "/drip" => Response::new(
            Drip {
                chunk: Bytes::from_static(b"x"),
                every: Some(Duration::from_millis(100)),
                sleep: None,
                length: None,
            }
            .boxed(),
        ),
        "/huge-stream" => Response::new(
            Drip {
                chunk: Bytes::from(vec![b'a'; 16 * 1024]),
                every: None,
                sleep: None,
                length: None,
            }
            .boxed(),
        ),
        // Announces 100 MiB and then sends nothing: only a Content-Length check answers fast.
        "/huge-length" => Response::new(
            Drip {
                chunk: Bytes::from_static(b"a"),
                every: Some(Duration::from_secs(3600)),
                sleep: None,
                length: Some(100 * 1024 * 1024),
            }
            .boxed(),
        ),
        "/to-private" => full(StatusCode::FOUND, &[("location", "https://10.0.0.1/x")], ""),
        "/to-metadata" => full(
            StatusCode::TEMPORARY_REDIRECT,
            &[("location", "https://169.254.169.254/latest/meta-data/")],
            "",
        ),
        "/to-loopback-ip" => {
            let loc = format!("https://127.0.0.1:{port}/ok");
            full(
                StatusCode::MOVED_PERMANENTLY,
                &[("location", loc.as_str())],
                "",
            )
        }
        "/to-http" => {
            let loc = format!("http://localhost:{port}/ok");
            full(StatusCode::FOUND, &[("location", loc.as_str())], "")
        }
        "/to-ok" => full(StatusCode::SEE_OTHER, &[("location", "/ok")], ""),
        "/loop" => full(StatusCode::FOUND, &[("location", "/loop")], ""),
        "/no-location" => full(StatusCode::FOUND, &[], ""),
        "/status/404" => full(StatusCode::NOT_FOUND, &[], "no"),
        "/status/500" => full(StatusCode::INTERNAL_SERVER_ERROR, &[], "boom"),
        "/shared" => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            full(StatusCode::OK, &[("cache-control", "max-age=60")], "shared")
        }
        p if p.starts_with("/limited/") => {
            let now = counters.active.fetch_add(1, Ordering::SeqCst) + 1;
            counters.max_active.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(250)).await;
            counters.active.fetch_sub(1, Ordering::SeqCst);
            full(StatusCode::OK, &[("cache-control", "no-store")], "limited")
        }
        _ => full(StatusCode::NOT_FOUND, &[], "unknown"),
    }
}

/// Starts an HTTPS server on 127.0.0.1 with a fresh test CA; its leaf names `localhost` and
/// `127.0.0.1`.
async fn serve() -> Server {
    let ca = gxa_testkit::tls::TestCa::new("gxa-fetch test CA");
    let acceptor = tokio_rustls::TlsAcceptor::from(ca.server_config());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let port = addr.port();
    let counters = Arc::new(Counters::default());
    let c = counters.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            c.connections.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let c = c.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |req| {
                    let c = c.clone();
                    async move { Ok::<_, Infallible>(route(req, port, c).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    Server {
        port,
        ca: ca.ca,
        counters,
    }
}

/// The test policy: the server's CA trusted, `localhost` exempt from the address guard.
fn policy(server: &Server) -> FetchPolicy {
    FetchPolicy {
        allowed_hosts: vec!["localhost".to_owned()],
        extra_roots: vec![server.ca.clone()],
        total_timeout: Duration::from_secs(5),
        ..FetchPolicy::default()
    }
}

fn fetcher(policy: FetchPolicy) -> Fetcher {
    Fetcher::new(policy).unwrap()
}

#[tokio::test]
async fn success_over_https() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    let got = f
        .get(&server.url("/ok"), "application/did+json")
        .await
        .unwrap();
    assert_eq!(got.url, server.url("/ok"));
    assert_eq!(got.content_type.as_deref(), Some("application/did+json"));
    assert_eq!(&got.body[..], br#"{"accept":"application/did+json"}"#);
    assert!(!got.from_cache);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn follows_a_same_host_redirect_and_reports_the_final_url() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    let got = f.get(&server.url("/to-ok"), "*/*").await.unwrap();
    assert_eq!(got.url, server.url("/ok"));
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn slow_server_times_out_as_could_not_check() {
    let server = serve().await;
    let f = fetcher(FetchPolicy {
        total_timeout: Duration::from_millis(600),
        ..policy(&server)
    });
    for path in ["/slow", "/drip"] {
        let start = Instant::now();
        let err = f.get(&server.url(path), "*/*").await.unwrap_err();
        assert!(matches!(err, FetchError::Timeout { .. }), "{path}: {err:?}");
        assert!(!err.is_refused(), "{path}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{path}: {:?}",
            start.elapsed()
        );
    }
}

#[tokio::test]
async fn huge_bodies_are_refused_while_streaming_and_by_content_length() {
    let server = serve().await;
    let f = fetcher(FetchPolicy {
        max_body_bytes: 64 * 1024,
        ..policy(&server)
    });
    let err = f.get(&server.url("/huge-stream"), "*/*").await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { max: 65536, .. }),
        "{err:?}"
    );
    assert!(err.is_refused());

    // The body never comes: only the Content-Length check can answer before the time-out.
    let start = Instant::now();
    let err = f.get(&server.url("/huge-length"), "*/*").await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
    assert!(err.is_refused());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn redirects_to_private_addresses_are_refused() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    for (path, addr) in [
        ("/to-private", "10.0.0.1"),
        ("/to-metadata", "169.254.169.254"),
        ("/to-loopback-ip", "127.0.0.1"),
    ] {
        let err = f.get(&server.url(path), "*/*").await.unwrap_err();
        match &err {
            FetchError::ForbiddenAddress { addr: a, .. } => assert_eq!(a.to_string(), addr),
            other => panic!("{path}: {other:?}"),
        }
        assert!(err.is_refused());
    }
    // One request per redirect; the redirect targets (`/ok` on the loopback IP literal
    // included) were never requested.
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn redirect_to_plain_http_is_refused() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    let err = f.get(&server.url("/to-http"), "*/*").await.unwrap_err();
    assert!(
        matches!(err, FetchError::SchemeNotAllowed { .. }),
        "{err:?}"
    );
    assert!(err.is_refused());
}

#[tokio::test]
async fn redirect_loops_stop_at_max_redirects() {
    let server = serve().await;
    let f = fetcher(FetchPolicy {
        max_redirects: 3,
        ..policy(&server)
    });
    let err = f.get(&server.url("/loop"), "*/*").await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { max: 3, .. }),
        "{err:?}"
    );
    assert!(err.is_refused());
    assert_eq!(
        server.requests(),
        4,
        "the first request and three redirects"
    );

    let err = f.get(&server.url("/no-location"), "*/*").await.unwrap_err();
    assert!(
        matches!(err, FetchError::BadRedirect { status: 302, .. }),
        "{err:?}"
    );
    assert!(!err.is_refused());
}

#[tokio::test]
async fn http_errors_are_could_not_check() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    for (path, code) in [("/status/404", 404), ("/status/500", 500)] {
        let err = f.get(&server.url(path), "*/*").await.unwrap_err();
        assert!(
            matches!(err, FetchError::HttpStatus { status, .. } if status == code),
            "{err:?}"
        );
        assert!(!err.is_refused());
    }
}

#[tokio::test]
async fn tls_and_connection_failures_are_could_not_check() {
    let server = serve().await;
    // Without the test CA the server's certificate is unknown.
    let untrusting = fetcher(FetchPolicy {
        extra_roots: Vec::new(),
        ..policy(&server)
    });
    let err = untrusting.get(&server.url("/ok"), "*/*").await.unwrap_err();
    assert!(matches!(err, FetchError::Tls { .. }), "{err:?}");
    assert!(!err.is_refused());
    assert_eq!(server.requests(), 0);

    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let f = fetcher(policy(&server));
    let err = f
        .get(&format!("https://localhost:{port}/"), "*/*")
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
    assert!(!err.is_refused());
}

#[tokio::test]
async fn dns_failure_is_could_not_check() {
    let f = fetcher(FetchPolicy {
        total_timeout: Duration::from_secs(3),
        ..FetchPolicy::default()
    });
    // `.invalid` never resolves (RFC 2606); depending on the resolver the answer is a failure
    // or no answer within the time-out: both mean "could not check", never "refused".
    let err = f
        .get("https://gx-attest-test.invalid/did.json", "*/*")
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Dns { .. } | FetchError::Timeout { .. }),
        "{err:?}"
    );
    assert!(!err.is_refused());
}

#[tokio::test]
async fn plain_http_and_other_schemes_are_refused_by_default() {
    let f = fetcher(FetchPolicy::default());
    for url in [
        "http://localhost:1/did.json",
        "http://example.org/",
        "file:///etc/passwd",
        "ftp://example.org/x",
    ] {
        let err = f.get(url, "*/*").await.unwrap_err();
        assert!(
            matches!(err, FetchError::SchemeNotAllowed { .. }),
            "{url}: {err:?}"
        );
        assert!(err.is_refused());
    }
    let err = f.get("not a url", "*/*").await.unwrap_err();
    assert!(matches!(err, FetchError::InvalidUrl { .. }), "{err:?}");
    assert!(err.is_refused());
}

#[tokio::test]
async fn ssrf_targets_are_refused_without_any_connection() {
    let server = serve().await;
    let port = server.port;
    // Only `localhost` is allowed: its address as a literal is not.
    let f = fetcher(policy(&server));
    for url in [
        format!("https://127.0.0.1:{port}/ok"),
        format!("https://2130706433:{port}/ok"),
        format!("https://[::1]:{port}/ok"),
        format!("https://[::ffff:127.0.0.1]:{port}/ok"),
        "https://10.0.0.1/did.json".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://[fd00:ec2::254]/latest/meta-data/".to_owned(),
        "https://0.0.0.0/".to_owned(),
    ] {
        let start = Instant::now();
        let err = f.get(&url, "*/*").await.unwrap_err();
        assert!(
            matches!(err, FetchError::ForbiddenAddress { .. }),
            "{url}: {err:?}"
        );
        assert!(err.is_refused(), "{url}");
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{url}: refused without trying"
        );
    }
    // A host name resolving to loopback, not allowed: refused after DNS, before connecting.
    let strict = fetcher(FetchPolicy {
        allowed_hosts: Vec::new(),
        ..policy(&server)
    });
    let err = strict.get(&server.url("/ok"), "*/*").await.unwrap_err();
    match &err {
        FetchError::ForbiddenAddress { host, addr, .. } => {
            assert_eq!(host, "localhost");
            assert!(addr.is_loopback(), "{addr}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_refused());
    // A host allowed on another port only is guarded on this one.
    let other_port = fetcher(FetchPolicy {
        allowed_hosts: vec![format!("localhost:{}", port.wrapping_add(1))],
        ..policy(&server)
    });
    let err = other_port.get(&server.url("/ok"), "*/*").await.unwrap_err();
    assert!(
        matches!(err, FetchError::ForbiddenAddress { .. }),
        "{err:?}"
    );
    assert_eq!(server.connections(), 0, "no connection was ever made");
    assert_eq!(server.requests(), 0);

    // The exemption by port works too.
    let exact = fetcher(FetchPolicy {
        allowed_hosts: vec![format!("localhost:{port}")],
        ..policy(&server)
    });
    exact.get(&server.url("/ok"), "*/*").await.unwrap();
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn cache_hits_do_not_reach_the_server() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    let first = f.get(&server.url("/ok"), "application/json").await.unwrap();
    let second = f
        .clone()
        .get(&server.url("/ok"), "application/json")
        .await
        .unwrap();
    assert!(!first.from_cache);
    assert!(second.from_cache);
    assert_eq!(first.body, second.body);
    assert_eq!(server.requests(), 1);
    // Another Accept is another entry.
    let other = f.get(&server.url("/ok"), "text/html").await.unwrap();
    assert!(!other.from_cache);
    assert_eq!(server.requests(), 2);
    assert_eq!(
        f.stats(),
        gxa_fetch::FetchStats {
            requests: 2,
            cache_hits: 1,
            ..Default::default()
        }
    );
    // Errors are counted by kind.
    f.get("https://10.0.0.1/", "*/*").await.unwrap_err();
    f.get(&server.url("/status/500"), "*/*").await.unwrap_err();
    let stats = f.stats();
    assert_eq!((stats.refused, stats.failed, stats.requests), (1, 1, 3));
}

#[tokio::test]
async fn no_store_and_disabled_cache_always_fetch() {
    let server = serve().await;
    let f = fetcher(policy(&server));
    for _ in 0..3 {
        let got = f.get(&server.url("/nostore"), "*/*").await.unwrap();
        assert!(!got.from_cache);
    }
    assert_eq!(server.requests(), 3);
    let uncached = fetcher(FetchPolicy {
        cache_entries: 0,
        ..policy(&server)
    });
    uncached.get(&server.url("/ok"), "*/*").await.unwrap();
    uncached.get(&server.url("/ok"), "*/*").await.unwrap();
    assert_eq!(server.requests(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identical_gets_are_coalesced() {
    let server = serve().await;
    let f = fetcher(FetchPolicy {
        cache_entries: 0,
        ..policy(&server)
    });
    let url = server.url("/shared");
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let f = f.clone();
            let url = url.clone();
            tokio::spawn(async move { f.get(&url, "*/*").await })
        })
        .collect();
    let mut leaders = 0;
    for t in tasks {
        let got = t.await.unwrap().unwrap();
        assert_eq!(&got.body[..], b"shared");
        leaders += usize::from(!got.from_cache);
    }
    assert_eq!(server.requests(), 1, "ten gets, one request");
    assert_eq!(leaders, 1);
    let stats = f.stats();
    assert_eq!(
        (stats.requests, stats.coalesced, stats.cache_hits),
        (1, 9, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_leader_does_not_block_later_calls() {
    let server = serve().await;
    let f = fetcher(FetchPolicy {
        cache_entries: 0,
        ..policy(&server)
    });
    let url = server.url("/shared");
    let leader = {
        let (f, url) = (f.clone(), url.clone());
        tokio::spawn(async move { f.get(&url, "*/*").await })
    };
    let follower = {
        let (f, url) = (f.clone(), url.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            f.get(&url, "*/*").await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    leader.abort();
    // The waiting follower takes over; a later call starts afresh.
    let got = follower.await.unwrap().unwrap();
    assert_eq!(&got.body[..], b"shared");
    let later = tokio::time::timeout(Duration::from_secs(3), f.get(&url, "*/*"))
        .await
        .unwrap()
        .unwrap();
    assert!(!later.from_cache);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_concurrency_is_limited() {
    let server = serve().await;
    let f = fetcher(FetchPolicy {
        per_host_concurrency: 2,
        ..policy(&server)
    });
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let f = f.clone();
            let url = server.url(&format!("/limited/{i}"));
            tokio::spawn(async move { f.get(&url, "*/*").await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.requests(), 6);
    assert_eq!(server.counters.max_active.load(Ordering::SeqCst), 2);
}

#[test]
fn unusable_configuration_is_an_error() {
    let err = Fetcher::new(FetchPolicy {
        allowed_hosts: vec!["host:notaport".to_owned()],
        ..FetchPolicy::default()
    })
    .unwrap_err();
    assert!(matches!(err, FetchError::Config(_)), "{err:?}");
    let err = Fetcher::new(FetchPolicy {
        extra_roots: vec![CertificateDer::from(vec![1, 2, 3])],
        ..FetchPolicy::default()
    })
    .unwrap_err();
    assert!(matches!(err, FetchError::Config(_)), "{err:?}");
}
