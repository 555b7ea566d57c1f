//! The verification report: one entry per check, in a fixed order, and nested reports for the
//! credentials inside a presentation.
//!
//! Three verdicts: `valid`, `invalid` (a check failed: the input is wrong) and
//! `could_not_check` (a fetch failed or timed out: nothing is known to be wrong, but not
//! everything could be established). VC Data Model 2.0 §7.1 leaves the shape of a verification
//! result to implementations (<https://www.w3.org/TR/vc-data-model-2.0/#verification>); the
//! JSON field names here are stable:
//! `{"verdict", "checks": [{"check", "outcome", "reason"}], "credentials": [...]}`.

use std::fmt;

use serde::Serialize;

/// The seven checks, in the order they run and are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Well-formed JSON without duplicate keys, only pinned contexts, strict JSON-LD expansion.
    Syntax,
    /// Every proof (or the JWS of a JWT) verifies, with the suite and flavour that matched.
    Proof,
    /// The verification method resolves, allows the proof purpose and belongs to the issuer
    /// (credentials) or holder (presentations).
    VerificationMethod,
    /// The key's `x5u` chain validates at the verification time to a configured trust anchor.
    CertificateChain,
    /// The validity window (`issuanceDate`/`expirationDate`, `validFrom`/`validUntil`, JWT
    /// `nbf`/`exp`) contains the verification time.
    Validity,
    /// `credentialStatus` (Bitstring Status List / StatusList2021): not revoked or suspended.
    Status,
    /// SHACL conformance to the Gaia-X shapes of the credential's profile.
    Shapes,
}

impl CheckKind {
    /// Every check, in report order.
    pub const ALL: [CheckKind; 7] = [
        Self::Syntax,
        Self::Proof,
        Self::VerificationMethod,
        Self::CertificateChain,
        Self::Validity,
        Self::Status,
        Self::Shapes,
    ];

    /// The stable name used in JSON reports (`syntax`, `proof`, `verification_method`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::Proof => "proof",
            Self::VerificationMethod => "verification_method",
            Self::CertificateChain => "certificate_chain",
            Self::Validity => "validity",
            Self::Status => "status",
            Self::Shapes => "shapes",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of [`CheckKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown check {0:?}")]
pub struct UnknownCheck(pub String);

impl std::str::FromStr for CheckKind {
    type Err = UnknownCheck;

    fn from_str(s: &str) -> Result<Self, UnknownCheck> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownCheck(s.to_owned()))
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The check succeeded.
    Pass,
    /// The check failed: the input is invalid.
    Fail,
    /// The check could not be carried out (a fetch failed, a time-out).
    Error,
    /// The check does not apply or was not requested; the reason says which.
    Skipped,
}

impl Outcome {
    /// Stable name (`pass`, `fail`, `error`, `skipped`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Error => "error",
            Self::Skipped => "skipped",
        }
    }
}

/// One check with its outcome and a human-readable reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Which check.
    pub check: CheckKind,
    /// What came out.
    pub outcome: Outcome,
    /// Why (for `pass`: what was established, e.g. the suite and key).
    pub reason: String,
}

impl CheckResult {
    pub(crate) fn new(check: CheckKind, outcome: Outcome, reason: impl Into<String>) -> Self {
        Self {
            check,
            outcome,
            reason: reason.into(),
        }
    }
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed or was skipped, and every embedded credential is valid.
    Valid,
    /// At least one check failed (here or in an embedded credential).
    Invalid,
    /// Nothing failed, but at least one check could not be carried out.
    CouldNotCheck,
}

impl Verdict {
    /// Stable name (`valid`, `invalid`, `could_not_check`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::CouldNotCheck => "could_not_check",
        }
    }
}

/// One proof as the proof check saw it (also for a JWT: its JWS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofSummary {
    /// `JsonWebSignature2020`, `eddsa-rdfc-2022`, `ecdsa-rdfc-2019`, `vc+jwt`, `vp+jwt`.
    pub suite: &'static str,
    /// For JsonWebSignature2020: `jws2020` or `jws2020-gaiax`, the flavour that verified.
    pub flavour: Option<&'static str>,
    /// The JOSE algorithm, when known.
    pub alg: Option<&'static str>,
    /// The verification method (or `kid`).
    #[serde(rename = "verificationMethod")]
    pub verification_method: Option<String>,
    /// Whether this proof verified.
    pub valid: bool,
}

/// The report on one credential or presentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// The overall verdict, including the embedded credentials.
    pub verdict: Verdict,
    /// `verdict == valid` (kept for consumers of the issue-3 report shape).
    pub valid: bool,
    /// `json-ld` or `jwt`, when the input could be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// `VerifiableCredential` or `VerifiablePresentation`, when known.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The document `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The seven checks, in [`CheckKind::ALL`] order.
    pub checks: Vec<CheckResult>,
    /// The proofs found, with suite, flavour, algorithm and key.
    pub proofs: Vec<ProofSummary>,
    /// Reports of the credentials inside a presentation, in document order.
    pub credentials: Vec<VerifyReport>,
}

impl VerifyReport {
    /// A report whose checks are set; computes the verdict.
    pub(crate) fn finish(
        format: Option<&'static str>,
        kind: Option<String>,
        id: Option<String>,
        checks: Vec<CheckResult>,
        proofs: Vec<ProofSummary>,
        credentials: Vec<VerifyReport>,
    ) -> Self {
        let failed = checks.iter().any(|c| c.outcome == Outcome::Fail)
            || credentials.iter().any(|c| c.verdict == Verdict::Invalid);
        let errored = checks.iter().any(|c| c.outcome == Outcome::Error)
            || credentials
                .iter()
                .any(|c| c.verdict == Verdict::CouldNotCheck);
        let verdict = if failed {
            Verdict::Invalid
        } else if errored {
            Verdict::CouldNotCheck
        } else {
            Verdict::Valid
        };
        Self {
            verdict,
            valid: verdict == Verdict::Valid,
            format,
            kind,
            id,
            checks,
            proofs,
            credentials,
        }
    }

