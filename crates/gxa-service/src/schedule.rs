//! Periodic background jobs: scheduled re-issuance ([`gxa_issuer::Issuer::reissue_expiring`])
//! and clearing-house renewal ([`gxa_clearing::ClearingClient::renew_due`]).
//!
//! One loop for both, so that they stop the same way at graceful shutdown: a job runs at once,
//! then every `every` (a run that overruns delays the next tick instead of bunching them up),
//! until the shutdown flag becomes `true` or its sender is dropped. A run in progress is not
//! cut off: the jobs hold store leases and commit per credential, so finishing is cheaper than
//! cleaning up. Jobs report their own errors (logged, never fatal: the next tick tries again).

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The shortest period accepted; a smaller one (e.g. 0 from a test) would spin.
const MIN_PERIOD: Duration = Duration::from_millis(10);

/// Runs `job` now and then every `every` until `shutdown` says stop.
pub(crate) fn spawn_periodic<F, Fut>(
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
    mut job: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every.max(MIN_PERIOD));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if *shutdown.borrow() {
                break;
            }
            tokio::select! {
                _ = ticks.tick() => job().await,
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn counting() -> (
        Arc<AtomicUsize>,
        impl FnMut() -> std::future::Ready<()> + Send,
    ) {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        (runs, move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::future::ready(())
        })
    }

    // Real time (tokio's paused clock needs its `test-util` feature, which would rebuild tokio
    // and everything on it for tests): bounds, not exact counts, so a loaded machine passes.
    #[tokio::test]
    async fn runs_at_once_then_every_period_and_stops_on_the_flag() {
        let (runs, job) = counting();
        let (stop, stopped) = watch::channel(false);
        let handle = spawn_periodic(Duration::from_secs(3600), stopped, job);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the first run is immediate");
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), handle)
            .await
            .unwrap()
            .unwrap();

        let (runs, job) = counting();
        let (stop, stopped) = watch::channel(false);
        let handle = spawn_periodic(Duration::from_millis(20), stopped, job);
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), handle)
            .await
            .unwrap()
            .unwrap();
        let after_stop = runs.load(Ordering::SeqCst);
        assert!(
            (3..=16).contains(&after_stop),
            "{after_stop} runs in 300 ms"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            after_stop,
            "no run after shutdown"
        );
    }

    #[tokio::test]
    async fn stops_when_the_sender_is_dropped_and_never_spins() {
        let (runs, job) = counting();
        let (stop, stopped) = watch::channel(false);
        let handle = spawn_periodic(Duration::ZERO, stopped, job);
        tokio::time::sleep(Duration::from_millis(100)).await;
        // A zero period is raised to 10 ms: at most 11 runs in 100 ms, not thousands.
        let n = runs.load(Ordering::SeqCst);
        assert!((1..=12).contains(&n), "{n} runs in 100 ms");
        drop(stop);
        tokio::time::timeout(Duration::from_secs(5), handle)
            .await
            .unwrap()
            .unwrap();
    }
}
