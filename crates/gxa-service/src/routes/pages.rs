//! The pages people look at: the overview (`/`), the credentials browser and each credential's
//! page with a live verification, the verify form and the partners page.
//!
//! Server-rendered from the askama templates in `templates/` (escaped by the template engine),
//! no JavaScript. Every link is relative to the page (`root` climbs back to the service's
//! root), so the pages work unchanged behind a reverse proxy that serves the service under a
//! path prefix. The same URLs answer JSON when `Accept` prefers it: the credentials listing,
//! a credential's own representations and the partners list are the existing handlers, which
//! these wrappers call when HTML is not what the client wants.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::handler::Handler as _;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use gxa_store::{CredentialFilter, CredentialState};
use serde::Deserialize;

use crate::error::{ApiError, Problem};
use crate::monitor;
use crate::negotiate;
use crate::routes::{credentials, partners, verify};
use crate::state::AppState;

pub(crate) const HTML: &str = "text/html";
const JSON: &str = "application/json";

/// The relative path from the page at `uri` back to the service's root (`""` at `/` and for
/// one-segment paths, `"../"` per further segment), so that links survive a path prefix.
pub(crate) fn root_of(uri: &Uri) -> String {
    let segments = uri.path().trim_start_matches('/').split('/').count();
    "../".repeat(segments.saturating_sub(1))
}

/// `text` percent-encoded as one path segment (RFC 3986 unreserved characters kept).
pub(crate) fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether the client prefers HTML over JSON (a browser's `Accept`).
pub(crate) fn wants_html(headers: &HeaderMap, others: &[&'static str]) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let mut available: Vec<&'static str> = others.to_vec();
    available.push(HTML);
    negotiate::choose(accept, &available) == Some(HTML)
}

fn render(template: &impl Template) -> Result<String, ApiError> {
    template
        .render()
        .map_err(|e| ApiError::Internal(format!("template: {e}")))
}

/// The page layout around already rendered (escaped) content.
#[derive(Template)]
#[template(path = "layout.html")]
struct Layout<'a> {
    title: &'a str,
    root: &'a str,
    content: &'a str,
}

/// A whole HTML page: the layout around `content`, not cached (it shows current state), with a
/// Content-Security-Policy that allows no script at all.
pub(crate) fn page(title: &str, root: &str, content: &str) -> Result<Response, ApiError> {
    let body = render(&Layout {
        title,
        root,
        content,
    })?;
    Ok(html_response(body))
}

/// HTML with the headers every page gets.
pub(crate) fn html_response(body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::VARY, HeaderValue::from_static("Accept")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'",
                ),
            ),
        ],
        body,
    )
        .into_response()
}

/// A time for people: RFC 3339 to the second, UTC.
pub(crate) fn show_time(t: jiff::Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map_or_else(|_| t.to_string(), |r| r.to_string())
}

// ---- overview ----

/// Query of `GET /`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OverviewQuery {
    /// Evaluate at this time (RFC 3339) instead of now.
    at: Option<String>,
}

struct KeyRow {
    id: String,
    alg: String,
    subject: String,
    not_after: String,
}

struct VersionCell {
    name: String,
    word: &'static str,
    class: &'static str,
    valid_until: Option<String>,
}

struct OverviewCell {
    text: String,
    class: &'static str,
    scope_key: String,
    versions: Vec<VersionCell>,
}

struct SubjectRow {
    name: String,
    name_path: String,
    cells: Vec<Option<OverviewCell>>,
}

