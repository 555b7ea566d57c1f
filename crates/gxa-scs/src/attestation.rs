//! The unsigned body of an SCS compliance attestation, for both Gaia-X profiles.
//!
//! The credential subject uses our own small vocabulary, `scs:` =
//! `https://w3id.org/gx-attest/scs/v1#`, pinned as the context `https://w3id.org/gx-attest/scs/v1`
//! (`contexts/scs/v1.jsonld`, documented in `docs/vocabulary.md`, SHACL shape
//! `contexts/scs/scs-shape.ttl`). For Gaia-X tooling that knows nothing of `scs:`, a passing
//! attestation also states a `gx:StandardConformity` (`dcterms:title`, `gx:standardReference`,
//! `gx:publisher`), the closed node shape of the Gaia-X ontology, under `gx:standardConformity`.
//!
//! | profile | data model | contexts | validity |
//! |---|---|---|---|
//! | [`Profile::Tagus`] | [VC 1.1] | `credentials/v1`, Tagus trust framework, `scs` | `issuanceDate`, `expirationDate` |
//! | [`Profile::Loire`] | [VC 2.0] | `credentials/v2`, `https://w3id.org/gaia-x/development#`, `scs` | `validFrom`, `validUntil` |
//!
//! Every key and type in the document is a term of one of its contexts or a compact IRI with a
//! defined prefix (`gx:`, `dcterms:`), so strict JSON-LD expansion (undefined terms are errors)
//! accepts it; the Loire context's `@vocab` is never relied on.
//!
//! The credential expires with the verdict ([`crate::VersionEvaluation::valid_until`]); a
//! credential for a failing or incomplete verdict carries no expiry and no
//! `gx:StandardConformity`.
//!
//! [VC 1.1]: https://www.w3.org/TR/vc-data-model-1.1/
//! [VC 2.0]: https://www.w3.org/TR/vc-data-model-2.0/

use gxa_contexts::urls;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::evaluate::{Evaluation, Verdict, VersionEvaluation};

/// The URL of the pinned `scs:` context.
pub const SCS_CONTEXT_V1: &str = urls::SCS_V1;

/// The default `gx:publisher` of the SCS standards.
pub const SCS_PUBLISHER: &str = "Forum SCS-Standards (OSBA)";

const XSD_ANY_URI: &str = "http://www.w3.org/2001/XMLSchema#anyURI";

use gxa_credential::Profile;

/// The `@context` array of an attestation in `profile`: the profile's contexts and `scs:`.
pub fn attestation_contexts(profile: Profile) -> [&'static str; 3] {
    let [credentials, gaiax] = profile.contexts();
    [credentials, gaiax, SCS_CONTEXT_V1]
}

/// What the attestation needs besides the evaluation.
#[derive(Debug, Clone)]
pub struct AttestationOptions {
    /// Tagus or Loire.
    pub profile: Profile,
    /// The issuer's DID (or URL).
    pub issuer: String,
    /// Issuance time (`issuanceDate` / `validFrom`).
    pub issued_at: Timestamp,
    /// The credential's `id`, if it has one.
    pub credential_id: Option<String>,
    /// The credential subject's `id` (e.g. the cloud's service offering), if known; otherwise
    /// the subject is a blank node named by `scsSubject`.
    pub subject_id: Option<String>,
    /// `gx:publisher` of the standard.
    pub publisher: String,
    /// `gx:standardReference`; the scope's URL when `None`.
    pub standard_reference: Option<String>,
}

impl AttestationOptions {
    /// Options with the defaults: no ids, publisher [`SCS_PUBLISHER`], the scope URL as the
    /// standard reference.
    pub fn new(profile: Profile, issuer: &str, issued_at: Timestamp) -> Self {
        Self {
            profile,
            issuer: issuer.to_owned(),
            issued_at,
            credential_id: None,
            subject_id: None,
            publisher: SCS_PUBLISHER.to_owned(),
            standard_reference: None,
        }
    }
}

