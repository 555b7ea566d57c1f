//! [`VerifyPool`]: a bounded pool of concurrent verifications for `POST /verify`.
//!
//! Verifying parses, expands and canonicalizes attacker-chosen JSON-LD on the blocking pool: a
//! handful of large inputs at once is all the CPU and memory of a small machine. So at most
//! `concurrent` verifications run at once and at most `queued` more wait, each for at most
//! `max_wait`; a request beyond that is answered 503 with `Retry-After` at once, before its body
//! is read. Bodies in memory for verification are therefore bounded by
//! `(concurrent + queued) × ` the route's body limit.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::VerifyConfig;
use crate::error::ApiError;

/// The pool; cheap to clone (shared counters inside).
#[derive(Clone, Debug)]
pub struct VerifyPool {
    /// Running and waiting verifications together.
    admission: Arc<Semaphore>,
    /// Running verifications.
    running: Arc<Semaphore>,
    concurrent: usize,
    queued: usize,
    max_wait: Duration,
    /// Largest JSON-LD body (`application/json`, `ld+json`, `vc+ld+json`, `vp+ld+json`).
    pub(crate) max_jsonld_bytes: usize,
    /// Largest JWT body (`vc+jwt`, `vp+jwt`, `jwt`, `text/plain`).
    pub(crate) max_jwt_bytes: usize,
    /// Most documents in one batch.
    pub(crate) max_batch: usize,
}

/// A place in the pool: admitted (waiting), then running.
pub(crate) struct Admitted {
    _admission: OwnedSemaphorePermit,
    pool: VerifyPool,
}

/// A running verification; the slot is freed when it is dropped.
pub(crate) struct Running {
    _admission: OwnedSemaphorePermit,
    _running: OwnedSemaphorePermit,
}

impl VerifyPool {
    /// At most `concurrent` (at least 1) verifications at once, `queued` more waiting at most
    /// `max_wait` each.
    pub fn new(concurrent: usize, queued: usize, max_wait: Duration) -> Self {
        let concurrent = concurrent.max(1);
        Self {
            admission: Arc::new(Semaphore::new(concurrent + queued)),
            running: Arc::new(Semaphore::new(concurrent)),
            concurrent,
            queued,
            max_wait,
            max_jsonld_bytes: gxa_verify::DEFAULT_MAX_INPUT_BYTES,
            max_jwt_bytes: gxa_verify::DEFAULT_MAX_INPUT_BYTES,
            max_batch: 100,
        }
    }

    /// The bounded pool and body limits of `POST /verify` from the `[verify]` section.
    pub fn from_config(config: &VerifyConfig) -> Self {
        Self::new(
            config.max_concurrent,
            config.max_queued,
            Duration::from_secs(config.queue_wait_secs),
        )
        .with_body_limits(config.max_jsonld_bytes, config.max_jwt_bytes)
        .with_max_batch(config.max_batch)
    }

    /// The same pool with at most `max_batch` (at least 1) documents per batch.
    pub fn with_max_batch(mut self, max_batch: usize) -> Self {
        self.max_batch = max_batch.max(1);
        self
    }

    /// The same pool with body limits per media type (JSON-LD, JWT).
    pub fn with_body_limits(mut self, max_jsonld_bytes: usize, max_jwt_bytes: usize) -> Self {
        self.max_jsonld_bytes = max_jsonld_bytes;
        self.max_jwt_bytes = max_jwt_bytes;
        self
    }

    /// A place in the pool, or 503 when `concurrent + queued` requests hold one.
    pub(crate) fn admit(&self) -> Result<Admitted, ApiError> {
        match Arc::clone(&self.admission).try_acquire_owned() {
            Ok(permit) => Ok(Admitted {
                _admission: permit,
                pool: self.clone(),
            }),
            Err(_) => Err(ApiError::Busy(format!(
                "{} verifications are running and {} waiting, the most this service takes; retry later",
                self.concurrent, self.queued
            ))),
        }
    }
}

impl Admitted {
    /// Waits for a running slot, at most the pool's `max_wait`; 503 after that.
    pub(crate) async fn run(self) -> Result<Running, ApiError> {
        let waited = tokio::time::timeout(
            self.pool.max_wait,
            Arc::clone(&self.pool.running).acquire_owned(),
        )
        .await;
        match waited {
            Ok(Ok(permit)) => Ok(Running {
                _admission: self._admission,
                _running: permit,
            }),
            _ => Err(ApiError::Busy(format!(
                "no verification slot became free within {} s; retry later",
                self.pool.max_wait.as_secs_f64()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admits_runs_and_refuses_beyond_the_queue() {
        let pool = VerifyPool::new(1, 1, Duration::from_millis(50));
        let first = pool.admit().unwrap().run().await.unwrap();
        let waiting = pool.admit().unwrap();
        assert!(matches!(pool.admit(), Err(ApiError::Busy(_))), "queue full");
        // The waiting one times out while the first runs.
        assert!(matches!(waiting.run().await, Err(ApiError::Busy(_))));
        drop(first);
        let again = pool.admit().unwrap().run().await.unwrap();
        drop(again);
        assert!(pool.admit().is_ok());
    }
}
