//! Prometheus metrics, served as OpenMetrics text at `/metrics`
//! (<https://prometheus.io/docs/instrumenting/exposition_formats/>).
//!
//! Labels are bounded: the route is the matched route template (`/credentials/{id}`), never the
//! raw path, so a crawler cannot grow the label set; unknown paths share the label `unmatched`,
//! and methods outside the standard ones share the label `other`.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The `method` label: the nine methods of RFC 9110 and PATCH by name, anything else (a client
/// may send any token as a method) `other`, so that the label set stays closed.
pub(crate) fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Labels of the request counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) status: u16,
}

/// Labels of the latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RouteLabels {
    pub(crate) route: String,
}

/// Labels of the issuance counter: what was issued and how.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct IssuanceLabels {
    /// `upload`, `inventory`, `revocation`.
    pub(crate) source: String,
    /// The credential's profile (`tagus`, `loire`; empty for revocations).
    pub(crate) profile: String,
}

/// Labels of the partner sync counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PartnerLabels {
    pub(crate) partner: String,
    pub(crate) outcome: String,
}

/// Labels of the CES delivery gauges: the configured target and a fixed kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct CesLabels {
    pub(crate) target: String,
    /// `pending`, `sent`, `refused`, `failures`.
    pub(crate) kind: String,
}

/// Labels of the trusted-list gauges: the configured list and a fixed kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct TrustedListLabels {
    pub(crate) list: String,
    /// `sequence`, `services`, `anchors`, `current`, `next_update_seconds`,
    /// `loaded_seconds`, `failures`.
    pub(crate) kind: String,
}

/// Labels of the issuance-time histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct OperationLabels {
    /// `upload`, `inventory`, `revoke`, `presentation`, `status_list`.
    pub(crate) operation: String,
}

/// Labels of the verification counter (bounded: three verdicts, seven checks).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct VerificationLabels {
    /// `valid`, `invalid`, `could_not_check`.
    pub(crate) verdict: String,
    /// The first check that failed or could not be done (`syntax` … `shapes`); empty if none.
    pub(crate) check: String,
}

/// Labels of the foreign-subject refusal counter (bounded: three operations).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RefusalLabels {
    /// `upload`, `inventory`, `revoke`.
    pub(crate) operation: String,
}

/// Labels of the scheduled inventory pull counters: the source (`keystone`, `nova`, `glance`,
/// `ironic`, `netbox`, `redfish <url>`: bounded by the configuration) and a fixed kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PullLabels {
    pub(crate) source: String,
    /// Pulls: `ok`, `failed`, `refused`, `lease_held`; failures: `auth`, `http`,
    /// `transport`, `invalid`, `config`, `snapshot`; items: `flavors`, `images`, `hosts`, …
    pub(crate) kind: String,
}

/// The metrics of the scheduled inventory pull (`[inventory]`).
#[derive(Debug, Default)]
pub(crate) struct PullMetrics {
    /// Pull runs by outcome (`source` = `all`).
    pub(crate) runs: Family<PullLabels, Counter>,
    /// Failed pulls by the failing source and kind of failure.
    pub(crate) failures: Family<PullLabels, Counter>,
    /// HTTP requests per source (retries included), over successful pulls.
    pub(crate) requests: Family<PullLabels, Counter>,
    /// Records per source and kind in the last successful pull.
    pub(crate) items: Family<PullLabels, Gauge>,
    /// Unix time of the last successful pull.
    pub(crate) last_success: Gauge,
    /// Duration of pull runs (pull, build, diff, issue).
    pub(crate) duration: Option<Histogram>,
}

/// The service's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    pub(crate) requests: Family<RequestLabels, Counter>,
    pub(crate) latency: Family<RouteLabels, Histogram>,
    pub(crate) issued: Family<IssuanceLabels, Counter>,
    pub(crate) signing: Family<OperationLabels, Histogram>,
    pub(crate) partners: Family<PartnerLabels, Counter>,
    pub(crate) ces: Family<CesLabels, Gauge>,
    pub(crate) trusted_lists: Family<TrustedListLabels, Gauge>,
    pub(crate) verifications: Family<VerificationLabels, Counter>,
    pub(crate) verification_time: Histogram,
    pub(crate) foreign_subject: Family<RefusalLabels, Counter>,
    pub(crate) future_results: Counter,
    pub(crate) pull: PullMetrics,
}

