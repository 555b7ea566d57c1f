//! The document loader: pinned contexts only.

use std::collections::HashMap;
use std::sync::Arc;

use iref::{Iri, IriBuf};
use json_ld::{LoadError, RemoteDocument};
use json_syntax::Parse as _;

/// Extra documents a caller may provide (by URL) besides the pinned contexts, e.g. the W3C test
/// suite's files for the conformance harness. The product passes none.
pub trait DocumentSource: Send + Sync {
    /// The document text behind `url`, if this source has it.
    fn document(&self, url: &str) -> Option<String>;
}

#[derive(Debug, thiserror::Error)]
#[error("not pinned")]
pub(crate) struct NotPinned;

/// A [`json_ld::Loader`] over the pinned contexts, each parsed once.
#[derive(Clone)]
pub(crate) struct PinnedLoader {
    parsed: Arc<HashMap<&'static str, json_syntax::Value>>,
    extra: Option<Arc<dyn DocumentSource>>,
}

impl PinnedLoader {
    pub(crate) fn new(extra: Option<Arc<dyn DocumentSource>>) -> Self {
        let mut parsed = HashMap::new();
        for context in gxa_contexts::PINNED {
            // The pinned files are checked to be JSON by gxa-contexts' tests; a file that
            // is not would show up as an unknown context, never as a panic.
            if let Ok((value, _)) = json_syntax::Value::parse_str(context.text) {
                parsed.insert(context.url, value);
            }
        }
        PinnedLoader {
            parsed: Arc::new(parsed),
            extra,
        }
    }
}

impl json_ld::Loader for PinnedLoader {
    async fn load(&self, url: &Iri) -> Result<RemoteDocument<IriBuf>, LoadError> {
        let key = url.as_str();
        if let Some(value) = self.parsed.get(key) {
            return Ok(RemoteDocument::new(
                Some(url.to_owned()),
                None,
                value.clone(),
            ));
        }
        if let Some(text) = self.extra.as_ref().and_then(|e| e.document(key))
            && let Ok((value, _)) = json_syntax::Value::parse_str(&text)
        {
            return Ok(RemoteDocument::new(Some(url.to_owned()), None, value));
        }
        Err(LoadError::new(url.to_owned(), NotPinned))
    }
}
