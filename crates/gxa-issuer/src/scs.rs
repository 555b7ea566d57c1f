//! SCS uploads → evaluated, signed attestations ([`Issuer::submit_upload`]), and the current
//! compliance of a subject ([`Issuer::scs_status`]).
//!
//! Who may upload what: a store subject (an account, authenticated by the service) uploads
//! reports signed with one of its registered SSH keys. Every report in an upload must be for
//! the account's own subject or for a subject the account is a delegate of
//! ([`Account::delegate_of`](crate::Account), like the compliance monitor's delegates: the SCS
//! test runner uploads one stream for a cloud and its Kubernetes subjects); one report for any
//! other subject refuses the whole upload ([`IssuerError::ForeignSubject`]) before anything is
//! stored. Attestations are stored as the uploading account's credentials (only it may revoke
//! them) and state the report subject as `scsSubject`.
//!
//! When a new evaluation changes what the current attestation of a subject, scope and profile
//! states (its headline version, or that version's verdict: pass → fail, incomplete or
//! expired, a version withdrawn), the superseded attestation is revoked in the same
//! transaction as the issuance of its successor: a verifier holding the old one learns from
//! the status list that it no longer holds. A fresher evaluation stating the same version and
//! verdict (pass → pass with newer results) supersedes without revoking: the old credential
//! stays valid until its own end of validity.

use std::collections::{BTreeSet, HashMap};

use gxa_scs::{
    AddedReport, AllowedSigners, AttestationOptions, Evaluation, Evaluator, Invalid, SignedUpload,
    VerifiedUpload, attestation_document, verify_upload,
};
use gxa_store::{NewUpload, Previous, Sha256Digest, StoredCredential, Upload};
use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::issuer::{SLOT_ATTEMPTS, SlotIssue, SlotResult, slot_name};
use crate::{IssuedRef, Issuer, IssuerError, ScsStatus, UploadOutcome, proof};

/// The media type the SCS test runner sends.
pub(crate) const UPLOAD_MEDIA_TYPE: &str = "application/x-signed-yaml";

/// How many of a subject's newest uploads are evaluated. Results older than their lifetime do
/// not count anyway; a weekly runner reaches this after about 20 years.
const MAX_UPLOADS: u32 = 1000;

/// Subject keys of an attestation that change with every evaluation without changing what it
/// states.
const VOLATILE: &[&str] = &["evaluatedAt"];

/// The allowed-signers list of a subject's registered keys (`keytype base64 [comment]` lines).
fn allowed_signers(keys: &[String]) -> Result<AllowedSigners, IssuerError> {
    let mut text = String::new();
    for key in keys {
        // Principal `uploader`, namespace `report` only: what the subject's keys may sign here.
        text.push_str("uploader namespaces=\"report\" ");
        text.push_str(key.trim());
        text.push('\n');
    }
    AllowedSigners::parse(&text).map_err(|e| {
        IssuerError::Internal(format!(
            "a registered SSH key of the subject is invalid: {e}"
        ))
    })
}

/// Uploads whose signature verified against a set of registered keys, so that an issuance
/// does not verify every stored upload of the subject again: (upload SHA-256, SHA-256 of the
/// registered keys) → what the verification found. Holds no report bytes (they are read from
/// the stored upload); forgotten as a whole when full.
#[derive(Default)]
pub(crate) struct UploadMemo(HashMap<(Sha256Digest, [u8; 32]), Verification>);

/// What a signature check found, without the report bytes.
#[derive(Clone)]
struct Verification {
    body_sri: String,
    signer_fingerprint: String,
    principals: Vec<String>,
}

/// At most this many verified uploads are remembered.
const UPLOAD_MEMO_ENTRIES: usize = 65_536;

impl UploadMemo {
    fn remember(&mut self, upload: Sha256Digest, keys: [u8; 32], verified: &VerifiedUpload) {
        if self.0.len() >= UPLOAD_MEMO_ENTRIES {
            self.0.clear();
        }
        self.0.insert(
            (upload, keys),
            Verification {
                body_sri: verified.body_sri.clone(),
                signer_fingerprint: verified.signer_fingerprint.clone(),
                principals: verified.principals.clone(),
            },
        );
    }

