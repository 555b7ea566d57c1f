//! Check 7, shapes: SHACL conformance to the shapes of the credential's profile (Gaia-X Loire
//! or Tagus) and, for SCS attestations, to the `scs:` shape.

use std::sync::OnceLock;

use gxa_credential::Profile;
use gxa_shacl::Validator;

use super::*;

impl Verifier {
    /// Check 7: every shape set that applies to the document's vocabulary, validated on a
    /// blocking thread; the validators are loaded once per verifier.
    pub(super) async fn shapes_check(&self, node: &Node, run: &Run, top: bool) -> CheckResult {
        let check = CheckKind::Shapes;
        if !run.shapes {
            return CheckResult::new(check, Outcome::Skipped, "shape validation not requested");
        }
        if !top {
            return CheckResult::new(
                check,
                Outcome::Skipped,
                "validated together with the presentation",
            );
        }
        let docs: Vec<Value> = if node.is_presentation() {
            node.children
                .iter()
                .filter(|c| c.syntax_ok())
                .map(|c| c.doc.clone())
                .collect()
        } else {
            vec![node.doc.clone()]
        };
        let sets = docs.first().map(shape_sets).unwrap_or_default();
        if sets.is_empty() {
            return CheckResult::new(
                check,
                Outcome::Skipped,
                "no Gaia-X or scs: vocabulary: no shapes apply",
            );
        }
        let inner = Arc::clone(&self.inner);
        // A presentation is validated as a whole (its credentials link to each other); a
        // credential alone may link to nodes other credentials describe, which it cannot be
        // held to (gxa-shacl `validate_standalone`; named in the reason below).
        let standalone = !node.is_presentation();
        let result = on_cpu(self.inner.offload.shapes(), move || {
            let mut out = Vec::new();
            for set in sets {
                let validator = inner
                    .validators
                    .validator(set)
                    .as_ref()
                    .map_err(|e| format!("{} shapes: {e}", set.name()))?;
                let report = if standalone {
                    validator.validate_standalone(&docs)
                } else {
                    validator.validate(&docs)
                }
                .map_err(|e| format!("{} shapes: {e}", set.name()))?;
                out.push((set, report));
            }
            Ok::<_, String>(out)
        })
        .await;
        let reports = match result {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return CheckResult::new(check, Outcome::Fail, e),
            Err(e) => return CheckResult::new(check, Outcome::Error, e),
        };
        let mut passes = Vec::new();
        for (set, report) in reports {
            if report.conforms {
                let mut linked: Vec<String> = report
                    .external
                    .iter()
                    .map(|v| {
                        let focus = v.focus_node.trim_matches(['<', '>']);
                        match &v.value {
                            Some(value) if !focus.is_empty() => {
                                format!("{focus} → {}", value.trim_matches(['<', '>']))
                            }
                            _ => focus.to_owned(),
                        }
                    })
                    .collect();
                linked.dedup();
                if linked.is_empty() {
                    passes.push(format!("conforms to the {} shapes", set.name()));
                } else {
                    passes.push(format!(
                        "conforms to the {} shapes; {} constraint(s) on linked nodes that \
                         other credentials describe not checked alone ({})",
                        set.name(),
                        report.external.len(),
                        linked.join(", ")
                    ));
                }
                continue;
            }
            let violations: Vec<String> = report
                .violations
                .iter()
                .filter(|v| v.severity == "Violation")
                .map(ToString::to_string)
                .collect();
            return CheckResult::new(
                check,
                Outcome::Fail,
                format!(
                    "{} violation(s) of the {} shapes: {}",
                    violations.len(),
                    set.name(),
                    violations.join("; ")
                ),
            );
        }
        CheckResult::new(check, Outcome::Pass, passes.join("; "))
    }
}

/// The shape sets check 7 knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ShapeSet {
    /// Gaia-X Loire 25.11 (`gx.shacl.ttl` with the ontology).
    Loire,
    /// Gaia-X Tagus 22.10 trust framework shapes.
    Tagus,
    /// gx-attest's own `scs:` attestation shape (`contexts/scs/scs-shape.ttl`).
    Scs,
}

impl ShapeSet {
    fn name(self) -> &'static str {
        match self {
            Self::Loire => "Gaia-X Loire",
            Self::Tagus => "Gaia-X Tagus",
            Self::Scs => "scs:",
        }
    }
}

/// The pinned `scs:` shape (of SCS attestations).
pub(super) const SCS_SHAPES: &str = include_str!("../../../../contexts/scs/scs-shape.ttl");

/// The validators, loaded on first use (the Loire shapes take a while to load).
#[derive(Default)]
pub(super) struct Validators {
    loire: OnceLock<Result<Validator, String>>,
    tagus: OnceLock<Result<Validator, String>>,
    scs: OnceLock<Result<Validator, String>>,
}

impl Validators {
    fn validator(&self, set: ShapeSet) -> &Result<Validator, String> {
        let (slot, load): (_, fn() -> Result<Validator, gxa_shacl::ShaclError>) = match set {
            ShapeSet::Loire => (&self.loire, || Validator::new(Profile::Loire)),
            ShapeSet::Tagus => (&self.tagus, || Validator::new(Profile::Tagus)),
            ShapeSet::Scs => (&self.scs, || {
                Validator::with_shapes(Profile::Loire, SCS_SHAPES, None)
            }),
        };
        slot.get_or_init(|| load().map_err(|e| e.to_string()))
    }
}

/// The shape sets that apply to a document, from its contexts.
pub(super) fn shape_sets(doc: &Value) -> Vec<ShapeSet> {
    let ctx = doc
        .get("@context")
        .map(Value::to_string)
        .unwrap_or_default();
    let mut sets = Vec::new();
    if ctx.contains("https://w3id.org/gaia-x/development") {
        sets.push(ShapeSet::Loire);
    } else if ctx.contains("registry.lab.gaia-x.eu") {
        sets.push(ShapeSet::Tagus);
    }
    if ctx.contains("https://w3id.org/gx-attest/scs/") {
        sets.push(ShapeSet::Scs);
    }
    sets
}
