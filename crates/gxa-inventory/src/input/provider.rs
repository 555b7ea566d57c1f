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
    /// Energy and water figures of the datacenters (criteria P6.1.2 – P6.1.4).
    #[serde(default)]
    pub sustainability: Sustainability,
}

/// Energy and water figures of the datacenters, as the Loire 25.11 `gx:Datacenter` states them
/// (`gx:energyUsageEfficiency`, `gx:waterUsageEffectiveness`, `gx:energyMix`): the figures of a
/// NetBox site (by slug), else the default.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sustainability {
    /// For every site not listed under `sites`.
    pub default: Option<SiteSustainability>,
    /// By NetBox site slug.
    #[serde(default)]
    pub sites: BTreeMap<String, SiteSustainability>,
}

/// One datacenter's figures; each is optional (absent: not stated).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteSustainability {
    /// Power usage effectiveness (PUE, ≥ 1).
    pub power_usage_effectiveness: Option<f32>,
    /// Water usage effectiveness (WUE, litres per kWh, ≥ 0).
    pub water_usage_effectiveness: Option<f32>,
    /// The energy mix: share of renewable energy and of hourly carbon-free energy (percent),
    /// with the date the figures are attained by.
    pub energy_mix: Option<EnergyMix>,
}

/// An energy mix (`gx:EnergyMix`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnergyMix {
    /// Renewable energy, percent (0–100).
    pub renewable_energy: f32,
    /// Hourly carbon-free energy, percent (0–100).
    pub hourly_carbon_free_energy: f32,
    /// When the figures are attained (`YYYY-MM-DD`).
    pub attainment_date: String,
}

impl Sustainability {
    /// The figures of site `slug`.
    pub fn of_site(&self, slug: &str) -> Option<&SiteSustainability> {
        self.sites.get(slug).or(self.default.as_ref())
    }
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
    /// A number in a country's company register with its numbering scheme (Loire
    /// `gx:CountryCompanyNumber`; Tagus has no such number).
    pub country_company_number: Option<CountryCompanyNumber>,
}

/// A number in a country's company register (`gx:CountryCompanyNumber` of the 25.11 ontology).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CountryCompanyNumber {
    /// ISO 3166-1 alpha-2 country code of the register.
    pub country_code: String,
    /// The numbering scheme (`gx:companyNumberQualifier`), e.g. `HRB`.
    pub qualifier: Option<String>,
    /// The number in that scheme (`gx:countryCompanyNumber`).
    pub number: String,
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
    /// The Gaia-X compliance level the offering is built for (`SC`, `L1`, `L2`, `L3`): the
    /// Loire build then fails, naming every criterion that level needs and the claims do not
    /// show (the Compliance Document's table, `gxa_criteria`). Unset: no such check.
    pub compliance_level: Option<String>,
    /// The documents the compliance criteria ask for; each becomes a `gx:legalDocuments` node
    /// of the offering.
    #[serde(default)]
    pub legal_documents: Vec<LegalDocument>,
    /// Criteria the provider declares that no claim of the Loire ontology can show (e.g.
    /// `P1.2.1`, provisions for service interruption).
    #[serde(default)]
    pub declared_criteria: Vec<String>,
    /// Further claims of the Loire offering that the criteria ask for, as JSON-LD values in the
    /// Loire context (sub-contractors, customer instructions, data transfers, …); the shapes
    /// check them like every other claim.
    #[serde(default)]
    pub claims: Vec<Claim>,
}

/// One further claim of the offering: a value of one of [`CLAIM_PROPERTIES`].
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The `gx:ServiceOffering` property, e.g. `subContractors`.
    pub property: String,
    /// Its value: a node (a table with `type`), a string, or a list of them.
    pub value: serde_json::Value,
}

/// The `gx:ServiceOffering` properties (Loire 25.11) a [`Claim`] may state: those the build
/// does not write itself.
pub const CLAIM_PROPERTIES: [&str; 11] = [
    "subContractors",
    "customerInstructions",
    "possiblePersonalDataTransfers",
    "cryptographicSecurityStandards",
    "dataPortability",
    "requiredMeasures",
    "providerContactInformation",
    "servicePolicy",
    "serviceScope",
    "provisionType",
    "endpoint",
];

