//! Compliance reports as `scs-compliance-check.py -o` writes them.
//!
//! A report is one YAML document (`yaml.safe_dump(..., explicit_start=True)`); the SCS test
//! runner concatenates several into one stream before it signs them, so a stream is read as a
//! list of reports. Two shapes, both accepted, also mixed in one document:
//!
//! * **current** (standards commit 817d960b, 2026-01, and later): results are integers under
//!   `run.invocations.<uuid>.results.<testcase>`;
//! * **legacy**: a top-level `versions.<version>.<testcase>.result`.
//!
//! Results are `1` pass, `0` abort ("DNF"), `-1` fail; any other value is an error. A testcase
//! reported twice in one report (two invocations, or two legacy versions) keeps the worse
//! result: fail before abort before pass. `stdout`/`stderr` are never retained.
//! Only the keys evaluation needs are read; other keys are ignored, so that newer checker
//! versions that add keys still parse.
//!
//! Format reference: `create_report()` in `Tests/scs-compliance-check.py`,
//! <https://github.com/SovereignCloudStack/standards/blob/main/Tests/scs-compliance-check.py>.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Deserialize;

use crate::scope::is_uuid;
use crate::time::CheckedAt;
use crate::yaml::{self, Limits, YamlError};

/// One testcase result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TestResult {
    /// `-1`.
    Fail,
    /// `0`: the test could not finish ("DNF").
    Abort,
    /// `1`.
    Pass,
}

impl TestResult {
    /// From the report's integer encoding.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::Pass),
            0 => Some(Self::Abort),
            -1 => Some(Self::Fail),
            _ => None,
        }
    }

    /// `pass`, `abort` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Abort => "abort",
            Self::Fail => "fail",
        }
    }
}

/// Which shape a report had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Results under `run.invocations.*.results`.
    Current,
    /// Results under a top-level `versions`.
    Legacy,
    /// Both (accepted; results merged).
    Mixed,
}

/// One report: the results of one checker run for one subject and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `spec.uuid`: the scope the report is for.
    pub scope_uuid: String,
    /// `spec.name`.
    pub scope_name: Option<String>,
    /// `spec.url`.
    pub scope_url: Option<String>,
    /// `subject` (the cloud, or a Kubernetes branch of it).
    pub subject: String,
    /// `checked_at` (naive local time as the checker writes it).
    pub checked_at: CheckedAt,
    /// `reference_date`.
    pub reference_date: Option<Date>,
    /// `run.uuid`: the report's identifier.
    pub run_uuid: Option<String>,
    /// Testcase id → result.
    pub results: BTreeMap<String, TestResult>,
    /// Which shape it had.
    pub format: ReportFormat,
    /// Position in its stream, counting from 1.
    pub document: usize,
}

/// A report stream that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Not readable YAML, or YAML of the wrong shape (wrong types, missing keys).
    #[error("report: {0}")]
    Yaml(#[from] YamlError),
    /// The stream holds no report.
    #[error("the report stream holds no report")]
    Empty,
    /// A result that is not -1, 0 or 1.
    #[error("report document {document}: testcase {testcase:?} has result {value}, not -1, 0 or 1")]
    InvalidResult {
        /// Which document.
        document: usize,
        /// The testcase.
        testcase: String,
        /// The value found.
        value: i64,
    },
    /// A `checked_at` that is not a date-time.
    #[error("report document {document}: checked_at {value:?} is not a date-time")]
    InvalidCheckedAt {
        /// Which document.
        document: usize,
        /// The value found.
        value: String,
    },
    /// A `reference_date` that is not a date.
    #[error("report document {document}: reference_date {value:?} is not a date")]
    InvalidReferenceDate {
        /// Which document.
        document: usize,
        /// The value found.
        value: String,
    },
    /// A `spec.uuid` that is not a UUID.
    #[error("report document {document}: spec.uuid {value:?} is not a UUID")]
    InvalidScopeUuid {
        /// Which document.
        document: usize,
        /// The value found.
        value: String,
    },
}

