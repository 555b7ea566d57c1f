//! Catalogue-side feeds: the change feed, status list credentials, participant presentations.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gxa_credential::Profile;
use gxa_store::ChangeCursor;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Problem};
use crate::negotiate;
use crate::routes::credentials::{parse_limit, representation};
use crate::state::AppState;

/// Query of `GET /changes`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ChangesQuery {
    /// The `next` of the previous answer (the last sequence number seen); 0 or absent = start.
    after: Option<String>,
    /// Most entries, 1..=1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

/// One change feed entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Change {
    /// Sequence number: 1, 2, 3, … without gaps.
    seq: u64,
    /// `issued`, `reissued` or `revoked`.
    kind: &'static str,
    /// The credential concerned.
    credential_id: String,
    /// The issuer (DID) of that credential: a partner's sync skips credentials its partner
    /// re-serves from third parties without fetching them.
    issuer: String,
    /// For `reissued`: the credential replaced.
    previous: Option<String>,
    /// RFC 3339.
    recorded_at: String,
}

/// A page of the change feed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ChangePage {
    /// Entries after `after`, in sequence order.
    changes: Vec<Change>,
    /// Pass as `after` next time (the last sequence number of this page, or `after` if empty).
    next: String,
    /// The latest sequence number at the time of the answer.
    latest: u64,
}

/// The append-only change log: every issuance, re-issuance and revocation, numbered without gaps.
/// A catalogue keeps `next` and asks again; it never misses an entry (see `gxa-store`).
#[utoipa::path(get, path = "/changes", tag = "feeds", params(ChangesQuery),
    responses(
        (status = 200, description = "Entries after the cursor", body = ChangePage),
        (status = 400, description = "Malformed cursor, a cursor beyond the feed, or a bad limit", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn changes(
    State(state): State<AppState>,
    Query(query): Query<ChangesQuery>,
) -> Result<Response, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let after = match query.after.as_deref() {
        None | Some("") => ChangeCursor(0),
        Some(text) => text.parse::<ChangeCursor>().map_err(|_| {
            ApiError::BadRequest(format!("after must be a sequence number, not {text:?}"))
        })?,
    };
    // Read `latest` first: entries returned may then exceed it, never the reverse.
    let latest = state.store().latest_sequence().await?;
    let entries = state.store().changes(after, limit).await?;
    let next = entries.last().map_or(after.0, |e| e.seq);
    let body = ChangePage {
        changes: entries
            .into_iter()
            .map(|e| Change {
                seq: e.seq,
                kind: e.kind.as_str(),
                credential_id: e.credential_id,
                issuer: e.issuer,
                previous: e.previous,
                recorded_at: e.recorded_at.to_string(),
            })
            .collect(),
        next: next.to_string(),
        latest: latest.max(next),
    };
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(body),
    )
        .into_response())
}

/// The configured profiles' media types for a signed document, in configuration order:
/// Loire documents are JWTs, Tagus documents JSON-LD.
/// The media types of a document the issuer signs in each configured profile, Loire's first:
/// without `Accept` (or with `*/*`) a client gets the VC 2.0 form, which is what a Loire
/// credential's status entry and presentation URL mean; JSON-LD clients (a VC 1.1 verifier's
/// document loader asks for `application/ld+json` or `application/json`) get Tagus.
fn profile_media(
    state: &AppState,
    jwt: &'static str,
    ld: &'static [&'static str],
) -> Vec<(&'static str, Profile)> {
    let profiles = &state.issuer().config().profiles;
    let mut out = Vec::new();
    if profiles.contains(&Profile::Loire) {
        out.push((jwt, Profile::Loire));
    }
    if profiles.contains(&Profile::Tagus) {
        out.extend(ld.iter().map(|m| (*m, Profile::Tagus)));
    }
    out
}

