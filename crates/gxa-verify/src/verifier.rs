//! [`Verifier`]: the seven checks over one input, with network resolution through
//! the guarded [`Fetcher`] when one is configured.
//!
//! Order of work for one input:
//! 1. syntax (blocking thread): the input is read into a tree of documents, each strictly
//!    expanded; canonical forms are kept for step 3;
//! 2. every did:web the tree names is fetched (concurrently) and checked (`id` equals the DID);
//!    a refused fetch (SSRF guard, size, scheme) makes the verification method invalid, any other
//!    failure makes it "could not check";
//! 3. proofs (blocking thread): `gxa_proof::verify` over the whole input with the fetched
//!    documents, which recurses into the credentials of a presentation;
//! 4. per document: verification method and controller, certificate chain (`x5u` fetched),
//!    validity, status (list credential fetched and verified in turn), shapes (blocking thread).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use gxa_fetch::{FetchError, Fetcher};
use gxa_proof::{Failure, Resolver, VerificationReport, VerifyError, VerifyOptions, did_of};
use gxa_credential::Profile;
use gxa_shacl::Validator;
use jiff::Timestamp;
use serde_json::Value;

use crate::anchors::TrustAnchors;
use crate::chain::{ChainPolicy, jwk_matches_spki, validate_chain};
use crate::parse::{CanonCache, Format, InputLimits, Node, parse_input};
use crate::report::{CheckKind, CheckResult, Outcome, ProofSummary, VerifyReport};
use crate::status::{Bitstring, StatusEntry, entries as status_entries};

/// Largest input accepted by default (4 MiB): a Gaia-X presentation of many credentials fits,
/// a document meant to exhaust memory or the canonicalizer does not.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// Default of [`VerifierConfig::max_json_values`]: a Gaia-X presentation of a few dozen
/// credentials has a few thousand.
pub const DEFAULT_MAX_JSON_VALUES: usize = 50_000;

/// Default of [`VerifierConfig::max_fetches`].
pub const DEFAULT_MAX_FETCHES: usize = 48;

/// Default of [`VerifierConfig::max_fetches_per_host`].
pub const DEFAULT_MAX_FETCHES_PER_HOST: usize = 12;

const ACCEPT_DID: &str = "application/did+ld+json, application/did+json, application/json";
const ACCEPT_PEM: &str = "application/pem-certificate-chain, application/x-pem-file, text/plain";
const ACCEPT_VC: &str = "application/vc+ld+json, application/vc+jwt, application/vc, application/ld+json, application/json";

/// What a [`Verifier`] is built from.
///
/// Without a [`Fetcher`] the verifier is offline: did:key and did:jwk resolve from the DID
/// itself, did:web only from [`VerifierConfig::did_documents`]; `x5u` chains and status lists are
/// not fetched (the chain check is then an error when trust anchors are configured, the status
/// check is skipped).
#[derive(Debug)]
pub struct VerifierConfig {
    /// The guarded fetcher for did:web documents, `x5u` chains and status lists.
    pub fetcher: Option<Fetcher>,
    /// Roots a certificate chain must end in; `None` skips the chain check.
    pub trust_anchors: Option<TrustAnchors>,
    /// Chain policy (EV only).
    pub chain_policy: ChainPolicy,
    /// DID documents known beforehand (did:web documents, controller documents), preferred to
    /// fetching.
    pub did_documents: Vec<Value>,
    /// Validate Gaia-X shapes (check 7). Loading the Loire shapes takes about 1.7 s once.
    pub shapes: bool,
    /// Largest accepted input, in bytes.
    pub max_input_bytes: usize,
    /// Most JSON values (objects, arrays, strings, numbers, literals) in one input, JWT
    /// segments included; counted while parsing, before JSON-LD expansion, so an input of many
    /// small objects is refused before it costs memory ([`DEFAULT_MAX_JSON_VALUES`]).
    pub max_json_values: usize,
    /// Most distinct URLs fetched for one verification (did:web documents, `x5u` chains and
    /// status lists together, status list credentials' own did:web included)
    /// ([`DEFAULT_MAX_FETCHES`]). Every URL in an input is chosen by its author: without a cap
    /// one presentation could make the verifier fetch thousands of third-party URLs.
    pub max_fetches: usize,
    /// Most distinct URLs fetched from one host (`host:port`) for one verification
    /// ([`DEFAULT_MAX_FETCHES_PER_HOST`]).
    pub max_fetches_per_host: usize,
}

