//! Strict evaluation of accumulated results against a certificate scope.
//!
//! Results accumulate over any number of reports and uploads ([`Evaluator`]). For a subject and
//! scope at a reference time `at`:
//!
//! 1. per testcase, the newest result checked at or before `at` (or up to the skew set with
//!    [`Evaluator::with_skew`] after it: runner clocks drift; a result further ahead does not
//!    count until its time comes) — a later `checked_at` supersedes an earlier one; on a tie,
//!    the report added later wins; it counts only while `at` is before its expiry
//!    ([`Lifetime`]);
//! 2. per version, its state at `at`'s date in the configured zone ([`Scope::state_at`]), and per
//!    target (`main`, `recommended`, `preview`, ...) over the union of the included modules'
//!    testcases a [`Verdict`]: `fail` if any result is a fail, else `incomplete` if any is missing,
//!    expired or aborted, else `pass`. A target with no testcase is `incomplete` (nothing to rest
//!    a claim on). The version's verdict is its `main` target's;
//! 3. the best passing version: the first version in file order (newest first) that is in force
//!    (`effective` or `warn`) and passes;
//! 4. a passing version's validity ends at the first expiry among the results it rests on, or
//!    earlier if the timeline takes the version out of force before that.
//!
//! **Difference from the SCS compliance monitor** (`_evaluate_scope` in
//! `compliance-monitor/monitor.py`, [monitor.py]): the monitor lists a version as passed unless
//! a result *fails*, so a missing testcase (`None`) or an aborted one (`0`, shown as ✅*) counts
//! as passed. That is right for a dashboard nudging operators, but an attestation is a claim
//! third parties rely on without seeing the results: "the test did not run" or "the test could
//! not finish" is not evidence of conformity. Here both are `incomplete`, and so is a result
//! past its lifetime (the monitor drops those, which then count as missing, i.e. passed).
//!
//! [monitor.py]: https://github.com/SovereignCloudStack/standards/blob/main/compliance-monitor/monitor.py

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::ReportError;
use crate::report::{Report, TestResult, parse_reports};
use crate::scope::{Lifetime, Scope, VersionState};
use crate::time::CheckedAtZone;
use crate::upload::{VerifiedUpload, sri_sha256};
use crate::yaml::Limits;

/// A verdict for a version or target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every testcase has a current passing result.
    Pass,
    /// Some testcase has a current failing result.
    Fail,
    /// No fail, but some testcase is missing, expired or aborted (never a pass).
    Incomplete,
}

impl Verdict {
    /// `pass`, `fail` or `incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Incomplete => "incomplete",
        }
    }
}

/// The status of one testcase at the reference time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestcaseStatus {
    /// A current pass.
    Pass,
    /// A current fail.
    Fail,
    /// A current abort: the test could not finish.
    Abort,
    /// No result checked at or before the reference time.
    Missing,
    /// The newest result is past its lifetime.
    Expired,
}

impl TestcaseStatus {
    /// `pass`, `fail`, `abort`, `missing` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Abort => "abort",
            Self::Missing => "missing",
            Self::Expired => "expired",
        }
    }
}

/// Where results came from: one input document (a signed upload or a plain report file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// SHA-256 of the exact input bytes in SRI form (`sha256-<base64>`).
    pub digest_sri: String,
    /// For a signed upload, the signer key's fingerprint (`SHA256:<base64>`).
    pub signer_fingerprint: Option<String>,
    /// The `run.uuid`s of the reports it holds.
    pub report_uuids: Vec<String>,
}

/// One testcase of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestcaseEvaluation {
    /// Testcase id.
    pub id: String,
    /// Status at the reference time.
    pub status: TestcaseStatus,
    /// When the result used was checked (`None` when missing).
    pub checked_at: Option<Timestamp>,
    /// When that result expires (`None` when missing).
    pub expires_at: Option<Timestamp>,
    /// The `run.uuid` of the report it came from.
    pub report_uuid: Option<String>,
    /// Index into [`Evaluation::evidence`].
    pub evidence: Option<usize>,
    /// The lifetime applied.
    pub lifetime: Lifetime,
    /// The targets of this version that include the testcase.
    pub targets: Vec<String>,
}

/// One module of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleEvaluation {
    /// Module id.
    pub id: String,
    /// Module name.
    pub name: String,
    /// Standard URL.
    pub url: Option<String>,
    /// Target → verdict, for the targets the module has.
    pub targets: BTreeMap<String, Verdict>,
}

