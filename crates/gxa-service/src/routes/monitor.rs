//! The SCS compliance monitor's read API, same routes and shapes: `GET /status` and the
//! `markdown`, `fragment` and `page` views of the table, a subject's detail, a scope and a
//! report (see [`crate::monitor`] for the data and what differs from the monitor).
//!
//! `markdown` is GFM text and `fragment` an HTML `<section>` without page around it, both
//! meant to be embedded elsewhere (as the SCS documentation site embeds the monitor's views):
//! their links are absolute (`{base_url}/page/...`) and `fragment` may be fetched from any
//! origin. `page` is a whole page with relative links (it works under a path prefix). Every
//! route takes `?at=RFC3339` to evaluate at another time than now (an extension: the monitor
//! always evaluates now).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use gxa_scs::{Scope, TestcaseStatus, VersionState};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::monitor::{self, Row};
use crate::negotiate;
use crate::routes::pages::{self, path_segment, show_time};
use crate::state::AppState;

/// The three views of the monitor's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Markdown,
    Fragment,
    Page,
}

impl View {
    fn parse(text: &str) -> Result<Self, ApiError> {
        match text {
            "markdown" => Ok(Self::Markdown),
            "fragment" => Ok(Self::Fragment),
            "page" => Ok(Self::Page),
            other => Err(ApiError::NotFound(format!(
                "no view {other:?}: markdown, fragment or page"
            ))),
        }
    }
}

/// Query of `GET /status`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatusQuery {
    /// Only this report subject.
    subject: Option<String>,
    /// Only this scope (uuid).
    scopeuuid: Option<String>,
    /// Evaluate at this time (RFC 3339) instead of now (an extension of the monitor's API).
    at: Option<String>,
}

/// Query of the views.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ViewQuery {
    /// Evaluate at this time (RFC 3339) instead of now.
    at: Option<String>,
}

/// The computed compliance status of every subject and scope, in the monitor's JSON shape.
///
/// As the monitor: the client must accept `application/json` (or `*/*`), else 406.
#[utoipa::path(get, path = "/status", tag = "monitor", params(StatusQuery),
    responses(
        (status = 200, description = "`{subject: {scope uuid: {name, testcases, results, buckets, versions, relevant, result, passed, passed_str, best_passed, validity}}}`", body = serde_json::Value),
        (status = 400, description = "Bad `at`", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "`Accept` does not include application/json", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StatusQuery>,
) -> Result<Response, ApiError> {
    const JSON: &str = "application/json";
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    negotiate::choose(accept, &[JSON]).ok_or_else(|| ApiError::NotAcceptable(vec![JSON]))?;
    let (_, rows) = monitor::board_at(&state, query.at.as_deref()).await?;
    let body = monitor::status(
        &rows,
        &state.issuer().config().scopes,
        query.subject.as_deref(),
        query.scopeuuid.as_deref(),
    );
    Ok((
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        axum::Json(body),
    )
        .into_response())
}

/// Where a view's links point: absolute for embeddable views, relative for pages.
fn link_base(state: &AppState, view: View, uri: &Uri) -> String {
    match view {
        View::Page => format!("{}page/", pages::root_of(uri)),
        View::Markdown | View::Fragment => format!("{}/page/", state.base_url()),
    }
}

/// A view's response: Markdown text, an embeddable fragment, or a page around the fragment.
fn respond(
    view: View,
    title: &str,
    uri: &Uri,
    markdown: String,
    html: String,
) -> Result<Response, ApiError> {
    match view {
        View::Markdown => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/markdown; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                ),
            ],
            markdown,
        )
            .into_response()),
        View::Fragment => {
            let mut response = pages::html_response(html);
            response.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            Ok(response)
        }
        View::Page => pages::page(title, &pages::root_of(uri), &html),
    }
}

fn render(template: &impl Template) -> Result<String, ApiError> {
    template
        .render()
        .map_err(|e| ApiError::Internal(format!("template: {e}")))
}

