//! Evaluation through the public API: the shared generated reports and a synthetic scope that
//! exercises every verdict path.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use gxa_scs::{
    AllowedSigners, CheckedAtZone, Evaluation, EvaluationError, Evaluator, Limits, Scope,
    TestcaseStatus, Verdict, VersionState, verify_upload,
};
use jiff::Timestamp;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/scs-data");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap()
}

fn scope_file(path: &str) -> Scope {
    Scope::from_yaml(&read(path), Limits::default()).unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const IAAS: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
const KAAS: &str = "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180";

fn shared_evaluator() -> Evaluator {
    Evaluator::new(
        vec![
            scope_file("standards/scs-compatible-iaas.yaml"),
            scope_file("standards/scs-compatible-kaas.yaml"),
        ],
        CheckedAtZone::utc(),
        Limits::default(),
    )
}

fn assert_iaas(e: &Evaluation) {
    assert_eq!(e.subject, "example-cloud");
    assert_eq!(e.scope.uuid.as_deref(), Some(IAAS));
    // One FAIL (scs-0102-prop-provided_until, in scs-0102-v1 and -v2) fails every version.
    let verdicts: Vec<_> = e
        .versions
        .iter()
        .map(|v| (v.version.as_str(), v.state, v.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("next", VersionState::Draft, Verdict::Fail),
            ("v5.1", VersionState::Effective, Verdict::Fail),
            ("v4", VersionState::Deprecated, Verdict::Fail),
            ("v3", VersionState::Deprecated, Verdict::Fail),
        ]
    );
    assert_eq!(e.best_passed, None);
    let v51 = e.version("v5.1").unwrap();
    assert_eq!(v51.valid_until, None);
    let status = |id| v51.testcase(id).unwrap().status;
    assert_eq!(status("scs-0102-prop-provided_until"), TestcaseStatus::Fail);
    assert_eq!(status("scs-0116-permissions"), TestcaseStatus::Abort);
    assert_eq!(status("scs-0100-syntax-check"), TestcaseStatus::Pass);
    // Module verdicts: the failing module fails, the aborted one is incomplete.
    let module = |id| v51.modules.iter().find(|m| m.id == id).unwrap().targets["main"];
    assert_eq!(module("scs-0102-v1"), Verdict::Fail);
    assert_eq!(module("scs-0116-v1"), Verdict::Incomplete);
    assert_eq!(module("scs-0103-v1"), Verdict::Pass);
    // The manual preview checks and the unincluded `-rec` modules are not part of v5.1.
    assert!(v51.testcase("domain-manager-check").is_none());
    assert_eq!(v51.targets.keys().collect::<Vec<_>>(), ["main"]);
    let t = v51.testcase("scs-0100-syntax-check").unwrap();
    assert_eq!(t.checked_at, Some(ts("2026-11-25T02:17:36.64018Z")));
    assert_eq!(t.expires_at, Some(ts("2026-12-07T00:00:00Z")));
    assert_eq!(
        t.report_uuid.as_deref(),
        Some("24c0f8f7-6005-4efc-af1b-a39559a8417c")
    );
}

fn assert_kaas(e: &Evaluation) {
    assert_eq!(e.subject, "example-k8s-1.35");
    assert_eq!(e.scope.uuid.as_deref(), Some(KAAS));
    let v1 = e.version("v1").unwrap();
    assert_eq!(v1.state, VersionState::Effective);
    assert_eq!(v1.verdict, Verdict::Pass);
    assert_eq!(e.best_passed.as_deref(), Some("v1"));
    // version-policy-check (week) expires first: the Monday ending the following week.
    assert_eq!(v1.valid_until, Some(ts("2026-12-07T00:00:00Z")));
    assert_eq!(
        v1.testcase("cncf-k8s-conformance").unwrap().expires_at,
        Some(ts("2028-01-01T00:00:00Z"))
    );
    assert_eq!(
        v1.testcase("kaas-networking-check").unwrap().expires_at,
        Some(ts("2027-01-01T00:00:00Z"))
    );
    assert_eq!(
        v1.checked_period,
        Some((
            ts("2026-11-25T02:17:37.316112Z"),
            ts("2026-11-25T02:17:37.316112Z")
        ))
    );
    // node-distribution-check is only in a `preview` target of a module v1 does not include.
    assert!(v1.testcase("node-distribution-check").is_none());
}

#[test]
fn shared_reports_evaluate_to_the_verdicts_they_imply() {
    let mut ev = shared_evaluator();
    ev.add_report_file(&read("generated/report-iaas.yaml"))
        .unwrap();
    ev.add_report_file(&read("generated/report-kaas.yaml"))
        .unwrap();
    let at = ts("2026-11-25T12:00:00Z");
    let all = ev.evaluate(at);
    assert_eq!(all.len(), 2);
    assert_iaas(&all[0]);
    assert_kaas(&all[1]);
    assert_eq!(all[1].checked_at_zone, "UTC");
    // Each subject rests on its own file only.
    assert_eq!(all[0].evidence.len(), 1);
    assert_eq!(all[0].evidence[0].signer_fingerprint, None);
    // A week later the weekly results have expired: KaaS v1 is incomplete, not passed.
    let later = ev.evaluate(ts("2026-12-07T00:00:00Z"));
    let v1 = later[1].version("v1").unwrap();
    assert_eq!(v1.verdict, Verdict::Incomplete);
    assert_eq!(
        v1.testcase("version-policy-check").unwrap().status,
        TestcaseStatus::Expired
    );
    assert_eq!(later[1].best_passed, None);
}

#[test]
fn signed_upload_evaluates_with_evidence() {
    let signers =
        AllowedSigners::parse(&String::from_utf8(read("generated/allowed_signers")).unwrap())
            .unwrap();
    let body = read("generated/upload-body.txt");
    let upload = verify_upload(&body, &signers).unwrap().unwrap();
    let mut ev = shared_evaluator();
    ev.add_upload(&upload).unwrap();
    let all = ev.evaluate(ts("2026-11-25T12:00:00Z"));
    assert_iaas(&all[0]);
    assert_kaas(&all[1]);
    let evidence = &all[1].evidence;
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].digest_sri, gxa_scs::sri_sha256(&body));
    assert_eq!(
        evidence[0].signer_fingerprint.as_deref(),
        Some(upload.signer_fingerprint.as_str())
    );
    assert_eq!(
        evidence[0].report_uuids,
        [
            "24c0f8f7-6005-4efc-af1b-a39559a8417c",
            "fe0402b6-2b39-4f59-b4f8-1e5133e36773"
        ]
    );
    assert_eq!(all[1].version("v1").unwrap().testcases[0].evidence, Some(0));
}

