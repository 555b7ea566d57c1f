//! The fast path: JSON-LD → RDF without the `json-ld` crate, for documents whose contexts the
//! fast path fully understands (typically pinned context URLs, plus small inline contexts).
//!
//! Contexts are compiled once into term tables ([`context`]) and cached by the context they
//! derive from, so a credential costs one pass over its JSON ([`emit`]). The fast path covers
//! what credentials use: keyword aliases, compact IRIs, `@vocab`, type coercion (`@id`, `@vocab`,
//! datatypes), native literals, `@language`, `@set`/`@list`/`@graph` containers, type- and
//! property-scoped contexts with JSON-LD 1.1 propagation rules, and `@protected`.
//!
//! **Invariant:** the fast path never decides alone. It either produces exactly the dataset
//! the library path would (up to blank node labels) or returns [`Unsupported`], and the
//! [`Processor`](crate::Processor) then runs the library path. Errors (undefined terms in
//! strict mode, invalid IRIs, unknown contexts, …) are always reported by the library path:
//! the fast path returns [`Unsupported`] on anything that is or might be an error, so its
//! coverage can never change an outcome. The differential test
//! (`gxa-conformance/tests/json_ld_fast_path.rs`) checks this on the whole W3C toRdf suite
//! (lenient and strict), on the credential fixtures and on generated variants.
//!
//! **Caches:** a processed `@context` value is cached on the context it applies to by its JSON
//! text (up to 4 KiB of text: URL lists and small inline contexts), and every context caches
//! the contexts derived from it by a scoped context, at most `MAX_DERIVED` each, so memory
//! stays bounded whatever documents come in.

mod context;
mod emit;
mod lexical;

use gxa_rdf::Dataset;
use serde_json::Value;

use crate::processor::{ProcessingMode, ToRdfOptions};

/// Why the fast path declined a document; the library path handles it instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("fast path unsupported: {0}")]
pub struct Unsupported(pub(crate) &'static str);

impl Unsupported {
    /// The construct (or error condition) that made the fast path decline, for diagnostics.
    pub fn reason(&self) -> &'static str {
        self.0
    }
}

/// Whether the options leave anything for the fast path to do: `expandContext` and JSON-LD 1.0
/// processing are left to the library. A base IRI is accepted because the fast path never
/// resolves relative references (it declines them).
fn eligible(options: &ToRdfOptions) -> Result<(), Unsupported> {
    if options.expand_context.is_some() {
        return Err(Unsupported("expandContext option"));
    }
    if options.processing_mode != ProcessingMode::JsonLd11 {
        return Err(Unsupported("processing mode json-ld-1.0"));
    }
    Ok(())
}

/// JSON-LD (parsed) → RDF dataset on the fast path.
pub(crate) fn to_rdf(document: &Value, options: &ToRdfOptions) -> Result<Dataset, Unsupported> {
    eligible(options)?;
    let mut emitter = emit::Emitter::new();
    emitter.document(&context::initial(), document)?;
    Ok(emitter.finish())
}

/// JSON text → value, refusing duplicate keys (the library path reports them; here they are
/// merely unsupported).
pub(crate) fn parse(text: &str) -> Result<Value, Unsupported> {
    gxa_credential::json::parse(text, &gxa_credential::json::Budget::unlimited())
        .map_err(|_| Unsupported("JSON the fast parser refuses"))
}
