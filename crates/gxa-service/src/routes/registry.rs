//! The Gaia-X registry API of the registry role (`serve --role registry`, or
//! `compliance,registry` beside the compliance routes of a private clearing house), configured
//! by `[registry]`: the calls a compliance
//! service, a wallet or `gx-attest clearing check` make to learn whether an `x5u` chain ends at
//! one of the federation's trust anchors, and which issuers the federation trusts.
//!
//! * `POST /v2/api/trustAnchor/chain/file` with `{"uri": "<x5u URL>"}`: the chain is fetched
//!   through the guarded fetcher of `[verify]` (https, address guard, size and time limits)
//!   and validated against the anchors in force (`crate::registry`: `trust_anchors` and the
//!   granted CA services of the current trusted lists; `gxa_verify::validate_chain`, with the
//!   EV policy when `require_ev`);
//! * `POST /v2/api/trustAnchor/chain` with `{"certs": "<PEM chain>"}`: the same for a chain in
//!   the body;
//! * `GET /v2/api/trusted-lists`: each trusted list's state (gx-attest's own);
//! * `GET /v2/api/trusted-issuers[/{serviceType}]`, `GET /v2/api/complianceIssuers`: the DIDs
//!   of `[registry] trusted_issuers`, as arrays of strings (what the Gaia-X compliance service
//!   reads from `…/api/trusted-issuers/registration-notary`);
//! * `GET /v2/configurations/credentials`: `{"evsslonly": require_ev}` (the flag operators
//!   check before buying a certificate).
//!
//! The chain calls answer `{"result": true}` or `{"result": false, "reason": "…"}` (200; the
//! Gaia-X registry's `result` field, `reason` added); a request that is not such a body is a
//! 400 problem.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Router, response::IntoResponse, response::Response};
use gxa_verify::ChainPolicy;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::error::{ApiError, ServiceError};
use crate::registry::RegistryTrust;
use crate::state::AppState;

/// Largest chain document taken in a body or fetched (bytes): a chain is a few certificates.
const MAX_CHAIN_BYTES: usize = 64 * 1024;

/// The registry's state.
pub(crate) struct RegistryState {
    trust: Arc<RegistryTrust>,
    policy: ChainPolicy,
    fetcher: gxa_fetch::Fetcher,
    trusted_issuers: std::collections::BTreeMap<String, Vec<String>>,
}

/// The registry routes of `[registry]` (none without the section) and the trusted lists'
/// refresh tasks.
pub(crate) async fn spawn(
    config: &Config,
    app: &AppState,
    shutdown: watch::Receiver<bool>,
) -> Result<(Router<AppState>, Vec<JoinHandle<()>>), ServiceError> {
    let Some(section) = config
        .registry
        .as_ref()
        .filter(|_| config.role.is_registry())
    else {
        return Ok((Router::new(), Vec::new()));
    };
    let trust = RegistryTrust::new(config, section, app.metrics_shared()).await?;
    let tasks = trust.spawn(shutdown);
    let fetcher = gxa_fetch::Fetcher::new(gxa_fetch::FetchPolicy {
        max_body_bytes: MAX_CHAIN_BYTES,
        ..config.verify.fetch_policy()?
    })
    .map_err(|e| ServiceError::Verify(format!("registry fetcher: {e}")))?;
    let state = Arc::new(RegistryState {
        trust,
        policy: ChainPolicy {
            require_ev: section.require_ev,
        },
        fetcher,
        trusted_issuers: section.trusted_issuers.clone(),
    });
    tracing::info!(anchors = ?section.trust_anchors, trusted_lists = section.trusted_lists.len(), require_ev = section.require_ev, "registry: /v2/api/trustAnchor/chain[/file]");
    let router = Router::new()
        .route("/v2/api/trustAnchor/chain/file", post(chain_file))
        .route("/v2/api/trustAnchor/chain", post(chain))
        .route("/v2/api/trusted-lists", get(trusted_lists))
        .route("/v2/api/trusted-issuers", get(trusted_issuers))
        .route(
            "/v2/api/trusted-issuers/{serviceType}",
            get(trusted_issuers_of),
        )
        .route("/v2/api/complianceIssuers", get(compliance_issuers))
        .route("/v2/configurations/credentials", get(configuration))
        .with_state(state);
    Ok((router, tasks))
}

fn body_field<'a>(body: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    body.get(field).and_then(Value::as_str).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "the body must be a JSON object with a string {field:?}"
        ))
    })
}

fn json_body(bytes: &Bytes) -> Result<Value, ApiError> {
    if bytes.len() > MAX_CHAIN_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_CHAIN_BYTES));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not JSON: {e}")))
}

/// The verdict on a chain document.
fn verdict(state: &RegistryState, pem: &[u8]) -> Response {
    let Some(anchors) = state.trust.anchors() else {
        return Json(json!({"result": false, "reason": state.trust.why_none()})).into_response();
    };
    let answer =
        match gxa_verify::validate_chain(pem, &anchors, jiff::Timestamp::now(), &state.policy) {
            Ok(_) => json!({"result": true}),
            Err(e) => json!({"result": false, "reason": e.to_string()}),
        };
    Json(answer).into_response()
}