struct ScopeHead {
    key: String,
    name: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct Overview {
    root: String,
    provider_name: String,
    did: String,
    did_path: String,
    base_url: String,
    at: String,
    keys: Vec<KeyRow>,
    scopes: Vec<ScopeHead>,
    subjects: Vec<SubjectRow>,
    current_credentials: String,
}

/// The key set's keys with their x5u certificates' subject and end of validity, read from the
/// DID document and the chains this service publishes.
fn key_rows(state: &AppState) -> Vec<KeyRow> {
    let document = state.issuer().did_document();
    let methods = document["verificationMethod"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut rows = Vec::new();
    for method in methods {
        let id = method["id"].as_str().unwrap_or("-").to_owned();
        let jwk = &method["publicKeyJwk"];
        let alg = jwk["alg"]
            .as_str()
            .or_else(|| method["type"].as_str())
            .unwrap_or("-")
            .to_owned();
        let (subject, not_after) = jwk["x5u"]
            .as_str()
            .and_then(|url| {
                let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = after_scheme.find('/').map(|i| &after_scheme[i..])?;
                let pem = state.issuer().certificate_chain(path)?;
                let (_, pem) = x509_parser::pem::parse_x509_pem(pem).ok()?;
                let cert = pem.parse_x509().ok()?;
                let not_after = cert.validity().not_after.timestamp();
                Some((
                    cert.subject().to_string(),
                    jiff::Timestamp::from_second(not_after)
                        .map_or_else(|e| e.to_string(), show_time),
                ))
            })
            .unwrap_or_else(|| ("– (no x5u chain)".to_owned(), "–".to_owned()));
        rows.push(KeyRow {
            id,
            alg,
            subject,
            not_after,
        });
    }
    rows
}

/// The overview as JSON: the provider and each subject's verdicts per scope.
fn overview_json(
    state: &AppState,
    rows: &[monitor::Row],
    at: jiff::Timestamp,
) -> serde_json::Value {
    let scopes = &state.issuer().config().scopes;
    let subjects: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|row| {
            let e = &row.evaluation;
            let scope =
                monitor::find_scope(scopes, e.scope.uuid.as_deref().unwrap_or(&e.scope.name))?;
            let summary = monitor::summarize(scope, e, true);
            let (cell, class) = summary.cell();
            Some(serde_json::json!({
                "subject": e.subject,
                "scope": {"uuid": e.scope.uuid, "name": e.scope.name},
                "summary": cell,
                "verdict": class,
                "best_passed": e.best_passed,
                "versions": summary.versions.iter().map(|(v, _)| serde_json::json!({
                    "version": v.version,
                    "state": v.state.as_str(),
                    "verdict": monitor::verdict_word(v),
                    "valid_until": v.valid_until.map(|t| t.to_string()),
                })).collect::<Vec<_>>(),
            }))
        })
        .collect();
    serde_json::json!({
        "provider": {
            "did": state.issuer().did(),
            "base_url": state.base_url(),
            "name": state.issuer().config().provider.as_ref().map(|p| p.provider.legal_name.clone()),
        },
        "at": at.to_string(),
        "compliance": subjects,
    })
}

/// The overview: the provider, its keys, and each subject's SCS compliance per scope.
#[utoipa::path(get, path = "/", tag = "pages", params(OverviewQuery),
    responses(
        (status = 200, description = "The overview page, or its data as JSON", content(
            (String = "text/html"),
            (serde_json::Value = "application/json"))),
        (status = 400, description = "Bad `at`", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Neither HTML nor JSON is acceptable", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<OverviewQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let chosen = negotiate::choose(accept, &[HTML, JSON])
        .ok_or_else(|| ApiError::NotAcceptable(vec![HTML, JSON]))?;
    let (at, rows) = monitor::board_at(&state, query.at.as_deref()).await?;
    if chosen == JSON {
        return Ok((
            [(header::VARY, HeaderValue::from_static("Accept"))],
            axum::Json(overview_json(&state, &rows, at)),
        )
            .into_response());
    }
    let scopes = &state.issuer().config().scopes;
    let heads: Vec<ScopeHead> = scopes
        .iter()
        .map(|s| ScopeHead {
            key: path_segment(&monitor::url_key(s)),
            name: s.name().to_owned(),
        })
        .collect();
    let mut subjects: Vec<SubjectRow> = Vec::new();
    for row in rows.iter() {
        let e = &row.evaluation;
        let index = match subjects.iter().position(|s| s.name == e.subject) {
            Some(i) => i,
            None => {
                subjects.push(SubjectRow {
                    name: e.subject.clone(),
                    name_path: path_segment(&e.subject),
                    cells: scopes.iter().map(|_| None).collect(),
                });
                subjects.len() - 1
            }
        };
        let key = e.scope.uuid.as_deref().unwrap_or(&e.scope.name);
        let Some(column) = scopes.iter().position(|s| s.key() == key) else {
            continue;
        };
        let scope = &scopes[column];
        let summary = monitor::summarize(scope, e, true);
        let (text, class) = summary.cell();
        let versions = summary
            .versions
            .iter()
            .map(|(v, _)| {
                let word = monitor::verdict_word(v);
                let draft = v.state == gxa_scs::VersionState::Draft;
                VersionCell {
                    name: format!(
                        "{}{}",
                        monitor::marked(v),
                        if draft { " (draft)" } else { "" }
                    ),
                    word,
                    class: if draft { "draft" } else { word },
                    valid_until: v.valid_until.map(show_time),
                }
            })
            .collect();
        subjects[index].cells[column] = Some(OverviewCell {
            text,
            class,
            scope_key: path_segment(&monitor::url_key(scope)),
            versions,
        });
    }
    let current = state
        .store()
        .list_credentials(
            &CredentialFilter {
                state: Some(CredentialState::Current),
                ..Default::default()
            },
            None,
            1000,
        )
        .await?;
    let current_credentials = match current.next {
        Some(_) => "1000 or more".to_owned(),
        None => current.items.len().to_string(),
    };
    let root = root_of(&uri);
    let provider_name = state.issuer().config().provider.as_ref().map_or_else(
        || "– (no provider configured)".to_owned(),
        |p| p.provider.legal_name.clone(),
    );
    let content = render(&Overview {
        root: root.clone(),
        provider_name,
        did: state.issuer().did().to_owned(),
        did_path: state.did_path().trim_start_matches('/').to_owned(),
        base_url: state.base_url().to_owned(),
        at: show_time(at),
        keys: key_rows(&state),
        scopes: heads,
        subjects,
        current_credentials,
    })?;
    page("Overview", &root, &content)
}

// ---- credentials ----

/// Query of the credentials browser (the listing's filters, plus `profile` and `status`).
#[derive(Debug, Default, Deserialize)]
struct BrowseQuery {
    #[serde(rename = "type")]
    credential_type: Option<String>,
    subject: Option<String>,
    issuer: Option<String>,
    profile: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

struct ListedRow {
    href: String,
    short_id: String,
    types: String,
    subject: String,
    issuer: String,
    profile: String,
    status: &'static str,
    status_class: &'static str,
    issued_at: String,
    valid_until: String,
}

#[derive(Template)]
#[template(path = "credentials.html")]
struct Browser {
    q_type: String,
    q_subject: String,
    q_issuer: String,
    profiles: Vec<(String, bool)>,
    statuses: Vec<(String, bool)>,
    limit: u32,
    items: Vec<ListedRow>,
    first_page: bool,
    first_href: String,
    next_href: Option<String>,
}

/// The link from a page at `root` to a credential's page: our own ids by their last segment,
/// others (partners' credentials) by their whole id, percent-encoded.
fn credential_href(state: &AppState, root: &str, id: &str) -> String {
    let own = format!("{}/credentials/", state.base_url());
    match id.strip_prefix(&own) {
        Some(segment) if !segment.contains('/') => {
            format!("{root}credentials/{}", path_segment(segment))
        }
        _ => format!("{root}credentials/{}", path_segment(id)),
    }
}

fn state_of(superseded: bool, revoked: bool) -> (&'static str, &'static str) {
    match (revoked, superseded) {
        (true, _) => ("revoked", "fail"),
        (false, true) => ("superseded", "draft"),
        (false, false) => ("current", "pass"),
    }
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", path_segment(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

async fn browse(state: &AppState, uri: &Uri, query: BrowseQuery) -> Result<Response, ApiError> {
    let limit = match query.limit.as_deref() {
        None | Some("") => 25,
        other => credentials::parse_limit(other)?,
    };
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let status_text = nonempty(&query.status).unwrap_or_default();
    let state_filter =
        credentials::parse_state(Some(status_text.as_str()).filter(|s| !s.is_empty()))?;
    let cursor = credentials::parse_cursor(nonempty(&query.cursor).as_deref())?;
    let filter = CredentialFilter {
        credential_type: nonempty(&query.credential_type),
        subject: nonempty(&query.subject),
        issuer: nonempty(&query.issuer),
        profile: nonempty(&query.profile),
        state: state_filter,
    };
    let result = state
        .store()
        .list_credentials(&filter, cursor, limit)
        .await?;
    let root = root_of(uri);
    let items = result
        .items
        .into_iter()
        .map(|c| {
            let (status, status_class) =
                state_of(c.superseded_by.is_some(), c.revoked_at.is_some());
            ListedRow {
                href: credential_href(state, &root, &c.id),
                short_id: c.id.rsplit('/').next().unwrap_or(&c.id).to_owned(),
                types: c.types.join(", "),
                subject: c.subject,
                issuer: c.issuer,
                profile: c.profile,
                status,
                status_class,
                issued_at: show_time(c.issued_at),
                valid_until: c.valid_until.map_or_else(|| "–".to_owned(), show_time),
            }
        })
        .collect();
    let profile = filter.profile.clone().unwrap_or_default();
    let mut profiles: Vec<(String, bool)> = vec![(String::new(), profile.is_empty())];
    for p in ["tagus", "loire"] {
        profiles.push((p.to_owned(), profile == p));
    }
    if !profile.is_empty() && !profiles.iter().any(|(p, _)| *p == profile) {
        profiles.push((profile.clone(), true));
    }
    let statuses = ["", "current", "superseded", "revoked"]
        .iter()
        .map(|s| ((*s).to_owned(), *s == status_text))
        .collect();
    let q_type = filter.credential_type.clone().unwrap_or_default();
    let q_subject = filter.subject.clone().unwrap_or_default();
    let q_issuer = filter.issuer.clone().unwrap_or_default();
    let limit_text = limit.to_string();
    let base_pairs = [
        ("type", q_type.as_str()),
        ("subject", q_subject.as_str()),
        ("issuer", q_issuer.as_str()),
        ("profile", profile.as_str()),
        ("status", status_text.as_str()),
        ("limit", limit_text.as_str()),
    ];
    let first_href = format!("credentials{}", query_string(&base_pairs));
    let next_href = result.next.map(|next| {
        let next = next.to_string();
        let mut pairs = base_pairs.to_vec();
        pairs.push(("cursor", next.as_str()));
        format!("credentials{}", query_string(&pairs))
    });
    let content = render(&Browser {
        q_type,
        q_subject,
        q_issuer,
        profiles,
        statuses,
        limit,
        items,
        first_page: cursor.is_none(),
        first_href,
        next_href,
    })?;
    page("Credentials", &root, &content)
}

/// `GET /credentials`: the browser page for browsers, the JSON listing otherwise.
pub(crate) async fn credentials_list(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    if !wants_html(request.headers(), &[JSON]) {
        return Ok(credentials::list.call(request, state).await);
    }
    let uri = request.uri().clone();
    let query: BrowseQuery = serde_urlencoded_query(&uri)?;
    browse(&state, &uri, query).await
}

fn serde_urlencoded_query<T: serde::de::DeserializeOwned + Default>(
    uri: &Uri,
) -> Result<T, ApiError> {
    match uri.query() {
        None => Ok(T::default()),
        Some(_) => axum::extract::Query::<T>::try_from_uri(uri)
            .map(|q| q.0)
            .map_err(|e| ApiError::BadRequest(e.body_text())),
    }
}

#[derive(Template)]
#[template(path = "credential.html")]
struct CredentialPage {
    id: String,
    status: &'static str,
    status_class: &'static str,
    superseded_by: String,
    superseded_href: Option<String>,
    types: String,
    subject: String,
    issuer: String,
    profile: String,
    format: &'static str,
    issued_at: String,
    valid_from: String,
    valid_until: String,
    sha256: String,
    report: String,
    content: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportTable {
    verdict: &'static str,
    kind: Option<String>,
    format: Option<&'static str>,
    id: Option<String>,
    at: String,
    caption: String,
    checks: Vec<(&'static str, &'static str, String)>,
    nested: Vec<String>,
}

/// The report of the seven checks as an HTML table (nested credentials of a presentation
/// after it).
fn report_html(report: &gxa_verify::VerifyReport, at: jiff::Timestamp) -> Result<String, ApiError> {
    let nested = report
        .credentials
        .iter()
        .map(|c| report_html(c, at))
        .collect::<Result<Vec<_>, _>>()?;
    render(&ReportTable {
        verdict: report.verdict.name(),
        kind: report.kind.clone(),
        format: report.format,
        id: report.id.clone(),
        at: show_time(at),
        caption: match &report.id {
            Some(id) => format!("The seven checks of {id}"),
            None => "The seven checks".to_owned(),
        },
        checks: report
            .checks
            .iter()
            .map(|c| (c.check.name(), c.outcome.name(), c.reason.clone()))
            .collect(),
        nested,
    })
}

/// `GET /credentials/{id}`: the credential's page (status and a live verification) for
/// browsers, its own representations otherwise.
pub(crate) async fn credential(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let native = [
        credentials::VC_LD_JSON,
        credentials::LD_JSON,
        credentials::VC_JWT,
        credentials::N_QUADS,
    ];
    if !wants_html(request.headers(), &native) {
        return Ok(credentials::get.call(request, state).await);
    }
    let uri = request.uri().clone();
    let segment = uri.path().rsplit('/').next().unwrap_or_default();
    let segment = percent_decode(segment)
        .ok_or_else(|| ApiError::BadRequest("the credential id is not UTF-8".to_owned()))?;
    let full_id = if segment.contains(':') {
        segment
    } else {
        state.credential_id(&segment)
    };
    let credential = state.store().get_credential(&full_id).await?;
    let document = credentials::document_json(&full_id, credential.format, &credential.body)?;
    let root = root_of(&uri);
    let at = jiff::Timestamp::now();
    let report = match state.verifier() {
        Some(verifier) => {
            let text = String::from_utf8_lossy(&credential.body).into_owned();
            let report = verifier.verify(&text, at).await;
            report_html(&report, at)?
        }
        None => "<p>This service was started without a verifier.</p>".to_owned(),
    };
    let (status, status_class) = state_of(
        credential.superseded_by.is_some(),
        credential.revoked_at.is_some(),
    );
    let content = render(&CredentialPage {
        id: credential.id.clone(),
        status,
        status_class,
        superseded_href: credential
            .superseded_by
            .as_deref()
            .map(|by| credential_href(&state, &root, by)),
        superseded_by: credential.superseded_by.clone().unwrap_or_default(),
        types: credential.types.join(", "),
        subject: credential.subject.clone(),
        issuer: credential.issuer.clone(),
        profile: credential.profile.clone(),
        format: credential.format.as_str(),
        issued_at: show_time(credential.issued_at),
        valid_from: show_time(credential.valid_from),
        valid_until: credential
            .valid_until
            .map_or_else(|| "–".to_owned(), show_time),
        sha256: credential.body_sha256.to_string(),
        report,
        // Escaped here (quotes as `&quot;`) and inserted as is.
        content: crate::render::escape(
            &serde_json::to_string_pretty(&document).unwrap_or_default(),
        ),
    })?;
    page("Credential", &root, &content)
}

/// Percent-decoding of one path segment; `None` when the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).ok()?);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

// ---- verify ----

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    pasted: String,
    report: Option<String>,
}

/// The form of the verify page (`application/x-www-form-urlencoded`).
#[derive(Debug, Default, Deserialize)]
struct VerifyForm {
    #[serde(default)]
    credential: String,
}

/// The verify page: a form to paste or upload a credential, presentation or JWT.
#[utoipa::path(get, path = "/verify", tag = "pages",
    responses((status = 200, description = "The verify form", content((String = "text/html")))))]
pub(crate) async fn verify_form(uri: Uri) -> Result<Response, ApiError> {
    let content = render(&VerifyPage {
        pasted: String::new(),
        report: None,
    })?;
    page("Verify a credential", &root_of(&uri), &content)
}

/// `POST /verify`: a submitted form (multipart with a pasted text or a file, or URL-encoded)
/// is answered with the report page; every other body goes to the JSON verification.
pub(crate) async fn verify_submit(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let media_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let uri = request.uri().clone();
    let text = match media_type.as_str() {
        "multipart/form-data" => {
            let mut multipart = Multipart::from_request(request, &state)
                .await
                .map_err(|e| ApiError::BadRequest(e.body_text()))?;
            let mut pasted = String::new();
            let mut file = String::new();
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::BadRequest(e.body_text()))?
            {
                let name = field.name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::BadRequest(e.body_text()))?;
                let value = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    ApiError::BadRequest(format!("the form field {name} is not UTF-8"))
                })?;
                match name.as_str() {
                    "credential" => pasted = value,
                    "file" => file = value,
                    _ => {}
                }
            }
            if file.trim().is_empty() { pasted } else { file }
        }
        "application/x-www-form-urlencoded" => {
            let axum::Form(form) = axum::Form::<VerifyForm>::from_request(request, &state)
                .await
                .map_err(|e| ApiError::BadRequest(e.body_text()))?;
            form.credential
        }
        _ => return Ok(verify::verify.call(request, state).await),
    };
    let root = root_of(&uri);
    if text.trim().is_empty() {
        let content = render(&VerifyPage {
            pasted: String::new(),
            report: Some(
                "<p>Nothing to verify: paste a credential or choose a file.</p>".to_owned(),
            ),
        })?;
        let mut response = page("Verify a credential", &root, &content)?;
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    if text.len() > gxa_verify::DEFAULT_MAX_INPUT_BYTES {
        return Err(ApiError::PayloadTooLarge(
            gxa_verify::DEFAULT_MAX_INPUT_BYTES,
        ));
    }
    let Some(verifier) = state.verifier() else {
        return Err(ApiError::NotImplemented(
            "this service was started without a verifier",
        ));
    };
    let at = jiff::Timestamp::now();
    let started = std::time::Instant::now();
    let report = verifier.verify(text.trim(), at).await;
    let first_problem = report
        .checks
        .iter()
        .find(|c| {
            matches!(
                c.outcome,
                gxa_verify::Outcome::Fail | gxa_verify::Outcome::Error
            )
        })
        .map_or("", |c| c.check.name());
    state.metrics().observe_verification(
        report.verdict.name(),
        first_problem,
        started.elapsed().as_secs_f64(),
    );
    let content = render(&VerifyPage {
        pasted: text,
        report: Some(report_html(&report, at)?),
    })?;
    page("Verify a credential", &root, &content)
}

