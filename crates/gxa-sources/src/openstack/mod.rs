//! OpenStack: Keystone v3 authentication and catalog ([`Session`]), Nova flavors with
//! `extra_specs` (compute microversion 2.61, `marker` paging), Glance v2 images (`next`
//! paging, properties kept), Ironic nodes and their inspection inventory (baremetal
//! microversion 1.81, `next` paging, one request per node for the inventory).
//!
//! Output records are the API forms `gxa_inventory::input` reads: flavors with `id`, `name`,
//! `description`, `vcpus`, `ram`, `disk`, `OS-FLV-EXT-DATA:ephemeral`,
//! `os-flavor-access:is_public`, `extra_specs`; images with `id`, `name`, `disk_format`,
//! `container_format`, `size`, `min_disk`, `min_ram`, `visibility`, `os_hidden`, `status` and
//! every other property under `properties` (Glance's own bookkeeping fields left out); hosts as
//! `{"inventory", "plugin_data": {"pci_devices"}}`.

pub mod clouds;

use std::sync::Arc;

use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::{Map, Value, json};
use tokio::sync::RwLock;

use crate::config::HttpConfig;
use crate::error::SourceError;
use crate::http::{Http, Trust, join};
use clouds::{Cloud, Credentials, DomainRef, Scope, UserRef};

const NOVA_VERSION: &str = "2.61";
const IRONIC_VERSION: &str = "1.81";

/// A Keystone token and the catalog it came with.
#[derive(Debug, Clone)]
struct Token {
    value: String,
    catalog: Value,
}

/// An authenticated session with one cloud; re-authenticates once when a service answers 401
/// (the token expired or was revoked mid-pull).
#[derive(Debug, Clone)]
pub struct Session {
    cloud: Arc<Cloud>,
    http: Http,
    token: Arc<RwLock<Option<Token>>>,
}

fn domain_json(d: &DomainRef) -> Value {
    match d {
        DomainRef::Id(id) => json!({"id": id}),
        DomainRef::Name(n) => json!({"name": n}),
    }
}

fn user_json(u: &UserRef) -> Map<String, Value> {
    let mut m = Map::new();
    match u {
        UserRef::Id(id) => {
            m.insert("id".into(), json!(id));
        }
        UserRef::Name { name, domain } => {
            m.insert("name".into(), json!(name));
            m.insert("domain".into(), domain_json(domain));
        }
    }
    m
}

impl Session {
    /// A session for `cloud` (no request yet).
    pub fn new(cloud: Cloud, cfg: &HttpConfig) -> Result<Self, SourceError> {
        let trust = Trust {
            ca_file: cloud.cacert.as_deref(),
            pinned_sha256: None,
            insecure: !cloud.verify,
        };
        let http = Http::new("keystone", cfg, &trust)?;
        Ok(Self {
            cloud: Arc::new(cloud),
            http,
            token: Arc::new(RwLock::new(None)),
        })
    }

    /// Requests sent so far through this session (all OpenStack services).
    pub fn requests(&self) -> u64 {
        self.http.requests()
    }

    fn auth_body(&self) -> Value {
        let identity = match &self.cloud.credentials {
            Credentials::Password { user, password } => {
                let mut u = user_json(user);
                u.insert("password".into(), json!(password));
                json!({"methods": ["password"], "password": {"user": u}})
            }
            Credentials::ApplicationCredential {
                id,
                name,
                user,
                secret,
            } => {
                let mut a = Map::new();
                if let Some(id) = id {
                    a.insert("id".into(), json!(id));
                } else if let Some(name) = name {
                    a.insert("name".into(), json!(name));
                    if let Some(u) = user {
                        a.insert("user".into(), Value::Object(user_json(u)));
                    }
                }
                a.insert("secret".into(), json!(secret));
                json!({"methods": ["application_credential"], "application_credential": a})
            }
        };
        let mut auth = Map::new();
        auth.insert("identity".into(), identity);
        match &self.cloud.scope {
            Scope::Unscoped => {}
            Scope::System => {
                auth.insert("scope".into(), json!({"system": {"all": true}}));
            }
            Scope::Project { id, name, domain } => {
                let p = match (id, name) {
                    (Some(id), _) => json!({"id": id}),
                    (None, Some(n)) => json!({"name": n, "domain": domain_json(domain)}),
                    (None, None) => json!({}),
                };
                auth.insert("scope".into(), json!({"project": p}));
            }
        }
        json!({"auth": auth})
    }

