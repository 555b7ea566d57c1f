//! `inventory.toml`: which sources to pull and how to reach them.
//!
//! ```toml
//! [http]                      # all optional; the defaults are shown
//! timeout_secs = 30           # per request
//! connect_timeout_secs = 10
//! retries = 3                 # for connection errors, timeouts, 429 and 5xx
//! backoff_ms = 250            # doubled per retry
//! concurrency = 8             # requests in flight per source
//! page_size = 500             # `limit` of every paged listing
//!
//! [openstack]
//! cloud = "mycloud"           # else OS_CLOUD (or `--os-cloud`)
//! clouds_yaml = "clouds.yaml" # else openstacksdk's search path (OS_CLIENT_CONFIG_FILE, ., ~/.config/openstack, /etc/openstack)
//! secure_yaml = "secure.yaml" # else OS_CLIENT_SECURE_FILE or the same search path
//! flavors = true              # Nova
//! images = true               # Glance
//! baremetal = true            # Ironic nodes and their inspection inventory
//!
//! [netbox]
//! url = "https://netbox.example"
//! token_file = "/run/secrets/netbox"   # or token_env = "NETBOX_TOKEN"; a 40-hex v1 token or nbt_<key>.<token>
//! ca_file = "ca.pem"                   # optional extra CA bundle
//! [netbox.custom_fields]               # the provider's names of the fields we map
//! site_country = "country_code"                 # text: ISO 3166-1 alpha-2
//! site_availability_zones = "availability_zones" # multiselect (or list of strings)
//! device_availability_zone = "availability_zone" # select or text
//!
//! [[redfish]]                 # one per BMC
//! url = "https://10.1.0.17"
//! username = "admin"
//! password_file = "/run/secrets/bmc"   # or password_env
//! auth = "session"            # or "basic"
//! ca_file = "bmc-ca.pem"      # or pinned_sha256 = "<hex SHA-256 of the certificate>"
//! ```
//!
//! Secrets are only ever read from the named files or environment variables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{SourceError, config};

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullConfig {
    /// HTTP behaviour.
    #[serde(default)]
    pub http: HttpConfig,
    /// OpenStack.
    pub openstack: Option<OpenStackConfig>,
    /// NetBox.
    pub netbox: Option<NetBoxConfig>,
    /// Redfish BMCs.
    #[serde(default)]
    pub redfish: Vec<RedfishConfig>,
}

/// Timeouts, retries, concurrency and page size.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Per request, seconds.
    pub timeout_secs: u64,
    /// Connection set-up, seconds.
    pub connect_timeout_secs: u64,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First back-off, milliseconds; doubled per retry.
    pub backoff_ms: u64,
    /// Requests in flight per source.
    pub concurrency: usize,
    /// `limit` of paged listings.
    pub page_size: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout_secs: 30,
            connect_timeout_secs: 10,
            retries: 3,
            backoff_ms: 250,
            concurrency: 8,
            page_size: 500,
        }
    }
}

impl HttpConfig {
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}

fn yes() -> bool {
    true
}

/// `[openstack]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenStackConfig {
    /// Cloud name in clouds.yaml (else `OS_CLOUD`).
    pub cloud: Option<String>,
    /// clouds.yaml (else the openstacksdk search path).
    pub clouds_yaml: Option<PathBuf>,
    /// secure.yaml (else the search path).
    pub secure_yaml: Option<PathBuf>,
    /// Pull Nova flavors.
    #[serde(default = "yes")]
    pub flavors: bool,
    /// Pull Glance images.
    #[serde(default = "yes")]
    pub images: bool,
    /// Pull Ironic nodes.
    #[serde(default = "yes")]
    pub baremetal: bool,
}

/// `[netbox]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetBoxConfig {
    /// Base URL (without `/api`).
    pub url: String,
    /// File holding the token.
    pub token_file: Option<PathBuf>,
    /// Environment variable holding the token.
    pub token_env: Option<String>,
    /// Extra CA bundle (PEM).
    pub ca_file: Option<PathBuf>,
    /// Names of the custom fields mapped.
    #[serde(default)]
    pub custom_fields: NetBoxFields,
}

/// The NetBox custom fields gx-attest reads (NetBox has no availability-zone or country
/// object): their names in the provider's NetBox.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetBoxFields {
    /// Site: ISO 3166-1 alpha-2 country code (text).
    pub site_country: String,
    /// Site: its availability zones (multiselect or a list of strings).
    pub site_availability_zones: String,
    /// Device: its availability zone (select or text).
    pub device_availability_zone: String,
}

impl Default for NetBoxFields {
    fn default() -> Self {
        Self {
            site_country: "country_code".into(),
            site_availability_zones: "availability_zones".into(),
            device_availability_zone: "availability_zone".into(),
        }
    }
}

/// How a BMC is authenticated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedfishAuth {
    /// A session (`POST /redfish/v1/SessionService/Sessions`, `X-Auth-Token`, logout).
    #[default]
    Session,
    /// HTTP Basic on every request.
    Basic,
}

/// `[[redfish]]`: one BMC.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedfishConfig {
    /// Base URL (`https://host[:port]`).
    pub url: String,
    /// User name.
    pub username: String,
    /// File holding the password.
    pub password_file: Option<PathBuf>,
    /// Environment variable holding the password.
    pub password_env: Option<String>,
    /// Session or Basic.
    #[serde(default)]
    pub auth: RedfishAuth,
    /// CA bundle (PEM) for this BMC.
    pub ca_file: Option<PathBuf>,
    /// SHA-256 (hex) of the BMC's certificate (DER): that certificate and no other.
    pub pinned_sha256: Option<String>,
}

impl PullConfig {
    /// Reads and parses `inventory.toml`; relative paths in it are resolved against its
    /// directory.
    pub fn load(path: &Path) -> Result<Self, SourceError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| config(&origin, format!("cannot read: {e}")))?;
        let mut cfg: Self = toml::from_str(&text).map_err(|e| config(&origin, e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let fix = |p: &mut Option<PathBuf>| {
            if let Some(x) = p
                && x.is_relative()
            {
                *x = dir.join(&*x);
            }
        };
        if let Some(o) = &mut cfg.openstack {
            fix(&mut o.clouds_yaml);
            fix(&mut o.secure_yaml);
        }
        if let Some(n) = &mut cfg.netbox {
            fix(&mut n.token_file);
            fix(&mut n.ca_file);
        }
        for r in &mut cfg.redfish {
            fix(&mut r.password_file);
            fix(&mut r.ca_file);
        }
        Ok(cfg)
    }
}

/// A secret from a file (trimmed) or an environment variable; the error names the file or
/// variable, never the value.
pub(crate) fn secret(
    origin: &str,
    what: &str,
    file: Option<&Path>,
    env: Option<&str>,
) -> Result<String, SourceError> {
    let value = match (file, env) {
        (Some(f), _) => std::fs::read_to_string(f)
            .map_err(|e| config(origin, format!("{what}: cannot read {}: {e}", f.display())))?,
        (None, Some(v)) => std::env::var(v).map_err(|_| {
            config(
                origin,
                format!("{what}: environment variable {v} is not set"),
            )
        })?,
        (None, None) => {
            return Err(config(
                origin,
                format!("{what}: give {what}_file or {what}_env"),
            ));
        }
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(config(origin, format!("{what} is empty")));
    }
    Ok(value)
}
