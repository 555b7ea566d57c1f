//! The registration-number notary (as Gaia-X's `gaia-x-notary-registrationnumber` service).
//!
//! * v1 (Tagus): `POST /v1/registrationNumberVC?vcid=` with a JSON-LD
//!   `gx:legalRegistrationNumber` node (`gx:vatID`, `gx:leiCode`, `gx:EORI`, `gx:EUID` or
//!   `gx:taxID`) → a VC 1.1 credential signed with JsonWebSignature2020 (Gaia-X flavour), the
//!   subject completed with `gx:vatID-countryCode`, and `evidence`.
//! * v2 (Loire): `GET /v2/registration-numbers/{vat-id|lei-code|eori|tax-id}/{value}?vcId=&subjectId=`
//!   → a `vc+jwt` whose subject is a `gx:VatID` / `gx:LeiCode` / `gx:EORI` / `gx:TaxID` node.
//!
//! **Assumption (no outbound network):** the real notaries ask VIES (VAT), GLEIF (LEI), the EU
//! EOS service (EORI) or OpenCorporates (tax id) whether the number exists. This one only checks
//! the number's *format* locally — VAT: an EU country prefix and that country's pattern; LEI:
//! ISO 17442 form and its ISO 7064 MOD 97-10 check digits; EORI: country prefix and up to 15
//! alphanumerics; tax id: a plausible token — and its `evidence` says so
//! (`gx:evidenceURL` = [`LOCAL_CHECK_EVIDENCE`]). A federation that runs it vouches for its
//! participants by other means.

use gxa_contexts::urls;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use crate::compliance::{GX_DEVELOPMENT, TRUSTFRAMEWORK, is_absolute_iri};
use crate::{ClearingError, Profile, ServiceAnswer, SigningKey};

/// The `gx:evidenceURL` of every notarised number: the check was local, by format.
pub const LOCAL_CHECK_EVIDENCE: &str = "urn:gx-attest:notary:local-format-check";

/// The registration-number kinds, named as in the v2 path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// `vat-id`: an EU VAT identification number.
    VatId,
    /// `lei-code`: an ISO 17442 Legal Entity Identifier.
    LeiCode,
    /// `eori`: an Economic Operators Registration and Identification number.
    Eori,
    /// `tax-id`: a national tax identifier.
    TaxId,
}

impl NumberKind {
    /// Every kind, in v2 path names.
    pub const ALL: [NumberKind; 4] = [Self::VatId, Self::LeiCode, Self::Eori, Self::TaxId];

    /// The v2 path segment (`vat-id`, `lei-code`, `eori`, `tax-id`).
    pub fn path(self) -> &'static str {
        match self {
            Self::VatId => "vat-id",
            Self::LeiCode => "lei-code",
            Self::Eori => "eori",
            Self::TaxId => "tax-id",
        }
    }

    /// The kind of a v2 path segment.
    pub fn from_path(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.path() == s)
    }

    /// The Tagus property (`gx:vatID`, `gx:leiCode`, `gx:EORI`, `gx:taxID`).
    pub fn tagus_property(self) -> &'static str {
        match self {
            Self::VatId => "gx:vatID",
            Self::LeiCode => "gx:leiCode",
            Self::Eori => "gx:EORI",
            Self::TaxId => "gx:taxID",
        }
    }

    /// The Loire class (`gx:VatID`, `gx:LeiCode`, `gx:EORI`, `gx:TaxID`).
    pub fn loire_class(self) -> &'static str {
        match self {
            Self::VatId => "gx:VatID",
            Self::LeiCode => "gx:LeiCode",
            Self::Eori => "gx:EORI",
            Self::TaxId => "gx:TaxID",
        }
    }

    /// The credential's human-readable `name` (v2).
    fn title(self) -> &'static str {
        match self {
            Self::VatId => "VAT ID",
            Self::LeiCode => "LEI Code",
            Self::Eori => "EORI",
            Self::TaxId => "Tax ID",
        }
    }
}

impl std::str::FromStr for NumberKind {
    type Err = ClearingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_path(s).ok_or_else(|| {
            ClearingError::Config(format!(
                "registration number type {s:?}: one of vat-id, lei-code, eori, tax-id"
            ))
        })
    }
}

