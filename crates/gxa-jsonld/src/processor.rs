//! The processor: JSON text → RDF dataset, over the pinned contexts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use gxa_rdf::{Dataset, Quad, Term};
use iref::IriBuf;
use json_ld::rdf::RdfQuads as _;
use json_ld::{JsonLdProcessor as _, RemoteDocument};
use json_syntax::Parse as _;
use rdf_types::{Id, LiteralType};

use crate::error::JsonLdError;
use crate::fast::Unsupported as FastPathUnsupported;
use crate::loader::{DocumentSource, PinnedLoader};

/// The JSON-LD processing mode ([JSON-LD 1.1 §4.1.2](https://www.w3.org/TR/json-ld11-api/#dom-jsonldoptions-processingmode)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcessingMode {
    /// `json-ld-1.1`, the default.
    #[default]
    JsonLd11,
    /// `json-ld-1.0`.
    JsonLd10,
}

/// How `@direction` is written to RDF ([JSON-LD 1.1 API `rdfDirection`](https://www.w3.org/TR/json-ld11-api/#dom-jsonldoptions-rdfdirection)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfDirection {
    /// `i18n-datatype`.
    I18nDatatype,
    /// `compound-literal`.
    CompoundLiteral,
}

/// Options of [`Processor::to_rdf`].
#[derive(Debug, Clone, Default)]
pub struct ToRdfOptions {
    /// Reject terms, types and references that do not expand to absolute IRIs.
    pub strict: bool,
    /// The document's base IRI.
    pub base: Option<String>,
    /// A context URL applied before the document's own (`expandContext`).
    pub expand_context: Option<String>,
    /// The processing mode.
    pub processing_mode: ProcessingMode,
    /// How to write `@direction`; `None` drops it, as the specification's default does.
    pub rdf_direction: Option<RdfDirection>,
    /// Keep quads with blank-node predicates (generalized RDF).
    pub produce_generalized_rdf: bool,
}

impl ToRdfOptions {
    /// Strict mode, no base: what every signer and verifier of gx-attest uses.
    pub fn strict() -> Self {
        ToRdfOptions {
            strict: true,
            ..ToRdfOptions::default()
        }
    }

    /// Standard JSON-LD behaviour: undefined terms are dropped (for the W3C suite and for
    /// diagnostics, never for signing).
    pub fn lenient() -> Self {
        ToRdfOptions::default()
    }
}

/// Turns JSON-LD into RDF over the pinned contexts.
///
/// Cheap to clone; the pinned contexts are parsed once per processor.
#[derive(Clone)]
pub struct Processor {
    loader: PinnedLoader,
    /// Processed contexts of the library path, by [`ContextKey`].
    processed: Arc<Mutex<HashMap<ContextKey, Arc<ProcessedContext>>>>,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor").finish_non_exhaustive()
    }
}