fn latency_buckets() -> Histogram {
    // 0.5 ms .. ~4 s: reads are sub-millisecond, signing a JSON-LD credential takes tens of ms.
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    ])
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gxa");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_buckets as _);
        let issued = Family::<IssuanceLabels, Counter>::default();
        let signing =
            Family::<OperationLabels, Histogram>::new_with_constructor(latency_buckets as _);
        registry.register(
            "http_requests",
            "HTTP requests by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
            latency.clone(),
        );
        registry.register(
            "credentials_issued",
            "Credentials issued or re-issued (and revocations), by source and profile",
            issued.clone(),
        );
        registry.register(
            "issuance_duration_seconds",
            "Time to verify, evaluate, sign and store, by operation (signing dominates)",
            signing.clone(),
        );
        let partners = Family::<PartnerLabels, Counter>::default();
        registry.register(
            "partner_entries",
            "Partner change feed entries handled (stored, already_stored, rejected, revoked, \
             skipped) and failed sync rounds (round_failed), by configured partner",
            partners.clone(),
        );
        let ces = Family::<CesLabels, Gauge>::default();
        registry.register(
            "ces_delivery",
            "Publishing the change log to each configured CES ([ces]): entries not delivered yet \
             (pending), events taken (sent), refused for good and skipped (refused), failed \
             attempts that are retried (failures); counts kept in the store",
            ces.clone(),
        );
        let trusted_lists = Family::<TrustedListLabels, Gauge>::default();
        registry.register(
            "trusted_list",
            "Each trusted list of [registry] trusted_lists: the TSLSequenceNumber held \
             (sequence), its services (services) and the anchors it gives now (anchors), whether \
             it is in force (current: 1, or 0 before a first good load or after NextUpdate), \
             NextUpdate and the last good load as Unix times (next_update_seconds, \
             loaded_seconds), refreshes failed since the last good one (failures)",
            trusted_lists.clone(),
        );
        let verifications = Family::<VerificationLabels, Counter>::default();
        registry.register(
            "verifications",
            "POST /verify reports by verdict and the first check that failed or could not be done",
            verifications.clone(),
        );
        let verification_time = latency_buckets();
        registry.register(
            "verification_duration_seconds",
            "Time to verify one input (fetches, proofs, chains, status lists, shapes)",
            verification_time.clone(),
        );
        let foreign_subject = Family::<RefusalLabels, Counter>::default();
        registry.register(
            "foreign_subject_refusals",
            "Requests refused because the account may not act for the subject they name \
             (reports, inventory, revocation), by operation; nothing was stored",
            foreign_subject.clone(),
        );
        let future_results = Counter::default();
        registry.register(
            "future_results",
            "Uploaded report results whose checked_at lay ahead of the service clock beyond \
             the allowed skew (not counted until then; named in the upload's warnings)",
            future_results.clone(),
        );
        let pull = PullMetrics {
            duration: Some(Histogram::new([
                0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0,
            ])),
            ..PullMetrics::default()
        };
        registry.register(
            "inventory_pulls",
            "Scheduled inventory pulls ([inventory]) by outcome (kind: ok, failed, refused by \
             the withdrawal guard, lease_held by another replica)",
            pull.runs.clone(),
        );
        registry.register(
            "inventory_pull_failures",
            "Failed scheduled inventory pulls by source and kind (auth: credentials refused, \
             http, transport, invalid answer, config, snapshot); nothing was withdrawn",
            pull.failures.clone(),
        );
        registry.register(
            "inventory_pull_requests",
            "HTTP requests of successful scheduled inventory pulls, by source",
            pull.requests.clone(),
        );
        registry.register(
            "inventory_pull_items",
            "Records per source and kind in the last successful inventory pull",
            pull.items.clone(),
        );
        registry.register(
            "inventory_pull_last_success_timestamp_seconds",
            "Unix time of the last successful inventory pull",
            pull.last_success.clone(),
        );
        if let Some(duration) = &pull.duration {
            registry.register(
                "inventory_pull_duration_seconds",
                "Duration of scheduled inventory pulls: pull, build, diff and issuance",
                duration.clone(),
            );
        }
        Self {
            registry: Mutex::new(registry),
            pull,
            foreign_subject,
            future_results,
            partners,
            ces,
            trusted_lists,
            verifications,
            verification_time,
            requests,
            latency,
            issued,
            signing,
        }
    }

    /// The OpenMetrics text of all metrics.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        prometheus_client::encoding::text::encode(&mut out, &registry)?;
        Ok(out)
    }

    /// Counts one scheduled inventory pull run by outcome.
    pub(crate) fn count_pull(&self, outcome: &str) {
        self.pull
            .runs
            .get_or_create(&PullLabels {
                source: "all".to_owned(),
                kind: outcome.to_owned(),
            })
            .inc();
    }

    /// Counts a failed pull: the source that failed and how.
    pub(crate) fn count_pull_failure(&self, source: &str, kind: &str) {
        self.pull
            .failures
            .get_or_create(&PullLabels {
                source: source.to_owned(),
                kind: kind.to_owned(),
            })
            .inc();
    }

    /// Records a successful pull: requests and items per source, its time, now.
    pub(crate) fn observe_pull(&self, stats: &[gxa_sources::SourceStats], seconds: f64) {
        for s in stats {
            self.pull
                .requests
                .get_or_create(&PullLabels {
                    source: s.source.clone(),
                    kind: "http".to_owned(),
                })
                .inc_by(s.requests);
            for (kind, n) in &s.items {
                self.pull
                    .items
                    .get_or_create(&PullLabels {
                        source: s.source.clone(),
                        kind: (*kind).to_owned(),
                    })
                    .set(i64::try_from(*n).unwrap_or(i64::MAX));
            }
        }
        if let Some(duration) = &self.pull.duration {
            duration.observe(seconds);
        }
        self.pull
            .last_success
            .set(jiff::Timestamp::now().as_second());
    }

    /// Sets the CES delivery gauges of `target` from its stored state.
    pub fn set_ces(&self, target: &str, delivery: &gxa_store::CesDelivery, latest: u64) {
        let gauge = |kind: &str, value: u64| {
            self.ces
                .get_or_create(&CesLabels {
                    target: target.to_owned(),
                    kind: kind.to_owned(),
                })
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        };
        gauge("pending", latest.saturating_sub(delivery.delivered));
        gauge("sent", delivery.sent);
        gauge("refused", delivery.refused);
        gauge("failures", delivery.failures);
    }

    /// Sets one trusted-list gauge (labels bounded: configured lists, fixed kinds).
    pub(crate) fn set_trusted_list(&self, list: &str, kind: &str, value: i64) {
        self.trusted_lists
            .get_or_create(&TrustedListLabels {
                list: list.to_owned(),
                kind: kind.to_owned(),
            })
            .set(value);
    }

    /// Counts one partner sync outcome (labels bounded: configured partners, fixed outcomes).
    pub fn count_partner(&self, partner: &str, outcome: &str) {
        self.partners
            .get_or_create(&PartnerLabels {
                partner: partner.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Records one finished request.
    pub(crate) fn observe_request(
        &self,
        method: &axum::http::Method,
        route: &str,
        status: u16,
        seconds: f64,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method_label(method).to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// Counts a refusal of an error that is [`gxa_issuer::IssuerError::ForeignSubject`].
    pub(crate) fn count_foreign_subject(&self, operation: &str, err: &gxa_issuer::IssuerError) {
        if matches!(err, gxa_issuer::IssuerError::ForeignSubject { .. }) {
            self.foreign_subject
                .get_or_create(&RefusalLabels {
                    operation: operation.to_owned(),
                })
                .inc();
        }
    }

    /// Counts results of an upload that lay in the future.
    pub(crate) fn count_future_results(&self, n: u64) {
        self.future_results.inc_by(n);
    }

    /// Records issued credentials.
    pub(crate) fn count_issued(&self, source: &str, profile: &str, n: u64) {
        self.issued
            .get_or_create(&IssuanceLabels {
                source: source.to_owned(),
                profile: profile.to_owned(),
            })
            .inc_by(n);
    }

    /// Records one verification: its verdict, the first check that did not pass (failed or
    /// could not be done), and how long it took.
    pub(crate) fn observe_verification(&self, verdict: &str, check: &str, seconds: f64) {
        self.verifications
            .get_or_create(&VerificationLabels {
                verdict: verdict.to_owned(),
                check: check.to_owned(),
            })
            .inc();
        self.verification_time.observe(seconds);
    }

    /// Records how long an issuing operation took.
    pub(crate) fn observe_signing(&self, operation: &str, seconds: f64) {
        self.signing
            .get_or_create(&OperationLabels {
                operation: operation.to_owned(),
            })
            .observe(seconds);
    }
}