/// EU VAT country prefixes (Greece is `EL`; `XI` is Northern Ireland) with the pattern of the
/// rest, after the VIES documentation of number formats.
const VAT_PATTERNS: &[(&str, &[&str])] = &[
    ("AT", &["U########"]),
    ("BE", &["0#########", "1#########"]),
    ("BG", &["#########", "##########"]),
    ("CY", &["########A"]),
    ("CZ", &["########", "#########", "##########"]),
    ("DE", &["#########"]),
    ("DK", &["########"]),
    ("EE", &["#########"]),
    ("EL", &["#########"]),
    ("ES", &["X#######X"]),
    ("FI", &["########"]),
    ("FR", &["XX#########"]),
    ("HR", &["###########"]),
    ("HU", &["########"]),
    ("IE", &["#X#####A", "#######A", "#######AA"]),
    ("IT", &["###########"]),
    ("LT", &["#########", "############"]),
    ("LU", &["########"]),
    ("LV", &["###########"]),
    ("MT", &["########"]),
    ("NL", &["#########B##"]),
    ("PL", &["##########"]),
    ("PT", &["#########"]),
    (
        "RO",
        &[
            "##",
            "###",
            "####",
            "#####",
            "######",
            "#######",
            "########",
            "#########",
            "##########",
        ],
    ),
    ("SE", &["############"]),
    ("SI", &["########"]),
    ("SK", &["##########"]),
    ("XI", &["#########", "############", "GD###", "HA###"]),
];

/// Matches `value` against a pattern: `#` a digit, `A` a letter, `X` a letter or digit, `+`
/// and `*` (Irish numbers) as letters; other characters literally.
fn matches_pattern(value: &str, pattern: &str) -> bool {
    value.len() == pattern.len()
        && value.chars().zip(pattern.chars()).all(|(c, p)| match p {
            '#' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            'X' => c.is_ascii_uppercase() || c.is_ascii_digit() || c == '+' || c == '*',
            other => c == other,
        })
}

/// Why a registration number does not have the form of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// A VAT id without an EU VAT country prefix.
    #[error("VAT id {0:?} does not start with an EU VAT country prefix")]
    VatPrefix(String),
    /// A VAT id whose rest does not match its country's forms.
    #[error("VAT id {value:?} does not have the form of a {country} VAT number ({forms})")]
    VatForm {
        /// The number.
        value: String,
        /// Its country prefix.
        country: &'static str,
        /// The forms of that country.
        forms: String,
    },
    /// An LEI that is not 18 upper-case letters or digits and 2 check digits.
    #[error("LEI {0:?} is not 18 upper-case letters or digits followed by 2 check digits")]
    LeiForm(String),
    /// An LEI whose check digits are wrong.
    #[error("LEI {0:?} fails its ISO 7064 MOD 97-10 check digits")]
    LeiCheckDigits(String),
    /// An EORI that is not a country prefix and 1 to 15 letters or digits.
    #[error("EORI {0:?} is not a country prefix followed by 1 to 15 letters or digits")]
    EoriForm(String),
    /// A tax id of other characters or length.
    #[error("tax id {0:?} is not 2 to 64 letters, digits, spaces, '.', '/' or '-'")]
    TaxIdForm(String),
}

/// Checks a VAT number's form; returns its country prefix.
pub fn check_vat_id(value: &str) -> Result<&'static str, NumberError> {
    let value = value.trim();
    let prefix = value.get(..2).unwrap_or("");
    let Some((country, patterns)) = VAT_PATTERNS.iter().find(|(c, _)| *c == prefix) else {
        return Err(NumberError::VatPrefix(value.to_owned()));
    };
    let rest = &value[2..];
    if patterns.iter().any(|p| matches_pattern(rest, p)) {
        Ok(country)
    } else {
        Err(NumberError::VatForm {
            value: value.to_owned(),
            country,
            forms: format!(
                "{country}{}",
                patterns.join(format!(" or {country}").as_str())
            ),
        })
    }
}

