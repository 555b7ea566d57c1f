//! Hostile clients and careless deployments: secrets on disk (a key set whose private key
//! others may read is refused, as ssh does; the data directory is created 0700 and the SQLite
//! database 0600), and metric labels that a client cannot grow.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use gxa_testkit::service as kit;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn key_file(key_dir: &Path) -> std::path::PathBuf {
    std::fs::read_dir(key_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".key.pem"))
        .unwrap()
}

#[cfg(unix)]
#[tokio::test]
async fn world_readable_keys_refused_data_and_database_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let mut config = kit::test_config(dir.path(), String::new(), 1024 * 1024);
    config.database_url = None;
    config.data_dir = dir.path().join("data/nested");
    let key = key_file(&config.key_set);
    assert_eq!(mode(&key), 0o600, "generated keys are private");

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let Err(err) = gxa_service::prepare(config.clone()).await else {
        panic!("a world-readable key must stop the start");
    };
    let message = err.to_string();
    assert!(
        message.contains("0644") && message.contains("chmod 600") && message.contains(".key.pem"),
        "{message}"
    );

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let prepared = gxa_service::prepare(config.clone()).await.unwrap();
    prepared.state.store().close().await;
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    assert_eq!(mode(&config.data_dir), 0o700);
    let database = config.data_dir.join(gxa_store::SQLITE_FILE_NAME);
    assert_eq!(mode(&database), 0o600);

    // A database others could read (an older start) is tightened at the next start.
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
    let prepared = gxa_service::prepare(config.clone()).await.unwrap();
    prepared.state.store().close().await;
    assert_eq!(mode(&database) & 0o007, 0, "{:o}", mode(&database));
}

/// The number of `gxa_http_requests_total` series in a `/metrics` page.
fn request_series(metrics: &str) -> usize {
    metrics
        .lines()
        .filter(|l| l.starts_with("gxa_http_requests_total{"))
        .count()
}

#[tokio::test]
async fn random_methods_do_not_grow_the_metric_series() {
    let services = kit::services_with_limit(1024).await;
    let service = &services[0];
    // Every standard method once, then warm the `other` series.
    for method in [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO",
    ] {
        let request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri("/healthz")
            .body(Body::empty())
            .unwrap();
        service.send(request).await;
    }
    let before = service.get("/metrics", None).await;
    assert_eq!(before.status, StatusCode::OK);
    let before = request_series(&before.text());
    // 500 requests with random 40-letter methods (a fixed-seed generator: the same every run).
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..500 {
        let method: String = (0..40)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                char::from(b'A' + u8::try_from((seed >> 33) % 26).unwrap())
            })
            .collect();
        let request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri("/healthz")
            .body(Body::empty())
            .unwrap();
        let reply = service.send(request).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    let after = service.get("/metrics", None).await.text();
    // The GET of /metrics itself may add its own series once.
    assert!(
        request_series(&after) <= before + 1,
        "series grew from {before} to {}",
        request_series(&after)
    );
    assert!(after.contains("method=\"other\""), "{after}");
    assert!(!after.contains("method=\"FOO\""));
}

/// A running service on a loopback port with small connection limits; the task serving it.
async fn running(
    dir: &Path,
    max_client_connections: usize,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let url = format!("sqlite://{}", dir.join("store.sqlite3").display());
    let mut config = kit::test_config(dir, url, 1024 * 1024);
    config.limits.header_read_timeout_secs = 1;
    config.limits.request_timeout_secs = 1;
    config.limits.idle_timeout_secs = 2;
    config.limits.max_client_connections = max_client_connections;
    config.listen = "127.0.0.1:0".parse().unwrap();
    let listener = gxa_service::bind(config.listen).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let prepared = gxa_service::prepare(config).await.unwrap();
    let task = tokio::spawn(async move {
        gxa_service::serve(prepared, listener).await.unwrap();
    });
    (addr, task)
}

/// `GET path` on a new connection; the status code and the whole answer.
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await
    .unwrap()
    .unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Waits (up to `within`) for the server to close `stream`; the time it took.
async fn closed_within(
    stream: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> Option<std::time::Duration> {
    use tokio::io::AsyncReadExt as _;
    let start = std::time::Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((start + within).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_disconnected_while_others_are_answered() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt as _;
    let dir = tempfile::tempdir().unwrap();
    let (addr, task) = running(dir.path(), 1024).await;

    // 100 slowloris connections: a request head started, then one byte every 200 ms.
    let mut slow = Vec::new();
    for _ in 0..100 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    let trickle = tokio::spawn(async move {
        let start = std::time::Instant::now();
        let mut open = slow.len();
        while open > 0 && start.elapsed() < Duration::from_secs(8) {
            tokio::time::sleep(Duration::from_millis(200)).await;
            for stream in &mut slow {
                // A write to a closed connection fails: that is expected.
                let _ = stream.write_all(b"a").await;
            }
            open = 0;
            for stream in &mut slow {
                match closed_within(stream, Duration::from_millis(1)).await {
                    Some(_) => {}
                    None => open += 1,
                }
            }
        }
        (open, start.elapsed())
    });
    // An idle connection that never sends anything.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();

    // Meanwhile the service answers others, each at once.
    let mut answered = 0;
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        let asked = std::time::Instant::now();
        let (status, text) = get(addr, "/healthz").await;
        assert_eq!(status, 200, "{text}");
        assert!(
            asked.elapsed() < Duration::from_millis(500),
            "{:?}",
            asked.elapsed()
        );
        answered += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered >= 10, "{answered}");

    let idle_closed = closed_within(&mut idle, Duration::from_secs(4)).await;
    let idle_closed = idle_closed.expect("the idle connection was not closed");
    assert!(idle_closed < Duration::from_secs(4), "{idle_closed:?}");
    let (still_open, after) = trickle.await.unwrap();
    assert_eq!(
        still_open, 0,
        "slowloris connections still open after {after:?}"
    );
    assert!(
        after < Duration::from_secs(4),
        "closed only after {after:?}"
    );
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_get_a_503_problem() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let (addr, task) = running(dir.path(), 4).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, text) = get(addr, "/healthz").await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 1"),
        "{text}"
    );
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    let problem: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(problem["status"], 503);
    // The held connections send nothing: they are closed after the header timeout, and the
    // service takes new connections again.
    for stream in &mut held {
        assert!(
            closed_within(stream, Duration::from_secs(4))
                .await
                .is_some(),
            "a silent connection stayed open"
        );
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, text) = get(addr, "/healthz").await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("x-content-type-options: nosniff"),
        "{text}"
    );
    task.abort();
}