/// One version of the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionEvaluation {
    /// Version name.
    pub version: String,
    /// State at the reference date.
    pub state: VersionState,
    /// The `main` target's verdict.
    pub verdict: Verdict,
    /// Target → verdict.
    pub targets: BTreeMap<String, Verdict>,
    /// Included modules, in order.
    pub modules: Vec<ModuleEvaluation>,
    /// Testcases of all targets, in first-mention order.
    pub testcases: Vec<TestcaseEvaluation>,
    /// For a pass: when the verdict stops holding.
    pub valid_until: Option<Timestamp>,
    /// Earliest and latest `checked_at` of the `main` results used (`None` if there are none).
    pub checked_period: Option<(Timestamp, Timestamp)>,
}

impl VersionEvaluation {
    /// One testcase by id.
    pub fn testcase(&self, id: &str) -> Option<&TestcaseEvaluation> {
        self.testcases.iter().find(|t| t.id == id)
    }
}

/// The scope an evaluation is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRef {
    /// Scope uuid (`None` for a legacy scope).
    pub uuid: Option<String>,
    /// Scope name.
    pub name: String,
    /// Where the scope file is published.
    pub url: Option<String>,
}

/// The evaluation of one subject against one scope at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The subject (cloud).
    pub subject: String,
    /// The scope.
    pub scope: ScopeRef,
    /// Reference time.
    pub at: Timestamp,
    /// The zone zone-less `checked_at` values were read in.
    pub checked_at_zone: String,
    /// Versions in file order.
    pub versions: Vec<VersionEvaluation>,
    /// The best passing version in force.
    pub best_passed: Option<String>,
    /// The inputs at least one result used here came from.
    pub evidence: Vec<Evidence>,
}

impl Evaluation {
    /// The JSON shape of `gx-attest scs evaluate --json` (a stable CLI contract): `subject`,
    /// `scope` (`uuid`, `name`), `at`, `checked_at_zone`, `versions` (each with `version`,
    /// `state`, `verdict`, `valid_until`, `targets` and `testcases` by id with `result`,
    /// `checked_at`, `expires_at`) and `best_passed`. Shared by the CLI and the issuer's HTTP
    /// answers so both speak the same shape.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};

        let opt_time = |t: Option<Timestamp>| t.map_or(Value::Null, |t| json!(t.to_string()));
        let versions: Vec<Value> = self
            .versions
            .iter()
            .map(|v| {
                let testcases: Map<String, Value> = v
                    .testcases
                    .iter()
                    .map(|t| {
                        (
                            t.id.clone(),
                            json!({
                                "result": t.status.as_str(),
                                "checked_at": opt_time(t.checked_at),
                                "expires_at": opt_time(t.expires_at),
                            }),
                        )
                    })
                    .collect();
                let targets: Map<String, Value> = v
                    .targets
                    .iter()
                    .map(|(target, verdict)| (target.clone(), json!(verdict.as_str())))
                    .collect();
                json!({
                    "version": v.version,
                    "state": v.state.as_str(),
                    "verdict": v.verdict.as_str(),
                    "valid_until": opt_time(v.valid_until),
                    "targets": targets,
                    "testcases": testcases,
                })
            })
            .collect();
        json!({
            "subject": self.subject,
            "scope": {"uuid": self.scope.uuid, "name": self.scope.name},
            "at": self.at.to_string(),
            "checked_at_zone": self.checked_at_zone,
            "versions": versions,
            "best_passed": self.best_passed,
        })
    }

    /// One version by name.
    pub fn version(&self, name: &str) -> Option<&VersionEvaluation> {
        self.versions.iter().find(|v| v.version == name)
    }

    /// The version an attestation speaks about: the best passing one, else the first in force,
    /// else the first.
    pub fn headline(&self) -> Option<&VersionEvaluation> {
        self.best_passed
            .as_deref()
            .and_then(|v| self.version(v))
            .or_else(|| self.versions.iter().find(|v| v.state.is_in_force()))
            .or_else(|| self.versions.first())
    }
}

