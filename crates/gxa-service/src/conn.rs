//! The connection layer of both listeners (plain HTTP and HTTPS): a connection limit, a
//! header-read timeout and an idle timeout, so that slow or silent clients cannot hold the
//! service's sockets and memory.
//!
//! - **Connection limit** ([`ConnectionLimits::max_connections`]): a connection over the limit
//!   is answered at once with a 503 problem (`Retry-After`, `Connection: close`) on the plain
//!   listener, and closed on the TLS listener (before a handshake there is no way to answer).
//! - **Header-read timeout** (hyper's `header_read_timeout`): the head of a request must arrive
//!   within it, counted from the first moment the server waits for it, which on a keep-alive
//!   connection is the end of the previous response. A client trickling a header byte by byte
//!   (slowloris) is disconnected; so is a keep-alive connection left silent that long.
//! - **Idle timeout**: a connection on which no byte moved either way for that long is closed,
//!   whatever state it is in (a stalled body, a client that does not read its response).
//!
//! Connections are served by hyper's HTTP/1.1 server and shut down gracefully with the rest of
//! the service.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// How long a client may take for the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The limits of every connection of a listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The head of each request must arrive within this time (also the longest a keep-alive
    /// connection may wait silent for its next request).
    pub header_read_timeout: Duration,
    /// A connection with no traffic either way for this long is closed.
    pub idle_timeout: Duration,
    /// Open connections per listener; more are refused with 503.
    pub max_connections: usize,
}

impl ConnectionLimits {
    /// The limits of every client connection, from the configured `[limits]`.
    pub fn from_limits(limits: &crate::config::Limits) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(limits.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(
                limits
                    .idle_timeout_secs
                    .max(limits.request_timeout_secs.saturating_add(1)),
            ),
            max_connections: limits.max_client_connections,
        }
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// The whole answer to a connection over the limit.
fn overload_response() -> Vec<u8> {
    let body = concat!(
        r#"{"type":"about:blank","title":"Service Unavailable","status":503,"#,
        r#""detail":"too many open connections; retry later"}"#
    );
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         retry-after: 1\r\ncache-control: no-store\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Accepts connections until `shutdown` turns true, then waits for open connections to finish
/// their current request. With `tls`, each connection first completes a TLS handshake.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(
        limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Out of file descriptors, typically: wait instead of spinning.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = async {
                // The guard of `wait_for` is not `Send`: drop it inside.
                let _ = shutdown.wait_for(|stop| *stop).await;
            } => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, limit = limits.max_connections, "connection limit reached; refused");
            if tls.is_none() {
                tokio::spawn(refuse(stream));
            }
            continue;
        };
        let tls = tls.clone();
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            let activity = Activity::new();
            let result = match tls {
                Some(acceptor) => {
                    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(err)) => {
                            tracing::debug!(%peer, error = %err, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let io = Tracked::new(tls, activity.clone());
                    let connection = builder(limits)
                        .serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
                    until_idle(watcher.watch(connection), &activity, limits.idle_timeout).await
                }
                None => {
                    let io = Tracked::new(stream, activity.clone());
                    let connection = builder(limits)
                        .serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
                    until_idle(watcher.watch(connection), &activity, limits.idle_timeout).await
                }
            };
            match result {
                Some(Ok(())) => {}
                Some(Err(err)) => {
                    tracing::debug!(%peer, error = %err, "connection ended with an error")
                }
                None => tracing::debug!(%peer, "idle connection closed"),
            }
        });
    }
    graceful.shutdown().await;
}

fn builder(limits: ConnectionLimits) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
}

/// Answers a connection over the limit with 503 and closes it (within a second, whatever the
/// client does).
async fn refuse(mut stream: TcpStream) {
    let answer = async {
        stream.write_all(&overload_response()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

/// Drives `connection` until it ends (`Some`) or no byte moved for `idle` (`None`: the
/// connection is dropped, which closes it).
async fn until_idle<F: Future>(
    connection: F,
    activity: &Activity,
    idle: Duration,
) -> Option<F::Output> {
    let mut connection = std::pin::pin!(connection);
    loop {
        let deadline = activity.last() + idle;
        tokio::select! {
            output = &mut connection => return Some(output),
            () = tokio::time::sleep_until(deadline.into()) => {
                if activity.last() + idle <= Instant::now() {
                    return None;
                }
            }
        }
    }
}

/// When a connection last moved a byte.
#[derive(Clone)]
struct Activity {
    start: Instant,
    /// Milliseconds since `start`.
    last: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let millis = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(millis, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last.load(Ordering::Relaxed))
    }
}

/// An I/O object that records when it last read or wrote a byte.
struct Tracked<T> {
    inner: T,
    activity: Activity,
}

impl<T> Tracked<T> {
    fn new(inner: T, activity: Activity) -> Self {
        activity.touch();
        Self { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
