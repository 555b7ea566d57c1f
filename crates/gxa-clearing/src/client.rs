//! The participant's side of the round trip ([`ClearingClient`]).
//!
//! 1. **Registration number** ([`ClearingClient::registration`]): asks the configured notary
//!    (v2 `GET …/v2/registration-numbers/{kind}/{value}?vcId=&subjectId=` for Loire, v1
//!    `POST …/v1/registrationNumberVC?vcid=` for Tagus) for a credential about the registration
//!    number the participant's own credential references (`subjectId` = that node's id), with
//!    an id of our own base URL; verifies it with [`gxa_verify`] and stores it in the slot
//!    `clearing/{participant}/registration/{profile}` so that it is served at that id. A stored
//!    one is reused while it is valid beyond the renewal window.
//! 2. **Presentation** ([`ClearingClient::presentation`]): the participant's current,
//!    unrevoked, unexpired credentials of the profile (as `gxa_issuer::Issuer::presentation`
//!    takes them from the store slots), **without** the self-issued registration numbers and
//!    without earlier compliance credentials (Tagus: only the credentials a Tagus clearing
//!    house takes, `gxa_credential::trust_framework`), **plus** the notary's credential; Tagus adds a
//!    `gx:GaiaXTermsAndConditions` credential (the 22.10 text) signed by the participant when
//!    none is stored (the inventory mapping has no Tagus T&C). Signed by the participant:
//!    Loire `vp+jwt` of enveloped credentials, Tagus JSON-LD with JsonWebSignature2020.
//!    (`Issuer::presentation` is not reused: it takes every slot, the self-issued numbers
//!    included, and its key is private to the issuer.)
//! 3. **Submission** ([`ClearingClient::submit`]): `POST {compliance}/v2/api/credential-offers/
//!    standard-compliance?vcid=…` (`application/vp+jwt`) or `POST {compliance}/v1/api/
//!    credential-offers?vcid=…` (JSON-LD). The answer must verify (online, configured trust
//!    anchors), carry the `vcid` asked for, and name every presented credential with the right
//!    hash (`gx:integrity` / `gx:digestSRI`, recomputed here); it is then stored in the slot
//!    `clearing/{participant}/compliance/{profile}`: served at its id, a URL under our base
//!    URL, with the compliance service's DID as issuer.
//! 4. **Renewal** ([`ClearingClient::renew_due`], run periodically by the service): a
//!    profile whose compliance credential is missing, revoked, or ends within the renewal
//!    window is submitted again, by one replica at a time (store lease [`CLEARING_LEASE`]).
//!
//! HTTP: reqwest over rustls (aws-lc-rs, Mozilla roots plus configured extra roots), no proxy,
//! no redirects, connect and total time-outs, a response size limit, https only unless
//! [`HttpOptions::allow_http`]. 5xx, 429 (honouring `Retry-After`), time-outs and connection
//! errors are retried with exponential backoff; a 4xx is not retried and becomes
//! [`ClearingError::Rejected`] carrying the service's answer.

use std::sync::Arc;
use std::time::Duration;

use gxa_contexts::urls;
use gxa_store::{CredentialFormat, NewCredential, Store, StoreError, StoredCredential};
use gxa_verify::Verifier;
use jiff::{SignedDuration, Timestamp};
use reqwest::Url;
use rustls_pki_types::CertificateDer;
use serde_json::{Map, Value, json};

use crate::compliance::{LOIRE_REGISTRATION_TYPES, TRUSTFRAMEWORK};
use crate::notary::NumberKind;
use crate::parse::{PresentedCredential, gx_prop, node_ids, parse_presentation, string_list};
use crate::{ClearingError, Profile, ServiceAnswer, SigningKey, integrity};

/// The store lease the renewal scheduler runs under (one replica at a time).
pub const CLEARING_LEASE: &str = "clearing";

/// How long one renewal run may hold the lease.
const LEASE_TTL: Duration = Duration::from_secs(600);

/// The Gaia-X terms and conditions text of 22.10 (Tagus `gx:termsAndConditions`), as the
/// Gaia-X wizard signs it (its claim-compliance-provider example,
/// `end2end-termsAndConditions.json`).
pub const GAIAX_TERMS_22_10: &str = include_str!("gaiax-terms-22.10.txt");

/// HTTP client settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Time to connect.
    pub connect_timeout: Duration,
    /// Time for one request (sending, waiting, reading the answer).
    pub timeout: Duration,
    /// Largest accepted answer.
    pub max_response_bytes: usize,
    /// Allow `http://` service URLs (tests only).
    pub allow_http: bool,
    /// TLS roots trusted besides the Mozilla set (a private PKI, a test CA).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Attempts per request (1 = no retry).
    pub attempts: u32,
    /// The first backoff; doubled per attempt up to [`HttpOptions::max_backoff`].
    pub backoff: Duration,
    /// The longest wait between attempts (also caps `Retry-After`).
    pub max_backoff: Duration,
}

