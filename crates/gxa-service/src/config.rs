//! The service configuration: one TOML file (see `gx-attest.example.toml` at the repository
//! root), overridden field by field by `gx-attest serve` flags and `GXA_*` environment variables.
//!
//! Secrets never appear in the file in plain text: API tokens are listed by their SHA-256
//! (`printf %s "$TOKEN" | sha256sum`), which is also all the store keeps. Plain tokens are accepted
//! only through [`Config::dev_tokens`] (flag `--dev-token SUBJECT=TOKEN` or `GXA_DEV_TOKENS`), for
//! development and tests.
//!
//! Every section's type is here, those of the clearing house (`[compliance]`, `[clearing]`) and
//! of the inventory pull (`[inventory]`) included, and this module uses no other module of the
//! crate but `error`: the parts of the service are built *from* the configuration
//! (`VerifyPool::from_config`, `ConnectionLimits::from_limits`, `OpsAccess::from_config`), not
//! by it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde::Deserialize;

pub use crate::error::ConfigError;
use crate::error::ServiceError;

/// The complete service configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Plain-HTTP listen address (default `127.0.0.1:8080`). Put TLS termination in front of it,
    /// or configure [`Config::tls`] for a second, HTTPS listener.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Public base URL of the service without a trailing slash, e.g. `https://provider.example`;
    /// credential ids, status list URLs and presentation URLs are derived from it.
    pub base_url: String,
    /// Directory for the SQLite database (when no `database_url` is given) and, in demo mode,
    /// the development key set.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `postgres://…` (several replicas) or `sqlite://PATH`; default: SQLite in `data_dir`.
    #[serde(default)]
    pub database_url: Option<String>,
    /// Pool size of the database connections.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Directory holding the key set's `keys.toml` (see `gx-attest keys generate`).
    pub key_set: PathBuf,
    /// Issuance profiles, `tagus` and/or `loire` (default: both).
    #[serde(default = "default_profiles")]
    pub profiles: Vec<String>,
    /// The JsonWebSignature2020 flavour of Tagus proofs (default `gaia-x`).
    #[serde(default)]
    pub jws2020_flavour: Jws2020Flavour,
    /// SCS certificate scope YAML files uploads are evaluated against.
    #[serde(default)]
    pub scopes: Vec<PathBuf>,
    /// Time zone of zone-less `checked_at` values in reports (default `UTC`).
    #[serde(default = "default_zone")]
    pub checked_at_zone: String,
    /// The provider description (`provider.toml`), needed for inventory and presentations.
    #[serde(default)]
    pub provider: Option<PathBuf>,
    /// Log output: `text` (default) or `json`.
    #[serde(default)]
    pub log_format: LogFormat,
    /// Request limits and scheduling.
    #[serde(default)]
    pub limits: Limits,
    /// An optional HTTPS listener (did:web resolvers only accept https).
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// `POST /verify`: trust anchors and the guarded fetcher's policy.
    #[serde(default)]
    pub verify: VerifyConfig,
    /// Subjects (providers/clouds) that may upload, with their tokens and SSH keys.
    #[serde(default)]
    pub subjects: Vec<SubjectConfig>,
    /// Plain `(subject, token)` pairs for development, from flags or the environment only.
    #[serde(skip)]
    pub dev_tokens: Vec<(String, String)>,
    /// Partners whose credentials are pulled, verified (with the `[verify]` section's trust
    /// anchors and fetch policy) and re-served: `[[partners]]` entries.
    #[serde(default)]
    pub partners: Vec<gxa_partners::PartnerConfig>,
    /// How often and how the partners are synced (`[partner_sync]`).
    #[serde(default)]
    pub partner_sync: gxa_partners::SyncOptions,
    /// `provider` (default), `compliance` (adds the clearing-house routes), `registry` (adds
    /// the registry API of `[registry]`) or `compliance,registry`.
    #[serde(default)]
    pub role: Role,
    /// `[compliance]`: settings of the compliance role.
    #[serde(default)]
    pub compliance: ComplianceSection,
    /// `[clearing]`: the provider's clearing-house client (notary, compliance, renewal).
    #[serde(default)]
    pub clearing: Option<ClearingSection>,
    /// `[ces]`: Credential Event Services this service publishes its change log to.
    #[serde(default)]
    pub ces: Option<CesSection>,
    /// `[registry]`: the Gaia-X registry API (the registry role).
    #[serde(default)]
    pub registry: Option<RegistrySection>,
    /// `[ops]`: who may read `/metrics` and `/partners`.
    #[serde(default)]
    pub ops: OpsConfig,
    /// `[inventory]`: the scheduled pull of the inventory from the provider's systems.
    #[serde(default)]
    pub inventory: Option<InventorySection>,
}

/// Who may read an operator's view.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Anyone.
    #[default]
    Public,
    /// Requests with the operations token (`Authorization: Bearer`).
    Token,
}

/// The `[ops]` section: access to the operator's views. `/metrics` tells load, error rates and
/// partner names; `/partners` tells whom this provider exchanges with and what was rejected.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OpsConfig {
    /// `/metrics`: `public` (default) or `token`.
    pub metrics: Access,
    /// `/partners` and `/partners/{id}/rejections` (JSON and page): `public` or `token`.
    pub partners: Access,
    /// `/clearing/check` (the clearing pre-flight; asks the did:web, x5u and registry URLs
    /// of `[clearing]`): `public` or `token`.
    pub clearing: Access,
    /// The file holding the operations token (one line, at least 16 characters; e.g. the
    /// file Prometheus reads as `authorization.credentials_file`). Required when a view is
    /// `token`.
    pub token_file: Option<PathBuf>,
}

