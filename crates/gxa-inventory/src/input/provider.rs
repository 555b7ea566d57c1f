//! The provider description (`provider.toml`): who the provider is and the facts the Gaia-X
//! ontology demands that no inventory holds (licences and copyright owners of images and
//! hypervisors, the service's terms and conditions, data-export terms). Unknown keys are
//! errors, so that a typo does not silently drop a claim.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::InputError;
use super::json::invalid;

/// The whole file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// The legal person.
    pub provider: Provider,
    /// The service offering.
    pub offering: Offering,
    /// Licences and copyright owners.
    #[serde(default)]
    pub software: Software,
}

/// The legal person.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Legal name.
    pub legal_name: String,
    /// The issuer's DID (did:web).
    pub did: String,
    /// Base URL of the published credentials; every id is derived from it.
    pub base_url: String,
    /// Registration numbers (at least one).
    pub registration_numbers: RegistrationNumbers,
    /// Legal address.
    pub legal_address: Address,
    /// Headquarters address.
    pub headquarters_address: Address,
    /// SHA-256 (hex) of the Gaia-X terms and conditions the provider accepts (`gx:Issuer`).
    pub gaiax_terms_and_conditions: String,
}

/// Registration numbers; each present one becomes a registration-number credential.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RegistrationNumbers {
    /// VAT id, e.g. `DE123456789`.
    pub vat_id: Option<String>,
    /// LEI code.
    pub lei_code: Option<String>,
    /// EORI.
    pub eori: Option<String>,
    /// EUID.
    pub euid: Option<String>,
    /// Local (national) registration number.
    pub local: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    /// ISO 3166-2 subdivision code, e.g. `DE-BE`.
    pub country_subdivision_code: Option<String>,
    /// Street and number.
    pub street_address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Town.
    pub locality: Option<String>,
}

/// The virtual machine service offering.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Offering {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// URL of the service's terms and conditions.
    pub terms_url: String,
    /// SHA-256 (hex) of the document at `terms_url`.
    pub terms_sha256: String,
    /// `gx:servicePolicy` entries.
    #[serde(default)]
    pub service_policy: Vec<String>,
    /// `gx:dataAccountExport`.
    #[serde(default)]
    pub data_account_export: Vec<DataAccountExport>,
    /// `gx:tenantSeparation` (physical, hw-virtualized, …).
    pub tenant_separation: Option<String>,
    /// `gx:dataProtectionRegime` (GDPR2016, …).
    #[serde(default)]
    pub data_protection_regime: Vec<String>,
    /// Keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Include non-public flavors and images (default: only public ones are offered).
    #[serde(default)]
    pub include_private: bool,
}

/// How customers get their data out.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DataAccountExport {
    /// API, email, webform, …
    pub request_type: String,
    /// digital or physical.
    pub access_type: String,
    /// A media type.
    pub format_type: String,
}

/// Licence facts for software resources (`gx:copyrightOwnedBy`, `gx:license`,
/// `gx:resourcePolicy` are mandatory on every image and hypervisor).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// Used when nothing more specific is configured.
    pub default: Option<Licence>,
    /// By hypervisor code (`kvm`, `chy`, `xen`, …).
    #[serde(default)]
    pub hypervisors: BTreeMap<String, Licence>,
    /// By `os_distro` (`ubuntu`, `debian`, …).
    #[serde(default)]
    pub os: BTreeMap<String, Licence>,
    /// By image name (wins over `os`).
    #[serde(default)]
    pub images: BTreeMap<String, Licence>,
}

/// Copyright owners, SPDX licence ids or licence URLs, and resource policies.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// Copyright owners (free text).
    pub copyright_owners: Vec<String>,
    /// SPDX identifiers or URLs.
    pub licenses: Vec<String>,
    /// Resource policies.
    #[serde(default = "default_policy")]
    pub resource_policy: Vec<String>,
}

fn default_policy() -> Vec<String> {
    vec!["default: allow".into()]
}

impl ProviderFile {
    /// Parses and checks the file.
    pub fn parse(text: &str, what: &str) -> Result<Self, InputError> {
        let file: Self = toml::from_str(text).map_err(|source| InputError::Toml {
            what: what.to_owned(),
            source,
        })?;
        let p = &file.provider;
        let err = |at: &str, m: &str| Err(invalid(what, at, m.to_owned()));
        if !p.did.starts_with("did:") {
            return err("provider.did", "not a DID");
        }
        if !(p.base_url.starts_with("https://") || p.base_url.starts_with("http://")) {
            return err("provider.base_url", "not an http(s) URL");
        }
        let r = &p.registration_numbers;
        if [&r.vat_id, &r.lei_code, &r.eori, &r.euid, &r.local]
            .iter()
            .all(|n| n.is_none())
        {
            return err(
                "provider.registration_numbers",
                "at least one registration number is needed",
            );
        }
        for (at, hash) in [
            (
                "provider.gaiax_terms_and_conditions",
                &p.gaiax_terms_and_conditions,
            ),
            ("offering.terms_sha256", &file.offering.terms_sha256),
        ] {
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return err(at, "expected a SHA-256 as 64 hex digits");
            }
        }
        for (at, a) in [
            ("provider.legal_address", &p.legal_address),
            ("provider.headquarters_address", &p.headquarters_address),
        ] {
            if a.country_code.len() != 2 || !a.country_code.bytes().all(|b| b.is_ascii_uppercase())
            {
                return err(
                    at,
                    "country_code must be an ISO 3166-1 alpha-2 code such as \"DE\"",
                );
            }
        }
        Ok(file)
    }

    /// The base URL with exactly one trailing slash.
    pub fn base(&self) -> String {
        format!("{}/", self.provider.base_url.trim_end_matches('/'))
    }
}