impl Processor {
    /// The shared processor over the pinned contexts only.
    pub fn pinned() -> &'static Processor {
        static PINNED: OnceLock<Processor> = OnceLock::new();
        PINNED.get_or_init(|| Processor {
            loader: PinnedLoader::new(None),
            processed: Arc::default(),
        })
    }

    /// A processor that also resolves URLs from `extra` (used by the conformance harness to
    /// serve the W3C suite's own files; never by the product).
    pub fn with_documents(extra: Arc<dyn DocumentSource>) -> Processor {
        Processor {
            loader: PinnedLoader::new(Some(extra)),
            processed: Arc::default(),
        }
    }

    /// JSON-LD text → RDF dataset. Duplicate keys in the text are an error.
    ///
    /// Takes the fast path when it supports the document, else the library path; the result
    /// is the same either way (see [`Processor::to_rdf_fast`]).
    pub fn to_rdf_str(&self, text: &str, options: &ToRdfOptions) -> Result<Dataset, JsonLdError> {
        crate::limits::check_text_depth(text)?;
        if let Ok(value) = crate::fast::parse(text)
            && let Ok(dataset) = crate::fast::to_rdf(&value, options)
        {
            return Ok(dataset);
        }
        self.to_rdf_str_library(text, options)
    }

    /// JSON-LD (already parsed) → RDF dataset, on the fast path when it supports the document.
    pub fn to_rdf(
        &self,
        document: &serde_json::Value,
        options: &ToRdfOptions,
    ) -> Result<Dataset, JsonLdError> {
        crate::limits::check_value_depth(document)?;
        match crate::fast::to_rdf(document, options) {
            Ok(dataset) => Ok(dataset),
            Err(_) => self.to_rdf_library(document, options),
        }
    }

    /// The fast path alone: contexts compiled once into term tables, one pass from JSON to
    /// quads. It declines ([`FastPathUnsupported`]) any document it does not fully support,
    /// including every document the library path would reject or would silently drop parts
    /// of; when it answers, the dataset equals the library path's up to blank node labels.
    /// The pinned contexts are the only remote contexts it reads.
    pub fn to_rdf_fast(
        &self,
        document: &serde_json::Value,
        options: &ToRdfOptions,
    ) -> Result<Dataset, FastPathUnsupported> {
        crate::fast::to_rdf(document, options)
    }

    /// JSON-LD text → RDF dataset on the library path only (the `json-ld` crate): the
    /// reference the fast path is tested against.
    pub fn to_rdf_str_library(
        &self,
        text: &str,
        options: &ToRdfOptions,
    ) -> Result<Dataset, JsonLdError> {
        crate::limits::check_text_depth(text)?;
        let (value, _) =
            json_syntax::Value::parse_str(text).map_err(|e| JsonLdError::Json(e.to_string()))?;
        check_duplicate_keys(&value)?;
        self.value_to_rdf(value, options)
    }

    /// JSON-LD (already parsed) → RDF dataset on the library path only.
    pub fn to_rdf_library(
        &self,
        document: &serde_json::Value,
        options: &ToRdfOptions,
    ) -> Result<Dataset, JsonLdError> {
        crate::limits::check_value_depth(document)?;
        self.value_to_rdf(
            json_syntax::Value::from_serde_json(document.clone()),
            options,
        )
    }

    /// JSON-LD → canonical N-Quads (strict mode, RDFC-1.0 with SHA-256 and the default work
    /// limit): the form every proof in gx-attest hashes.
    pub fn canonicalize(&self, document: &serde_json::Value) -> Result<String, JsonLdError> {
        let dataset = self.to_rdf(document, &ToRdfOptions::strict())?;
        Ok(gxa_rdf::canonicalize(&dataset, &gxa_rdf::CanonicalizeOptions::default())?.nquads)
    }

    fn value_to_rdf(
        &self,
        value: json_syntax::Value,
        options: &ToRdfOptions,
    ) -> Result<Dataset, JsonLdError> {
        let base = match &options.base {
            Some(base) => Some(
                IriBuf::new(base.clone()).map_err(|_| JsonLdError::Processing {
                    code: "invalid base IRI".into(),
                    message: base.clone(),
                })?,
            ),
            None => None,
        };
        let expand_context = match &options.expand_context {
            Some(url) => Some(json_ld::RemoteContextReference::iri(
                IriBuf::new(url.clone()).map_err(|_| JsonLdError::Processing {
                    code: "invalid remote context".into(),
                    message: url.clone(),
                })?,
            )),
            None => None,
        };
        let mut ld_options = json_ld::Options::<IriBuf> {
            base: base.clone(),
            expand_context,
            processing_mode: match options.processing_mode {
                ProcessingMode::JsonLd11 => json_ld::ProcessingMode::JsonLd1_1,
                ProcessingMode::JsonLd10 => json_ld::ProcessingMode::JsonLd1_0,
            },
            rdf_direction: options.rdf_direction.map(|d| match d {
                RdfDirection::I18nDatatype => json_ld::rdf::RdfDirection::I18nDatatype,
                RdfDirection::CompoundLiteral => json_ld::rdf::RdfDirection::CompoundLiteral,
            }),
            produce_generalized_rdf: options.produce_generalized_rdf,
            ..json_ld::Options::default()
        };
        if options.strict {
            ld_options.expansion_policy = json_ld::expansion::Policy {
                invalid: json_ld::expansion::Action::Keep,
                vocab: json_ld::expansion::Action::Keep,
                allow_undefined: false,
            };
        }
        let rdf_direction = ld_options.rdf_direction;
        let produce_generalized_rdf = ld_options.produce_generalized_rdf;
        // What `JsonLdProcessor::to_rdf_full` does, in two steps so that the expansion can
        // start from a context processed earlier (`expand_with_cached_context`).
        let ld_options = ld_options.unordered();
        let mut expanded = match self.expand_with_cached_context(&value, base.as_ref(), &ld_options)
        {
            Some(expanded) => expanded,
            None => {
                let document = RemoteDocument::new(base, None, value);
                futures::executor::block_on(document.expand_full(
                    &mut (),
                    &self.loader,
                    ld_options,
                    (),
                ))
                .map_err(|e| map_error(json_ld::ToRdfError::Expand(e)))?
            }
        };
        let mut generator = rdf_types::generator::Blank::new_with_prefix("b".to_owned());
        expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
        if options.strict {
            crate::strict::check(&expanded)?;
        }
        let mut dataset = Dataset::new();
        let mut vocabulary = ();
        for quad in expanded
            .rdf_quads_full(
                &mut vocabulary,
                &mut generator,
                rdf_direction,
                produce_generalized_rdf,
            )
            .cloned()
        {
            let rdf_types::Quad(s, p, o, g) = quad;
            let subject = id_term(&mut dataset, s);
            let predicate = id_term(&mut dataset, p);
            let object = match o {
                rdf_types::Term::Id(id) => id_term(&mut dataset, id),
                rdf_types::Term::Literal(literal) => {
                    let (datatype, language) = match literal.type_ {
                        LiteralType::Any(iri) => (iri.into_string(), None),
                        // Language tags in lower case, as jsonld.js and PyLD write them
                        // (BCP 47 tags are case-insensitive; the signers of the field hash
                        // the lower-case form).
                        LiteralType::LangString(tag) => (
                            gxa_rdf::RDF_LANG_STRING.to_owned(),
                            Some(tag.to_string().to_ascii_lowercase()),
                        ),
                    };
                    dataset.literal(&literal.value, &datatype, language.as_deref())
                }
            };
            let graph = g.map(|g| id_term(&mut dataset, g));
            dataset.insert(Quad {
                subject,
                predicate,
                object,
                graph,
            });
        }
        Ok(dataset)
    }
}

