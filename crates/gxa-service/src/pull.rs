//! The scheduled inventory pull (`[inventory]`): the provider's systems (OpenStack, NetBox,
//! Redfish; `gxa_sources`) read on a schedule and fed to the same snapshot → re-issuance path
//! as `POST /inventory`, so that the self-descriptions follow the cloud by themselves.
//!
//! **A failed pull is never an empty inventory.** A source that fails or answers partially
//! fails the whole pull (`gxa_sources::pull`): nothing is submitted, so nothing is withdrawn and
//! the last good credentials stay; the failure is logged (source and endpoint, never a secret),
//! counted in `gxa_inventory_pull_failures_total{source,kind}`, and retried with back-off
//! (`retry_secs`, doubling, at most `interval_secs`). A pull that would empty a section or
//! withdraw more than `limits.max_withdraw_percent` is refused by the issuer's withdrawal guard,
//! as `POST /inventory` without `?confirm=withdraw` is (counted as `refused`).
//!
//! One replica at a time pulls, under the store lease `inventory-pull`. The sources file is
//! read at every run, so credentials rotated in it (or in clouds.yaml / secure.yaml) are used
//! at the next pull without a restart.

use std::time::{Duration, Instant};

use gxa_issuer::{InventorySnapshot, Issuer};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::config::InventorySection;
use crate::metrics::Metrics;
use crate::state::AppState;

/// The lease name shared by all replicas.
pub const PULL_LEASE: &str = "inventory-pull";

/// How one run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RunOutcome {
    /// Pulled and submitted: issued, withdrawn.
    Done { issued: usize, withdrawn: usize },
    /// Another replica holds the lease.
    LeaseHeld,
    /// The pull failed or the snapshot was refused; nothing was withdrawn.
    Failed,
}

/// Holder name of this process's lease.
fn holder() -> String {
    format!(
        "inventory-pull-{}-{:016x}",
        std::process::id(),
        random_u64()
    )
}

/// One pull: lease, pull, snapshot, submit, metrics.
pub(crate) async fn run_once(
    section: &InventorySection,
    issuer: &Issuer,
    metrics: &Metrics,
    holder: &str,
) -> RunOutcome {
    let store = issuer.store();
    // Long enough for the full-scale pull; a crashed holder blocks pulls at most this long.
    let ttl = Duration::from_secs(section.interval_secs.clamp(60, 1800));
    match store.try_acquire_lease(PULL_LEASE, holder, ttl).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            metrics.count_pull("lease_held");
            return RunOutcome::LeaseHeld;
        }
        Err(e) => {
            tracing::warn!(error = %e, "inventory pull: could not take the lease; retrying later");
            metrics.count_pull("failed");
            metrics.count_pull_failure("store", "store");
            return RunOutcome::Failed;
        }
    }
    let outcome = pull_and_submit(section, issuer, metrics).await;
    if let Err(e) = store.release_lease(PULL_LEASE, holder).await {
        tracing::warn!(error = %e, "could not release the inventory-pull lease; it expires by itself");
    }
    outcome
}

