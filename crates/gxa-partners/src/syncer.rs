//! [`Syncer`]: one task per partner pulling its change feed into the store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use gxa_fetch::Fetcher;
use gxa_store::{NewCredential, PartnerReceipt, ReceiptOutcome, RejectionKind, Store, StoreError};
use gxa_verify::{Verdict, Verifier};
use jiff::Timestamp;
use serde::Deserialize;
use tokio::sync::watch;

use crate::document::{format_of, metadata};
use crate::{PartnerConfig, PartnerError, PartnerKind, SyncOptions};

/// The profile name of received credentials in the store.
pub const PARTNER_PROFILE: &str = "partner";
/// The largest page asked of a CES (gx-attest's own serves at most 50).
const CES_MAX_PAGE: u32 = 50;

/// What `Accept` asks a partner for: a credential's native form (JSON-LD with its embedded
/// proof, or the `vc+jwt`), which is what it signed and what we store unchanged.
const CREDENTIAL_ACCEPT: &str =
    "application/vc+ld+json, application/vc+jwt;q=0.9, application/ld+json;q=0.8";

/// The sync of every configured partner. Cheap to clone.
#[derive(Clone)]
pub struct Syncer {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    verifier: Verifier,
    fetcher: Fetcher,
    partners: Vec<PartnerConfig>,
    options: SyncOptions,
    /// This process's lease holder name.
    holder: String,
    stats: BTreeMap<String, Counters>,
    /// Told of every entry outcome and failed round (e.g. to count them in Prometheus metrics).
    observer: OnceLock<Observer>,
}

/// A callback `(partner id, outcome)`; outcomes: `stored`, `already_stored`, `rejected`,
/// `revoked`, `skipped`, `round_failed`.
pub type Observer = Arc<dyn Fn(&str, &'static str) + Send + Sync>;

#[derive(Default)]
struct Counters {
    stored: AtomicU64,
    rejected: AtomicU64,
    revoked: AtomicU64,
    skipped: AtomicU64,
    failed_rounds: AtomicU64,
}

/// This process's counts for one partner since it started (the store keeps the totals of
/// stored and rejected credentials: [`Store::partner_state`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartnerStats {
    /// Credentials stored.
    pub stored: u64,
    /// Entries rejected (invalid, policy, conflict).
    pub rejected: u64,
    /// Revocations recorded.
    pub revoked: u64,
    /// Entries skipped: credentials of other issuers that the partner re-serves.
    pub skipped: u64,
    /// Rounds that stopped early (a fetch failed or timed out, a store error).
    pub failed_rounds: u64,
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundSummary {
    /// Entries whose outcome was stored in this round.
    pub entries: u64,
    /// Credentials newly stored.
    pub stored: u64,
    /// Credentials that were stored already (a resumed sync).
    pub already_stored: u64,
    /// Entries rejected.
    pub rejected: u64,
    /// Revocations recorded.
    pub revoked: u64,
    /// Third-party entries skipped.
    pub skipped: u64,
}

/// How a round ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoundOutcome {
    /// The end of the partner's feed was reached.
    Done(RoundSummary),
    /// Another replica holds this partner's lease; nothing was done.
    LeaseHeld,
    /// The round stopped at an entry that could not be checked (the partner or a server it
    /// names is down, slow or answers garbage) or a store error; the cursor stays before it and
    /// the next round starts there.
    Stopped {
        /// What was done before stopping.
        summary: RoundSummary,
        /// Why it stopped (also stored as the partner's `last_error`).
        error: String,
    },
}

/// A page of a partner's `GET /changes`.
#[derive(Debug, Deserialize)]
struct FeedPage {
    changes: Vec<FeedEntry>,
}

/// One entry of a partner's change feed (unknown fields ignored).
#[derive(Debug, Deserialize)]
struct FeedEntry {
    seq: u64,
    kind: String,
    credential_id: String,
    /// Absent from feeds of gx-attest versions before the partner exchange: then the
    /// credential is fetched and its own issuer decides.
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    previous: Option<String>,
}

