#![doc = include_str!("../README.md")]

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