// ---- partners ----

struct RejectionRow {
    seq: u64,
    credential_id: String,
    kind: &'static str,
    reasons: String,
    received_at: String,
}

struct PartnerRow {
    id: String,
    id_path: String,
    did: String,
    base_url: String,
    cursor: u64,
    last_success: String,
    last_error: String,
    stored: u64,
    rejected: u64,
    rejections: Vec<RejectionRow>,
}

#[derive(Template)]
#[template(path = "partners.html")]
struct PartnersPage {
    partners: Vec<PartnerRow>,
}

/// How many rejections the partners page shows per partner.
const REJECTIONS_SHOWN: u32 = 50;

/// `GET /partners`: each partner's sync state and rejections for browsers, JSON otherwise.
pub(crate) async fn partners_list(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    if !wants_html(request.headers(), &[JSON]) {
        return Ok(partners::list.call(request, state).await);
    }
    let mut rows = Vec::new();
    if let Some(syncer) = state.partners() {
        for partner in syncer.partners() {
            let stored = state.store().partner_state(&partner.id).await?;
            let rejections = state
                .store()
                .partner_rejections(&partner.id, 0, REJECTIONS_SHOWN)
                .await?;
            rows.push(PartnerRow {
                id: partner.id.clone(),
                id_path: path_segment(&partner.id),
                did: partner.did.clone(),
                base_url: partner.base_url.clone(),
                cursor: stored.cursor,
                last_success: stored
                    .last_success_at
                    .map_or_else(|| "never".to_owned(), show_time),
                last_error: stored.last_error.unwrap_or_else(|| "–".to_owned()),
                stored: stored.stored,
                rejected: stored.rejected,
                rejections: rejections
                    .into_iter()
                    .map(|r| RejectionRow {
                        seq: r.partner_seq,
                        credential_id: r.credential_id,
                        kind: r.kind.as_str(),
                        reasons: r.reasons.join("; "),
                        received_at: show_time(r.received_at),
                    })
                    .collect(),
            });
        }
    }
    let content = render(&PartnersPage { partners: rows })?;
    page("Partners", &root_of(request.uri()), &content)
}