/// Checks an LEI: 20 characters, 18 upper-case alphanumerics then two check digits, with
/// ISO 7064 MOD 97-10 (letters as 10…35) giving 1 (ISO 17442).
pub fn check_lei(value: &str) -> Result<(), NumberError> {
    let value = value.trim();
    if value.len() != 20
        || !value
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        || !value[18..].chars().all(|c| c.is_ascii_digit())
    {
        return Err(NumberError::LeiForm(value.to_owned()));
    }
    let mut remainder: u32 = 0;
    for c in value.chars() {
        let Some(n) = c.to_digit(36) else {
            return Err(NumberError::LeiForm(value.to_owned()));
        };
        remainder = if n >= 10 {
            (remainder * 100 + n) % 97
        } else {
            (remainder * 10 + n) % 97
        };
    }
    if remainder == 1 {
        Ok(())
    } else {
        Err(NumberError::LeiCheckDigits(value.to_owned()))
    }
}

/// Checks an EORI: an ISO 3166 country prefix and 1 to 15 upper-case letters or digits;
/// returns the country.
pub fn check_eori(value: &str) -> Result<String, NumberError> {
    let value = value.trim();
    let ok = value.len() >= 3
        && value.len() <= 17
        && value[..2].chars().all(|c| c.is_ascii_uppercase())
        && value[2..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(value[..2].to_owned())
    } else {
        Err(NumberError::EoriForm(value.to_owned()))
    }
}

/// Checks a tax id: 2 to 64 letters, digits, spaces, `.`, `/`, `-`.
pub fn check_tax_id(value: &str) -> Result<(), NumberError> {
    let value = value.trim();
    if (2..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '/' | '-'))
    {
        Ok(())
    } else {
        Err(NumberError::TaxIdForm(value.to_owned()))
    }
}

/// Checks `value` as a number of `kind`; returns the country it names, if any.
pub fn check_number(kind: NumberKind, value: &str) -> Result<Option<String>, NumberError> {
    match kind {
        NumberKind::VatId => check_vat_id(value).map(|c| Some(c.to_owned())),
        NumberKind::LeiCode => check_lei(value).map(|()| None),
        NumberKind::Eori => check_eori(value).map(Some),
        NumberKind::TaxId => check_tax_id(value).map(|()| None),
    }
}

/// The notary's settings.
#[derive(Debug, Clone)]
pub struct NotaryConfig {
    /// Validity of a notarised number (v2 `validUntil`; default 90 days).
    pub validity: SignedDuration,
}

impl Default for NotaryConfig {
    fn default() -> Self {
        Self {
            validity: SignedDuration::from_hours(90 * 24),
        }
    }
}

/// A notarised registration number.
#[derive(Debug, Clone)]
pub struct NotarisedNumber {
    /// Its `id` (the `vcid` / `vcId` asked for).
    pub id: String,
    /// JSON-LD (v1) or the compact JWS (v2).
    pub body: Vec<u8>,
    /// `application/json` (v1) or `application/vc+jwt` (v2).
    pub media_type: &'static str,
}

/// The notary. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Notary {
    key: SigningKey,
    config: NotaryConfig,
}

fn bad(message: String) -> ServiceAnswer {
    ServiceAnswer::V2 {
        status: 400,
        message,
        errors: Vec::new(),
    }
}

impl Notary {
    /// A notary signing with `key`.
    pub fn new(key: SigningKey, config: NotaryConfig) -> Self {
        Self { key, config }
    }

    /// The notary's DID.
    pub fn did(&self) -> &str {
        self.key.did()
    }

    fn evidence(kind_term: &str, now: Timestamp) -> Value {
        json!({
            "gx:evidenceURL": LOCAL_CHECK_EVIDENCE,
            "gx:executionDate": now.to_string(),
            "gx:evidenceOf": kind_term,
        })
    }

