//! Publishing the change log to Credential Event Services.
//!
//! The change log is the outbox: every issuance, re-issuance and revocation is committed with
//! its log entry, so an event cannot be lost between the commit and the send. Per target the
//! store keeps the last sequence number delivered ([`gxa_store::CesDelivery`]); a round reads
//! the entries after it, `POST`s their events in order and moves the cursor after each answer:
//!
//! * 2xx: taken;
//! * 4xx other than 408 and 429: refused for good (recorded with the answer, skipped — sending
//!   it again would be refused again, and would hold back every later event);
//! * anything else (5xx, 408, 429, time-out, connection error): the round stops and the event is
//!   sent again in a later round, which the caller schedules with backoff ([`Round::failed`]).
//!
//! A crash after a send and before the cursor moves sends that event again with the same
//! `source` and `id`; a receiver drops it (this crate's `CloudEvent` ids are stable per change).

use std::time::Duration;

use gxa_store::{ChangeCursor, DeliveryOutcome, Store, StoreError};
use rustls_pki_types::CertificateDer;

use crate::of_change;

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct PublisherConfig {
    /// The CES endpoints (`…/v2/credentials-events`), https.
    pub targets: Vec<String>,
    /// The events' `source`: the issuer's DID.
    pub source: String,
    /// Events sent per target and round.
    pub batch: u32,
    /// Time-out of one request.
    pub timeout: Duration,
    /// Extra TLS roots (a private PKI, a test CA).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Allow `http://` targets (tests only).
    pub allow_http: bool,
}

/// Why a publisher cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A target that is no https URL, or a TLS or client setting.
    #[error("CES publishing: {0}")]
    Config(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one round did for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Events taken.
    pub sent: u32,
    /// Events refused for good (skipped).
    pub refused: u32,
    /// Why the round stopped early (the next event is sent again later), if it did.
    pub failed: Option<String>,
    /// Change-log entries not delivered yet after the round.
    pub pending: u64,
}

/// Publishes the change log to the configured targets.
#[derive(Debug, Clone)]
pub struct Publisher {
    http: reqwest::Client,
    config: PublisherConfig,
}

impl Publisher {
    /// A publisher with its HTTP client (rustls, no proxy, no redirects).
    pub fn new(config: PublisherConfig) -> Result<Self, PublishError> {
        for target in &config.targets {
            let allowed = target.starts_with("https://")
                || (config.allow_http && target.starts_with("http://"));
            if !allowed {
                return Err(PublishError::Config(format!(
                    "target {target:?} is no https URL"
                )));
            }
        }
        let tls = gxa_fetch::client_tls(&config.extra_roots).map_err(PublishError::Config)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .user_agent(concat!("gx-attest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PublishError::Config(format!("HTTP client: {e}")))?;
        Ok(Self { http, config })
    }

    /// The configured targets.
    pub fn targets(&self) -> &[String] {
        &self.config.targets
    }

    /// One round for `target`: up to `batch` events after its cursor, in order.
    pub async fn deliver(&self, store: &Store, target: &str) -> Result<Round, PublishError> {
        let mut round = Round {
            sent: 0,
            refused: 0,
            failed: None,
            pending: 0,
        };
        let cursor = store.ces_delivery(target).await?.delivered;
        for entry in store
            .changes(ChangeCursor(cursor), self.config.batch)
            .await?
        {
            let credential = match store.get_credential(&entry.credential_id).await {
                Ok(c) => Some(c),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            let event = of_change(&self.config.source, &entry, credential.as_ref());
            match self.send(target, &event).await {
                Ok(()) => {
                    store
                        .ces_delivered(target, entry.seq, &DeliveryOutcome::Sent)
                        .await?;
                    round.sent += 1;
                }
                Err(Answer::Refused(reason)) => {
                    store
                        .ces_delivered(target, entry.seq, &DeliveryOutcome::Refused(reason))
                        .await?;
                    round.refused += 1;
                }
                Err(Answer::Failed(reason)) => {
                    store.ces_delivery_failed(target, &reason).await?;
                    round.failed = Some(reason);
                    break;
                }
            }
        }
        let delivered = store.ces_delivery(target).await?.delivered;
        round.pending = store.latest_sequence().await?.saturating_sub(delivered);
        Ok(round)
    }

    async fn send(&self, target: &str, event: &crate::CloudEvent) -> Result<(), Answer> {
        let response = self
            .http
            .post(target)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .json(event)
            .send()
            .await
            .map_err(|e| Answer::Failed(format!("event {}: {e}", event.id)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // The answer's first bytes, for the record (a problem document names the cause).
        let text = response.text().await.unwrap_or_default();
        let reason = format!(
            "event {}: HTTP {}: {}",
            event.id,
            status.as_u16(),
            text.chars().take(300).collect::<String>()
        );
        let retryable = status.is_server_error()
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
        Err(if retryable {
            Answer::Failed(reason)
        } else {
            Answer::Refused(reason)
        })
    }
}

enum Answer {
    Refused(String),
    Failed(String),
}
