//! [`IssuerConfig`]: what the issuer needs besides the store and the key set.

use std::collections::BTreeMap;

use gxa_credential::Profile;
use gxa_inventory::input::provider::ProviderFile;
use gxa_proof::Flavour;
use gxa_scs::{CheckedAtZone, Limits, Scope};
use jiff::SignedDuration;

/// What an account (a store subject with tokens and SSH keys) may do besides speaking for its
/// own subject, and how its reports are read. Modelled on the SCS compliance monitor's accounts,
/// whose `delegates` let one account post reports for other subjects.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Report subjects this account may also submit for: exact names, or prefixes ending in
    /// `*` (`example-k8s-*` for a KaaS subject per Kubernetes branch).
    pub delegate_of: Vec<String>,
    /// The zone of this account's zone-less `checked_at` values (the zone its test runner runs
    /// in); `None`: [`IssuerConfig::zone`].
    pub zone: Option<CheckedAtZone>,
}

impl Account {
    /// Whether this account, named `account`, may submit reports or inventory for `subject`.
    pub fn may_submit_for(&self, account: &str, subject: &str) -> bool {
        subject == account
            || self
                .delegate_of
                .iter()
                .any(|pattern| subject_matches(pattern, subject))
    }
}

/// `pattern` is an exact subject name or a prefix ending in `*` (which matches at least one
/// more character, so `example-*` never matches `example-` itself).
pub(crate) fn subject_matches(pattern: &str, subject: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => subject.len() > prefix.len() && subject.starts_with(prefix),
        None => pattern == subject,
    }
}

/// The issuer's configuration. Construct with [`IssuerConfig::new`] and adjust the fields.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// Public base URL of the service, no trailing slash (`https://provider.example`,
    /// `http://127.0.0.1:8080`). Credential ids: `{base_url}/credentials/{uuid}`; status list
    /// credentials: `{base_url}/status-lists/{list_id}`; presentations:
    /// `{base_url}/participants/{participant}/presentation`.
    pub base_url: String,
    /// Profiles to issue in ([`Profile::Tagus`] = VC 1.1 JSON-LD + JsonWebSignature2020;
    /// [`Profile::Loire`] = VC 2.0 as vc+jwt). Default: both.
    pub profiles: Vec<Profile>,
    /// The JsonWebSignature2020 flavour of Tagus proofs (credentials, presentations, status
    /// lists). Default [`Flavour::GaiaX`]: what the Tagus clearing houses emit and verify.
    /// [`Flavour::Spec`] (W3C-CCG) is what other JsonWebSignature2020 verifiers check; a
    /// Tagus clearing house refuses it.
    pub jws2020_flavour: Flavour,
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
    /// Accounts with delegations or their own zone, by account (store subject) id. An account
    /// not listed may submit for its own subject only, read in [`IssuerConfig::zone`].
    pub accounts: BTreeMap<String, Account>,
    /// How far ahead of the service clock a result's `checked_at` may lie and still count
    /// (runner clocks drift; default 5 minutes). Results further ahead are not counted until
    /// their time comes, and the upload answer warns about them.
    pub future_skew: SignedDuration,
    /// The largest share, in percent of the subject's current inventory credentials, that one
    /// unconfirmed snapshot may withdraw. `None` (the default): any share, as long as the
    /// snapshot empties no section. A snapshot that empties a section (leaves no host, no
    /// location, no flavor or no image where there were some) is refused either way unless
    /// confirmed ([`InventoryOptions::confirm_withdraw`](crate::InventoryOptions)).
    pub max_withdraw_percent: Option<u8>,
}

impl IssuerConfig {
    /// The defaults: both profiles, the Gaia-X JsonWebSignature2020 flavour, no scopes, UTC, default limits, a 14-day re-issuance
    /// window, 90-day inventory credentials, no provider, no withdrawal share limit
    /// (the section guard only).
    pub fn new(base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        Self {
            base_url,
            profiles: vec![Profile::Tagus, Profile::Loire],
            jws2020_flavour: Flavour::GaiaX,
            scopes: Vec::new(),
            zone: CheckedAtZone::utc(),
            limits: Limits::default(),
            reissue_window: SignedDuration::from_hours(14 * 24),
            credential_validity: SignedDuration::from_hours(90 * 24),
            provider: None,
            accounts: BTreeMap::new(),
            future_skew: SignedDuration::from_mins(5),
            max_withdraw_percent: None,
        }
    }

    /// The account settings of `account` (the defaults for an account not listed).
    pub fn account(&self, account: &str) -> Account {
        self.accounts.get(account).cloned().unwrap_or_default()
    }

    /// Whether `account` may submit for the report or inventory subject `subject`.
    pub fn may_submit_for(&self, account: &str, subject: &str) -> bool {
        match self.accounts.get(account) {
            Some(settings) => settings.may_submit_for(account, subject),
            None => subject == account,
        }
    }

    /// The zone `account`'s zone-less `checked_at` values are read in.
    pub fn zone_of(&self, account: &str) -> CheckedAtZone {
        self.accounts
            .get(account)
            .and_then(|a| a.zone.clone())
            .unwrap_or_else(|| self.zone.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delegation_patterns() {
        let mut config = IssuerConfig::new("https://p.example");
        config.accounts.insert(
            "example-cloud".to_owned(),
            Account {
                delegate_of: vec!["example-k8s-*".to_owned(), "zuul-target".to_owned()],
                zone: None,
            },
        );
        assert!(config.may_submit_for("example-cloud", "example-cloud"));
        assert!(config.may_submit_for("example-cloud", "example-k8s-1.35"));
        assert!(config.may_submit_for("example-cloud", "zuul-target"));
        assert!(!config.may_submit_for("example-cloud", "example-k8s-"));
        assert!(!config.may_submit_for("example-cloud", "zuul-target-2"));
        assert!(!config.may_submit_for("example-cloud", "other-cloud"));
        assert!(!config.may_submit_for("example-cloud", "example-k8"));
        // Not listed: its own subject only.
        assert!(config.may_submit_for("other-cloud", "other-cloud"));
        assert!(!config.may_submit_for("other-cloud", "example-k8s-1.35"));
    }
}
