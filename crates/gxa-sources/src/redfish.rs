//! Redfish (DMTF): `/redfish/v1/Systems` → each ComputerSystem with its Processors, Memory,
//! Storage → Drives, SimpleStorage devices and GraphicsControllers, over HTTP Basic or a
//! session (`POST /redfish/v1/SessionService/Sessions`, `X-Auth-Token`, `DELETE` of the
//! session at the end, also after a failure).
//!
//! Output per system: `{"ComputerSystem", "Processors", "Memory", "Drives"}` as
//! `gxa_inventory::input::hosts` reads it. SimpleStorage devices with a capacity become Drives
//! (`Id` = device name); GraphicsControllers become Processors with `ProcessorType: "GPU"`
//! (that is how the host mapping counts GPUs). A collection the system does not link is
//! empty; one it links but the BMC answers 404 or 501 for (some BMCs and emulators do not
//! implement every resource) is empty with a warning; any other failure fails the pull.

use base64::Engine as _;
use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::{Value, json};

use crate::config::{HttpConfig, RedfishAuth, RedfishConfig, secret};
use crate::error::SourceError;
use crate::http::{Http, Trust, endpoint};

/// One BMC.
#[derive(Debug)]
pub struct Bmc {
    http: Http,
    base: String,
    origin: String,
    username: String,
    password: String,
    auth: RedfishAuth,
}

/// An open session (token and where to delete it) or Basic credentials.
enum Login {
    Basic(String),
    Session {
        token: String,
        location: Option<String>,
    },
}

impl Login {
    fn header(&self) -> (&'static str, &str) {
        match self {
            Self::Basic(b) => ("Authorization", b),
            Self::Session { token, .. } => ("X-Auth-Token", token),
        }
    }
}

impl Bmc {
    /// From `[[redfish]]`; reads the password.
    pub fn new(cfg: &RedfishConfig, http: &HttpConfig) -> Result<Self, SourceError> {
        let base = cfg.url.trim_end_matches('/').to_owned();
        let origin = format!("redfish {base}");
        let password = secret(
            &origin,
            "password",
            cfg.password_file.as_deref(),
            cfg.password_env.as_deref(),
        )?;
        let trust = Trust {
            ca_file: cfg.ca_file.as_deref(),
            pinned_sha256: cfg.pinned_sha256.as_deref(),
            insecure: false,
        };
        Ok(Self {
            http: Http::new(&origin, http, &trust)?,
            base,
            origin,
            username: cfg.username.clone(),
            password,
            auth: cfg.auth,
        })
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.http.requests()
    }

