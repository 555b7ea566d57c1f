//! The clearing house's routes, served in the compliance role
//! (`serve --role compliance`) with [`gxa_clearing`]'s compliance service and notary; the
//! provider's clearing client and its renewal are in `crate::clearing`.
//!
//! Routes (the real GXDCH paths):
//!
//! * `POST /v1/api/credential-offers?vcid=` — Tagus JSON-LD presentation → 201 JSON-LD
//!   compliance credential; refusal `409 {statusCode, message: {conforms: false, results}}`.
//! * `POST /v2/api/credential-offers/{standard-compliance|label-level-1|-2|-3}?vcid=` — Loire
//!   `vp+jwt` → 201 `application/vc+jwt` `gx:LabelCredential` of that level; refusal `400
//!   {message, error, statusCode, errors}`, one error per missing criterion.
//! * `POST /v1/registrationNumberVC?vcid=` and `GET /v2/registration-numbers/{type}/{value}
//!   ?vcId=&subjectId=` — the registration-number notary (format checks only; see
//!   [`gxa_clearing::notary`]).
//!
//! The error answers of these routes keep the services' own JSON shapes (clients parse them);
//! everything else is problem+json as elsewhere. The handlers' state is the role's own
//! ([`RoleState`], given to its sub-router with `with_state`), not [`AppState`]'s.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gxa_clearing::compliance::{Api, ComplianceConfig, ComplianceService, Level, OfferError};
use gxa_clearing::notary::{Notary, NotaryConfig};
use gxa_clearing::{ServiceAnswer, SigningKey};

use crate::config::{Config, VerifyConfig};
use crate::error::{ApiError, ServiceError};
use crate::middleware::ServiceErrorBody;
use crate::state::AppState;

/// The compliance role's state.
pub(crate) struct RoleState {
    compliance: ComplianceService,
    notary: Notary,
    verifier: gxa_verify::Verifier,
}

/// The routes of the configured role: the compliance and notary routes when
/// [`crate::config::Role::is_compliance`], none otherwise.
pub(crate) fn role_routes(config: &Config) -> Result<Router<AppState>, ServiceError> {
    if !config.role.is_compliance() {
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
    compliance_config.trusted_assessors = section.trusted_assessors.clone();
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
    tracing::info!(did = %keys.did, "compliance role: /v1/api/credential-offers, /v2/api/credential-offers/{{standard-compliance,label-level-1,-2,-3}}, notary routes");
    Ok(Router::new()
        .route("/v1/api/credential-offers", post(offer_v1))
        .route("/v2/api/credential-offers/{level}", post(offer_v2))
        .route("/v1/registrationNumberVC", post(notary_v1))
        .route("/v2/registration-numbers/{kind}/{value}", get(notary_v2))
        .with_state(role))
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

async fn offer(
    role: &RoleState,
    api: Api,
    level: Level,
    body: &Bytes,
    vcid: Option<&str>,
) -> Response {
    let text = match body_text(body, api) {
        Ok(t) => t,
        Err(answer) => return service_error(&answer),
    };
    match role
        .compliance
        .offer(api, level, &role.verifier, text, vcid)
        .await
    {
        Ok(credential) => {
            tracing::info!(credential = %credential.id, api = ?api, level = %level, "compliance credential issued");
            created(credential.body, credential.media_type)
        }
        Err(OfferError::Refused(answer)) => {
            tracing::info!(api = ?api, answer = %answer, "compliance refused");
            service_error(&answer)
        }
        Err(OfferError::Failed(e)) => ApiError::from(e).into_response(),
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
    State(role): State<Arc<RoleState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    offer(
        &role,
        Api::V1,
        Level::StandardCompliance,
        &body,
        query.get("vcid").map(String::as_str),
    )
    .await
}

/// `POST /v2/api/credential-offers/{level}?vcid=`: Loire compliance (`standard-compliance`)
/// and labels (`label-level-1`, `-2`, `-3`), judged by the Compliance Document's criteria.
#[utoipa::path(post, path = "/v2/api/credential-offers/{level}", tag = "compliance",
    params(
        ("level" = String, Path, description = "standard-compliance, label-level-1, label-level-2 or label-level-3"),
        ("vcid" = String, Query, description = "Id of the label credential to issue"),
    ),
    request_body(description = "A Loire vp+jwt of enveloped credentials", content((String = "application/vp+jwt"))),
    responses(
        (status = 201, description = "The gx:LabelCredential as vc+jwt", body = String, content_type = "application/vc+jwt"),
        (status = 400, description = "Malformed or not compliant: {message, error, statusCode, errors}", body = serde_json::Value, content_type = "application/json"),
        (status = 404, description = "Not a compliance level", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn offer_v2(
    State(role): State<Arc<RoleState>>,
    UrlPath(level): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(level) = Level::ALL.into_iter().find(|l| l.api_segment() == level) else {
        return ApiError::NotFound(format!(
            "{level:?} is not a compliance level (standard-compliance, label-level-1, \
             label-level-2, label-level-3)"
        ))
        .into_response();
    };
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
    offer(
        &role,
        Api::V2,
        level,
        &body,
        query.get("vcid").map(String::as_str),
    )
    .await
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
    State(role): State<Arc<RoleState>>,
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
        Err(Err(e)) => ApiError::from(e).into_response(),
    }
}

/// `GET /v2/registration-numbers/{type}/{value}?vcId=&subjectId=`: the Loire notary.
#[utoipa::path(get, path = "/v2/registration-numbers/{kind}/{value}", tag = "compliance",
    params(
        ("kind" = String, Path, description = "vat-id, lei-code, eori, tax-id or country-company-number (CC:NUMBER or CC:QUALIFIER:NUMBER)"),
        ("value" = String, Path, description = "The number"),
        ("vcId" = String, Query, description = "Id of the credential to issue"),
        ("subjectId" = String, Query, description = "Id of the registration number node (credentialSubject.id)"),
    ),
    responses(
        (status = 200, description = "The registration-number credential as vc+jwt; the number's format was checked locally, no registry was asked", body = String, content_type = "application/vc+jwt"),
        (status = 400, description = "Malformed request or number: {message, error, statusCode}", body = serde_json::Value, content_type = "application/json"),
    ))]
pub(crate) async fn notary_v2(
    State(role): State<Arc<RoleState>>,
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
        Err(Err(e)) => ApiError::from(e).into_response(),
    }
}
