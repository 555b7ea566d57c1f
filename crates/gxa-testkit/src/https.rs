//! A small HTTPS server on loopback (std threads + rustls, HTTP/1.1 with `Connection: close`):
//! real TLS with a test CA, no mock HTTP client. [`serve`] answers with a handler of the test;
//! [`start_files`] serves the files of a directory plus a few hostile routes a verifier must
//! refuse.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request: the `Host` header (lowercased) and the request target.
pub struct Request {
    /// The `Host` header, lowercased (empty when absent).
    pub host: String,
    /// The request target (path and query).
    pub target: String,
}

/// An answer: the status line's code and reason (`200 OK`), headers before `Content-Length`,
/// and the body.
pub struct Response {
    /// E.g. `200 OK`.
    pub status: String,
    /// Headers other than `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// An answer with a status, a `Content-Type` and a body.
    pub fn new(status: &str, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status: status.to_owned(),
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body,
        }
    }

    /// The answer with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Binds `bind`, retrying for up to 60 s when the address is in use (another test process on
/// the same fixed port).
pub fn bind_retrying(bind: &str) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match TcpListener::bind(bind) {
            Ok(l) => break l,
            Err(e) if Instant::now() < deadline => {
                eprintln!("{bind} busy ({e}), retrying");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => panic!("cannot bind {bind}: {e}"),
        }
    }
}

/// Serves HTTPS on `listener` with `config`, a thread per connection, answering each request
/// with `handler`; it stops with the test process.
pub fn serve<H>(listener: TcpListener, config: Arc<rustls::ServerConfig>, handler: H)
where
    H: Fn(&Request) -> Response + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || {
                let _ = handle(stream, config, &*handler);
            });
        }
    });
}

fn handle(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    handler: &dyn Fn(&Request) -> Response,
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
    let target = head
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
    let response = handler(&Request { host, target });
    let mut out = format!("HTTP/1.1 {}\r\n", response.status);
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    tls.write_all(out.as_bytes())?;
    tls.write_all(&response.body)?;
    tls.flush()?;
    tls.conn.send_close_notify();
    let _ = tls.flush();
    Ok(())
}

/// A running file server; it stops with the test process.
pub struct FileServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Every request received, as `host path` (the `Host` header, lowercased, and the target).
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// Starts serving the files of `root` with the certificate and key (PEM files) on `bind`
/// (retrying while the address is in use), plus:
/// - `/huge` and `/huge/did.json`: a 3 MiB body (over the fetcher's 2 MiB limit);
/// - `/redirect/*`: a 302 to `https://10.0.0.1/…` (a private address).
pub fn start_files(root: &Path, cert_pem: &Path, key_pem: &Path, bind: &str) -> FileServer {
    let config = crate::tls::server_config_from_files(cert_pem, key_pem);
    let listener = bind_retrying(bind);
    let addr = listener.local_addr().unwrap();
    let root = root.to_owned();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    serve(listener, config, move |request| {
        log.lock()
            .unwrap()
            .push(format!("{} {}", request.host, request.target));
        file_response(&root, &request.target)
    });
    FileServer { addr, requests }
}

fn file_response(root: &Path, path: &str) -> Response {
    let content_type = if path.ends_with(".pem") {
        "application/pem-certificate-chain"
    } else {
        "application/json"
    };
    if path == "/huge" || path.starts_with("/huge/") {
        return Response::new("200 OK", content_type, vec![b' '; 3 * 1024 * 1024]);
    }
    if let Some(rest) = path.strip_prefix("/redirect/") {
        return Response::new("302 Found", content_type, Vec::new())
            .with_header("Location", &format!("https://10.0.0.1/{rest}"));
    }
    let rel = path.trim_start_matches('/');
    let found = if rel.split('/').any(|s| s == ".." || s.is_empty()) {
        None
    } else {
        std::fs::read(root.join(rel)).ok()
    };
    match found {
        Some(body) => Response::new("200 OK", content_type, body),
        None => Response::new("404 Not Found", content_type, b"not found".to_vec()),
    }
}
