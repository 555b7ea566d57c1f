//! Bounded YAML loading shared by scopes and reports.
//!
//! Reports come from outside (operators, CI runners), so the loader is defensive:
//!
//! * the whole input is refused above [`Limits::max_bytes`] before any parsing;
//! * a stream may hold at most [`Limits::max_documents`] documents, and at most
//!   [`Limits::max_nodes`] nodes (scalars, sequences and mappings, aliases counted as often as
//!   they are replayed) in all: a megabyte of tiny maps costs far more memory than its size;
//! * alias expansion is bounded by the parser (`serde_norway` stops replaying aliases once
//!   they exceed 100 times the document's own event count, so a "billion laughs" document
//!   fails fast) and nesting by this module (100 levels, below the parser's 128).
//!
//! Each stream is read twice: first by a counting visitor that keeps nothing (it follows every
//! alias and every nesting level, so the parser's limits and the node budget apply to the whole
//! document), which
//! separates YAML-level problems (syntax, alias bombs, nesting) from schema problems (wrong types,
//! missing or unknown keys) found by the second, typed pass. YAML 1.2 streams: <https://yaml.org/spec/1.2.2/#streams>.

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Size limits for YAML input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (the whole stream).
    pub max_bytes: usize,
    /// Most documents accepted in one stream.
    pub max_documents: usize,
    /// Most YAML nodes in the whole stream.
    pub max_nodes: usize,
}

impl Default for Limits {
    /// 16 MiB, 1,000 documents and 250,000 nodes: far above any real report (the checker's
    /// reports are tens of kilobytes and a few thousand nodes; Sonobuoy logs can reach a few
    /// megabytes, as long strings).
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_documents: 1000,
            max_nodes: 250_000,
        }
    }
}

/// A YAML stream that could not be read. `document` counts from 1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum YamlError {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The stream holds more than [`Limits::max_documents`] documents.
    #[error("more than {limit} YAML documents in one stream")]
    TooManyDocuments {
        /// The configured limit.
        limit: usize,
    },
    /// The input is not UTF-8.
    #[error("input is not UTF-8 text: {0}")]
    NotUtf8(#[from] std::str::Utf8Error),
    /// Alias expansion exceeded the repetition limit: an alias ("billion laughs") bomb.
    #[error("YAML document {document}: aliases expand beyond the repetition limit (alias bomb)")]
    AliasBomb {
        /// Which document.
        document: usize,
    },
    /// The stream holds more than [`Limits::max_nodes`] nodes.
    #[error("YAML document {document}: more than {limit} nodes in the stream")]
    TooManyNodes {
        /// The document in which the budget ran out.
        document: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Nesting deeper than the parser's recursion limit.
    #[error("YAML document {document}: nested deeper than the recursion limit")]
    TooDeep {
        /// Which document.
        document: usize,
    },
    /// Not well-formed YAML.
    #[error("YAML document {document} is malformed: {message}")]
    Syntax {
        /// Which document.
        document: usize,
        /// The parser's message, with line and column.
        message: String,
    },
    /// Well-formed YAML of the wrong shape: a wrong type, a missing or an unknown key.
    #[error("YAML document {document} has the wrong shape: {message}")]
    Schema {
        /// Which document.
        document: usize,
        /// The deserializer's message, with the key path, line and column.
        message: String,
    },
    /// The stream holds no document where one was expected.
    #[error("the YAML input holds no document")]
    Empty,
}

/// Classifies an error of the first (counting) pass.
///
/// The node budget and the nesting limit are the [`Counter`]'s own, so it records which one it
/// hit. Of the parser's errors, the repetition limit is the one that carries no location:
/// `serde_norway` attaches the position of the offending event to every other error that
/// `deserialize_any` can raise on a stream (`Error::location`), and the counting pass never
/// reaches the parser's recursion limit because its own [`MAX_DEPTH`] is lower.
fn yaml_level(
    document: usize,
    err: &serde_norway::Error,
    budget: &Budget,
    limit: usize,
) -> YamlError {
    match budget.hit.get() {
        Some(Hit::Nodes) => YamlError::TooManyNodes { document, limit },
        Some(Hit::Depth) => YamlError::TooDeep { document },
        None if err.location().is_none() => YamlError::AliasBomb { document },
        None => YamlError::Syntax {
            document,
            message: err.to_string(),
        },
    }
}

/// Deepest nesting of sequences, mappings and tags the counting pass follows: below the
/// parser's own recursion limit (128), so a deep document is refused here, by a limit this
/// module knows it hit.
const MAX_DEPTH: usize = 100;

/// Which of the counting pass's own limits was hit.
#[derive(Debug, Clone, Copy)]
enum Hit {
    Nodes,
    Depth,
}

/// What the counting pass shares across a stream: the nodes left, and the limit hit, if any.
struct Budget {
    left: std::cell::Cell<usize>,
    hit: std::cell::Cell<Option<Hit>>,
}

/// Visits a YAML node and everything below it, keeping nothing, counts the nodes against a
/// budget shared by the whole stream and bounds the nesting depth.
struct Counter<'a> {
    budget: &'a Budget,
    depth: usize,
}

