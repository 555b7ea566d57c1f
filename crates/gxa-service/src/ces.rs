//! Publishing the change log to the Credential Event Services of `[ces]`
//! (`gxa_ces::publish`): a periodic round per target; a target that fails waits longer before
//! the next attempt (the interval doubling up to [`MAX_BACKOFF`]); the per-target counts are
//! `/metrics` gauges, read from the store after each round so that they survive a restart.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gxa_ces::publish::{Publisher, PublisherConfig};

use crate::config::{Config, ConfigError, pem_roots};
use crate::error::ServiceError;
use crate::state::AppState;

/// The longest wait before a failing target is tried again.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// The publisher of `[ces]`, or `None` without the section.
pub fn publisher(config: &Config, source: &str) -> Result<Option<Publisher>, ServiceError> {
    let Some(section) = &config.ces else {
        return Ok(None);
    };
    let extra_roots = match &section.extra_ca {
        Some(path) => pem_roots(path, "ces.extra_ca")?,
        None => Vec::new(),
    };
    Publisher::new(PublisherConfig {
        targets: section.publish.clone(),
        source: source.to_owned(),
        batch: section.batch.clamp(1, 1000),
        timeout: Duration::from_secs(section.timeout_secs.max(1)),
        extra_roots,
        allow_http: section.allow_http,
    })
    .map(Some)
    .map_err(|e| ServiceError::Config(ConfigError::Invalid(e.to_string())))
}

/// Starts the publishing rounds (with a `[ces]` section).
pub(crate) fn spawn(
    config: &Config,
    state: &AppState,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<tokio::task::JoinHandle<()>>, ServiceError> {
    let Some(publisher) = publisher(config, state.issuer().did())? else {
        return Ok(None);
    };
    let every = Duration::from_secs(config.ces.as_ref().map_or(30, |c| c.interval_secs.max(1)));
    tracing::info!(targets = ?publisher.targets(), every_secs = every.as_secs(), "publishing the change log to CES");
    let publisher = Arc::new(publisher);
    // Per target: when it may be tried next, and its current wait.
    let waits: Arc<tokio::sync::Mutex<HashMap<String, (Instant, Duration)>>> = Arc::default();
    let state = state.clone();
    Ok(Some(crate::schedule::spawn_periodic(
        every,
        shutdown,
        move || {
            let (publisher, state, waits) = (publisher.clone(), state.clone(), waits.clone());
            async move {
                for target in publisher.targets() {
                    let mut waits = waits.lock().await;
                    if waits
                        .get(target)
                        .is_some_and(|(next, _)| Instant::now() < *next)
                    {
                        continue;
                    }
                    match publisher.deliver(state.store(), target).await {
                        Ok(round) => {
                            if let Some(why) = &round.failed {
                                let wait = waits
                                    .get(target)
                                    .map_or(every, |(_, w)| (*w * 2).min(MAX_BACKOFF));
                                waits.insert(target.clone(), (Instant::now() + wait, wait));
                                tracing::warn!(%target, error = %why, retry_in_secs = wait.as_secs(), "CES delivery failed");
                            } else {
                                waits.remove(target);
                            }
                            if round.sent + round.refused > 0 {
                                tracing::info!(%target, sent = round.sent, refused = round.refused, pending = round.pending, "CES delivery round");
                            }
                        }
                        Err(e) => tracing::warn!(%target, error = %e, "CES delivery round failed"),
                    }
                    drop(waits);
                    if let (Ok(delivery), Ok(latest)) = (
                        state.store().ces_delivery(target).await,
                        state.store().latest_sequence().await,
                    ) {
                        state.metrics().set_ces(target, &delivery, latest);
                    }
                }
            }
        },
    )))
}
