//! [`IssuerConfig`]: what the issuer needs besides the store and the key set.

use gxa_inventory::input::provider::ProviderFile;
use gxa_scs::{CheckedAtZone, Limits, Profile, Scope};
use jiff::SignedDuration;

/// The issuer's configuration. Construct with [`IssuerConfig::new`] and adjust the fields.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// Public base URL of the service, no trailing slash (`https://provider.example`,
    /// `http://127.0.0.1:8080`). Credential ids: `{base_url}/credentials/{uuid}`; status list
    /// credentials: `{base_url}/status-lists/{list_id}`; presentations:
    /// `{base_url}/participants/{participant}/presentation`.
    pub base_url: String,
    /// Profiles to issue in ([`Profile::Tagus`] = VC 1.1 JSON-LD + JsonWebSignature2020 in the
    /// Gaia-X flavour; [`Profile::Loire`] = VC 2.0 as vc+jwt). Default: both.
    pub profiles: Vec<Profile>,
    /// SCS certificate scopes uploads are evaluated against.
    pub scopes: Vec<Scope>,
    /// The zone zone-less `checked_at` values are read in (UTC by default).
    pub zone: CheckedAtZone,
    /// YAML size limits for uploads.
    pub limits: Limits,
    /// Credentials whose `validUntil` falls within this window of now are re-issued by the
    /// scheduler (default 14 days).
    pub reissue_window: SignedDuration,
    /// Validity of inventory self-descriptions (default 90 days, like Gaia-X compliance
    /// credentials).
    pub credential_validity: SignedDuration,
    /// The provider (LegalPerson etc.), as in `examples/provider.toml`; needed for inventory
    /// and presentations.
    pub provider: Option<ProviderFile>,
}

impl IssuerConfig {
    /// The defaults: both profiles, no scopes, UTC, default limits, a 14-day re-issuance
    /// window, 90-day inventory credentials, no provider.
    pub fn new(base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        Self {
            base_url,
            profiles: vec![Profile::Tagus, Profile::Loire],
            scopes: Vec::new(),
            zone: CheckedAtZone::utc(),
            limits: Limits::default(),
            reissue_window: SignedDuration::from_hours(14 * 24),
            credential_validity: SignedDuration::from_hours(90 * 24),
            provider: None,
        }
    }
}
