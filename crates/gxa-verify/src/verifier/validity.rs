//! Check 5, validity: the validity window (`issuanceDate`/`expirationDate`,
//! `validFrom`/`validUntil`, JWT `nbf`/`exp`) contains the verification time.

use super::*;

/// Check 5, from gxa-proof's validity findings (it reads the same members for both formats).
pub(super) fn validity_check(
    node: &Node,
    proof: &Result<&VerificationReport, (Outcome, String)>,
    at: Timestamp,
) -> CheckResult {
    let check = CheckKind::Validity;
    let Ok(report) = proof else {
        return CheckResult::new(check, Outcome::Skipped, "not checked: proof not verified");
    };
    let failures: Vec<String> = report
        .failures
        .iter()
        .filter(|f| class_of(f) == CheckKind::Validity)
        .map(ToString::to_string)
        .collect();
    if !failures.is_empty() {
        return CheckResult::new(check, Outcome::Fail, failures.join("; "));
    }
    let mut bounds = Vec::new();
    for name in ["validFrom", "validUntil", "issuanceDate", "expirationDate"] {
        if let Some(v) = node.doc.get(name).and_then(Value::as_str) {
            bounds.push(format!("{name} {v}"));
        }
    }
    if let Some(claims) = &node.claims {
        for name in ["nbf", "exp"] {
            if let Some(v) = claims.get(name).and_then(Value::as_i64) {
                bounds.push(format!("{name} {}", gxa_proof::format_rfc3339(v)));
            }
        }
    }
    if bounds.is_empty() {
        CheckResult::new(
            check,
            Outcome::Pass,
            format!("no validity bounds; checked at {at}"),
        )
    } else {
        CheckResult::new(
            check,
            Outcome::Pass,
            format!("{} contain {at}", bounds.join(", ")),
        )
    }
}
