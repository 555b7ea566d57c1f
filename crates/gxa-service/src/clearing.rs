//! The clearing house in the service: the compliance role's routes
//! (`serve --role compliance`) and the provider's clearing client (`[clearing]`), both from
//! [`gxa_clearing`].
//!
//! Compliance role routes (the real GXDCH paths):
//!
//! * `POST /v1/api/credential-offers?vcid=` — Tagus JSON-LD presentation → 201 JSON-LD
//!   compliance credential; refusal `409 {statusCode, message: {conforms: false, results}}`.
//! * `POST /v2/api/credential-offers/standard-compliance?vcid=` — Loire `vp+jwt` → 201
//!   `application/vc+jwt` `gx:LabelCredential`; refusal `400 {message, error, statusCode,
//!   errors}`. `label-level-1|2|3`: a 404 problem, not offered here.
//! * `POST /v1/registrationNumberVC?vcid=` and `GET /v2/registration-numbers/{type}/{value}
//!   ?vcId=&subjectId=` — the registration-number notary (format checks only; see
//!   [`gxa_clearing::notary`]).
//!
//! The error answers of these routes keep the services' own JSON shapes (clients parse them);
//! everything else is problem+json as elsewhere.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Extension, Path as UrlPath, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gxa_clearing::client::{ClearingClient, ClientConfig, HttpOptions};
use gxa_clearing::compliance::{Api, ComplianceConfig, ComplianceService, OfferError};
use gxa_clearing::notary::{Notary, NotaryConfig, NumberKind};
use gxa_clearing::{ClearingError, Profile, ServiceAnswer, SigningKey};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde::Deserialize;

use crate::config::{Config, ConfigError, VerifyConfig};
use crate::error::ApiError;
use crate::middleware::ServiceErrorBody;
use crate::server::ServiceError;
use crate::state::AppState;

/// What `gx-attest serve` runs as.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The provider (default): issues and serves its own credentials.
    #[default]
    Provider,
    /// A private clearing house: the provider routes plus the compliance and notary routes.
    Compliance,
}

impl std::str::FromStr for Role {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "provider" => Ok(Self::Provider),
            "compliance" => Ok(Self::Compliance),
            other => Err(ConfigError::Invalid(format!(
                "role {other:?}: provider or compliance"
            ))),
        }
    }
}

/// `[compliance]`: the compliance role (`serve --role compliance`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ComplianceSection {
    /// DIDs of the notaries whose registration-number credentials count. Default: this
    /// service's own DID (its notary routes sign with its key set).
    pub trusted_notaries: Vec<String>,
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
            trust_anchors: None,
            require_ev: false,
            allow_hosts: Vec::new(),
            allow_http: false,
            extra_ca: None,
            shapes: true,
            validity_days: 90,
            validity_secs: None,
            rules_version: "CD25.03".to_owned(),
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
    /// `vat-id`, `lei-code`, `eori` or `tax-id`.
    pub registration_type: String,
    /// The registration number.
    pub registration_number: String,
    /// Profiles to obtain compliance credentials in (`loire`, `tagus`); default `["loire"]`.
    #[serde(default = "default_clearing_profiles")]
    pub profiles: Vec<String>,
    /// Renew a compliance credential ending within this many days (default 14).
    #[serde(default = "default_renewal_days")]
    pub renewal_window_days: u32,
    /// The renewal window in seconds instead of days (for tests).
    #[serde(default)]
    pub renewal_window_secs: Option<u64>,
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

fn fix(base: &Path, p: &mut Option<PathBuf>) {
    if let Some(p) = p
        && p.is_relative()
    {
        *p = base.join(&*p);
    }
}

/// Resolves the sections' relative paths against the configuration file's directory.
pub(crate) fn resolve_relative_to(config: &mut Config, base: &Path) {
    fix(base, &mut config.compliance.trust_anchors);
    fix(base, &mut config.compliance.extra_ca);
    if let Some(c) = &mut config.clearing {
        fix(base, &mut c.extra_ca);
    }
}

