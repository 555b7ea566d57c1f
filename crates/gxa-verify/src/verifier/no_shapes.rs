//! Check 7 in a build without SHACL (gxa-verify's feature `shacl` off): never run, and said so.

use super::*;

/// No validators.
#[derive(Default)]
pub(super) struct Validators;

impl Verifier {
    pub(super) async fn shapes_check(&self, _node: &Node, _run: &Run, _top: bool) -> CheckResult {
        CheckResult::new(
            CheckKind::Shapes,
            Outcome::Skipped,
            "not checked: this build has no SHACL (gxa-verify's feature shacl)",
        )
    }
}
