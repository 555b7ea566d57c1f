//! Check 1, syntax and contexts: the input is read into a tree of documents (a presentation and
//! the credentials it carries), each checked for duplicate JSON keys, pinned contexts and strict
//! JSON-LD expansion.
//!
//! The strict expansion is the expensive part of this check; for JSON-LD documents with embedded
//! proofs it is done as the canonicalization the proof check needs anyway, and the canonical
//! N-Quads are kept in [`CanonCache`] so that `gxa_proof::verify` does not compute them again.

use std::sync::Mutex;

use gxa_credential::compact;
use gxa_jsonld::JsonLdError;
use gxa_proof::{Canonicalizer, PinnedJsonLd, RdfcHash};
use serde_json::{Map, Value};

use crate::report::{CheckKind, CheckResult, Outcome};
use gxa_credential::json::{Budget, parse as parse_strict, parse_slice as parse_strict_slice};

/// Presentations nested deeper than this are not read (gxa-proof has the same bound).
const MAX_DEPTH: usize = 4;

pub(crate) use gxa_credential::Format;

/// One credential or presentation of the input.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) format: Option<Format>,
    /// The document (JWT: the payload, or its `vc`/`vp` claim).
    pub(crate) doc: Value,
    /// JWT: the protected header.
    pub(crate) header: Option<Map<String, Value>>,
    /// JWT: the payload claims (equal to `doc` except for VC 1.1 JWTs).
    pub(crate) claims: Option<Map<String, Value>>,
    pub(crate) syntax: CheckResult,
    /// The entries of `verifiableCredential` that gxa-proof verifies, in order.
    pub(crate) children: Vec<Node>,
}

impl Node {
    fn failed(format: Option<Format>, reason: impl Into<String>) -> Self {
        Self {
            format,
            doc: Value::Null,
            header: None,
            claims: None,
            syntax: CheckResult::new(CheckKind::Syntax, Outcome::Fail, reason),
            children: Vec::new(),
        }
    }

    pub(crate) fn syntax_ok(&self) -> bool {
        self.syntax.outcome == Outcome::Pass
    }

    /// `VerifiableCredential` / `VerifiablePresentation`.
    pub(crate) fn kind(&self) -> Option<&'static str> {
        let has = |t: &str| match self.doc.get("type") {
            Some(Value::String(s)) => s == t,
            Some(Value::Array(a)) => a.iter().any(|v| v == t),
            _ => false,
        };
        if has("VerifiablePresentation") {
            Some("VerifiablePresentation")
        } else if has("VerifiableCredential") {
            Some("VerifiableCredential")
        } else {
            None
        }
    }

    pub(crate) fn is_presentation(&self) -> bool {
        self.kind() == Some("VerifiablePresentation")
    }

    pub(crate) fn id(&self) -> Option<String> {
        self.doc
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The issuer (credentials) or holder (presentations) id.
    pub(crate) fn party(&self) -> Option<&str> {
        let v = if self.is_presentation() {
            self.doc.get("holder")
        } else {
            self.doc.get("issuer")
        }?;
        match v {
            Value::String(s) => Some(s),
            Value::Object(o) => o.get("id").and_then(Value::as_str),
            _ => None,
        }
    }

    /// Every DID this node and its children may need resolved (verification methods, `kid`,
    /// `iss`, issuer, holder), without fragments.
    pub(crate) fn dids(&self, out: &mut Vec<String>) {
        let mut push = |s: &str| {
            let did = gxa_proof::did_of(s);
            if did.starts_with("did:") && !out.iter().any(|d| d == did) {
                out.push(did.to_owned());
            }
        };
        if let Some(p) = self.party() {
            push(p);
        }
        if let Some(h) = &self.header {
            for k in ["kid", "iss"] {
                if let Some(s) = h.get(k).and_then(Value::as_str) {
                    push(s);
                }
            }
        }
        if let Some(s) = self
            .claims
            .as_ref()
            .and_then(|c| c.get("iss"))
            .and_then(Value::as_str)
        {
            push(s);
        }
        for proof in proofs(&self.doc) {
            if let Some(vm) = proof
                .get("verificationMethod")
                .and_then(|v| v.as_str().or_else(|| v.get("id").and_then(Value::as_str)))
            {
                push(vm);
            }
        }
        for child in &self.children {
            child.dids(out);
        }
    }
}

/// The embedded proofs of a JSON-LD document.
pub(crate) fn proofs(doc: &Value) -> Vec<&Value> {
    match doc.get("proof") {
        None => Vec::new(),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(p) => vec![p],
    }
}

