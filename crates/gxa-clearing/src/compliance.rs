//! The compliance service side: a verified presentation in, a signed compliance credential out.
//!
//! The pipeline is GXDCH's (the compliance service's v1 API for Tagus, v2 for Loire):
//!
//! 1. **Read**: v1 takes a JSON-LD presentation (Tagus), v2 a compact `vp+jwt` (Loire) whose
//!    header names the issuer (`iss`).
//! 2. **Verify** with [`gxa_verify`]: every proof, did:web, the `x5u` chain to a configured
//!    trust anchor, validity, status and (if configured) the Gaia-X shapes. Anything short of
//!    a valid verdict is refused with the report's problems.
//! 3. **Participant rules** ([`ComplianceService::rules`]), as GXDCH documents them for the
//!    standard-compliance level: exactly the participant credential (Tagus
//!    `gx:LegalParticipant`, Loire `gx:LegalPerson`); a registration-number credential issued by
//!    a *trusted notary* (configured DIDs) whose subject is a registration number the
//!    participant references; the participant's terms and conditions (Tagus
//!    `gx:GaiaXTermsAndConditions` with text, Loire `gx:Issuer` with one of the two published
//!    hashes); the presentation's holder (and signer) is the participant's issuer; every
//!    credential is issued by the participant or a trusted notary.
//! 4. **Criteria** (Loire): the service offerings' claims against the Compliance Document's
//!    criteria of the level asked for (`standard-compliance`, `label-level-1` … `-3`;
//!    `gxa_criteria`): every criterion the level needs and the claims do not show is a refusal
//!    naming it and the level. Criteria only the provider's own declaration can show are
//!    neither refused nor validated (no claim carries them); certification criteria cannot be
//!    shown by claims of the 25.11 ontology, so label levels 2 and 3 are refused naming them.
//! 5. **Issue**, signed with the service's own key:
//!    * Tagus: a VC 1.1 credential whose `credentialSubject` lists one `gx:compliance` entry per
//!      input credential: `gx:integrity` = `sha256-` + hex SHA-256 of the JCS form of the
//!      credential as sent (proof included), `gx:integrityNormalization: "RFC8785:JCS"`,
//!      `gx:version: "22.10"`, `gx:type` = its Gaia-X type; JsonWebSignature2020, Gaia-X
//!      flavour (what compliance v1 emits).
//!    * Loire: a VC 2.0 `gx:LabelCredential` as `vc+jwt` with `gx:labelLevel` (`SC`, `L1`, …),
//!      `gx:engineVersion`, `gx:rulesVersion`, `gx:validatedCriteria` (the URLs of the criteria
//!      the offering's claims show) and `gx:compliantCredentials` = `{id, type,
//!      gx:digestSRI}` per input credential, the digest over the decoded VC-JWT payload.
//!
//!    `id` is the `vcid` asked for; validity is [`ComplianceConfig::validity`] (90 days by
//!    default), capped at the earliest end of validity of the input credentials.
//!
//! Refusals are the services' own error bodies ([`ServiceAnswer`]): v1 `409 {statusCode,
//! message: {conforms: false, results}}`, v2 `400 {message, error, statusCode, errors}`.

use gxa_contexts::urls;
pub use gxa_criteria::Level;
use gxa_verify::Verifier;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::parse::{Presented, PresentedCredential, gx_prop, node_ids, parse_presentation};
use crate::{ClearingError, Profile, ServiceAnswer, SigningKey, integrity};

/// The Tagus trustframework context (the `gx:` prefix of 22.10).
pub const TRUSTFRAMEWORK: &str = "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#";
/// The Loire gx context.
pub const GX_DEVELOPMENT: &str = "https://w3id.org/gaia-x/development#";
/// The JsonWebSignature2020 context.
const JWS2020: &str = "https://w3id.org/security/suites/jws-2020/v1";

/// The two accepted `gx:gaiaxTermsAndConditions` hashes (ontology enum
/// `GaiaXTermsAndConditions`, shapes `sh:in`).
pub const GAIAX_TERMS_HASHES: [&str; 2] = [
    "4bd7554097444c960292b4726c2efa1373485e8a5565d94d41195214c5e0ceb3",
    "067dcac5efd18c1927deb1ffed3feab6d0ad044c0a9a263e6d5d8bdc43224515",
];