/// The JsonWebSignature2020 signing input of Tagus proofs.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Jws2020Flavour {
    /// `gaia-x`: the hex SHA-256 of the canonical document, proof options unsigned; what the
    /// Tagus clearing houses emit and verify.
    #[default]
    GaiaX,
    /// `spec`: the W3C-CCG signing input (the proof options signed too); what other
    /// JsonWebSignature2020 verifiers check. A Tagus clearing house refuses it.
    Spec,
}

impl From<Jws2020Flavour> for gxa_proof::Flavour {
    fn from(flavour: Jws2020Flavour) -> Self {
        match flavour {
            Jws2020Flavour::GaiaX => Self::GaiaX,
            Jws2020Flavour::Spec => Self::Spec,
        }
    }
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per event (for log shippers).
    Json,
}

/// Limits on requests and the re-issuance schedule.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body in bytes (default 16 MiB, the SCS report limit); larger is 413.
    pub max_body_bytes: usize,
    /// Time a request may take, body included (default 30 s); slower is 503 with `Retry-After`.
    pub request_timeout_secs: u64,
    /// Re-issue credentials whose validity ends within this many days (default 14).
    pub reissue_window_days: u32,
    /// How often the re-issuance job runs, in seconds (default 3600; 0 disables it).
    pub reissue_interval_secs: u64,
    /// Validity of inventory self-descriptions in days (default 90, like Gaia-X compliance).
    pub credential_validity_days: u32,
    /// How far ahead of the service clock a report result's `checked_at` may lie and still
    /// count (default 300 s); results further ahead are not counted until then and the upload
    /// answer lists them under `warnings`.
    pub future_skew_secs: u64,
    /// The largest share (percent, 0..=100) of a subject's current inventory credentials one
    /// `POST /inventory` may withdraw without `?confirm=withdraw` (default: unset, any share; a
    /// snapshot that empties a section is refused either way).
    pub max_withdraw_percent: Option<u8>,
    /// Seconds a client may take to send a request's head, and the longest a keep-alive
    /// connection may stay silent between requests (default 10); slower clients are
    /// disconnected.
    pub header_read_timeout_secs: u64,
    /// Seconds without a byte moving either way after which a connection is closed (default
    /// 60; at least `request_timeout_secs + 1` is used, so that a request being answered is
    /// never cut).
    pub idle_timeout_secs: u64,
    /// Open client connections per listener (default 1024); more are answered 503 and closed.
    pub max_client_connections: usize,
    /// Longest time (seconds) a derived public document is served from memory: the compliance
    /// board behind badges, `/` and `/status`, signed presentations and status lists (default 30; 0: computed on
    /// every request). A change made through this process replaces them at once; the bound is
    /// for changes by other replicas and for results that expire with time.
    pub derived_cache_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout_secs: 30,
            reissue_window_days: 14,
            reissue_interval_secs: 3600,
            credential_validity_days: 90,
            future_skew_secs: 300,
            max_withdraw_percent: None,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_client_connections: 1024,
            derived_cache_secs: 30,
        }
    }
}

impl Limits {
    /// The request timeout as a [`Duration`].
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// The HTTPS listener.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// HTTPS listen address, e.g. `0.0.0.0:8443`.
    pub listen: SocketAddr,
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The `[verify]` section: how `POST /verify` checks credentials.
///
/// Every URL in a credential under verification (did:web documents, `x5u` chains, status
/// lists) is chosen by its author, so the default is the production policy of
/// `gxa_fetch::FetchPolicy`: https only, loopback/private/link-local/metadata addresses refused,
/// the Mozilla TLS roots only. Without `trust_anchors` the certificate chain check is skipped
/// (reported as such, with the reason); Gaia-X registries require one (the Gaia-X Trust Anchor
/// list).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct VerifyConfig {
    /// PEM bundle, or a directory of PEM files, of the roots an `x5u` chain must end in.
    pub trust_anchors: Option<PathBuf>,
    /// A Gaia-X registry (base URL) asked whether each `x5u` chain ends at one of its trust
    /// anchors, instead of `trust_anchors`.
    pub registry_url: Option<String>,
    /// Require the leaf certificate to carry the EV policy OID `2.23.140.1.1`, as production
    /// Gaia-X registries do.
    pub require_ev: bool,
    /// Hosts (`host` or `host:port`) exempt from the address guard. For tests and private
    /// deployments only: a listed host may resolve to loopback or private addresses.
    pub allow_hosts: Vec<String>,
    /// Fetch plain `http://` URLs too (tests only: anyone on the path could swap the documents).
    pub allow_http: bool,
    /// PEM bundle of TLS roots trusted besides the Mozilla set when fetching (a private PKI, a
    /// test CA). Not the same as `trust_anchors`, which judge the credential's `x5u` chain.
    pub extra_ca: Option<PathBuf>,
    /// Validate the Gaia-X shapes (check 7); loading them takes about 2 s at the first request.
    pub shapes: bool,
    /// Verifications running at once (default: the number of CPUs, at least 2).
    pub max_concurrent: usize,
    /// Verifications waiting for a slot (default 8); more are answered 503 at once.
    pub max_queued: usize,
    /// Seconds a verification may wait for a slot (default 5); then 503.
    pub queue_wait_secs: u64,
    /// Largest JSON-LD body in bytes (default 2 MiB; 413 beyond).
    pub max_jsonld_bytes: usize,
    /// Largest JWT body in bytes (default 3 MiB: base64 of nested credentials; 413 beyond).
    pub max_jwt_bytes: usize,
    /// Most JSON values in one input, JWT segments included (default 50 000); counted while
    /// parsing, before JSON-LD expansion.
    pub max_json_values: usize,
    /// Most documents in one `POST /verify` batch (a JSON array or `application/jsonl`;
    /// default 100; 413 beyond). The whole batch is one body under `max_jsonld_bytes`.
    pub max_batch: usize,
    /// Most distinct URLs fetched for one verification (did:web, x5u, status lists; default 48).
    pub max_fetches: usize,
    /// Most distinct URLs fetched from one host for one verification (default 12).
    pub max_fetches_per_host: usize,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        Self {
            trust_anchors: None,
            registry_url: None,
            require_ev: false,
            allow_hosts: Vec::new(),
            allow_http: false,
            extra_ca: None,
            shapes: true,
            max_concurrent: std::thread::available_parallelism()
                .map_or(2, std::num::NonZeroUsize::get)
                .max(2),
            max_queued: 8,
            queue_wait_secs: 5,
            max_jsonld_bytes: 2 * 1024 * 1024,
            max_jwt_bytes: 3 * 1024 * 1024,
            max_json_values: gxa_verify::DEFAULT_MAX_JSON_VALUES,
            max_batch: 100,
            max_fetches: gxa_verify::DEFAULT_MAX_FETCHES,
            max_fetches_per_host: gxa_verify::DEFAULT_MAX_FETCHES_PER_HOST,
        }
    }
}