fn pem_roots(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, ServiceError> {
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

/// The compliance role's state.
pub(crate) struct RoleState {
    compliance: ComplianceService,
    notary: Notary,
    verifier: gxa_verify::Verifier,
}

/// The routes of the configured role: the compliance and notary routes for
/// [`Role::Compliance`], none for [`Role::Provider`].
pub(crate) fn role_routes(config: &Config) -> Result<Router<AppState>, ServiceError> {
    if config.role != Role::Compliance {
        return Ok(Router::new());
    }
    let keys = gxa_proof::KeySet::load(&config.key_set)?;
    let key = SigningKey::from_key_set(&keys).map_err(|e| ServiceError::Verify(e.to_string()))?;
    let section = &config.compliance;
    let trusted = if section.trusted_notaries.is_empty() {
        vec![keys.did.clone()]
    } else {
        section.trusted_notaries.clone()
    };
    let validity = match section.validity_secs {
        Some(s) => jiff::SignedDuration::from_secs(i64::try_from(s).unwrap_or(i64::MAX)),
        None => jiff::SignedDuration::from_hours(i64::from(section.validity_days) * 24),
    };
    let mut compliance_config = ComplianceConfig::new(config.base_url.clone(), trusted);
    compliance_config.validity = validity;
    compliance_config.rules_version = section.rules_version.clone();
    let verifier = VerifyConfig {
        trust_anchors: section.trust_anchors.clone(),
        require_ev: section.require_ev,
        allow_hosts: section.allow_hosts.clone(),
        allow_http: section.allow_http,
        extra_ca: section.extra_ca.clone(),
        shapes: section.shapes,
        ..VerifyConfig::default()
    }
    .verifier()?;
    let role = Arc::new(RoleState {
        compliance: ComplianceService::new(key.clone(), compliance_config),
        notary: Notary::new(key, NotaryConfig { validity }),
        verifier,
    });
    tracing::info!(did = %keys.did, "compliance role: /v1/api/credential-offers, /v2/api/credential-offers/standard-compliance, notary routes");
    Ok(Router::new()
        .route("/v1/api/credential-offers", post(offer_v1))
        .route("/v2/api/credential-offers/{level}", post(offer_v2))
        .route("/v1/registrationNumberVC", post(notary_v1))
        .route("/v2/registration-numbers/{kind}/{value}", get(notary_v2))
        .layer(Extension(role)))
}

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
    let renewal_window = match section.renewal_window_secs {
        Some(s) => jiff::SignedDuration::from_secs(i64::try_from(s).unwrap_or(i64::MAX)),
        None => jiff::SignedDuration::from_hours(i64::from(section.renewal_window_days) * 24),
    };
    let client_config = ClientConfig {
        participant: section.participant.clone(),
        base_url: config.base_url.clone(),
        compliance_url: section.compliance_url.clone(),
        compliance_did: section.compliance_did.clone(),
        notary_url: section.notary_url.clone(),
        registration: (kind, section.registration_number.clone()),
        profiles,
        renewal_window,
        http,
    };
    let client = ClearingClient::new(store, key, verifier, client_config)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(Some(client))
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

/// An error answer in the service's own JSON shape, left alone by the problem middleware.
fn service_error(answer: &ServiceAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, Json(answer.to_json())).into_response();
    response.extensions_mut().insert(ServiceErrorBody);
    response
}

fn created(body: Vec<u8>, media_type: &'static str) -> Response {
    let mut response = (StatusCode::CREATED, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    response
}

fn body_text(body: &Bytes, api: Api) -> Result<&str, ServiceAnswer> {
    match std::str::from_utf8(body) {
        Ok(t) if !t.trim().is_empty() => Ok(t),
        Ok(_) => Err(api.bad_request("the body is empty")),
        Err(_) => Err(api.bad_request("the body is not UTF-8")),
    }
}

async fn offer(role: &RoleState, api: Api, body: &Bytes, vcid: Option<&str>) -> Response {
    let text = match body_text(body, api) {
        Ok(t) => t,
        Err(answer) => return service_error(&answer),
    };
    match role.compliance.offer(api, &role.verifier, text, vcid).await {
        Ok(credential) => {
            tracing::info!(credential = %credential.id, api = ?api, "compliance credential issued");
            created(credential.body, credential.media_type)
        }
        Err(OfferError::Refused(answer)) => {
            tracing::info!(api = ?api, answer = %answer, "compliance refused");
            service_error(&answer)
        }
        Err(OfferError::Failed(e)) => ApiError::Internal(e.to_string()).into_response(),
    }
}

/// `POST /v1/api/credential-offers?vcid=`: Tagus compliance.
#[utoipa::path(post, path = "/v1/api/credential-offers", tag = "compliance",
    params(("vcid" = Option<String>, Query, description = "Id of the compliance credential to issue (default: a new URL of this service)")),
    request_body(description = "A Tagus JSON-LD verifiable presentation", content((serde_json::Value = "application/json"))),
    responses(
        (status = 201, description = "The compliance credential (VC 1.1, gx:compliance subjects with gx:integrity, JsonWebSignature2020)", body = serde_json::Value, content_type = "application/json"),
        (status = 400, description = "Malformed body or vcid: {message, error, statusCode}", body = serde_json::Value, content_type = "application/json"),
        (status = 409, description = "Not compliant: {statusCode: 409, message: {conforms: false, results: [...]}}", body = serde_json::Value, content_type = "application/json"),
    ))]