#[derive(Deserialize)]
struct RawReport {
    spec: RawSpec,
    checked_at: String,
    reference_date: Option<String>,
    subject: String,
    run: Option<RawRun>,
    versions: Option<BTreeMap<String, BTreeMap<String, RawLegacyResult>>>,
}

#[derive(Deserialize)]
struct RawSpec {
    uuid: String,
    name: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawRun {
    uuid: Option<String>,
    invocations: Option<BTreeMap<String, RawInvocation>>,
}

#[derive(Deserialize)]
struct RawInvocation {
    results: Option<BTreeMap<String, i64>>,
}

#[derive(Deserialize)]
struct RawLegacyResult {
    result: Option<i64>,
}

/// Reads a report stream (one or several YAML documents). Documents that are empty are
/// skipped; a stream with no report at all is an error.
pub fn parse_reports(bytes: &[u8], limits: Limits) -> Result<Vec<Report>, ReportError> {
    let docs = yaml::documents::<RawReport>(bytes, limits)?;
    if docs.is_empty() {
        return Err(ReportError::Empty);
    }
    docs.into_iter()
        .map(|(document, raw)| convert(document, raw))
        .collect()
}

fn add(
    results: &mut BTreeMap<String, TestResult>,
    document: usize,
    testcase: String,
    code: i64,
) -> Result<(), ReportError> {
    let result = TestResult::from_code(code).ok_or_else(|| ReportError::InvalidResult {
        document,
        testcase: testcase.clone(),
        value: code,
    })?;
    results
        .entry(testcase)
        .and_modify(|r| *r = (*r).min(result))
        .or_insert(result);
    Ok(())
}

fn convert(document: usize, raw: RawReport) -> Result<Report, ReportError> {
    if !is_uuid(&raw.spec.uuid) {
        return Err(ReportError::InvalidScopeUuid {
            document,
            value: raw.spec.uuid,
        });
    }
    let checked_at =
        CheckedAt::parse(&raw.checked_at).ok_or_else(|| ReportError::InvalidCheckedAt {
            document,
            value: raw.checked_at.clone(),
        })?;
    let reference_date = raw
        .reference_date
        .map(|d| {
            d.trim()
                .parse::<Date>()
                .map_err(|_| ReportError::InvalidReferenceDate { document, value: d })
        })
        .transpose()?;
    let mut results = BTreeMap::new();
    let (run_uuid, invocations) = match raw.run {
        Some(run) => (run.uuid, run.invocations.unwrap_or_default()),
        None => (None, BTreeMap::new()),
    };
    let mut current = false;
    for invocation in invocations.into_values() {
        for (testcase, code) in invocation.results.unwrap_or_default() {
            current = true;
            add(&mut results, document, testcase, code)?;
        }
    }
    let legacy = raw.versions.is_some();
    for testcases in raw.versions.unwrap_or_default().into_values() {
        for (testcase, r) in testcases {
            if let Some(code) = r.result {
                add(&mut results, document, testcase, code)?;
            }
        }
    }
    let format = match (current, legacy) {
        (true, true) => ReportFormat::Mixed,
        (false, true) => ReportFormat::Legacy,
        _ => ReportFormat::Current,
    };
    Ok(Report {
        scope_uuid: raw.spec.uuid,
        scope_name: raw.spec.name,
        scope_url: raw.spec.url,
        subject: raw.subject,
        checked_at,
        reference_date,
        run_uuid,
        results,
        format,
        document,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const GEN: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/scs-data/generated"
    );

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{GEN}/{name}")).unwrap()
    }

    #[test]
    fn generated_iaas_report() {
        let reports = parse_reports(&read("report-iaas.yaml"), Limits::default()).unwrap();
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!(r.format, ReportFormat::Current);
        assert_eq!(r.subject, "example-cloud");
        assert_eq!(r.scope_uuid, "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f");
        assert_eq!(
            r.run_uuid.as_deref(),
            Some("24c0f8f7-6005-4efc-af1b-a39559a8417c")
        );
        assert_eq!(
            r.checked_at,
            CheckedAt::Naive(date(2026, 11, 25).at(2, 17, 36, 640_180_000))
        );
        assert_eq!(r.reference_date, Some(date(2026, 11, 25)));
        // SOURCES.md says "53 PASS"; the file holds 57 results, 55 of them passes.
        assert_eq!(r.results.len(), 57);
        let count = |want| r.results.values().filter(|v| **v == want).count();
        assert_eq!(count(TestResult::Pass), 55);
        assert_eq!(count(TestResult::Fail), 1);
        assert_eq!(count(TestResult::Abort), 1);
        assert_eq!(r.results["scs-0102-prop-provided_until"], TestResult::Fail);
        assert_eq!(r.results["scs-0116-permissions"], TestResult::Abort);
    }

    #[test]
    fn combined_stream_has_both_reports() {
        let reports = parse_reports(&read("reports-combined.yaml"), Limits::default()).unwrap();
        let subjects: Vec<_> = reports.iter().map(|r| r.subject.as_str()).collect();
        assert_eq!(subjects, ["example-cloud", "example-k8s-1.35"]);
        assert_eq!(reports[1].document, 2);
        assert_eq!(reports[1].results.len(), 3);
        assert!(reports[1].results.values().all(|r| *r == TestResult::Pass));
    }

    const LEGACY: &str = "---
spec: {uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f, name: SCS-compatible IaaS}
checked_at: 2025-06-02 10:00:00
reference_date: 2025-06-02
subject: old-cloud
run:
  uuid: 11111111-1111-4111-8111-111111111111
  invocations:
    aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa: {id: x, cmd: y, rc: 0, stdout: [], stderr: []}
versions:
  v4:
    scs-0100-syntax-check: {result: 1, invocation: aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa}
    scs-0101-entropy-avail: {result: 0, invocation: aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa}
  v5.1:
    scs-0100-syntax-check: {result: -1, invocation: aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa}
";

    #[test]
    fn legacy_report_keeps_the_worse_result() {
        let reports = parse_reports(LEGACY.as_bytes(), Limits::default()).unwrap();
        let r = &reports[0];
        assert_eq!(r.format, ReportFormat::Legacy);
        assert_eq!(r.results["scs-0100-syntax-check"], TestResult::Fail);
        assert_eq!(r.results["scs-0101-entropy-avail"], TestResult::Abort);
    }

    fn err(yaml: &str) -> ReportError {
        parse_reports(yaml.as_bytes(), Limits::default()).unwrap_err()
    }

    #[test]
    fn bad_reports() {
        let base = "spec: {uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f}\nsubject: s\n";
        let e = err(&format!(
            "{base}checked_at: 2026-01-01 00:00:00\nrun: {{invocations: {{a: {{results: {{t: 7}}}}}}}}\n"
        ));
        assert!(
            matches!(e, ReportError::InvalidResult { value: 7, .. }),
            "{e}"
        );
        let e = err(&format!(
            "{base}checked_at: 2026-01-01 00:00:00\nrun: {{invocations: {{a: {{results: {{t: PASS}}}}}}}}\n"
        ));
        assert!(
            matches!(e, ReportError::Yaml(YamlError::Schema { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("invalid type"), "{e}");
        let e = err(&format!("{base}checked_at: last tuesday\n"));
        assert!(matches!(e, ReportError::InvalidCheckedAt { .. }), "{e}");
        let e = err(
            "spec: {uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f}\nchecked_at: 2026-01-01 00:00:00\n",
        );
        assert!(e.to_string().contains("missing field `subject`"), "{e}");
        let e = err("spec: {uuid: nope}\nsubject: s\nchecked_at: 2026-01-01 00:00:00\n");
        assert!(matches!(e, ReportError::InvalidScopeUuid { .. }), "{e}");
        assert!(matches!(err("---\n"), ReportError::Empty));
        assert!(matches!(
            err("- a\n- b\n"),
            ReportError::Yaml(YamlError::Schema { .. })
        ));
        assert!(matches!(
            err("spec: {uuid: [\n"),
            ReportError::Yaml(YamlError::Syntax { .. })
        ));
    }
}
