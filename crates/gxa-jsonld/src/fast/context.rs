//! Active contexts compiled into term tables
//! ([JSON-LD 1.1 API §4.1 "Context Processing"][ctx], §4.2 "Create Term Definition",
//! §5.2 "IRI Expansion").
//!
//! A [`Context`] is immutable once built and shared behind an [`Arc`]. Every context keeps a
//! small cache of the contexts derived from it by a scoped context (type- or property-scoped),
//! so that a pinned context list and each of its scoped contexts is processed once per process,
//! however many documents use them.
//!
//! Anything this implementation is not sure to process exactly as the specification (and the
//! `json-ld` crate) does (`@import`, `@base`, `@direction`, `@reverse`, `@nest`, `@index`, remote
//! contexts that are not pinned, errors of any kind) makes processing return [`Unsupported`],
//! and the caller falls back to the library path.
//!
//! [ctx]: https://www.w3.org/TR/json-ld11-api/#context-processing-algorithm

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::fast::Unsupported;
use crate::fast::lexical::is_plain_absolute_iri;

/// The JSON-LD keywords ([JSON-LD 1.1 §9.16](https://www.w3.org/TR/json-ld11/#keywords)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    Any,
    Base,
    Container,
    Context,
    Direction,
    Graph,
    Id,
    Import,
    Included,
    Index,
    Json,
    Language,
    List,
    Nest,
    None,
    Prefix,
    Propagate,
    Protected,
    Reverse,
    Set,
    Type,
    Value,
    Version,
    Vocab,
}

/// The keyword spelled `s`, if it is one.
pub(crate) fn keyword(s: &str) -> Option<Kw> {
    let kw = match s.strip_prefix('@')? {
        "any" => Kw::Any,
        "base" => Kw::Base,
        "container" => Kw::Container,
        "context" => Kw::Context,
        "direction" => Kw::Direction,
        "graph" => Kw::Graph,
        "id" => Kw::Id,
        "import" => Kw::Import,
        "included" => Kw::Included,
        "index" => Kw::Index,
        "json" => Kw::Json,
        "language" => Kw::Language,
        "list" => Kw::List,
        "nest" => Kw::Nest,
        "none" => Kw::None,
        "prefix" => Kw::Prefix,
        "propagate" => Kw::Propagate,
        "protected" => Kw::Protected,
        "reverse" => Kw::Reverse,
        "set" => Kw::Set,
        "type" => Kw::Type,
        "value" => Kw::Value,
        "version" => Kw::Version,
        "vocab" => Kw::Vocab,
        _ => return None,
    };
    Some(kw)
}

/// Whether `s` has the form of a keyword (`@` followed by ASCII letters only), which the
/// algorithms ignore when it is not a keyword.
pub(crate) fn has_keyword_form(s: &str) -> bool {
    match s.strip_prefix('@') {
        Some(rest) => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphabetic()),
        None => false,
    }
}

/// What a term maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mapping {
    /// Explicitly `null`: the term is defined but expands to nothing.
    Null,
    /// A keyword alias, e.g. `"id": "@id"`.
    Keyword(Kw),
    /// An IRI or a blank node identifier.
    Iri(Box<str>),
}

/// A term's type mapping (`@type` in its definition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeMapping {
    Id,
    Vocab,
    Json,
    None,
    Iri(Box<str>),
}

/// Container flags.
pub(crate) const C_LIST: u8 = 1;
pub(crate) const C_SET: u8 = 2;
pub(crate) const C_GRAPH: u8 = 4;
pub(crate) const C_ID: u8 = 8;
pub(crate) const C_INDEX: u8 = 16;
pub(crate) const C_LANGUAGE: u8 = 32;
pub(crate) const C_TYPE: u8 = 64;

/// A term definition ([JSON-LD 1.1 API §4.2](https://www.w3.org/TR/json-ld11-api/#create-term-definition)).
#[derive(Debug, Clone)]
pub(crate) struct TermDef {
    pub(crate) mapping: Mapping,
    pub(crate) prefix: bool,
    pub(crate) protected: bool,
    pub(crate) type_mapping: Option<TypeMapping>,
    pub(crate) container: u8,
    /// `Some(None)`: `"@language": null` in the definition.
    pub(crate) language: Option<Option<Box<str>>>,
    /// The scoped context, as written.
    pub(crate) context: Option<Arc<Value>>,
    /// A feature of the definition the fast path does not implement; using the term makes the
    /// document unsupported.
    pub(crate) exotic: Option<&'static str>,
}