/// Canonical N-Quads computed during the syntax check, reused by the proof check.
#[derive(Debug, Default)]
pub(crate) struct CanonCache {
    entries: Mutex<Vec<(Value, String)>>,
}

impl CanonCache {
    fn insert(&self, doc: Value, nquads: String) {
        if let Ok(mut e) = self.entries.lock() {
            e.push((doc, nquads));
        }
    }
}

impl Canonicalizer for CanonCache {
    fn canonicalize_with(&self, doc: &Value, hash: RdfcHash) -> Result<String, JsonLdError> {
        if hash == RdfcHash::Sha256
            && let Ok(entries) = self.entries.lock()
            && let Some((_, nquads)) = entries.iter().find(|(d, _)| d == doc)
        {
            return Ok(nquads.clone());
        }
        PinnedJsonLd.canonicalize_with(doc, hash)
    }
}

/// Reads the input: JSON-LD text, a compact JWT, a `data:application/vc+jwt,` URL or a JSON
/// string holding a JWT.
pub(crate) fn parse_input(input: &str, limits: InputLimits, cache: &CanonCache) -> Node {
    let max_bytes = limits.max_bytes;
    if input.len() > max_bytes {
        return Node::failed(
            None,
            format!(
                "input is {} bytes, more than the limit of {max_bytes}",
                input.len()
            ),
        );
    }
    let budget = Budget::new(limits.max_json_values);
    let budget = &budget;
    let text = input.trim();
    if text.starts_with('{') || text.starts_with('"') {
        let value = match parse_strict(text, budget) {
            Ok(v) => v,
            Err(e) => return Node::failed(Some(Format::JsonLd), format!("not valid JSON: {e}")),
        };
        return match value {
            Value::String(jwt) => parse_jwt(&jwt, 0, cache, budget),
            Value::Object(_) => parse_jsonld(value, 0, cache, budget),
            _ => Node::failed(None, "JSON input is neither an object nor a JWT string"),
        };
    }
    let jwt = strip_data_url(text).unwrap_or(text);
    if jwt.split('.').count() != 3 {
        return Node::failed(
            None,
            "neither a JSON-LD document nor a compact JWT (three base64url segments)",
        );
    }
    parse_jwt(jwt, 0, cache, budget)
}

/// The limits of one input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InputLimits {
    /// Bytes of the input text.
    pub(crate) max_bytes: usize,
    /// JSON values (objects, arrays, strings, numbers, literals) in the whole input, JWT
    /// segments included. JSON-LD expansion and canonicalization cost grows with them, so they
    /// are counted while parsing, before any of that work starts.
    pub(crate) max_json_values: usize,
}

impl InputLimits {
    /// No limit (documents the verifier fetched itself, already size-capped by the fetcher).
    pub(crate) const NONE: Self = Self {
        max_bytes: usize::MAX,
        max_json_values: usize::MAX,
    };
}

pub(crate) fn strip_data_url(text: &str) -> Option<&str> {
    [
        "data:application/vc+jwt,",
        "data:application/vp+jwt,",
        "data:application/vc+ld+json+jwt,",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))
}

fn pass() -> CheckResult {
    CheckResult::new(
        CheckKind::Syntax,
        Outcome::Pass,
        "well-formed; pinned contexts only; strict JSON-LD expansion",
    )
}

fn parse_jsonld(doc: Value, depth: usize, cache: &CanonCache, budget: &Budget) -> Node {
    let mut unsecured = doc.clone();
    if let Some(obj) = unsecured.as_object_mut() {
        obj.remove("proof");
    }
    let syntax = match context_problem(&doc) {
        Some(p) => CheckResult::new(CheckKind::Syntax, Outcome::Fail, p),
        None => match PinnedJsonLd.canonicalize(&unsecured) {
            Ok(nquads) => {
                cache.insert(unsecured, nquads);
                pass()
            }
            Err(e) => CheckResult::new(CheckKind::Syntax, Outcome::Fail, e.to_string()),
        },
    };
    let mut node = Node {
        format: Some(Format::JsonLd),
        doc,
        header: None,
        claims: None,
        syntax,
        children: Vec::new(),
    };
    if node.syntax_ok() && node.is_presentation() {
        node.children = parse_entries(&node.doc, depth, cache, budget);
    }
    node
}

