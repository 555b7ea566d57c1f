//! A small https file server on loopback for tests (std threads + rustls, HTTP/1.1 with
//! `Connection: close`): serves the files of a directory, plus a few hostile routes the
//! verifier must refuse:
//! - `/huge` and `/huge/did.json`: a 3 MiB body (over the fetcher's 2 MiB limit);
//! - `/redirect/*`: a 302 to `https://10.0.0.1/…` (a private address).
//!
//! Real TLS with a test CA, no mock HTTP client.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test support: each test binary uses a part of it, and a broken fixture must stop the test"
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A running server; it stops with the test process.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    /// Every request received, as `host path` (the `Host` header, lowercased, and the target).
    pub(crate) requests: Arc<Mutex<Vec<String>>>,
}

/// Starts serving `root` with the certificate and key (PEM files) on `bind`. Retries for up to
/// 60 s when the address is in use (another test process on the same fixed port).
pub(crate) fn start(root: &Path, cert_pem: &Path, key_pem: &Path, bind: &str) -> Server {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_pem)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(key_pem).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    let deadline = Instant::now() + Duration::from_secs(60);
    let listener = loop {
        match TcpListener::bind(bind) {
            Ok(l) => break l,
            Err(e) if Instant::now() < deadline => {
                eprintln!("{bind} busy ({e}), retrying");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => panic!("cannot bind {bind}: {e}"),
        }
    };
    let addr = listener.local_addr().unwrap();
    let root = root.to_owned();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            let root = root.clone();
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let _ = handle(stream, config, &root, &log);
            });
        }
    });
    Server { addr, requests }
}

fn handle(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    root: &Path,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tls.read(&mut chunk)?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let path = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .to_owned();
    let host = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("host")
                .then(|| value.trim().to_ascii_lowercase())
        })
        .unwrap_or_default();
    log.lock().unwrap().push(format!("{host} {path}"));
    let (status, extra, body): (&str, String, Vec<u8>) =
        if path == "/huge" || path.starts_with("/huge/") {
            ("200 OK", String::new(), vec![b' '; 3 * 1024 * 1024])
        } else if let Some(rest) = path.strip_prefix("/redirect/") {
            (
                "302 Found",
                format!("Location: https://10.0.0.1/{rest}\r\n"),
                Vec::new(),
            )
        } else {
            let rel = path.trim_start_matches('/');
            if rel.split('/').any(|s| s == ".." || s.is_empty()) {
                ("404 Not Found", String::new(), b"not found".to_vec())
            } else {
                match std::fs::read(root.join(rel)) {
                    Ok(b) => ("200 OK", String::new(), b),
                    Err(_) => ("404 Not Found", String::new(), b"not found".to_vec()),
                }
            }
        };
    let content_type = if path.ends_with(".pem") {
        "application/pem-certificate-chain"
    } else {
        "application/json"
    };
    write!(
        tls,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    )?;
    tls.write_all(&body)?;
    tls.flush()?;
    tls.conn.send_close_notify();
    let _ = tls.flush();
    Ok(())
}

/// The certificates of a PEM file.
pub(crate) fn certs(pem: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(pem)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