#[test]
fn reports_for_unknown_or_other_scopes_are_errors() {
    let mut ev = Evaluator::new(
        vec![scope_file("standards/scs-compatible-iaas.yaml")],
        CheckedAtZone::utc(),
        Limits::default(),
    );
    let err = ev
        .add_report_file(&read("generated/reports-combined.yaml"))
        .unwrap_err();
    assert!(matches!(err, EvaluationError::UnknownScope { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains(KAAS) && msg.contains(IAAS), "{msg}");
    // Nothing of the failed stream was recorded, not even its IaaS report.
    assert!(ev.evaluate(ts("2026-11-25T12:00:00Z")).is_empty());

    let mut ev = shared_evaluator();
    let err = ev
        .add_report_file_for(IAAS, &read("generated/report-kaas.yaml"))
        .unwrap_err();
    assert!(
        matches!(err, EvaluationError::ReportForOtherScope { .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("SCS-compatible KaaS") && msg.contains("not for"),
        "{msg}"
    );
    ev.add_report_file_for(IAAS, &read("generated/report-iaas.yaml"))
        .unwrap();
}

// A synthetic scope: v3 (draft until 2026-12-01), v2 (effective, then warn), v1 (effective,
// warn, then deprecated). Lifetimes: a week, b day, c year.
const SCOPE: &str = "
name: Test scope
uuid: 11111111-2222-4333-8444-555555555555
url: https://example.org/scope.yaml
scripts:
- executable: ./t.py
  testcases:
  - id: a
  - {id: b, lifetime: day}
  - {id: c, lifetime: year}
  - id: r
- testcases:
  - id: manual
modules:
- {id: m1, name: Module one, url: https://example.org/m1, targets: {main: [a, b]}}
- {id: m2, name: Module two, targets: {main: [c], recommended: [r]}}
- {id: m3, name: Manual, targets: {preview: [manual]}}
versions:
- {version: v3, include: [m1, m2, m3]}
- {version: v2, stabilized_at: 2026-01-01, include: [m1, m2]}
- {version: v1, stabilized_at: 2025-01-01, include: [m1]}
timeline:
- date: 2026-12-01
  versions: {v3: effective, v2: warn, v1: deprecated}
- date: 2026-01-01
  versions: {v3: draft, v2: effective, v1: warn}
- date: 2025-01-01
  versions: {v2: draft, v1: effective}
";

const UUID: &str = "11111111-2222-4333-8444-555555555555";

fn report(checked_at: &str, run: &str, results: &[(&str, i8)]) -> Vec<u8> {
    let mut out = format!(
        "---\nspec: {{uuid: {UUID}, name: Test scope}}\nchecked_at: {checked_at}\n\
         subject: cloud\nrun:\n  uuid: {run}\n  invocations:\n    i1:\n      results:\n"
    );
    for (id, code) in results {
        out.push_str(&format!("        {id}: {code}\n"));
    }
    out.into_bytes()
}

fn evaluator(zone: CheckedAtZone) -> Evaluator {
    let scope = Scope::from_yaml(SCOPE.as_bytes(), Limits::default()).unwrap();
    Evaluator::new(vec![scope], zone, Limits::default())
}

fn eval(reports: &[Vec<u8>], at: &str) -> Evaluation {
    let mut ev = evaluator(CheckedAtZone::utc());
    for r in reports {
        ev.add_report_file(r).unwrap();
    }
    ev.evaluate_subject(UUID, "cloud", ts(at)).unwrap()
}

const ALL_PASS: &[(&str, i8)] = &[("a", 1), ("b", 1), ("c", 1), ("r", 1)];

fn summary(e: &Evaluation) -> Vec<(&str, VersionState, Verdict)> {
    e.versions
        .iter()
        .map(|v| (v.version.as_str(), v.state, v.verdict))
        .collect()
}

#[test]
fn all_pass() {
    let e = eval(
        &[report("2026-11-25 02:00:00", "r1", ALL_PASS)],
        "2026-11-25T12:00:00Z",
    );
    assert_eq!(
        summary(&e),
        [
            ("v3", VersionState::Draft, Verdict::Pass),
            ("v2", VersionState::Effective, Verdict::Pass),
            ("v1", VersionState::Warn, Verdict::Pass),
        ]
    );
    // v3 passes but is a draft: the best passing version in force is v2.
    assert_eq!(e.best_passed.as_deref(), Some("v2"));
    let v2 = e.version("v2").unwrap();
    // b (lifetime day) expires first.
    assert_eq!(v2.valid_until, Some(ts("2026-11-27T00:00:00Z")));
    assert_eq!(v2.targets["recommended"], Verdict::Pass);
    // v3's preview target has only the manual check, never reported: incomplete, but the
    // version's verdict is its main target's.
    let v3 = e.version("v3").unwrap();
    assert_eq!(v3.targets["preview"], Verdict::Incomplete);
    assert_eq!(
        v3.testcase("manual").unwrap().status,
        TestcaseStatus::Missing
    );
    assert_eq!(v3.testcase("manual").unwrap().targets, ["preview"]);
}

#[test]
fn fail() {
    let e = eval(
        &[report(
            "2026-11-25 02:00:00",
            "r1",
            &[("a", 1), ("b", -1), ("c", 1), ("r", 1)],
        )],
        "2026-11-25T12:00:00Z",
    );
    assert!(e.versions.iter().all(|v| v.verdict == Verdict::Fail));
    assert_eq!(e.best_passed, None);
    let m1 = &e.version("v2").unwrap().modules[0];
    assert_eq!(m1.targets["main"], Verdict::Fail);
    assert_eq!(
        e.version("v2").unwrap().modules[1].targets["main"],
        Verdict::Pass
    );
    assert_eq!(e.version("v2").unwrap().valid_until, None);
}

#[test]
fn abort_is_incomplete_never_pass() {
    let e = eval(
        &[report(
            "2026-11-25 02:00:00",
            "r1",
            &[("a", 1), ("b", 0), ("c", 1), ("r", 1)],
        )],
        "2026-11-25T12:00:00Z",
    );
    assert!(e.versions.iter().all(|v| v.verdict == Verdict::Incomplete));
    assert_eq!(
        e.version("v1").unwrap().testcase("b").unwrap().status,
        TestcaseStatus::Abort
    );
    assert_eq!(e.best_passed, None);
}

#[test]
fn missing_is_incomplete_and_a_warn_version_can_be_best() {
    let e = eval(
        &[report(
            "2026-11-25 02:00:00",
            "r1",
            &[("a", 1), ("b", 1), ("r", 1)],
        )],
        "2026-11-25T12:00:00Z",
    );
    assert_eq!(
        summary(&e),
        [
            ("v3", VersionState::Draft, Verdict::Incomplete),
            ("v2", VersionState::Effective, Verdict::Incomplete),
            ("v1", VersionState::Warn, Verdict::Pass),
        ]
    );
    let c = e.version("v2").unwrap().testcase("c").unwrap().clone();
    assert_eq!(c.status, TestcaseStatus::Missing);
    assert_eq!((c.checked_at, c.expires_at), (None, None));
    // v1 is in `warn`: still in force, so it is the best passing version.
    assert_eq!(e.best_passed.as_deref(), Some("v1"));
    // v1 leaves force on 2026-12-01, but b (day) expires before that.
    assert_eq!(
        e.version("v1").unwrap().valid_until,
        Some(ts("2026-11-27T00:00:00Z"))
    );
}

#[test]
fn expired_lifetime_is_incomplete() {
    // b (lifetime day) checked on the 20th expires on the 22nd; a (week) lasts until Dec 7.
    let e = eval(
        &[report("2026-11-20 09:00:00", "r1", ALL_PASS)],
        "2026-11-25T12:00:00Z",
    );
    let b = e.version("v1").unwrap().testcase("b").unwrap();
    assert_eq!(b.status, TestcaseStatus::Expired);
    assert_eq!(b.expires_at, Some(ts("2026-11-22T00:00:00Z")));
    assert_eq!(
        e.version("v1").unwrap().testcase("a").unwrap().status,
        TestcaseStatus::Pass
    );
    assert!(e.versions.iter().all(|v| v.verdict == Verdict::Incomplete));
    assert_eq!(e.best_passed, None);
    // Valid before the expiry instant, not at it.
    let e = eval(
        &[report("2026-11-20 09:00:00", "r1", ALL_PASS)],
        "2026-11-21T23:59:59Z",
    );
    assert_eq!(e.best_passed.as_deref(), Some("v2"));
    let e = eval(
        &[report("2026-11-20 09:00:00", "r1", ALL_PASS)],
        "2026-11-22T00:00:00Z",
    );
    assert_eq!(e.best_passed, None);
}

#[test]
fn version_not_yet_effective() {
    let reports = [report("2025-06-01 02:00:00", "r1", ALL_PASS)];
    let e = eval(&reports, "2025-06-01T12:00:00Z");
    assert_eq!(
        summary(&e),
        [
            // Not listed in the entry in force: deprecated, as scs-0003 says.
            ("v3", VersionState::Deprecated, Verdict::Pass),
            ("v2", VersionState::Draft, Verdict::Pass),
            ("v1", VersionState::Effective, Verdict::Pass),
        ]
    );
    // v2 passes but is not effective yet, so it is not the best passing version.
    assert_eq!(e.best_passed.as_deref(), Some("v1"));
    // Before the first timeline entry nothing is in force.
    let e = eval(
        &[report("2024-06-01 02:00:00", "r1", ALL_PASS)],
        "2024-06-01T12:00:00Z",
    );
    assert!(
        e.versions
            .iter()
            .all(|v| v.state == VersionState::Deprecated)
    );
    assert_eq!(e.best_passed, None);
}

#[test]
fn warn_and_deprecated_states() {
    // From 2026-12-01, v2 is `warn` and v1 `deprecated`.
    let reports = [report("2026-12-02 02:00:00", "r1", ALL_PASS)];
    let e = eval(&reports, "2026-12-02T12:00:00Z");
    assert_eq!(
        summary(&e),
        [
            ("v3", VersionState::Effective, Verdict::Pass),
            ("v2", VersionState::Warn, Verdict::Pass),
            ("v1", VersionState::Deprecated, Verdict::Pass),
        ]
    );
    assert_eq!(e.best_passed.as_deref(), Some("v3"));
    // Only the manual testcase of v3's preview target is missing; main is complete.
    assert_eq!(e.version("v3").unwrap().verdict, Verdict::Pass);

    // A deprecated version is never the best, even when it is the only one passing.
    let only_v1 = [report("2026-12-02 02:00:00", "r1", &[("a", 1), ("b", 1)])];
    let e = eval(&only_v1, "2026-12-02T12:00:00Z");
    assert_eq!(e.version("v1").unwrap().verdict, Verdict::Pass);
    assert_eq!(e.best_passed, None);
}

#[test]
fn validity_ends_when_the_timeline_takes_the_version_out_of_force() {
    // Checked on Monday 2026-11-30: b expires 2026-12-02, but v1 is deprecated from 12-01.
    let e = eval(
        &[report("2026-11-30 08:00:00", "r1", ALL_PASS)],
        "2026-11-30T12:00:00Z",
    );
    assert_eq!(
        e.version("v1").unwrap().valid_until,
        Some(ts("2026-12-01T00:00:00Z"))
    );
    // v2 only moves from effective to warn: still in force, so b's expiry bounds it.
    assert_eq!(
        e.version("v2").unwrap().valid_until,
        Some(ts("2026-12-02T00:00:00Z"))
    );
}

#[test]
fn later_reports_supersede_earlier_ones() {
    let old_fail = report(
        "2026-11-20 02:00:00",
        "old",
        &[("a", 1), ("b", -1), ("c", 1)],
    );
    let new_pass = report("2026-11-24 02:00:00", "new", &[("b", 1)]);
    let at = "2026-11-24T12:00:00Z";
    // Order of adding does not matter: the later checked_at wins.
    for reports in [
        [old_fail.clone(), new_pass.clone()],
        [new_pass.clone(), old_fail.clone()],
    ] {
        let e = eval(&reports, at);
        let b = e.version("v1").unwrap().testcase("b").unwrap();
        assert_eq!(b.status, TestcaseStatus::Pass);
        assert_eq!(b.report_uuid.as_deref(), Some("new"));
        // a and c still rest on the older report.
        assert_eq!(
            e.version("v1")
                .unwrap()
                .testcase("a")
                .unwrap()
                .report_uuid
                .as_deref(),
            Some("old")
        );
        assert_eq!(e.best_passed.as_deref(), Some("v2"));
        assert_eq!(e.evidence.len(), 2);
        assert_eq!(
            e.version("v2").unwrap().checked_period,
            Some((ts("2026-11-20T02:00:00Z"), ts("2026-11-24T02:00:00Z")))
        );
    }
    // Same checked_at: the report added later wins.
    let same_time_abort = report("2026-11-24 02:00:00", "again", &[("b", 0)]);
    let e = eval(&[old_fail.clone(), new_pass.clone(), same_time_abort], at);
    assert_eq!(
        e.version("v1").unwrap().testcase("b").unwrap().status,
        TestcaseStatus::Abort
    );
    // A result checked after the reference time is not used.
    let future_fail = report("2026-11-24 13:00:00", "future", &[("b", -1)]);
    let e = eval(&[old_fail, new_pass, future_fail], at);
    assert_eq!(
        e.version("v1").unwrap().testcase("b").unwrap().status,
        TestcaseStatus::Pass
    );
    assert_eq!(e.evidence.len(), 2, "the future report is not evidence");
}

#[test]
fn checked_at_is_read_in_the_configured_zone() {
    // 00:30 on the 26th in Berlin is 23:30Z on the 25th: before the reference time.
    let r = report("2026-11-26 00:30:00", "r1", ALL_PASS);
    let at = ts("2026-11-25T23:45:00Z");
    let mut berlin = evaluator(CheckedAtZone::named("Europe/Berlin").unwrap());
    berlin.add_report_file(&r).unwrap();
    let e = berlin.evaluate_subject(UUID, "cloud", at).unwrap();
    assert_eq!(e.checked_at_zone, "Europe/Berlin");
    let a = e.version("v1").unwrap().testcase("a").unwrap();
    assert_eq!(a.checked_at, Some(ts("2026-11-25T23:30:00Z")));
    // Expiry is midnight local time: Monday 2026-12-07 00:00 in Berlin.
    assert_eq!(a.expires_at, Some(ts("2026-12-06T23:00:00Z")));
    assert_eq!(e.best_passed.as_deref(), Some("v2"));
    // Read as UTC the same report lies in the future and nothing is current.
    let mut utc = evaluator(CheckedAtZone::utc());
    utc.add_report_file(&r).unwrap();
    let e = utc.evaluate_subject(UUID, "cloud", at).unwrap();
    assert_eq!(e.best_passed, None);
    // An explicit offset is honoured whatever the zone.
    let explicit = report("2026-11-25T23:30:00+00:00", "r2", ALL_PASS);
    let mut utc = evaluator(CheckedAtZone::utc());
    utc.add_report_file(&explicit).unwrap();
    assert_eq!(
        utc.evaluate_subject(UUID, "cloud", at)
            .unwrap()
            .best_passed
            .as_deref(),
        Some("v2")
    );
}

#[test]
fn added_reports_name_subject_reading_and_testcases_and_skew_counts() {
    let at = ts("2026-11-25T12:00:00Z");
    // Two reports: one an hour ahead of `at` (read in UTC), one a minute ahead.
    let mut stream = report(
        "2026-11-25 13:00:00",
        "ahead",
        &[("a", 1), ("zzz", 1), ("b", 1)],
    );
    stream.extend_from_slice(&report("2026-11-25 12:01:00", "skewed", ALL_PASS));
    let mut ev = evaluator(CheckedAtZone::utc()).with_skew(jiff::SignedDuration::from_mins(5));
    let added = ev.add_report_file(&stream).unwrap();
    assert_eq!(added.len(), 2);
    assert_eq!(added[0].report, "ahead");
    assert_eq!(added[0].document, 1);
    assert_eq!(added[0].subject, "cloud");
    assert_eq!(added[0].checked_at_text, "2026-11-25T13:00:00");
    assert_eq!(added[0].checked_at, ts("2026-11-25T13:00:00Z"));
    assert_eq!(added[0].zone, "UTC");
    // Only testcases the scope defines.
    assert_eq!(added[0].testcases, ["a", "b"]);
    let skew = jiff::SignedDuration::from_mins(5);
    assert!(added[0].is_ahead_of(at, skew));
    assert!(!added[1].is_ahead_of(at, skew));
    // The skewed report counts at `at`; the one an hour ahead does not (yet).
    let e = ev.evaluate_subject(UUID, "cloud", at).unwrap();
    let a = e.version("v1").unwrap().testcase("a").unwrap();
    assert_eq!(a.checked_at, Some(ts("2026-11-25T12:01:00Z")));
    assert_eq!(e.best_passed.as_deref(), Some("v2"));
    // Without skew, neither counts.
    let mut strict = evaluator(CheckedAtZone::utc());
    strict.add_report_file(&stream).unwrap();
    let e = strict.evaluate_subject(UUID, "cloud", at).unwrap();
    assert_eq!(e.best_passed, None);
    // An hour later the first one counts too.
    let later = ts("2026-11-25T13:00:00Z");
    let e = ev.evaluate_subject(UUID, "cloud", later).unwrap();
    let a = e.version("v1").unwrap().testcase("a").unwrap();
    assert_eq!(a.checked_at, Some(ts("2026-11-25T13:00:00Z")));
}

#[test]
fn unknown_testcases_are_ignored_and_subjects_kept_apart() {
    let mut ev = evaluator(CheckedAtZone::utc());
    ev.add_report_file(&report(
        "2026-11-25 02:00:00",
        "r1",
        &[("zzz", -1), ("a", 1), ("b", 1)],
    ))
    .unwrap();
    let other = String::from_utf8(report("2026-11-25 02:00:00", "r2", &[("a", -1)]))
        .unwrap()
        .replace("subject: cloud", "subject: other-cloud");
    ev.add_report_file(other.as_bytes()).unwrap();
    let all = ev.evaluate(ts("2026-11-25T12:00:00Z"));
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].subject, "cloud");
    assert_eq!(all[0].version("v1").unwrap().verdict, Verdict::Pass);
    assert_eq!(all[1].subject, "other-cloud");
    assert_eq!(all[1].version("v1").unwrap().verdict, Verdict::Fail);
    // A subject with no result at all: everything missing.
    let none = ev
        .evaluate_subject(UUID, "nobody", ts("2026-11-25T12:00:00Z"))
        .unwrap();
    assert!(
        none.versions
            .iter()
            .all(|v| v.verdict == Verdict::Incomplete)
    );
    assert!(none.evidence.is_empty());
}

#[test]
fn legacy_scope_and_legacy_report() {
    let scope = scope_file("standards/legacy-format-scs-compatible-test.yaml");
    let mut ev = Evaluator::new(vec![scope], CheckedAtZone::utc(), Limits::default());
    // Legacy scopes have no uuid: reports match them by spec.name.
    let legacy = "---
spec: {uuid: 00000000-0000-4000-8000-000000000000, name: SCS Compatible}
checked_at: 2024-01-10 08:00:00
subject: old-cloud
versions:
  v3:
    ./iaas/flavor-naming/flavor-names-openstack.py --v3: {result: 1}
    ./iaas/image-metadata/image-md-check.py -v: {result: 1}
";
    ev.add_report_file(legacy.as_bytes()).unwrap();
    let e = ev
        .evaluate_subject("SCS Compatible", "old-cloud", ts("2024-01-10T12:00:00Z"))
        .unwrap();
    let v3 = e.version("v3").unwrap();
    assert_eq!(v3.state, VersionState::Effective);
    assert_eq!(v3.verdict, Verdict::Pass);
    assert_eq!(e.best_passed.as_deref(), Some("v3"));
    assert_eq!(e.version("v2").unwrap().verdict, Verdict::Incomplete);
}