async fn pull_and_submit(
    section: &InventorySection,
    issuer: &Issuer,
    metrics: &Metrics,
) -> RunOutcome {
    let started = Instant::now();
    let pulled = match gxa_sources::PullConfig::load(&section.sources) {
        Ok(config) => gxa_sources::pull(&config, section.os_cloud.as_deref()).await,
        Err(e) => Err(e),
    };
    let pulled = match pulled {
        Ok(pulled) => pulled,
        Err(e) => {
            let kind = failure_kind(&e);
            if e.is_auth() {
                tracing::error!(source = e.origin(), error = %e, "inventory pull: the source refused our credentials; nothing withdrawn");
            } else {
                tracing::warn!(source = e.origin(), error = %e, "inventory pull failed; nothing withdrawn, the last good credentials stay");
            }
            metrics.count_pull("failed");
            metrics.count_pull_failure(e.origin(), kind);
            return RunOutcome::Failed;
        }
    };
    for warning in &pulled.warnings {
        tracing::info!(warning = %warning, "inventory pull");
    }
    let body = match serde_json::to_vec(&pulled.snapshot()) {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(error = %e, "inventory pull: snapshot not serialisable");
            metrics.count_pull("failed");
            metrics.count_pull_failure("snapshot", "snapshot");
            return RunOutcome::Failed;
        }
    };
    let snapshot = match InventorySnapshot::from_json(&body) {
        Ok(snapshot) => snapshot,
        Err(e) => {
            tracing::warn!(error = %e, "inventory pull: the pulled snapshot was refused");
            metrics.count_pull("failed");
            metrics.count_pull_failure("snapshot", "snapshot");
            return RunOutcome::Failed;
        }
    };
    match issuer.submit_inventory(&section.subject, &snapshot).await {
        Ok(outcome) => {
            let seconds = started.elapsed().as_secs_f64();
            metrics.observe_pull(&pulled.stats, seconds);
            metrics.count_pull("ok");
            for issued in &outcome.issued {
                metrics.count_issued("inventory_pull", &issued.profile, 1);
            }
            tracing::info!(
                seconds,
                requests = pulled.requests(),
                issued = outcome.issued.len(),
                unchanged = outcome.unchanged.len(),
                withdrawn = outcome.withdrawn.len(),
                "inventory pulled"
            );
            RunOutcome::Done {
                issued: outcome.issued.len(),
                withdrawn: outcome.withdrawn.len(),
            }
        }
        Err(e) => {
            let refused = e.kind() == gxa_issuer::ErrorKind::Unprocessable;
            tracing::warn!(error = %e, "inventory pull: the snapshot was not taken; nothing withdrawn");
            metrics.count_pull(if refused { "refused" } else { "failed" });
            metrics.count_pull_failure("snapshot", if refused { "refused" } else { "issuer" });
            RunOutcome::Failed
        }
    }
}

fn failure_kind(e: &gxa_sources::SourceError) -> &'static str {
    use gxa_sources::SourceError as E;
    match e {
        E::Config { .. } => "config",
        E::Auth { .. } => "auth",
        E::Http { .. } => "http",
        E::Transport { .. } => "transport",
        E::Invalid { .. } => "invalid",
    }
}

/// A random number (0 when the system has no randomness: jitter is a courtesy).
fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return 0;
    }
    u64::from_le_bytes(bytes)
}

/// Seconds in `0..=max`, at random.
fn jitter(max: u64) -> u64 {
    match max.checked_add(1) {
        Some(modulus) => random_u64() % modulus,
        None => random_u64(),
    }
}

/// The wait before the next run: the interval after a success (or a held lease), the
/// back-off after `failures` failures in a row; plus jitter.
pub(crate) fn next_wait(section: &InventorySection, failures: u32) -> Duration {
    let base = if failures == 0 {
        section.interval_secs
    } else {
        let factor = 1u64 << (failures - 1).min(20);
        section
            .retry_secs
            .saturating_mul(factor)
            .min(section.interval_secs)
    };
    Duration::from_secs(base.saturating_add(jitter(section.jitter_secs)).max(1))
}

/// Runs the pull at once and then on its schedule until `shutdown` says stop. A run in
/// progress is finished (it holds a lease and commits per credential).
pub(crate) fn spawn(
    section: InventorySection,
    state: AppState,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let (issuer, metrics) = (state.issuer(), state.metrics());
        let holder = holder();
        let mut failures = 0u32;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match run_once(&section, issuer, metrics, &holder).await {
                RunOutcome::Failed => failures = failures.saturating_add(1),
                RunOutcome::Done { .. } | RunOutcome::LeaseHeld => failures = 0,
            }
            let wait = next_wait(&section, failures);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn section(interval: u64, jitter: u64, retry: u64) -> InventorySection {
        InventorySection {
            sources: PathBuf::from("inventory.toml"),
            subject: "example-cloud".to_owned(),
            os_cloud: None,
            interval_secs: interval,
            jitter_secs: jitter,
            retry_secs: retry,
        }
    }

    #[test]
    fn back_off_doubles_up_to_the_interval_and_jitter_stays_in_bounds() {
        let s = section(3600, 0, 60);
        assert_eq!(next_wait(&s, 0), Duration::from_secs(3600));
        assert_eq!(next_wait(&s, 1), Duration::from_secs(60));
        assert_eq!(next_wait(&s, 2), Duration::from_secs(120));
        assert_eq!(next_wait(&s, 3), Duration::from_secs(240));
        assert_eq!(next_wait(&s, 10), Duration::from_secs(3600));
        assert_eq!(next_wait(&s, u32::MAX), Duration::from_secs(3600));
        let jittered = section(100, 10, 5);
        for _ in 0..200 {
            let w = next_wait(&jittered, 0).as_secs();
            assert!((100..=110).contains(&w), "{w}");
        }
    }
}