impl Default for HttpOptions {
    /// 5 s to connect, 60 s per request (compliance services verify whole presentations),
    /// 4 MiB answers, https only, 5 attempts, 1 s backoff doubling up to 60 s.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
            max_response_bytes: 4 * 1024 * 1024,
            allow_http: false,
            extra_roots: Vec::new(),
            attempts: 5,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// The client's settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The store subject whose credentials are presented (the participant).
    pub participant: String,
    /// Our public base URL; credential ids we choose are `{base_url}/credentials/{uuid}`.
    pub base_url: String,
    /// The compliance service's base URL (before `/v1/api/…`, `/v2/api/…`).
    pub compliance_url: String,
    /// The compliance service's DID, if it must be a particular one.
    pub compliance_did: Option<String>,
    /// Further clearing houses (base URL, and the DID its answers must carry, if a particular
    /// one), asked in order when the ones before are unavailable (5xx, 429 or time-outs after
    /// every retry). A refusal (4xx) is an answer, not a failure: it is not taken elsewhere.
    pub fallbacks: Vec<(String, Option<String>)>,
    /// The notary's base URL (before `/v1/registrationNumberVC`, `/v2/registration-numbers`).
    pub notary_url: String,
    /// The registration number to notarise: its kind and value.
    pub registration: (NumberKind, String),
    /// Profiles to obtain a compliance credential in.
    pub profiles: Vec<Profile>,
    /// A Gaia-X registry whose `POST /v2/api/trustAnchor/chain/file` the pre-flight asks about
    /// the participant's chain (none: that check is skipped).
    pub registry_url: Option<String>,
    /// The Loire compliance level to ask for (`standard-compliance`, `label-level-1` … `-3`);
    /// Tagus is standard compliance only.
    pub level: gxa_criteria::Level,
    /// A compliance credential ending within this window is renewed (default 14 days).
    pub renewal_window: SignedDuration,
    /// Certifications of compliance criteria by conformity assessment bodies (compact VC-JWTs,
    /// [`crate::certification`]), presented with the Loire credentials: the evidence labels 2
    /// and 3 ask for.
    pub certifications: Vec<String>,
    /// HTTP settings.
    pub http: HttpOptions,
}

/// What one submission obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The profile.
    pub profile: Profile,
    /// The stored compliance credential's id (the `vcid` we chose).
    pub credential_id: String,
    /// The compliance service's DID (its issuer).
    pub issuer: String,
    /// Its end of validity.
    pub valid_until: Option<Timestamp>,
    /// The compliance credential it replaces, if any.
    pub replaces: Option<String>,
    /// The notary's registration-number credential presented.
    pub registration_id: String,
    /// The presented credentials' ids.
    pub presented: Vec<String>,
}

/// What a renewal run did.
#[derive(Debug, Default)]
pub struct RenewalSummary {
    /// Submissions made.
    pub renewed: Vec<Submitted>,
    /// Profiles whose renewal failed, with the error.
    pub failed: Vec<(Profile, String)>,
    /// Another replica holds the lease; nothing was done.
    pub skipped_lease_held: bool,
}

/// The participant's clearing-house client. Cheap to clone.
#[derive(Clone)]
pub struct ClearingClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ClearingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClearingClient")
            .field("participant", &self.inner.config.participant)
            .field("compliance_url", &self.inner.config.compliance_url)
            .finish_non_exhaustive()
    }
}

struct Inner {
    config: ClientConfig,
    store: Store,
    key: SigningKey,
    verifier: Verifier,
    http: reqwest::Client,
    holder: String,
}

/// A slot name from parts, each percent-encoded (as gxa-issuer names its slots).
fn slot_name(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.replace('%', "%25").replace('/', "%2F"))
        .collect::<Vec<_>>()
        .join("/")
}

