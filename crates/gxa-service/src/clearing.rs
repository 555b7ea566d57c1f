//! The provider's clearing-house client in the service: [`client`] from
//! `[clearing]` (notary, compliance service, renewal window) and the renewal scheduler that
//! `serve` runs with it, both over [`gxa_clearing::client`]. The compliance role's routes are
//! in `routes::clearing`; the configuration sections in [`crate::config`] (re-exported here).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use gxa_clearing::client::{ClearingClient, ClientConfig, HttpOptions};
use gxa_clearing::notary::NumberKind;
use gxa_clearing::{ClearingError, Profile, SigningKey};

pub use crate::config::{ClearingSection, ComplianceSection, Role};
use crate::config::{Config, ConfigError, VerifyConfig, pem_roots};
use crate::error::ServiceError;
use crate::state::AppState;
/// The client [`client`] returns.
pub use gxa_clearing::client::ClearingClient as Client;

/// The provider's clearing client from `[clearing]` (and `[verify]` for trusting answers),
/// or `None` without a `[clearing]` section.
pub async fn client(
    config: &Config,
    store: gxa_store::Store,
) -> Result<Option<ClearingClient>, ServiceError> {
    let Some(section) = &config.clearing else {
        return Ok(None);
    };
    let invalid = |m: String| ServiceError::Config(ConfigError::Invalid(format!("clearing: {m}")));
    let keys = gxa_proof::KeySet::load(&config.key_set)?;
    let key = SigningKey::from_key_set(&keys).map_err(|e| invalid(e.to_string()))?;
    // Answers are verified like any credential, with the [verify] trust settings; not against
    // the shapes: the Loire LabelCredential as GXDCH sends it does not match its own shape
    // (docs/clearing-house.md, "LabelCredential shape vs wire").
    let verifier = VerifyConfig {
        shapes: false,
        ..config.verify.clone()
    }
    .verifier()?;
    let kind: NumberKind = section
        .registration_type
        .parse()
        .map_err(|e: ClearingError| invalid(e.to_string()))?;
    let profiles = section
        .profiles
        .iter()
        .map(|p| p.parse::<Profile>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(e.to_string()))?;
    if kind.tagus_property().is_none() && profiles.contains(&Profile::Tagus) {
        return Err(invalid(format!(
            "registration_type {} has no Tagus form (a Tagus notary takes vat-id, lei-code, eori \
             or tax-id): leave tagus out of profiles",
            kind.path()
        )));
    }
    let http = HttpOptions {
        timeout: Duration::from_secs(section.timeout_secs.max(1)),
        allow_http: section.allow_http,
        extra_roots: match &section.extra_ca {
            Some(path) => pem_roots(path, "clearing.extra_ca")?,
            None => Vec::new(),
        },
        attempts: section.attempts.max(1),
        backoff: Duration::from_millis(section.backoff_ms),
        ..HttpOptions::default()
    };
    let level = section
        .level
        .parse::<gxa_criteria::Level>()
        .map_err(|e| invalid(format!("clearing.level: {e}")))?;
    let renewal_window = match section.renewal_window_secs {
        Some(s) => jiff::SignedDuration::from_secs(i64::try_from(s).unwrap_or(i64::MAX)),
        None => jiff::SignedDuration::from_hours(i64::from(section.renewal_window_days) * 24),
    };
    let certifications = section
        .certifications
        .iter()
        .map(|path| certification(path).map_err(&invalid))
        .collect::<Result<Vec<_>, _>>()?;
    let client_config = ClientConfig {
        participant: section.participant.clone(),
        base_url: config.base_url.clone(),
        compliance_url: section.compliance_url.clone(),
        compliance_did: section.compliance_did.clone(),
        fallbacks: section
            .fallback
            .iter()
            .map(|f| (f.compliance_url.clone(), f.compliance_did.clone()))
            .collect(),
        notary_url: section.notary_url.clone(),
        registration: (kind, section.registration_number.clone()),
        profiles,
        registry_url: section.registry_url.clone(),
        level,
        renewal_window,
        certifications,
        http,
    };
    let client = ClearingClient::new(store, key, verifier, client_config)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(Some(client))
}