impl VerifierConfig {
    /// Offline, no trust anchors, no shapes, the default limits.
    pub fn offline() -> Self {
        Self {
            fetcher: None,
            trust_anchors: None,
            chain_policy: ChainPolicy { require_ev: false },
            did_documents: Vec::new(),
            shapes: false,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
            max_fetches: DEFAULT_MAX_FETCHES,
            max_fetches_per_host: DEFAULT_MAX_FETCHES_PER_HOST,
        }
    }
}

/// Why a [`Verifier`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierError {
    /// A configured DID document is not one.
    #[error("DID document {index}: {source}")]
    DidDocument {
        /// Position in [`VerifierConfig::did_documents`].
        index: usize,
        /// The cause.
        source: gxa_proof::DidError,
    },
}

struct Inner {
    fetcher: Option<Fetcher>,
    anchors: Option<TrustAnchors>,
    chain_policy: ChainPolicy,
    resolver: Resolver,
    shapes: bool,
    limits: InputLimits,
    max_fetches: usize,
    max_fetches_per_host: usize,
    loire: OnceLock<Result<Validator, String>>,
    tagus: OnceLock<Result<Validator, String>>,
    scs: OnceLock<Result<Validator, String>>,
}

/// The verifier. Cheap to clone (an `Arc` inside); share one per process so that the shapes
/// are loaded once and the fetcher's cache is shared.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
    challenge: Option<Arc<str>>,
    domain: Option<Arc<str>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("online", &self.inner.fetcher.is_some())
            .field("trust_anchors", &self.inner.anchors.is_some())
            .field("shapes", &self.inner.shapes)
            .field("challenge", &self.challenge)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// What one verification run carries besides the input.
#[derive(Clone)]
struct Run {
    at: Timestamp,
    /// Check `credentialStatus` (off for status list credentials themselves: no recursion).
    status: bool,
    /// Validate shapes.
    shapes: bool,
    /// The fetches this verification may still make (shared with the status lists' runs).
    fetches: FetchBudget,
}

/// A did:web that could not be fetched: the outcome (fail for a refusal, error otherwise) and why.
type Unresolved = HashMap<String, (Outcome, String)>;

impl Verifier {
    /// Builds a verifier.
    pub fn new(config: VerifierConfig) -> Result<Self, VerifierError> {
        let mut resolver = Resolver::new();
        for (index, doc) in config.did_documents.into_iter().enumerate() {
            resolver
                .add_document(doc)
                .map_err(|source| VerifierError::DidDocument { index, source })?;
        }
        Ok(Self {
            inner: Arc::new(Inner {
                fetcher: config.fetcher,
                anchors: config.trust_anchors,
                chain_policy: config.chain_policy,
                resolver,
                shapes: config.shapes,
                limits: InputLimits {
                    max_bytes: config.max_input_bytes,
                    max_json_values: config.max_json_values,
                },
                max_fetches: config.max_fetches,
                max_fetches_per_host: config.max_fetches_per_host,
                loire: OnceLock::new(),
                tagus: OnceLock::new(),
                scs: OnceLock::new(),
            }),
            challenge: None,
            domain: None,
        })
    }