    /// v1: `POST /v1/registrationNumberVC?vcid=` with a `gx:legalRegistrationNumber` node.
    /// Errors are the answers to send (400).
    pub async fn v1(
        &self,
        body: &[u8],
        vcid: Option<&str>,
    ) -> Result<NotarisedNumber, Result<ServiceAnswer, ClearingError>> {
        let vcid = match vcid {
            Some(v) if is_absolute_iri(v) => v.to_owned(),
            Some(v) => return Err(Ok(bad(format!("vcid {v:?} is not an absolute URL")))),
            None => return Err(Ok(bad("the query parameter vcid is mandatory".to_owned()))),
        };
        let request: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(o)) => o,
            _ => return Err(Ok(bad("the body is not a JSON object".to_owned()))),
        };
        let Some(subject_id) = request.get("id").and_then(Value::as_str) else {
            return Err(Ok(bad(
                "the body has no id (the registration number's subject id)".to_owned(),
            )));
        };
        if !is_absolute_iri(subject_id) {
            return Err(Ok(bad(format!("id {subject_id:?} is not an absolute IRI"))));
        }
        let types = crate::parse::string_list(request.get("type"));
        if !types.iter().any(|t| t == "gx:legalRegistrationNumber") {
            return Err(Ok(
                bad("type must be gx:legalRegistrationNumber".to_owned()),
            ));
        }
        let mut subject = Map::new();
        subject.insert("type".into(), json!("gx:legalRegistrationNumber"));
        subject.insert("id".into(), json!(subject_id));
        let mut evidence = Vec::new();
        let now = gxa_credential::now();
        let mut found = false;
        for kind in NumberKind::ALL {
            let property = kind.tagus_property();
            let Some(value) = request.get(property) else {
                continue;
            };
            let Some(value) = value.as_str() else {
                return Err(Ok(bad(format!("{property} is not a string"))));
            };
            let country = check_number(kind, value).map_err(|e| Ok(bad(e.to_string())))?;
            found = true;
            subject.insert(property.into(), json!(value.trim()));
            if kind == NumberKind::VatId
                && let Some(country) = country
            {
                subject.insert("gx:vatID-countryCode".into(), json!(country));
            }
            evidence.push(Self::evidence(property, now));
        }
        if request.contains_key("gx:EUID") {
            return Err(Ok(
                bad("gx:EUID is not supported by this notary".to_owned()),
            ));
        }
        if !found {
            return Err(Ok(bad(
                "no registration number: one of gx:vatID, gx:leiCode, gx:EORI, gx:taxID".to_owned(),
            )));
        }
        let doc = json!({
            "@context": [urls::CREDENTIALS_V1, "https://w3id.org/security/suites/jws-2020/v1", TRUSTFRAMEWORK],
            "type": ["VerifiableCredential"],
            "id": vcid,
            "issuer": self.key.did(),
            "issuanceDate": now.to_string(),
            "credentialSubject": subject,
            "evidence": evidence,
        });
        let sealed = crate::on_blocking_pool(&self.key, doc, Profile::Tagus, now)
            .await
            .map_err(Err)?;
        Ok(NotarisedNumber {
            id: vcid,
            body: sealed.body,
            media_type: "application/json",
        })
    }

    /// v2: `GET /v2/registration-numbers/{kind}/{value}?vcId=&subjectId=`.
    pub async fn v2(
        &self,
        kind: &str,
        value: &str,
        vc_id: Option<&str>,
        subject_id: Option<&str>,
    ) -> Result<NotarisedNumber, Result<ServiceAnswer, ClearingError>> {
        let Some(kind) = NumberKind::from_path(kind) else {
            return Err(Ok(bad(format!(
                "registration number type {kind:?} is not supported (vat-id, lei-code, eori, tax-id)"
            ))));
        };
        let (Some(vc_id), Some(subject_id)) = (vc_id, subject_id) else {
            return Err(Ok(bad(
                "the query parameters vcId and subjectId are mandatory".to_owned(),
            )));
        };
        for (name, v) in [("vcId", vc_id), ("subjectId", subject_id)] {
            if !is_absolute_iri(v) {
                return Err(Ok(bad(format!("{name} {v:?} is not an absolute URL"))));
            }
        }
        let country = check_number(kind, value).map_err(|e| Ok(bad(e.to_string())))?;
        let value = value.trim();
        let class = kind.loire_class();
        let mut subject = Map::new();
        subject.insert("id".into(), json!(subject_id));
        subject.insert("type".into(), json!(class));
        match kind {
            NumberKind::VatId => {
                subject.insert("gx:vatID".into(), json!(value));
                if let Some(c) = country {
                    // VIES writes Greece as EL; the Loire shapes expect ISO 3166-1 (GR).
                    let iso = if c == "EL" { "GR".to_owned() } else { c };
                    subject.insert("gx:countryCode".into(), json!(iso));
                }
            }
            NumberKind::LeiCode => {
                subject.insert("schema:leiCode".into(), json!(value));
            }
            NumberKind::Eori => {
                subject.insert("gx:eori".into(), json!(value));
                if let Some(c) = country {
                    subject.insert("gx:country".into(), json!(c));
                }
            }
            NumberKind::TaxId => {
                subject.insert("schema:taxID".into(), json!(value));
            }
        }
        let now = gxa_credential::now();
        let until = now
            .checked_add(self.config.validity)
            .map_err(|e| Err(ClearingError::Config(format!("notary validity: {e}"))))?;
        let doc = json!({
            "@context": [urls::CREDENTIALS_V2, GX_DEVELOPMENT, {"schema": "https://schema.org/"}],
            "type": ["VerifiableCredential", class],
            "id": vc_id,
            "name": kind.title(),
            "issuer": self.key.did(),
            "validFrom": now.to_string(),
            "validUntil": until.to_string(),
            "credentialSubject": subject,
            "evidence": Self::evidence(class, now),
        });
        let sealed = crate::on_blocking_pool(&self.key, doc, Profile::Loire, now)
            .await
            .map_err(Err)?;
        Ok(NotarisedNumber {
            id: vc_id.to_owned(),
            body: sealed.body,
            media_type: "application/vc+jwt",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lei_check_digits() {
        // GLEIF's own LEI and the example provider's.
        assert_eq!(check_lei("5493001KJTIIGC8Y1R12"), Ok(()));
        assert_eq!(check_lei("529900T8BM49AURSDO55"), Ok(()));
        // One changed character, swapped check digits.
        assert!(check_lei("5493001KJTIIGC8Y1R13").is_err());
        assert!(check_lei("529900T8BM49AURSDO45").is_err());
        assert!(check_lei("529900T8BM49AURSDO5").is_err());
        assert!(check_lei("529900t8bm49aursdo55").is_err());
        assert!(check_lei("529900T8BM49AURSDOX5").is_err());
    }

    #[test]
    fn vat_ids() {
        assert_eq!(check_vat_id("DE123456789"), Ok("DE"));
        assert_eq!(check_vat_id("BE0762747721"), Ok("BE"));
        assert_eq!(check_vat_id("FRXX123456789"), Ok("FR"));
        assert_eq!(check_vat_id("NL123456789B01"), Ok("NL"));
        assert_eq!(check_vat_id("ATU12345678"), Ok("AT"));
        assert_eq!(check_vat_id("EL123456789"), Ok("EL"));
        assert!(check_vat_id("DE12345678").is_err(), "8 digits");
        assert!(check_vat_id("BE2762747721").is_err(), "BE starts 0 or 1");
        assert!(check_vat_id("US123456789").is_err(), "not an EU prefix");
        assert!(check_vat_id("GR123456789").is_err(), "Greece is EL");
        assert!(check_vat_id("").is_err());
        assert!(check_vat_id("D").is_err());
    }

    #[test]
    fn eori_and_tax_ids() {
        assert_eq!(check_eori("DE1234567890123"), Ok("DE".to_owned()));
        assert!(check_eori("DE").is_err());
        assert!(check_eori("DE12345678901234567").is_err());
        assert!(check_eori("de123").is_err());
        assert!(check_tax_id("12/345/67890").is_ok());
        assert!(check_tax_id("x").is_err());
        assert!(check_tax_id("12;34").is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in NumberKind::ALL {
            assert_eq!(NumberKind::from_path(kind.path()), Some(kind));
        }
        assert!("euid".parse::<NumberKind>().is_err());
    }
}
