//! [`Verifier`]: the seven checks over one input, with network resolution through
//! the guarded [`Fetcher`] when one is configured.
//!
//! Order of work for one input:
//! 1. syntax (blocking thread): the input is read into a tree of documents, each strictly
//!    expanded; canonical forms are kept for step 3;
//! 2. every did:web the tree names is fetched (concurrently) and checked (`id` equals the DID);
//!    a refused fetch (SSRF guard, size, scheme) makes the verification method invalid, any other
//!    failure makes it "could not check";
//! 3. proofs (blocking thread): `gxa_proof::verify_document` over the document step 1 parsed
//!    (a JWT: `gxa_proof::verify` over its text) with the fetched documents, which recurses into
//!    the credentials of a presentation;
//! 4. per document: verification method and controller (`proof.rs`), certificate chain
//!    (`certificate.rs`, `x5u` fetched), validity (`validity.rs`), status (`status.rs`, list
//!    credential fetched and verified in turn), shapes (`shapes.rs`, blocking thread).

use std::collections::HashMap;
use std::sync::Arc;

use gxa_fetch::{FetchError, Fetcher};
use gxa_proof::{Failure, Resolver, VerificationReport, VerifyError, VerifyOptions, did_of};
use jiff::Timestamp;
use serde_json::Value;

use crate::anchors::TrustAnchors;
use crate::chain::{ChainPolicy, jwk_matches_spki, validate_chain};
use crate::parse::{CanonCache, Format, InputLimits, Node, parse_input};
use crate::report::{CheckKind, CheckResult, Outcome, ProofSummary, VerifyReport};
use crate::status::{Bitstring, StatusEntry, entries as status_entries};

mod certificate;
mod proof;
#[cfg(feature = "shacl")]
mod shapes;
#[cfg(not(feature = "shacl"))]
#[path = "no_shapes.rs"]
mod shapes;
mod status;
mod validity;

use proof::{class_of, method_object, proof_and_method};
use validity::validity_check;

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

/// Default of [`VerifierConfig::offload`]: inputs above 8 KiB go to the blocking pool.
pub const DEFAULT_OFFLOAD_ABOVE_BYTES: usize = 8 * 1024;

/// Where the CPU-heavy steps of a verification (syntax, proofs, shapes) run.
///
/// Handing work to tokio's blocking pool and back costs two thread wake-ups per step; for a
/// credential of a few KiB that was about a fifth of the CPU time of a verification
/// (`benches/RESULTS.md`, "Profiles of the verify paths"), more than its canonicalization.
/// Below the threshold the steps run on the awaiting task: on the fast path such an input
/// takes well under 0.1 ms of parsing and canonicalization (and one signature check per
/// proof), within what an async task may run between two awaits without holding up the
/// others on its worker thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offload {
    /// Syntax and proof checks of inputs larger than this many bytes, and every shapes check
    /// (milliseconds each), run on tokio's blocking pool; the rest on the awaiting task.
    Above(usize),
    /// Everything runs on the awaiting task: for a runtime that runs nothing else, such as the
    /// CLI's batch, whose worker threads are the verification threads.
    Never,
}

impl Offload {
    /// Whether the syntax and proof steps of an input of `len` bytes are offloaded.
    fn input(self, len: usize) -> bool {
        matches!(self, Self::Above(max) if len > max)
    }

    /// Whether the shapes check is offloaded.
    fn shapes(self) -> bool {
        matches!(self, Self::Above(_))
    }
}