impl VerifyConfig {
    /// The guarded fetcher's policy of this section (production defaults, loosened by
    /// `allow_http`, `allow_hosts`, `extra_ca`); also used by the partner sync.
    pub fn fetch_policy(&self) -> Result<gxa_fetch::FetchPolicy, ServiceError> {
        let config = self;
        let extra_roots = match &config.extra_ca {
            Some(path) => pem_roots(path, "verify.extra_ca")?,
            None => Vec::new(),
        };
        let policy = gxa_fetch::FetchPolicy {
            allow_http: config.allow_http,
            allowed_hosts: config.allow_hosts.clone(),
            extra_roots,
            ..gxa_fetch::FetchPolicy::default()
        };
        Ok(policy)
    }

    /// The verifier of `POST /verify` from the `[verify]` section: a guarded
    /// [`gxa_fetch::Fetcher`] (production policy unless loosened by `allow_http`, `allow_hosts`,
    /// `extra_ca`), the trust anchors (if any; without them the chain check is skipped and the
    /// report says so), the EV policy and shape validation.
    ///
    /// The service verifies like any outside party: its own did:web document, chains and status
    /// lists are fetched over the network too, so what `POST /verify` answers is what a catalogue
    /// would see.
    pub fn verifier(&self) -> Result<gxa_verify::Verifier, ServiceError> {
        let config = self;
        let fetcher = gxa_fetch::Fetcher::new(self.fetch_policy()?)
            .map_err(|e| ServiceError::Verify(format!("fetcher: {e}")))?;
        let trust_anchors = match &config.trust_anchors {
            Some(path) => Some(gxa_verify::TrustAnchors::from_path(path).map_err(|e| {
                ServiceError::Input {
                    path: path.display().to_string(),
                    message: format!("verify.trust_anchors: {e}"),
                }
            })?),
            None => None,
        };
        let mut verifier_config = gxa_verify::VerifierConfig::offline();
        verifier_config.fetcher = Some(fetcher);
        verifier_config.trust_anchors = trust_anchors;
        verifier_config.registry = config.registry_url.clone();
        verifier_config.chain_policy = gxa_verify::ChainPolicy {
            require_ev: config.require_ev,
        };
        verifier_config.shapes = config.shapes;
        verifier_config.max_input_bytes = config.max_jsonld_bytes.max(config.max_jwt_bytes);
        verifier_config.max_json_values = config.max_json_values;
        verifier_config.max_fetches = config.max_fetches;
        verifier_config.max_fetches_per_host = config.max_fetches_per_host;
        gxa_verify::Verifier::new(verifier_config).map_err(|e| ServiceError::Verify(e.to_string()))
    }
}