impl TermDef {
    /// Equality "other than the value of protected" (§4.2 step 27.1).
    fn same_as(&self, other: &TermDef) -> Result<bool, Unsupported> {
        if self.exotic.is_some() || other.exotic.is_some() {
            return Err(Unsupported("protected redefinition of an unsupported term"));
        }
        Ok(self.mapping == other.mapping
            && self.prefix == other.prefix
            && self.type_mapping == other.type_mapping
            && self.container == other.container
            && self.language == other.language
            && self.context.as_deref() == other.context.as_deref())
    }
}

/// The cache key of a derived context: which scoped context, and the flags it was applied with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DeriveKey {
    /// A scoped context of a term definition, by the address of its value.
    Scoped {
        addr: usize,
        override_protected: bool,
        propagate: bool,
    },
    /// An embedded or top-level `@context`, by its JSON text.
    Text(String),
}

/// At most this many derived contexts are cached per context (pinned contexts have fewer; the
/// bound only matters for documents with many distinct inline contexts).
const MAX_DERIVED: usize = 128;

/// Embedded `@context` values up to this many bytes of JSON text are cached (context URL
/// lists and the small inline contexts credentials carry); larger ones are processed each time.
const MAX_CACHED_TEXT: usize = 4096;

/// A cached derived context, with the scoped value kept alive so that its address stays unique.
type Derived = (Option<Arc<Value>>, Arc<Context>);

/// An active context ([JSON-LD 1.1 API §4.1](https://www.w3.org/TR/json-ld11-api/#context-processing-algorithm)).
#[derive(Debug, Default)]
pub(crate) struct Context {
    terms: FxHashMap<Box<str>, TermDef>,
    pub(crate) vocab: Option<Box<str>>,
    pub(crate) language: Option<Box<str>>,
    /// Set by a non-propagated (type-scoped) context: where node objects below revert to.
    pub(crate) previous: Option<Arc<Context>>,
    has_protected: bool,
    /// Derived contexts, with the scoped value kept alive so that its address stays unique.
    derived: RwLock<FxHashMap<DeriveKey, Derived>>,
}

impl Context {
    fn duplicate(&self) -> Context {
        Context {
            terms: self.terms.clone(),
            vocab: self.vocab.clone(),
            language: self.language.clone(),
            previous: self.previous.clone(),
            has_protected: self.has_protected,
            derived: RwLock::new(FxHashMap::default()),
        }
    }

    /// The definition of `term`, if any.
    pub(crate) fn term(&self, term: &str) -> Option<&TermDef> {
        self.terms.get(term)
    }

    /// Applies a scoped context of a term definition (cached).
    pub(crate) fn derive_scoped(
        self: &Arc<Self>,
        scoped: &Arc<Value>,
        override_protected: bool,
        propagate: bool,
    ) -> Result<Arc<Context>, Unsupported> {
        let key = DeriveKey::Scoped {
            addr: Arc::as_ptr(scoped) as usize,
            override_protected,
            propagate,
        };
        if let Some(found) = self.cached(&key) {
            return Ok(found);
        }
        let derived = Arc::new(process(
            self,
            scoped,
            override_protected,
            propagate,
            &mut Vec::new(),
        )?);
        self.remember(key, Some(scoped.clone()), &derived);
        Ok(derived)
    }

    /// Applies an embedded or top-level `@context` value, cached by its JSON text.
    ///
    /// Credentials repeat the same `@context` (Gaia-X Tagus: two context URLs and an inline
    /// `{"@vocab": …}`), so caching by text turns context processing into one lookup. Inline
    /// contexts longer than [`MAX_CACHED_TEXT`] are processed for each document, and each
    /// context caches at most [`MAX_DERIVED`] derived contexts, so documents cannot grow the
    /// caches without bound (an attacker filling the slots only costs later documents speed,
    /// never correctness: the cache holds exactly what processing would produce).
    pub(crate) fn derive_embedded(
        self: &Arc<Self>,
        local: &Value,
    ) -> Result<Arc<Context>, Unsupported> {
        let text =
            serde_json::to_string(local).map_err(|_| Unsupported("unserializable context"))?;
        if text.len() > MAX_CACHED_TEXT {
            return Ok(Arc::new(process(
                self,
                local,
                false,
                true,
                &mut Vec::new(),
            )?));
        }
        let key = DeriveKey::Text(text);
        if let Some(found) = self.cached(&key) {
            return Ok(found);
        }
        let derived = Arc::new(process(self, local, false, true, &mut Vec::new())?);
        self.remember(key, None, &derived);
        Ok(derived)
    }