/// Whether the chain at `uri` ends at a trust anchor of this registry.
#[utoipa::path(post, path = "/v2/api/trustAnchor/chain/file", tag = "registry",
    request_body(content = Value, description = "`{\"uri\": \"https://…/x509CertificateChain.pem\"}`", content_type = "application/json"),
    responses(
        (status = 200, description = "`{\"result\": true}`, or `{\"result\": false, \"reason\"}` (not a chain, does not validate, no trust anchor, no EV policy when required, or could not be fetched)", content_type = "application/json"),
        (status = 400, description = "Not a JSON object with a string `uri`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn chain_file(
    State(state): State<Arc<RegistryState>>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let body = json_body(&bytes)?;
    let uri = body_field(&body, "uri")?;
    let fetched = match state
        .fetcher
        .get(
            uri,
            "application/x-pem-file, application/pem-certificate-chain, text/plain, */*",
        )
        .await
    {
        Ok(fetched) => fetched,
        Err(e) => {
            return Ok(Json(json!({"result": false, "reason": e.to_string()})).into_response());
        }
    };
    Ok(verdict(&state, &fetched.body))
}

/// Whether the chain in the body ends at a trust anchor of this registry.
#[utoipa::path(post, path = "/v2/api/trustAnchor/chain", tag = "registry",
    request_body(content = Value, description = "`{\"certs\": \"-----BEGIN CERTIFICATE-----…\"}` (PEM, leaf first)", content_type = "application/json"),
    responses(
        (status = 200, description = "`{\"result\": true}`, or `{\"result\": false, \"reason\"}`", content_type = "application/json"),
        (status = 400, description = "Not a JSON object with a string `certs`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn chain(
    State(state): State<Arc<RegistryState>>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let body = json_body(&bytes)?;
    let certs = body_field(&body, "certs")?;
    Ok(verdict(&state, certs.as_bytes()))
}

/// Each trusted list's state.
#[utoipa::path(get, path = "/v2/api/trusted-lists", tag = "registry",
    responses(
        (status = 200, description = "One object per `[[registry.trusted_lists]]`: `name`, `source`, `current` (in force now), and, once a list loaded, `sequence`, `territory`, `operator`, `issued`, `nextUpdate`, `services`, `anchors`, `loadedAt`; `lastAttempt`, `lastError` (the last refresh's failure, the last good list staying in use) and `failures`", content_type = "application/json"),
    ))]
pub(crate) async fn trusted_lists(State(state): State<Arc<RegistryState>>) -> Json<Value> {
    Json(Value::Array(state.trust.report(jiff::Timestamp::now())))
}

/// Every trusted issuer, by service type.
#[utoipa::path(get, path = "/v2/api/trusted-issuers", tag = "registry",
    responses(
        (status = 200, description = "`{\"<serviceType>\": [\"did:…\"]}` from `[registry] trusted_issuers`", content_type = "application/json"),
    ))]
pub(crate) async fn trusted_issuers(State(state): State<Arc<RegistryState>>) -> Json<Value> {
    Json(json!(state.trusted_issuers))
}

/// The trusted issuers of one service type (`registration-notary`, `compliance`, …).
#[utoipa::path(get, path = "/v2/api/trusted-issuers/{serviceType}", tag = "registry",
    params(("serviceType" = String, Path, description = "A service type of `[registry] trusted_issuers`")),
    responses(
        (status = 200, description = "The DIDs, an array of strings", content_type = "application/json"),
        (status = 404, description = "No such service type", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn trusted_issuers_of(
    State(state): State<Arc<RegistryState>>,
    Path(service_type): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .trusted_issuers
        .get(&service_type)
        .map(|dids| Json(json!(dids)))
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no trusted issuers of the service type {service_type:?}"
            ))
        })
}

/// The DIDs trusted to issue compliance credentials (`trusted_issuers.compliance`).
#[utoipa::path(get, path = "/v2/api/complianceIssuers", tag = "registry",
    responses(
        (status = 200, description = "The DIDs, an array of strings (empty when none is configured)", content_type = "application/json"),
    ))]
pub(crate) async fn compliance_issuers(State(state): State<Arc<RegistryState>>) -> Json<Value> {
    Json(json!(
        state
            .trusted_issuers
            .get("compliance")
            .cloned()
            .unwrap_or_default()
    ))
}

/// The registry's credential configuration.
#[utoipa::path(get, path = "/v2/configurations/credentials", tag = "registry",
    responses(
        (status = 200, description = "`{\"evsslonly\": bool}`: whether leaf certificates must carry the EV policy", content_type = "application/json"),
    ))]
pub(crate) async fn configuration(State(state): State<Arc<RegistryState>>) -> Json<Value> {
    Json(json!({"evsslonly": state.policy.require_ev}))
}
