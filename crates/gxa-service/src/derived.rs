//! Public documents derived from the store, kept in memory: the compliance board behind
//! `GET /badges/…`, the overview `/`, `/status` and the monitor's tables (when asked for now,
//! not `?at=` another time), and the documents signed on demand (participant presentations, status
//! lists).
//!
//! Computing them is expensive (the board verifies and evaluates every stored upload; a
//! presentation is a signature), reading them is public and frequent. An entry is used while
//! [`gxa_store::Store::generation`] has not moved since it was computed (nothing changed
//! through this process) and it is younger than `limits.derived_cache_secs` (changes by other
//! replicas, results that expire with time). The signing keys are read at start, so a key
//! rotation (a restart) starts with an empty cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use gxa_issuer::Issued;
use gxa_scs::Evaluation;
use gxa_store::Store;

use crate::error::ApiError;

/// Most signed documents kept; when full, the cache starts over (bounded memory).
const SIGNED_ENTRIES: usize = 1024;

/// A value computed at a store generation and an instant.
struct Entry<T> {
    generation: u64,
    at: Instant,
    value: T,
}

impl<T: Clone> Entry<T> {
    fn fresh(&self, generation: u64, max_age: Duration) -> Option<T> {
        (self.generation == generation && self.at.elapsed() < max_age).then(|| self.value.clone())
    }
}

/// The caches (one per running service; see the module docs).
pub(crate) struct Derived {
    max_age: Duration,
    board: Mutex<Option<Entry<Board>>>,
    /// One board computation at a time: concurrent readers of a stale board wait for it.
    board_refresh: tokio::sync::Mutex<()>,
    signed: Mutex<HashMap<SignedKey, Entry<Issued>>>,
}

/// One evaluated (report subject, scope) pair and the store subject whose uploads hold it.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The store subject (account) that uploaded the reports.
    pub(crate) owner: String,
    /// The evaluation at the board's instant.
    pub(crate) evaluation: Evaluation,
}

/// The compliance board and the instant it was evaluated at.
pub(crate) type Board = (jiff::Timestamp, Arc<Vec<Row>>);

/// A document signed on demand: its kind (`presentation`, `status_list`), id and profile.
type SignedKey = (&'static str, String, &'static str);

impl Derived {
    pub(crate) fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            board: Mutex::new(None),
            board_refresh: tokio::sync::Mutex::new(()),
            signed: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The compliance board now (`compute` evaluates it at an instant; see
    /// `monitor::board_now`) and its instant, from memory while fresh.
    pub(crate) async fn board<Fut>(
        &self,
        store: &Store,
        compute: impl FnOnce(jiff::Timestamp) -> Fut,
    ) -> Result<Board, ApiError>
    where
        Fut: Future<Output = Result<Vec<Row>, ApiError>>,
    {
        if let Some(board) = self.cached_board(store.generation()) {
            return Ok(board);
        }
        let _refresh = self.board_refresh.lock().await;
        // Read before computing: a write during the computation leaves the entry stale.
        let generation = store.generation();
        if let Some(board) = self.cached_board(generation) {
            return Ok(board);
        }
        let at = jiff::Timestamp::now();
        let board = (at, Arc::new(compute(at).await?));
        if !self.max_age.is_zero() {
            *self.board.lock().unwrap_or_else(PoisonError::into_inner) = Some(Entry {
                generation,
                at: Instant::now(),
                value: board.clone(),
            });
        }
        Ok(board)
    }

    fn cached_board(&self, generation: u64) -> Option<Board> {
        self.board
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|e| e.fresh(generation, self.max_age))
    }

    /// A document signed on demand, from memory while fresh; `sign` makes it otherwise.
    pub(crate) async fn signed<Fut>(
        &self,
        store: &Store,
        key: SignedKey,
        sign: impl FnOnce() -> Fut,
    ) -> Result<Issued, gxa_issuer::IssuerError>
    where
        Fut: Future<Output = Result<Issued, gxa_issuer::IssuerError>>,
    {
        let generation = store.generation();
        let hit = self
            .signed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .and_then(|e| e.fresh(generation, self.max_age));
        if let Some(issued) = hit {
            return Ok(issued);
        }
        let issued = sign().await?;
        if !self.max_age.is_zero() {
            let mut signed = self.signed.lock().unwrap_or_else(PoisonError::into_inner);
            if signed.len() >= SIGNED_ENTRIES {
                signed.clear();
            }
            signed.insert(
                key,
                Entry {
                    generation,
                    at: Instant::now(),
                    value: issued.clone(),
                },
            );
        }
        Ok(issued)
    }
}