    /// The result of `check` in this report (not in embedded credentials).
    pub fn check(&self, check: CheckKind) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.check == check)
    }

    /// The check that decided a verdict other than valid: the first failed check (for
    /// `invalid`) or the first one that could not be done (for `could_not_check`), in this
    /// report's checks and then in the embedded credentials' reports.
    pub fn deciding_check(&self) -> Option<&CheckResult> {
        let wanted = match self.verdict {
            Verdict::Valid => return None,
            Verdict::Invalid => Outcome::Fail,
            Verdict::CouldNotCheck => Outcome::Error,
        };
        self.first_with(wanted)
    }

    fn first_with(&self, outcome: Outcome) -> Option<&CheckResult> {
        self.checks
            .iter()
            .find(|c| c.outcome == outcome)
            .or_else(|| self.credentials.iter().find_map(|c| c.first_with(outcome)))
    }

    /// Whether the verdict is [`Verdict::Valid`].
    pub fn is_valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }

    /// Every failed or errored check, one line each, prefixed with the path of the embedded
    /// credential it belongs to (`credential 2: `).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_problems("", &mut out);
        out
    }

    fn collect_problems(&self, prefix: &str, out: &mut Vec<String>) {
        for c in &self.checks {
            if matches!(c.outcome, Outcome::Fail | Outcome::Error) {
                out.push(format!(
                    "{prefix}{} {}: {}",
                    c.check,
                    c.outcome.name(),
                    c.reason
                ));
            }
        }
        for (i, c) in self.credentials.iter().enumerate() {
            c.collect_problems(&format!("{prefix}credential {i}: "), out);
        }
    }
}

impl fmt::Display for VerifyReport {
    /// The verdict on the first line, then every check (`pass`/`skipped` lines too, so the
    /// reader sees what was and was not established).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.verdict.name().replace('_', " "))?;
        self.write_checks(f, "  ")
    }
}

impl VerifyReport {
    fn write_checks(&self, f: &mut fmt::Formatter<'_>, indent: &str) -> fmt::Result {
        for c in &self.checks {
            write!(
                f,
                "\n{indent}{:<19} {:<7} {}",
                c.check.name(),
                c.outcome.name(),
                c.reason
            )?;
        }
        for (i, c) in self.credentials.iter().enumerate() {
            write!(
                f,
                "\n{indent}credential {i} ({}): {}",
                c.id.as_deref().unwrap_or("no id"),
                c.verdict.name().replace('_', " ")
            )?;
            c.write_checks(f, &format!("{indent}  "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(outcomes: [Outcome; 7]) -> Vec<CheckResult> {
        CheckKind::ALL
            .into_iter()
            .zip(outcomes)
            .map(|(c, o)| CheckResult::new(c, o, "r"))
            .collect()
    }

    #[test]
    fn verdict_precedence_and_json_shape() {
        use Outcome::*;
        let ok = VerifyReport::finish(None, None, None, checks([Pass; 7]), vec![], vec![]);
        assert_eq!(ok.verdict, Verdict::Valid);
        let err = VerifyReport::finish(
            None,
            None,
            None,
            checks([Pass, Pass, Error, Skipped, Pass, Pass, Pass]),
            vec![],
            vec![],
        );
        assert_eq!(err.verdict, Verdict::CouldNotCheck);
        let bad = VerifyReport::finish(
            None,
            None,
            None,
            checks([Pass, Pass, Error, Skipped, Fail, Pass, Pass]),
            vec![],
            vec![],
        );
        assert_eq!(bad.verdict, Verdict::Invalid);
        let vp = VerifyReport::finish(
            Some("jwt"),
            None,
            None,
            checks([Pass; 7]),
            vec![],
            vec![ok.clone(), err.clone()],
        );
        assert_eq!(vp.verdict, Verdict::CouldNotCheck);
        let vp = VerifyReport::finish(
            Some("jwt"),
            None,
            None,
            checks([Pass; 7]),
            vec![],
            vec![ok, bad],
        );
        assert_eq!(vp.verdict, Verdict::Invalid);
        assert_eq!(
            vp.problems(),
            [
                "credential 1: verification_method error: r",
                "credential 1: validity fail: r"
            ]
        );
        let json = serde_json::to_value(&vp).unwrap();
        assert_eq!(json["verdict"], "invalid");
        assert_eq!(json["valid"], false);
        assert_eq!(json["checks"][2]["check"], "verification_method");
        assert_eq!(json["checks"][2]["outcome"], "pass");
        assert_eq!(json["credentials"][1]["checks"][4]["outcome"], "fail");
        assert_eq!(json["credentials"][1]["checks"][3]["reason"], "r");
        for c in CheckKind::ALL {
            assert_eq!(c.name().parse::<CheckKind>().unwrap(), c);
        }
    }
}