/// Loire registration-number classes.
pub const LOIRE_REGISTRATION_TYPES: [&str; 7] = [
    "gx:VatID",
    "gx:LeiCode",
    "gx:EORI",
    "gx:EUID",
    "gx:TaxID",
    "gx:LocalRegistrationNumber",
    "gx:CountryCompanyNumber",
];

/// The compliance service's settings.
#[derive(Debug, Clone)]
pub struct ComplianceConfig {
    /// DIDs of the registration-number notaries whose credentials count.
    pub trusted_notaries: Vec<String>,
    /// DIDs of the conformity assessment bodies whose certifications count for labels 2 and 3
    /// ([`crate::certification`]); none by default.
    pub trusted_assessors: Vec<String>,
    /// Validity of an issued compliance credential (default 90 days).
    pub validity: SignedDuration,
    /// `gx:engineVersion` (Loire).
    pub engine_version: String,
    /// `gx:rulesVersion` (Loire), e.g. `CD24.11`.
    pub rules_version: String,
    /// The base URL of the service: v1 credential ids default to
    /// `{base_url}/credential-offers/{uuid}` when no `vcid` is given.
    pub base_url: String,
}

impl ComplianceConfig {
    /// Defaults: 90 days, this crate's version as engine version, rules `CD24.11` (the
    /// Compliance Document version of the pinned criteria).
    pub fn new(base_url: impl Into<String>, trusted_notaries: Vec<String>) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        Self {
            trusted_notaries,
            trusted_assessors: Vec::new(),
            validity: SignedDuration::from_hours(90 * 24),
            engine_version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_version: format!("CD{}", gxa_criteria::DOCUMENT_VERSION),
            base_url,
        }
    }
}

/// Which API a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `POST /v1/api/credential-offers` (Tagus, JSON-LD).
    V1,
    /// `POST /v2/api/credential-offers/standard-compliance` (Loire, `vp+jwt`).
    V2,
}

impl Api {
    /// The profile of the API.
    pub fn profile(self) -> Profile {
        match self {
            Self::V1 => Profile::Tagus,
            Self::V2 => Profile::Loire,
        }
    }

    /// A refusal in this API's error shape: v1 409 with `results`, v2 400 with `errors`.
    pub fn refusal(self, message: &str, reasons: Vec<String>) -> ServiceAnswer {
        match self {
            Self::V1 => ServiceAnswer::V1 {
                status: 409,
                results: if reasons.is_empty() {
                    vec![message.to_owned()]
                } else {
                    reasons
                },
            },
            Self::V2 => ServiceAnswer::V2 {
                status: 400,
                message: message.to_owned(),
                errors: reasons,
            },
        }
    }

    /// A malformed request in this API's shape (400 for both).
    pub fn bad_request(self, message: &str) -> ServiceAnswer {
        ServiceAnswer::V2 {
            status: 400,
            message: message.to_owned(),
            errors: Vec::new(),
        }
    }
}

/// An issued compliance credential.
#[derive(Debug, Clone)]
pub struct ComplianceCredential {
    /// Its `id` (the `vcid`).
    pub id: String,
    /// JSON (Tagus) or the compact JWS (Loire).
    pub body: Vec<u8>,
    /// `application/json` (v1 answers JSON-LD as `application/json`) or `application/vc+jwt`.
    pub media_type: &'static str,
    /// End of validity.
    pub valid_until: Timestamp,
}

/// The compliance service. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ComplianceService {
    key: SigningKey,
    config: ComplianceConfig,
}

/// Why an offer was not answered with a credential.
#[derive(Debug)]
pub enum OfferError {
    /// Refused: the answer to send (the real services' error body).
    Refused(ServiceAnswer),
    /// The service failed (signing, a bug): a 500.
    Failed(ClearingError),
}

impl From<ClearingError> for OfferError {
    fn from(e: ClearingError) -> Self {
        Self::Failed(e)
    }
}

impl ComplianceService {
    /// A service signing with `key`.
    pub fn new(key: SigningKey, config: ComplianceConfig) -> Self {
        Self { key, config }
    }

    /// The service's DID.
    pub fn did(&self) -> &str {
        self.key.did()
    }