pub(crate) async fn offer_v1(
    Extension(role): Extension<Arc<RoleState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    offer(&role, Api::V1, &body, query.get("vcid").map(String::as_str)).await
}

/// `POST /v2/api/credential-offers/{level}?vcid=`: Loire compliance (`standard-compliance`).
#[utoipa::path(post, path = "/v2/api/credential-offers/{level}", tag = "compliance",
    params(
        ("level" = String, Path, description = "standard-compliance (label-level-1|2|3 are not offered here)"),
        ("vcid" = String, Query, description = "Id of the label credential to issue"),
    ),
    request_body(description = "A Loire vp+jwt of enveloped credentials", content((String = "application/vp+jwt"))),
    responses(
        (status = 201, description = "The gx:LabelCredential as vc+jwt", body = String, content_type = "application/vc+jwt"),
        (status = 400, description = "Malformed or not compliant: {message, error, statusCode, errors}", body = serde_json::Value, content_type = "application/json"),
        (status = 404, description = "A label level not offered by this compliance service", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn offer_v2(
    Extension(role): Extension<Arc<RoleState>>,
    UrlPath(level): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if level != "standard-compliance" {
        return ApiError::NotFound(format!(
            "label level {level:?} is not offered by this compliance service (standard-compliance only)"
        ))
        .into_response();
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    if !["application/vp+jwt", "application/jwt", "text/plain"].contains(&media_type) {
        return service_error(&Api::V2.bad_request(&format!(
            "Content-Type must be application/vp+jwt, not {media_type:?}"
        )));
    }
    offer(&role, Api::V2, &body, query.get("vcid").map(String::as_str)).await
}

/// `POST /v1/registrationNumberVC?vcid=`: the Tagus notary.
#[utoipa::path(post, path = "/v1/registrationNumberVC", tag = "compliance",
    params(("vcid" = String, Query, description = "Id of the credential to issue")),
    request_body(description = "{\"@context\", \"type\": \"gx:legalRegistrationNumber\", \"id\", one of gx:vatID, gx:leiCode, gx:EORI, gx:taxID}", content((serde_json::Value = "application/json"))),
    responses(
        (status = 200, description = "The registration-number credential (VC 1.1, JsonWebSignature2020); the number's format was checked locally, no registry was asked", body = serde_json::Value, content_type = "application/json"),
        (status = 400, description = "Malformed request or number: {message, error, statusCode}", body = serde_json::Value, content_type = "application/json"),
    ))]
pub(crate) async fn notary_v1(
    Extension(role): Extension<Arc<RoleState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    match role
        .notary
        .v1(&body, query.get("vcid").map(String::as_str))
        .await
    {
        Ok(n) => {
            let mut r = created(n.body, n.media_type);
            *r.status_mut() = StatusCode::OK;
            r
        }
        Err(Ok(answer)) => service_error(&answer),
        Err(Err(e)) => ApiError::Internal(e.to_string()).into_response(),
    }
}

/// `GET /v2/registration-numbers/{type}/{value}?vcId=&subjectId=`: the Loire notary.
#[utoipa::path(get, path = "/v2/registration-numbers/{kind}/{value}", tag = "compliance",
    params(
        ("kind" = String, Path, description = "vat-id, lei-code, eori or tax-id"),
        ("value" = String, Path, description = "The number"),
        ("vcId" = String, Query, description = "Id of the credential to issue"),
        ("subjectId" = String, Query, description = "Id of the registration number node (credentialSubject.id)"),
    ),
    responses(
        (status = 200, description = "The registration-number credential as vc+jwt; the number's format was checked locally, no registry was asked", body = String, content_type = "application/vc+jwt"),
        (status = 400, description = "Malformed request or number: {message, error, statusCode}", body = serde_json::Value, content_type = "application/json"),
    ))]
pub(crate) async fn notary_v2(
    Extension(role): Extension<Arc<RoleState>>,
    UrlPath((kind, value)): UrlPath<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match role
        .notary
        .v2(
            &kind,
            &value,
            query.get("vcId").map(String::as_str),
            query.get("subjectId").map(String::as_str),
        )
        .await
    {
        Ok(n) => {
            let mut r = created(n.body, n.media_type);
            *r.status_mut() = StatusCode::OK;
            r
        }
        Err(Ok(answer)) => service_error(&answer),
        Err(Err(e)) => ApiError::Internal(e.to_string()).into_response(),
    }
}
