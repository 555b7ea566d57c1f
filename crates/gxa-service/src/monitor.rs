//! The SCS compliance monitor's read side, computed by our strict evaluation.
//!
//! The monitor (`compliance-monitor/monitor.py` of SovereignCloudStack/standards) answers
//! `GET /status` with `{subject: {scope uuid: {name, testcases, results, buckets, versions,
//! relevant, result, passed, passed_str, best_passed, validity}}}` and renders tables, detail,
//! scope and report views from it. This module builds the same shapes from the uploads this
//! service keeps ([`board`] evaluates every registered subject's uploads at one instant), so
//! that a page or script written against the monitor reads ours unchanged.
//!
//! **What differs, on purpose:** a version counts as passed only when its `main` target passes
//! (`gxa-scs`): a missing, expired or aborted result is not a pass, where the monitor lists a
//! version as passed unless a result *fails*. So `passed`, `passed_str`, `best_passed` and
//! `result` can differ from the monitor's for the same results; `checked_at` values carry their
//! zone (RFC 3339, UTC) where the monitor's are zone-less; `validity` is the state of the
//! version the verdict speaks about (the monitor's is that of the last version in the scope
//! file); `attn` is the number of versions in force whose targets include the testcase (the
//! monitor does not document its own).

use std::collections::{BTreeMap, BTreeSet};

use gxa_scs::{
    Evaluation, Lifetime, Scope, TestcaseStatus, Verdict, VersionEvaluation, VersionState,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use crate::derived::Board;
pub(crate) use crate::derived::Row;
use crate::error::ApiError;
use crate::state::AppState;

/// Every registered subject's uploads evaluated at `at`, sorted by report subject and scope
/// name. A (report subject, scope) pair uploaded by two accounts is shown once, for the first
/// account by id.
pub(crate) async fn board(state: &AppState, at: Timestamp) -> Result<Vec<Row>, ApiError> {
    let mut rows: Vec<Row> = Vec::new();
    for subject in state.store().list_subjects().await? {
        let evaluator = state.issuer().scs_evaluator(&subject.id).await?;
        for evaluation in evaluator.evaluate(at) {
            // Uploads stored before a delegation was withdrawn do not speak for its subjects.
            if !state
                .issuer()
                .config()
                .may_submit_for(&subject.id, &evaluation.subject)
            {
                continue;
            }
            let seen = rows.iter().any(|r| {
                r.evaluation.subject == evaluation.subject && r.evaluation.scope == evaluation.scope
            });
            if !seen {
                rows.push(Row {
                    owner: subject.id.clone(),
                    evaluation,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        (&a.evaluation.subject, &a.evaluation.scope.name)
            .cmp(&(&b.evaluation.subject, &b.evaluation.scope.name))
    });
    Ok(rows)
}

/// The board now, from memory while fresh (see [`crate::derived`]).
pub(crate) async fn board_now(state: &AppState) -> Result<Board, ApiError> {
    state
        .derived_cache()
        .board(state.store(), |at| board(state, at))
        .await
}

/// The board at `at` (`?at=` of the pages and the monitor's routes): now, from memory, when
/// absent; computed for another time.
pub(crate) async fn board_at(state: &AppState, at: Option<&str>) -> Result<Board, ApiError> {
    match at {
        None | Some("") => board_now(state).await,
        Some(_) => {
            let at = parse_at(at)?;
            Ok((at, std::sync::Arc::new(board(state, at).await?)))
        }
    }
}

/// The evaluation time of a page's `?at=` (default: now).
pub(crate) fn parse_at(at: Option<&str>) -> Result<Timestamp, ApiError> {
    match at {
        None | Some("") => Ok(Timestamp::now()),
        Some(text) => text.parse().map_err(|err| {
            ApiError::BadRequest(format!(
                "at must be an RFC 3339 date-time with an offset, not {text:?}: {err}"
            ))
        }),
    }
}

/// The short name the monitor's routes accept for a scope: its file name without `.yaml`
/// (`scs-compatible-iaas`), from the scope's published URL.
pub(crate) fn alias(scope: &Scope) -> Option<&str> {
    let file = scope.url()?.rsplit('/').next()?;
    file.strip_suffix(".yaml")
        .or_else(|| file.strip_suffix(".yml"))
        .filter(|a| !a.is_empty())
}

/// The key the pages use in URLs for a scope: its alias, else its uuid (or name).
pub(crate) fn url_key(scope: &Scope) -> String {
    alias(scope).unwrap_or(scope.key()).to_owned()
}

/// The configured scope with this uuid, alias or name.
pub(crate) fn find_scope<'a>(scopes: &'a [Scope], key: &str) -> Option<&'a Scope> {
    scopes.iter().find(|s| {
        s.uuid() == Some(key) || s.key() == key || s.name() == key || alias(s) == Some(key)
    })
}

/// The date of `at` in the zone of an evaluation (the zone scope timelines are read in).
pub(crate) fn date_in(zone: &str, at: Timestamp) -> Date {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    at.to_zoned_datetime(tz).date()
}

/// The versions the scope's timeline entry in force on `date` lists, with their states (the
/// versions with an explicit validity, as the monitor evaluates them).
pub(crate) fn listed_versions(scope: &Scope, date: Date) -> BTreeMap<String, VersionState> {
    scope
        .timeline()
        .iter()
        .filter(|e| e.date <= date)
        .max_by_key(|e| e.date)
        .map(|e| e.versions.clone())
        .unwrap_or_default()
}

/// The monitor's result code of a verdict over testcases: `1` pass, `-1` fail, `0` when an
/// aborted result keeps it from passing, `null` when only missing or expired ones do.
fn code(verdict: Verdict, statuses: &[TestcaseStatus]) -> Value {
    match verdict {
        Verdict::Pass => json!(1),
        Verdict::Fail => json!(-1),
        Verdict::Incomplete if statuses.contains(&TestcaseStatus::Abort) => json!(0),
        Verdict::Incomplete => Value::Null,
    }
}

/// The monitor's code of one testcase result (`null` for missing or expired).
fn status_code(status: TestcaseStatus) -> Value {
    match status {
        TestcaseStatus::Pass => json!(1),
        TestcaseStatus::Fail => json!(-1),
        TestcaseStatus::Abort => json!(0),
        TestcaseStatus::Missing | TestcaseStatus::Expired => Value::Null,
    }
}

/// The statuses of a version's testcases in `target`.
fn target_statuses(version: &VersionEvaluation, target: &str) -> Vec<TestcaseStatus> {
    version
        .testcases
        .iter()
        .filter(|t| t.targets.iter().any(|x| x == target))
        .map(|t| t.status)
        .collect()
}

/// The word for a version's verdict shown on pages: `pass`, `fail`, `expired` (it would pass
/// or be incomplete only because results ran out), or `incomplete`.
pub(crate) fn verdict_word(version: &VersionEvaluation) -> &'static str {
    match version.verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Incomplete => {
            let main = target_statuses(version, "main");
            let expired = main.contains(&TestcaseStatus::Expired);
            let other = main
                .iter()
                .any(|s| matches!(s, TestcaseStatus::Missing | TestcaseStatus::Abort));
            if expired && !other {
                "expired"
            } else {
                "incomplete"
            }
        }
    }
}

