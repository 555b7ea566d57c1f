//! Partner configuration: who a partner is (id, base URL, DID) and what it may attest.

use std::time::Duration;

use serde::Deserialize;

use crate::PartnerError;

/// One partner (a `[[partners]]` entry of the service configuration).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// A local name, unique among the partners: `[A-Za-z0-9._-]`, used in URLs
    /// (`/partners/{id}/rejections`) and the sync lease.
    pub id: String,
    /// The partner's gx-attest base URL (`https://…`, no trailing slash): its change feed is
    /// `{base_url}/changes`, its credentials `{base_url}/credentials/{id}`.
    pub base_url: String,
    /// The partner's DID: only credentials it issued are taken from it (each partner speaks
    /// for itself).
    pub did: String,
    /// The trust policy: which of the partner's credentials are accepted.
    #[serde(default)]
    pub policy: TrustPolicy,
    /// What `base_url` is: a gx-attest instance (`gx-attest`, the default: its change feed)
    /// or a Credential Event Service (`ces`: `base_url` is its `…/credentials-events`
    /// endpoint, and the events whose `source` is `did` are taken, each credential from the
    /// event's `data`, verified like any other).
    #[serde(default)]
    pub kind: PartnerKind,
}

/// What a partner's `base_url` serves.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerKind {
    /// A gx-attest instance: `{base_url}/changes` and `{base_url}/credentials/{id}`.
    #[default]
    GxAttest,
    /// A Gaia-X Credential Event Service endpoint, paged with `page` and `size`.
    Ces,
}

/// What a partner may attest (`policy = { types = [...], subjects = [...] }`). Empty lists
/// allow everything.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TrustPolicy {
    /// Credential types accepted from this partner: a credential is accepted when at least one
    /// of its types (its own `type` and its subjects' `type`, e.g. `ScsComplianceAttestation`,
    /// `gx:LegalParticipant`) is listed. Empty: any type.
    #[serde(default)]
    pub types: Vec<String>,
    /// Credential subject ids this partner may attest: each entry is an exact id or a prefix
    /// ending in `*` (`https://cloud.example/*`). Every subject of a credential must match one.
    /// Empty: any subject.
    #[serde(default)]
    pub subjects: Vec<String>,
}

impl TrustPolicy {
    /// The reasons a credential with these types and subject ids is outside the policy (empty:
    /// inside).
    pub fn violations(&self, types: &[String], subjects: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        if !self.types.is_empty() && !types.iter().any(|t| self.types.contains(t)) {
            out.push(format!(
                "policy: none of the types {types:?} is allowed for this partner (allowed: {:?})",
                self.types
            ));
        }
        if !self.subjects.is_empty() {
            if subjects.is_empty() {
                out.push("policy: the credential names no subject id".to_owned());
            }
            for subject in subjects {
                if !self.subjects.iter().any(|p| subject_matches(p, subject)) {
                    out.push(format!(
                        "policy: subject {subject:?} is not allowed for this partner (allowed: {:?})",
                        self.subjects
                    ));
                }
            }
        }
        out
    }
}

/// `pattern` is an exact subject id or a prefix followed by `*`.
fn subject_matches(pattern: &str, subject: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => subject.starts_with(prefix),
        None => pattern == subject,
    }
}

impl PartnerConfig {
    /// Checks the id, URL and DID.
    pub fn validate(&self) -> Result<(), PartnerError> {
        let invalid = |m: String| Err(PartnerError::Config(format!("partner {:?}: {m}", self.id)));
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return invalid("the id is one or more of A-Z a-z 0-9 . _ -".to_owned());
        }
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://"))
            || self.base_url.ends_with('/')
        {
            return invalid(format!(
                "base_url {:?} must be an http(s) URL without a trailing slash",
                self.base_url
            ));
        }
        if !self.did.starts_with("did:") {
            return invalid(format!("did {:?} is not a DID", self.did));
        }
        Ok(())
    }
}