/// Text for a Markdown table cell or line: markup characters escaped, one line.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '[' | ']' | '*' | '_' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A URL inside Markdown link parentheses.
fn md_url(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

fn scope_key_of(row: &Row) -> &str {
    row.evaluation
        .scope
        .uuid
        .as_deref()
        .unwrap_or(&row.evaluation.scope.name)
}

// ---- table ----

#[derive(Template)]
#[template(path = "monitor/table.html")]
struct TableTemplate {
    at: String,
    full: bool,
    link: String,
    detail: &'static str,
    scopes: Vec<ScopeColumn>,
    rows: Vec<TableRow>,
}

struct TableRow {
    subject: String,
    subject_path: String,
    cells: Vec<Option<(String, &'static str, String)>>,
}

struct ScopeColumn {
    key: String,
    name: String,
}

async fn table_view(
    state: AppState,
    view: &str,
    query: ViewQuery,
    uri: Uri,
    full: bool,
) -> Result<Response, ApiError> {
    let view = View::parse(view)?;
    let (at, rows) = monitor::board_at(&state, query.at.as_deref()).await?;
    let scopes = &state.issuer().config().scopes;
    let mut table: Vec<TableRow> = Vec::new();
    for row in rows.iter() {
        let e = &row.evaluation;
        let index = match table.iter().position(|r| r.subject == e.subject) {
            Some(i) => i,
            None => {
                table.push(TableRow {
                    subject: e.subject.clone(),
                    subject_path: path_segment(&e.subject),
                    cells: scopes.iter().map(|_| None).collect(),
                });
                table.len() - 1
            }
        };
        let Some(column) = scopes.iter().position(|s| s.key() == scope_key_of(row)) else {
            continue;
        };
        let (text, class) = monitor::summarize(&scopes[column], e, full).cell();
        table[index].cells[column] = Some((
            text,
            class,
            path_segment(&monitor::url_key(&scopes[column])),
        ));
    }
    let link = link_base(&state, view, &uri);
    let detail = if full { "detail_full" } else { "detail" };
    let scope_heads: Vec<ScopeColumn> = scopes
        .iter()
        .map(|s| ScopeColumn {
            key: path_segment(&monitor::url_key(s)),
            name: s.name().to_owned(),
        })
        .collect();

    let mut markdown = format!(
        "Strict evaluation at {}: a version passes only when every testcase of its main target \
         has a current pass (a missing, expired or aborted result is not a pass).\n\n| subject |",
        show_time(at)
    );
    for head in &scope_heads {
        markdown.push_str(&format!(" {} |", md(&head.name)));
    }
    markdown.push_str("\n|---|");
    markdown.push_str(&"---|".repeat(scope_heads.len()));
    markdown.push('\n');
    for row in &table {
        markdown.push_str(&format!("| {} |", md(&row.subject)));
        for cell in &row.cells {
            match cell {
                Some((text, _, key)) => markdown.push_str(&format!(
                    " [{}]({}) |",
                    md(text),
                    md_url(&format!("{link}{detail}/{}/{key}", row.subject_path))
                )),
                None => markdown.push_str(" – |"),
            }
        }
        markdown.push('\n');
    }
    let template = TableTemplate {
        at: show_time(at),
        full,
        link,
        detail,
        scopes: scope_heads,
        rows: table,
    };
    let html = render(&template)?;
    let title = if full {
        "SCS compliance (with drafts)"
    } else {
        "SCS compliance"
    };
    respond(view, title, &uri, markdown, html)
}

/// The overview table: each subject's summary per scope (versions in force).
#[utoipa::path(get, path = "/{view}/table", tag = "monitor",
    params(("view" = String, Path, description = "`markdown`, `fragment` or `page`"), ViewQuery),
    responses(
        (status = 200, description = "The table", content((String = "text/markdown"), (String = "text/html"))),
        (status = 404, description = "Unknown view", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn table(
    State(state): State<AppState>,
    Path(view): Path<String>,
    Query(query): Query<ViewQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    table_view(state, &view, query, uri, false).await
}

/// The overview table with draft versions.
#[utoipa::path(get, path = "/{view}/table_full", tag = "monitor",
    params(("view" = String, Path, description = "`markdown`, `fragment` or `page`"), ViewQuery),
    responses(
        (status = 200, description = "The table", content((String = "text/markdown"), (String = "text/html"))),
        (status = 404, description = "Unknown view", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn table_full(
    State(state): State<AppState>,
    Path(view): Path<String>,
    Query(query): Query<ViewQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    table_view(state, &view, query, uri, true).await
}

// ---- detail ----

struct VersionLine {
    name: String,
    state: &'static str,
    state_class: &'static str,
    word: &'static str,
    class: &'static str,
    valid_until: String,
    checked: String,
}

struct TestcaseLine {
    id: String,
    url: Option<String>,
    result: &'static str,
    class: &'static str,
    checked_at: String,
    expires_at: String,
    membership: Vec<String>,
    report: Option<String>,
    upload: String,
    description: String,
}

#[derive(Template)]
#[template(path = "monitor/detail.html")]
struct DetailTemplate {
    link: String,
    subject: String,
    owner: String,
    scope_key: String,
    scope_name: String,
    at: String,
    zone: String,
    cell: String,
    class: &'static str,
    versions: Vec<VersionLine>,
    testcases: Vec<TestcaseLine>,
    evidence: Vec<(usize, String, String, String)>,
    history: Vec<(String, String, String, &'static str)>,
    months: i32,
}

fn status_class(status: TestcaseStatus) -> &'static str {
    match status {
        TestcaseStatus::Pass => "pass",
        TestcaseStatus::Fail => "fail",
        TestcaseStatus::Abort | TestcaseStatus::Missing => "incomplete",
        TestcaseStatus::Expired => "expired",
    }
}

fn state_class(state: VersionState) -> &'static str {
    match state {
        VersionState::Effective | VersionState::Warn => "pass",
        VersionState::Draft | VersionState::Deprecated => "draft",
    }
}

async fn detail_view(
    state: AppState,
    (view, subject, scope): (String, String, String),
    query: ViewQuery,
    uri: Uri,
    full: bool,
) -> Result<Response, ApiError> {
    let view = View::parse(&view)?;
    let at = monitor::parse_at(query.at.as_deref())?;
    let scopes = &state.issuer().config().scopes;
    let scope: &Scope = monitor::find_scope(scopes, &scope)
        .ok_or_else(|| ApiError::NotFound(format!("no scope {scope:?}")))?;
    let rows = monitor::board(&state, at).await?;
    let row = rows
        .into_iter()
        .find(|r| r.evaluation.subject == subject && scope_key_of(r) == scope.key())
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no results of subject {subject:?} for scope {}",
                scope.name()
            ))
        })?;
    let evaluator = state.issuer().scs_evaluator(&row.owner).await?;
    let history_scope = scope.clone();
    let history_subject = subject.clone();
    let history = tokio::task::spawn_blocking(move || {
        monitor::history(&evaluator, &history_scope, &history_subject, at)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("history task: {e}")))?;

    let e = &row.evaluation;
    let summary = monitor::summarize(scope, e, full);
    let (cell, class) = summary.cell();
    let shown: Vec<&gxa_scs::VersionEvaluation> =
        summary.versions.iter().map(|(v, _)| *v).collect();
    let versions: Vec<VersionLine> = shown
        .iter()
        .map(|v| {
            let word = monitor::verdict_word(v);
            VersionLine {
                name: monitor::marked(v),
                state: v.state.as_str(),
                state_class: state_class(v.state),
                word,
                class: word,
                valid_until: v.valid_until.map_or_else(|| "–".to_owned(), show_time),
                checked: v.checked_period.map_or_else(
                    || "–".to_owned(),
                    |(a, b)| format!("{} – {}", show_time(a), show_time(b)),
                ),
            }
        })
        .collect();
    // Testcases of the shown versions, failing and incomplete ones first (as the monitor
    // sorts), then by id.
    let mut testcases: Vec<TestcaseLine> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for v in &shown {
        for t in &v.testcases {
            if !seen.insert(t.id.clone()) {
                continue;
            }
            let definition = scope.testcase(&t.id);
            testcases.push(TestcaseLine {
                id: t.id.clone(),
                url: definition.and_then(|d| d.url.clone()),
                result: t.status.as_str(),
                class: status_class(t.status),
                checked_at: t.checked_at.map_or_else(|| "–".to_owned(), show_time),
                expires_at: t.expires_at.map_or_else(|| "–".to_owned(), show_time),
                membership: shown
                    .iter()
                    .map(|other| {
                        other
                            .testcase(&t.id)
                            .map_or_else(String::new, |x| x.targets.join(", "))
                    })
                    .collect(),
                report: t.report_uuid.clone(),
                // The number of the upload in the table of uploads below.
                upload: t
                    .evidence
                    .map_or_else(String::new, |i| format!("#{}", i + 1)),
                description: definition
                    .and_then(|d| d.description.clone())
                    .unwrap_or_default(),
            });
        }
    }
    let rank = |class: &str| match class {
        "fail" => 0,
        "incomplete" | "expired" => 1,
        _ => 2,
    };
    testcases.sort_by(|a, b| (rank(a.class), &a.id).cmp(&(rank(b.class), &b.id)));
    let evidence: Vec<(usize, String, String, String)> = e
        .evidence
        .iter()
        .enumerate()
        .map(|(i, ev)| {
            (
                i + 1,
                ev.digest_sri.clone(),
                ev.signer_fingerprint
                    .clone()
                    .unwrap_or_else(|| "unsigned".to_owned()),
                ev.report_uuids.join(", "),
            )
        })
        .collect();
    let history: Vec<(String, String, String, &'static str)> = history
        .into_iter()
        .map(|p| {
            (
                show_time(p.from),
                p.until.map_or_else(|| "now".to_owned(), show_time),
                p.cell,
                p.class,
            )
        })
        .collect();
    let link = link_base(&state, view, &uri);
    let scope_key = path_segment(&monitor::url_key(scope));

    let mut markdown = format!(
        "## {}: {}\n\n- [scope]({}) · evaluated at {} · verdict: {}\n\n| testcase id | result | checked at | expires |",
        md(&subject),
        md(scope.name()),
        md_url(&format!("{link}scope/{scope_key}")),
        show_time(at),
        md(&cell)
    );
    for v in &versions {
        markdown.push_str(&format!(" {} |", md(&v.name)));
    }
    markdown.push_str(" description |\n|---|---|---|---|");
    markdown.push_str(&"---|".repeat(versions.len()));
    markdown.push_str("---|\n");
    for t in &testcases {
        let id = match &t.url {
            Some(url) => format!("[{}]({})", md(&t.id), md_url(url)),
            None => md(&t.id),
        };
        let result = match &t.report {
            Some(report) => format!(
                "[{}]({})",
                md(t.result),
                md_url(&format!("{link}report/{}#{}", path_segment(report), t.id))
            ),
            None => md(t.result),
        };
        markdown.push_str(&format!(
            "| {id} | {result} | {} | {} |",
            md(&t.checked_at),
            md(&t.expires_at)
        ));
        for m in &t.membership {
            markdown.push_str(&format!(" {} |", md(m)));
        }
        markdown.push_str(&format!(" {} |\n", md(&t.description)));
    }
    markdown.push_str("\n### History\n\n| from | until | verdict |\n|---|---|---|\n");
    for (from, until, text, _) in &history {
        markdown.push_str(&format!(
            "| {} | {} | {} |\n",
            md(from),
            md(until),
            md(text)
        ));
    }

    let html = render(&DetailTemplate {
        link,
        subject: subject.clone(),
        owner: row.owner.clone(),
        scope_key,
        scope_name: scope.name().to_owned(),
        at: show_time(at),
        zone: e.checked_at_zone.clone(),
        cell,
        class,
        versions,
        testcases,
        evidence,
        history,
        months: monitor::HISTORY_MONTHS,
    })?;
    let title = format!("{subject}: {}", scope.name());
    respond(view, &title, &uri, markdown, html)
}

/// One subject's results for one scope (uuid or alias): versions, testcases with result,
/// checked_at, expiry, report and upload, and the certification history.
#[utoipa::path(get, path = "/{view}/detail/{subject}/{scope}", tag = "monitor",
    params(
        ("view" = String, Path, description = "`markdown`, `fragment` or `page`"),
        ("subject" = String, Path, description = "The report subject"),
        ("scope" = String, Path, description = "The scope's uuid, alias (`scs-compatible-iaas`) or name"),
        ViewQuery),
    responses(
        (status = 200, description = "The detail", content((String = "text/markdown"), (String = "text/html"))),
        (status = 404, description = "Unknown view, scope, or no results", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn detail(
    State(state): State<AppState>,
    Path(path): Path<(String, String, String)>,
    Query(query): Query<ViewQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    detail_view(state, path, query, uri, false).await
}

/// The detail with draft versions.
#[utoipa::path(get, path = "/{view}/detail_full/{subject}/{scope}", tag = "monitor",
    params(
        ("view" = String, Path, description = "`markdown`, `fragment` or `page`"),
        ("subject" = String, Path, description = "The report subject"),
        ("scope" = String, Path, description = "The scope's uuid, alias or name"),
        ViewQuery),
    responses(
        (status = 200, description = "The detail", content((String = "text/markdown"), (String = "text/html"))),
        (status = 404, description = "Unknown view, scope, or no results", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn detail_full(
    State(state): State<AppState>,
    Path(path): Path<(String, String, String)>,
    Query(query): Query<ViewQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    detail_view(state, path, query, uri, true).await
}

// ---- scope ----

struct ModuleLine {
    id: String,
    name: String,
    url: Option<String>,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "monitor/scope.html")]
struct ScopeTemplate {
    name: String,
    uuid: Option<String>,
    url: Option<String>,
    date: String,
    versions: Vec<(String, &'static str)>,
    modules: Vec<ModuleLine>,
}

/// A scope's modules × versions matrix, with each version's state.
#[utoipa::path(get, path = "/{view}/scope/{scope}", tag = "monitor",
    params(
        ("view" = String, Path, description = "`markdown`, `fragment` or `page`"),
        ("scope" = String, Path, description = "The scope's uuid, alias or name"),
        ViewQuery),
    responses(
        (status = 200, description = "The matrix", content((String = "text/markdown"), (String = "text/html"))),
        (status = 404, description = "Unknown view or scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn scope(
    State(state): State<AppState>,
    Path((view, key)): Path<(String, String)>,
    Query(query): Query<ViewQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let view = View::parse(&view)?;
    let at = monitor::parse_at(query.at.as_deref())?;
    let scopes = &state.issuer().config().scopes;
    let scope = monitor::find_scope(scopes, &key)
        .ok_or_else(|| ApiError::NotFound(format!("no scope {key:?}")))?;
    let date = monitor::date_in(state.issuer().config().zone.name(), at);
    let versions: Vec<(String, &'static str)> = scope
        .versions()
        .iter()
        .map(|v| (v.version.clone(), scope.state_at(&v.version, date).as_str()))
        .collect();
    let modules: Vec<ModuleLine> = scope
        .modules()
        .iter()
        .map(|m| ModuleLine {
            id: m.id.clone(),
            name: m.name.clone(),
            url: m.url.clone(),
            cells: scope
                .versions()
                .iter()
                .map(|v| {
                    if v.include.contains(&m.id) {
                        let targets: Vec<&str> = m.targets.keys().map(String::as_str).collect();
                        format!("X ({})", targets.join(", "))
                    } else {
                        String::new()
                    }
                })
                .collect(),
        })
        .collect();
    let mut markdown = format!("## {}\n\n| module |", md(scope.name()));
    for (v, s) in &versions {
        markdown.push_str(&format!(" {} ({s}) |", md(v)));
    }
    markdown.push_str("\n|---|");
    markdown.push_str(&"---|".repeat(versions.len()));
    markdown.push('\n');
    for m in &modules {
        let name = match &m.url {
            Some(url) => format!("[{}]({}): {}", md(&m.id), md_url(url), md(&m.name)),
            None => format!("{}: {}", md(&m.id), md(&m.name)),
        };
        markdown.push_str(&format!("| {name} |"));
        for c in &m.cells {
            markdown.push_str(&format!(" {} |", md(c)));
        }
        markdown.push('\n');
    }
    let html = render(&ScopeTemplate {
        name: scope.name().to_owned(),
        uuid: scope.uuid().map(str::to_owned),
        url: scope.url().map(str::to_owned),
        date: date.to_string(),
        versions,
        modules,
    })?;
    respond(view, scope.name(), &uri, markdown, html)
}

// ---- reports ----

#[derive(Template)]
#[template(path = "monitor/report.html")]
struct ReportTemplate {
    link: String,
    uuid: String,
    subject: String,
    scope_key: String,
    scope_name: String,
    checked_at: String,
    upload: String,
    signer: String,
    received_at: String,
    results: Vec<(String, &'static str, &'static str)>,
    full: Option<String>,
}

/// A stored report found by its `run.uuid`.
struct FoundReport {
    owner: String,
    upload: gxa_store::Upload,
    verified: gxa_scs::VerifiedUpload,
    report: gxa_scs::Report,
}

async fn find_report(state: &AppState, uuid: &str) -> Result<FoundReport, ApiError> {
    let limits = state.issuer().config().limits;
    for subject in state.store().list_subjects().await? {
        for (upload, verified) in state.issuer().verified_uploads(&subject.id).await? {
            let Ok(reports) = gxa_scs::parse_reports(&verified.report, limits) else {
                continue;
            };
            if let Some(report) = reports
                .into_iter()
                .find(|r| r.run_uuid.as_deref() == Some(uuid))
            {
                return Ok(FoundReport {
                    owner: subject.id,
                    upload,
                    verified,
                    report,
                });
            }
        }
    }
    Err(ApiError::NotFound(format!("no report {uuid:?}")))
}

async fn report_view(
    state: AppState,
    view: &str,
    uuid: &str,
    uri: Uri,
    full: bool,
) -> Result<Response, ApiError> {
    let view = View::parse(view)?;
    let found = find_report(&state, uuid).await?;
    let scopes = &state.issuer().config().scopes;
    let scope = monitor::find_scope(scopes, &found.report.scope_uuid);
    let scope_name = scope.map_or_else(
        || {
            found
                .report
                .scope_name
                .clone()
                .unwrap_or_else(|| found.report.scope_uuid.clone())
        },
        |s| s.name().to_owned(),
    );
    let scope_key = scope.map_or_else(
        || path_segment(&found.report.scope_uuid),
        |s| path_segment(&monitor::url_key(s)),
    );
    let checked_at = match found.report.checked_at {
        gxa_scs::CheckedAt::Instant(t) => show_time(t),
        gxa_scs::CheckedAt::Naive(civil) => format!(
            "{civil} (no zone; read in {})",
            state.issuer().config().zone.name()
        ),
    };
    let results: Vec<(String, &'static str, &'static str)> = found
        .report
        .results
        .iter()
        .map(|(id, result)| {
            let text = result.as_str();
            let class = match text {
                "pass" => "pass",
                "fail" => "fail",
                _ => "incomplete",
            };
            (id.clone(), text, class)
        })
        .collect();
    let full_text = full.then(|| String::from_utf8_lossy(&found.verified.report).into_owned());
    let link = link_base(&state, view, &uri);
    let upload = found.verified.body_sri.clone();
    let signer = found.verified.signer_fingerprint.clone();

    let mut markdown = format!(
        "## General info\n\n- uuid: {}\n- subject: {}\n- scope: [{}]({})\n- checked at: {}\n- upload: {} signed by {}, received {}\n\n| testcase | result |\n|---|---|\n",
        md(uuid),
        md(&found.report.subject),
        md(&scope_name),
        md_url(&format!("{link}scope/{scope_key}")),
        md(&checked_at),
        md(&upload),
        md(&signer),
        show_time(found.upload.received_at),
    );
    for (id, text, _) in &results {
        markdown.push_str(&format!("| {} | {} |\n", md(id), md(text)));
    }
    match &full_text {
        Some(text) => {
            markdown.push_str("\n## The signed report stream as uploaded\n\n````yaml\n");
            markdown.push_str(&text.replace("````", "` ` ` `"));
            markdown.push_str("\n````\n");
        }
        None => markdown.push_str(&format!(
            "\nRedacted: the runner's output is left out. [Full report]({}) (requires the uploading account's token).\n",
            md_url(&format!("{link}report_full/{}", path_segment(uuid)))
        )),
    }
    let html = render(&ReportTemplate {
        link,
        uuid: uuid.to_owned(),
        subject: found.report.subject.clone(),
        scope_key,
        scope_name,
        checked_at,
        upload,
        signer,
        received_at: show_time(found.upload.received_at),
        results,
        full: full_text,
    })?;
    respond(view, &format!("Report {uuid}"), &uri, markdown, html)
}

/// A report's results, redacted (the runner's output left out).
#[utoipa::path(get, path = "/{view}/report/{uuid}", tag = "monitor",
    params(
        ("view" = String, Path, description = "`markdown`, `fragment` or `page`"),
        ("uuid" = String, Path, description = "The report's `run.uuid`")),
    responses(
        (status = 200, description = "The report", content((String = "text/markdown"), (String = "text/html"))),
        (status = 404, description = "Unknown view or report", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn report(
    State(state): State<AppState>,
    Path((view, uuid)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, ApiError> {
    report_view(state, &view, &uuid, uri, false).await
}

/// A report with the whole signed report stream, for the account that uploaded it.
#[utoipa::path(get, path = "/{view}/report_full/{uuid}", tag = "monitor",
    params(
        ("view" = String, Path, description = "`markdown`, `fragment` or `page`"),
        ("uuid" = String, Path, description = "The report's `run.uuid`")),
    security(("bearer" = []), ("basic" = [])),
    responses(
        (status = 200, description = "The report", content((String = "text/markdown"), (String = "text/html"))),
        (status = 401, description = "Missing or unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the uploading account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown view or report", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn report_full(
    State(state): State<AppState>,
    auth: Authenticated,
    Path((view, uuid)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, ApiError> {
    View::parse(&view)?;
    let found = find_report(&state, &uuid).await?;
    if found.owner != auth.subject {
        return Err(ApiError::Forbidden(format!(
            "report {uuid} was uploaded by another account"
        )));
    }
    report_view(state, &view, &uuid, uri, true).await
}
