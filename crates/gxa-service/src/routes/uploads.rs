//! Provider-side inputs: signed SCS report uploads and inventory snapshots.
//!
//! `POST /reports` takes the SCS test runner's upload unchanged: the body `<armored SSHSIG>&<yaml>`
//! as `curl --data-binary @report.yaml.sig --data-binary @report.yaml` joins it, with
//! `Content-Type: application/x-signed-yaml` and HTTP Basic auth
//! (`Tests/scs-test-runner.py` of SovereignCloudStack/standards), so a runner only needs a new URL.

use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gxa_issuer::{InventoryOptions, InventorySnapshot, IssuedRef, IssuerError};

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::middleware::{read_body, require_content_type};
use crate::state::AppState;

/// The SCS test runner's upload media type.
pub(crate) const SIGNED_YAML: &str = "application/x-signed-yaml";

fn count_issued(state: &AppState, source: &str, issued: &[IssuedRef]) {
    for item in issued {
        state.metrics().count_issued(source, &item.profile, 1);
    }
}

/// A signed SCS compliance report upload: verified against the subject's registered SSH keys,
/// kept as evidence, evaluated with all of the subject's uploads, and the SCS attestation
/// (re)issued in every configured profile. Answers 201 when something was issued, 200 when not
/// (e.g. the same bytes again).
#[utoipa::path(post, path = "/reports", tag = "uploads",
    request_body(content = String, content_type = "application/x-signed-yaml",
        description = "`<armored SSH signature>&<report YAML>`, exactly as the SCS test runner sends it"),
    security(("bearer" = []), ("basic" = [])),
    responses(
        (status = 201, description = "Evaluated; credentials issued (see `issued`)", body = serde_json::Value),
        (status = 200, description = "Evaluated; nothing new issued", body = serde_json::Value),
        (status = 400, description = "Malformed upload", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Signed by a key not registered for the account, or a report for a subject the account is neither nor a delegate of (the problem names it; nothing is stored)", body = Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/x-signed-yaml", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Well-formed but unusable (tampered, unknown scope, malformed report YAML)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn post_report(
    State(state): State<AppState>,
    auth: Authenticated,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_content_type(&headers, SIGNED_YAML)?;
    let bytes = read_body(&state, &headers, body).await?;
    let start = Instant::now();
    let outcome = state
        .issuer()
        .submit_upload(&auth.subject, &bytes)
        .await
        .inspect_err(|err| state.metrics().count_foreign_subject("upload", err))?;
    state
        .metrics()
        .observe_signing("upload", start.elapsed().as_secs_f64());
    state.metrics().count_future_results(outcome.future_results);
    count_issued(&state, "upload", &outcome.issued);
    tracing::info!(
        subject = %auth.subject,
        upload = %outcome.upload_sri,
        duplicate = outcome.duplicate,
        issued = outcome.issued.len(),
        warnings = outcome.warnings.len(),
        "report upload"
    );
    let status = if outcome.issued.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(outcome)).into_response())
}

/// Query of `POST /inventory`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InventoryQuery {
    /// The subject the snapshot describes: the account's own (default) or one it is a
    /// delegate of.
    subject: Option<String>,
    /// `withdraw`: withdraw what the snapshot no longer describes even when the withdrawal
    /// guard would refuse it (the snapshot empties a section: no hosts, locations, flavors or
    /// images where there were some; or it withdraws more than `limits.max_withdraw_percent`).
    confirm: Option<String>,
}

/// An inventory snapshot (OpenStack flavors and images, flavor-manager YAML, Ironic/Redfish hosts,
/// NetBox): the self-descriptions whose canonical content changed are (re)issued, the rest left,
/// and those the snapshot no longer describes withdrawn (revoked). A snapshot that would empty a
/// section, or withdraw more than the configured share, is refused with 422 and changes nothing
/// unless `?confirm=withdraw` is given.
#[utoipa::path(post, path = "/inventory", tag = "uploads", params(InventoryQuery),
    request_body(content = serde_json::Value, content_type = "application/json",
        description = "`{\"openstack\": {...}, \"flavor_yaml\": \"...\", \"hosts\": [...], \"netbox\": {...}}`: an object with at least one of these sections, each of its own type; unknown keys and duplicated keys are refused"),
    security(("bearer" = []), ("basic" = [])),
    responses(
        (status = 200, description = "What was issued, what was unchanged, what was withdrawn (revoked: no longer in the snapshot), warnings", body = serde_json::Value),
        (status = 400, description = "Not JSON, or an unknown `confirm` value", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A subject the account is neither nor a delegate of (nothing issued or withdrawn)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "JSON of the wrong shape, an inventory that does not map, or a withdrawal beyond the guard without `?confirm=withdraw`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn post_inventory(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(query): Query<InventoryQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let subject = query.subject.unwrap_or_else(|| auth.subject.clone());
    require_content_type(&headers, "application/json")?;
    let confirm_withdraw = match query.confirm.as_deref() {
        None => false,
        Some("withdraw") => true,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "confirm: the only value is withdraw".to_owned(),
            ));
        }
    };
    let bytes = read_body(&state, &headers, body).await?;
    let snapshot = InventorySnapshot::from_json(&bytes)?;
    let start = Instant::now();
    let options = InventoryOptions { confirm_withdraw };
    let outcome = state
        .issuer()
        .submit_inventory_for(&auth.subject, &subject, &snapshot, options)
        .await
        .inspect_err(|err| state.metrics().count_foreign_subject("inventory", err))
        .map_err(|err| match err {
            IssuerError::WithdrawalRefused { .. } => ApiError::Unprocessable(format!(
                "{err}. If the cloud really no longer has them, send the snapshot again with \
                 ?confirm=withdraw (a withdrawn credential is revoked; a later snapshot that \
                 describes the item again issues it anew)"
            )),
            other => other.into(),
        })?;
    state
        .metrics()
        .observe_signing("inventory", start.elapsed().as_secs_f64());
    count_issued(&state, "inventory", &outcome.issued);
    tracing::info!(
        account = %auth.subject,
        %subject,
        issued = outcome.issued.len(),
        unchanged = outcome.unchanged.len(),
        withdrawn = outcome.withdrawn.len(),
        confirm_withdraw,
        "inventory snapshot"
    );
    Ok(Json(outcome).into_response())
}