/// A stable, unique credential id for the attestation of `subject` against `scope` (its uuid,
/// or its name for a legacy scope) in `profile`, issued at `issued_at`: `prefix` followed by a
/// name-based UUID (RFC 9562 version 8, the first 16 bytes of the SHA-256 of the four values,
/// each length-prefixed, with the version and variant bits set).
///
/// Deterministic, so that issuing the same attestation again (same inputs, same `--at`) gives
/// the same id and a verifier can tell a re-run from a new attestation; unique, because any
/// other subject, scope, profile or issuance time gives another id. `prefix` is `urn:uuid:` by
/// default, or a URL prefix such as `https://provider.example/credentials/`.
pub fn attestation_id(
    prefix: &str,
    subject: &str,
    scope: &str,
    profile: Profile,
    issued_at: Timestamp,
) -> String {
    use sha2::{Digest as _, Sha256};

    let mut hasher = Sha256::new();
    for part in [
        subject,
        scope,
        profile.as_str(),
        issued_at.to_string().as_str(),
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant RFC 9562
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{prefix}{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), Value::String(value));
    }
}

fn subject(
    evaluation: &Evaluation,
    version: &VersionEvaluation,
    options: &AttestationOptions,
) -> Value {
    let mut scope = Map::new();
    scope.insert("type".to_owned(), json!("ScsScope"));
    insert_opt(&mut scope, "scopeUuid", evaluation.scope.uuid.clone());
    scope.insert("scopeName".to_owned(), json!(evaluation.scope.name));
    insert_opt(&mut scope, "scopeUrl", evaluation.scope.url.clone());

    let digest = |index: Option<usize>| {
        index
            .and_then(|i| evaluation.evidence.get(i))
            .map(|e| e.digest_sri.clone())
    };
    let modules: Vec<Value> = version
        .modules
        .iter()
        .map(|m| {
            let mut out = Map::new();
            out.insert("type".to_owned(), json!("ScsModuleResult"));
            out.insert("moduleId".to_owned(), json!(m.id));
            out.insert("moduleName".to_owned(), json!(m.name));
            insert_opt(&mut out, "moduleUrl", m.url.clone());
            insert_opt(
                &mut out,
                "verdict",
                m.targets.get("main").map(|v| v.as_str().to_owned()),
            );
            Value::Object(out)
        })
        .collect();
    let testcases: Vec<Value> = version
        .testcases
        .iter()
        .map(|t| {
            let mut out = Map::new();
            out.insert("type".to_owned(), json!("ScsTestcaseResult"));
            out.insert("testcaseId".to_owned(), json!(t.id));
            out.insert("testResult".to_owned(), json!(t.status.as_str()));
            out.insert("inTarget".to_owned(), json!(t.targets));
            out.insert("lifetime".to_owned(), json!(t.lifetime.as_str()));
            insert_opt(&mut out, "checkedAt", t.checked_at.map(|c| c.to_string()));
            insert_opt(&mut out, "expiresAt", t.expires_at.map(|c| c.to_string()));
            if let Some(report) = &t.report_uuid {
                out.insert("reportUuid".to_owned(), json!([report]));
            }
            insert_opt(&mut out, "uploadDigest", digest(t.evidence));
            Value::Object(out)
        })
        .collect();
    let uploads: Vec<Value> = evaluation
        .evidence
        .iter()
        .map(|e| {
            let mut out = Map::new();
            out.insert("type".to_owned(), json!("ScsUpload"));
            out.insert("uploadDigest".to_owned(), json!(e.digest_sri));
            insert_opt(
                &mut out,
                "signerKeyFingerprint",
                e.signer_fingerprint.clone(),
            );
            out.insert("reportUuid".to_owned(), json!(e.report_uuids));
            Value::Object(out)
        })
        .collect();

    let mut out = Map::new();
    insert_opt(&mut out, "id", options.subject_id.clone());
    out.insert("type".to_owned(), json!("ScsComplianceAttestation"));
    out.insert("scsSubject".to_owned(), json!(evaluation.subject));
    out.insert("certificateScope".to_owned(), Value::Object(scope));
    out.insert("scopeVersion".to_owned(), json!(version.version));
    out.insert("versionState".to_owned(), json!(version.state.as_str()));
    out.insert("verdict".to_owned(), json!(version.verdict.as_str()));
    out.insert("evaluatedAt".to_owned(), json!(evaluation.at.to_string()));
    out.insert(
        "checkedAtTimeZone".to_owned(),
        json!(evaluation.checked_at_zone),
    );
    if let Some((from, until)) = version.checked_period {
        out.insert("checkedFrom".to_owned(), json!(from.to_string()));
        out.insert("checkedUntil".to_owned(), json!(until.to_string()));
    }
    insert_opt(
        &mut out,
        "resultsValidUntil",
        version.valid_until.map(|v| v.to_string()),
    );
    out.insert("moduleResults".to_owned(), Value::Array(modules));
    out.insert("testcaseResults".to_owned(), Value::Array(testcases));
    out.insert("uploads".to_owned(), Value::Array(uploads));
    if version.verdict == Verdict::Pass && version.state.is_in_force() {
        let reference = options
            .standard_reference
            .clone()
            .or_else(|| evaluation.scope.url.clone());
        let mut conformity = Map::new();
        conformity.insert("type".to_owned(), json!("gx:StandardConformity"));
        conformity.insert(
            "dcterms:title".to_owned(),
            json!(format!("{} {}", evaluation.scope.name, version.version)),
        );
        if let Some(reference) = reference {
            conformity.insert(
                "gx:standardReference".to_owned(),
                json!({ "@value": reference, "@type": XSD_ANY_URI }),
            );
        }
        conformity.insert("gx:publisher".to_owned(), json!(options.publisher));
        out.insert(
            "gx:standardConformity".to_owned(),
            Value::Object(conformity),
        );
    }
    Value::Object(out)
}