/// One subject: who may upload for it, and with which signing keys.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SubjectConfig {
    /// The subject id, as in the SCS reports' `subject` (e.g. `example-cloud`); also the
    /// HTTP Basic user name the SCS test runner sends.
    pub id: String,
    /// API tokens, by SHA-256 only.
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`) or allowed_signers lines
    /// (`principal ssh-ed25519 AAAA…`) allowed to sign this subject's report uploads.
    #[serde(default)]
    pub ssh_keys: Vec<String>,
    /// Report subjects this account may also submit reports and inventory for, besides its own
    /// `id`: exact names or prefixes ending in `*` (e.g. `example-k8s-*`, a KaaS subject per
    /// Kubernetes branch). A report for any other subject is refused (403).
    #[serde(default)]
    pub delegate_of: Vec<String>,
    /// Zone of this account's zone-less `checked_at` values (the test runner's `TZ`); default:
    /// the service-wide `checked_at_zone`.
    #[serde(default)]
    pub checked_at_zone: Option<String>,
}

/// One API token of a subject.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// A name for the token (unique per subject), e.g. `test-runner`.
    pub label: String,
    /// SHA-256 of the token, 64 hex digits.
    pub sha256: String,
}

/// What `gx-attest serve` runs as (`role = "…"` and `--role`: the names below, comma-separated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    /// `provider` (default): issues and serves its own credentials.
    #[default]
    Provider,
    /// `compliance`: a private clearing house: the provider routes plus the compliance and
    /// notary routes.
    Compliance,
    /// `registry`: a federation's registry: the provider routes plus the registry API of
    /// `[registry]` and the CES intake (`POST /v2/credentials-events`).
    Registry,
    /// `compliance,registry`: both, the whole clearing house of a private federation.
    ComplianceRegistry,
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Role {
    /// Whether the compliance and notary routes are served.
    pub fn is_compliance(self) -> bool {
        matches!(self, Self::Compliance | Self::ComplianceRegistry)
    }

    /// Whether the registry routes of `[registry]` are served.
    pub fn is_registry(self) -> bool {
        matches!(self, Self::Registry | Self::ComplianceRegistry)
    }

    /// Whether `POST /v2/credentials-events` takes events (a federation's own CES runs with
    /// its compliance service or its registry), and `GET` serves the events taken.
    pub fn takes_ces_events(self) -> bool {
        self != Self::Provider
    }
}

impl std::str::FromStr for Role {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut compliance = false;
        let mut registry = false;
        let mut provider = false;
        for part in s.split(',').map(str::trim) {
            match part {
                "provider" => provider = true,
                "compliance" => compliance = true,
                "registry" => registry = true,
                other => {
                    return Err(ConfigError::Invalid(format!(
                        "role {other:?}: provider, compliance, registry or compliance,registry"
                    )));
                }
            }
        }
        match (provider, compliance, registry) {
            (true, false, false) => Ok(Self::Provider),
            (false, true, false) => Ok(Self::Compliance),
            (false, false, true) => Ok(Self::Registry),
            (false, true, true) => Ok(Self::ComplianceRegistry),
            _ => Err(ConfigError::Invalid(format!(
                "role {s:?}: provider, compliance, registry or compliance,registry"
            ))),
        }
    }
}

/// `[registry]`: the Gaia-X registry API (`crate::registry`), answered against these anchors
/// and the trusted lists; chains named by URL are fetched with the `[verify]` fetch policy.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    /// The federation's own trust anchors (PEM bundle or directory); optional when trusted
    /// lists are configured.
    #[serde(default)]
    pub trust_anchors: Option<PathBuf>,
    /// Require the EV policy OID on leaf certificates (as production Gaia-X registries do:
    /// `evsslonly`).
    #[serde(default)]
    pub require_ev: bool,
    /// ETSI TS 119 612 trusted lists whose granted CA services are trust anchors too.
    #[serde(default)]
    pub trusted_lists: Vec<TrustedListSection>,
    /// The trusted issuers per service type (`registration-notary`, `compliance`, …): DIDs
    /// served at `GET /v2/api/trusted-issuers/{serviceType}`.
    #[serde(default)]
    pub trusted_issuers: std::collections::BTreeMap<String, Vec<String>>,
}

/// `[[registry.trusted_lists]]`: one ETSI TS 119 612 trusted list, read from `url` (through
/// the `[verify]` fetch policy) or `path`, verified with `signers`, re-read every
/// `refresh_secs` and before its `NextUpdate`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TrustedListSection {
    /// A short name for logs, metrics and the status route (letters, digits, `-`, `_`).
    pub name: String,
    /// Where the list is published (https).
    #[serde(default)]
    pub url: Option<String>,
    /// A local copy of the list (instead of `url`).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// The certificates the list's operator signs with (PEM): only these are tried.
    pub signers: PathBuf,
    /// Seconds between refreshes (default 21 600: six hours; a list is also re-read at its
    /// `NextUpdate`; a failed refresh is retried after a tenth of this, 30 s to 15 min).
    #[serde(default = "default_list_refresh")]
    pub refresh_secs: u64,
    /// Service type identifiers whose certificates are anchors (default: CA/QC and CA/PKC).
    #[serde(default)]
    pub service_types: Option<Vec<String>>,
    /// Largest list read (bytes, default 16 MiB).
    #[serde(default = "default_list_max_bytes")]
    pub max_bytes: usize,
    /// Where the last good list is kept, so that a restart without network starts from it
    /// (re-verified when read).
    #[serde(default)]
    pub cache: Option<PathBuf>,
}

fn default_list_refresh() -> u64 {
    21_600
}

fn default_list_max_bytes() -> usize {
    gxa_trustlist::DEFAULT_MAX_BYTES
}

/// `[ces]`: publishing the change log to Credential Event Services (`gxa_ces::publish`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CesSection {
    /// The CES endpoints (`https://…/v2/credentials-events`).
    pub publish: Vec<String>,
    /// How often a round runs, in seconds (default 30; a failing target waits longer, doubling
    /// up to 15 minutes).
    #[serde(default = "default_ces_interval")]
    pub interval_secs: u64,
    /// Events per target and round (default 50).
    #[serde(default = "default_ces_batch")]
    pub batch: u32,
    /// Time-out of one request in seconds (default 10).
    #[serde(default = "default_ces_timeout")]
    pub timeout_secs: u64,
    /// Extra TLS roots for the targets (a private PKI, a test CA).
    #[serde(default)]
    pub extra_ca: Option<PathBuf>,
    /// Allow `http://` targets (tests only).
    #[serde(default)]
    pub allow_http: bool,
}