    fn cached(&self, key: &DeriveKey) -> Option<Arc<Context>> {
        let map = self.derived.read().ok()?;
        map.get(key).map(|(_, c)| c.clone())
    }

    fn remember(&self, key: DeriveKey, keep: Option<Arc<Value>>, derived: &Arc<Context>) {
        if let Ok(mut map) = self.derived.write()
            && map.len() < MAX_DERIVED
        {
            map.insert(key, (keep, derived.clone()));
        }
    }

    /// IRI expansion without a local context ([§5.2](https://www.w3.org/TR/json-ld11-api/#iri-expansion)),
    /// for a document without a base IRI: a relative reference comes back as it is and the
    /// caller refuses it.
    pub(crate) fn expand_iri<'a>(&'a self, value: &'a str, vocab: bool) -> Expanded<'a> {
        if let Some(kw) = keyword(value) {
            return Expanded::Keyword(kw);
        }
        if has_keyword_form(value) {
            return Expanded::Null;
        }
        if vocab && let Some(def) = self.terms.get(value) {
            return match &def.mapping {
                Mapping::Null => Expanded::Null,
                Mapping::Keyword(kw) => Expanded::Keyword(*kw),
                Mapping::Iri(iri) => Expanded::Iri(Cow::Borrowed(iri)),
            };
        }
        if let Some(colon) = value[1.min(value.len())..].find(':').map(|i| i + 1) {
            let (prefix, suffix) = (&value[..colon], &value[colon + 1..]);
            if prefix == "_" || suffix.starts_with("//") {
                return Expanded::Iri(Cow::Borrowed(value));
            }
            if let Some(def) = self.terms.get(prefix)
                && def.prefix
                && let Mapping::Iri(iri) = &def.mapping
            {
                let mut out = String::with_capacity(iri.len() + suffix.len());
                out.push_str(iri);
                out.push_str(suffix);
                return Expanded::Iri(Cow::Owned(out));
            }
            return Expanded::Iri(Cow::Borrowed(value));
        }
        if vocab && let Some(v) = &self.vocab {
            let mut out = String::with_capacity(v.len() + value.len());
            out.push_str(v);
            out.push_str(value);
            return Expanded::Iri(Cow::Owned(out));
        }
        Expanded::Relative
    }
}

/// The result of IRI expansion.
#[derive(Debug)]
pub(crate) enum Expanded<'a> {
    Null,
    Keyword(Kw),
    /// An absolute IRI (not yet checked to be well-formed) or a blank node identifier.
    Iri(Cow<'a, str>),
    /// A relative reference, which would need a base IRI.
    Relative,
}

/// The `@context` entry of each pinned context, parsed once.
fn pinned_context(url: &str) -> Option<Arc<Value>> {
    static PARSED: OnceLock<HashMap<&'static str, Arc<Value>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        let mut map = HashMap::new();
        for pinned in gxa_contexts::PINNED {
            if let Ok(mut doc) = serde_json::from_str::<Value>(pinned.text)
                && let Some(ctx) = doc.get_mut("@context")
            {
                map.insert(pinned.url, Arc::new(ctx.take()));
            }
        }
        map
    });
    parsed.get(url).cloned()
}

/// The initial (empty) active context, shared so that its cache of top-level contexts is too.
pub(crate) fn initial() -> Arc<Context> {
    static INITIAL: OnceLock<Arc<Context>> = OnceLock::new();
    INITIAL.get_or_init(|| Arc::new(Context::default())).clone()
}