/// Evaluation could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluationError {
    /// A report names a scope none of the loaded scope files has.
    #[error(
        "report {report} (document {document}) is for unknown scope uuid {uuid} ({name}); loaded scopes: {known}"
    )]
    UnknownScope {
        /// The report's `run.uuid` (or `-`).
        report: String,
        /// Which document of its stream.
        document: usize,
        /// The report's `spec.uuid`.
        uuid: String,
        /// The report's `spec.name` (or `-`).
        name: String,
        /// The loaded scopes, `uuid (name)`, comma separated.
        known: String,
    },
    /// A report for a different scope than the one asked for.
    #[error("report {report} (document {document}) is for scope {found}, not for {expected}")]
    ReportForOtherScope {
        /// The report's `run.uuid` (or `-`).
        report: String,
        /// Which document of its stream.
        document: usize,
        /// The report's scope, `uuid (name)`.
        found: String,
        /// The scope asked for, `uuid (name)`.
        expected: String,
    },
    /// A `checked_at` that cannot be placed in time in the configured zone.
    #[error("report {report}: checked_at cannot be read in zone {zone}")]
    CheckedAtOutOfRange {
        /// The report's `run.uuid` (or `-`).
        report: String,
        /// The zone.
        zone: String,
    },
    /// A report stream that does not parse.
    #[error(transparent)]
    Report(#[from] ReportError),
}

#[derive(Debug, Clone)]
struct Observation {
    checked_at: Timestamp,
    result: TestResult,
    report_uuid: Option<String>,
    evidence: usize,
    sequence: usize,
}

/// One report as it was added to an [`Evaluator`]: who and what it is about and when it says
/// it was checked, so that a caller can refuse a report for a subject it may not speak for, or
/// warn about results that lie in the future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedReport {
    /// The report's `run.uuid` (or `-`).
    pub report: String,
    /// Which document of its stream, counting from 1.
    pub document: usize,
    /// The report's `subject`.
    pub subject: String,
    /// The scope it was placed in, `uuid (name)`.
    pub scope: String,
    /// `checked_at` as the report states it (a naive value without a zone).
    pub checked_at_text: String,
    /// That reading as an instant (naive values read in the evaluator's zone).
    pub checked_at: Timestamp,
    /// The zone naive values were read in.
    pub zone: String,
    /// The testcases it has results for that the scope defines, sorted.
    pub testcases: Vec<String>,
}

impl AddedReport {
    /// Whether the report claims a check more than `skew` after `now`.
    pub fn is_ahead_of(&self, now: Timestamp, skew: jiff::SignedDuration) -> bool {
        match now.checked_add(skew) {
            Ok(limit) => self.checked_at > limit,
            Err(_) => true,
        }
    }
}

/// Accumulates results from reports and uploads for a set of scopes.
#[derive(Debug)]
pub struct Evaluator {
    scopes: Vec<Scope>,
    zone: CheckedAtZone,
    limits: Limits,
    /// Results checked up to this long after the reference time still count (clock skew between
    /// the runner and this evaluator). Zero unless set.
    skew: jiff::SignedDuration,
    evidence: Vec<Evidence>,
    /// (scope index, subject) → testcase → observations.
    results: BTreeMap<(usize, String), BTreeMap<String, Vec<Observation>>>,
    sequence: usize,
}

fn describe(uuid: Option<&str>, name: &str) -> String {
    format!("{} ({name})", uuid.unwrap_or("-"))
}

impl Evaluator {
    /// An evaluator for `scopes`, reading zone-less `checked_at` values in `zone` and report
    /// streams within `limits`.
    pub fn new(scopes: Vec<Scope>, zone: CheckedAtZone, limits: Limits) -> Self {
        Self {
            scopes,
            zone,
            limits,
            skew: jiff::SignedDuration::ZERO,
            evidence: Vec::new(),
            results: BTreeMap::new(),
            sequence: 0,
        }
    }

    /// Lets results checked up to `skew` after the reference time count as current (a runner
    /// whose clock runs a little ahead). Negative values are taken as zero.
    #[must_use]
    pub fn with_skew(mut self, skew: jiff::SignedDuration) -> Self {
        self.skew = skew.max(jiff::SignedDuration::ZERO);
        self
    }

    /// The loaded scopes.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Adds a plain report stream (an unsigned file): every report must be for a loaded scope.
    pub fn add_report_file(&mut self, bytes: &[u8]) -> Result<Vec<AddedReport>, EvaluationError> {
        let reports = parse_reports(bytes, self.limits)?;
        self.add(reports, sri_sha256(bytes), None, None)
    }

