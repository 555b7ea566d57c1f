#![doc = include_str!("../README.md")]
//!
//! The Gaia-X Credential Event Service (CES) wire format.
//!
//! A CES is a public notice board of credentials: `POST /v2/credentials-events` takes a
//! CloudEvent, `GET /v2/credentials-events?page=&size=&type=` lists them. The event is a
//! [CloudEvents 1.0](https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md) JSON
//! event of type `eu.gaia-x.credential`; the Gaia-X compliance service builds it as
//! `ComplianceCloudEventDTO` (`specversion` `1.0`, `type` `eu.gaia-x.credential`, `source`,
//! optional `subject`, `time`, `datacontenttype` `application/json`, the credential as `data`),
//! and clients list with `page`, `size` and `type=eu.gaia-x.credential` (`docs/ces.md` cites
//! where each was read).
//!
//! gx-attest's events come from its change log ([`of_change`]): one event per issuance,
//! re-issuance and revocation, its `id` stable per change (`change-{seq}`), so that a receiver
//! drops a repeated delivery by `source` + `id`, as CloudEvents intends (spec §3.1 `id`).

pub mod publish;

use gxa_credential::Format;
use gxa_store::{ChangeEntry, ChangeKind, StoredCredential};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The CloudEvents spec version.
pub const SPEC_VERSION: &str = "1.0";
/// The event type of Gaia-X credentials.
pub const EVENT_TYPE: &str = "eu.gaia-x.credential";
/// The CloudEvents extension attribute naming what happened (`issued`, `reissued`,
/// `revoked`); extension names are lower-case letters and digits (spec §3.1.1).
pub const CHANGE_ATTRIBUTE: &str = "gxattestchange";
/// The extension attribute naming the credential a re-issuance replaced.
pub const REPLACES_ATTRIBUTE: &str = "gxattestreplaces";

/// A CloudEvent of the CES (structured JSON mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent {
    /// `1.0`.
    pub specversion: String,
    /// Unique within `source`.
    pub id: String,
    /// Who emitted it: the issuer's DID or base URL.
    pub source: String,
    /// [`EVENT_TYPE`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// The credential's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The media type of `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// The credential (a JSON-LD object, or a VC-JWT as a string), or for a revocation the
    /// credential's id and state.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
    /// `issued`, `reissued` or `revoked` ([`CHANGE_ATTRIBUTE`]).
    #[serde(
        rename = "gxattestchange",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub change: Option<String>,
    /// The credential a re-issuance replaced ([`REPLACES_ATTRIBUTE`]).
    #[serde(
        rename = "gxattestreplaces",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub replaces: Option<String>,
}

/// Why a document is not a CES event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not a JSON object with the CloudEvents fields.
    #[error("not a CloudEvent: {0}")]
    Shape(String),
    /// A required attribute is empty or of the wrong value.
    #[error("{attribute}: {reason}")]
    Attribute {
        /// The attribute.
        attribute: &'static str,
        /// Why.
        reason: String,
    },
}

impl CloudEvent {
    /// Reads and checks an event as a CES takes it: `specversion` `1.0`, non-empty `id` and
    /// `source`, `type` [`EVENT_TYPE`], `time` RFC 3339 when present, `data` present.
    pub fn parse(value: Value) -> Result<Self, EventError> {
        let event: Self =
            serde_json::from_value(value).map_err(|e| EventError::Shape(e.to_string()))?;
        let bad = |attribute: &'static str, reason: String| {
            Err(EventError::Attribute { attribute, reason })
        };
        if event.specversion != SPEC_VERSION {
            return bad(
                "specversion",
                format!("{:?} (expected {SPEC_VERSION})", event.specversion),
            );
        }
        if event.id.trim().is_empty() {
            return bad("id", "empty".to_owned());
        }
        if event.source.trim().is_empty() {
            return bad("source", "empty".to_owned());
        }
        if event.event_type != EVENT_TYPE {
            return bad(
                "type",
                format!("{:?} (expected {EVENT_TYPE})", event.event_type),
            );
        }
        if let Some(time) = &event.time
            && time.parse::<jiff::Timestamp>().is_err()
        {
            return bad("time", format!("{time:?} is not RFC 3339"));
        }
        if event.data.is_null() {
            return bad("data", "missing (the credential)".to_owned());
        }
        Ok(event)
    }
}

/// The event of change-log entry `entry`, emitted by `source`, with the credential it names
/// (`None` when the store no longer has it: the event then carries only the id).
pub fn of_change(
    source: &str,
    entry: &ChangeEntry,
    credential: Option<&StoredCredential>,
) -> CloudEvent {
    let (datacontenttype, data) = match (entry.kind, credential) {
        (ChangeKind::Revoked, _) | (_, None) => (
            "application/json",
            json!({"id": entry.credential_id, "state": state_name(entry.kind)}),
        ),
        (_, Some(c)) => match c.format {
            Format::Jwt => (
                "application/vc+jwt",
                Value::String(String::from_utf8_lossy(&c.body).into_owned()),
            ),
            Format::JsonLd => match serde_json::from_slice::<Value>(&c.body) {
                Ok(doc) => ("application/vc+ld+json", doc),
                Err(_) => (
                    "application/json",
                    json!({"id": entry.credential_id, "state": state_name(entry.kind)}),
                ),
            },
        },
    };
    CloudEvent {
        specversion: SPEC_VERSION.to_owned(),
        id: format!("change-{}", entry.seq),
        source: source.to_owned(),
        event_type: EVENT_TYPE.to_owned(),
        subject: Some(entry.credential_id.clone()),
        time: Some(entry.recorded_at.to_string()),
        datacontenttype: Some(datacontenttype.to_owned()),
        data,
        change: Some(entry.kind.as_str().to_owned()),
        replaces: entry.previous.clone(),
    }
}

fn state_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Revoked => "revoked",
        _ => "issued",
    }
}

#[cfg(test)]
mod tests;
