//! NetBox 4.x REST: regions, sites and devices, `limit` + `next` paging, both token styles
//! (`Authorization: Token <40 hex>`, and v2 `Bearer nbt_<key>.<token>`).
//!
//! Output: the export `gxa_inventory::input::netbox` reads, with exactly the fields it maps:
//! regions `{slug, name, parent}` (parent by slug), sites `{slug, name, region, physical_address,
//! custom_fields: {country_code, availability_zones}}`, devices `{name, site, serial,
//! device_type: {manufacturer, model}, role, custom_fields: {availability_zone}}`. The custom
//! fields are read under the provider's names ([`NetBoxFields`]) and written under those;
//! select and multiselect values (`{"value", "label"}` objects) become their `value`.
//! A device without a name is left out with a warning.

use serde_json::{Map, Value, json};

use crate::config::{HttpConfig, NetBoxConfig, NetBoxFields, secret};
use crate::error::SourceError;
use crate::http::{Http, Trust, endpoint, join};

const ORIGIN: &str = "netbox";

/// A NetBox client.
#[derive(Debug, Clone)]
pub struct NetBox {
    http: Http,
    base: String,
    authorization: String,
    fields: NetBoxFields,
}

impl NetBox {
    /// From `[netbox]`; reads the token from its file or variable.
    pub fn new(cfg: &NetBoxConfig, http: &HttpConfig) -> Result<Self, SourceError> {
        let token = secret(
            ORIGIN,
            "token",
            cfg.token_file.as_deref(),
            cfg.token_env.as_deref(),
        )?;
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("Token "))
            .unwrap_or(&token)
            .to_owned();
        let authorization = if token.starts_with("nbt_") {
            format!("Bearer {token}")
        } else {
            format!("Token {token}")
        };
        let trust = Trust {
            ca_file: cfg.ca_file.as_deref(),
            ..Trust::default()
        };
        Ok(Self {
            http: Http::new(ORIGIN, http, &trust)?,
            base: cfg
                .url
                .trim_end_matches('/')
                .trim_end_matches("/api")
                .to_owned(),
            authorization,
            fields: cfg.custom_fields.clone(),
        })
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.http.requests()
    }

    async fn list(&self, path: &str) -> Result<Vec<Value>, SourceError> {
        let mut url = format!("{}/api/{path}/?limit={}", self.base, self.http.page_size());
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let headers = [("Authorization", self.authorization.as_str())];
        loop {
            if !seen.insert(url.clone()) {
                return Err(self.invalid(&url, "paging repeats a page"));
            }
            let page = self.http.get_json(&url, &headers).await?;
            let results = page
                .get("results")
                .and_then(Value::as_array)
                .ok_or_else(|| self.invalid(&url, "no \"results\" list"))?;
            out.extend(results.iter().cloned());
            match page.get("next").and_then(Value::as_str) {
                Some(n) => url = join(&url, n).map_err(|e| self.invalid(&url, e))?,
                None => break,
            }
        }
        tracing::debug!(source = ORIGIN, path, count = out.len(), "listed");
        Ok(out)
    }

    fn invalid(&self, url: &str, message: impl Into<String>) -> SourceError {
        SourceError::Invalid {
            origin: ORIGIN.into(),
            endpoint: endpoint(&reqwest::Method::GET, url),
            message: message.into(),
        }
    }

    /// Regions, sites and devices as the export; warnings for what was left out.
    pub async fn pull(&self, warnings: &mut Vec<String>) -> Result<Value, SourceError> {
        let (regions, sites, devices) = tokio::try_join!(
            self.list("dcim/regions"),
            self.list("dcim/sites"),
            self.list("dcim/devices")
        )?;
        let f = &self.fields;
        let regions: Vec<Value> = regions
            .iter()
            .map(|r| {
                let mut m = Map::new();
                copy(r, &mut m, &["slug", "name"]);
                if let Some(p) = slug(r.get("parent")) {
                    m.insert("parent".into(), json!(p));
                }
                Value::Object(m)
            })
            .collect();
        let sites: Vec<Value> = sites
            .iter()
            .map(|s| {
                let mut m = Map::new();
                copy(s, &mut m, &["slug", "name"]);
                if let Some(r) = slug(s.get("region")) {
                    m.insert("region".into(), json!(r));
                }
                if let Some(a) = s.get("physical_address").and_then(Value::as_str)
                    && !a.is_empty()
                {
                    m.insert("physical_address".into(), json!(a));
                }
                let cf = s.get("custom_fields");
                let mut c = Map::new();
                if let Some(v) = cf.and_then(|c| c.get(&f.site_country)).and_then(choice) {
                    c.insert("country_code".into(), json!(v));
                }
                let zones: Vec<String> = match cf.and_then(|c| c.get(&f.site_availability_zones)) {
                    Some(Value::Array(items)) => items.iter().filter_map(choice).collect(),
                    Some(v) => choice(v).into_iter().collect(),
                    None => Vec::new(),
                };
                if !zones.is_empty() {
                    c.insert("availability_zones".into(), json!(zones));
                }
                m.insert("custom_fields".into(), Value::Object(c));
                Value::Object(m)
            })
            .collect();
        let mut out_devices = Vec::new();
        for d in &devices {
            let Some(name) = d
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            else {
                warnings.push(format!(
                    "netbox: device {} has no name; left out",
                    d.get("id").map(Value::to_string).unwrap_or_default()
                ));
                continue;
            };
            let mut m = Map::new();
            m.insert("name".into(), json!(name));
            if let Some(s) = slug(d.get("site")) {
                m.insert("site".into(), json!(s));
            }
            if let Some(s) = d.get("serial").and_then(Value::as_str)
                && !s.is_empty()
            {
                m.insert("serial".into(), json!(s));
            }
            if let Some(dt) = d.get("device_type") {
                let mut t = Map::new();
                if let Some(mf) = slug(dt.get("manufacturer")) {
                    t.insert("manufacturer".into(), json!(mf));
                }
                copy(dt, &mut t, &["model"]);
                m.insert("device_type".into(), Value::Object(t));
            }
            if let Some(r) = slug(d.get("role").or_else(|| d.get("device_role"))) {
                m.insert("role".into(), json!(r));
            }
            let mut c = Map::new();
            if let Some(z) = d
                .get("custom_fields")
                .and_then(|c| c.get(&f.device_availability_zone))
                .and_then(choice)
            {
                c.insert("availability_zone".into(), json!(z));
            }
            m.insert("custom_fields".into(), Value::Object(c));
            out_devices.push(Value::Object(m));
        }
        Ok(json!({"regions": regions, "sites": sites, "devices": out_devices}))
    }
}

fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.get(*k).filter(|v| !v.is_null()) {
            to.insert((*k).into(), v.clone());
        }
    }
}

/// The slug of a nested object (`{"id", "slug", …}`).
fn slug(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Object(o) => o.get("slug").and_then(Value::as_str).map(str::to_owned),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A custom-field value: a string, or a choice `{"value", "label"}`.
fn choice(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_and_slugs() {
        assert_eq!(
            choice(&json!({"value": "fra1-a", "label": "FRA1 A"})).as_deref(),
            Some("fra1-a")
        );
        assert_eq!(choice(&json!("DE")).as_deref(), Some("DE"));
        assert_eq!(choice(&json!(null)), None);
        assert_eq!(
            slug(Some(&json!({"id": 1, "slug": "fra1", "_depth": 0}))).as_deref(),
            Some("fra1")
        );
    }
}