/// What the monitor's views show of one evaluation: the listed versions (drafts only when
/// `full`), the relevant ones and which of them pass.
pub(crate) struct Summary<'a> {
    /// Listed versions in file order (drafts only when `full`), with their monitor index.
    pub(crate) versions: Vec<(&'a VersionEvaluation, usize)>,
    /// Versions that pass (strict), in file order.
    pub(crate) passed: Vec<&'a VersionEvaluation>,
    /// The version the verdict speaks about: the first that passes, else the last relevant.
    pub(crate) headline: Option<&'a VersionEvaluation>,
}

impl Summary<'_> {
    /// The table cell text: `✅ v5.1` when a version passes, else `🛑 fail`, `🟧 incomplete`
    /// (or `expired`), `– none` without a version in force; draft versions marked `*`, `warn`
    /// ones `†`, as the monitor marks them.
    pub(crate) fn cell(&self) -> (String, &'static str) {
        if !self.passed.is_empty() {
            let names: Vec<String> = self.passed.iter().map(|v| marked(v)).collect();
            return (format!("✅ {}", names.join(", ")), "pass");
        }
        match self.headline {
            None => ("– none".to_owned(), "none"),
            Some(v) => match verdict_word(v) {
                "fail" => ("🛑 fail".to_owned(), "fail"),
                "expired" => ("🟧 expired".to_owned(), "expired"),
                _ => ("🟧 incomplete".to_owned(), "incomplete"),
            },
        }
    }
}