/// Builds the unsigned credential for `evaluation`'s headline version
/// ([`Evaluation::headline`]: the best passing version, else the first in force): a JSON-LD
/// document ready for `gxa-proof` to sign (Tagus) or to wrap as vc+jwt (Loire).
///
/// Returns `Value::Null` only for a scope without any version.
pub fn attestation_document(evaluation: &Evaluation, options: &AttestationOptions) -> Value {
    let Some(version) = evaluation.headline() else {
        return Value::Null;
    };
    let valid_until = version.valid_until.map(|v| v.to_string());
    let mut vc = Map::new();
    vc.insert(
        "@context".to_owned(),
        json!(attestation_contexts(options.profile)),
    );
    insert_opt(&mut vc, "id", options.credential_id.clone());
    vc.insert("type".to_owned(), json!(["VerifiableCredential"]));
    vc.insert("issuer".to_owned(), json!(options.issuer));
    let (from, until) = options.profile.validity_fields();
    vc.insert(from.to_owned(), json!(options.issued_at.to_string()));
    insert_opt(&mut vc, until, valid_until);
    vc.insert(
        "credentialSubject".to_owned(),
        subject(evaluation, version, options),
    );
    Value::Object(vc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attestation_ids_are_deterministic_distinct_and_version_8() {
        let at: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap_or_default();
        let id = |subject: &str, scope: &str, profile: Profile, at: Timestamp| {
            attestation_id("urn:uuid:", subject, scope, profile, at)
        };
        let base = id("cloud", "scope", Profile::Loire, at);
        assert_eq!(base, id("cloud", "scope", Profile::Loire, at));
        let uuid = base.strip_prefix("urn:uuid:").unwrap_or_default();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8", "version 8");
        assert!(
            matches!(&uuid[19..20], "8" | "9" | "a" | "b"),
            "RFC 9562 variant"
        );
        let later = at + jiff::SignedDuration::from_secs(1);
        for other in [
            id("cloud2", "scope", Profile::Loire, at),
            id("cloud", "scope2", Profile::Loire, at),
            id("cloud", "scope", Profile::Tagus, at),
            id("cloud", "scope", Profile::Loire, later),
            // Length prefixes: moving a character between parts changes the id.
            id("clou", "dscope", Profile::Loire, at),
        ] {
            assert_ne!(other, base);
        }
        assert_eq!(
            attestation_id("https://p.example/c/", "cloud", "scope", Profile::Loire, at),
            format!("https://p.example/c/{uuid}")
        );
    }
}