impl Counter<'_> {
    fn spend<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.budget.left.get().checked_sub(1) {
            Some(left) => {
                self.budget.left.set(left);
                Ok(())
            }
            None => self.refuse(Hit::Nodes),
        }
    }

    /// Spends a node for a container and returns the counter for its children.
    fn enter<E: serde::de::Error>(&self) -> Result<Self, E> {
        self.spend()?;
        if self.depth >= MAX_DEPTH {
            return self.refuse(Hit::Depth);
        }
        Ok(Counter {
            budget: self.budget,
            depth: self.depth + 1,
        })
    }

    fn refuse<T, E: serde::de::Error>(&self, hit: Hit) -> Result<T, E> {
        self.budget.hit.set(Some(hit));
        Err(E::custom(match hit {
            Hit::Nodes => "YAML node budget exhausted",
            Hit::Depth => "YAML nesting limit exceeded",
        }))
    }

    fn child(&self) -> Self {
        Counter {
            budget: self.budget,
            depth: self.depth,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Counter<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.spend()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.spend()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.spend()
    }
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<(), E> {
        self.spend()
    }
    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<(), E> {
        self.spend()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.spend()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.spend()
    }
    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<(), E> {
        self.spend()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.spend()
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.spend()
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while seq.next_element_seed(inner.child())?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.enter()?;
        while map.next_key_seed(inner.child())?.is_some() {
            map.next_value_seed(inner.child())?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged node (`!tag value`): the tag and its value.
        use serde::de::VariantAccess as _;
        let inner = self.enter()?;
        let ((), variant) = data.variant_seed(inner.child())?;
        variant.newtype_variant_seed(inner.child())
    }
}

fn check_size(bytes: &[u8], limits: Limits) -> Result<&str, YamlError> {
    if bytes.len() > limits.max_bytes {
        return Err(YamlError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    Ok(std::str::from_utf8(bytes)?)
}

/// Parses every document of a stream into `T`. A document that is empty or `null` is skipped
/// (the checker writes `---` before every report, so a stream may start or end with one).
pub(crate) fn documents<T: DeserializeOwned>(
    bytes: &[u8],
    limits: Limits,
) -> Result<Vec<(usize, T)>, YamlError> {
    let text = check_size(bytes, limits)?;
    // Pass 1: YAML level only (and the node budget), keeping nothing.
    let mut count = 0;
    let budget = Budget {
        left: std::cell::Cell::new(limits.max_nodes),
        hit: std::cell::Cell::new(None),
    };
    for (index, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        if index >= limits.max_documents {
            return Err(YamlError::TooManyDocuments {
                limit: limits.max_documents,
            });
        }
        let counter = Counter {
            budget: &budget,
            depth: 0,
        };
        serde::de::DeserializeSeed::deserialize(counter, document)
            .map_err(|e| yaml_level(index + 1, &e, &budget, limits.max_nodes))?;
        count = index + 1;
    }
    // Pass 2: typed.
    let mut out = Vec::with_capacity(count);
    for (index, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        let value: Option<T> =
            Option::<T>::deserialize(document).map_err(|e| YamlError::Schema {
                document: index + 1,
                message: e.to_string(),
            })?;
        if let Some(value) = value {
            out.push((index + 1, value));
        }
    }
    Ok(out)
}

/// Parses a stream that must hold exactly one non-empty document.
pub(crate) fn single<T: DeserializeOwned>(bytes: &[u8], limits: Limits) -> Result<T, YamlError> {
    let mut docs = documents::<T>(bytes, limits)?;
    match docs.len() {
        0 => Err(YamlError::Empty),
        1 => docs.pop().map(|(_, v)| v).ok_or(YamlError::Empty),
        _ => Err(YamlError::Schema {
            document: 2,
            message: "expected a single YAML document".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Doc {
        #[expect(dead_code, reason = "only parsed")]
        a: i64,
    }

    #[test]
    fn alias_bomb_is_refused() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n\
                    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
                    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n\
                    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
                    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n\
                    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n\
                    i: [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
        let err = documents::<Doc>(bomb.as_bytes(), Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::AliasBomb { document: 1 }), "{err}");
    }

    #[test]
    fn node_budget_spans_the_stream() {
        let limits = Limits {
            max_nodes: 7,
            ..Limits::default()
        };
        // `{a: 1}`: the map, its key and its value.
        assert_eq!(
            documents::<Doc>(b"a: 1\n---\na: 2\n", limits)
                .unwrap()
                .len(),
            2
        );
        let err = documents::<Doc>(b"a: 1\n---\na: 2\n---\na: 3\n", limits).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::TooManyNodes {
                    document: 3,
                    limit: 7
                }
            ),
            "{err}"
        );
        // Many tiny maps: refused by count, whatever their size in bytes.
        let maps = "- {a: 1}\n".repeat(90_000);
        let err = documents::<Vec<Doc>>(maps.as_bytes(), Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::TooManyNodes { .. }), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("a: {}{}", "[".repeat(500), "]".repeat(500));
        let err = documents::<Doc>(deep.as_bytes(), Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::TooDeep { document: 1 }), "{err}");
        // The limit is this module's: 100 nested sequences are read, 101 are refused.
        let at = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(
            documents::<serde_norway::Value>(at(MAX_DEPTH).as_bytes(), Limits::default()).is_ok()
        );
        let err = documents::<serde_norway::Value>(at(MAX_DEPTH + 1).as_bytes(), Limits::default())
            .unwrap_err();
        assert!(matches!(err, YamlError::TooDeep { document: 1 }), "{err}");
    }

    #[test]
    fn size_and_count_limits() {
        let limits = Limits {
            max_bytes: 10,
            max_documents: 2,
            ..Limits::default()
        };
        let err = documents::<Doc>(b"a: 100000000000", limits).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::TooLarge {
                    size: 15,
                    limit: 10
                }
            ),
            "{err}"
        );
        let err = documents::<Doc>(
            b"a: 1\n---\na: 2\n---\na: 3\n",
            Limits {
                max_bytes: 100,
                max_documents: 2,
                ..Limits::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(err, YamlError::TooManyDocuments { limit: 2 }),
            "{err}"
        );
    }

    #[test]
    fn syntax_and_schema_errors_differ() {
        let err = documents::<Doc>(b"a: [1, 2", Limits::default()).unwrap_err();
        assert!(
            matches!(err, YamlError::Syntax { document: 1, .. }),
            "{err}"
        );
        let err =
            documents::<Doc>(b"---\na: 1\n---\na: yes please\n", Limits::default()).unwrap_err();
        assert!(
            matches!(err, YamlError::Schema { document: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("invalid type"), "{err}");
        let err = documents::<Doc>(b"\xff\xfe", Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::NotUtf8(_)), "{err}");
    }

    #[test]
    fn empty_documents_are_skipped() {
        let docs = documents::<Doc>(b"---\n---\na: 1\n---\n", Limits::default()).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].0, 2);
        assert!(matches!(
            single::<Doc>(b"", Limits::default()),
            Err(YamlError::Empty)
        ));
    }
}