fn default_ces_interval() -> u64 {
    30
}

fn default_ces_batch() -> u32 {
    50
}

fn default_ces_timeout() -> u64 {
    10
}

/// `[compliance]`: the compliance role (`serve --role compliance`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ComplianceSection {
    /// DIDs of the notaries whose registration-number credentials count. Default: this
    /// service's own DID (its notary routes sign with its key set).
    pub trusted_notaries: Vec<String>,
    /// DIDs of the conformity assessment bodies whose certifications of criteria count for
    /// labels 2 and 3 (`gxa_clearing::certification`). Default: none.
    pub trusted_assessors: Vec<String>,
    /// Roots the `x5u` chains of presented credentials must end in (PEM bundle or directory).
    /// Without them the chain check is skipped (and reported so).
    pub trust_anchors: Option<PathBuf>,
    /// Require the EV policy OID on `x5u` leaf certificates (production Gaia-X registries).
    pub require_ev: bool,
    /// Hosts exempt from the fetch address guard (tests, private deployments).
    pub allow_hosts: Vec<String>,
    /// Fetch `http://` did:web documents and chains (tests only).
    pub allow_http: bool,
    /// Extra TLS roots for fetching (a private PKI, a test CA).
    pub extra_ca: Option<PathBuf>,
    /// Validate the presented credentials against the Gaia-X shapes.
    pub shapes: bool,
    /// Validity of compliance credentials in days (default 90).
    pub validity_days: u32,
    /// Validity in seconds instead of days (for tests of renewal).
    pub validity_secs: Option<u64>,
    /// `gx:rulesVersion` of Loire label credentials.
    pub rules_version: String,
}

impl Default for ComplianceSection {
    fn default() -> Self {
        Self {
            trusted_notaries: Vec::new(),
            trusted_assessors: Vec::new(),
            trust_anchors: None,
            require_ev: false,
            allow_hosts: Vec::new(),
            allow_http: false,
            extra_ca: None,
            shapes: true,
            validity_days: 90,
            validity_secs: None,
            rules_version: "CD24.11".to_owned(),
        }
    }
}

/// `[clearing]`: the provider's clearing-house client.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClearingSection {
    /// The store subject whose credentials are presented (the participant).
    pub participant: String,
    /// The compliance service's base URL (before `/v1/api/…` and `/v2/api/…`).
    pub compliance_url: String,
    /// The compliance service's DID, if its answers must come from that one.
    #[serde(default)]
    pub compliance_did: Option<String>,
    /// The notary's base URL (before `/v1/registrationNumberVC`, `/v2/registration-numbers`).
    pub notary_url: String,
    /// `vat-id`, `lei-code`, `eori`, `tax-id` or `country-company-number` (Loire only).
    pub registration_type: String,
    /// The registration number (a country company number as `CC:NUMBER` or
    /// `CC:QUALIFIER:NUMBER`).
    pub registration_number: String,
    /// Profiles to obtain compliance credentials in (`loire`, `tagus`); default `["loire"]`.
    #[serde(default = "default_clearing_profiles")]
    pub profiles: Vec<String>,
    /// Further clearing houses, asked in order when the ones before are unavailable (5xx, 429,
    /// time-outs after every retry); a refusal is not taken elsewhere.
    #[serde(default)]
    pub fallback: Vec<FallbackOperator>,
    /// A Gaia-X registry (base URL, before `/v2/api/…`) that `clearing check` asks whether it
    /// accepts the participant's chain (`POST /v2/api/trustAnchor/chain/file`).
    #[serde(default)]
    pub registry_url: Option<String>,
    /// The Loire level to ask for: `SC` (standard compliance, the default), `L1`, `L2` or
    /// `L3` (Gaia-X labels, judged by the Compliance Document's criteria).
    #[serde(default = "default_clearing_level")]
    pub level: String,
    /// Renew a compliance credential ending within this many days (default 14).
    #[serde(default = "default_renewal_days")]
    pub renewal_window_days: u32,
    /// The renewal window in seconds instead of days (for tests).
    #[serde(default)]
    pub renewal_window_secs: Option<u64>,
    /// Files each holding a conformity assessment body's certification of compliance
    /// criteria (a compact VC-JWT of type `CriteriaCertification`), presented with the Loire
    /// credentials: the evidence labels 2 and 3 ask for.
    #[serde(default)]
    pub certifications: Vec<PathBuf>,
    /// How often the renewal scheduler looks, in seconds (0 = off; default 3600).
    #[serde(default = "default_renewal_interval")]
    pub renewal_interval_secs: u64,
    /// Time per request in seconds (default 60).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Attempts per request, retries included (default 5).
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// First retry delay in milliseconds, doubled per attempt (default 1000).
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
    /// Allow `http://` service URLs (tests only).
    #[serde(default)]
    pub allow_http: bool,
    /// Extra TLS roots for the services' https (a private PKI, a test CA).
    #[serde(default)]
    pub extra_ca: Option<PathBuf>,
}

/// A further clearing house of `[clearing]` (`[[clearing.fallback]]`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FallbackOperator {
    /// Its compliance service's base URL.
    pub compliance_url: String,
    /// The DID its answers must carry, if a particular one.
    #[serde(default)]
    pub compliance_did: Option<String>,
}