/// Why an entry stopped the round.
enum Stop {
    /// Could not check: a fetch failed, timed out or answered garbage.
    CouldNotCheck(String),
    /// The store failed.
    Store(StoreError),
    /// Another replica took the lease over (ours expired).
    LeaseLost,
}

impl From<StoreError> for Stop {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl Stop {
    fn message(&self) -> String {
        match self {
            Self::CouldNotCheck(m) => format!("could not check: {m}"),
            Self::Store(e) => format!("store: {e}"),
            Self::LeaseLost => "the sync lease was lost to another replica".to_owned(),
        }
    }
}

/// What an entry came to.
enum EntryOutcome {
    Stored,
    AlreadyStored,
    Rejected,
    Revoked,
    Skipped,
}

impl EntryOutcome {
    fn name(&self) -> &'static str {
        match self {
            Self::Stored => "stored",
            Self::AlreadyStored => "already_stored",
            Self::Rejected => "rejected",
            Self::Revoked => "revoked",
            Self::Skipped => "skipped",
        }
    }
}

impl Syncer {
    /// A syncer for `partners`, storing into `store`, verifying with `verifier` (which should
    /// be online: did:web, `x5u` chains to the trust anchors, status lists), fetching feeds and
    /// credentials through `fetcher` (the guarded fetcher; partners are named by the operator,
    /// but what they serve is not trusted).
    ///
    /// [`PartnerError::Config`] for an invalid partner entry or two partners with one id.
    pub fn new(
        store: Store,
        verifier: Verifier,
        fetcher: Fetcher,
        partners: Vec<PartnerConfig>,
        options: SyncOptions,
    ) -> Result<Self, PartnerError> {
        options.validate()?;
        let mut stats = BTreeMap::new();
        for partner in &partners {
            partner.validate()?;
            if stats
                .insert(partner.id.clone(), Counters::default())
                .is_some()
            {
                return Err(PartnerError::Config(format!(
                    "partner id {:?} is listed twice",
                    partner.id
                )));
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                verifier,
                fetcher,
                partners,
                options,
                holder: format!("partners-{}", uuid::Uuid::new_v4()),
                stats,
                observer: OnceLock::new(),
            }),
        })
    }

    /// Sets the observer told of every entry outcome and failed round (once; later calls are
    /// ignored and return `false`).
    pub fn set_observer(&self, observer: Observer) -> bool {
        self.inner.observer.set(observer).is_ok()
    }

    fn observe(&self, partner: &str, outcome: &'static str) {
        if let Some(observer) = self.inner.observer.get() {
            observer(partner, outcome);
        }
    }

    /// The configured partners, in configuration order.
    pub fn partners(&self) -> &[PartnerConfig] {
        &self.inner.partners
    }

    /// The partner with this id.
    pub fn partner(&self, id: &str) -> Option<&PartnerConfig> {
        self.inner.partners.iter().find(|p| p.id == id)
    }

    /// This process's counts for a partner.
    pub fn stats(&self, id: &str) -> Option<PartnerStats> {
        let c = self.inner.stats.get(id)?;
        Some(PartnerStats {
            stored: c.stored.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            revoked: c.revoked.load(Ordering::Relaxed),
            skipped: c.skipped.load(Ordering::Relaxed),
            failed_rounds: c.failed_rounds.load(Ordering::Relaxed),
        })
    }

    /// Starts one task per partner: a round at once, then one every
    /// [`SyncOptions::interval`] (after failures: exponential backoff up to
    /// [`SyncOptions::max_backoff_ms`]), until `shutdown` becomes `true` (a round in progress
    /// is abandoned; its transaction, if any, rolls back). The returned task ends when all
    /// partner tasks have.
    pub fn spawn(&self, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let tasks: Vec<_> = self
            .inner
            .partners
            .iter()
            .map(|partner| {
                let syncer = self.clone();
                let id = partner.id.clone();
                let shutdown = shutdown.clone();
                tokio::spawn(async move { syncer.run_partner(&id, shutdown).await })
            })
            .collect();
        tokio::spawn(async move {
            for task in tasks {
                let _ = task.await;
            }
        })
    }

    async fn run_partner(&self, id: &str, mut shutdown: watch::Receiver<bool>) {
        let mut failures = 0u32;
        loop {
            if *shutdown.borrow() {
                return;
            }
            let outcome = tokio::select! {
                outcome = self.sync_round(id) => outcome,
                _ = shutdown.changed() => return,
            };
            let pause = match outcome {
                Ok(RoundOutcome::Done(summary)) => {
                    failures = 0;
                    if summary.entries > 0 {
                        tracing::info!(partner = id, ?summary, "partner sync round");
                    }
                    self.inner.options.interval()
                }
                Ok(RoundOutcome::LeaseHeld) => self.inner.options.interval(),
                Ok(RoundOutcome::Stopped { summary, error }) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(partner = id, ?summary, %error, failures, "partner sync stopped; retrying from the cursor");
                    self.inner.options.backoff(failures)
                }
                Err(err) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(partner = id, error = %err, failures, "partner sync failed");
                    self.inner.options.backoff(failures)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// One round for partner `id`: under the partner's lease, pull its change feed from the
    /// stored cursor to the end, one entry at a time, storing each entry's outcome together
    /// with the cursor move. Errors only when the store fails outside a round (lease, round
    /// record) or the partner is unknown.
    pub async fn sync_round(&self, id: &str) -> Result<RoundOutcome, PartnerError> {
        let partner = self
            .partner(id)
            .ok_or_else(|| PartnerError::UnknownPartner(id.to_owned()))?;
        let store = &self.inner.store;
        let lease = lease_name(id);
        let ttl = self.inner.options.lease_ttl();
        if store
            .try_acquire_lease(&lease, &self.inner.holder, ttl)
            .await?
            .is_none()
        {
            return Ok(RoundOutcome::LeaseHeld);
        }
        let mut summary = RoundSummary::default();
        let result = self.pull(partner, &mut summary).await;
        if let Err(err) = store.release_lease(&lease, &self.inner.holder).await {
            tracing::warn!(partner = id, error = %err, "could not release the partner sync lease; it expires by itself");
        }
        match result {
            Ok(()) => {
                store.record_partner_round(id, None).await?;
                Ok(RoundOutcome::Done(summary))
            }
            Err(stop) => {
                let error = stop.message();
                if let Some(c) = self.inner.stats.get(id) {
                    c.failed_rounds.fetch_add(1, Ordering::Relaxed);
                }
                self.observe(id, "round_failed");
                store.record_partner_round(id, Some(&error)).await?;
                Ok(RoundOutcome::Stopped { summary, error })
            }
        }
    }

    async fn pull(&self, partner: &PartnerConfig, summary: &mut RoundSummary) -> Result<(), Stop> {
        match partner.kind {
            PartnerKind::GxAttest => self.pull_feed(partner, summary).await,
            PartnerKind::Ces => self.pull_ces(partner, summary).await,
        }
    }

    async fn pull_feed(
        &self,
        partner: &PartnerConfig,
        summary: &mut RoundSummary,
    ) -> Result<(), Stop> {
        let store = &self.inner.store;
        let mut cursor = store.partner_state(&partner.id).await?.cursor;
        loop {
            let url = format!(
                "{}/changes?after={cursor}&limit={}",
                partner.base_url, self.inner.options.page_size
            );
            let page: FeedPage = self.fetch_page(&url, "a change feed page").await?;
            let mut progressed = false;
            for entry in page.changes {
                // A feed that ignores `after` repeats old entries: they are done.
                if entry.seq <= cursor {
                    continue;
                }
                let outcome = self.entry(partner, &entry, None).await?;
                cursor = entry.seq;
                progressed = true;
                self.account(partner, outcome, summary).await?;
            }
            if !progressed {
                return Ok(());
            }
        }
    }

    /// Follows a Credential Event Service: the cursor counts the events read, so event `n`
    /// (from 1) is on page `(n - 1) / size` at position `(n - 1) % size`; a page is asked for
    /// again until it is full, so an event that arrives later is not missed.
    async fn pull_ces(
        &self,
        partner: &PartnerConfig,
        summary: &mut RoundSummary,
    ) -> Result<(), Stop> {
        let store = &self.inner.store;
        let size = u64::from(self.inner.options.page_size.clamp(1, CES_MAX_PAGE));
        let mut cursor = store.partner_state(&partner.id).await?.cursor;
        loop {
            let (page, skip) = (cursor / size, cursor % size);
            let url = format!(
                "{}?page={page}&size={size}&type={}",
                partner.base_url,
                gxa_ces::EVENT_TYPE
            );
            let events: Vec<serde_json::Value> = self.fetch_page(&url, "a page of events").await?;
            let full = events.len() as u64 >= size;
            let mut progressed = false;
            for (n, raw) in (0_u64..)
                .zip(events)
                .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            {
                let seq = page * size + n + 1;
                let outcome = self.event(partner, seq, raw).await?;
                cursor = seq;
                progressed = true;
                self.account(partner, outcome, summary).await?;
            }
            if !progressed || !full {
                return Ok(());
            }
        }
    }

    /// A JSON page of a partner (`what` names it in the error): fetch and parse failures are
    /// "could not check", so the round stops and resumes from its cursor.
    async fn fetch_page<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        what: &str,
    ) -> Result<T, Stop> {
        let fetched = self
            .inner
            .fetcher
            .get(url, "application/json")
            .await
            .map_err(|e| Stop::CouldNotCheck(e.to_string()))?;
        serde_json::from_slice(&fetched.body)
            .map_err(|e| Stop::CouldNotCheck(format!("{url}: not {what}: {e}")))
    }

    /// One CES event as a feed entry whose credential is the event's `data`.
    async fn event(
        &self,
        partner: &PartnerConfig,
        seq: u64,
        raw: serde_json::Value,
    ) -> Result<EntryOutcome, Stop> {
        let store = &self.inner.store;
        let event = match gxa_ces::CloudEvent::parse(raw) {
            Ok(event) => event,
            Err(why) => {
                store
                    .reject_partner_entry(
                        &partner.id,
                        seq,
                        "(not an event)",
                        RejectionKind::Invalid,
                        &[format!("syntax fail: {why}")],
                    )
                    .await?;
                return Ok(EntryOutcome::Rejected);
            }
        };
        if event.source != partner.did {
            // A CES carries everyone's events; this partner is one source.
            store.skip_partner_entry(&partner.id, seq).await?;
            return Ok(EntryOutcome::Skipped);
        }
        let credential_id = event
            .subject
            .clone()
            .or_else(|| {
                event
                    .data
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let entry = FeedEntry {
            seq,
            kind: event.change.clone().unwrap_or_else(|| "issued".to_owned()),
            credential_id,
            // The credential's own issuer decides: one the source re-announces from a third
            // party (a compliance credential, say) is skipped, not refused.
            issuer: None,
            previous: event.replaces.clone(),
        };
        let inline = match &event.data {
            serde_json::Value::String(jwt) => Some(jwt.clone().into_bytes()),
            serde_json::Value::Object(_) => serde_json::to_vec(&event.data).ok(),
            _ => None,
        };
        self.entry(partner, &entry, inline).await
    }

    /// Counts an entry's outcome and keeps the lease.
    async fn account(
        &self,
        partner: &PartnerConfig,
        outcome: EntryOutcome,
        summary: &mut RoundSummary,
    ) -> Result<(), Stop> {
        summary.entries += 1;
        let counters = self.inner.stats.get(&partner.id);
        let bump = |f: fn(&Counters) -> &AtomicU64| {
            if let Some(c) = counters {
                f(c).fetch_add(1, Ordering::Relaxed);
            }
        };
        self.observe(&partner.id, outcome.name());
        match outcome {
            EntryOutcome::Stored => {
                summary.stored += 1;
                bump(|c| &c.stored);
            }
            EntryOutcome::AlreadyStored => summary.already_stored += 1,
            EntryOutcome::Rejected => {
                summary.rejected += 1;
                bump(|c| &c.rejected);
            }
            EntryOutcome::Revoked => {
                summary.revoked += 1;
                bump(|c| &c.revoked);
            }
            EntryOutcome::Skipped => {
                summary.skipped += 1;
                bump(|c| &c.skipped);
            }
        }
        if self
            .inner
            .store
            .renew_lease(
                &lease_name(&partner.id),
                &self.inner.holder,
                self.inner.options.lease_ttl(),
            )
            .await?
            .is_none()
        {
            return Err(Stop::LeaseLost);
        }
        Ok(())
    }

    /// Handles one entry and stores its outcome with the cursor move.
    async fn entry(
        &self,
        partner: &PartnerConfig,
        entry: &FeedEntry,
        inline: Option<Vec<u8>>,
    ) -> Result<EntryOutcome, Stop> {
        let store = &self.inner.store;
        let (id, seq) = (partner.id.as_str(), entry.seq);
        if entry.issuer.as_deref().is_some_and(|i| i != partner.did) {
            // Each partner speaks for itself; a third party's credentials are pulled from the
            // third party directly.
            store.skip_partner_entry(id, seq).await?;
            return Ok(EntryOutcome::Skipped);
        }
        match entry.kind.as_str() {
            "revoked" => {
                let revocation = store
                    .receive_partner_revocation(id, seq, &entry.credential_id, &partner.did)
                    .await?;
                Ok(match revocation {
                    Some(r) if r.newly_revoked => EntryOutcome::Revoked,
                    Some(_) => EntryOutcome::AlreadyStored,
                    None => EntryOutcome::Skipped,
                })
            }
            "issued" | "reissued" => self.credential(partner, entry, inline).await,
            _ => {
                // A kind this version does not know: nothing to store.
                store.skip_partner_entry(id, seq).await?;
                Ok(EntryOutcome::Skipped)
            }
        }
    }

    /// Verifies and stores the credential of `entry`: `inline` (a CES event's data), else
    /// fetched from the partner.
    async fn credential(
        &self,
        partner: &PartnerConfig,
        entry: &FeedEntry,
        inline: Option<Vec<u8>>,
    ) -> Result<EntryOutcome, Stop> {
        let store = &self.inner.store;
        let (id, seq) = (partner.id.as_str(), entry.seq);
        let url = credential_url(&partner.base_url, &entry.credential_id);
        let (body, format) = match inline {
            Some(body) => {
                let format = format_of(None, &body);
                (body, format)
            }
            None => {
                let fetched = self
                    .inner
                    .fetcher
                    .get(&url, CREDENTIAL_ACCEPT)
                    .await
                    .map_err(|e| Stop::CouldNotCheck(e.to_string()))?;
                let body = fetched.body.to_vec();
                let format = format_of(fetched.content_type.as_deref(), &body);
                (body, format)
            }
        };
        let reject = |kind: RejectionKind, reasons: Vec<String>| async move {
            tracing::warn!(partner = id, seq, credential = %entry.credential_id, kind = kind.as_str(), ?reasons, "partner credential rejected");
            store
                .reject_partner_entry(id, seq, &entry.credential_id, kind, &reasons)
                .await
                .map(|_| EntryOutcome::Rejected)
                .map_err(Stop::from)
        };
        let Ok(text) = std::str::from_utf8(&body) else {
            return reject(
                RejectionKind::Invalid,
                vec!["syntax fail: the credential is not UTF-8".to_owned()],
            )
            .await;
        };
        let now = Timestamp::now();
        let report = self.inner.verifier.verify(text, now).await;
        match report.verdict {
            Verdict::Valid => {}
            Verdict::Invalid => return reject(RejectionKind::Invalid, report.problems()).await,
            _ => {
                return Err(Stop::CouldNotCheck(format!(
                    "{url}: {}",
                    report.problems().join("; ")
                )));
            }
        }
        let meta = match metadata(format, &body) {
            Ok(meta) => meta,
            Err(why) => {
                return reject(RejectionKind::Invalid, vec![format!("syntax fail: {why}")]).await;
            }
        };
        if meta.id.as_deref() != Some(entry.credential_id.as_str()) {
            return reject(
                RejectionKind::Invalid,
                vec![format!(
                    "id: the served credential's id {:?} is not the feed's {:?}",
                    meta.id, entry.credential_id
                )],
            )
            .await;
        }
        match meta.issuer.as_deref() {
            Some(issuer) if issuer == partner.did => {}
            Some(issuer) if entry.issuer.is_none() => {
                // An old feed without issuers, or a CES event: the credential says whose it is.
                tracing::debug!(partner = id, issuer, "third-party credential skipped");
                store.skip_partner_entry(id, seq).await?;
                return Ok(EntryOutcome::Skipped);
            }
            other => {
                return reject(
                    RejectionKind::Invalid,
                    vec![format!(
                        "issuer: {other:?} is not the partner's DID {}",
                        partner.did
                    )],
                )
                .await;
            }
        }
        let violations = partner.policy.violations(&meta.types, &meta.subjects);
        if !violations.is_empty() {
            return reject(RejectionKind::Policy, violations).await;
        }
        let Some(subject) = meta.subjects.first().cloned() else {
            return reject(
                RejectionKind::Invalid,
                vec!["syntax fail: the credential names no subject id".to_owned()],
            )
            .await;
        };
        let valid_from = meta.valid_from.unwrap_or(now);
        let report_json = serde_json::to_string(&report)
            .map_err(|e| Stop::CouldNotCheck(format!("report: {e}")))?;
        let receipt = PartnerReceipt {
            partner_id: id.to_owned(),
            partner_seq: seq,
            credential: NewCredential {
                id: entry.credential_id.clone(),
                types: meta.types,
                subject,
                issuer: partner.did.clone(),
                profile: PARTNER_PROFILE.to_owned(),
                format,
                body,
                canonical_hash: None,
                issued_at: valid_from,
                valid_from,
                valid_until: meta.valid_until,
                status: None,
                evidence: None,
            },
            previous: entry.previous.clone(),
            report: report_json,
        };
        Ok(match store.receive_partner_credential(&receipt).await? {
            ReceiptOutcome::Stored(_) => EntryOutcome::Stored,
            ReceiptOutcome::AlreadyStored => EntryOutcome::AlreadyStored,
            _ => EntryOutcome::Rejected,
        })
    }
}

/// The lease name of a partner's sync.
pub fn lease_name(partner_id: &str) -> String {
    format!("partner-sync:{partner_id}")
}

/// Where a partner serves a credential: the id itself when it is a URL of the partner's
/// `/credentials/` (gx-attest's own ids), else `{base}/credentials/{percent-encoded id}`.
/// Either way the URL is on the partner's base URL: a feed cannot send us elsewhere.
pub fn credential_url(base_url: &str, credential_id: &str) -> String {
    let prefix = format!("{base_url}/credentials/");
    match credential_id.strip_prefix(&prefix) {
        Some(rest)
            if !rest.is_empty()
                && rest.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
                }) =>
        {
            credential_id.to_owned()
        }
        _ => format!("{prefix}{}", percent_encode(credential_id)),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_urls_stay_on_the_partner() {
        let base = "https://b.example";
        assert_eq!(
            credential_url(base, "https://b.example/credentials/0b1c-2d"),
            "https://b.example/credentials/0b1c-2d"
        );
        assert_eq!(
            credential_url(base, "urn:uuid:1"),
            "https://b.example/credentials/urn%3Auuid%3A1"
        );
        assert_eq!(
            credential_url(base, "https://evil.example/x"),
            "https://b.example/credentials/https%3A%2F%2Fevil.example%2Fx"
        );
        assert_eq!(
            credential_url(base, "https://b.example/credentials/../admin"),
            "https://b.example/credentials/https%3A%2F%2Fb.example%2Fcredentials%2F..%2Fadmin"
        );
    }
}
