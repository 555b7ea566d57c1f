#![doc = include_str!("../README.md")]

pub mod config;
mod error;
mod http;
pub mod netbox;
pub mod openstack;
pub mod redfish;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub use config::PullConfig;
pub use error::SourceError;

/// What one source gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStats {
    /// `openstack`, `netbox`, `redfish <url>`.
    pub source: String,
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Records by kind (`flavors`, `images`, `hosts`, `regions`, `sites`, `devices`).
    pub items: Vec<(&'static str, usize)>,
    /// Wall time of the source's pull.
    pub duration: Duration,
}

/// The result of a successful pull.
#[derive(Debug, Clone, Default)]
pub struct Pulled {
    /// `{"flavors": [...], "images": [...]}` when OpenStack is configured.
    pub openstack: Option<Value>,
    /// Ironic and Redfish host records, sorted by host name.
    pub hosts: Vec<Value>,
    /// The NetBox export when NetBox is configured.
    pub netbox: Option<Value>,
    /// What was left out, and why.
    pub warnings: Vec<String>,
    /// Per source.
    pub stats: Vec<SourceStats>,
}

impl Pulled {
    /// The snapshot: the body of `POST /inventory` and the input of `inventory build`
    /// (fields `openstack`, `hosts`, `netbox`; absent sources left out).
    pub fn snapshot(&self) -> Value {
        let mut m = serde_json::Map::new();
        if let Some(o) = &self.openstack {
            m.insert("openstack".into(), o.clone());
        }
        m.insert("hosts".into(), Value::Array(self.hosts.clone()));
        if let Some(n) = &self.netbox {
            m.insert("netbox".into(), n.clone());
        }
        Value::Object(m)
    }

    /// HTTP requests over all sources.
    pub fn requests(&self) -> u64 {
        self.stats.iter().map(|s| s.requests).sum()
    }
}

type Part = (
    Option<Value>,
    Vec<Value>,
    Option<Value>,
    Vec<String>,
    SourceStats,
);

async fn pull_openstack(
    cfg: &config::OpenStackConfig,
    http: &config::HttpConfig,
    os_cloud: Option<&str>,
) -> Result<Part, SourceError> {
    let start = Instant::now();
    let session = openstack::session(cfg, http, os_cloud)?;
    let mut warnings = Vec::new();
    let page = http.page_size.max(1);
    let (flavors, images, hosts) = tokio::try_join!(
        async {
            if cfg.flavors {
                openstack::flavors(&session, page).await
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if cfg.images {
                openstack::images(&session, page).await
            } else {
                Ok(Vec::new())
            }
        },
        async {
            let mut w = Vec::new();
            let hosts = if cfg.baremetal {
                openstack::hosts(&session, page, http.concurrency, &mut w).await?
            } else {
                Vec::new()
            };
            Ok::<_, SourceError>((hosts, w))
        }
    )?;
    let (hosts, w) = hosts;
    warnings.extend(w);
    let stats = SourceStats {
        source: "openstack".into(),
        requests: session.requests(),
        items: vec![
            ("flavors", flavors.len()),
            ("images", images.len()),
            ("hosts", hosts.len()),
        ],
        duration: start.elapsed(),
    };
    Ok((
        Some(json!({"flavors": flavors, "images": images})),
        hosts,
        None,
        warnings,
        stats,
    ))
}

async fn pull_netbox(
    cfg: &config::NetBoxConfig,
    http: &config::HttpConfig,
) -> Result<Part, SourceError> {
    let start = Instant::now();
    let nb = netbox::NetBox::new(cfg, http)?;
    let mut warnings = Vec::new();
    let export = nb.pull(&mut warnings).await?;
    let count = |k: &str| export.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    let stats = SourceStats {
        source: "netbox".into(),
        requests: nb.requests(),
        items: vec![
            ("regions", count("regions")),
            ("sites", count("sites")),
            ("devices", count("devices")),
        ],
        duration: start.elapsed(),
    };
    Ok((None, Vec::new(), Some(export), warnings, stats))
}

async fn pull_redfish(
    cfg: &config::RedfishConfig,
    http: &config::HttpConfig,
) -> Result<Part, SourceError> {
    let start = Instant::now();
    let bmc = redfish::Bmc::new(cfg, http)?;
    let mut warnings = Vec::new();
    let hosts = bmc.pull(&mut warnings).await?;
    let stats = SourceStats {
        source: format!("redfish {}", cfg.url.trim_end_matches('/')),
        requests: bmc.requests(),
        items: vec![("hosts", hosts.len())],
        duration: start.elapsed(),
    };
    Ok((None, hosts, None, warnings, stats))
}

/// Pulls every configured source concurrently. `os_cloud` overrides `[openstack] cloud`.
pub async fn pull(cfg: &PullConfig, os_cloud: Option<&str>) -> Result<Pulled, SourceError> {
    let mut jobs: Vec<futures::future::BoxFuture<'_, Result<Part, SourceError>>> = Vec::new();
    if let Some(o) = &cfg.openstack {
        jobs.push(Box::pin(pull_openstack(o, &cfg.http, os_cloud)));
    }
    if let Some(n) = &cfg.netbox {
        jobs.push(Box::pin(pull_netbox(n, &cfg.http)));
    }
    for r in &cfg.redfish {
        jobs.push(Box::pin(pull_redfish(r, &cfg.http)));
    }
    if jobs.is_empty() {
        return Err(error::config(
            "inventory.toml",
            "no source configured ([openstack], [netbox] or [[redfish]])",
        ));
    }
    let parts = futures::future::try_join_all(jobs).await?;
    let mut out = Pulled::default();
    for (openstack, hosts, netbox, warnings, stats) in parts {
        if openstack.is_some() {
            out.openstack = openstack;
        }
        if netbox.is_some() {
            out.netbox = netbox;
        }
        out.hosts.extend(hosts);
        out.warnings.extend(warnings);
        out.stats.push(stats);
    }
    out.hosts.sort_by_key(openstack::host_name);
    Ok(out)
}
