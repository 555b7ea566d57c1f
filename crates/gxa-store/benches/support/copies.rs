//! Copies of one credential with their own ids: the fill of the load benchmark
//! (`examples/fill.rs`) and of the store benchmark (`benches/store.rs`) share it.

use gxa_store::{CredentialFormat, NewCredential};
use jiff::Timestamp;

/// What every copy shares: the template's bytes and columns.
pub(crate) struct Template {
    body: String,
    pub(crate) id: String,
    pub(crate) issuer: String,
    types: Vec<String>,
    profile: String,
}

impl Template {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, String> {
        let json: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("template: {e}"))?;
        let text = |v: Option<&serde_json::Value>, what: &str| {
            v.and_then(|v| {
                v.as_str()
                    .or_else(|| v.get("id").and_then(|id| id.as_str()))
            })
            .map(str::to_owned)
            .ok_or_else(|| format!("template has no {what}"))
        };
        let id = text(json.get("id"), "id")?;
        let issuer = text(json.get("issuer"), "issuer")?;
        let types = match json.get("type") {
            Some(serde_json::Value::String(t)) => vec![t.clone()],
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            _ => return Err("template has no type".to_owned()),
        };
        let profile = if json.get("validFrom").is_some() {
            "loire"
        } else {
            "tagus"
        };
        let body = std::str::from_utf8(bytes)
            .map_err(|e| format!("template: {e}"))?
            .to_owned();
        Ok(Self {
            body,
            id,
            issuer,
            types,
            profile: profile.to_owned(),
        })
    }

    pub(crate) fn copy(&self, prefix: &str, n: u64, now: Timestamp) -> NewCredential {
        let id = format!("{prefix}{n:08}");
        let body = self.body.replace(&self.id, &id);
        NewCredential {
            id,
            types: self.types.clone(),
            subject: format!("bench-subject-{}", n % 1000),
            issuer: self.issuer.clone(),
            profile: self.profile.clone(),
            format: CredentialFormat::JsonLd,
            body: body.into_bytes(),
            canonical_hash: None,
            issued_at: now,
            valid_from: now,
            valid_until: Some(now + jiff::SignedDuration::from_hours(90 * 24)),
            status: None,
            evidence: None,
        }
    }
}