    /// Adds the reports of a verified signed upload, keeping its digest and signer as evidence.
    /// Returns what each report is about (nothing is added when an error is returned).
    pub fn add_upload(
        &mut self,
        upload: &VerifiedUpload,
    ) -> Result<Vec<AddedReport>, EvaluationError> {
        let reports = parse_reports(&upload.report, self.limits)?;
        self.add(
            reports,
            upload.body_sri.clone(),
            Some(upload.signer_fingerprint.clone()),
            None,
        )
    }

    /// Adds a report stream that must be for the scope with key (uuid, or name for a legacy
    /// scope) `scope`; a report for any other scope is [`EvaluationError::ReportForOtherScope`].
    pub fn add_report_file_for(
        &mut self,
        scope: &str,
        bytes: &[u8],
    ) -> Result<Vec<AddedReport>, EvaluationError> {
        let reports = parse_reports(bytes, self.limits)?;
        self.add(reports, sri_sha256(bytes), None, Some(scope))
    }

    fn scope_index(&self, report: &Report, only: Option<&str>) -> Result<usize, EvaluationError> {
        let report_id = report.run_uuid.clone().unwrap_or_else(|| "-".to_owned());
        let found = self.scopes.iter().position(|s| match s.uuid() {
            Some(uuid) => uuid == report.scope_uuid,
            None => report.scope_name.as_deref() == Some(s.name()),
        });
        if let Some(only) = only {
            let expected = self
                .scopes
                .iter()
                .find(|s| s.key() == only)
                .map_or_else(|| only.to_owned(), |s| describe(s.uuid(), s.name()));
            return match found {
                Some(i) if self.scopes[i].key() == only => Ok(i),
                _ => Err(EvaluationError::ReportForOtherScope {
                    report: report_id,
                    document: report.document,
                    found: describe(
                        Some(&report.scope_uuid),
                        report.scope_name.as_deref().unwrap_or("-"),
                    ),
                    expected,
                }),
            };
        }
        found.ok_or_else(|| EvaluationError::UnknownScope {
            report: report_id,
            document: report.document,
            uuid: report.scope_uuid.clone(),
            name: report.scope_name.clone().unwrap_or_else(|| "-".to_owned()),
            known: self
                .scopes
                .iter()
                .map(|s| describe(s.uuid(), s.name()))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    fn add(
        &mut self,
        reports: Vec<Report>,
        digest_sri: String,
        signer_fingerprint: Option<String>,
        only: Option<&str>,
    ) -> Result<Vec<AddedReport>, EvaluationError> {
        // Check every report before recording any, so that a failed call changes nothing.
        let mut placed = Vec::with_capacity(reports.len());
        let mut added = Vec::with_capacity(reports.len());
        for report in &reports {
            let scope = self.scope_index(report, only)?;
            let checked_at = report.checked_at.instant(&self.zone).ok_or_else(|| {
                EvaluationError::CheckedAtOutOfRange {
                    report: report.run_uuid.clone().unwrap_or_else(|| "-".to_owned()),
                    zone: self.zone.name().to_owned(),
                }
            })?;
            placed.push((scope, checked_at));
            let defined = &self.scopes[scope];
            added.push(AddedReport {
                report: report.run_uuid.clone().unwrap_or_else(|| "-".to_owned()),
                document: report.document,
                subject: report.subject.clone(),
                scope: describe(defined.uuid(), defined.name()),
                checked_at_text: report.checked_at.to_string(),
                checked_at,
                zone: self.zone.name().to_owned(),
                testcases: report
                    .results
                    .keys()
                    .filter(|id| defined.testcase(id).is_some())
                    .cloned()
                    .collect(),
            });
        }
        let evidence = self.evidence.len();
        self.evidence.push(Evidence {
            digest_sri,
            signer_fingerprint,
            report_uuids: reports.iter().filter_map(|r| r.run_uuid.clone()).collect(),
        });
        for (report, (scope, checked_at)) in reports.into_iter().zip(placed) {
            self.sequence += 1;
            let per_testcase = self
                .results
                .entry((scope, report.subject.clone()))
                .or_default();
            for (testcase, result) in report.results {
                // Results for testcases the scope does not define are dropped, as the monitor does.
                if self.scopes[scope].testcase(&testcase).is_none() {
                    continue;
                }
                per_testcase.entry(testcase).or_default().push(Observation {
                    checked_at,
                    result,
                    report_uuid: report.run_uuid.clone(),
                    evidence,
                    sequence: self.sequence,
                });
            }
        }
        Ok(added)
    }

    /// Evaluates every (subject, scope) pair with results, sorted by subject then scope name.
    pub fn evaluate(&self, at: Timestamp) -> Vec<Evaluation> {
        let mut out: Vec<Evaluation> = self
            .results
            .iter()
            .map(|((scope, subject), results)| {
                self.evaluate_one(&self.scopes[*scope], subject, results, at)
            })
            .collect();
        out.sort_by(|a, b| (&a.subject, &a.scope.name).cmp(&(&b.subject, &b.scope.name)));
        out
    }

    /// Evaluates one subject against the scope with key (uuid, or name for a legacy scope)
    /// `scope`; a subject without any result gets an all-missing evaluation.
    pub fn evaluate_subject(
        &self,
        scope: &str,
        subject: &str,
        at: Timestamp,
    ) -> Option<Evaluation> {
        let index = self.scopes.iter().position(|s| s.key() == scope)?;
        let empty = BTreeMap::new();
        let results = self
            .results
            .get(&(index, subject.to_owned()))
            .unwrap_or(&empty);
        Some(self.evaluate_one(&self.scopes[index], subject, results, at))
    }

    /// The instants at which the evaluation of `subject` against the scope with key `scope`
    /// can change, in order: each result's `checked_at` and expiry, and the start of each
    /// timeline entry. Between two of them every verdict stays the same, so evaluating at each
    /// gives the whole history (e.g. the status history scs-0004 keeps).
    pub fn change_points(&self, scope: &str, subject: &str) -> Vec<Timestamp> {
        let Some(index) = self.scopes.iter().position(|s| s.key() == scope) else {
            return Vec::new();
        };
        let scope = &self.scopes[index];
        let mut points = BTreeSet::new();
        for entry in scope.timeline() {
            points.extend(self.zone.start_of(entry.date));
        }
        if let Some(results) = self.results.get(&(index, subject.to_owned())) {
            for (id, observations) in results {
                let lifetime = scope.testcase(id).map(|t| t.lifetime).unwrap_or_default();
                for obs in observations {
                    points.insert(obs.checked_at);
                    points.extend(
                        lifetime
                            .expiry(self.zone.civil(obs.checked_at))
                            .and_then(|civil| self.zone.instant(civil)),
                    );
                }
            }
        }
        points.into_iter().collect()
    }

    fn status_of<'r>(
        &self,
        scope: &Scope,
        id: &str,
        results: &'r BTreeMap<String, Vec<Observation>>,
        at: Timestamp,
    ) -> (
        TestcaseStatus,
        Option<&'r Observation>,
        Option<Timestamp>,
        Lifetime,
    ) {
        let lifetime = scope.testcase(id).map(|t| t.lifetime).unwrap_or_default();
        let latest = at.checked_add(self.skew).unwrap_or(at);
        let newest = results
            .get(id)
            .into_iter()
            .flatten()
            .filter(|o| o.checked_at <= latest)
            .max_by_key(|o| (o.checked_at, o.sequence));
        let Some(obs) = newest else {
            return (TestcaseStatus::Missing, None, None, lifetime);
        };
        let expires_at = lifetime
            .expiry(self.zone.civil(obs.checked_at))
            .and_then(|civil| self.zone.instant(civil));
        let status = match expires_at {
            Some(expiry) if at < expiry => match obs.result {
                TestResult::Pass => TestcaseStatus::Pass,
                TestResult::Fail => TestcaseStatus::Fail,
                TestResult::Abort => TestcaseStatus::Abort,
            },
            // Past its lifetime, or an expiry beyond the supported range: not current.
            _ => TestcaseStatus::Expired,
        };
        (status, Some(obs), expires_at, lifetime)
    }

    fn evaluate_one(
        &self,
        scope: &Scope,
        subject: &str,
        results: &BTreeMap<String, Vec<Observation>>,
        at: Timestamp,
    ) -> Evaluation {
        let date = self.zone.civil(at).date();
        let mut used_evidence = BTreeSet::new();
        let mut versions = Vec::new();
        for version in scope.versions() {
            let state = scope.state_at(&version.version, date);
            let mut testcases: Vec<TestcaseEvaluation> = Vec::new();
            let mut target_ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut modules: Vec<&crate::scope::Module> = Vec::new();
            for module in version.include.iter().filter_map(|id| scope.module(id)) {
                for (target, ids) in &module.targets {
                    let list = target_ids.entry(target.clone()).or_default();
                    for id in ids {
                        if !list.contains(id) {
                            list.push(id.clone());
                        }
                        match testcases.iter_mut().find(|t| &t.id == id) {
                            Some(t) => {
                                if !t.targets.contains(target) {
                                    t.targets.push(target.clone());
                                }
                            }
                            None => {
                                let (status, obs, expires_at, lifetime) =
                                    self.status_of(scope, id, results, at);
                                testcases.push(TestcaseEvaluation {
                                    id: id.clone(),
                                    status,
                                    checked_at: obs.map(|o| o.checked_at),
                                    expires_at,
                                    report_uuid: obs.and_then(|o| o.report_uuid.clone()),
                                    evidence: obs.map(|o| o.evidence),
                                    lifetime,
                                    targets: vec![target.clone()],
                                });
                            }
                        }
                    }
                }
                modules.push(module);
            }
            let verdict_of = |ids: &[String]| -> Verdict {
                let statuses: Vec<TestcaseStatus> = ids
                    .iter()
                    .filter_map(|id| testcases.iter().find(|t| &t.id == id))
                    .map(|t| t.status)
                    .collect();
                if statuses.is_empty() {
                    Verdict::Incomplete
                } else if statuses.contains(&TestcaseStatus::Fail) {
                    Verdict::Fail
                } else if statuses.iter().all(|s| *s == TestcaseStatus::Pass) {
                    Verdict::Pass
                } else {
                    Verdict::Incomplete
                }
            };
            let targets: BTreeMap<String, Verdict> = target_ids
                .iter()
                .map(|(target, ids)| (target.clone(), verdict_of(ids)))
                .collect();
            let modules = modules
                .into_iter()
                .map(|m| ModuleEvaluation {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    url: m.url.clone(),
                    targets: m
                        .targets
                        .iter()
                        .map(|(target, ids)| (target.clone(), verdict_of(ids)))
                        .collect(),
                })
                .collect();
            let verdict = targets.get("main").copied().unwrap_or(Verdict::Incomplete);
            let main: Vec<&TestcaseEvaluation> = testcases
                .iter()
                .filter(|t| t.targets.iter().any(|target| target == "main"))
                .collect();
            let checked: Vec<Timestamp> = main.iter().filter_map(|t| t.checked_at).collect();
            let checked_period = checked
                .iter()
                .min()
                .copied()
                .zip(checked.iter().max().copied());
            let valid_until = (verdict == Verdict::Pass)
                .then(|| {
                    let first_expiry = main.iter().filter_map(|t| t.expires_at).min();
                    let leaves_force = scope
                        .leaves_force_after(&version.version, date)
                        .and_then(|d| self.zone.start_of(d));
                    match (first_expiry, leaves_force) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                })
                .flatten();
            used_evidence.extend(
                testcases
                    .iter()
                    .filter(|t| t.status != TestcaseStatus::Missing)
                    .filter_map(|t| t.evidence),
            );
            versions.push(VersionEvaluation {
                version: version.version.clone(),
                state,
                verdict,
                targets,
                modules,
                testcases,
                valid_until,
                checked_period,
            });
        }
        // Renumber evidence to the entries used here.
        let used: Vec<usize> = used_evidence.into_iter().collect();
        for version in &mut versions {
            for t in &mut version.testcases {
                t.evidence = t.evidence.and_then(|e| used.iter().position(|u| *u == e));
            }
        }
        let best_passed = versions
            .iter()
            .find(|v| v.state.is_in_force() && v.verdict == Verdict::Pass)
            .map(|v| v.version.clone());
        Evaluation {
            subject: subject.to_owned(),
            scope: ScopeRef {
                uuid: scope.uuid().map(str::to_owned),
                name: scope.name().to_owned(),
                url: scope.url().map(str::to_owned),
            },
            at,
            checked_at_zone: self.zone.name().to_owned(),
            versions,
            best_passed,
            evidence: used
                .into_iter()
                .filter_map(|i| self.evidence.get(i).cloned())
                .collect(),
        }
    }
}