/// A certification file of `[clearing] certifications`: a compact VC-JWT whose payload is a
/// `CriteriaCertification` credential (its proof is the compliance service's to verify).
fn certification(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("certifications: {}: {e}", path.display()))?;
    let jwt = text.trim();
    let payload = gxa_credential::compact::Compact::split(jwt)
        .and_then(|c| c.json(gxa_credential::compact::Part::Payload))
        .map_err(|e| format!("certifications: {}: not a compact JWT: {e}", path.display()))?;
    let document = payload.get("vc").unwrap_or(&payload);
    if !gxa_clearing::certification::is_certification(document) {
        return Err(format!(
            "certifications: {}: not a {} credential",
            path.display(),
            gxa_clearing::certification::CLASS
        ));
    }
    Ok(jwt.to_owned())
}

/// The key set's own identity as a clearing house would resolve it, read locally: its DID
/// document and the PEM chain its signing key's `x5u` points to (if the key set keeps a copy).
/// What `clearing check --offline` and `GET /clearing/check?offline=true` check instead of
/// fetching.
pub fn local_identity(
    config: &Config,
) -> Result<(serde_json::Value, Option<Vec<u8>>), ServiceError> {
    let keys = gxa_proof::KeySet::load(&config.key_set)?;
    let document = keys.did_document()?;
    let (_, method) = keys.signer(None)?;
    let chain = keys
        .keys
        .iter()
        .find(|k| method.ends_with(&format!("#{}", k.id)) || method == k.id)
        .and_then(|k| k.chain.as_ref())
        .map(|file| {
            let path = keys.dir().join(file);
            std::fs::read(&path).map_err(|source| ServiceError::Io {
                what: format!("the key's local chain {}", path.display()),
                source,
            })
        })
        .transpose()?;
    Ok((document, chain))
}

/// How long a result is answered again without checking anew.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// What a check is asked for: profiles, level (`None`: configured), offline.
pub(crate) type CheckKey = (Vec<Profile>, Option<gxa_criteria::Level>, bool);

/// The clearing pre-flight behind `GET /clearing/check` (`routes::preflight`): the client, the
/// key set's identity for offline checks, and the last answers.
pub struct Preflight {
    pub(crate) client: Client,
    /// The key set's DID document and chain, for `offline=true`.
    pub(crate) local: (serde_json::Value, Option<Vec<u8>>),
    /// The last answers, by what was asked; the lock is the one-at-a-time gate.
    pub(crate) last: tokio::sync::Mutex<HashMap<CheckKey, (Instant, serde_json::Value)>>,
}

impl Preflight {
    /// A pre-flight over `client`, with the key set's own identity for offline checks
    /// ([`local_identity`]).
    pub fn new(client: Client, local: (serde_json::Value, Option<Vec<u8>>)) -> Self {
        Self {
            client,
            local,
            last: tokio::sync::Mutex::new(HashMap::new()),
        }
    }
}

/// Starts the renewal scheduler of `[clearing]` (if configured, with an interval > 0).
pub(crate) async fn spawn_renewal(
    config: &Config,
    state: &AppState,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<tokio::task::JoinHandle<()>>, ServiceError> {
    let Some(section) = &config.clearing else {
        return Ok(None);
    };
    if section.renewal_interval_secs == 0 {
        return Ok(None);
    }
    let Some(client) = client(config, state.store().clone()).await? else {
        return Ok(None);
    };
    tracing::info!(compliance = %section.compliance_url, every_secs = section.renewal_interval_secs, "clearing-house renewal scheduler");
    Ok(Some(crate::schedule::spawn_periodic(
        Duration::from_secs(section.renewal_interval_secs),
        shutdown,
        move || {
            let client = client.clone();
            async move {
                match client.renew_due(jiff::Timestamp::now()).await {
                    Ok(summary) => {
                        for s in &summary.renewed {
                            tracing::info!(credential = %s.credential_id, profile = s.profile.as_str(), "compliance credential renewed");
                        }
                        for (profile, error) in &summary.failed {
                            tracing::warn!(profile = profile.as_str(), %error, "compliance renewal failed");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "compliance renewal run failed"),
                }
            }
        },
    )))
}