fn default_clearing_level() -> String {
    "SC".to_owned()
}
fn default_clearing_profiles() -> Vec<String> {
    vec!["loire".to_owned()]
}
fn default_renewal_days() -> u32 {
    14
}
fn default_renewal_interval() -> u64 {
    3600
}
fn default_timeout() -> u64 {
    60
}
fn default_attempts() -> u32 {
    5
}
fn default_backoff() -> u64 {
    1000
}

/// The `[inventory]` section.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct InventorySection {
    /// The sources: the TOML file `gx-attest inventory pull --config` reads (`[openstack]`,
    /// `[netbox]`, `[[redfish]]`), read again at every pull.
    pub sources: PathBuf,
    /// The subject (a configured account) the inventory describes.
    pub subject: String,
    /// `clouds.yaml` cloud name, instead of the file's `[openstack] cloud` (like `OS_CLOUD`).
    #[serde(default)]
    pub os_cloud: Option<String>,
    /// Seconds between pulls (default 3600).
    #[serde(default = "default_interval")]
    pub interval_secs: u64,
    /// Up to this many seconds are added at random to every wait (default 60), so that
    /// replicas and providers do not pull in step.
    #[serde(default = "default_jitter")]
    pub jitter_secs: u64,
    /// Wait after a failed pull (default 60), doubled after each further failure, at most
    /// `interval_secs`.
    #[serde(default = "default_retry")]
    pub retry_secs: u64,
}

fn default_interval() -> u64 {
    3600
}
fn default_jitter() -> u64 {
    60
}
fn default_retry() -> u64 {
    60
}

impl InventorySection {
    /// Checks the section at start: the subject is configured, the sources file reads.
    pub fn check(&self, subjects: &[SubjectConfig]) -> Result<(), ConfigError> {
        if !subjects.iter().any(|s| s.id == self.subject) {
            return Err(ConfigError::Invalid(format!(
                "inventory.subject {:?} is not a configured subject",
                self.subject
            )));
        }
        if self.interval_secs == 0 {
            return Err(ConfigError::Invalid(
                "inventory.interval_secs must be positive".to_owned(),
            ));
        }
        gxa_sources::PullConfig::load(&self.sources)
            .map(|_| ())
            .map_err(|e| ConfigError::Invalid(format!("inventory.sources: {e}")))
    }
}