/// Runs CPU-heavy `work` on tokio's blocking pool when `offload`, else right here; either way
/// a panic in it is an error, not the caller's panic.
async fn on_cpu<R: Send + 'static>(
    offload: bool,
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, String> {
    if offload {
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| e.to_string())
    } else {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .map_err(|_| "the verification step panicked".to_owned())
    }
}

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
    /// Roots a certificate chain must end in; `None` skips the chain check (unless a
    /// `registry` is asked instead).
    pub trust_anchors: Option<TrustAnchors>,
    /// A Gaia-X registry (base URL, before `/v2/api/…`) asked whether each `x5u` chain ends
    /// at one of its trust anchors (`POST /v2/api/trustAnchor/chain/file`), instead of local
    /// `trust_anchors`; the chain is still fetched and its leaf must hold the key.
    pub registry: Option<String>,
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
    /// Where the CPU-heavy steps run ([`Offload::Above`] [`DEFAULT_OFFLOAD_ABOVE_BYTES`]).
    pub offload: Offload,
}

impl VerifierConfig {
    /// Offline, no trust anchors, no shapes, the default limits.
    pub fn offline() -> Self {
        Self {
            fetcher: None,
            trust_anchors: None,
            registry: None,
            chain_policy: ChainPolicy { require_ev: false },
            did_documents: Vec::new(),
            shapes: false,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
            max_fetches: DEFAULT_MAX_FETCHES,
            max_fetches_per_host: DEFAULT_MAX_FETCHES_PER_HOST,
            offload: Offload::Above(DEFAULT_OFFLOAD_ABOVE_BYTES),
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
    registry: Option<String>,
    chain_policy: ChainPolicy,
    resolver: Resolver,
    shapes: bool,
    limits: InputLimits,
    max_fetches: usize,
    max_fetches_per_host: usize,
    offload: Offload,
    /// The JsonWebSignature2020 flavour that matched last (an order of attempts, shared by
    /// every verification of this verifier).
    flavour_hint: gxa_proof::FlavourHint,
    /// The SHACL validators of check 7, loaded on first use.
    #[cfg_attr(not(feature = "shacl"), allow(dead_code, reason = "check 7 is off"))]
    validators: shapes::Validators,
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
    #[cfg_attr(not(feature = "shacl"), allow(dead_code, reason = "check 7 is off"))]
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
                registry: config.registry.map(|r| r.trim_end_matches('/').to_owned()),
                chain_policy: config.chain_policy,
                resolver,
                shapes: config.shapes,
                limits: InputLimits {
                    max_bytes: config.max_input_bytes,
                    max_json_values: config.max_json_values,
                },
                max_fetches: config.max_fetches,
                max_fetches_per_host: config.max_fetches_per_host,
                offload: config.offload,
                flavour_hint: gxa_proof::FlavourHint::default(),
                validators: shapes::Validators::default(),
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
        let offload = self.inner.offload.input(input.len());
        let parsed = on_cpu(offload, move || {
            let node = parse_input(&input, inner.limits, &parse_cache);
            (node, input)
        })
        .await;
        let (node, input) = match parsed {
            Ok(v) => v,
            Err(e) => return internal_error(&e),
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
        // Parsed once: a JSON-LD input goes to the proof check as the document the syntax
        // check read (strictly); a JWT as its text, whose signature covers the parts as
        // received.
        let json_ld = node.format == Some(Format::JsonLd) && node.doc.is_object();
        let node = Arc::new(node);
        let parsed = Arc::clone(&node);
        let inner = Arc::clone(&self.inner);
        let proof_task = on_cpu(offload, move || {
            let opts = VerifyOptions {
                resolver: &resolver,
                canonicalizer: Some(cache.as_ref()),
                at: Some(at),
                challenge: challenge.as_deref(),
                domain: domain.as_deref(),
                flavour_hint: Some(&inner.flavour_hint),
            };
            let result = if json_ld {
                gxa_proof::verify_document(&parsed.doc, &opts)
            } else {
                gxa_proof::verify(&input, &opts)
            };
            (result, resolver)
        })
        .await;
        let (result, resolver) = match proof_task {
            Ok(v) => v,
            Err(e) => return internal_error(&e),
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
            if !did.starts_with("did:web:") || resolver.resolve_ref(did).is_ok() {
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