/// The Context Processing Algorithm (§4.1.2), for processing mode `json-ld-1.1` and no base IRI.
fn process(
    active: &Arc<Context>,
    local: &Value,
    override_protected: bool,
    propagate: bool,
    remote: &mut Vec<String>,
) -> Result<Context, Unsupported> {
    if remote.len() > 32 {
        return Err(Unsupported("context nesting too deep"));
    }
    let mut result = active.duplicate();
    let mut propagate = propagate;
    if let Value::Object(map) = local
        && let Some(p) = map.get("@propagate")
    {
        propagate = p.as_bool().ok_or(Unsupported("invalid @propagate value"))?;
    }
    if !propagate && result.previous.is_none() {
        result.previous = Some(active.clone());
    }
    let items: &[Value] = match local {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    for item in items {
        match item {
            Value::Null => {
                if !override_protected && result.has_protected {
                    return Err(Unsupported("invalid context nullification"));
                }
                if !propagate {
                    return Err(Unsupported("non-propagated context nullification"));
                }
                result = Context::default();
            }
            Value::String(url) => {
                if remote.iter().any(|r| r == url) {
                    return Err(Unsupported("recursive context inclusion"));
                }
                let loaded = pinned_context(url).ok_or(Unsupported("context is not pinned"))?;
                remote.push(url.clone());
                let current = Arc::new(result);
                result = process(&current, &loaded, false, true, remote)?;
                remote.pop();
            }
            Value::Object(map) => {
                define_all(&mut result, map, override_protected, !remote.is_empty())?
            }
            _ => return Err(Unsupported("invalid local context")),
        }
    }
    Ok(result)
}

/// §4.1.2 step 5.5 onwards for one context definition.
fn define_all(
    result: &mut Context,
    map: &Map<String, Value>,
    override_protected: bool,
    is_remote: bool,
) -> Result<(), Unsupported> {
    if let Some(version) = map.get("@version")
        && version.as_f64() != Some(1.1)
    {
        return Err(Unsupported("invalid @version value"));
    }
    if map.contains_key("@import") {
        return Err(Unsupported("@import"));
    }
    // A base IRI only matters to relative references, which the fast path declines wherever
    // they appear; so an inline `@base` is accepted when the library would accept it too: null
    // or a plain absolute IRI (anything else may be an error or a relative base).
    if let Some(base) = map.get("@base")
        && !is_remote
    {
        match base {
            Value::Null => {}
            Value::String(iri) if is_plain_absolute_iri(iri) => {}
            _ => return Err(Unsupported("@base")),
        }
    }
    if let Some(vocab) = map.get("@vocab") {
        match vocab {
            Value::Null => result.vocab = None,
            Value::String(v) => {
                let expanded = match result.expand_iri(v, true) {
                    Expanded::Iri(iri) if !iri.starts_with("_:") && iri.contains(':') => {
                        iri.into_owned()
                    }
                    _ => return Err(Unsupported("@vocab is not an absolute IRI")),
                };
                result.vocab = Some(expanded.into());
            }
            _ => return Err(Unsupported("invalid vocab mapping")),
        }
    }
    if let Some(language) = map.get("@language") {
        match language {
            Value::Null => result.language = None,
            Value::String(l) => result.language = Some(l.as_str().into()),
            _ => return Err(Unsupported("invalid default language")),
        }
    }
    if let Some(direction) = map.get("@direction")
        && !direction.is_null()
    {
        return Err(Unsupported("@direction"));
    }
    let protected = match map.get("@protected") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(Unsupported("invalid @protected value")),
    };
    let mut builder = Builder {
        result,
        local: map,
        defined: HashMap::new(),
        override_protected,
        protected,
    };
    for term in map.keys() {
        match term.as_str() {
            "@base" | "@direction" | "@import" | "@language" | "@propagate" | "@protected"
            | "@version" | "@vocab" => {}
            _ => builder.define(term)?,
        }
    }
    Ok(())
}

struct Builder<'r, 'l> {
    result: &'r mut Context,
    local: &'l Map<String, Value>,
    defined: HashMap<&'l str, bool>,
    override_protected: bool,
    protected: bool,
}

const DEFINITION_KEYS: &[&str] = &[
    "@id",
    "@reverse",
    "@container",
    "@context",
    "@language",
    "@direction",
    "@nest",
    "@prefix",
    "@protected",
    "@type",
    "@index",
];