    /// The settings.
    pub fn config(&self) -> &ComplianceConfig {
        &self.config
    }

    /// The whole offer: read, verify with `verifier`, apply the rules, issue. `vcid` is the id
    /// of the credential to issue (v2: mandatory; v1: a fresh id under the base URL if absent).
    pub async fn offer(
        &self,
        api: Api,
        level: Level,
        verifier: &Verifier,
        input: &str,
        vcid: Option<&str>,
    ) -> Result<ComplianceCredential, OfferError> {
        if api == Api::V1 && level != Level::StandardCompliance {
            return Err(OfferError::Refused(
                api.bad_request("the v1 (Tagus) API offers standard compliance only"),
            ));
        }
        let vcid = match vcid {
            Some(id) if is_absolute_iri(id) => id.to_owned(),
            Some(id) => {
                return Err(OfferError::Refused(
                    api.bad_request(&format!("vcid {id:?} is not an absolute URL")),
                ));
            }
            None if api == Api::V2 => {
                return Err(OfferError::Refused(
                    api.bad_request("the query parameter vcid is mandatory"),
                ));
            }
            None => format!(
                "{}/credential-offers/{}",
                self.config.base_url,
                uuid::Uuid::new_v4()
            ),
        };
        let text = input.trim();
        match api {
            Api::V1 if !text.starts_with('{') => {
                return Err(OfferError::Refused(
                    api.bad_request("the body is not a JSON-LD verifiable presentation"),
                ));
            }
            Api::V2 if text.starts_with('{') || text.split('.').count() != 3 => {
                return Err(OfferError::Refused(
                    api.bad_request("The payload is not a valid JWT and was not decoded"),
                ));
            }
            _ => {}
        }
        if api == Api::V2 {
            match crate::parse::decode_jwt(text) {
                Ok((header, _)) if header.get("iss").and_then(Value::as_str).is_none() => {
                    return Err(OfferError::Refused(api.bad_request(
                        "The iss header referencing the issuer's DID is missing",
                    )));
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(OfferError::Refused(
                        api.bad_request("The payload is not a valid JWT and was not decoded"),
                    ));
                }
            }
        }
        let presented = parse_presentation(text)
            .map_err(|e| OfferError::Refused(api.bad_request(&e.to_string())))?;
        let report = verifier.verify(text, Timestamp::now()).await;
        if !report.is_valid() {
            return Err(OfferError::Refused(api.refusal(
                &format!(
                    "The presentation does not verify (verdict: {})",
                    report.verdict.name()
                ),
                report.problems(),
            )));
        }
        let mut failures = self.rules(&presented, api.profile());
        let validated = if api.profile() == Profile::Loire {
            match criteria_of(&presented, level, &self.config.trusted_assessors) {
                Ok(validated) => validated,
                Err(missing) => {
                    failures.extend(missing);
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        if !failures.is_empty() {
            return Err(OfferError::Refused(api.refusal(
                "The presentation does not meet the Gaia-X compliance rules",
                failures,
            )));
        }
        Ok(self
            .issue_level(
                &presented,
                api.profile(),
                level,
                &validated,
                &vcid,
                gxa_credential::now(),
            )
            .await?)
    }

    /// The participant rules (step 3) over a presentation that verified (step 2; the rules
    /// read the documents and trust their proofs). An empty list means they hold.
    pub fn rules(&self, p: &Presented, profile: Profile) -> Vec<String> {
        let mut results = Vec::new();
        let (participant_type, terms_type, reference) = match profile {
            Profile::Tagus => (
                "gx:LegalParticipant",
                "gx:GaiaXTermsAndConditions",
                "legalRegistrationNumber",
            ),
            Profile::Loire => ("gx:LegalPerson", "gx:Issuer", "registrationNumber"),
        };
        if p.jwt != (profile == Profile::Loire) {
            results.push(format!(
                "a {} presentation is expected here",
                if profile == Profile::Loire {
                    "vp+jwt"
                } else {
                    "JSON-LD"
                }
            ));
            return results;
        }
        let participants: Vec<&PresentedCredential> = p
            .credentials
            .iter()
            .filter(|c| c.has_type(participant_type))
            .collect();
        let participant = match participants.as_slice() {
            [] => {
                results.push(format!(
                    "no {participant_type} credential in the presentation"
                ));
                return results;
            }
            [one] => *one,
            _ => {
                results.push(format!(
                    "more than one {participant_type} credential in the presentation"
                ));
                return results;
            }
        };
        let Some(participant_issuer) = participant.issuer.clone() else {
            results.push(format!("the {participant_type} credential names no issuer"));
            return results;
        };

        // Holder = the participant.
        match &p.holder {
            Some(holder) if *holder == participant_issuer => {}
            Some(holder) => results.push(format!(
                "the presentation's holder {holder} is not the participant {participant_issuer}"
            )),
            None => results.push(format!(
                "the presentation names no holder (expected the participant {participant_issuer})"
            )),
        }
        if let Some(signer) = &p.signer
            && *signer != participant_issuer
        {
            results.push(format!(
                "the presentation is signed by {signer}, not by the participant {participant_issuer}"
            ));
        }

        // Registration number from a trusted notary, referenced by the participant.
        let is_registration = |c: &PresentedCredential| match profile {
            Profile::Tagus => c.has_type("gx:legalRegistrationNumber"),
            Profile::Loire => LOIRE_REGISTRATION_TYPES.iter().any(|t| c.has_type(t)),
        };
        let trusted = |issuer: &Option<String>| {
            issuer
                .as_ref()
                .is_some_and(|i| self.config.trusted_notaries.iter().any(|t| t == i))
        };
        let registrations: Vec<&PresentedCredential> = p
            .credentials
            .iter()
            .filter(|c| is_registration(c))
            .collect();
        if registrations.is_empty() {
            results.push(
                "no registration number credential in the presentation (it must be issued by a \
                 trusted notary)"
                    .to_owned(),
            );
        } else {
            let notarised: Vec<&&PresentedCredential> = registrations
                .iter()
                .filter(|c| trusted(&c.issuer))
                .collect();
            if notarised.is_empty() {
                for c in &registrations {
                    results.push(format!(
                        "the registration number credential {} is issued by {}, which is not a \
                         trusted notary",
                        c.id.as_deref().unwrap_or("(no id)"),
                        c.issuer.as_deref().unwrap_or("(no issuer)")
                    ));
                }
            } else {
                let referenced: Vec<String> = participant
                    .subjects
                    .iter()
                    .flat_map(|s| node_ids(gx_prop(s, reference)))
                    .collect();
                let attested: Vec<String> = notarised
                    .iter()
                    .flat_map(|c| c.subjects.iter())
                    .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect();
                if !referenced.iter().any(|r| attested.contains(r)) {
                    results.push(format!(
                        "the participant's gx:{reference} ({}) is not the subject of a trusted \
                         notary's credential ({})",
                        referenced.join(", "),
                        attested.join(", ")
                    ));
                }
            }
        }

        // Terms and conditions, by the participant.
        let terms: Vec<&PresentedCredential> = p
            .credentials
            .iter()
            .filter(|c| c.has_type(terms_type) && c.issuer.as_deref() == Some(&participant_issuer))
            .collect();
        if terms.is_empty() {
            results.push(format!(
                "no {terms_type} credential issued by the participant {participant_issuer}"
            ));
        } else {
            let accepted = terms
                .iter()
                .flat_map(|c| c.subjects.iter())
                .any(|s| match profile {
                    Profile::Tagus => gx_prop(s, "termsAndConditions")
                        .and_then(Value::as_str)
                        .is_some_and(|t| !t.trim().is_empty()),
                    Profile::Loire => gx_prop(s, "gaiaxTermsAndConditions")
                        .and_then(Value::as_str)
                        .is_some_and(|h| GAIAX_TERMS_HASHES.contains(&h)),
                });
            if !accepted {
                results.push(match profile {
                    Profile::Tagus => {
                        "gx:GaiaXTermsAndConditions has no gx:termsAndConditions text".to_owned()
                    }
                    Profile::Loire => format!(
                        "gx:gaiaxTermsAndConditions is not one of the Gaia-X terms and \
                         conditions hashes ({})",
                        GAIAX_TERMS_HASHES.join(", ")
                    ),
                });
            }
        }

        // Every issuer is the participant or a trusted notary; certifications are judged with
        // the criteria (`criteria_of`), by their assessment body.
        for c in &p.credentials {
            if c.issuer.as_deref() != Some(&participant_issuer)
                && !trusted(&c.issuer)
                && !crate::certification::is_certification(&c.document)
            {
                results.push(format!(
                    "credential {} is issued by {}, neither the participant nor a trusted notary",
                    c.id.as_deref().unwrap_or("(no id)"),
                    c.issuer.as_deref().unwrap_or("(no issuer)")
                ));
            }
            if c.id.is_none() {
                results.push(format!(
                    "a {} credential has no id (the compliance credential names each by id)",
                    c.gx_type()
                ));
            }
        }
        results
    }

    /// Issues the standard-compliance credential for credentials that passed the rules
    /// (step 5).
    pub async fn issue(
        &self,
        p: &Presented,
        profile: Profile,
        vcid: &str,
        now: Timestamp,
    ) -> Result<ComplianceCredential, ClearingError> {
        self.issue_level(p, profile, Level::StandardCompliance, &[], vcid, now)
            .await
    }

    /// Issues the compliance credential of `level` (Loire `gx:labelLevel`), listing the
    /// `validated` criteria (URLs of the Compliance Document) in `gx:validatedCriteria`.
    pub async fn issue_level(
        &self,
        p: &Presented,
        profile: Profile,
        level: Level,
        validated: &[String],
        vcid: &str,
        now: Timestamp,
    ) -> Result<ComplianceCredential, ClearingError> {
        let mut until = now
            .checked_add(self.config.validity)
            .map_err(|e| ClearingError::Config(format!("compliance validity: {e}")))?;
        for c in &p.credentials {
            let end = ["validUntil", "expirationDate"]
                .iter()
                .find_map(|k| c.document.get(*k).and_then(Value::as_str))
                .and_then(|t| t.parse::<Timestamp>().ok());
            if let Some(end) = end
                && end < until
            {
                until = end;
            }
        }
        let mut entries = Vec::new();
        for c in &p.credentials {
            let id = c.id.clone().unwrap_or_default();
            let digest = integrity::sha256_jcs(&c.document)?;
            entries.push(match profile {
                Profile::Tagus => json!({
                    "type": "gx:compliance",
                    "id": id,
                    "gx:integrity": digest,
                    "gx:integrityNormalization": "RFC8785:JCS",
                    "gx:version": "22.10",
                    "gx:type": c.gx_type(),
                }),
                Profile::Loire => json!({
                    "id": id,
                    "type": c.gx_type(),
                    "gx:digestSRI": digest,
                }),
            });
        }
        let did = self.key.did();
        let doc = match profile {
            Profile::Tagus => json!({
                "@context": [urls::CREDENTIALS_V1, JWS2020, TRUSTFRAMEWORK],
                "type": ["VerifiableCredential"],
                "id": vcid,
                "issuer": did,
                "issuanceDate": now.to_string(),
                "expirationDate": until.to_string(),
                "credentialSubject": entries,
            }),
            Profile::Loire => json!({
                "@context": [urls::CREDENTIALS_V2, GX_DEVELOPMENT],
                "type": ["VerifiableCredential", "gx:LabelCredential"],
                "id": vcid,
                "issuer": did,
                "validFrom": now.to_string(),
                "validUntil": until.to_string(),
                "credentialSubject": label_subject(
                    vcid,
                    level,
                    &self.config,
                    entries,
                    validated,
                ),
            }),
        };
        let sealed = crate::on_blocking_pool(&self.key, doc, profile, now).await?;
        Ok(ComplianceCredential {
            id: vcid.to_owned(),
            body: sealed.body,
            media_type: match profile {
                Profile::Tagus => "application/json",
                Profile::Loire => "application/vc+jwt",
            },
            valid_until: until,
        })
    }
}

/// The `credentialSubject` of a Loire `gx:LabelCredential`.
fn label_subject(
    vcid: &str,
    level: Level,
    config: &ComplianceConfig,
    entries: Vec<Value>,
    validated: &[String],
) -> Value {
    let mut subject = json!({
        "id": format!("{vcid}#cs"),
        "gx:labelLevel": level.as_str(),
        "gx:engineVersion": config.engine_version,
        "gx:rulesVersion": config.rules_version,
        "gx:compliantCredentials": entries,
    });
    if !validated.is_empty()
        && let Some(obj) = subject.as_object_mut()
    {
        obj.insert("gx:validatedCriteria".to_owned(), json!(validated));
    }
    subject
}

/// The compliance criteria of `level` for the service offerings of a Loire presentation
/// (Compliance Document, `gxa_criteria`), judged by their claims and by the certifications of
/// `trusted_assessors` in it (a certification that does not count is refused, named): the
/// validated criteria's URLs, or one refusal per missing criterion, naming it and the level. A presentation without
/// a service offering is a participant's: standard compliance has no criteria for it, a label
/// needs an offering.
fn criteria_of(
    p: &Presented,
    level: Level,
    trusted_assessors: &[String],
) -> Result<Vec<String>, Vec<String>> {
    let table = gxa_criteria::Criteria::pinned().map_err(|e| vec![e.to_string()])?;
    let documents = || p.credentials.iter().map(|c| &c.document);
    let mut evidence = gxa_criteria::Evidence::of_claims(documents());
    let certified = crate::certification::certified(
        documents(),
        &crate::certification::offering_subjects(documents()),
        |issuer| trusted_assessors.iter().any(|t| t == issuer),
        |id| table.get(id).is_some(),
    );
    if !certified.problems.is_empty() {
        return Err(certified.problems);
    }
    evidence.certify(certified.criteria);
    if !evidence.has_class("gx:ServiceOffering") {
        return if level == Level::StandardCompliance {
            Ok(Vec::new())
        } else {
            Err(vec![format!(
                "{} is awarded to a service offering; the presentation holds no gx:ServiceOffering",
                level.name()
            )])
        };
    }
    let missing = table.missing(level, &evidence);
    if !missing.is_empty() {
        return Err(missing.iter().map(ToString::to_string).collect());
    }
    Ok(table
        .validated(level, &evidence)
        .into_iter()
        .map(|c| c.url.clone())
        .collect())
}

/// An absolute IRI as `vcid` must be (`https://…`, `http://…`, `urn:…`, `did:…`).
pub(crate) fn is_absolute_iri(id: &str) -> bool {
    let Some((scheme, rest)) = id.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && !id.chars().any(char::is_whitespace)
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use serde_json::Map;

    use super::*;
    use crate::parse::PresentedCredential;

    const P: &str = "did:web:participant.example";
    const N: &str = "did:web:notary.example";

    fn vc(id: &str, issuer: &str, class: &str, subject: Value) -> PresentedCredential {
        let mut subject: Map<String, Value> = subject.as_object().cloned().unwrap_or_default();
        subject.insert("type".into(), json!(class));
        let document = json!({
            "id": id, "issuer": issuer, "type": ["VerifiableCredential", class],
            "validUntil": "2099-01-01T00:00:00Z", "credentialSubject": subject.clone(),
        });
        PresentedCredential {
            id: Some(id.to_owned()),
            types: vec!["VerifiableCredential".into(), class.into()],
            issuer: Some(issuer.to_owned()),
            subjects: vec![subject],
            document,
        }
    }

    /// A Loire presentation that meets the rules.
    fn loire() -> Presented {
        Presented {
            jwt: true,
            holder: Some(P.into()),
            signer: Some(P.into()),
            credentials: vec![
                vc(
                    "https://p/lp",
                    P,
                    "gx:LegalPerson",
                    json!({"id": "https://p/lp#cs", "registrationNumber": [{"id": "https://p/vat#cs"}]}),
                ),
                vc(
                    "https://p/vat",
                    N,
                    "gx:VatID",
                    json!({"id": "https://p/vat#cs", "gx:vatID": "DE123456789"}),
                ),
                vc(
                    "https://p/tandc",
                    P,
                    "gx:Issuer",
                    json!({"id": "https://p/tandc#cs", "gaiaxTermsAndConditions": GAIAX_TERMS_HASHES[0]}),
                ),
            ],
        }
    }

    fn service() -> ComplianceService {
        let dir = std::env::temp_dir().join(format!("gxa-clearing-{}", uuid::Uuid::new_v4()));
        gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, N, &dir).unwrap();
        let keys = gxa_proof::KeySet::load(&dir).unwrap();
        let key = SigningKey::from_key_set(&keys).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        ComplianceService::new(
            key,
            ComplianceConfig::new("https://c.example", vec![N.into()]),
        )
    }

    fn has(results: &[String], text: &str) -> bool {
        results.iter().any(|r| r.contains(text))
    }

    /// Labels 2 and 3: the certification criteria are shown by certifications of trusted
    /// assessment bodies for the presented offering, each one counted only then; a
    /// certification that does not count is refused by name.
    #[test]
    fn certifications_of_trusted_assessors_show_label_criteria() {
        const CAB: &str = "did:web:cab.example";
        let table = gxa_criteria::Criteria::pinned().unwrap();
        for level in [Level::Label2, Level::Label3] {
            let mut nodes = vec![json!({"type": "gx:LegalDocument",
                "governingLawCountries": ["DE"], "involvedParties": [{"id": "https://p/lp#cs"}]})];
            let mut certifiable = Vec::new();
            for c in table.required(level) {
                if c.requirement(level) == gxa_criteria::Requirement::Certification {
                    certifiable.push(c.id.clone());
                } else {
                    nodes.extend(c.evidence.iter().map(|class| json!({"type": class})));
                }
            }
            let mut p = loire();
            p.credentials.push(vc(
                "https://p/so",
                P,
                "gx:VirtualMachineServiceOffering",
                json!({"id": "https://p/so#cs", "cryptographicSecurityStandards": ["RFC8446"],
                       "aggregationOfResources": nodes}),
            ));
            let certification = |issuer: &str, about: &str, criteria: &[String]| {
                vc(
                    &format!("https://cab.example/{}", uuid::Uuid::new_v4()),
                    issuer,
                    crate::certification::CLASS,
                    json!({"id": about, "certifiedCriteria": criteria}),
                )
            };
            // No certification: every certification criterion is missing, by name.
            let missing = criteria_of(&p, level, &[CAB.to_owned()]).unwrap_err();
            assert_eq!(missing.len(), certifiable.len(), "{level}: {missing:?}");
            assert!(missing[0].contains(&format!("{} needs a certification", level.name())));
            // All of them, but by a body the service does not trust: refused, naming it.
            let mut untrusted = p.clone();
            untrusted.credentials.push(certification(
                "did:web:other.example",
                "https://p/so#cs",
                &certifiable,
            ));
            let refused = criteria_of(&untrusted, level, &[CAB.to_owned()]).unwrap_err();
            assert!(
                has(
                    &refused,
                    "did:web:other.example, which is not a trusted conformity assessment body"
                ),
                "{refused:?}"
            );
            // By the trusted body, but of another offering: refused.
            let mut elsewhere = p.clone();
            elsewhere
                .credentials
                .push(certification(CAB, "https://p/other#cs", &certifiable));
            let refused = criteria_of(&elsewhere, level, &[CAB.to_owned()]).unwrap_err();
            assert!(has(
                &refused,
                "which is not a service offering of this presentation"
            ));
            // By the trusted body for the offering, in two certifications: the level holds, and
            // every certified criterion is validated.
            let (first, second) = certifiable.split_at(certifiable.len() / 2);
            p.credentials
                .push(certification(CAB, "https://p/so#cs", first));
            let still = criteria_of(&p, level, &[CAB.to_owned()]).unwrap_err();
            assert_eq!(still.len(), second.len(), "{still:?}");
            p.credentials
                .push(certification(CAB, "https://p/so#cs", second));
            let validated = criteria_of(&p, level, &[CAB.to_owned()]).unwrap();
            for id in &certifiable {
                let url = &table.get(id).unwrap().url;
                assert!(validated.contains(url), "{level}: {id} not validated");
            }
            // The rules accept the assessment body as an issuer of certifications only.
            assert_eq!(service().rules(&p, Profile::Loire), Vec::<String>::new());
        }
    }

    #[test]
    fn rules_hold_for_a_complete_presentation() {
        assert_eq!(
            service().rules(&loire(), Profile::Loire),
            Vec::<String>::new()
        );
    }

    #[test]
    fn each_rule_names_what_is_missing() {
        let s = service();
        let mut p = loire();
        p.credentials[1].issuer = Some(P.into());
        assert!(has(
            &s.rules(&p, Profile::Loire),
            "which is not a trusted notary"
        ));

        let mut p = loire();
        p.credentials.remove(1);
        assert!(has(
            &s.rules(&p, Profile::Loire),
            "no registration number credential"
        ));

        let mut p = loire();
        p.credentials[1].subjects[0].insert("id".into(), json!("https://p/other#cs"));
        assert!(has(
            &s.rules(&p, Profile::Loire),
            "is not the subject of a trusted notary"
        ));

        let mut p = loire();
        p.credentials[2].subjects[0].insert("gaiaxTermsAndConditions".into(), json!("00"));
        assert!(has(
            &s.rules(&p, Profile::Loire),
            "terms and conditions hashes"
        ));

        let mut p = loire();
        p.credentials[2].issuer = Some("did:web:someone.example".into());
        let r = s.rules(&p, Profile::Loire);
        assert!(
            has(&r, "no gx:Issuer credential issued by the participant"),
            "{r:?}"
        );
        assert!(
            has(&r, "neither the participant nor a trusted notary"),
            "{r:?}"
        );

        let mut p = loire();
        p.holder = Some("did:web:someone.example".into());
        assert!(has(&s.rules(&p, Profile::Loire), "is not the participant"));

        let mut p = loire();
        p.credentials.remove(0);
        assert!(has(
            &s.rules(&p, Profile::Loire),
            "no gx:LegalPerson credential"
        ));

        // A JSON-LD presentation at the v2 endpoint.
        let mut p = loire();
        p.jwt = false;
        assert!(has(
            &s.rules(&p, Profile::Loire),
            "vp+jwt presentation is expected"
        ));
    }

    #[tokio::test]
    async fn label_credential_names_each_input_by_its_digest_and_caps_validity() {
        let s = service();
        let mut p = loire();
        let soon = gxa_credential::now()
            .checked_add(SignedDuration::from_hours(24))
            .unwrap();
        p.credentials[1].document["validUntil"] = json!(soon.to_string());
        let issued = s
            .issue(
                &p,
                Profile::Loire,
                "https://p/compliance",
                gxa_credential::now(),
            )
            .await
            .unwrap();
        assert_eq!(issued.media_type, "application/vc+jwt");
        assert_eq!(
            issued.valid_until, soon,
            "capped at the earliest input validUntil"
        );
        let (header, payload) =
            crate::parse::decode_jwt(std::str::from_utf8(&issued.body).unwrap()).unwrap();
        assert_eq!(header["iss"], N);
        assert_eq!(payload["id"], "https://p/compliance");
        assert_eq!(payload["validUntil"], soon.to_string());
        let entries = payload["credentialSubject"]["gx:compliantCredentials"]
            .as_array()
            .unwrap();
        assert_eq!(entries.len(), 3);
        for (entry, c) in entries.iter().zip(&p.credentials) {
            assert_eq!(entry["id"], c.id.clone().unwrap().as_str());
            assert_eq!(entry["type"], c.gx_type().as_str());
            assert_eq!(
                entry["gx:digestSRI"],
                integrity::sha256_jcs(&c.document).unwrap().as_str()
            );
        }
        assert_eq!(payload["credentialSubject"]["gx:labelLevel"], "SC");
    }

    #[test]
    fn refusals_have_the_documented_shapes() {
        assert_eq!(
            Api::V1.refusal("m", vec!["a".into()]).to_json(),
            json!({"statusCode": 409, "message": {"conforms": false, "results": ["a"]}})
        );
        assert_eq!(
            Api::V2.refusal("m", vec!["a".into()]).to_json(),
            json!({"message": "m", "error": "Bad Request", "statusCode": 400, "errors": ["a"]})
        );
    }

    #[test]
    fn vcids() {
        assert!(is_absolute_iri("https://cloud.example/gx/compliance.jwt"));
        assert!(is_absolute_iri("urn:uuid:1"));
        assert!(!is_absolute_iri("compliance.jwt"));
        assert!(!is_absolute_iri("https://a b"));
        assert!(!is_absolute_iri("1http://x"));
    }
}