/// A legal document of the offering: a `gx:LegalDocument` subclass of the Loire 25.11
/// ontology (`gx:CustomerDataAccessTerms`, …), where it is published, and its hash.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LegalDocument {
    /// The class, e.g. `gx:LegallyBindingAct`.
    #[serde(rename = "type")]
    pub class: String,
    /// Where the document is published (`gx:url`).
    pub url: String,
    /// SHA-256 (hex) of the published document. The Loire ontology has no place for it (the
    /// legal document shapes are closed); it is the provider's record of which text it
    /// declared, for checking the URL.
    pub sha256: String,
    /// `gx:mimeTypes`, e.g. `application/pdf`.
    #[serde(default)]
    pub mime_types: Vec<String>,
    /// `gx:governingLawCountries` (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub governing_law_countries: Vec<String>,
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
            && r.country_company_number.is_none()
        {
            return err(
                "provider.registration_numbers",
                "at least one registration number is needed",
            );
        }
        if let Some(n) = &r.country_company_number {
            if !is_country(&n.country_code) {
                return err(
                    "provider.registration_numbers.country_company_number.country_code",
                    "not an ISO 3166-1 alpha-2 code",
                );
            }
            if n.number.trim().is_empty() {
                return err(
                    "provider.registration_numbers.country_company_number.number",
                    "empty",
                );
            }
        }
        let sites = file
            .sustainability
            .default
            .iter()
            .map(|f| ("default".to_owned(), f))
            .chain(
                file.sustainability
                    .sites
                    .iter()
                    .map(|(k, f)| (format!("sites.{k}"), f)),
            );
        for (name, figures) in sites {
            let at = |field: &str| format!("sustainability.{name}.{field}");
            if figures
                .power_usage_effectiveness
                .is_some_and(|p| !p.is_finite() || p < 1.0)
            {
                return err(&at("power_usage_effectiveness"), "a PUE is a number >= 1");
            }
            if figures
                .water_usage_effectiveness
                .is_some_and(|w| !w.is_finite() || w < 0.0)
            {
                return err(&at("water_usage_effectiveness"), "a WUE is a number >= 0");
            }
            if let Some(mix) = &figures.energy_mix {
                for (field, v) in [
                    ("renewable_energy", mix.renewable_energy),
                    ("hourly_carbon_free_energy", mix.hourly_carbon_free_energy),
                ] {
                    if !(0.0..=100.0).contains(&v) {
                        return err(
                            &at(&format!("energy_mix.{field}")),
                            "a percentage, 0 to 100",
                        );
                    }
                }
                if mix.attainment_date.parse::<jiff::civil::Date>().is_err() {
                    return err(&at("energy_mix.attainment_date"), "not a date (YYYY-MM-DD)");
                }
            }
        }
        for (at, hash) in [
            (
                "provider.gaiax_terms_and_conditions",
                &p.gaiax_terms_and_conditions,
            ),
            ("offering.terms_sha256", &file.offering.terms_sha256),
        ] {
            if !is_sha256_hex(hash) {
                return err(at, "expected a SHA-256 as 64 hex digits");
            }
        }
        let o = &file.offering;
        for (i, d) in o.legal_documents.iter().enumerate() {
            let at = format!("offering.legal_documents[{i}]");
            if !d.class.starts_with("gx:") {
                return err(
                    &at,
                    "type must be a gx: class, e.g. \"gx:LegallyBindingAct\"",
                );
            }
            if !(d.url.starts_with("https://") || d.url.starts_with("http://")) {
                return err(&at, "url is not an http(s) URL");
            }
            if !is_sha256_hex(&d.sha256) {
                return err(&at, "sha256: expected a SHA-256 as 64 hex digits");
            }
            if d.governing_law_countries.iter().any(|c| !is_country(c)) {
                return err(
                    &at,
                    "governing_law_countries must be ISO 3166-1 alpha-2 codes such as \"DE\"",
                );
            }
        }
        for (i, c) in o.claims.iter().enumerate() {
            if !CLAIM_PROPERTIES.contains(&c.property.as_str()) {
                return err(
                    &format!("offering.claims[{i}].property"),
                    &format!(
                        "{:?} is not one of {}",
                        c.property,
                        CLAIM_PROPERTIES.join(", ")
                    ),
                );
            }
        }
        if let Some(level) = &o.compliance_level
            && level.parse::<gxa_criteria::Level>().is_err()
        {
            return err("offering.compliance_level", "expected SC, L1, L2 or L3");
        }
        if let Ok(table) = gxa_criteria::Criteria::pinned() {
            for id in &o.declared_criteria {
                if table.get(id).is_none() {
                    return err(
                        "offering.declared_criteria",
                        &format!("{id:?} is not a criterion of the Compliance Document"),
                    );
                }
            }
        }
        for (at, a) in [
            ("provider.legal_address", &p.legal_address),
            ("provider.headquarters_address", &p.headquarters_address),
        ] {
            if !is_country(&a.country_code) {
                return err(
                    at,
                    "country_code must be an ISO 3166-1 alpha-2 code such as \"DE\"",
                );
            }
        }
        Ok(file)
    }

    /// The Gaia-X compliance level the offering is built for, if one is set (checked by
    /// [`ProviderFile::parse`]).
    pub fn compliance_level(&self) -> Option<gxa_criteria::Level> {
        self.offering
            .compliance_level
            .as_deref()
            .and_then(|l| l.parse().ok())
    }

    /// The base URL with exactly one trailing slash.
    pub fn base(&self) -> String {
        format!("{}/", self.provider.base_url.trim_end_matches('/'))
    }
}

fn is_sha256_hex(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}