impl<'l> Builder<'_, 'l> {
    /// IRI expansion with the local context (§5.2 steps 3 to 5).
    fn expand(&mut self, value: &str, vocab: bool) -> Result<Expanded<'static>, Unsupported> {
        if keyword(value).is_none()
            && !has_keyword_form(value)
            && let Some((key, _)) = self.local.get_key_value(value)
            && self.defined.get(value) != Some(&true)
        {
            self.define(key)?;
        }
        if let Some(colon) = value[1.min(value.len())..].find(':').map(|i| i + 1) {
            let prefix = &value[..colon];
            if let Some((key, _)) = self.local.get_key_value(prefix)
                && self.defined.get(prefix) != Some(&true)
            {
                self.define(key)?;
            }
        }
        Ok(match self.result.expand_iri(value, vocab) {
            Expanded::Null => Expanded::Null,
            Expanded::Keyword(kw) => Expanded::Keyword(kw),
            Expanded::Iri(iri) => Expanded::Iri(Cow::Owned(iri.into_owned())),
            Expanded::Relative => Expanded::Relative,
        })
    }

    /// Create Term Definition (§4.2.2).
    fn define(&mut self, term: &'l str) -> Result<(), Unsupported> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => return Err(Unsupported("cyclic IRI mapping")),
            None => {}
        }
        if term.is_empty() {
            return Err(Unsupported("invalid term definition"));
        }
        self.defined.insert(term, false);
        let value = self.local.get(term).unwrap_or(&Value::Null);
        if term == "@type" {
            return Err(Unsupported("@type term definition"));
        }
        if keyword(term).is_some() {
            return Err(Unsupported("keyword redefinition"));
        }
        if has_keyword_form(term) {
            self.defined.insert(term, true);
            return Ok(());
        }
        let previous = self.result.terms.remove(term);
        let (map, simple): (Cow<'_, Map<String, Value>>, bool) = match value {
            Value::Null => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::Null);
                (Cow::Owned(m), false)
            }
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(s.clone()));
                (Cow::Owned(m), true)
            }
            Value::Object(m) => (Cow::Borrowed(m), false),
            _ => return Err(Unsupported("invalid term definition")),
        };
        let map: &Map<String, Value> = &map;
        if let Some(key) = map.keys().find(|k| !DEFINITION_KEYS.contains(&k.as_str())) {
            let _ = key;
            return Err(Unsupported("invalid term definition entry"));
        }
        let mut def = TermDef {
            mapping: Mapping::Null,
            prefix: false,
            protected: match map.get("@protected") {
                None => self.protected,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(Unsupported("invalid @protected value")),
            },
            type_mapping: None,
            container: 0,
            language: None,
            context: None,
            exotic: None,
        };
        if let Some(ty) = map.get("@type") {
            let Value::String(ty) = ty else {
                return Err(Unsupported("invalid type mapping"));
            };
            def.type_mapping = Some(match self.expand(ty, true)? {
                Expanded::Keyword(Kw::Id) => TypeMapping::Id,
                Expanded::Keyword(Kw::Vocab) => TypeMapping::Vocab,
                Expanded::Keyword(Kw::Json) => TypeMapping::Json,
                Expanded::Keyword(Kw::None) => TypeMapping::None,
                Expanded::Iri(iri) if !iri.starts_with("_:") => TypeMapping::Iri(iri.into()),
                _ => return Err(Unsupported("invalid type mapping")),
            });
        }
        if map.contains_key("@reverse") {
            return Err(Unsupported("@reverse term definition"));
        } else if let Some(id) = map.get("@id").filter(|id| id.as_str() != Some(term)) {
            match id {
                Value::Null => def.mapping = Mapping::Null,
                Value::String(id) => {
                    if keyword(id).is_none() && has_keyword_form(id) {
                        // Ignored, with a warning in the specification.
                        if let Some(previous) = previous {
                            self.result.terms.insert(term.into(), previous);
                        }
                        self.defined.insert(term, true);
                        return Ok(());
                    }
                    def.mapping = match self.expand(id, true)? {
                        Expanded::Keyword(Kw::Context) => {
                            return Err(Unsupported("invalid keyword alias"));
                        }
                        Expanded::Keyword(kw) => Mapping::Keyword(kw),
                        Expanded::Iri(iri) => Mapping::Iri(iri.into()),
                        _ => return Err(Unsupported("invalid IRI mapping")),
                    };
                    let inner_colon = term
                        .char_indices()
                        .any(|(i, c)| c == ':' && i > 0 && i + 1 < term.len());
                    if inner_colon || term.contains('/') {
                        self.defined.insert(term, true);
                        let own = self.expand(term, true)?;
                        let same = match (&own, &def.mapping) {
                            (Expanded::Iri(a), Mapping::Iri(b)) => a.as_ref() == b.as_ref(),
                            _ => false,
                        };
                        if !same {
                            return Err(Unsupported("invalid IRI mapping"));
                        }
                    }
                    if !term.contains(':')
                        && !term.contains('/')
                        && simple
                        && let Mapping::Iri(iri) = &def.mapping
                        && (iri.starts_with("_:")
                            || iri.ends_with([':', '/', '?', '#', '[', ']', '@']))
                    {
                        def.prefix = true;
                    }
                }
                _ => return Err(Unsupported("invalid IRI mapping")),
            }
        } else if let Some(colon) = term[1.min(term.len())..].find(':').map(|i| i + 1) {
            let (prefix, suffix) = (&term[..colon], &term[colon + 1..]);
            if let Some((key, _)) = self.local.get_key_value(prefix) {
                self.define(key)?;
            }
            def.mapping = match self.result.terms.get(prefix).map(|d| &d.mapping) {
                Some(Mapping::Iri(iri)) => Mapping::Iri(format!("{iri}{suffix}").into()),
                _ => Mapping::Iri(term.into()),
            };
        } else if term.contains('/') {
            match self.expand(term, true)? {
                Expanded::Iri(iri) => def.mapping = Mapping::Iri(iri.into()),
                _ => return Err(Unsupported("invalid IRI mapping")),
            }
        } else if let Some(vocab) = &self.result.vocab {
            def.mapping = Mapping::Iri(format!("{vocab}{term}").into());
        } else {
            return Err(Unsupported("invalid IRI mapping"));
        }
        if let Some(container) = map.get("@container") {
            let items: &[Value] = match container {
                Value::Array(items) => items,
                other => std::slice::from_ref(other),
            };
            for item in items {
                def.container |= match item.as_str() {
                    Some("@list") => C_LIST,
                    Some("@set") => C_SET,
                    Some("@graph") => C_GRAPH,
                    Some("@id") => C_ID,
                    Some("@index") => C_INDEX,
                    Some("@language") => C_LANGUAGE,
                    Some("@type") => C_TYPE,
                    _ => return Err(Unsupported("invalid container mapping")),
                };
            }
            let c = def.container;
            let valid = match c {
                C_LIST | C_SET | C_GRAPH | C_ID | C_INDEX | C_LANGUAGE | C_TYPE => true,
                _ if c & C_LIST != 0 => false,
                _ if c & C_GRAPH != 0 => {
                    c & !(C_GRAPH | C_ID | C_INDEX | C_SET) == 0
                        && !(c & C_ID != 0 && c & C_INDEX != 0)
                }
                _ => c & C_SET != 0 && (c & !C_SET).count_ones() == 1,
            };
            if !valid {
                return Err(Unsupported("invalid container mapping"));
            }
            if c & C_TYPE != 0 {
                match def.type_mapping {
                    None => def.type_mapping = Some(TypeMapping::Id),
                    Some(TypeMapping::Id | TypeMapping::Vocab) => {}
                    _ => return Err(Unsupported("invalid type mapping")),
                }
            }
        }
        if let Some(index) = map.get("@index") {
            if !index.is_string() {
                return Err(Unsupported("invalid term definition"));
            }
            def.exotic = Some("@index");
        }
        if let Some(ctx) = map.get("@context") {
            let scoped = Arc::new(ctx.clone());
            // Validate now, as the specification does (§4.2.2 step 21.3): an invalid scoped
            // context is an error even when no document uses the term.
            let current = Arc::new(self.result.duplicate());
            process(&current, &scoped, true, true, &mut Vec::new())?;
            def.context = Some(scoped);
        }
        if let Some(language) = map.get("@language")
            && !map.contains_key("@type")
        {
            def.language = Some(match language {
                Value::Null => None,
                Value::String(l) => Some(l.as_str().into()),
                _ => return Err(Unsupported("invalid language mapping")),
            });
        }
        if let Some(direction) = map.get("@direction")
            && !map.contains_key("@type")
        {
            let _ = direction;
            def.exotic = Some("@direction");
        }
        if let Some(nest) = map.get("@nest") {
            match nest.as_str() {
                // Only compaction uses a term's `@nest`; expansion reads nested entries
                // through the `@nest` key itself, whatever the term definitions say.
                Some(n) if n == "@nest" || keyword(n).is_none() => {}
                _ => return Err(Unsupported("invalid @nest value")),
            }
        }
        if let Some(prefix) = map.get("@prefix") {
            if term.contains(':') || term.contains('/') {
                return Err(Unsupported("invalid term definition"));
            }
            def.prefix = prefix
                .as_bool()
                .ok_or(Unsupported("invalid @prefix value"))?;
            if def.prefix && matches!(def.mapping, Mapping::Keyword(_)) {
                return Err(Unsupported("invalid term definition"));
            }
        }
        if !self.override_protected
            && let Some(previous) = previous
            && previous.protected
        {
            if !def.same_as(&previous)? {
                return Err(Unsupported("protected term redefinition"));
            }
            def = previous;
        }
        self.result.has_protected |= def.protected;
        self.result.terms.insert(term.into(), def);
        self.defined.insert(term, true);
        Ok(())
    }
}
