//! SCS compliance results, evaluated strictly and turned into attestation documents.
//!
//! The Sovereign Cloud Stack (SCS) proves compliance with *certificate scopes*
//! ([scs-0003-v1]) checked by `scs-compliance-check.py`, whose *reports* the SCS test runner
//! signs with OpenSSH [SSHSIG] (namespace `report`) and uploads as `<armored signature>&<yaml>`.
//! This crate reads all three, verifies the signature, evaluates the results against the scope
//! at a reference time and builds the unsigned JSON-LD body of a compliance attestation.
//!
//! The pipeline, one module each:
//!
//! 1. [`Scope::from_yaml`]: certificate scope YAML, current and legacy format.
//! 2. [`parse_reports`]: report YAML streams, current (`run.invocations.*.results`) and legacy
//!    (top-level `versions`) format.
//! 3. [`verify_upload`]: a signed upload body checked against an OpenSSH allowed-signers file.
//! 4. [`Evaluator`]: results accumulated over reports and uploads, evaluated per subject, scope
//!    and version into [`Evaluation`]s.
//! 5. [`attestation_document`]: the credential body for the Tagus or Loire Gaia-X profile,
//!    in the `scs:` vocabulary pinned as `https://w3id.org/gx-attest/scs/v1`.
//!
//! **Architecture invariant:** this crate does no I/O (callers pass bytes and the reference
//! time) and signs nothing: signing is `gxa-proof`'s job. Every hostile input (malformed YAML,
//! alias bombs, oversized documents, wrong types, tampered uploads) is a typed error, never a
//! panic.
//!
//! **Strictness:** unlike the SCS compliance monitor, a missing, expired or aborted result
//! never counts as passed; see [`Verdict`].
//!
//! ```
//! use gxa_scs::{CheckedAtZone, Evaluator, Limits, Scope, TestcaseStatus, Verdict};
//!
//! let scope = Scope::from_yaml(
//!     b"
//! name: Example
//! uuid: 11111111-2222-4333-8444-555555555555
//! scripts:
//! - executable: ./check.py
//!   testcases: [{id: t1}, {id: t2, lifetime: month}]
//! modules: [{id: m, name: M, targets: {main: [t1, t2]}}]
//! versions: [{version: v1, include: [m]}]
//! timeline: [{date: 2026-01-01, versions: {v1: effective}}]
//! ",
//!     Limits::default(),
//! )?;
//! let mut evaluator = Evaluator::new(vec![scope], CheckedAtZone::utc(), Limits::default());
//! // As scs-compliance-check.py writes it: naive checked_at, results by invocation.
//! evaluator.add_report_file(
//!     b"---
//! spec: {uuid: 11111111-2222-4333-8444-555555555555}
//! subject: my-cloud
//! checked_at: 2026-11-25 02:00:00
//! run: {uuid: r1, invocations: {i: {results: {t1: 1, t2: 0}}}}
//! ",
//! )?;
//! let evaluation = &evaluator.evaluate("2026-11-25T12:00:00Z".parse()?)[0];
//! let v1 = &evaluation.versions[0];
//! // The monitor would show v1 as passed; an aborted test is no evidence.
//! assert_eq!(v1.testcase("t2").map(|t| t.status), Some(TestcaseStatus::Abort));
//! assert_eq!(v1.verdict, Verdict::Incomplete);
//! assert_eq!(evaluation.best_passed, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [scs-0003-v1]: https://docs.scs.community/standards/scs-0003-v1-sovereign-cloud-standards-yaml
//! [SSHSIG]: https://cvsweb.openbsd.org/src/usr.bin/ssh/PROTOCOL.sshsig?annotate=HEAD

mod attestation;
mod evaluate;
mod report;
mod scope;
mod time;
mod upload;
mod yaml;

pub use attestation::{
    AttestationOptions, SCS_CONTEXT_V1, SCS_PUBLISHER, attestation_contexts, attestation_document,
    attestation_id,
};
pub use evaluate::{
    AddedReport, Evaluation, EvaluationError, Evaluator, Evidence, ModuleEvaluation, ScopeRef,
    TestcaseEvaluation, TestcaseStatus, Verdict, VersionEvaluation,
};
pub use report::{Report, ReportError, ReportFormat, TestResult, parse_reports};
pub use scope::{
    Lifetime, Module, Scope, ScopeError, ScopeFormat, Testcase, TimelineEntry, Version,
    VersionState,
};
pub use time::{CheckedAt, CheckedAtZone, UnknownZone};
pub use upload::{
    AllowedSigners, AllowedSignersError, Invalid, SIGNATURE_NAMESPACE, SignedUpload, UploadError,
    VerifiedUpload, sri_sha256, verify_upload,
};
pub use yaml::{Limits, YamlError};