/// The certificates of a PEM bundle (`what` names the setting in errors); at least one.
pub(crate) fn pem_roots(
    path: &Path,
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, ServiceError> {
    let input = |message: String| ServiceError::Input {
        path: path.display().to_string(),
        message,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| input(format!("{what}: {e}")))?
        .collect::<Result<_, _>>()
        .map_err(|e| input(format!("{what}: not PEM certificates: {e}")))?;
    if certs.is_empty() {
        return Err(input(format!("{what}: no certificate")));
    }
    Ok(certs)
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

fn default_max_connections() -> u32 {
    10
}

fn default_profiles() -> Vec<String> {
    vec!["tagus".to_owned(), "loire".to_owned()]
}

fn default_zone() -> String {
    "UTC".to_owned()
}

impl Config {
    /// A configuration with defaults for everything but the base URL and the key set.
    pub fn new(base_url: impl Into<String>, key_set: impl Into<PathBuf>) -> Self {
        Self {
            listen: default_listen(),
            base_url: base_url.into(),
            data_dir: default_data_dir(),
            database_url: None,
            max_connections: default_max_connections(),
            key_set: key_set.into(),
            profiles: default_profiles(),
            jws2020_flavour: Jws2020Flavour::default(),
            scopes: Vec::new(),
            checked_at_zone: default_zone(),
            provider: None,
            log_format: LogFormat::Text,
            limits: Limits::default(),
            tls: None,
            verify: VerifyConfig::default(),
            subjects: Vec::new(),
            dev_tokens: Vec::new(),
            partners: Vec::new(),
            partner_sync: gxa_partners::SyncOptions::default(),
            role: Role::default(),
            ops: OpsConfig::default(),
            inventory: None,
            compliance: ComplianceSection::default(),
            clearing: None,
            ces: None,
            registry: None,
        }
    }

    /// Parses TOML text; `origin` names it in errors. Relative paths in it stay relative (to the
    /// working directory); use [`Config::from_file`] to resolve them against the file.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|source| ConfigError::Toml {
            path: origin.to_owned(),
            source,
        })?;
        Ok(config)
    }

    /// Reads a TOML file; relative paths in it are resolved against the file's directory, so a
    /// mounted `/etc/gx-attest/` works from any working directory.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut config = Self::from_toml(&text, &path.display().to_string())?;
        if let Some(base) = path.parent() {
            config.resolve_relative_to(base);
        }
        Ok(config)
    }

    fn resolve_relative_to(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.data_dir);
        fix(&mut self.key_set);
        self.scopes.iter_mut().for_each(fix);
        if let Some(p) = &mut self.provider {
            fix(p);
        }
        if let Some(tls) = &mut self.tls {
            fix(&mut tls.cert);
            fix(&mut tls.key);
        }
        if let Some(p) = &mut self.verify.trust_anchors {
            fix(p);
        }
        if let Some(p) = &mut self.verify.extra_ca {
            fix(p);
        }
        let fix_some = |p: &mut Option<PathBuf>| {
            if let Some(p) = p {
                fix(p);
            }
        };
        fix_some(&mut self.compliance.trust_anchors);
        fix_some(&mut self.compliance.extra_ca);
        if let Some(r) = &mut self.registry {
            fix_some(&mut r.trust_anchors);
            for list in &mut r.trusted_lists {
                fix(&mut list.signers);
                fix_some(&mut list.path);
                fix_some(&mut list.cache);
            }
        }
        if let Some(c) = &mut self.clearing {
            fix_some(&mut c.extra_ca);
        }
    }

    /// Checks what the types cannot: URL shape, hash syntax, limits, unique ids.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(m));
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://"))
            || self.base_url.ends_with('/')
        {
            return invalid(format!(
                "base_url {:?} must be an http(s) URL without a trailing slash",
                self.base_url
            ));
        }
        if self.profiles.is_empty() {
            return invalid("profiles must name at least one of tagus, loire".to_owned());
        }
        match (self.role.is_registry(), self.registry.is_some()) {
            (true, false) => {
                return invalid(
                    "the registry role needs a [registry] section (trust_anchors, trusted_lists)"
                        .to_owned(),
                );
            }
            (false, true) => {
                return invalid(
                    "[registry] is served by the registry role: serve --role registry or \
                     --role compliance,registry (role = \"compliance,registry\")"
                        .to_owned(),
                );
            }
            _ => {}
        }
        for profile in &self.profiles {
            if let Err(err) = profile.parse::<gxa_credential::Profile>() {
                return invalid(err.to_string());
            }
        }
        if self.max_connections == 0 {
            return invalid("max_connections must be at least 1".to_owned());
        }
        if self.limits.max_body_bytes == 0 || self.limits.request_timeout_secs == 0 {
            return invalid(
                "limits.max_body_bytes and limits.request_timeout_secs must be positive".to_owned(),
            );
        }
        let limits = &self.limits;
        if limits.header_read_timeout_secs == 0 || limits.max_client_connections == 0 {
            return invalid(
                "limits.header_read_timeout_secs and limits.max_client_connections must be positive"
                    .to_owned(),
            );
        }
        if self.limits.max_withdraw_percent.is_some_and(|p| p > 100) {
            return invalid("limits.max_withdraw_percent is a percentage, 0..=100".to_owned());
        }
        let mut seen = std::collections::BTreeSet::new();
        for subject in &self.subjects {
            if subject.id.is_empty() || !seen.insert(subject.id.as_str()) {
                return invalid(format!(
                    "subject id {:?} is empty or listed twice",
                    subject.id
                ));
            }
            for pattern in &subject.delegate_of {
                let stem = pattern.strip_suffix('*').unwrap_or(pattern);
                if stem.is_empty() || stem.contains('*') {
                    return invalid(format!(
                        "subject {}: delegate_of entry {pattern:?} must be a subject name or a \
                         non-empty prefix ending in *",
                        subject.id
                    ));
                }
            }
            if let Some(zone) = &subject.checked_at_zone
                && let Err(e) = gxa_scs::CheckedAtZone::named(zone)
            {
                return invalid(format!("subject {}: checked_at_zone: {e}", subject.id));
            }
            for token in &subject.tokens {
                if token.sha256.len() != 64 || !token.sha256.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return invalid(format!(
                        "subject {}: token {:?}: sha256 must be 64 hex digits",
                        subject.id, token.label
                    ));
                }
            }
        }
        for partner in &self.partners {
            partner
                .validate()
                .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        }
        self.partner_sync
            .validate()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for (subject, token) in &self.dev_tokens {
            if token.len() < 16 {
                return invalid(format!(
                    "development token of {subject}: at least 16 characters"
                ));
            }
        }
        Ok(())
    }

    /// The database URL: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }
}

/// Parses `SUBJECT=TOKEN` (the `--dev-token` flag, `GXA_DEV_TOKENS` entries).
pub fn parse_dev_token(text: &str) -> Result<(String, String), ConfigError> {
    match text.split_once('=') {
        Some((subject, token)) if !subject.is_empty() && !token.is_empty() => {
            Ok((subject.to_owned(), token.to_owned()))
        }
        _ => Err(ConfigError::Invalid(
            "a development token is SUBJECT=TOKEN".to_owned(),
        )),
    }
}

