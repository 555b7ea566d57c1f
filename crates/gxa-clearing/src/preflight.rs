//! Pre-flight: the checks a Gaia-X clearing house makes of a submission, run before submitting,
//! each with its outcome and reason, so that a provider learns what a GXDCH would refuse
//! without a round of 409s.
//!
//! | check | what a GXDCH does |
//! |---|---|
//! | `did-web` | resolves the participant's did:web over https; its document names the signing method |
//! | `x5u` | reads the method's JWK `x5u` (an `x5c` alone is not resolved) |
//! | `chain-root` | the `x5u` document ends with a self-signed root the path validates to (a certbot `fullchain.pem` lacks it: 409 "Root certificate is not self-signed") |
//! | `ev` | the leaf carries the EV policy `2.23.140.1.1` (production operators run `evsslonly`; an eIDAS seal or a DV/OV certificate is refused) |
//! | `key-leaf` | the JWK is the leaf certificate's key |
//! | `registry` | the registry's `POST /v2/api/trustAnchor/chain/file` accepts the chain (when a registry is configured) |
//! | `registration-number` | the notary's format rules for the configured number |
//! | `types` | Tagus: every `type` is a trust framework class (v1 refuses any other: 409) |
//! | `shapes` | the credentials conform to the Gaia-X shapes of the profile |
//! | `criteria` | Loire: the offering's claims, and the certifications presented with them (`crate::certification`), show every criterion of the level (`gxa_criteria`) |
//!
//! [`evaluate`] is the judgement over gathered [`Inputs`];
//! [`ClearingClient::preflight`](crate::client::ClearingClient::preflight) gathers them (over the
//! network, or from the local key set when offline).

use std::fmt;

use gxa_criteria::{Criteria, Evidence, Level};
use serde::Serialize;
use serde_json::Value;

use crate::Profile;
use crate::notary::{NumberKind, check_number};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// What the clearing house checks holds.
    Pass,
    /// The clearing house would refuse the submission for this.
    Fail,
    /// Not checked, and why (offline, nothing configured, not applicable).
    Skip,
}

impl Outcome {
    /// `pass`, `fail`, `skip`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// One check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Its name (the table above).
    pub name: &'static str,
    /// Its outcome.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<4}  {:<19}  {}",
            self.outcome.name(),
            self.name,
            self.reason
        )
    }
}

/// Every check, in the table's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The profile checked.
    pub profile: &'static str,
    /// The level checked (Loire).
    pub level: &'static str,
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome != Outcome::Fail)
    }
}

/// What the checks read.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The profile of the submission.
    pub profile: Profile,
    /// The level asked for (Loire).
    pub level: Level,
    /// The verification method the presentation is signed with (a DID URL).
    pub method: &'a str,
    /// The DID document it is resolved in.
    pub did_document: &'a Value,
    /// How the document was obtained: `Some(Ok(url))` fetched over https from `url`,
    /// `Some(Err(why))` not fetched, `None` offline (the local key set's document).
    pub resolution: Option<Result<String, String>>,
    /// The `x5u` document (fetched, or the key set's local copy when offline), or why it could
    /// not be read.
    pub chain: Result<Vec<u8>, String>,
    /// The registry's verdict on the chain (`None`: no registry configured).
    pub registry: Option<Result<bool, String>>,
    /// The registration number to notarise.
    pub registration: (NumberKind, &'a str),
    /// The credentials the submission presents, as the compliance service reads them (JSON-LD,
    /// or the decoded payload of a VC-JWT).
    pub credentials: &'a [Value],
    /// The time certificates are checked at.
    pub at: jiff::Timestamp,
}