    /// Authenticates (again).
    async fn authenticate(&self) -> Result<Token, SourceError> {
        let url = format!("{}/auth/tokens", self.cloud.auth_url);
        let ans = self
            .http
            .send(Method::POST, &url, &[], Some(&self.auth_body()))
            .await?;
        let value = ans
            .header("X-Subject-Token")
            .ok_or_else(|| SourceError::Invalid {
                origin: "keystone".into(),
                endpoint: ans.endpoint.clone(),
                message: "no X-Subject-Token header".into(),
            })?
            .to_owned();
        let body = ans.json("keystone")?;
        let catalog = body
            .pointer("/token/catalog")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        let token = Token { value, catalog };
        *self.token.write().await = Some(token.clone());
        Ok(token)
    }

    async fn current(&self) -> Result<Token, SourceError> {
        if let Some(t) = self.token.read().await.clone() {
            return Ok(t);
        }
        self.authenticate().await
    }

    /// The endpoint of a service type for the cloud's region and interface.
    pub async fn endpoint(&self, service_type: &str) -> Result<Option<String>, SourceError> {
        let token = self.current().await?;
        let Some(services) = token.catalog.as_array() else {
            return Ok(None);
        };
        for svc in services {
            if svc.get("type").and_then(Value::as_str) != Some(service_type) {
                continue;
            }
            for ep in svc
                .get("endpoints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let iface = ep.get("interface").and_then(Value::as_str);
                let region = ep
                    .get("region_id")
                    .or_else(|| ep.get("region"))
                    .and_then(Value::as_str);
                if iface == Some(self.cloud.interface.as_str())
                    && (self.cloud.region.is_none() || region == self.cloud.region.as_deref())
                    && let Some(url) = ep.get("url").and_then(Value::as_str)
                {
                    return Ok(Some(url.trim_end_matches('/').to_owned()));
                }
            }
        }
        Ok(None)
    }

    /// GET with the token; on 401 authenticates once more and repeats. Errors carry `origin`.
    pub(crate) async fn get(
        &self,
        origin: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Value, SourceError> {
        let mut renewed = false;
        loop {
            let token = self.current().await?;
            let mut h: Vec<(&str, &str)> = headers.to_vec();
            h.push(("X-Auth-Token", &token.value));
            match self.http.send(Method::GET, url, &h, None).await {
                Ok(ans) => return ans.json(origin),
                Err(SourceError::Auth { status: 401, .. }) if !renewed => {
                    tracing::info!(source = origin, "token refused; authenticating again");
                    self.authenticate().await?;
                    renewed = true;
                }
                Err(e) => return Err(with_origin(e, origin)),
            }
        }
    }
}

fn with_origin(e: SourceError, origin: &str) -> SourceError {
    match e {
        SourceError::Auth {
            endpoint,
            status,
            detail,
            ..
        } => SourceError::Auth {
            origin: origin.into(),
            endpoint,
            status,
            detail,
        },
        SourceError::Http {
            endpoint,
            status,
            detail,
            ..
        } => SourceError::Http {
            origin: origin.into(),
            endpoint,
            status,
            detail,
        },
        SourceError::Transport {
            endpoint, message, ..
        } => SourceError::Transport {
            origin: origin.into(),
            endpoint,
            message,
        },
        SourceError::Invalid {
            endpoint, message, ..
        } => SourceError::Invalid {
            origin: origin.into(),
            endpoint,
            message,
        },
        other @ SourceError::Config { .. } => other,
    }
}

fn invalid(origin: &str, url: &str, message: impl Into<String>) -> SourceError {
    SourceError::Invalid {
        origin: origin.into(),
        endpoint: crate::http::endpoint(&Method::GET, url),
        message: message.into(),
    }
}

fn array<'a>(
    v: &'a Value,
    key: &str,
    origin: &str,
    url: &str,
) -> Result<&'a Vec<Value>, SourceError> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(origin, url, format!("no \"{key}\" list")))
}