/// A document without `@context` at the top is not JSON-LD that any credential suite accepts;
/// the JSON-LD processor would produce no quads at all and the proof would sign nothing.
fn context_problem(doc: &Value) -> Option<String> {
    match doc.get("@context") {
        None => Some("no @context: not a JSON-LD credential or presentation".into()),
        Some(Value::String(_)) | Some(Value::Array(_)) | Some(Value::Object(_)) => None,
        Some(other) => Some(format!("@context {other} is not a context")),
    }
}

fn parse_entries(doc: &Value, depth: usize, cache: &CanonCache, budget: &Budget) -> Vec<Node> {
    let entries: Vec<&Value> = match doc.get("verifiableCredential") {
        None => return Vec::new(),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(v) => vec![v],
    };
    if depth >= MAX_DEPTH {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in entries {
        let enveloped = entry.get("type").is_some_and(|t| {
            t == "EnvelopedVerifiableCredential"
                || t.as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "EnvelopedVerifiableCredential"))
        });
        if enveloped {
            let id = entry.get("id").and_then(Value::as_str).unwrap_or("");
            // An envelope without a data URL is reported by the proof check (bad envelope).
            if let Some(jwt) = strip_data_url(id) {
                out.push(parse_jwt(jwt, depth + 1, cache, budget));
            }
        } else if let Some(jwt) = entry.as_str() {
            out.push(parse_jwt(jwt, depth + 1, cache, budget));
        } else if entry.is_object() {
            out.push(parse_jsonld(entry.clone(), depth + 1, cache, budget));
        }
    }
    out
}

fn b64_json(segment: &str, what: &str, budget: &Budget) -> Result<Value, String> {
    let bytes = compact::decode(segment).ok_or_else(|| format!("JWT {what} is not base64url"))?;
    parse_strict_slice(&bytes, budget).map_err(|e| format!("JWT {what}: {e}"))
}

fn parse_jwt(jwt: &str, depth: usize, cache: &CanonCache, budget: &Budget) -> Node {
    let Ok(parts) = compact::Compact::split(jwt.trim()) else {
        return Node::failed(
            Some(Format::Jwt),
            "a compact JWT has three base64url segments",
        );
    };
    let (h, p) = (parts.header, parts.payload);
    // A JWT that fails the strict parse still names its key (lenient parse): the proof
    // verifier sees it, and a presentation around it must still be checkable.
    let lenient = |segment: &str| {
        compact::decode(segment).and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
    };
    let failed = |reason: String| Node {
        header: lenient(h),
        claims: lenient(p),
        ..Node::failed(Some(Format::Jwt), reason)
    };
    let header = match b64_json(h, "header", budget) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return failed("JWT header is not a JSON object".into()),
        Err(e) => return failed(e),
    };
    let claims = match b64_json(p, "payload", budget) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return failed("JWT payload is not a JSON object".into()),
        Err(e) => return failed(e),
    };
    let typ = header.get("typ").and_then(Value::as_str);
    let legacy = matches!(typ, None | Some("JWT"))
        && (claims.contains_key("vc") || claims.contains_key("vp"));
    let doc = if legacy {
        claims
            .get("vc")
            .or_else(|| claims.get("vp"))
            .cloned()
            .unwrap_or(Value::Null)
    } else {
        Value::Object(claims.clone())
    };
    let syntax = match context_problem(&doc) {
        Some(p) => CheckResult::new(CheckKind::Syntax, Outcome::Fail, p),
        None => match gxa_jsonld::Processor::pinned().to_rdf(
            &without_jwt_claims(&doc),
            &gxa_jsonld::ToRdfOptions::strict(),
        ) {
            Ok(_) => pass(),
            Err(e) => CheckResult::new(CheckKind::Syntax, Outcome::Fail, e.to_string()),
        },
    };
    let mut node = Node {
        format: Some(Format::Jwt),
        doc,
        header: Some(header),
        claims: Some(claims),
        syntax,
        children: Vec::new(),
    };
    if node.syntax_ok() && node.is_presentation() {
        node.children = parse_entries(&node.doc, depth, cache, budget);
    }
    node
}

/// JWT claims (RFC 7519 §4.1, OpenID `nonce`, RFC 7800 `cnf`) are not JSON-LD terms: VC-JOSE
/// puts them next to the credential's members, so they are left out of the strict expansion.
/// `vc`/`vp` too: a VC-JOSE payload must not have them, which the proof check reports.
fn without_jwt_claims(doc: &Value) -> Value {
    const CLAIMS: [&str; 11] = [
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce", "cnf", "vc", "vp",
    ];
    match doc {
        Value::Object(m) if CLAIMS.iter().any(|c| m.contains_key(*c)) => Value::Object(
            m.iter()
                .filter(|(k, _)| !CLAIMS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}