/// A version name with the monitor's state suffix (`*` draft, `†` warn, `††` deprecated).
pub(crate) fn marked(version: &VersionEvaluation) -> String {
    let suffix = match version.state {
        VersionState::Draft => "*",
        VersionState::Warn => "†",
        VersionState::Deprecated => "††",
        VersionState::Effective => "",
    };
    format!("{}{suffix}", version.version)
}

/// The [`Summary`] of an evaluation for a scope.
pub(crate) fn summarize<'a>(scope: &Scope, evaluation: &'a Evaluation, full: bool) -> Summary<'a> {
    let listed = listed_versions(scope, date_in(&evaluation.checked_at_zone, evaluation.at));
    let versions: Vec<(&VersionEvaluation, usize)> = evaluation
        .versions
        .iter()
        .filter(|v| listed.contains_key(&v.version))
        .enumerate()
        .map(|(i, v)| (v, i))
        .filter(|(v, _)| full || v.state != VersionState::Draft)
        .collect();
    let passed: Vec<&VersionEvaluation> = versions
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| v.verdict == Verdict::Pass)
        .collect();
    let headline = passed
        .first()
        .copied()
        .or_else(|| versions.last().map(|(v, _)| *v));
    Summary {
        versions,
        passed,
        headline,
    }
}

/// The `/status` entry of one evaluation (see the module comment for what differs).
pub(crate) fn scope_status(scope: &Scope, evaluation: &Evaluation) -> Value {
    let date = date_in(&evaluation.checked_at_zone, evaluation.at);
    let listed = listed_versions(scope, date);
    let in_force: Vec<&VersionEvaluation> = evaluation
        .versions
        .iter()
        .filter(|v| listed.get(&v.version).is_some_and(|s| s.is_in_force()))
        .collect();

    let mut testcases = Map::new();
    for testcase in scope.testcases() {
        let mut entry = Map::new();
        entry.insert("id".to_owned(), json!(testcase.id));
        if testcase.lifetime != Lifetime::default() {
            entry.insert("lifetime".to_owned(), json!(testcase.lifetime.as_str()));
        }
        if let Some(section) = &testcase.section {
            entry.insert("section".to_owned(), json!(section));
        }
        if let Some(description) = &testcase.description {
            entry.insert("description".to_owned(), json!(description));
        }
        if let Some(url) = &testcase.url {
            entry.insert("url".to_owned(), json!(url));
        }
        let attn = in_force
            .iter()
            .filter(|v| v.testcase(&testcase.id).is_some())
            .count();
        entry.insert("attn".to_owned(), json!(attn));
        testcases.insert(testcase.id.clone(), Value::Object(entry));
    }

    // The newest current result per testcase (the same in every version that has it).
    let mut results = Map::new();
    for version in &evaluation.versions {
        for t in &version.testcases {
            let current = matches!(
                t.status,
                TestcaseStatus::Pass | TestcaseStatus::Fail | TestcaseStatus::Abort
            );
            if current && !results.contains_key(&t.id) {
                results.insert(
                    t.id.clone(),
                    json!({
                        "result": status_code(t.status),
                        "checked_at": t.checked_at.map(|c| c.to_string()),
                        "report": t.report_uuid,
                    }),
                );
            }
        }
    }

    let mut buckets: BTreeMap<&'static str, BTreeSet<&str>> = BTreeMap::new();
    for version in &in_force {
        for t in &version.testcases {
            let key = match t.status {
                TestcaseStatus::Pass => "1",
                TestcaseStatus::Fail => "-1",
                TestcaseStatus::Abort => "0",
                TestcaseStatus::Missing | TestcaseStatus::Expired => "null",
            };
            buckets.entry(key).or_default().insert(&t.id);
        }
    }

    let mut versions = Map::new();
    let mut index = 0_usize;
    let mut idx_of: BTreeMap<&str, usize> = BTreeMap::new();
    for version in &evaluation.versions {
        let Some(validity) = listed.get(&version.version) else {
            continue;
        };
        let mut targets = Map::new();
        for (target, verdict) in &version.targets {
            let ids: Vec<&str> = version
                .testcases
                .iter()
                .filter(|t| t.targets.iter().any(|x| x == target))
                .map(|t| t.id.as_str())
                .collect();
            targets.insert(
                target.clone(),
                json!({"testcases": ids, "result": code(*verdict, &target_statuses(version, target))}),
            );
        }
        let tc_target: Map<String, Value> = version
            .testcases
            .iter()
            .filter_map(|t| Some((t.id.clone(), json!(t.targets.first()?))))
            .collect();
        versions.insert(
            version.version.clone(),
            json!({
                "_idx": index,
                "result": code(version.verdict, &target_statuses(version, "main")),
                "targets": targets,
                "tc_target": tc_target,
                "validity": validity.as_str(),
            }),
        );
        idx_of.insert(&version.version, index);
        index += 1;
    }

    let relevant: Vec<&str> = in_force.iter().map(|v| v.version.as_str()).collect();
    let passed: Vec<&VersionEvaluation> = in_force
        .iter()
        .copied()
        .filter(|v| v.verdict == Verdict::Pass)
        .collect();
    let headline = passed.first().copied().or_else(|| in_force.last().copied());
    let result = match (passed.first(), headline) {
        (Some(_), _) => json!(1),
        (None, Some(v)) => code(v.verdict, &target_statuses(v, "main")),
        (None, None) => Value::Null,
    };
    let passed_names: Vec<&str> = passed.iter().map(|v| v.version.as_str()).collect();
    json!({
        "name": evaluation.scope.name,
        "testcases": testcases,
        "results": results,
        "buckets": buckets,
        "versions": versions,
        "relevant": relevant,
        "result": result,
        "passed": passed_names,
        "passed_str": passed_names.join(", "),
        "best_passed": passed.first().and_then(|v| idx_of.get(v.version.as_str())),
        "validity": headline.map_or("deprecated", |v| v.state.as_str()),
    })
}

