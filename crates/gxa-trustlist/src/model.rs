//! A trusted list's content (ETSI TS 119 612 §5), and which certificates it makes trust
//! anchors at a given time.

use jiff::Timestamp;
use rustls_pki_types::CertificateDer;

/// Service type identifiers (TS 119 612 §5.5.1.1) used as defaults.
pub mod service_types {
    /// A CA issuing qualified certificates (eIDAS: QSeal, QSign, QWAC).
    pub const CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
    /// A CA issuing non-qualified public key certificates.
    pub const CA_PKC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC";
}

/// Service status identifiers (TS 119 612 §5.5.4; the ones before the eIDAS Regulation are
/// still found in the history of services).
pub mod statuses {
    /// Prefix of every status URI.
    pub const PREFIX: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/";
    /// The statuses under which a service is trusted: `granted` and `recognisedatnationallevel`
    /// (eIDAS), and the pre-eIDAS `undersupervision`, `supervisionincessation`, `accredited`
    /// and `setbynationallaw`.
    pub const TRUSTED: [&str; 6] = [
        "granted",
        "recognisedatnationallevel",
        "undersupervision",
        "supervisionincessation",
        "accredited",
        "setbynationallaw",
    ];
}

/// A parsed, signature-verified trusted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedList {
    /// `SchemeInformation`.
    pub scheme: Scheme,
    /// `TrustServiceProviderList` (empty in a list of lists).
    pub providers: Vec<Provider>,
    /// `PointersToOtherTSL`: in the EU list of lists, the national lists with the
    /// certificates they are signed with.
    pub pointers: Vec<Pointer>,
}

/// `SchemeInformation` (TS 119 612 §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// `TSLVersionIdentifier` (5 or 6).
    pub version: u32,
    /// `TSLSequenceNumber`: grows with every issue; a list older than the one held is refused
    /// by a refresher (a replayed list).
    pub sequence: u64,
    /// `TSLType` (for example `…/TSLType/EUgeneric`, `…/TSLType/EUlistofthelists`).
    pub list_type: String,
    /// `SchemeOperatorName`, the first name given (English when there is one).
    pub operator: String,
    /// `SchemeTerritory` (ISO 3166-1 alpha-2, `EU` for the list of lists).
    pub territory: String,
    /// `ListIssueDateTime`.
    pub issued: Timestamp,
    /// `NextUpdate/dateTime`: after it the list is stale and must not be relied on; `None`
    /// for a closed list (the operator ended the scheme).
    pub next_update: Option<Timestamp>,
}

/// `TrustServiceProvider` (TS 119 612 §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// `TSPName`.
    pub name: String,
    /// `TSPServices`.
    pub services: Vec<Service>,
}

/// `TSPService` (TS 119 612 §5.5), with its history (§5.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// `ServiceName`.
    pub name: String,
    /// `ServiceDigitalIdentity`'s `X509Certificate`s (DER).
    pub certificates: Vec<CertificateDer<'static>>,
    /// The current status and each `ServiceHistoryInstance`, newest first.
    pub history: Vec<StatusChange>,
}

/// One status of a service from a time on: the current `ServiceInformation` or a
/// `ServiceHistoryInstance`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// `ServiceTypeIdentifier`.
    pub service_type: String,
    /// `ServiceStatus` (a URI).
    pub status: String,
    /// `StatusStartingTime`.
    pub since: Timestamp,
}

/// `OtherTSLPointer` (TS 119 612 §5.3.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// `TSLLocation`.
    pub location: String,
    /// The territory named in `AdditionalInformation`.
    pub territory: Option<String>,
    /// The MIME type named in `AdditionalInformation` (`application/vnd.etsi.tsl+xml` for the
    /// XML form).
    pub mime_type: Option<String>,
    /// The certificates the pointed-to list is signed with (DER).
    pub certificates: Vec<CertificateDer<'static>>,
}

/// Which services make their certificates trust anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Service type identifiers taken (default: [`service_types::CA_QC`] and
    /// [`service_types::CA_PKC`]).
    pub service_types: Vec<String>,
}

impl Default for Selection {
    fn default() -> Self {
        Self {
            service_types: vec![
                service_types::CA_QC.to_owned(),
                service_types::CA_PKC.to_owned(),
            ],
        }
    }
}

impl Service {
    /// The status in force at `at`: the newest change that started at or before it (`None`
    /// before the service's first status).
    pub fn status_at(&self, at: Timestamp) -> Option<&StatusChange> {
        self.history
            .iter()
            .filter(|change| change.since <= at)
            .max_by_key(|change| change.since)
    }
}

impl StatusChange {
    /// Whether this status grants trust ([`statuses::TRUSTED`]).
    pub fn is_trusted(&self) -> bool {
        self.status
            .strip_prefix(statuses::PREFIX)
            .is_some_and(|name| statuses::TRUSTED.contains(&name))
    }
}

impl TrustedList {
    /// Whether the list may be relied on at `at`: issued by then and not past `NextUpdate`
    /// (a closed list, without `NextUpdate`, never).
    pub fn is_current(&self, at: Timestamp) -> bool {
        self.scheme.issued <= at && self.scheme.next_update.is_some_and(|next| at <= next)
    }

    /// The certificates of every selected service whose status at `at` grants trust, each
    /// with a label naming the provider and the service. The list's own currency
    /// ([`is_current`](Self::is_current)) is the caller's to check.
    pub fn anchors(
        &self,
        at: Timestamp,
        selection: &Selection,
    ) -> Vec<(CertificateDer<'static>, String)> {
        let mut anchors = Vec::new();
        for provider in &self.providers {
            for service in &provider.services {
                let Some(change) = service.status_at(at) else {
                    continue;
                };
                if !change.is_trusted() || !selection.service_types.contains(&change.service_type) {
                    continue;
                }
                for cert in &service.certificates {
                    anchors.push((
                        cert.clone(),
                        format!("{} / {}", provider.name, service.name),
                    ));
                }
            }
        }
        anchors
    }

    /// The number of services in the list.
    pub fn service_count(&self) -> usize {
        self.providers.iter().map(|p| p.services.len()).sum()
    }
}
