//! Checks 2 and 3, proof and verification method, from gxa-proof's report: each failure is
//! put under the check it belongs to by its kind, and the controller of every method that
//! verified a proof must be the issuer (credentials) or holder (presentations).

use super::*;

/// The raw verification method object `vm` in its controller document.
pub(super) fn method_object(resolver: &Resolver, vm: &str) -> Option<Value> {
    let did = did_of(vm);
    let doc = resolver.resolve_ref(did).ok()?;
    let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or(did);
    gxa_proof::method_in(&doc, doc_id, vm).cloned()
}

/// Which check a gxa-proof failure belongs to.
pub(super) fn class_of(f: &Failure) -> CheckKind {
    match f {
        Failure::MethodNotFound(_)
        | Failure::PurposeNotAllowed { .. }
        | Failure::WrongPurpose { .. }
        | Failure::IssuerMismatch(_) => CheckKind::VerificationMethod,
        Failure::Validity { .. } | Failure::MalformedDate { .. } => CheckKind::Validity,
        _ => CheckKind::Proof,
    }
}

/// Checks 2 and 3; also returns the verification methods of the valid proofs (for check 4).
pub(super) fn proof_and_method(
    node: &Node,
    proof: &Result<&VerificationReport, (Outcome, String)>,
    ctx: &Ctx<'_>,
) -> (CheckResult, CheckResult, Vec<String>) {
    let report = match proof {
        Ok(r) => *r,
        Err((outcome, reason)) => {
            // gxa-proof could not check at all (an unresolvable DID it has no document for,
            // a key it cannot use).
            return (
                CheckResult::new(
                    CheckKind::Proof,
                    Outcome::Skipped,
                    "not checked: the verification method is unusable",
                ),
                CheckResult::new(CheckKind::VerificationMethod, *outcome, reason.clone()),
                Vec::new(),
            );
        }
    };
    let mut proof_fail = Vec::new();
    let mut vm_fail: Vec<(Outcome, String)> = Vec::new();
    let mut passed = Vec::new();
    let mut methods = Vec::new();
    for f in &report.failures {
        match class_of(f) {
            CheckKind::Proof => proof_fail.push(f.to_string()),
            CheckKind::VerificationMethod => vm_fail.push((Outcome::Fail, f.to_string())),
            _ => {}
        }
    }
    for (i, p) in report.proofs.iter().enumerate() {
        let vm = p.verification_method.clone().unwrap_or_default();
        match &p.failure {
            None => {
                passed.push(format!(
                    "{}{}{} by {vm}",
                    p.suite.name(),
                    p.flavour
                        .map(|f| format!(" ({})", f.name()))
                        .unwrap_or_default(),
                    p.algorithm
                        .map(|a| format!(" {}", a.name()))
                        .unwrap_or_default()
                ));
                methods.push(vm);
            }
            Some(f) if class_of(f) == CheckKind::VerificationMethod => {
                // A did:web we could not fetch shows up as "method not found" (placeholder).
                match ctx.unresolved.get(did_of(&vm)) {
                    Some((outcome, reason)) => vm_fail.push((*outcome, reason.clone())),
                    None => vm_fail.push((Outcome::Fail, format!("proof {i}: {f}"))),
                }
            }
            Some(f) => proof_fail.push(format!("proof {i} ({}): {f}", p.suite.name())),
        }
    }
    let proof_check = if !proof_fail.is_empty() {
        CheckResult::new(CheckKind::Proof, Outcome::Fail, proof_fail.join("; "))
    } else if passed.is_empty() {
        CheckResult::new(
            CheckKind::Proof,
            Outcome::Skipped,
            "not checked: no usable verification method",
        )
    } else {
        CheckResult::new(CheckKind::Proof, Outcome::Pass, passed.join("; "))
    };

    // Controller binding for every method that verified a proof.
    let mut bound = Vec::new();
    for vm in &methods {
        let controller = method_object(ctx.resolver, vm)
            .and_then(|m| {
                m.get("controller")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| did_of(vm).to_owned());
        match node.party() {
            Some(party) if party == controller && did_of(vm) == controller => {
                bound.push(format!("{vm} controlled by {party}"));
            }
            Some(party) => vm_fail.push((
                Outcome::Fail,
                format!(
                    "controller {controller} of {vm} is not the {} {party}",
                    if node.is_presentation() {
                        "holder"
                    } else {
                        "issuer"
                    }
                ),
            )),
            None if node.is_presentation() => {
                bound.push(format!("{vm} (the presentation names no holder)"));
            }
            None => vm_fail.push((
                Outcome::Fail,
                "the credential names no issuer to bind the key to".to_owned(),
            )),
        }
    }
    let vm_check = if let Some((_, reason)) = vm_fail.iter().find(|(o, _)| *o == Outcome::Fail) {
        CheckResult::new(CheckKind::VerificationMethod, Outcome::Fail, reason.clone())
    } else if let Some((_, reason)) = vm_fail.first() {
        CheckResult::new(
            CheckKind::VerificationMethod,
            Outcome::Error,
            reason.clone(),
        )
    } else if bound.is_empty() {
        CheckResult::new(
            CheckKind::VerificationMethod,
            Outcome::Skipped,
            "no proof to take a verification method from",
        )
    } else {
        CheckResult::new(
            CheckKind::VerificationMethod,
            Outcome::Pass,
            bound.join("; "),
        )
    };
    let methods = if vm_check.outcome == Outcome::Pass {
        methods
    } else {
        Vec::new()
    };
    (proof_check, vm_check, methods)
}