/// Runs every check over `inputs`.
pub fn evaluate(inputs: &Inputs<'_>) -> Report {
    let mut checks = Vec::new();
    let mut push = |name: &'static str, outcome: Outcome, reason: String| {
        checks.push(Check {
            name,
            outcome,
            reason,
        });
    };

    // did:web.
    let jwk = gxa_proof::method_in(
        inputs.did_document,
        inputs
            .did_document
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        inputs.method,
    )
    .and_then(|m| m.get("publicKeyJwk"))
    .cloned();
    match (&inputs.resolution, &jwk) {
        (Some(Err(why)), _) => push("did-web", Outcome::Fail, why.clone()),
        (_, None) => push(
            "did-web",
            Outcome::Fail,
            format!("the DID document has no JWK for {}", inputs.method),
        ),
        (Some(Ok(url)), Some(_)) => push(
            "did-web",
            Outcome::Pass,
            format!("{url} names {}", inputs.method),
        ),
        (None, Some(_)) => push(
            "did-web",
            Outcome::Skip,
            "offline: the key set's own DID document was read, not the one served".to_owned(),
        ),
    }

    // x5u rather than x5c.
    let x5u = jwk
        .as_ref()
        .and_then(|j| j.get("x5u"))
        .and_then(Value::as_str);
    let x5c = jwk.as_ref().is_some_and(|j| j.get("x5c").is_some());
    match (x5u, x5c) {
        (Some(url), _) => push("x5u", Outcome::Pass, format!("x5u {url}")),
        (None, true) => push(
            "x5u",
            Outcome::Fail,
            "the JWK has x5c but no x5u: the clearing houses resolve x5u only".to_owned(),
        ),
        (None, false) => push(
            "x5u",
            Outcome::Fail,
            "the JWK has no x5u (the URL of its certificate chain)".to_owned(),
        ),
    }

    // The chain: root, EV, key.
    let facts = match &inputs.chain {
        Ok(pem) => gxa_verify::inspect_chain(pem, inputs.at).map_err(|e| e.to_string()),
        Err(why) => Err(why.clone()),
    };
    match &facts {
        Ok(f) => {
            match &f.self_signed_root {
                Some(root) => push(
                    "chain-root",
                    Outcome::Pass,
                    format!(
                        "{} certificates, ending at the self-signed root {root}",
                        f.certificates
                    ),
                ),
                None => push(
                    "chain-root",
                    Outcome::Fail,
                    format!(
                        "the chain ends at {}, not at a self-signed root: append the root \
                         certificate (a certbot fullchain.pem lacks it; the registry answers 409)",
                        f.last_subject
                    ),
                ),
            }
            if f.ev {
                push(
                    "ev",
                    Outcome::Pass,
                    format!(
                        "the leaf {} carries the EV policy 2.23.140.1.1",
                        f.leaf_subject
                    ),
                );
            } else {
                push(
                    "ev",
                    Outcome::Fail,
                    format!(
                        "the leaf {} has no EV policy 2.23.140.1.1: production clearing houses \
                         accept EV certificates only (evsslonly; eIDAS seals and DV/OV are refused)",
                        f.leaf_subject
                    ),
                );
            }
            match &jwk {
                Some(jwk) if gxa_verify::jwk_matches_spki(jwk, &f.leaf_public_key_spki_der) => {
                    push(
                        "key-leaf",
                        Outcome::Pass,
                        format!("the JWK is the key of {}", f.leaf_subject),
                    )
                }
                Some(_) => push(
                    "key-leaf",
                    Outcome::Fail,
                    format!("the JWK is not the key of the leaf {}", f.leaf_subject),
                ),
                None => push("key-leaf", Outcome::Skip, "no JWK".to_owned()),
            }
        }
        Err(why) => {
            for name in ["chain-root", "ev", "key-leaf"] {
                push(name, Outcome::Fail, format!("the x5u chain: {why}"));
            }
        }
    }

    // Registry.
    match &inputs.registry {
        None => push(
            "registry",
            Outcome::Skip,
            "no registry configured ([clearing] registry_url)".to_owned(),
        ),
        Some(Ok(true)) => push(
            "registry",
            Outcome::Pass,
            "POST /v2/api/trustAnchor/chain/file: result true".to_owned(),
        ),
        Some(Ok(false)) => push(
            "registry",
            Outcome::Fail,
            "POST /v2/api/trustAnchor/chain/file: result false (the root is no trust anchor)"
                .to_owned(),
        ),
        Some(Err(why)) => push("registry", Outcome::Fail, why.clone()),
    }

    // Registration number.
    let (kind, number) = inputs.registration;
    match check_number(kind, number) {
        Ok(_) => push(
            "registration-number",
            Outcome::Pass,
            format!("{} {number}: the notary's format", kind.path()),
        ),
        Err(e) => push("registration-number", Outcome::Fail, e.to_string()),
    }

    // Types (Tagus).
    if inputs.profile == Profile::Tagus {
        let mut others = Vec::new();
        for doc in inputs.credentials {
            collect_foreign_types(doc, &mut others);
        }
        others.sort();
        others.dedup();
        if others.is_empty() {
            push(
                "types",
                Outcome::Pass,
                "only trust framework classes".to_owned(),
            );
        } else {
            push(
                "types",
                Outcome::Fail,
                format!(
                    "types outside the trust framework (v1 answers 409 \"not defined in registry \
                     shapes\"): {}",
                    others.join(", ")
                ),
            );
        }
    } else {
        push("types", Outcome::Skip, "Tagus only".to_owned());
    }

    // Shapes.
    match gxa_shacl::Validator::new(inputs.profile).and_then(|v| v.validate(inputs.credentials)) {
        Ok(report) if report.conforms => push(
            "shapes",
            Outcome::Pass,
            format!("{} credentials conform", inputs.credentials.len()),
        ),
        Ok(report) => push(
            "shapes",
            Outcome::Fail,
            report
                .violations
                .iter()
                .filter(|v| v.severity == "Violation")
                .take(10)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(e) => push("shapes", Outcome::Fail, e.to_string()),
    }

    // Criteria (Loire).
    if inputs.profile == Profile::Loire {
        match Criteria::pinned() {
            Err(e) => push("criteria", Outcome::Fail, e.to_string()),
            Ok(table) => {
                let mut evidence = Evidence::of_claims(inputs.credentials);
                // Certifications count whoever issued them here: the clearing house counts
                // those of the assessment bodies it trusts.
                let certified = crate::certification::certified(
                    inputs.credentials,
                    &crate::certification::offering_subjects(inputs.credentials),
                    |_| true,
                    |id| table.get(id).is_some(),
                );
                let certifications = certified.criteria.len();
                evidence.certify(certified.criteria);
                if !certified.problems.is_empty() {
                    push("criteria", Outcome::Fail, certified.problems.join("; "));
                } else if !evidence.has_class("gx:ServiceOffering") {
                    push(
                        "criteria",
                        if inputs.level == Level::StandardCompliance {
                            Outcome::Pass
                        } else {
                            Outcome::Fail
                        },
                        "no service offering: the criteria apply to offerings (a label needs one)"
                            .to_owned(),
                    );
                } else {
                    let missing = table.missing(inputs.level, &evidence);
                    if missing.is_empty() {
                        push(
                            "criteria",
                            Outcome::Pass,
                            format!(
                                "{} criteria of {} shown by the claims{}",
                                table.validated(inputs.level, &evidence).len(),
                                inputs.level.name(),
                                if certifications > 0 {
                                    format!(
                                        " and {certifications} by certifications (counted if \
                                         the clearing house trusts their assessment bodies)"
                                    )
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    } else {
                        push(
                            "criteria",
                            Outcome::Fail,
                            missing
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; "),
                        );
                    }
                }
            }
        }
    } else {
        push("criteria", Outcome::Skip, "Loire only".to_owned());
    }

    Report {
        profile: inputs.profile.as_str(),
        level: inputs.level.as_str(),
        checks,
    }
}

/// The `type` values anywhere in `value` (outside proofs) that are not trust framework classes
/// or `VerifiableCredential`.
fn collect_foreign_types(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect_foreign_types(v, out)),
        Value::Object(node) => {
            let types: Vec<&str> = match node.get("type").or_else(|| node.get("@type")) {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for t in types {
                if !gxa_credential::trust_framework::is_clearing_credential(&[t]) {
                    out.push(t.to_owned());
                }
            }
            for (key, v) in node {
                if key != "proof" && key != "@context" {
                    collect_foreign_types(v, out);
                }
            }
        }
        _ => {}
    }
}
