//! The registry's trust: the `[registry]` anchors plus the trusted lists, kept fresh.
//!
//! Each `[[registry.trusted_lists]]` entry is read (from its `url` through a guarded fetcher
//! of its own, no cache, or from its `path`), verified and parsed by `gxa_trustlist` on the
//! blocking pool, and replaces the list held only when it is good and not older (a lower
//! `TSLSequenceNumber` is a replayed list and refused). A failed refresh keeps the last good
//! list; the list stops giving anchors once its `NextUpdate` has passed (ETSI TS 119 612
//! §5.3.14: the list may not be relied on after it). Refresh: every `refresh_secs` and at
//! `NextUpdate`, whichever comes first; after a failure a tenth of `refresh_secs` (30 s to
//! 15 min). With `cache`, each good list is written there and read back (re-verified) at
//! start, so a restart without network starts from the last good list.
//!
//! The anchor set used by the trust-anchor routes is rebuilt when a list changes, when one
//! stops being current, and at least hourly (a service's status can change at a
//! `StatusStartingTime` inside the list's period).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use gxa_trustlist::{Selection, TrustedList};
use gxa_verify::TrustAnchors;
use jiff::Timestamp;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, RegistrySection, TrustedListSection};
use crate::error::ServiceError;
use crate::metrics::Metrics;

/// How long a built anchor set is used at most before it is rebuilt.
const REBUILD_AFTER: Duration = Duration::from_secs(3600);

/// One configured trusted list and what is known of it.
pub(crate) struct ListSlot {
    pub(crate) config: TrustedListSection,
    signers: Vec<CertificateDer<'static>>,
    selection: Selection,
    fetcher: Option<gxa_fetch::Fetcher>,
    pub(crate) state: Mutex<ListState>,
}

/// The list held and the last refresh.
#[derive(Default)]
pub(crate) struct ListState {
    /// The last good list.
    pub(crate) list: Option<Arc<TrustedList>>,
    /// When it was loaded.
    pub(crate) loaded_at: Option<Timestamp>,
    /// The last refresh's time and, if it failed, why.
    pub(crate) attempt: Option<(Timestamp, Option<String>)>,
    /// Refreshes failed since the last good one.
    pub(crate) failures: u32,
}

/// The anchor set in use and what it was built from.
struct Built {
    anchors: Option<TrustAnchors>,
    generation: u64,
    current: Vec<bool>,
    at: Timestamp,
}

/// The registry's sources of trust.
pub(crate) struct RegistryTrust {
    base: Option<PathBuf>,
    pub(crate) lists: Vec<ListSlot>,
    generation: Mutex<u64>,
    built: Mutex<Option<Built>>,
    metrics: Arc<Metrics>,
}