/// How the sync runs (the `[partner_sync]` section of the service configuration).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SyncOptions {
    /// Pause between rounds after a round that reached the end of the feed, in milliseconds
    /// (default 30 000).
    pub interval_ms: u64,
    /// Longest pause after failed rounds (exponential backoff from `interval_ms`), in
    /// milliseconds (default 600 000).
    pub max_backoff_ms: u64,
    /// Entries asked for per page of a partner's change feed (1..=1000, default 100).
    pub page_size: u32,
    /// Lifetime of a partner's sync lease (one replica syncs a partner at a time), renewed
    /// after each entry, in seconds (default 60). A replica that dies holding it delays that
    /// partner's sync by at most this long.
    pub lease_secs: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            interval_ms: 30_000,
            max_backoff_ms: 600_000,
            page_size: 100,
            lease_secs: 60,
        }
    }
}

impl SyncOptions {
    /// The pause after a successful round.
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms.max(10))
    }

    /// The pause after `failures` failed rounds in a row: `interval · 2^failures`, capped.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u64 << failures.min(20);
        let max = self.max_backoff_ms.max(self.interval_ms);
        Duration::from_millis(self.interval_ms.max(10).saturating_mul(factor).min(max))
    }

    /// The lease lifetime.
    pub fn lease_ttl(&self) -> Duration {
        Duration::from_secs(self.lease_secs.max(1))
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), PartnerError> {
        if !(1..=1000).contains(&self.page_size) {
            return Err(PartnerError::Config(
                "partner_sync.page_size must be from 1 to 1000".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_types_and_subject_patterns() {
        let policy = TrustPolicy {
            types: vec!["scs:Attestation".to_owned()],
            subjects: vec!["cloud-a".to_owned(), "https://b.example/*".to_owned()],
        };
        let types = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(
            policy
                .violations(
                    &types(&["VerifiableCredential", "scs:Attestation"]),
                    &types(&["cloud-a"])
                )
                .is_empty()
        );
        assert!(
            policy
                .violations(
                    &types(&["scs:Attestation"]),
                    &types(&["https://b.example/x"])
                )
                .is_empty()
        );
        assert_eq!(
            policy
                .violations(&types(&["gx:LegalParticipant"]), &types(&["cloud-a"]))
                .len(),
            1
        );
        assert_eq!(
            policy
                .violations(&types(&["scs:Attestation"]), &types(&["cloud-b"]))
                .len(),
            1
        );
        assert_eq!(
            policy.violations(&types(&["scs:Attestation"]), &[]).len(),
            1
        );
        assert!(TrustPolicy::default().violations(&[], &[]).is_empty());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let options = SyncOptions {
            interval_ms: 100,
            max_backoff_ms: 1000,
            ..SyncOptions::default()
        };
        assert_eq!(options.backoff(0), Duration::from_millis(100));
        assert_eq!(options.backoff(1), Duration::from_millis(200));
        assert_eq!(options.backoff(3), Duration::from_millis(800));
        assert_eq!(options.backoff(4), Duration::from_millis(1000));
        assert_eq!(options.backoff(63), Duration::from_millis(1000));
    }

    #[test]
    fn partner_config_parses_and_validates() {
        let partner: PartnerConfig = serde_json::from_value(serde_json::json!({
            "id": "b", "base_url": "https://b.example", "did": "did:web:b.example",
            "policy": {"types": ["scs:Attestation"]}
        }))
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(partner.policy.types, ["scs:Attestation"]);
        assert!(partner.validate().is_ok());
        let bad = PartnerConfig {
            id: "a/b".to_owned(),
            ..partner.clone()
        };
        assert!(bad.validate().is_err());
        let bad = PartnerConfig {
            base_url: "https://b.example/".to_owned(),
            ..partner
        };
        assert!(bad.validate().is_err());
    }
}