fn choose_profile(
    headers: &HeaderMap,
    options: &[(&'static str, Profile)],
) -> Result<(&'static str, Profile), ApiError> {
    let available: Vec<&'static str> = options.iter().map(|(m, _)| *m).collect();
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let chosen = negotiate::choose(accept, &available)
        .ok_or_else(|| ApiError::NotAcceptable(available.clone()))?;
    options
        .iter()
        .find(|(m, _)| *m == chosen)
        .copied()
        .ok_or(ApiError::NotAcceptable(available))
}

/// A status list credential: the `credentialStatus.statusListCredential` of issued credentials
/// points here. `Accept` picks `application/vc+jwt` (Loire's BitstringStatusListCredential, also
/// without `Accept`) or JSON-LD (`application/vc+ld+json`, `application/ld+json`,
/// `application/json`: Tagus's StatusList2021Credential). Short-lived cache: bits change on
/// revocation.
#[utoipa::path(get, path = "/status-lists/{id}", tag = "feeds",
    params(("id" = String, Path, description = "The status list id")),
    responses(
        (status = 200, description = "The signed status list credential", content(
            (String = "application/vc+jwt"),
            (serde_json::Value = "application/vc+ld+json"),
            (serde_json::Value = "application/ld+json"),
            (serde_json::Value = "application/json"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "Unknown list", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "No acceptable representation", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn status_list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let options = profile_media(
        &state,
        crate::routes::credentials::VC_JWT,
        &[
            crate::routes::credentials::VC_LD_JSON,
            crate::routes::credentials::LD_JSON,
            crate::routes::credentials::JSON,
        ],
    );
    signed_on_demand(&state, &headers, &options, "status_list", &id, |profile| {
        state.issuer().status_list_credential(&id, profile)
    })
    .await
}

/// The participant's presentation. `Accept: application/vp+jwt` gives the Loire `vp+jwt` of
/// enveloped credentials (LegalPerson, registration number, terms and conditions, service
/// offerings and SCS attestations); JSON-LD gives the Tagus `VerifiablePresentation` of what
/// a Tagus clearing house takes (trust framework classes only, no status entries).
#[utoipa::path(get, path = "/participants/{id}/presentation", tag = "feeds",
    params(("id" = String, Path, description = "The participant (subject) id")),
    responses(
        (status = 200, description = "The presentation", content(
            (String = "application/vp+jwt"),
            (serde_json::Value = "application/vp+ld+json"),
            (serde_json::Value = "application/ld+json"),
            (serde_json::Value = "application/json"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "Unknown participant", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "No acceptable representation", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn presentation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let options = profile_media(
        &state,
        "application/vp+jwt",
        &[
            "application/vp+ld+json",
            crate::routes::credentials::LD_JSON,
            crate::routes::credentials::JSON,
        ],
    );
    signed_on_demand(&state, &headers, &options, "presentation", &id, |profile| {
        state.issuer().presentation(&id, profile)
    })
    .await
}

/// Answers with a document the issuer signs on demand (status list, presentation): the profile
/// chosen by `Accept`, signed once per change of its content (kept in memory, see `derived`;
/// the signing time recorded under `metric`), and a short public cache (the document changes
/// when a status bit or a credential changes).
async fn signed_on_demand<Fut>(
    state: &AppState,
    headers: &HeaderMap,
    options: &[(&'static str, Profile)],
    metric: &'static str,
    id: &str,
    issue: impl FnOnce(Profile) -> Fut,
) -> Result<Response, ApiError>
where
    Fut: Future<Output = Result<gxa_issuer::Issued, gxa_issuer::IssuerError>>,
{
    let (media, profile) = choose_profile(headers, options)?;
    let key = (metric, id.to_owned(), profile.as_str());
    let issued = state
        .derived_cache()
        .signed(state.store(), key, || async {
            let start = std::time::Instant::now();
            let issued = issue(profile).await?;
            state
                .metrics()
                .observe_signing(metric, start.elapsed().as_secs_f64());
            Ok(issued)
        })
        .await?;
    Ok(representation(
        headers,
        media,
        issued.body.into(),
        &quote_etag(&issued.etag),
        "public, max-age=60",
    ))
}

/// An entity tag in its quoted form, whatever form the issuer gave it.
fn quote_etag(etag: &str) -> String {
    if etag.starts_with('"') || etag.starts_with("W/\"") {
        etag.to_owned()
    } else {
        format!("\"{etag}\"")
    }
}