/// A context after the context processing algorithm.
type ProcessedContext = json_ld::Context<IriBuf, rdf_types::BlankIdBuf>;

/// The key of a processed context: the leading context URLs of a document's `@context`, its
/// base IRI and the processing mode.
type ContextKey = (Vec<String>, Option<String>, bool);

/// At most this many processed contexts are kept; documents can name the pinned contexts in
/// any combination and order, so the number of keys is bounded here, not by the input.
const MAX_PROCESSED_CONTEXTS: usize = 128;

impl Processor {
    /// The library path's shortcut: a document whose `@context` starts with context URLs (as
    /// nearly every credential's does) is expanded from the processed form of those contexts,
    /// kept from an earlier document, with only the rest of its `@context` (an inline context)
    /// processed for it. That is what the expansion algorithm computes itself
    /// ([JSON-LD 1.1 API §4.1.2 step 9](https://www.w3.org/TR/json-ld11-api/#expansion-algorithm):
    /// the `@context` of the top-level map is processed against the initial context, an array
    /// one entry after the other, §4.1.2 of context processing step 5), without processing the
    /// large pinned contexts again for every document (about half the library path's time).
    ///
    /// `None` — the caller takes the whole algorithm — when the document is not a map with
    /// such a `@context`, when a context would not propagate (`@propagate: false` keeps a
    /// previous context, which the algorithm handles at the top-level map itself), or on any
    /// error (reported by the whole algorithm, the same way for every document).
    fn expand_with_cached_context(
        &self,
        value: &json_syntax::Value,
        base: Option<&IriBuf>,
        ld_options: &json_ld::Options<IriBuf>,
    ) -> Option<json_ld::ExpandedDocument<IriBuf, rdf_types::BlankIdBuf>> {
        use json_ld::Expand as _;
        use json_ld::syntax::TryFromJson as _;

        if ld_options.expand_context.is_some() {
            return None;
        }
        let json_syntax::Value::Object(object) = value else {
            return None;
        };
        let context = object.get_unique("@context").ok()??;
        let entries: Vec<&json_syntax::Value> = match context {
            json_syntax::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let urls: Vec<String> = entries
            .iter()
            .map_while(|entry| entry.as_str().map(str::to_owned))
            .collect();
        if urls.is_empty() {
            return None;
        }
        let processing_options = ld_options.context_processing_options();
        let key: ContextKey = (
            urls,
            base.map(|b| b.as_str().to_owned()),
            ld_options.processing_mode == json_ld::ProcessingMode::JsonLd1_0,
        );
        let cached = self
            .processed
            .lock()
            .ok()
            .and_then(|map| map.get(&key).cloned());
        let prefix = match cached {
            Some(prefix) => prefix,
            None => {
                let local =
                    json_ld::syntax::context::Context::try_from_json(json_syntax::Value::Array(
                        key.0
                            .iter()
                            .map(|url| json_syntax::Value::String(url.as_str().into()))
                            .collect(),
                    ))
                    .ok()?;
                let initial = json_ld::Context::new(base.cloned());
                let processed =
                    Arc::new(self.process(&local, &initial, base, processing_options)?);
                if let Ok(mut map) = self.processed.lock()
                    && map.len() < MAX_PROCESSED_CONTEXTS
                {
                    map.insert(key.clone(), processed.clone());
                }
                processed
            }
        };
        let rest = &entries[key.0.len()..];
        // Processing `rest` on its own starts with no remote contexts, where the whole
        // `@context` would have the prefix's URLs in its list of them (context processing
        // step 5.2.3: a URL listed is not dereferenced again; step 5.7: `@base` counts only
        // while the list is empty). Only a rest on which that list has no bearing is taken
        // here: inline definitions without `@base` that name none of the prefix's URLs.
        let independent = rest.iter().all(|entry| match entry {
            json_syntax::Value::Object(definition) => {
                definition.get_unique("@base").ok().flatten().is_none()
                    && !mentions_any(entry, &key.0)
            }
            _ => false,
        });
        if !independent {
            return None;
        }
        let active = if rest.is_empty() {
            (*prefix).clone()
        } else {
            let local = json_ld::syntax::context::Context::try_from_json(
                json_syntax::Value::Array(rest.iter().map(|v| (*v).clone()).collect()),
            )
            .ok()?;
            self.process(&local, &prefix, base, processing_options)?
        };
        let mut body = object.clone();
        body.remove("@context");
        futures::executor::block_on(json_syntax::Value::Object(body).expand_full(
            &mut (),
            active,
            base,
            &self.loader,
            ld_options.expansion_options(),
            (),
        ))
        .ok()
    }
}

impl Processor {
    /// Context processing of `local` on `active`; `None` on an error, or when the result keeps
    /// a previous context (`@propagate: false`), which only the whole algorithm handles.
    fn process(
        &self,
        local: &json_ld::syntax::context::Context,
        active: &ProcessedContext,
        base: Option<&IriBuf>,
        options: json_ld::context_processing::Options,
    ) -> Option<ProcessedContext> {
        use json_ld::Process as _;
        let processed = futures::executor::block_on(local.process_full(
            &mut (),
            active,
            &self.loader,
            base.cloned(),
            options,
            (),
        ))
        .ok()?
        .into_processed();
        processed.previous_context().is_none().then_some(processed)
    }
}

/// Whether any string in `value` (keys included) is one of `urls`.
fn mentions_any(value: &json_syntax::Value, urls: &[String]) -> bool {
    match value {
        json_syntax::Value::String(text) => urls.iter().any(|u| u.as_str() == text.as_str()),
        json_syntax::Value::Array(items) => items.iter().any(|v| mentions_any(v, urls)),
        json_syntax::Value::Object(object) => object.iter().any(|entry| {
            urls.iter().any(|u| u.as_str() == entry.key.as_str())
                || mentions_any(&entry.value, urls)
        }),
        _ => false,
    }
}

fn id_term(dataset: &mut Dataset, id: Id<IriBuf, rdf_types::BlankIdBuf>) -> gxa_rdf::TermId {
    match id {
        Id::Iri(iri) => dataset.intern(Term::Iri(iri.into_string().into())),
        Id::Blank(blank) => {
            let label = blank
                .as_str()
                .strip_prefix("_:")
                .unwrap_or(blank.as_str())
                .to_owned();
            dataset.intern(Term::Blank(label.into()))
        }
    }
}

fn map_error(error: json_ld::ToRdfError) -> JsonLdError {
    let json_ld::ToRdfError::Expand(expand) = error;
    let code = expand.code().as_str().to_owned();
    let unknown = match &expand {
        json_ld::ExpandError::Loading(load) => Some(load.target.to_string()),
        json_ld::ExpandError::ContextLoading(json_ld::ContextLoadError::LoadingDocumentFailed(
            load,
        )) => Some(load.target.to_string()),
        json_ld::ExpandError::ContextProcessing(
            json_ld::context_processing::Error::ContextLoadingFailed(load),
        ) => Some(load.target.to_string()),
        _ => None,
    };
    let unknown = unknown.or_else(|| match &expand {
        json_ld::ExpandError::Expansion(json_ld::expansion::Error::ContextProcessing(
            json_ld::context_processing::Error::ContextLoadingFailed(load),
        )) => Some(load.target.to_string()),
        _ => None,
    });
    if let Some(url) = unknown {
        return JsonLdError::UnknownContext(url);
    }
    if let json_ld::ExpandError::Expansion(json_ld::expansion::Error::KeyExpansionFailed(term)) =
        &expand
    {
        return JsonLdError::UndefinedTerm {
            term: term.clone(),
            role: "property",
        };
    }
    JsonLdError::Processing {
        code,
        message: expand.to_string(),
    }
}

fn check_duplicate_keys(value: &json_syntax::Value) -> Result<(), JsonLdError> {
    match value {
        json_syntax::Value::Array(items) => items.iter().try_for_each(check_duplicate_keys),
        json_syntax::Value::Object(object) => {
            let mut seen = std::collections::HashSet::new();
            for entry in object.iter() {
                if !seen.insert(entry.key.as_str()) {
                    return Err(JsonLdError::DuplicateKey(entry.key.to_string()));
                }
                check_duplicate_keys(&entry.value)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
