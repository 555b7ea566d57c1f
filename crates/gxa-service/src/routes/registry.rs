//! The Gaia-X registry's trust-anchor API, served with a `[registry]` section (in any role, so
//! a private clearing house runs it beside its compliance service): the calls a compliance
//! service, a wallet or `gx-attest clearing check` make to learn whether an `x5u` chain ends at
//! one of the federation's trust anchors.
//!
//! * `POST /v2/api/trustAnchor/chain/file` with `{"uri": "<x5u URL>"}`: the chain is fetched
//!   through the guarded fetcher of `[verify]` (https, address guard, size and time limits)
//!   and validated against `[registry] trust_anchors` (`gxa_verify::validate_chain`, with the
//!   EV policy when `require_ev`);
//! * `POST /v2/api/trustAnchor/chain` with `{"certs": "<PEM chain>"}`: the same for a chain in
//!   the body.
//!
//! Both answer `{"result": true}` or `{"result": false, "reason": "…"}` (200; the Gaia-X
//! registry's `result` field, `reason` added); a request that is not such a body is a 400
//! problem. The handlers' state is the registry's own ([`RegistryState`]).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Router, response::IntoResponse, response::Response};
use gxa_verify::{ChainPolicy, TrustAnchors};
use serde_json::{Value, json};

use crate::config::Config;
use crate::error::{ApiError, ServiceError};
use crate::state::AppState;

/// Largest chain document taken in a body or fetched (bytes): a chain is a few certificates.
const MAX_CHAIN_BYTES: usize = 64 * 1024;

/// The registry's state.
pub(crate) struct RegistryState {
    anchors: TrustAnchors,
    policy: ChainPolicy,
    fetcher: gxa_fetch::Fetcher,
}

/// The registry routes of `[registry]` (none without the section).
pub(crate) fn routes(config: &Config) -> Result<Router<AppState>, ServiceError> {
    let Some(section) = &config.registry else {
        return Ok(Router::new());
    };
    let anchors = TrustAnchors::from_path(&section.trust_anchors).map_err(|e| {
        ServiceError::Verify(format!(
            "registry.trust_anchors {}: {e}",
            section.trust_anchors.display()
        ))
    })?;
    let fetcher = gxa_fetch::Fetcher::new(gxa_fetch::FetchPolicy {
        max_body_bytes: MAX_CHAIN_BYTES,
        ..config.verify.fetch_policy()?
    })
    .map_err(|e| ServiceError::Verify(format!("registry fetcher: {e}")))?;
    let state = Arc::new(RegistryState {
        anchors,
        policy: ChainPolicy {
            require_ev: section.require_ev,
        },
        fetcher,
    });
    tracing::info!(anchors = %section.trust_anchors.display(), require_ev = section.require_ev, "registry: /v2/api/trustAnchor/chain[/file]");
    Ok(Router::new()
        .route("/v2/api/trustAnchor/chain/file", post(chain_file))
        .route("/v2/api/trustAnchor/chain", post(chain))
        .with_state(state))
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
    let answer = match gxa_verify::validate_chain(
        pem,
        &state.anchors,
        jiff::Timestamp::now(),
        &state.policy,
    ) {
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