/// The OpenSSH public key (`type base64`) of a configured key line, which may be a public key
/// line (`ssh-ed25519 AAAA… comment`) or an allowed_signers line (`principals [options] type
/// base64`). The key is parsed (through [`gxa_scs::AllowedSigners`]), so a typo fails at start,
/// not at the first upload.
pub fn ssh_public_key(line: &str) -> Result<String, ConfigError> {
    let line = line.trim();
    let is_key_type = |t: &str| t.starts_with("ssh-") || t.starts_with("ecdsa-");
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let key_at = tokens.iter().position(|t| is_key_type(t));
    let (key_type, key_b64) = match key_at.and_then(|i| Some((tokens[i], *tokens.get(i + 1)?))) {
        Some(pair) => pair,
        None => {
            return Err(ConfigError::Invalid(format!(
                "not an OpenSSH public key or allowed_signers line: {line:?}"
            )));
        }
    };
    let key = format!("{key_type} {key_b64}");
    gxa_scs::AllowedSigners::parse(&format!("check@gx-attest {key}"))
        .map_err(|err| ConfigError::Invalid(format!("SSH key {key_type}: {err}")))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJKyfYAdy4uVKutdDSod4vhZfOAh3mcrW9d2cXU9uJ3";

    #[test]
    fn ssh_keys_from_either_line_form() {
        assert_eq!(ssh_public_key(&format!("{KEY} me@host")).unwrap(), KEY);
        assert_eq!(ssh_public_key(&format!("mail@csp.eu {KEY}")).unwrap(), KEY);
        assert_eq!(
            ssh_public_key(&format!("a@b namespaces=\"report\" {KEY}")).unwrap(),
            KEY
        );
        assert!(ssh_public_key("mail@csp.eu").is_err());
        assert!(ssh_public_key("ssh-ed25519 AAAAnotbase64!").is_err());
    }

    #[test]
    fn toml_round_trip_and_validation() {
        let text = r#"
            base_url = "https://provider.example"
            key_set = "keys"
            [limits]
            max_body_bytes = 1000
            [[subjects]]
            id = "example-cloud"
            tokens = [{ label = "runner", sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" }]
        "#;
        let config = Config::from_toml(text, "test").unwrap();
        config.validate().unwrap();
        assert_eq!(config.limits.max_body_bytes, 1000);
        assert_eq!(config.limits.request_timeout_secs, 30);
        assert_eq!(config.listen, default_listen());

        let unknown = text.replace("key_set", "keyset");
        assert!(matches!(
            Config::from_toml(&unknown, "t"),
            Err(ConfigError::Toml { .. })
        ));
        let slash = text.replace("provider.example\"", "provider.example/\"");
        assert!(Config::from_toml(&slash, "t").unwrap().validate().is_err());
        let short = text.replace("00112233", "0011");
        assert!(Config::from_toml(&short, "t").unwrap().validate().is_err());
        let profile = format!("profiles = [\"danube\"]\n{text}");
        assert!(
            Config::from_toml(&profile, "t")
                .unwrap()
                .validate()
                .is_err()
        );
    }

    #[test]
    fn verify_section_defaults_to_the_production_policy() {
        let base = "base_url = \"https://provider.example\"\nkey_set = \"keys\"\n";
        let config = Config::from_toml(base, "t").unwrap();
        assert_eq!(config.verify, VerifyConfig::default());
        assert!(!config.verify.allow_http);
        assert!(config.verify.allow_hosts.is_empty());
        assert!(config.verify.trust_anchors.is_none());
        assert!(config.verify.shapes);
        let text = format!(
            "{base}[verify]\ntrust_anchors = \"anchors.pem\"\nrequire_ev = true\n\
             allow_hosts = [\"localhost:8443\"]\nextra_ca = \"ca.pem\"\nshapes = false\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gx.toml");
        std::fs::write(&path, text).unwrap();
        let config = Config::from_file(&path).unwrap();
        assert_eq!(
            config.verify.trust_anchors,
            Some(dir.path().join("anchors.pem"))
        );
        assert_eq!(config.verify.extra_ca, Some(dir.path().join("ca.pem")));
        assert!(config.verify.require_ev && !config.verify.shapes);
        assert_eq!(config.verify.allow_hosts, vec!["localhost:8443".to_owned()]);
        let unknown = format!("{base}[verify]\nallow_host = [\"x\"]\n");
        assert!(Config::from_toml(&unknown, "t").is_err());
    }

    #[test]
    fn roles_and_the_registry_section_go_together() {
        for (text, role) in [
            ("provider", Role::Provider),
            ("compliance", Role::Compliance),
            ("registry", Role::Registry),
            ("compliance,registry", Role::ComplianceRegistry),
            ("registry, compliance", Role::ComplianceRegistry),
        ] {
            assert_eq!(text.parse::<Role>().unwrap(), role, "{text}");
        }
        for bad in ["", "notary", "provider,registry", "compliance,compliance,x"] {
            assert!(bad.parse::<Role>().is_err(), "{bad}");
        }
        assert!(Role::ComplianceRegistry.is_compliance() && Role::ComplianceRegistry.is_registry());
        assert!(!Role::Registry.is_compliance() && Role::Registry.takes_ces_events());
        assert!(!Role::Provider.takes_ces_events());

        let base = "base_url = \"https://registry.example\"\nkey_set = \"keys\"\n";
        let section = "[registry]\n\n[[registry.trusted_lists]]\nname = \"de\"\npath = \"de.xml\"\n\
                       signers = \"de.pem\"\ncache = \"cache/de.xml\"\n";
        let message = |text: &str| {
            Config::from_toml(text, "t")
                .unwrap()
                .validate()
                .unwrap_err()
                .to_string()
        };
        assert!(
            message(&format!("{base}role = \"registry\"\n")).contains("needs a [registry] section")
        );
        assert!(message(&format!("{base}{section}")).contains("--role registry"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gx.toml");
        std::fs::write(
            &path,
            format!("{base}role = \"registry,compliance\"\n{section}"),
        )
        .unwrap();
        let config = Config::from_file(&path).unwrap();
        config.validate().unwrap();
        let registry = config.registry.unwrap();
        assert_eq!(registry.trust_anchors, None);
        let list = &registry.trusted_lists[0];
        assert_eq!(
            list.signers,
            dir.path().join("de.pem"),
            "relative to the file"
        );
        assert_eq!(list.path, Some(dir.path().join("de.xml")));
        assert_eq!(list.cache, Some(dir.path().join("cache/de.xml")));
        assert_eq!(list.refresh_secs, 21_600);
        assert_eq!(list.max_bytes, gxa_trustlist::DEFAULT_MAX_BYTES);
    }

    #[test]
    fn dev_tokens_parse() {
        assert_eq!(
            parse_dev_token("s=0123456789abcdef").unwrap(),
            ("s".to_owned(), "0123456789abcdef".to_owned())
        );
        assert!(parse_dev_token("=x").is_err());
        assert!(parse_dev_token("nothing").is_err());
    }
}
