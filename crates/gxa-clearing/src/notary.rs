//! The registration-number notary (as Gaia-X's `gaia-x-notary-registrationnumber` service).
//!
//! * v1 (Tagus): `POST /v1/registrationNumberVC?vcid=` with a JSON-LD
//!   `gx:legalRegistrationNumber` node (`gx:vatID`, `gx:leiCode`, `gx:EORI`, `gx:EUID` or
//!   `gx:taxID`) → a VC 1.1 credential signed with JsonWebSignature2020 (Gaia-X flavour), the
//!   subject completed with `gx:vatID-countryCode`, and `evidence`.
//! * v2 (Loire): `GET /v2/registration-numbers/{vat-id|lei-code|eori|tax-id|country-company-number}/{value}?vcId=&subjectId=`
//!   → a `vc+jwt` whose subject is a `gx:VatID` / `gx:LeiCode` / `gx:EORI` / `gx:TaxID` /
//!   `gx:CountryCompanyNumber` node.
//!
//! `country-company-number` (Loire only; Tagus has no such number) is a number in a
//! country's own register (a German `HRB 12345`, a French SIREN): the 25.11 class
//! `gx:CountryCompanyNumber` holds `gx:countryCode`, `gx:countryCompanyNumber` and optionally
//! `gx:companyNumberQualifier` (the numbering scheme). The Gaia-X notaries list the kind but
//! publish no format for its `{value}`; this one takes `CC:NUMBER` or `CC:QUALIFIER:NUMBER`
//! ([`CountryCompanyNumber::parse`]), URL-encoded as one path segment.
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
    /// `country-company-number`: a number in a country's company register (Loire only).
    CountryCompanyNumber,
}

impl NumberKind {
    /// Every kind, in v2 path names.
    pub const ALL: [NumberKind; 5] = [
        Self::VatId,
        Self::LeiCode,
        Self::Eori,
        Self::TaxId,
        Self::CountryCompanyNumber,
    ];

    /// The v2 path segment (`vat-id`, `lei-code`, `eori`, `tax-id`, `country-company-number`).
    pub fn path(self) -> &'static str {
        match self {
            Self::VatId => "vat-id",
            Self::LeiCode => "lei-code",
            Self::Eori => "eori",
            Self::TaxId => "tax-id",
            Self::CountryCompanyNumber => "country-company-number",
        }
    }

    /// The kind of a v2 path segment.
    pub fn from_path(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.path() == s)
    }

    /// The Tagus property (`gx:vatID`, `gx:leiCode`, `gx:EORI`, `gx:taxID`); `None` for a
    /// kind the Tagus trust framework has no property for.
    pub fn tagus_property(self) -> Option<&'static str> {
        match self {
            Self::VatId => Some("gx:vatID"),
            Self::LeiCode => Some("gx:leiCode"),
            Self::Eori => Some("gx:EORI"),
            Self::TaxId => Some("gx:taxID"),
            Self::CountryCompanyNumber => None,
        }
    }

    /// The Loire class (`gx:VatID`, `gx:LeiCode`, `gx:EORI`, `gx:TaxID`).
    pub fn loire_class(self) -> &'static str {
        match self {
            Self::VatId => "gx:VatID",
            Self::LeiCode => "gx:LeiCode",
            Self::Eori => "gx:EORI",
            Self::TaxId => "gx:TaxID",
            Self::CountryCompanyNumber => "gx:CountryCompanyNumber",
        }
    }

    /// The credential's human-readable `name` (v2).
    fn title(self) -> &'static str {
        match self {
            Self::VatId => "VAT ID",
            Self::LeiCode => "LEI Code",
            Self::Eori => "EORI",
            Self::TaxId => "Tax ID",
            Self::CountryCompanyNumber => "Country Company Number",
        }
    }
}

/// The kinds' path names, comma-separated (for messages).
fn kinds_list() -> String {
    NumberKind::ALL.map(NumberKind::path).join(", ")
}

impl std::str::FromStr for NumberKind {
    type Err = ClearingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_path(s).ok_or_else(|| {
            ClearingError::Config(format!(
                "registration number type {s:?}: one of {}",
                kinds_list()
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
    /// A country company number not of the form `CC:NUMBER` or `CC:QUALIFIER:NUMBER`.
    #[error(
        "country company number {0:?} is not CC:NUMBER or CC:QUALIFIER:NUMBER (CC an ISO 3166-1 \
         alpha-2 code; NUMBER 1 to 64 letters, digits, spaces, '.', '/' or '-'; QUALIFIER 1 to \
         64 letters, digits, spaces, '.', '-' or '_')"
    )]
    CountryCompanyNumberForm(String),
    /// A country company number whose country is not an ISO 3166-1 alpha-2 code of the
    /// Gaia-X ontology.
    #[error(
        "country company number {value:?}: {country:?} is not an ISO 3166-1 alpha-2 country code"
    )]
    UnknownCountry {
        /// The number.
        value: String,
        /// Its country part.
        country: String,
    },
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

/// The ISO 3166-1 alpha-2 codes the 25.11 shapes allow for `gx:countryCode`, sorted (a test
/// compares them with `contexts/gaia-x/shapes/loire-25.11/gx.shacl.ttl`).
pub const COUNTRY_CODES: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// A number in a country's company register, as the notary takes it in its path:
/// `CC:NUMBER` or `CC:QUALIFIER:NUMBER` (e.g. `DE:HRB:12345`, `FR:SIREN:732829320`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryCompanyNumber<'a> {
    /// `gx:countryCode`: ISO 3166-1 alpha-2.
    pub country: &'a str,
    /// `gx:companyNumberQualifier`: the numbering scheme, if given.
    pub qualifier: Option<&'a str>,
    /// `gx:countryCompanyNumber`.
    pub number: &'a str,
}