/// The `next` link of a Nova/Glance/Ironic page.
fn next_link(page: &Value, links_key: &str) -> Option<String> {
    if let Some(n) = page.get("next").and_then(Value::as_str) {
        return Some(n.to_owned());
    }
    page.get(links_key)?
        .as_array()?
        .iter()
        .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
        .and_then(|l| l.get("href").and_then(Value::as_str))
        .map(str::to_owned)
}

/// Guards paging: a `next` link must move on.
fn advance(
    origin: &str,
    seen: &mut std::collections::HashSet<String>,
    url: &str,
) -> Result<(), SourceError> {
    if !seen.insert(url.to_owned()) {
        return Err(invalid(origin, url, "paging repeats a page"));
    }
    Ok(())
}

/// Every flavor (public and private), with extra specs.
pub async fn flavors(s: &Session, page_size: u32) -> Result<Vec<Value>, SourceError> {
    let origin = "nova";
    let base = s.endpoint("compute").await?.ok_or_else(|| {
        invalid(
            origin,
            &s.cloud.auth_url,
            "no compute endpoint in the catalog",
        )
    })?;
    let version = format!("compute {NOVA_VERSION}");
    let headers = [
        ("OpenStack-API-Version", version.as_str()),
        ("X-OpenStack-Nova-API-Version", NOVA_VERSION),
    ];
    let mut out = Vec::new();
    let mut seen = Default::default();
    let mut marker: Option<String> = None;
    loop {
        let mut url = format!("{base}/flavors/detail?is_public=None&limit={page_size}");
        if let Some(m) = &marker {
            url.push_str("&marker=");
            url.push_str(&query_escape(m));
        }
        advance(origin, &mut seen, &url)?;
        let page = s.get(origin, &url, &headers).await?;
        let items = array(&page, "flavors", origin, &url)?;
        for f in items {
            out.push(flavor_record(f, origin, &url)?);
        }
        // Nova gives a `next` link when the page is full; its marker is the last flavor id.
        if items.is_empty() || next_link(&page, "flavors_links").is_none() {
            break;
        }
        marker = items
            .last()
            .and_then(|f| f.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    Ok(out)
}

fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn flavor_record(f: &Value, origin: &str, url: &str) -> Result<Value, SourceError> {
    let mut m = Map::new();
    for key in [
        "id",
        "name",
        "description",
        "vcpus",
        "ram",
        "disk",
        "OS-FLV-EXT-DATA:ephemeral",
        "os-flavor-access:is_public",
        "extra_specs",
    ] {
        match f.get(key) {
            None | Some(Value::Null) => {}
            Some(v) => {
                m.insert(key.into(), v.clone());
            }
        }
    }
    if !m.contains_key("extra_specs") {
        return Err(invalid(
            origin,
            url,
            "flavor without extra_specs: Nova shows them to project-scoped tokens only (is the \
             cloud system-scoped?) and from compute API 2.61",
        ));
    }
    Ok(Value::Object(m))
}

/// Glance's own bookkeeping fields, not image properties.
const GLANCE_BASE: &[&str] = &[
    "checksum",
    "created_at",
    "updated_at",
    "owner",
    "protected",
    "tags",
    "self",
    "file",
    "schema",
    "locations",
    "direct_url",
    "virtual_size",
    "stores",
];
const IMAGE_TOP: &[&str] = &[
    "id",
    "name",
    "disk_format",
    "container_format",
    "size",
    "min_disk",
    "min_ram",
    "visibility",
    "os_hidden",
    "status",
];

/// Every image visible to the user, hidden ones included (Glance leaves `os_hidden` images out
/// of a listing unless asked).
pub async fn images(s: &Session, page_size: u32) -> Result<Vec<Value>, SourceError> {
    let origin = "glance";
    let base = s.endpoint("image").await?.ok_or_else(|| {
        invalid(
            origin,
            &s.cloud.auth_url,
            "no image endpoint in the catalog",
        )
    })?;
    let root = base.trim_end_matches("/v2").to_owned();
    let mut out = Vec::new();
    for hidden in ["false", "true"] {
        let mut url = format!(
            "{root}/v2/images?limit={page_size}&os_hidden={hidden}&sort_key=created_at&sort_dir=asc"
        );
        let mut seen = Default::default();
        loop {
            advance(origin, &mut seen, &url)?;
            let page = s.get(origin, &url, &[]).await?;
            for i in array(&page, "images", origin, &url)? {
                out.push(image_record(i));
            }
            match next_link(&page, "links") {
                Some(n) => url = join(&url, &n).map_err(|e| invalid(origin, &url, e))?,
                None => break,
            }
        }
    }
    Ok(out)
}

fn image_record(i: &Value) -> Value {
    let mut m = Map::new();
    let mut props = Map::new();
    if let Some(obj) = i.as_object() {
        for (k, v) in obj {
            if v.is_null() || GLANCE_BASE.contains(&k.as_str()) {
                continue;
            }
            if IMAGE_TOP.contains(&k.as_str()) {
                m.insert(k.clone(), v.clone());
            } else {
                props.insert(k.clone(), v.clone());
            }
        }
    }
    m.insert("properties".into(), Value::Object(props));
    Value::Object(m)
}

/// Ironic nodes and their inspection inventory. A node without one (never inspected: 404)
/// is left out with a warning; any other failure fails the pull.
pub async fn hosts(
    s: &Session,
    page_size: u32,
    concurrency: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Value>, SourceError> {
    let origin = "ironic";
    let Some(base) = s.endpoint("baremetal").await? else {
        warnings.push("ironic: no baremetal endpoint in the catalog; no hosts from Ironic".into());
        return Ok(Vec::new());
    };
    let headers = [("X-OpenStack-Ironic-API-Version", IRONIC_VERSION)];
    let mut nodes = Vec::new();
    let mut url = format!("{base}/v1/nodes?fields=uuid,name&limit={page_size}");
    let mut seen = Default::default();
    loop {
        advance(origin, &mut seen, &url)?;
        let page = s.get(origin, &url, &headers).await?;
        for n in array(&page, "nodes", origin, &url)? {
            let uuid = n
                .get("uuid")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(origin, &url, "node without uuid"))?;
            nodes.push((
                uuid.to_owned(),
                n.get("name").and_then(Value::as_str).map(str::to_owned),
            ));
        }
        match next_link(&page, "links") {
            Some(n) => url = join(&url, &n).map_err(|e| invalid(origin, &url, e))?,
            None => break,
        }
    }
    let results: Vec<(String, Option<String>, Option<Value>)> = stream::iter(nodes)
        .map(|(uuid, name)| {
            let base = &base;
            let headers = &headers;
            async move {
                let url = format!("{base}/v1/nodes/{uuid}/inventory");
                match s.get(origin, &url, headers).await {
                    Ok(v) => Ok((uuid, name, Some(v))),
                    Err(SourceError::Http { status: 404, .. }) => Ok((uuid, name, None)),
                    Err(e) => Err(e),
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut out = Vec::new();
    for (uuid, name, inv) in results {
        let Some(inv) = inv else {
            warnings.push(format!(
                "ironic: node {} has no inspection inventory; left out",
                name.as_deref().unwrap_or(&uuid)
            ));
            continue;
        };
        let url = format!("{base}/v1/nodes/{uuid}/inventory");
        let inventory = inv
            .get("inventory")
            .filter(|v| v.is_object())
            .ok_or_else(|| invalid(origin, &url, "no \"inventory\" object"))?;
        let mut record = Map::new();
        record.insert("inventory".into(), inventory.clone());
        let pci = inv
            .pointer("/plugin_data/pci_devices")
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        record.insert("plugin_data".into(), json!({"pci_devices": pci}));
        out.push(Value::Object(record));
    }
    Ok(out)
}

/// The name a host record sorts by.
pub(crate) fn host_name(v: &Value) -> String {
    v.pointer("/inventory/hostname")
        .or_else(|| v.pointer("/ComputerSystem/HostName"))
        .or_else(|| v.pointer("/ComputerSystem/Id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Connects a session for the configuration.
pub fn session(
    cfg: &crate::config::OpenStackConfig,
    http: &HttpConfig,
    os_cloud: Option<&str>,
) -> Result<Session, SourceError> {
    let cloud = clouds::load_cloud(
        os_cloud.or(cfg.cloud.as_deref()),
        cfg.clouds_yaml.as_deref(),
        cfg.secure_yaml.as_deref(),
    )?;
    Session::new(cloud, http)
}

#[cfg(test)]
mod tests {
    use super::*;

    use gxa_testkit::services as support;

    /// A token revoked between two listings: the second one authenticates again and succeeds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_revoked_token_is_replaced_mid_pull() {
        let Some(s) = support::services("a_revoked_token_is_replaced_mid_pull") else {
            return;
        };
        let cloud = clouds::load_cloud(
            Some("gxs"),
            Some(&s.path("GXS_CLOUDS_YAML")),
            Some(&s.path("GXS_SECURE_YAML")),
        )
        .unwrap();
        let session = Session::new(cloud, &HttpConfig::default()).unwrap();
        let first = flavors(&session, 1000).await.unwrap();
        let old = session.current().await.unwrap().value;
        // Revoke it (Keystone: DELETE /v3/auth/tokens, the token revoking itself).
        let url = format!("{}/auth/tokens", session.cloud.auth_url);
        session
            .http
            .send(
                Method::DELETE,
                &url,
                &[("X-Auth-Token", &old), ("X-Subject-Token", &old)],
                None,
            )
            .await
            .unwrap();
        let before = session.requests();
        let second = flavors(&session, 1000).await.unwrap();
        assert_eq!(first, second);
        assert_ne!(session.current().await.unwrap().value, old);
        // The refused listing, the authentication, the listing again.
        assert_eq!(session.requests() - before, 3);
    }

    #[test]
    fn image_records_keep_properties_and_drop_bookkeeping() {
        let i = json!({"id": "u", "name": "Ubuntu", "disk_format": "qcow2", "size": null,
            "checksum": null, "os_hash_algo": null, "created_at": "x", "self": "/v2/images/u",
            "os_distro": "ubuntu", "min_disk": 8, "tags": [], "status": "queued"});
        let r = image_record(&i);
        assert_eq!(
            r,
            json!({"id": "u", "name": "Ubuntu", "disk_format": "qcow2", "min_disk": 8,
                "status": "queued", "properties": {"os_distro": "ubuntu"}})
        );
    }

    #[test]
    fn next_links_of_the_three_apis() {
        assert_eq!(
            next_link(&json!({"next": "/v2/images?marker=a"}), "links").as_deref(),
            Some("/v2/images?marker=a")
        );
        assert_eq!(
            next_link(
                &json!({"flavors_links": [{"rel": "next", "href": "http://n/v2.1/flavors/detail?marker=3"}]}),
                "flavors_links"
            )
            .as_deref(),
            Some("http://n/v2.1/flavors/detail?marker=3")
        );
        assert_eq!(next_link(&json!({"nodes": []}), "links"), None);
    }
}