    async fn login(&self) -> Result<Login, SourceError> {
        match self.auth {
            RedfishAuth::Basic => {
                let raw = format!("{}:{}", self.username, self.password);
                Ok(Login::Basic(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )))
            }
            RedfishAuth::Session => {
                let url = format!("{}/redfish/v1/SessionService/Sessions", self.base);
                let body = json!({"UserName": self.username, "Password": self.password});
                let ans = self.http.send(Method::POST, &url, &[], Some(&body)).await?;
                let token = ans
                    .header("X-Auth-Token")
                    .ok_or_else(|| SourceError::Invalid {
                        origin: self.origin.clone(),
                        endpoint: ans.endpoint.clone(),
                        message: "session created without X-Auth-Token".into(),
                    })?
                    .to_owned();
                let location = ans.header("Location").map(str::to_owned).or_else(|| {
                    ans.json(&self.origin)
                        .ok()?
                        .get("@odata.id")?
                        .as_str()
                        .map(str::to_owned)
                });
                Ok(Login::Session { token, location })
            }
        }
    }

    async fn logout(&self, login: &Login) {
        if let Login::Session {
            location: Some(loc),
            ..
        } = login
        {
            let url = crate::http::join(&format!("{}/", self.base), loc)
                .unwrap_or_else(|_| format!("{}{loc}", self.base));
            let (k, v) = login.header();
            if let Err(e) = self.http.send(Method::DELETE, &url, &[(k, v)], None).await {
                tracing::warn!(source = %self.origin, "logout failed: {e}");
            }
        }
    }

    fn url(&self, odata_id: &str) -> String {
        if odata_id.starts_with("http") {
            odata_id.to_owned()
        } else {
            format!("{}{odata_id}", self.base)
        }
    }

    async fn get(&self, login: &Login, odata_id: &str) -> Result<Value, SourceError> {
        let (k, v) = login.header();
        self.http.get_json(&self.url(odata_id), &[(k, v)]).await
    }

    /// A linked collection's members; 404/501 → empty with a warning.
    async fn members(
        &self,
        login: &Login,
        link: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Value>, SourceError> {
        let Some(link) = link else {
            return Ok(Vec::new());
        };
        let coll = match self.get(login, link).await {
            Ok(c) => c,
            Err(SourceError::Http {
                status: s @ (404 | 501),
                ..
            }) => {
                warnings.push(format!(
                    "{}: {link} answered HTTP {s}; taken as empty",
                    self.origin
                ));
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        let ids: Vec<String> = coll
            .get("Members")
            .and_then(Value::as_array)
            .ok_or_else(|| SourceError::Invalid {
                origin: self.origin.clone(),
                endpoint: endpoint(&Method::GET, &self.url(link)),
                message: "collection without Members".into(),
            })?
            .iter()
            .filter_map(|m| {
                m.get("@odata.id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        self.fetch_all(login, ids).await
    }

    async fn fetch_all(&self, login: &Login, ids: Vec<String>) -> Result<Vec<Value>, SourceError> {
        // Order kept (buffered, not unordered): records come out as the BMC lists them.
        stream::iter(ids)
            .map(|id| async move { self.get(login, &id).await })
            .buffered(self.http.concurrency())
            .try_collect()
            .await
    }

    /// Every system of the BMC as a host record; logs out whatever happened.
    pub async fn pull(&self, warnings: &mut Vec<String>) -> Result<Vec<Value>, SourceError> {
        let login = self.login().await?;
        let result = self.systems(&login, warnings).await;
        self.logout(&login).await;
        result
    }

    async fn systems(
        &self,
        login: &Login,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Value>, SourceError> {
        let systems = self
            .members(login, Some("/redfish/v1/Systems"), warnings)
            .await?;
        let mut out = Vec::new();
        for sys in systems {
            let link = |k: &str| {
                sys.get(k)
                    .and_then(|l| l.get("@odata.id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let mut processors = self
                .members(login, link("Processors").as_deref(), warnings)
                .await?;
            let memory = self
                .members(login, link("Memory").as_deref(), warnings)
                .await?;
            let mut drives = Vec::new();
            for storage in self
                .members(login, link("Storage").as_deref(), warnings)
                .await?
            {
                let ids: Vec<String> = storage
                    .get("Drives")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|d| {
                        d.get("@odata.id")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .collect();
                drives.extend(self.fetch_all(login, ids).await?);
            }
            for simple in self
                .members(login, link("SimpleStorage").as_deref(), warnings)
                .await?
            {
                for dev in simple
                    .get("Devices")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let (Some(name), Some(cap)) = (
                        dev.get("Name").and_then(Value::as_str),
                        dev.get("CapacityBytes").and_then(Value::as_u64),
                    ) else {
                        continue;
                    };
                    let mut d = json!({"Id": name, "Name": name, "CapacityBytes": cap});
                    for k in ["Model", "Manufacturer"] {
                        if let Some(v) = dev.get(k) {
                            d[k] = v.clone();
                        }
                    }
                    drives.push(d);
                }
            }
            for gpu in self
                .members(login, link("GraphicsControllers").as_deref(), warnings)
                .await?
            {
                let mut p = json!({"ProcessorType": "GPU"});
                for k in ["Id", "Manufacturer", "Model"] {
                    if let Some(v) = gpu.get(k) {
                        p[k] = v.clone();
                    }
                }
                processors.push(p);
            }
            out.push(json!({
                "ComputerSystem": sys,
                "Processors": processors,
                "Memory": memory,
                "Drives": drives,
            }));
        }
        Ok(out)
    }
}