/// `GET /status`: every row (optionally only one subject and/or scope uuid) keyed by subject,
/// then scope uuid (a legacy scope without uuid: its name).
pub(crate) fn status(
    rows: &[Row],
    scopes: &[Scope],
    subject: Option<&str>,
    scope_uuid: Option<&str>,
) -> Value {
    let mut out = Map::new();
    for row in rows {
        let evaluation = &row.evaluation;
        if subject.is_some_and(|s| s != evaluation.subject) {
            continue;
        }
        let key = evaluation
            .scope
            .uuid
            .clone()
            .unwrap_or_else(|| evaluation.scope.name.clone());
        if scope_uuid.is_some_and(|s| s != key) {
            continue;
        }
        let Some(scope) = find_scope(scopes, &key) else {
            continue;
        };
        let entry = out
            .entry(evaluation.subject.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = entry {
            map.insert(key, scope_status(scope, evaluation));
        }
    }
    Value::Object(out)
}

/// One period of the certification history: from `from` until `until` (`None`: still at the
/// reference time) the subject's verdict for the scope was `cell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Period {
    /// Start of the period.
    pub(crate) from: Timestamp,
    /// Its end (the next period's start).
    pub(crate) until: Option<Timestamp>,
    /// The table cell text at the time ([`Summary::cell`]).
    pub(crate) cell: String,
    /// Its class (`pass`, `fail`, `incomplete`, `expired`, `none`).
    pub(crate) class: &'static str,
}

/// How far back the history goes: scs-0004 keeps 18 months of status history.
pub(crate) const HISTORY_MONTHS: i32 = 18;

/// The history of `subject` against `scope` up to `at`: the evaluator of its uploads evaluated
/// at every instant a verdict can change (results checked or expiring, timeline entries) within
/// the last [`HISTORY_MONTHS`], equal neighbours merged, newest first.
pub(crate) fn history(
    evaluator: &gxa_scs::Evaluator,
    scope: &Scope,
    subject: &str,
    at: Timestamp,
) -> Vec<Period> {
    let start = at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .checked_sub(jiff::Span::new().months(HISTORY_MONTHS))
        .map_or(at, |z| z.timestamp());
    let mut points: Vec<Timestamp> = evaluator
        .change_points(scope.key(), subject)
        .into_iter()
        .filter(|p| *p > start && *p <= at)
        .collect();
    points.insert(0, start);
    let mut periods: Vec<Period> = Vec::new();
    for point in points {
        let Some(evaluation) = evaluator.evaluate_subject(scope.key(), subject, point) else {
            continue;
        };
        let (cell, class) = summarize(scope, &evaluation, false).cell();
        match periods.last_mut() {
            Some(last) if last.cell == cell => {}
            Some(last) => {
                last.until = Some(point);
                periods.push(Period {
                    from: point,
                    until: None,
                    cell,
                    class,
                });
            }
            None => periods.push(Period {
                from: point,
                until: None,
                cell,
                class,
            }),
        }
    }
    periods.reverse();
    periods
}