    /// The same verifier expecting a presentation `challenge` (vp+jwt: `nonce`) and `domain`
    /// (vp+jwt: `aud`); they are checked on presentations only.
    pub fn expecting(&self, challenge: Option<&str>, domain: Option<&str>) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            challenge: challenge.map(Arc::from),
            domain: domain.map(Arc::from),
        }
    }

    /// Verifies a credential or presentation (JSON-LD with embedded proofs, a compact
    /// vc+jwt / vp+jwt, or a JSON string holding one) at time `at`.
    ///
    /// Never fails: an input that cannot be read is a report with a failed syntax check, and
    /// a fetch that fails is an `error` outcome. CPU-heavy steps run on tokio's blocking pool,
    /// so this may be awaited from a request handler; it needs a tokio runtime.
    pub async fn verify(&self, input: &str, at: Timestamp) -> VerifyReport {
        let run = Run {
            at,
            status: true,
            shapes: self.inner.shapes,
            fetches: FetchBudget::new(self.inner.max_fetches, self.inner.max_fetches_per_host),
        };
        self.verify_run(input.to_owned(), run).await
    }

    async fn verify_run(&self, input: String, run: Run) -> VerifyReport {
        let inner = Arc::clone(&self.inner);
        let cache = Arc::new(CanonCache::default());
        let parse_cache = Arc::clone(&cache);
        let parsed = tokio::task::spawn_blocking(move || {
            let node = parse_input(&input, inner.limits, &parse_cache);
            (node, input)
        })
        .await;
        let (node, input) = match parsed {
            Ok(v) => v,
            Err(e) => return internal_error(&e.to_string()),
        };
        if !node.syntax_ok() {
            return skipped_after_syntax(&node);
        }

        // Step 2: did:web documents.
        let mut dids = Vec::new();
        node.dids(&mut dids);
        let mut resolver = self.inner.resolver.clone();
        let unresolved = self.resolve_dids(&dids, &mut resolver, &run.fetches).await;

        // Step 3: proofs.
        let challenge = node
            .is_presentation()
            .then(|| self.challenge.clone())
            .flatten();
        let domain = node
            .is_presentation()
            .then(|| self.domain.clone())
            .flatten();
        let at = run.at.as_second();
        let proof_task = tokio::task::spawn_blocking(move || {
            let opts = VerifyOptions {
                resolver: &resolver,
                canonicalizer: Some(cache.as_ref()),
                at: Some(at),
                challenge: challenge.as_deref(),
                domain: domain.as_deref(),
            };
            let result = gxa_proof::verify(&input, &opts);
            (result, resolver)
        })
        .await;
        let (result, resolver) = match proof_task {
            Ok(v) => v,
            Err(e) => return internal_error(&e.to_string()),
        };
        let ctx = Ctx {
            resolver: &resolver,
            unresolved: &unresolved,
            run,
        };
        match result {
            Ok(report) => self.finish(&node, Ok(&report), &ctx, true).await,
            Err(e) => {
                let outcome = match &e {
                    VerifyError::Did(gxa_proof::DidError::Unresolvable(_)) => Outcome::Error,
                    _ => Outcome::Fail,
                };
                self.finish(&node, Err((outcome, e.to_string())), &ctx, true)
                    .await
            }
        }
    }

    /// Fetches the did:web documents not configured, adding them to `resolver`.
    async fn resolve_dids(
        &self,
        dids: &[String],
        resolver: &mut Resolver,
        fetches: &FetchBudget,
    ) -> Unresolved {
        let mut unresolved = Unresolved::new();
        let mut pending = Vec::new();
        for did in dids {
            if !did.starts_with("did:web:") || resolver.resolve(did).is_ok() {
                continue;
            }
            let url = match gxa_proof::did_web_to_url(did) {
                Ok(u) => u,
                Err(e) => {
                    unresolved.insert(did.clone(), (Outcome::Fail, e.to_string()));
                    continue;
                }
            };
            match &self.inner.fetcher {
                None => {
                    unresolved.insert(
                        did.clone(),
                        (
                            Outcome::Error,
                            format!("{did}: offline, and no DID document given for it"),
                        ),
                    );
                }
                Some(fetcher) => {
                    if let Err(reason) = fetches.take(&url) {
                        unresolved.insert(
                            did.clone(),
                            (
                                Outcome::Error,
                                format!("did:web document {url} of {did} not fetched: {reason}"),
                            ),
                        );
                        continue;
                    }
                    let fetcher = fetcher.clone();
                    let did = did.clone();
                    pending.push(tokio::spawn(async move {
                        let got = fetcher.get(&url, ACCEPT_DID).await;
                        (did, url, got)
                    }));
                }
            }
        }
        for task in pending {
            let Ok((did, url, got)) = task.await else {
                continue;
            };
            match got {
                Err(e) => {
                    unresolved.insert(
                        did.clone(),
                        (
                            fetch_outcome(&e),
                            format!("did:web document {url} of {did} {}: {e}", fetch_verb(&e)),
                        ),
                    );
                }
                Ok(fetched) => match did_document(&did, &fetched.body) {
                    Ok(doc) => {
                        if let Err(e) = resolver.add_document(doc) {
                            unresolved.insert(did, (Outcome::Fail, e.to_string()));
                        }
                    }
                    Err(reason) => {
                        unresolved.insert(
                            did,
                            (Outcome::Fail, format!("did:web document {url}: {reason}")),
                        );
                    }
                },
            }
        }
        // A placeholder document makes gxa-proof report "method not found" for the proofs
        // that need an unresolved DID, and verify everything else.
        for did in unresolved.keys() {
            let _ = resolver.add_document(serde_json::json!({ "id": did }));
        }
        unresolved
    }

    /// Builds the report of one document from its parse node and its gxa-proof report.
    async fn finish(
        &self,
        node: &Node,
        proof: Result<&VerificationReport, (Outcome, String)>,
        ctx: &Ctx<'_>,
        top: bool,
    ) -> VerifyReport {
        let format = node.format.map(Format::name);
        let kind = node.kind().map(str::to_owned);
        if !node.syntax_ok() {
            return skipped_after_syntax(node);
        }
        let mut checks = vec![node.syntax.clone()];
        let (proof_check, vm_check, methods) = proof_and_method(node, &proof, ctx);
        checks.push(proof_check);
        checks.push(vm_check);
        checks.push(self.chain_check(&methods, ctx).await);
        checks.push(validity_check(node, &proof, ctx.run.at));
        checks.push(self.status_check(node, ctx).await);
        checks.push(self.shapes_check(node, &ctx.run, top).await);

        let mut credentials = Vec::new();
        let nested: Vec<Option<&VerificationReport>> = match &proof {
            Ok(r) if r.credentials.len() == node.children.len() => {
                r.credentials.iter().map(Some).collect()
            }
            _ => vec![None; node.children.len()],
        };
        for (child, child_proof) in node.children.iter().zip(nested) {
            let child_proof = match (child_proof, &proof) {
                (Some(r), _) => Ok(r),
                (None, Err(e)) => Err(e.clone()),
                (None, Ok(_)) => Err((
                    Outcome::Error,
                    "the proof verifier did not report on this credential".to_owned(),
                )),
            };
            let report = Box::pin(self.finish(child, child_proof, ctx, false)).await;
            credentials.push(report);
        }
        let proofs = match &proof {
            Ok(r) => r
                .proofs
                .iter()
                .map(|p| ProofSummary {
                    suite: p.suite.name(),
                    flavour: p.flavour.map(gxa_proof::Flavour::name),
                    alg: p.algorithm.map(gxa_proof::Algorithm::name),
                    verification_method: p.verification_method.clone(),
                    valid: p.is_valid(),
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        VerifyReport::finish(format, kind, node.id(), checks, proofs, credentials)
    }

    /// Check 4 for every verification method that signed a valid proof.
    async fn chain_check(&self, methods: &[String], ctx: &Ctx<'_>) -> CheckResult {
        let check = CheckKind::CertificateChain;
        if methods.is_empty() {
            return CheckResult::new(
                check,
                Outcome::Skipped,
                "no verified proof to check a key of",
            );
        }
        let mut passes = Vec::new();
        for vm in methods {
            let jwk = method_object(ctx.resolver, vm)
                .and_then(|m| m.get("publicKeyJwk").cloned())
                .unwrap_or(Value::Null);
            let x5u = jwk.get("x5u").and_then(Value::as_str).map(str::to_owned);
            let Some(anchors) = &self.inner.anchors else {
                return CheckResult::new(
                    check,
                    Outcome::Skipped,
                    match x5u {
                        Some(u) => format!("no trust anchors configured (x5u {u} not checked)"),
                        None => "no x5u and no trust anchors configured".to_owned(),
                    },
                );
            };
            let Some(x5u) = x5u else {
                return CheckResult::new(
                    check,
                    Outcome::Fail,
                    format!("{vm} has no x5u certificate chain, but trust anchors are configured"),
                );
            };
            let Some(fetcher) = &self.inner.fetcher else {
                return CheckResult::new(
                    check,
                    Outcome::Error,
                    format!("x5u {x5u} of {vm} not fetched: offline"),
                );
            };
            if let Err(reason) = ctx.run.fetches.take(&x5u) {
                return CheckResult::new(
                    check,
                    Outcome::Error,
                    format!("x5u {x5u} of {vm} not fetched: {reason}"),
                );
            }
            let pem = match fetcher.get(&x5u, ACCEPT_PEM).await {
                Ok(f) => f.body,
                Err(e) => {
                    return CheckResult::new(
                        check,
                        fetch_outcome(&e),
                        format!("x5u {x5u} {}: {e}", fetch_verb(&e)),
                    );
                }
            };
            let chain = match validate_chain(&pem, anchors, ctx.run.at, &self.inner.chain_policy) {
                Ok(c) => c,
                Err(e) => {
                    return CheckResult::new(check, Outcome::Fail, format!("x5u {x5u}: {e}"));
                }
            };
            if !jwk_matches_spki(&jwk, &chain.leaf_public_key_spki_der) {
                return CheckResult::new(
                    check,
                    Outcome::Fail,
                    format!(
                        "the JWK of {vm} is not the public key of the leaf certificate of {x5u}"
                    ),
                );
            }
            passes.push(format!(
                "{vm}: x5u {x5u} leaf {:?} → trust anchor {:?}{}",
                chain.leaf_subject,
                chain.root_subject,
                if chain.ev { " (EV)" } else { "" }
            ));
        }
        CheckResult::new(check, Outcome::Pass, passes.join("; "))
    }

    /// Check 6 for a credential.
    async fn status_check(&self, node: &Node, ctx: &Ctx<'_>) -> CheckResult {
        let check = CheckKind::Status;
        if !ctx.run.status {
            return CheckResult::new(
                check,
                Outcome::Skipped,
                "status list credential: its own status is not followed",
            );
        }
        let entries = match status_entries(&node.doc) {
            Ok(e) => e,
            Err(e) => return CheckResult::new(check, Outcome::Fail, e),
        };
        if entries.is_empty() {
            return CheckResult::new(check, Outcome::Skipped, "no credentialStatus");
        }
        let Some(fetcher) = &self.inner.fetcher else {
            let urls: Vec<&str> = entries.iter().map(|e| e.list_url.as_str()).collect();
            return CheckResult::new(
                check,
                Outcome::Skipped,
                format!("offline: status list {} not fetched", urls.join(", ")),
            );
        };
        let mut passes = Vec::new();
        for entry in &entries {
            match self.one_status(fetcher, entry, &ctx.run.fetches).await {
                Ok(pass) => passes.push(pass),
                Err((outcome, reason)) => return CheckResult::new(check, outcome, reason),
            }
        }
        CheckResult::new(check, Outcome::Pass, passes.join("; "))
    }

    async fn one_status(
        &self,
        fetcher: &Fetcher,
        entry: &StatusEntry,
        fetches: &FetchBudget,
    ) -> Result<String, (Outcome, String)> {
        let url = &entry.list_url;
        fetches.take(url).map_err(|reason| {
            (
                Outcome::Error,
                format!("status list {url} not fetched: {reason}"),
            )
        })?;
        let fetched = fetcher.get(url, ACCEPT_VC).await.map_err(|e| {
            (
                fetch_outcome(&e),
                format!("status list {url} {}: {e}", fetch_verb(&e)),
            )
        })?;
        let text = String::from_utf8(fetched.body.to_vec())
            .map_err(|_| (Outcome::Fail, format!("status list {url} is not UTF-8")))?;
        // A status list states the status as of the moment it is served, and issuers sign
        // it on demand (ours does, so does the Gaia-X registry), so its own validity is
        // checked when it was fetched, not at the credential's verification time: a list
        // signed a moment after `at` (or any list when `at` lies in the past) is current,
        // not "issued in the future". Bitstring Status List v1.0 §3.2 ("validate the status
        // list credential"); the credential's own validity stays checked at `at`.
        let run = Run {
            at: Timestamp::now(),
            status: false,
            shapes: false,
            fetches: fetches.clone(),
        };
        let report = Box::pin(self.verify_run(text.clone(), run)).await;
        match report.verdict {
            crate::Verdict::Valid => {}
            crate::Verdict::Invalid => {
                return Err((
                    Outcome::Fail,
                    format!(
                        "status list credential {url} is invalid: {}",
                        report.problems().join("; ")
                    ),
                ));
            }
            crate::Verdict::CouldNotCheck => {
                return Err((
                    Outcome::Error,
                    format!(
                        "status list credential {url} could not be checked: {}",
                        report.problems().join("; ")
                    ),
                ));
            }
        }
        let list_doc = parse_input(&text, InputLimits::NONE, &CanonCache::default()).doc;
        let bits = Bitstring::from_list_credential(&list_doc)
            .map_err(|e| (Outcome::Fail, format!("status list {url}: {e}")))?;
        if let Some(p) = &bits.purpose
            && p != &entry.purpose
        {
            return Err((
                Outcome::Fail,
                format!(
                    "status list {url} has purpose {p:?}, the entry {:?}",
                    entry.purpose
                ),
            ));
        }
        let value = bits.value(entry.index, entry.size).ok_or_else(|| {
            (
                Outcome::Fail,
                format!(
                    "statusListIndex {} is outside status list {url} ({} entries)",
                    entry.index,
                    bits.len(entry.size)
                ),
            )
        })?;
        if value != 0 && matches!(entry.purpose.as_str(), "revocation" | "suspension") {
            let state = if entry.purpose == "revocation" {
                "revoked"
            } else {
                "suspended"
            };
            return Err((
                Outcome::Fail,
                format!("{state}: entry {} of status list {url} is set", entry.index),
            ));
        }
        Ok(format!(
            "{} {} entry {} of {url}: {value}",
            entry.kind, entry.purpose, entry.index
        ))
    }

    /// Check 7: every shape set that applies to the document's vocabulary, validated on a
    /// blocking thread; the validators are loaded once per verifier.
    async fn shapes_check(&self, node: &Node, run: &Run, top: bool) -> CheckResult {
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
        let result = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for set in sets {
                let validator = inner
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
            Err(e) => return CheckResult::new(check, Outcome::Error, e.to_string()),
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
enum ShapeSet {
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
const SCS_SHAPES: &str = include_str!("../../../contexts/scs/scs-shape.ttl");

impl Inner {
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

struct Ctx<'a> {
    resolver: &'a Resolver,
    unresolved: &'a Unresolved,
    run: Run,
}

/// Policy refusals (SSRF guard, scheme, size, redirects) are the credential's fault: invalid.
/// Anything else (time-out, connection refused, HTTP error) means the check could not be done.
fn fetch_outcome(e: &FetchError) -> Outcome {
    if e.is_refused() {
        Outcome::Fail
    } else {
        Outcome::Error
    }
}

/// `refused` for a policy refusal, `not fetched` otherwise: the reason says which it was.
fn fetch_verb(e: &FetchError) -> &'static str {
    if e.is_refused() {
        "refused"
    } else {
        "not fetched"
    }
}

/// A fetched did:web document: strict JSON, an object whose `id` is the DID
/// (<https://w3c-ccg.github.io/did-method-web/#read-resolve>: "the id of the resolved DID
/// document MUST match the did:web DID being resolved").
fn did_document(did: &str, body: &[u8]) -> Result<Value, String> {
    let doc = gxa_credential::json::parse_slice(body, &gxa_credential::json::Budget::unlimited())
        .map_err(|e| e.to_string())?;
    let id = doc
        .get("id")
        .and_then(Value::as_str)
        .ok_or("not a DID document (no id)")?;
    if id != did {
        return Err(format!("document id {id} does not match {did}"));
    }
    Ok(doc)
}

/// The raw verification method object `vm` in its controller document.
fn method_object(resolver: &Resolver, vm: &str) -> Option<Value> {
    let did = did_of(vm);
    let doc = resolver.resolve(did).ok()?;
    let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or(did);
    gxa_proof::method_in(&doc, doc_id, vm).cloned()
}

/// Which check a gxa-proof failure belongs to.
fn class_of(f: &Failure) -> CheckKind {
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
fn proof_and_method(
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

/// Check 5, from gxa-proof's validity findings (it reads the same members for both formats).
fn validity_check(
    node: &Node,
    proof: &Result<&VerificationReport, (Outcome, String)>,
    at: Timestamp,
) -> CheckResult {
    let check = CheckKind::Validity;
    let Ok(report) = proof else {
        return CheckResult::new(check, Outcome::Skipped, "not checked: proof not verified");
    };
    let failures: Vec<String> = report
        .failures
        .iter()
        .filter(|f| class_of(f) == CheckKind::Validity)
        .map(ToString::to_string)
        .collect();
    if !failures.is_empty() {
        return CheckResult::new(check, Outcome::Fail, failures.join("; "));
    }
    let mut bounds = Vec::new();
    for name in ["validFrom", "validUntil", "issuanceDate", "expirationDate"] {
        if let Some(v) = node.doc.get(name).and_then(Value::as_str) {
            bounds.push(format!("{name} {v}"));
        }
    }
    if let Some(claims) = &node.claims {
        for name in ["nbf", "exp"] {
            if let Some(v) = claims.get(name).and_then(Value::as_i64) {
                bounds.push(format!("{name} {}", gxa_proof::format_rfc3339(v)));
            }
        }
    }
    if bounds.is_empty() {
        CheckResult::new(
            check,
            Outcome::Pass,
            format!("no validity bounds; checked at {at}"),
        )
    } else {
        CheckResult::new(
            check,
            Outcome::Pass,
            format!("{} contain {at}", bounds.join(", ")),
        )
    }
}

/// The shape sets that apply to a document, from its contexts.
fn shape_sets(doc: &Value) -> Vec<ShapeSet> {
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

fn skipped_after_syntax(node: &Node) -> VerifyReport {
    let mut checks = vec![node.syntax.clone()];
    for check in &CheckKind::ALL[1..] {
        checks.push(CheckResult::new(
            *check,
            Outcome::Skipped,
            "not checked: the syntax check failed",
        ));
    }
    VerifyReport::finish(
        node.format.map(Format::name),
        node.kind().map(str::to_owned),
        node.id(),
        checks,
        Vec::new(),
        Vec::new(),
    )
}

fn internal_error(reason: &str) -> VerifyReport {
    let checks = CheckKind::ALL
        .iter()
        .map(|c| {
            CheckResult::new(
                *c,
                Outcome::Error,
                format!("verifier task failed: {reason}"),
            )
        })
        .collect();
    VerifyReport::finish(None, None, None, checks, Vec::new(), Vec::new())
}

/// The fetches one verification may still make: at most `max` distinct URLs, at most
/// `per_host` of them on one host. A URL fetched before in the same verification is free (the
/// fetcher's cache and request coalescing answer it).
#[derive(Clone)]
struct FetchBudget {
    inner: Arc<std::sync::Mutex<FetchState>>,
    max: usize,
    per_host: usize,
}

#[derive(Default)]
struct FetchState {
    urls: std::collections::HashSet<String>,
    hosts: HashMap<String, usize>,
}

impl FetchBudget {
    fn new(max: usize, per_host: usize) -> Self {
        Self {
            inner: Arc::default(),
            max,
            per_host,
        }
    }

    /// Counts `url` against the budget, or says why it may not be fetched.
    fn take(&self, url: &str) -> Result<(), String> {
        let mut state = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if state.urls.contains(url) {
            return Ok(());
        }
        if state.urls.len() >= self.max {
            return Err(format!(
                "this verification reached its limit of {} fetched URLs",
                self.max
            ));
        }
        let host = host_of(url);
        let on_host = state.hosts.get(&host).copied().unwrap_or(0);
        if on_host >= self.per_host {
            return Err(format!(
                "this verification reached its limit of {} fetched URLs on {host}",
                self.per_host
            ));
        }
        state.hosts.insert(host, on_host + 1);
        state.urls.insert(url.to_owned());
        Ok(())
    }
}

/// The `host[:port]` of an absolute URL, lowercased (the whole text when it has no scheme).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn fetch_budget_counts_distinct_urls_in_total_and_per_host() {
        let budget = FetchBudget::new(3, 2);
        budget.take("https://a.example/1").unwrap();
        budget.take("https://a.example/1").unwrap();
        budget.take("https://A.example/2").unwrap();
        let err = budget.take("https://a.example/3").unwrap_err();
        assert!(err.contains("on a.example"), "{err}");
        budget.clone().take("https://b.example:8443/x").unwrap();
        let err = budget.take("https://c.example/").unwrap_err();
        assert!(err.contains("limit of 3"), "{err}");
        assert_eq!(host_of("https://u@h.example:1/p?q#f"), "h.example:1");
    }
}