/// The `type` list stored with a credential: its own types, then its subjects'.
fn stored_types(doc: &Value) -> Vec<String> {
    let mut types = string_list(doc.get("type"));
    let subjects = match doc.get("credentialSubject") {
        Some(Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    for s in &subjects {
        for t in string_list(s.get("type")) {
            if !types.contains(&t) {
                types.push(t);
            }
        }
    }
    if types.is_empty() {
        types.push("VerifiableCredential".to_owned());
    }
    types
}

fn is_registration_type(t: &str) -> bool {
    t == "gx:legalRegistrationNumber" || LOIRE_REGISTRATION_TYPES.contains(&t)
}

fn timestamp_of(doc: &Value, keys: &[&str]) -> Option<Timestamp> {
    keys.iter()
        .find_map(|k| doc.get(*k).and_then(Value::as_str))
        .and_then(|t| t.parse().ok())
}

/// The document inside a stored credential (JSON-LD as stored, or the JWT payload).
fn document_of(credential: &StoredCredential) -> Result<Value, ClearingError> {
    gxa_credential::document(credential.format, &credential.body)
        .map_err(|e| ClearingError::Internal(format!("stored credential {}: {e}", credential.id)))
}

/// A seconds value of a `Retry-After` header (the HTTP-date form is not honoured: the backoff
/// applies).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// One answer read within the size limit.
struct Answer {
    body: Vec<u8>,
}

impl ClearingClient {
    /// A client storing into `store`, signing with `key` (the participant's key set), verifying
    /// answers with `verifier`.
    pub fn new(
        store: Store,
        key: SigningKey,
        verifier: Verifier,
        mut config: ClientConfig,
    ) -> Result<Self, ClearingError> {
        for url in [
            &mut config.base_url,
            &mut config.compliance_url,
            &mut config.notary_url,
        ] {
            while url.ends_with('/') {
                url.pop();
            }
        }
        for (what, url) in [
            ("compliance URL", &config.compliance_url),
            ("notary URL", &config.notary_url),
        ] {
            let parsed = Url::parse(url)
                .map_err(|e| ClearingError::Config(format!("{what} {url:?}: {e}")))?;
            match parsed.scheme() {
                "https" => {}
                "http" if config.http.allow_http => {}
                other => {
                    return Err(ClearingError::Config(format!(
                        "{what} {url:?}: scheme {other} (https only{})",
                        if other == "http" {
                            "; allow_http is for tests"
                        } else {
                            ""
                        }
                    )));
                }
            }
        }
        if config.profiles.is_empty() {
            return Err(ClearingError::Config("no profile to clear".to_owned()));
        }
        let tls = gxa_fetch::client_tls(&config.http.extra_roots).map_err(ClearingError::Config)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.http.connect_timeout)
            .timeout(config.http.timeout)
            .user_agent(concat!("gx-attest/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClearingError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                key,
                verifier,
                http,
                holder: format!("clearing-{}", uuid::Uuid::new_v4()),
            }),
        })
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    fn new_id(&self) -> String {
        format!(
            "{}/credentials/{}",
            self.inner.config.base_url,
            uuid::Uuid::new_v4()
        )
    }

    fn slot(&self, what: &str, profile: Profile) -> String {
        slot_name(&[
            "clearing",
            &self.inner.config.participant,
            what,
            profile.as_str(),
        ])
    }

    /// One request with retries (see the module documentation).
    async fn send(
        &self,
        service: &'static str,
        method: reqwest::Method,
        url: Url,
        body: Option<(&'static str, Vec<u8>)>,
        accept: &str,
    ) -> Result<Answer, ClearingError> {
        let http = &self.inner.config.http;
        let attempts = http.attempts.max(1);
        let mut backoff = http.backoff;
        let mut last = String::new();
        for attempt in 1..=attempts {
            let mut request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header(reqwest::header::ACCEPT, accept);
            if let Some((content_type, bytes)) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, *content_type)
                    .body(bytes.clone());
            }
            let mut wait = backoff;
            match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let hinted = retry_after(response.headers());
                    match self.read_limited(response).await {
                        Ok(answer) if (200..300).contains(&status) => return Ok(answer),
                        Ok(answer) if status == 429 || status >= 500 => {
                            last = ServiceAnswer::parse(status, &answer.body).to_string();
                            if let Some(hint) = hinted {
                                wait = hint;
                            }
                        }
                        Ok(answer) => {
                            return Err(ClearingError::Rejected {
                                service,
                                url: url.to_string(),
                                answer: ServiceAnswer::parse(status, &answer.body),
                            });
                        }
                        Err(ReadError::TooLarge) => {
                            return Err(ClearingError::BadAnswer {
                                service,
                                reason: format!(
                                    "the answer is larger than {} bytes",
                                    http.max_response_bytes
                                ),
                            });
                        }
                        Err(ReadError::Transport(e)) => last = format!("reading the answer: {e}"),
                    }
                }
                Err(e) => {
                    last = if e.is_timeout() {
                        format!("timed out after {:?}", http.timeout)
                    } else if e.is_connect() {
                        format!("could not connect: {e}")
                    } else {
                        e.to_string()
                    };
                }
            }
            if attempt < attempts {
                let wait = wait.min(http.max_backoff);
                tracing::warn!(service, url = %url, attempt, error = %last, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(http.max_backoff);
            }
        }
        Err(ClearingError::Unavailable {
            service,
            url: url.to_string(),
            attempts,
            last,
        })
    }

    async fn read_limited(&self, mut response: reqwest::Response) -> Result<Answer, ReadError> {
        let limit = self.inner.config.http.max_response_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(ReadError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
            if body.len() + chunk.len() > limit {
                return Err(ReadError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { body })
    }

    /// Verifies a credential the notary or the compliance service sent; its document.
    async fn verified(&self, service: &'static str, text: &str) -> Result<Value, ClearingError> {
        let report = self.inner.verifier.verify(text, Timestamp::now()).await;
        if !report.is_valid() {
            return Err(ClearingError::BadAnswer {
                service,
                reason: format!(
                    "the credential does not verify ({}): {}",
                    report.verdict.name(),
                    report.problems().join("; ")
                ),
            });
        }
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            serde_json::from_str(trimmed).map_err(|e| ClearingError::BadAnswer {
                service,
                reason: format!("not JSON: {e}"),
            })
        } else {
            Ok(crate::parse::decode_jwt(trimmed)?.1)
        }
    }

    /// Stores a received credential into `slot` as the participant's; returns the stored
    /// reference and what it replaced.
    async fn store_received(
        &self,
        slot: &str,
        profile: Profile,
        doc: &Value,
        body: Vec<u8>,
        format: CredentialFormat,
    ) -> Result<(String, Option<String>), ClearingError> {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let issuer = node_ids(doc.get("issuer"))
            .into_iter()
            .next()
            .unwrap_or_default();
        let now = gxa_credential::now();
        let valid_from = timestamp_of(doc, &["validFrom", "issuanceDate"]).unwrap_or(now);
        let new = NewCredential {
            id: id.clone(),
            types: stored_types(doc),
            subject: self.inner.config.participant.clone(),
            issuer,
            profile: profile.as_str().to_owned(),
            format,
            body,
            canonical_hash: None,
            issued_at: now,
            valid_from,
            valid_until: timestamp_of(doc, &["validUntil", "expirationDate"]),
            status: None,
            evidence: None,
        };
        let store = &self.inner.store;
        for _ in 0..8 {
            let current = store.current_in_slot(slot).await?;
            let expected = current.as_ref().map(|c| c.id.as_str());
            match store.issue_in_slot(slot, expected, &new).await {
                Ok(entry) => return Ok((id, entry.previous)),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ClearingError::Internal(format!(
            "slot {slot} kept moving while storing {id}"
        )))
    }

    /// The participant's current credentials of `profile`, by slot.
    async fn current_credentials(
        &self,
        profile: Profile,
    ) -> Result<Vec<(String, StoredCredential)>, ClearingError> {
        let now = Timestamp::now();
        Ok(self
            .inner
            .store
            .slots_of_subject(&self.inner.config.participant)
            .await?
            .into_iter()
            .filter(|(_, c)| {
                c.profile == profile.as_str()
                    && c.revoked_at.is_none()
                    && c.valid_until.is_none_or(|until| until > now)
            })
            .collect())
    }

    /// The subject id the participant's credential uses for its registration number of
    /// `kind`: the subject of the self-issued number of that kind, else the first number the
    /// participant references.
    async fn registration_subject(&self, profile: Profile) -> Result<String, ClearingError> {
        let (kind, _) = &self.inner.config.registration;
        let own = self.inner.key.did();
        let mut referenced = Vec::new();
        for (_, c) in self.current_credentials(profile).await? {
            let doc = document_of(&c)?;
            let p = parse_presentation(&json!({"verifiableCredential": [doc]}).to_string())?;
            let Some(credential) = p.credentials.into_iter().next() else {
                continue;
            };
            let self_issued = credential.issuer.as_deref() == Some(own);
            let matches_kind = match profile {
                Profile::Loire => credential.has_type(kind.loire_class()),
                Profile::Tagus => {
                    credential.has_type("gx:legalRegistrationNumber")
                        && credential
                            .subjects
                            .iter()
                            .any(|s| kind.tagus_property().is_some_and(|p| s.contains_key(p)))
                }
            };
            if self_issued
                && matches_kind
                && let Some(id) = credential
                    .subjects
                    .first()
                    .and_then(|s| s.get("id"))
                    .and_then(Value::as_str)
            {
                return Ok(id.to_owned());
            }
            let (participant, reference) = match profile {
                Profile::Tagus => ("gx:LegalParticipant", "legalRegistrationNumber"),
                Profile::Loire => ("gx:LegalPerson", "registrationNumber"),
            };
            if credential.has_type(participant) {
                referenced.extend(
                    credential
                        .subjects
                        .iter()
                        .flat_map(|s| node_ids(gx_prop(s, reference))),
                );
            }
        }
        referenced.into_iter().next().ok_or_else(|| {
            ClearingError::NothingToPresent(format!(
                "participant {}: no {} participant credential referencing a registration number \
                 (submit the inventory first)",
                self.inner.config.participant,
                profile.as_str()
            ))
        })
    }

    /// The notary's registration-number credential for `profile`: the stored one while it is
    /// valid beyond the renewal window, else a new one from the notary (verified and stored).
    pub async fn registration(&self, profile: Profile) -> Result<StoredCredential, ClearingError> {
        let slot = self.slot("registration", profile);
        let store = &self.inner.store;
        let horizon = Timestamp::now()
            .checked_add(self.inner.config.renewal_window)
            .unwrap_or_else(|_| Timestamp::now());
        if let Some(current) = store.current_in_slot(&slot).await?
            && current.revoked_at.is_none()
            && current.valid_until.is_none_or(|until| until > horizon)
        {
            return Ok(current);
        }
        let subject_id = self.registration_subject(profile).await?;
        let vc_id = self.new_id();
        let (kind, value) = &self.inner.config.registration;
        let notary = &self.inner.config.notary_url;
        let bad_url = |e: String| ClearingError::Config(format!("notary URL: {e}"));
        let answer = match profile {
            Profile::Loire => {
                let mut url = Url::parse(notary).map_err(|e| bad_url(e.to_string()))?;
                url.path_segments_mut()
                    .map_err(|()| bad_url("not a base URL".to_owned()))?
                    .pop_if_empty()
                    .extend(["v2", "registration-numbers", kind.path(), value.as_str()]);
                url.query_pairs_mut()
                    .append_pair("vcId", &vc_id)
                    .append_pair("subjectId", &subject_id);
                self.send(
                    "notary",
                    reqwest::Method::GET,
                    url,
                    None,
                    "application/vc+jwt, application/jwt",
                )
                .await?
            }
            Profile::Tagus => {
                let mut url = Url::parse(notary).map_err(|e| bad_url(e.to_string()))?;
                url.path_segments_mut()
                    .map_err(|()| bad_url("not a base URL".to_owned()))?
                    .pop_if_empty()
                    .extend(["v1", "registrationNumberVC"]);
                url.query_pairs_mut().append_pair("vcid", &vc_id);
                let mut request = Map::new();
                request.insert("@context".into(), json!([TRUSTFRAMEWORK]));
                request.insert("type".into(), json!("gx:legalRegistrationNumber"));
                request.insert("id".into(), json!(subject_id));
                let Some(property) = kind.tagus_property() else {
                    return Err(ClearingError::Config(format!(
                        "registration number type {} has no Tagus form: a Tagus notary takes \
                         vat-id, lei-code, eori or tax-id",
                        kind.path()
                    )));
                };
                request.insert(property.into(), json!(value));
                let body = serde_json::to_vec(&Value::Object(request))
                    .map_err(|e| ClearingError::Internal(e.to_string()))?;
                self.send(
                    "notary",
                    reqwest::Method::POST,
                    url,
                    Some(("application/json", body)),
                    "application/json, application/vc+ld+json",
                )
                .await?
            }
        };
        let text = String::from_utf8(answer.body).map_err(|_| ClearingError::BadAnswer {
            service: "notary",
            reason: "the answer is not UTF-8".to_owned(),
        })?;
        let doc = self.verified("notary", &text).await?;
        let presented =
            parse_presentation(&json!({"verifiableCredential": [doc.clone()]}).to_string())?;
        let ok_id = doc.get("id").and_then(Value::as_str) == Some(vc_id.as_str());
        let ok_subject = presented.credentials.iter().any(|c| {
            c.subjects
                .iter()
                .any(|s| s.get("id").and_then(Value::as_str) == Some(subject_id.as_str()))
        });
        if !ok_id || !ok_subject {
            return Err(ClearingError::BadAnswer {
                service: "notary",
                reason: format!(
                    "the credential is not the one asked for (id {vc_id}, subject {subject_id})"
                ),
            });
        }
        let format = match profile {
            Profile::Loire => CredentialFormat::Jwt,
            Profile::Tagus => CredentialFormat::JsonLd,
        };
        let body = text.trim().as_bytes().to_vec();
        let (id, _) = self
            .store_received(&slot, profile, &doc, body, format)
            .await?;
        tracing::info!(credential = %id, profile = profile.as_str(), "stored the notary's registration-number credential");
        store.get_credential(&id).await.map_err(ClearingError::from)
    }

    /// The Tagus terms-and-conditions credential signed by the participant (stored once).
    async fn tagus_terms(&self) -> Result<StoredCredential, ClearingError> {
        let slot = self.slot("terms", Profile::Tagus);
        if let Some(current) = self.inner.store.current_in_slot(&slot).await?
            && current.revoked_at.is_none()
        {
            return Ok(current);
        }
        let id = self.new_id();
        let now = gxa_credential::now();
        let doc = json!({
            "@context": [urls::CREDENTIALS_V1, "https://w3id.org/security/suites/jws-2020/v1", TRUSTFRAMEWORK],
            "type": ["VerifiableCredential"],
            "id": id,
            "issuer": self.inner.key.did(),
            "issuanceDate": now.to_string(),
            "credentialSubject": {
                "type": "gx:GaiaXTermsAndConditions",
                "id": format!("{id}#cs"),
                "gx:termsAndConditions": GAIAX_TERMS_22_10,
            },
        });
        let sealed = crate::on_blocking_pool(&self.inner.key, doc, Profile::Tagus, now).await?;
        let doc: Value = serde_json::from_slice(&sealed.body)
            .map_err(|e| ClearingError::Internal(format!("a sealed Tagus credential: {e}")))?;
        let (id, _) = self
            .store_received(
                &slot,
                Profile::Tagus,
                &doc,
                sealed.body,
                CredentialFormat::JsonLd,
            )
            .await?;
        Ok(self.inner.store.get_credential(&id).await?)
    }

    /// The signed presentation to submit in `profile` (see the module documentation), with
    /// the notary's credential. Returns the presentation's text and the registration
    /// credential's id.
    pub async fn presentation(&self, profile: Profile) -> Result<(String, String), ClearingError> {
        let registration = self.registration(profile).await?;
        self.presentation_with(profile, Some(&registration)).await
    }

    /// [`ClearingClient::presentation`] with a given registration credential (or none, to show
    /// what a compliance service says without one).
    pub async fn presentation_with(
        &self,
        profile: Profile,
        registration: Option<&StoredCredential>,
    ) -> Result<(String, String), ClearingError> {
        let own = self.inner.key.did().to_owned();
        let mut credentials: Vec<StoredCredential> = Vec::new();
        let compliance_slot = self.slot("compliance", profile);
        let registration_slot = self.slot("registration", profile);
        for (slot, c) in self.current_credentials(profile).await? {
            if slot == compliance_slot || slot == registration_slot {
                continue;
            }
            if c.issuer == own && c.types.iter().any(|t| is_registration_type(t)) {
                continue;
            }
            if profile == Profile::Tagus
                && !gxa_credential::trust_framework::fits_clearing_presentation(
                    &c.types,
                    c.status.is_some(),
                )
            {
                continue;
            }
            credentials.push(c);
        }
        if credentials.is_empty() {
            return Err(ClearingError::NothingToPresent(format!(
                "participant {} has no current {} credential",
                self.inner.config.participant,
                profile.as_str()
            )));
        }
        if profile == Profile::Tagus
            && !credentials
                .iter()
                .any(|c| c.types.iter().any(|t| t == "gx:GaiaXTermsAndConditions"))
        {
            credentials.push(self.tagus_terms().await?);
        }
        if let Some(r) = registration {
            credentials.push(r.clone());
        }
        let mut entries = Vec::new();
        if profile == Profile::Loire {
            for jwt in &self.inner.config.certifications {
                entries.push(json!({
                    "@context": urls::CREDENTIALS_V2,
                    "id": format!("data:application/vc+jwt,{jwt}"),
                    "type": "EnvelopedVerifiableCredential",
                }));
            }
        }
        for c in &credentials {
            entries.push(match c.format {
                CredentialFormat::Jwt => {
                    let jwt = std::str::from_utf8(&c.body).map_err(|_| {
                        ClearingError::Internal(format!("stored JWT {} is not UTF-8", c.id))
                    })?;
                    json!({
                        "@context": urls::CREDENTIALS_V2,
                        "id": format!("data:application/vc+jwt,{jwt}"),
                        "type": "EnvelopedVerifiableCredential",
                    })
                }
                _ => document_of(c)?,
            });
        }
        let context = match profile {
            Profile::Tagus => json!([urls::CREDENTIALS_V1]),
            Profile::Loire => json!([urls::CREDENTIALS_V2]),
        };
        let vp = json!({
            "@context": context,
            "id": format!("{}/participants/{}/presentation", self.inner.config.base_url, self.inner.config.participant),
            "type": ["VerifiablePresentation"],
            "holder": own,
            "verifiableCredential": entries,
        });
        let sealed =
            crate::on_blocking_pool(&self.inner.key, vp, profile, gxa_credential::now()).await?;
        let text = String::from_utf8(sealed.body)
            .map_err(|e| ClearingError::Internal(format!("a sealed presentation: {e}")))?;
        Ok((text, registration.map(|r| r.id.clone()).unwrap_or_default()))
    }

    /// Runs the clearing house's checks on what [`ClearingClient::submit`] would send in
    /// `profile` (without asking the notary), see [`crate::preflight`], for `level` (`None`:
    /// the configured one). `local`: the key set's own DID document and `x5u` chain, read
    /// instead of fetching them (offline); `None`: the DID document, the chain and the registry
    /// are asked over https.
    pub async fn preflight(
        &self,
        profile: Profile,
        level: Option<gxa_criteria::Level>,
        local: Option<(&Value, Option<&[u8]>)>,
    ) -> Result<crate::preflight::Report, ClearingError> {
        let (presentation, _) = self.presentation_with(profile, None).await?;
        let credentials: Vec<Value> = parse_presentation(&presentation)?
            .credentials
            .into_iter()
            .map(|c| c.document)
            .collect();
        let method = self.inner.key.method().to_owned();
        let did = self.inner.key.did().to_owned();
        let (did_document, resolution) = match local {
            Some((doc, _)) => (doc.clone(), None),
            None => match self.fetch_did_document(&did).await {
                Ok((doc, url)) => (doc, Some(Ok(url))),
                Err(why) => (Value::Null, Some(Err(why))),
            },
        };
        let x5u = gxa_proof::method_in(&did_document, &did, &method)
            .and_then(|m| m.get("publicKeyJwk"))
            .and_then(|j| j.get("x5u"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let chain = match (local, &x5u) {
            (Some((_, Some(pem))), _) => Ok(pem.to_vec()),
            (Some((_, None)), _) => Err("the key set has no local copy of the chain".to_owned()),
            (None, Some(url)) => self.fetch_text("x5u", url).await,
            (None, None) => Err("no x5u to fetch".to_owned()),
        };
        let registry = match (&self.inner.config.registry_url, &x5u, local) {
            (Some(base), Some(uri), None) => Some(self.registry_verdict(base, uri).await),
            (Some(_), None, None) => Some(Err("no x5u to ask the registry about".to_owned())),
            _ => None,
        };
        let (kind, number) = &self.inner.config.registration;
        Ok(crate::preflight::evaluate(&crate::preflight::Inputs {
            profile,
            level: level.unwrap_or(self.inner.config.level),
            method: &method,
            did_document: &did_document,
            resolution,
            chain,
            registry,
            registration: (*kind, number),
            credentials: &credentials,
            at: gxa_credential::now(),
        }))
    }

    /// The did:web document of `did` over https, with its URL.
    async fn fetch_did_document(&self, did: &str) -> Result<(Value, String), String> {
        let url = gxa_proof::did_web_to_url(did).map_err(|e| e.to_string())?;
        let text = self.fetch_text("did:web", &url).await?;
        let doc = serde_json::from_slice(&text)
            .map_err(|e| format!("{url}: not a JSON DID document: {e}"))?;
        Ok((doc, url))
    }

    /// A GET with the client's limits and retries; the answer's bytes or why not.
    async fn fetch_text(&self, service: &'static str, url: &str) -> Result<Vec<u8>, String> {
        let parsed = Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        self.send(service, reqwest::Method::GET, parsed, None, "*/*")
            .await
            .map(|a| a.body)
            .map_err(|e| e.to_string())
    }

    /// The registry's answer to `POST {base}/v2/api/trustAnchor/chain/file {"uri"}`.
    async fn registry_verdict(&self, base: &str, uri: &str) -> Result<bool, String> {
        let mut url = Url::parse(base).map_err(|e| format!("registry URL: {e}"))?;
        url.path_segments_mut()
            .map_err(|()| "registry URL: not a base URL".to_owned())?
            .pop_if_empty()
            .extend(["v2", "api", "trustAnchor", "chain", "file"]);
        let body = serde_json::json!({ "uri": uri }).to_string().into_bytes();
        match self
            .send(
                "registry",
                reqwest::Method::POST,
                url,
                Some(("application/json", body)),
                "application/json",
            )
            .await
        {
            Ok(answer) => serde_json::from_slice::<Value>(&answer.body)
                .ok()
                .and_then(|v| v.get("result").and_then(Value::as_bool))
                .ok_or_else(|| "the registry's answer has no boolean result".to_owned()),
            Err(ClearingError::Rejected { answer, .. }) => {
                Err(format!("the registry refused the chain: {answer}"))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Obtains a compliance credential in `profile`: registration number, presentation,
    /// submission, verification, storage (see the module documentation).
    pub async fn submit(&self, profile: Profile) -> Result<Submitted, ClearingError> {
        let (presentation, registration_id) = self.presentation(profile).await?;
        self.submit_presentation(profile, &presentation, &registration_id)
            .await
    }

    /// Submits a given presentation (signed by the participant) and stores the answer.
    pub async fn submit_presentation(
        &self,
        profile: Profile,
        presentation: &str,
        registration_id: &str,
    ) -> Result<Submitted, ClearingError> {
        let vcid = self.new_id();
        let config = &self.inner.config;
        let operators = std::iter::once((&config.compliance_url, &config.compliance_did))
            .chain(config.fallbacks.iter().map(|(url, did)| (url, did)));
        let mut unavailable = None;
        for (base, did) in operators {
            match self
                .submit_to(base, did.as_deref(), profile, presentation, &vcid)
                .await
            {
                Err(e @ ClearingError::Unavailable { .. }) => {
                    tracing::warn!(compliance = %base, error = %e, "clearing house unavailable; trying the next");
                    unavailable = Some(e);
                }
                Ok((text, doc)) => {
                    return self
                        .keep_answer(profile, presentation, registration_id, text, doc)
                        .await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(unavailable.unwrap_or_else(|| {
            ClearingError::Config("no compliance service configured".to_owned())
        }))
    }

    /// One submission to the clearing house at `base`: the verified, checked answer (its text
    /// and document).
    async fn submit_to(
        &self,
        base: &str,
        expected_did: Option<&str>,
        profile: Profile,
        presentation: &str,
        vcid: &str,
    ) -> Result<(String, Value), ClearingError> {
        let bad_url = |e: String| ClearingError::Config(format!("compliance URL: {e}"));
        let mut url = Url::parse(base).map_err(|e| bad_url(e.to_string()))?;
        let (segments, content_type, accept): (&[&str], _, _) = match profile {
            Profile::Loire => (
                &[
                    "v2",
                    "api",
                    "credential-offers",
                    self.inner.config.level.api_segment(),
                ],
                "application/vp+jwt",
                "application/vc+jwt, application/jwt",
            ),
            Profile::Tagus => (
                &["v1", "api", "credential-offers"],
                "application/json",
                "application/json",
            ),
        };
        url.path_segments_mut()
            .map_err(|()| bad_url("not a base URL".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        url.query_pairs_mut().append_pair("vcid", vcid);
        let answer = self
            .send(
                "compliance",
                reqwest::Method::POST,
                url,
                Some((content_type, presentation.as_bytes().to_vec())),
                accept,
            )
            .await?;
        let text = String::from_utf8(answer.body).map_err(|_| ClearingError::BadAnswer {
            service: "compliance",
            reason: "the answer is not UTF-8".to_owned(),
        })?;
        let doc = self.verified("compliance", &text).await?;
        self.check_answer(profile, presentation, vcid, expected_did, &doc)?;
        Ok((text, doc))
    }

    /// Stores a compliance credential that was checked, and says what it replaced.
    async fn keep_answer(
        &self,
        profile: Profile,
        presentation: &str,
        registration_id: &str,
        text: String,
        doc: Value,
    ) -> Result<Submitted, ClearingError> {
        let format = match profile {
            Profile::Loire => CredentialFormat::Jwt,
            Profile::Tagus => CredentialFormat::JsonLd,
        };
        let slot = self.slot("compliance", profile);
        let (id, replaces) = self
            .store_received(
                &slot,
                profile,
                &doc,
                text.trim().as_bytes().to_vec(),
                format,
            )
            .await?;
        let presented = parse_presentation(presentation)?
            .credentials
            .into_iter()
            .filter_map(|c| c.id)
            .collect();
        let submitted = Submitted {
            profile,
            credential_id: id,
            issuer: node_ids(doc.get("issuer"))
                .into_iter()
                .next()
                .unwrap_or_default(),
            valid_until: timestamp_of(&doc, &["validUntil", "expirationDate"]),
            replaces,
            registration_id: registration_id.to_owned(),
            presented,
        };
        tracing::info!(credential = %submitted.credential_id, profile = profile.as_str(), issuer = %submitted.issuer, "stored the compliance credential");
        Ok(submitted)
    }

    /// The answer is the credential asked for, from the expected service, naming every
    /// presented credential with its hash.
    fn check_answer(
        &self,
        profile: Profile,
        presentation: &str,
        vcid: &str,
        expected_did: Option<&str>,
        doc: &Value,
    ) -> Result<(), ClearingError> {
        let bad = |reason: String| ClearingError::BadAnswer {
            service: "compliance",
            reason,
        };
        if doc.get("id").and_then(Value::as_str) != Some(vcid) {
            return Err(bad(format!("its id is not the vcid asked for ({vcid})")));
        }
        let issuer = node_ids(doc.get("issuer")).into_iter().next();
        if let Some(expected) = expected_did
            && issuer.as_deref() != Some(expected)
        {
            return Err(bad(format!(
                "issued by {}, not by the configured compliance service {expected}",
                issuer.as_deref().unwrap_or("(nobody)")
            )));
        }
        if profile == Profile::Loire {
            let level = self.inner.config.level.as_str();
            let got = doc
                .get("credentialSubject")
                .and_then(|s| s.get("gx:labelLevel"))
                .and_then(Value::as_str);
            if got != Some(level) {
                return Err(bad(format!(
                    "its gx:labelLevel is {}, not the {level} asked for",
                    got.unwrap_or("(none)")
                )));
            }
        }
        let entries: Vec<Value> = match profile {
            Profile::Tagus => match doc.get("credentialSubject") {
                Some(Value::Array(list)) => list.clone(),
                Some(one) => vec![one.clone()],
                None => Vec::new(),
            },
            Profile::Loire => doc
                .get("credentialSubject")
                .and_then(|s| s.get("gx:compliantCredentials"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        };
        let hash_key = match profile {
            Profile::Tagus => "gx:integrity",
            Profile::Loire => "gx:digestSRI",
        };
        let presented: Vec<PresentedCredential> = parse_presentation(presentation)?.credentials;
        for c in &presented {
            let id = c.id.as_deref().unwrap_or_default();
            let expected = integrity::sha256_jcs(&c.document)?;
            let found = entries
                .iter()
                .find(|e| e.get("id").and_then(Value::as_str) == Some(id));
            match found.and_then(|e| e.get(hash_key)).and_then(Value::as_str) {
                Some(h) if h == expected => {}
                Some(h) => {
                    return Err(bad(format!(
                        "{hash_key} of {id} is {h}, but the credential sent hashes to {expected}"
                    )));
                }
                None => return Err(bad(format!("it does not name the credential {id}"))),
            }
        }
        Ok(())
    }

    /// Submits again every profile whose compliance credential is missing, revoked or ends
    /// before `now + renewal window`, only while holding the store lease [`CLEARING_LEASE`].
    pub async fn renew_due(&self, now: Timestamp) -> Result<RenewalSummary, ClearingError> {
        let store = &self.inner.store;
        let holder = &self.inner.holder;
        if store
            .try_acquire_lease(CLEARING_LEASE, holder, LEASE_TTL)
            .await?
            .is_none()
        {
            return Ok(RenewalSummary {
                skipped_lease_held: true,
                ..RenewalSummary::default()
            });
        }
        let horizon = now
            .checked_add(self.inner.config.renewal_window)
            .unwrap_or(now);
        let mut summary = RenewalSummary::default();
        for profile in self.inner.config.profiles.clone() {
            let current = match store
                .current_in_slot(&self.slot("compliance", profile))
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    summary.failed.push((profile, e.to_string()));
                    continue;
                }
            };
            let due = match &current {
                None => true,
                Some(c) => c.revoked_at.is_some() || c.valid_until.is_some_and(|u| u <= horizon),
            };
            if !due {
                continue;
            }
            match self.submit(profile).await {
                Ok(s) => summary.renewed.push(s),
                Err(e) => summary.failed.push((profile, e.to_string())),
            }
        }
        if let Err(e) = store.release_lease(CLEARING_LEASE, holder).await {
            tracing::warn!(error = %e, "could not release the clearing lease; it expires by itself");
        }
        Ok(summary)
    }
}

enum ReadError {
    TooLarge,
    Transport(reqwest::Error),
}