impl RegistryTrust {
    /// Reads the configured signers and base anchors (errors here stop the start) and, for
    /// each list, its cache and, for a `path`, the file (a list that does not load is reported
    /// and retried, never fatal; a `url` is fetched by the refresh task right after the start).
    pub(crate) async fn new(
        config: &Config,
        section: &RegistrySection,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Self>, ServiceError> {
        if section.trust_anchors.is_none() && section.trusted_lists.is_empty() {
            return Err(ServiceError::Verify(
                "[registry] needs trust_anchors, trusted_lists or both".to_owned(),
            ));
        }
        if let Some(path) = &section.trust_anchors {
            TrustAnchors::from_path(path).map_err(|e| {
                ServiceError::Verify(format!("registry.trust_anchors {}: {e}", path.display()))
            })?;
        }
        let mut lists = Vec::new();
        for list in &section.trusted_lists {
            lists.push(slot(config, list, &lists)?);
        }
        let trust = Arc::new(Self {
            base: section.trust_anchors.clone(),
            lists,
            generation: Mutex::new(0),
            built: Mutex::new(None),
            metrics,
        });
        for index in 0..trust.lists.len() {
            let slot = &trust.lists[index];
            if let Some(cache) = &slot.config.cache
                && cache.exists()
            {
                match read_file(cache, slot.config.max_bytes).await {
                    Ok(bytes) => {
                        if let Err(e) = trust.accept(index, bytes, false).await {
                            tracing::warn!(list = %slot.config.name, cache = %cache.display(), error = %e, "trusted list: the cached copy does not load");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(list = %slot.config.name, cache = %cache.display(), error = %e, "trusted list: the cache does not read");
                    }
                }
            }
            // A file is read now; a URL first in the refresh task, so that an unreachable
            // list host does not hold up the start (the cache, if any, serves meanwhile).
            if slot.config.url.is_none() {
                trust.refresh(index).await;
            }
        }
        Ok(trust)
    }

    /// The anchors in force now (`None`: no anchor at all, for example every list expired
    /// and no base anchors).
    pub(crate) fn anchors(&self) -> Option<TrustAnchors> {
        let now = Timestamp::now();
        let generation = *lock(&self.generation);
        let current: Vec<bool> = self
            .lists
            .iter()
            .map(|slot| {
                lock(&slot.state)
                    .list
                    .as_ref()
                    .is_some_and(|l| l.is_current(now))
            })
            .collect();
        let mut built = lock(&self.built);
        let fresh = built.as_ref().is_some_and(|b| {
            b.generation == generation
                && b.current == current
                && now.duration_since(b.at).unsigned_abs() < REBUILD_AFTER
        });
        if !fresh {
            let mut extra = Vec::new();
            for (slot, in_force) in self.lists.iter().zip(&current) {
                if !in_force {
                    continue;
                }
                let state = lock(&slot.state);
                if let Some(list) = &state.list {
                    let anchors = list.anchors(now, &slot.selection);
                    self.metrics.set_trusted_list(
                        &slot.config.name,
                        "anchors",
                        i64::try_from(anchors.len()).unwrap_or(i64::MAX),
                    );
                    extra.extend(anchors.into_iter().map(|(cert, label)| {
                        (cert, format!("trusted list {}: {label}", slot.config.name))
                    }));
                }
            }
            for (slot, in_force) in self.lists.iter().zip(&current) {
                self.metrics
                    .set_trusted_list(&slot.config.name, "current", i64::from(*in_force));
                if !in_force {
                    self.metrics
                        .set_trusted_list(&slot.config.name, "anchors", 0);
                }
            }
            let anchors = match TrustAnchors::from_parts(self.base.as_deref(), extra) {
                Ok(anchors) => Some(anchors),
                Err(e) => {
                    tracing::warn!(error = %e, "registry: no trust anchor in force");
                    None
                }
            };
            *built = Some(Built {
                anchors,
                generation,
                current,
                at: now,
            });
        }
        built.as_ref().and_then(|b| b.anchors.clone())
    }

    /// Each list's state, for `GET /v2/api/trusted-lists`.
    pub(crate) fn report(&self, now: Timestamp) -> Vec<serde_json::Value> {
        self.lists
            .iter()
            .map(|slot| {
                let state = lock(&slot.state);
                let source = slot.config.url.clone().unwrap_or_else(|| {
                    slot.config
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                });
                let mut entry = serde_json::json!({
                    "name": slot.config.name,
                    "source": source,
                    "current": state.list.as_ref().is_some_and(|l| l.is_current(now)),
                    "failures": state.failures,
                });
                if let Some(list) = &state.list {
                    entry["sequence"] = list.scheme.sequence.into();
                    entry["territory"] = list.scheme.territory.clone().into();
                    entry["operator"] = list.scheme.operator.clone().into();
                    entry["issued"] = list.scheme.issued.to_string().into();
                    entry["nextUpdate"] = list
                        .scheme
                        .next_update
                        .map_or(serde_json::Value::Null, |t| t.to_string().into());
                    entry["services"] = list.service_count().into();
                    entry["anchors"] = if list.is_current(now) {
                        list.anchors(now, &slot.selection).len()
                    } else {
                        0
                    }
                    .into();
                }
                if let Some(at) = state.loaded_at {
                    entry["loadedAt"] = at.to_string().into();
                }
                if let Some((at, error)) = &state.attempt {
                    entry["lastAttempt"] = at.to_string().into();
                    entry["lastError"] = error
                        .clone()
                        .map_or(serde_json::Value::Null, serde_json::Value::from);
                }
                entry
            })
            .collect()
    }

    /// Why there is no anchor, for a verdict.
    pub(crate) fn why_none(&self) -> String {
        let now = Timestamp::now();
        let mut reasons = Vec::new();
        for slot in &self.lists {
            let state = lock(&slot.state);
            let reason = match &state.list {
                None => match &state.attempt {
                    Some((_, Some(error))) => format!("not loaded ({error})"),
                    _ => "not loaded".to_owned(),
                },
                Some(list) => match list.scheme.next_update {
                    Some(next) if now > next => format!("expired at its NextUpdate {next}"),
                    None => "closed (no NextUpdate)".to_owned(),
                    Some(_) => "no trusted CA service".to_owned(),
                },
            };
            reasons.push(format!("trusted list {}: {reason}", slot.config.name));
        }
        format!("no trust anchor in force: {}", reasons.join("; "))
    }

    /// Reads list `index` from its source once; returns how long to wait for the next read.
    pub(crate) async fn refresh(&self, index: usize) -> Duration {
        let slot = &self.lists[index];
        let bytes = match (&slot.fetcher, &slot.config.url, &slot.config.path) {
            (Some(fetcher), Some(url), _) => fetcher
                .get(
                    url,
                    "application/vnd.etsi.tsl+xml, application/xml, text/xml",
                )
                .await
                .map(|f| f.body.to_vec())
                .map_err(|e| e.to_string()),
            (_, _, Some(path)) => read_file(path, slot.config.max_bytes).await,
            _ => Err("no source".to_owned()),
        };
        let outcome = match bytes {
            Ok(bytes) => self.accept(index, bytes, true).await,
            Err(e) => Err(e),
        };
        let now = Timestamp::now();
        let mut state = lock(&slot.state);
        let refresh = Duration::from_secs(slot.config.refresh_secs.max(1));
        match outcome {
            Ok(()) => {
                state.attempt = Some((now, None));
                state.failures = 0;
                self.metrics
                    .set_trusted_list(&slot.config.name, "failures", 0);
                let until_next = state
                    .list
                    .as_ref()
                    .and_then(|l| l.scheme.next_update)
                    .filter(|next| *next > now)
                    .map(|next| next.duration_since(now).unsigned_abs());
                until_next.map_or(refresh, |d| d.clamp(Duration::from_secs(1), refresh))
            }
            Err(error) => {
                tracing::warn!(list = %slot.config.name, error = %error, "trusted list: refresh failed; the last good list stays");
                state.attempt = Some((now, Some(error)));
                state.failures += 1;
                self.metrics.set_trusted_list(
                    &slot.config.name,
                    "failures",
                    i64::from(state.failures),
                );
                (refresh / 10).clamp(
                    Duration::from_secs(30).min(refresh),
                    Duration::from_secs(900),
                )
            }
        }
    }

    /// Verifies and parses `bytes` for list `index`; holds it when good and not older than
    /// the list held. `store`: write it to the cache.
    async fn accept(&self, index: usize, bytes: Vec<u8>, store: bool) -> Result<(), String> {
        let slot = &self.lists[index];
        let signers = slot.signers.clone();
        let max = slot.config.max_bytes;
        let (list, bytes) = tokio::task::spawn_blocking(move || {
            TrustedList::load(&bytes, &signers, max).map(|list| (list, bytes))
        })
        .await
        .map_err(|e| format!("the check did not finish: {e}"))?
        .map_err(|e| e.to_string())?;
        {
            let mut state = lock(&slot.state);
            if let Some(held) = &state.list
                && list.scheme.sequence < held.scheme.sequence
            {
                return Err(format!(
                    "TSLSequenceNumber {} is older than the list held ({}); refused as a replay",
                    list.scheme.sequence, held.scheme.sequence
                ));
            }
            let name = &slot.config.name;
            let gauge = |kind: &str, value: i64| self.metrics.set_trusted_list(name, kind, value);
            gauge(
                "sequence",
                i64::try_from(list.scheme.sequence).unwrap_or(i64::MAX),
            );
            gauge(
                "services",
                i64::try_from(list.service_count()).unwrap_or(i64::MAX),
            );
            gauge(
                "next_update_seconds",
                list.scheme.next_update.map_or(0, |t| t.as_second()),
            );
            let now = Timestamp::now();
            gauge("loaded_seconds", now.as_second());
            tracing::info!(list = %name, sequence = list.scheme.sequence, services = list.service_count(), next_update = ?list.scheme.next_update, "trusted list loaded");
            state.list = Some(Arc::new(list));
            state.loaded_at = Some(now);
        }
        *lock(&self.generation) += 1;
        if store
            && let Some(cache) = &slot.config.cache
            && let Err(e) = write_atomically(cache, &bytes).await
        {
            tracing::warn!(list = %slot.config.name, cache = %cache.display(), error = %e, "trusted list: the cache was not written");
        }
        Ok(())
    }

    /// Refreshes every list on its own schedule until shutdown.
    pub(crate) fn spawn(self: &Arc<Self>, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        (0..self.lists.len())
            .map(|index| {
                let trust = Arc::clone(self);
                let mut shutdown = shutdown.clone();
                tokio::spawn(async move {
                    // A file was read in `new`; a URL is read at once.
                    let config = &trust.lists[index].config;
                    let mut wait = if config.url.is_some() {
                        Duration::ZERO
                    } else {
                        Duration::from_secs(config.refresh_secs.max(1))
                    };
                    loop {
                        tokio::select! {
                            () = tokio::time::sleep(wait) => wait = trust.refresh(index).await,
                            changed = shutdown.changed() => {
                                if changed.is_err() || *shutdown.borrow() {
                                    break;
                                }
                            }
                        }
                    }
                })
            })
            .collect()
    }
}

fn slot(
    config: &Config,
    list: &TrustedListSection,
    before: &[ListSlot],
) -> Result<ListSlot, ServiceError> {
    let name = &list.name;
    let err =
        |reason: String| ServiceError::Verify(format!("registry.trusted_lists {name:?}: {reason}"));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(err(
            "the name must be letters, digits, '-' or '_'".to_owned()
        ));
    }
    if before.iter().any(|s| &s.config.name == name) {
        return Err(err("the name is used twice".to_owned()));
    }
    let fetcher = match (&list.url, &list.path) {
        (Some(_), None) => Some(
            gxa_fetch::Fetcher::new(gxa_fetch::FetchPolicy {
                max_body_bytes: list.max_bytes,
                cache_entries: 0,
                total_timeout: Duration::from_secs(60),
                ..config.verify.fetch_policy()?
            })
            .map_err(|e| err(format!("fetcher: {e}")))?,
        ),
        (None, Some(_)) => None,
        _ => return Err(err("give exactly one of url and path".to_owned())),
    };
    let pem = std::fs::read(&list.signers)
        .map_err(|e| err(format!("signers {}: {e}", list.signers.display())))?;
    let signers = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(format!("signers {}: {e}", list.signers.display())))?;
    if signers.is_empty() {
        return Err(err(format!(
            "signers {}: no certificate",
            list.signers.display()
        )));
    }
    Ok(ListSlot {
        config: list.clone(),
        signers,
        selection: list
            .service_types
            .clone()
            .map_or_else(Selection::default, |service_types| Selection {
                service_types,
            }),
        fetcher,
        state: Mutex::new(ListState::default()),
    })
}

async fn read_file(path: &Path, max: usize) -> Result<Vec<u8>, String> {
    let len = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if usize::try_from(len).map_or(true, |len| len > max) {
        return Err(format!(
            "{}: {len} bytes, more than the limit of {max}",
            path.display()
        ));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// that a reader (or a crash) never sees half a list.
async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