    /// The verified upload, if `upload` verified against `keys` before.
    fn recall(&self, upload: &Upload, keys: [u8; 32]) -> Option<VerifiedUpload> {
        let found = self.0.get(&(upload.sha256, keys))?;
        let split = SignedUpload::split(&upload.body).ok()?;
        Some(VerifiedUpload {
            body_sri: found.body_sri.clone(),
            signer_fingerprint: found.signer_fingerprint.clone(),
            principals: found.principals.clone(),
            report: split.report.to_vec(),
        })
    }
}

/// The memo key of a subject's registered keys.
fn keys_digest(keys: &[String]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for key in keys {
        hasher.update(key.trim().as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize().into()
}

/// Verifies an upload against the subject's keys and checks that it evaluates on its own
/// (every report parses and is for a configured scope) before it is kept.
fn check_upload(
    body: &[u8],
    signers: &AllowedSigners,
    mut probe: Evaluator,
) -> Result<(VerifiedUpload, Vec<AddedReport>), IssuerError> {
    let verified = match verify_upload(body, signers) {
        Err(e) => return Err(IssuerError::MalformedUpload(e)),
        Ok(Err(
            invalid @ (Invalid::UnknownSigner { .. } | Invalid::NamespaceNotAllowed { .. }),
        )) => return Err(IssuerError::UnregisteredSigner(invalid)),
        Ok(Err(invalid)) => return Err(IssuerError::InvalidUpload(invalid)),
        Ok(Ok(verified)) => verified,
    };
    let added = probe.add_upload(&verified).map_err(IssuerError::Reports)?;
    Ok((verified, added))
}

/// The warning for a report whose results lie ahead of the service clock.
fn future_warning(report: &AddedReport, now: Timestamp) -> String {
    let ahead = report.checked_at.duration_since(now);
    let minutes = ahead.as_secs() / 60;
    format!(
        "report {} (document {}, subject {}, scope {}): checked_at {:?} read in zone {} is {}, \
         {} h {} min ahead of the service clock ({now}); its results are not counted until then: {}. \
         If the test runner writes local time, set this account's checked_at_zone to the \
         runner's TZ",
        report.report,
        report.document,
        report.subject,
        report.scope,
        report.checked_at_text,
        report.zone,
        report.checked_at,
        minutes / 60,
        minutes % 60,
        report.testcases.join(", ")
    )
}

/// What an attestation states that a verifier relies on: its headline version and verdict.
fn statement(doc: &Value) -> (Option<&str>, Option<&str>) {
    let subject = match doc.get("credentialSubject") {
        Some(Value::Array(subjects)) => subjects.first(),
        other => other,
    };
    let field = |key: &str| subject.and_then(|s| s.get(key)).and_then(Value::as_str);
    (field("scopeVersion"), field("verdict"))
}

/// Whether the current attestation must be revoked when `new` replaces it: when it states
/// another version or verdict (or cannot be read, which is treated as a change).
fn statement_changed(current: &StoredCredential, new: &Value) -> bool {
    match proof::unsigned_document(&current.body, current.format) {
        Ok(old) => statement(&old) != statement(new),
        Err(_) => true,
    }
}

/// The 32 bytes of an SRI `sha256-<base64>` digest.
fn sri_digest(sri: &str) -> Option<Sha256Digest> {
    use base64::Engine as _;
    let b64 = sri.strip_prefix("sha256-")?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Some(Sha256Digest::from_bytes(bytes))
}

/// The slot of an attestation.
pub(crate) fn scs_slot(
    owner: &str,
    evaluation: &Evaluation,
    profile: gxa_credential::Profile,
) -> String {
    let scope = evaluation
        .scope
        .uuid
        .as_deref()
        .unwrap_or(&evaluation.scope.name);
    slot_name(&["scs", owner, &evaluation.subject, scope, profile.as_str()])
}

impl Issuer {
    /// A signed SCS upload (`<armored SSHSIG>&<yaml>`, exactly as the SCS test runner sends
    /// it) for `subject`: verifies it against the subject's registered SSH keys, keeps the raw
    /// bytes as evidence (idempotent on identical bytes), evaluates all stored uploads of the
    /// subject against the configured scopes at now, and issues (or re-issues, superseding the
    /// previous credential for the same subject, scope and profile) the SCS attestation in
    /// every configured profile, each with `credentialStatus`. An attestation whose content
    /// did not change is not issued again (listed in `unchanged`).
    ///
    /// Errors: [`IssuerError::MalformedUpload`] for a body that is not a signed upload,
    /// [`IssuerError::UnregisteredSigner`] when no registered key of the subject signed it
    /// ([`IssuerError::NoUploadKey`]: the subject has none), [`IssuerError::InvalidUpload`] for
    /// a tampered body, [`IssuerError::Reports`] for reports that
    /// do not evaluate (unknown scope, malformed YAML).
    pub async fn submit_upload(
        &self,
        subject: &str,
        body: &[u8],
    ) -> Result<UploadOutcome, IssuerError> {
        let store = &self.inner.store;
        let keys = store.ssh_keys(subject).await?;
        if keys.is_empty() {
            return Err(IssuerError::NoUploadKey {
                subject: subject.to_owned(),
            });
        }
        let signers = allowed_signers(&keys)?;
        // Signature check and YAML parsing (up to the configured limit) on the blocking pool.
        let probe = self.evaluator(subject);
        let owned = body.to_vec();
        let (verified, added) =
            proof::blocking(move || check_upload(&owned, &signers, probe)).await??;
        // Every report must be for a subject this account may speak for; one foreign report
        // refuses the whole upload, before anything is stored.
        let config = &self.inner.config;
        if let Some(foreign) = added
            .iter()
            .find(|r| !config.may_submit_for(subject, &r.subject))
        {
            return Err(IssuerError::ForeignSubject {
                account: subject.to_owned(),
                subject: foreign.subject.clone(),
                action: "submit reports",
            });
        }
        let now = gxa_credential::now();
        let ahead: Vec<&AddedReport> = added
            .iter()
            .filter(|r| r.is_ahead_of(now, config.future_skew))
            .collect();
        let future_results = ahead.iter().map(|r| r.testcases.len() as u64).sum();
        let warnings: Vec<String> = ahead.iter().map(|r| future_warning(r, now)).collect();
        for warning in &warnings {
            tracing::warn!(account = %subject, %warning, "upload with results in the future");
        }
        let (upload, new) = store
            .put_upload(&NewUpload {
                subject: subject.to_owned(),
                media_type: UPLOAD_MEDIA_TYPE.to_owned(),
                body: body.to_vec(),
            })
            .await?;
        if upload.subject != subject {
            return Err(IssuerError::UploadedByOther {
                owner: upload.subject,
            });
        }
        if let Ok(mut memo) = self.inner.upload_memo.lock() {
            memo.remember(upload.sha256, keys_digest(&keys), &verified);
        }
        let (evaluations, issued, unchanged) = self.issue_scs(subject, now, false).await?;
        Ok(UploadOutcome {
            upload_sri: verified.body_sri,
            duplicate: !new,
            signer_fingerprint: verified.signer_fingerprint,
            evaluations: evaluations.iter().map(Evaluation::to_json).collect(),
            issued,
            unchanged,
            warnings,
            future_results,
        })
    }

    /// An evaluator for `account`'s uploads: its zone, the configured skew.
    fn evaluator(&self, account: &str) -> Evaluator {
        let config = &self.inner.config;
        Evaluator::new(
            config.scopes.clone(),
            config.zone_of(account),
            config.limits,
        )
        .with_skew(config.future_skew)
    }

    /// The stored uploads of `owner` (oldest first) that still verify against its registered
    /// keys, each with its verified content (signer fingerprint, report bytes). An upload
    /// signed by a key removed since, or no longer well-formed, is left out (and logged).
    pub async fn verified_uploads(
        &self,
        owner: &str,
    ) -> Result<Vec<(Upload, VerifiedUpload)>, IssuerError> {
        let store = &self.inner.store;
        let keys = store.ssh_keys(owner).await?;
        let uploads = store.uploads_of_subject(owner, MAX_UPLOADS).await?;
        if keys.is_empty() || uploads.is_empty() {
            return Ok(Vec::new());
        }
        // Uploads verified before against the same keys are not verified again.
        let digest = keys_digest(&keys);
        let mut verified = Vec::with_capacity(uploads.len());
        let mut unverified = Vec::new();
        {
            let memo = self
                .inner
                .upload_memo
                .lock()
                .map_err(|_| IssuerError::Internal("the upload memo is poisoned".to_owned()))?;
            for (position, upload) in uploads.into_iter().enumerate() {
                match memo.recall(&upload, digest) {
                    Some(hit) => verified.push((position, upload, hit)),
                    None => unverified.push((position, upload)),
                }
            }
        }
        if unverified.is_empty() {
            return Ok(verified.into_iter().map(|(_, u, v)| (u, v)).collect());
        }
        let signers = allowed_signers(&keys)?;
        let fresh = proof::blocking(move || {
            unverified
                .into_iter()
                .filter_map(|(position, upload)| match verify_upload(&upload.body, &signers) {
                    Ok(Ok(verified)) => Some((position, upload, verified)),
                    Ok(Err(invalid)) => {
                        tracing::info!(upload = %upload.sha256, %invalid, "stored upload no longer verifies; skipped");
                        None
                    }
                    Err(e) => {
                        tracing::warn!(upload = %upload.sha256, error = %e, "stored upload is malformed; skipped");
                        None
                    }
                })
                .collect::<Vec<_>>()
        })
        .await?;
        if let Ok(mut memo) = self.inner.upload_memo.lock() {
            for (_, upload, v) in &fresh {
                memo.remember(upload.sha256, digest, v);
            }
        }
        verified.extend(fresh);
        // In the store's order (oldest first).
        verified.sort_by_key(|(position, _, _)| *position);
        Ok(verified.into_iter().map(|(_, u, v)| (u, v)).collect())
    }

    /// An [`Evaluator`] holding the results of every stored upload of `owner` that still
    /// verifies (see [`Issuer::verified_uploads`]), for evaluations at any time (history).
    pub async fn scs_evaluator(&self, owner: &str) -> Result<Evaluator, IssuerError> {
        let uploads = self.verified_uploads(owner).await?;
        let mut evaluator = self.evaluator(owner);
        proof::blocking(move || {
            for (upload, verified) in &uploads {
                if let Err(e) = evaluator.add_upload(verified) {
                    tracing::warn!(upload = %upload.sha256, error = %e, "stored upload no longer evaluates; skipped");
                }
            }
            evaluator
        })
        .await
    }

    /// Evaluates every stored upload of `owner` that still verifies against its registered
    /// keys (an upload signed by a key removed since does not count) at `at`.
    pub(crate) async fn evaluate_owner(
        &self,
        owner: &str,
        at: Timestamp,
    ) -> Result<Vec<Evaluation>, IssuerError> {
        let evaluator = self.scs_evaluator(owner).await?;
        let mut evaluations = proof::blocking(move || evaluator.evaluate(at)).await?;
        // Uploads stored before a delegation was withdrawn do not speak for its subjects.
        let config = &self.inner.config;
        evaluations.retain(|e| config.may_submit_for(owner, &e.subject));
        Ok(evaluations)
    }

    /// Evaluates `owner`'s uploads at `at` and issues every attestation whose content changed
    /// (all of them with `force`). Retries when another replica moved a slot in between, so
    /// that its upload is included. Returns the evaluations, what was issued and the ids left
    /// unchanged.
    pub(crate) async fn issue_scs(
        &self,
        owner: &str,
        at: Timestamp,
        force: bool,
    ) -> Result<(Vec<Evaluation>, Vec<IssuedRef>, Vec<String>), IssuerError> {
        let mut issued = Vec::new();
        let mut done = BTreeSet::new();
        // A status entry allocated for an issuance that lost a race is reused by the next try.
        let mut spare_status = None;
        for _ in 0..SLOT_ATTEMPTS {
            // The slots are read *before* the uploads: an issuance by another replica that
            // commits after this read makes ours a conflict (and we evaluate again), and one
            // that committed before it stored its upload before, so our evaluation includes it.
            // Reading them after evaluating could replace a newer attestation with an older
            // evaluation.
            let currents: HashMap<String, StoredCredential> = self
                .inner
                .store
                .slots_of_subject(owner)
                .await?
                .into_iter()
                .collect();
            let evaluations = self.evaluate_owner(owner, at).await?;
            let mut unchanged = Vec::new();
            let mut moved = false;
            for evaluation in &evaluations {
                for &profile in &self.inner.config.profiles {
                    let slot = scs_slot(owner, evaluation, profile);
                    if done.contains(&slot) {
                        continue;
                    }
                    let current = currents.get(&slot);
                    let mut options = AttestationOptions::new(profile, &self.inner.did, at);
                    options.credential_id = None;
                    let doc = attestation_document(evaluation, &options);
                    let Value::Object(mut doc) = doc else {
                        // A scope without versions: nothing to attest.
                        continue;
                    };
                    let hash = {
                        let doc = Value::Object(doc.clone());
                        proof::blocking(move || proof::content_hash(&doc, VOLATILE)).await??
                    };
                    if !force && let Some(current) = unchanged_current(current, &hash) {
                        unchanged.push(current.id.clone());
                        done.insert(slot);
                        continue;
                    }
                    let status = self.status_for(&doc, profile, &mut spare_status).await?;
                    let id = self.new_credential_id();
                    self.stamp(&mut doc, profile, &id, status.as_ref());
                    let evidence = evaluation
                        .evidence
                        .iter()
                        .rev()
                        .find_map(|e| sri_digest(&e.digest_sri));
                    let doc = Value::Object(doc);
                    let previous = match current {
                        Some(current)
                            if current.revoked_at.is_none() && statement_changed(current, &doc) =>
                        {
                            Previous::Revoke
                        }
                        _ => Previous::KeepValid,
                    };
                    let issue = SlotIssue {
                        slot: &slot,
                        owner,
                        profile,
                        expected: current,
                        doc,
                        content_hash: hash,
                        issued_at: at,
                        evidence,
                        previous,
                    };
                    match self.issue_into_slot(issue, id, status.clone()).await? {
                        SlotResult::Issued(reference) => {
                            issued.push(reference);
                            done.insert(slot);
                        }
                        SlotResult::Moved => {
                            spare_status = status;
                            moved = true;
                        }
                    }
                }
            }
            if !moved {
                return Ok((evaluations, issued, unchanged));
            }
        }
        Err(IssuerError::Contended {
            what: format!("the attestations of {owner}"),
            by: "uploads",
        })
    }

    /// Current SCS compliance of `subject` for `scope` (its uuid or name): the stored uploads
    /// of the subject evaluated now, for the report subject of the same name. `None` if that
    /// subject never uploaded results for the scope. [`IssuerError::NotFound`] for a scope that
    /// is not configured.
    pub async fn scs_status(
        &self,
        subject: &str,
        scope: &str,
    ) -> Result<Option<ScsStatus>, IssuerError> {
        let Some(found) = self
            .inner
            .config
            .scopes
            .iter()
            .find(|s| s.uuid() == Some(scope) || s.name() == scope || s.key() == scope)
        else {
            return Err(IssuerError::not_found("scope", scope));
        };
        let key = found.key().to_owned();
        let evaluations = self.evaluate_owner(subject, gxa_credential::now()).await?;
        let Some(evaluation) = evaluations.into_iter().find(|e| {
            e.subject == subject && e.scope.uuid.as_deref().unwrap_or(&e.scope.name) == key
        }) else {
            return Ok(None);
        };
        let headline = evaluation.headline();
        Ok(Some(ScsStatus {
            scope_name: evaluation.scope.name.clone(),
            best_passed: evaluation.best_passed.clone(),
            verdict: headline
                .map_or("incomplete", |v| v.verdict.as_str())
                .to_owned(),
            valid_until: headline.and_then(|v| v.valid_until).map(|t| t.to_string()),
            evaluated_at: evaluation.at.to_string(),
        }))
    }
}

/// The current credential if it states the same content and may stay (not revoked).
pub(crate) fn unchanged_current<'a>(
    current: Option<&'a StoredCredential>,
    hash: &str,
) -> Option<&'a StoredCredential> {
    current.filter(|c| c.revoked_at.is_none() && c.canonical_hash.as_deref() == Some(hash))
}