impl<'a> CountryCompanyNumber<'a> {
    /// Parses `CC:NUMBER` or `CC:QUALIFIER:NUMBER` (surrounding white space ignored).
    pub fn parse(value: &'a str) -> Result<Self, NumberError> {
        let value = value.trim();
        let form = || NumberError::CountryCompanyNumberForm(value.to_owned());
        let mut parts = value.split(':');
        let (Some(country), Some(second)) = (parts.next(), parts.next()) else {
            return Err(form());
        };
        let (qualifier, number) = match (parts.next(), parts.next()) {
            (None, _) => (None, second),
            (Some(number), None) => (Some(second), number),
            (Some(_), Some(_)) => return Err(form()),
        };
        let token = |s: &str, extra: &[char]| {
            let s = s.trim();
            (1..=64).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || extra.contains(&c))
        };
        if country.len() != 2
            || !token(number, &['.', '/', '-'])
            || qualifier.is_some_and(|q| !token(q, &['.', '-', '_']))
        {
            return Err(form());
        }
        if COUNTRY_CODES.binary_search(&country).is_err() {
            return Err(NumberError::UnknownCountry {
                value: value.to_owned(),
                country: country.to_owned(),
            });
        }
        Ok(Self {
            country,
            qualifier: qualifier.map(str::trim),
            number: number.trim(),
        })
    }
}

/// Checks `value` as a number of `kind`; returns the country it names, if any.
pub fn check_number(kind: NumberKind, value: &str) -> Result<Option<String>, NumberError> {
    match kind {
        NumberKind::VatId => check_vat_id(value).map(|c| Some(c.to_owned())),
        NumberKind::LeiCode => check_lei(value).map(|()| None),
        NumberKind::Eori => check_eori(value).map(Some),
        NumberKind::TaxId => check_tax_id(value).map(|()| None),
        NumberKind::CountryCompanyNumber => {
            CountryCompanyNumber::parse(value).map(|n| Some(n.country.to_owned()))
        }
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
            let Some(property) = kind.tagus_property() else {
                continue;
            };
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
                "registration number type {kind:?} is not supported ({})",
                kinds_list()
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
            NumberKind::CountryCompanyNumber => {
                let parsed =
                    CountryCompanyNumber::parse(value).map_err(|e| Ok(bad(e.to_string())))?;
                subject.insert("gx:countryCompanyNumber".into(), json!(parsed.number));
                subject.insert("gx:countryCode".into(), json!(parsed.country));
                if let Some(q) = parsed.qualifier {
                    subject.insert("gx:companyNumberQualifier".into(), json!(q));
                }
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
    fn country_company_numbers() {
        let n = CountryCompanyNumber::parse("DE:HRB:12345").unwrap();
        assert_eq!(
            (n.country, n.qualifier, n.number),
            ("DE", Some("HRB"), "12345")
        );
        let n = CountryCompanyNumber::parse(" FR:732829320 ").unwrap();
        assert_eq!(
            (n.country, n.qualifier, n.number),
            ("FR", None, "732829320")
        );
        let n = CountryCompanyNumber::parse("DE:Amtsgericht_Berlin-Charlottenburg:HRB 12345 B");
        assert_eq!(n.unwrap().number, "HRB 12345 B");
        assert_eq!(
            check_number(NumberKind::CountryCompanyNumber, "NL:KVK:12345678"),
            Ok(Some("NL".to_owned()))
        );
        for bad in ["DE", "DE:", ":123", "DE::1", "DE:a:b:c", "DEU:1", "DE:1;2"] {
            assert!(
                matches!(
                    CountryCompanyNumber::parse(bad),
                    Err(NumberError::CountryCompanyNumberForm(_))
                ),
                "{bad}"
            );
        }
        // Well formed, but XX is no country; EL is VAT's name for Greece, not ISO 3166's; codes
        // are upper case.
        for unknown in ["XX:1", "EL:1", "de:1"] {
            assert!(
                matches!(
                    CountryCompanyNumber::parse(unknown),
                    Err(NumberError::UnknownCountry { .. })
                ),
                "{unknown}"
            );
        }
        let long = format!("DE:{}", "1".repeat(65));
        assert!(CountryCompanyNumber::parse(&long).is_err());
    }

    /// The country codes are those the pinned 25.11 shapes allow for gx:countryCode.
    #[test]
    fn country_codes_are_the_shapes() {
        let shapes = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../contexts/gaia-x/shapes/loire-25.11/gx.shacl.ttl"
        ))
        .unwrap();
        let shape = shapes
            .split("gx:CountryCompanyNumberShape a sh:NodeShape")
            .nth(1)
            .unwrap();
        let list = shape.split("sh:in (").nth(1).unwrap();
        let list = list.split(')').next().unwrap();
        let mut codes: Vec<&str> = list
            .split_whitespace()
            .map(|c| c.trim_matches('"'))
            .collect();
        codes.sort_unstable();
        assert_eq!(codes, COUNTRY_CODES.to_vec());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in NumberKind::ALL {
            assert_eq!(NumberKind::from_path(kind.path()), Some(kind));
        }
        assert!("euid".parse::<NumberKind>().is_err());
    }
}
