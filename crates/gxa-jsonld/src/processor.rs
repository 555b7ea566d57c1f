//! The processor: JSON text → RDF dataset, over the pinned contexts.

use std::sync::{Arc, OnceLock};

use gxa_rdf::{Dataset, Quad, Term};
use iref::IriBuf;
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
        })
    }

    /// A processor that also resolves URLs from `extra` (used by the conformance harness to
    /// serve the W3C suite's own files; never by the product).
    pub fn with_documents(extra: Arc<dyn DocumentSource>) -> Processor {
        Processor {
            loader: PinnedLoader::new(Some(extra)),
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
        let document = RemoteDocument::new(base, None, value);
        let mut generator = rdf_types::generator::Blank::new_with_prefix("b".to_owned());
        let future = document.to_rdf_full((), &mut generator, &self.loader, ld_options, ());
        let mut to_rdf = futures::executor::block_on(future).map_err(map_error)?;
        if options.strict {
            crate::strict::check(to_rdf.document())?;
        }
        let mut dataset = Dataset::new();
        for quad in to_rdf.cloned_quads() {
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
