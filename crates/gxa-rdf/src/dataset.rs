//! An RDF dataset with interned terms.
//!
//! Terms are stored once and quads refer to them by [`TermId`], so that canonicalization can
//! compare and hash blank nodes by index and the JSON-LD converter allocates each IRI once.

use std::collections::HashMap;

/// `http://www.w3.org/2001/XMLSchema#string`, the datatype of a plain literal.
pub const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
/// `http://www.w3.org/1999/02/22-rdf-syntax-ns#langString`, the datatype of a tagged literal.
pub const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/// An RDF literal ([RDF 1.1 Concepts §3.3](https://www.w3.org/TR/rdf11-concepts/#section-Graph-Literal)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal {
    /// The lexical form.
    pub value: Box<str>,
    /// The datatype IRI (`rdf:langString` when `language` is set).
    pub datatype: Box<str>,
    /// The language tag, if any.
    pub language: Option<Box<str>>,
}

/// An RDF term.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// An absolute IRI, without the angle brackets.
    Iri(Box<str>),
    /// A blank node, by its label without `_:`.
    Blank(Box<str>),
    /// A literal.
    Literal(Literal),
}

impl Term {
    /// Whether the term is a blank node.
    pub fn is_blank(&self) -> bool {
        matches!(self, Term::Blank(_))
    }
}

/// The index of an interned term in its [`Dataset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermId(pub(crate) u32);

impl TermId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A quad; `graph` is `None` for the default graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quad {
    /// Subject (IRI or blank node).
    pub subject: TermId,
    /// Predicate (IRI).
    pub predicate: TermId,
    /// Object (any term).
    pub object: TermId,
    /// Graph name (IRI or blank node), `None` for the default graph.
    pub graph: Option<TermId>,
}

/// An RDF dataset: a set of quads over interned terms.
///
/// Duplicate quads are removed on insertion (a dataset is a set,
/// [RDF 1.1 Concepts §4](https://www.w3.org/TR/rdf11-concepts/#section-dataset)).
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    terms: Vec<Term>,
    index: HashMap<Term, TermId>,
    quads: Vec<Quad>,
    seen: std::collections::HashSet<Quad>,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns a term and returns its id.
    pub fn intern(&mut self, term: Term) -> TermId {
        if let Some(id) = self.index.get(&term) {
            return *id;
        }
        let id = TermId(u32::try_from(self.terms.len()).unwrap_or(u32::MAX));
        self.terms.push(term.clone());
        self.index.insert(term, id);
        id
    }

    /// Interns an IRI.
    pub fn iri(&mut self, iri: &str) -> TermId {
        self.intern(Term::Iri(iri.into()))
    }

    /// Interns a blank node by label (without `_:`).
    pub fn blank(&mut self, label: &str) -> TermId {
        self.intern(Term::Blank(label.into()))
    }

    /// Interns a literal.
    pub fn literal(&mut self, value: &str, datatype: &str, language: Option<&str>) -> TermId {
        self.intern(Term::Literal(Literal {
            value: value.into(),
            datatype: datatype.into(),
            language: language.map(Into::into),
        }))
    }

    /// Adds a quad; returns `false` when it was already present.
    pub fn insert(&mut self, quad: Quad) -> bool {
        if self.seen.insert(quad) {
            self.quads.push(quad);
            true
        } else {
            false
        }
    }

    /// The term behind an id.
    ///
    /// # Panics
    ///
    /// When `id` comes from another dataset and is out of range (a caller bug).
    pub fn term(&self, id: TermId) -> &Term {
        &self.terms[id.index()]
    }

    /// The quads, in insertion order.
    pub fn quads(&self) -> &[Quad] {
        &self.quads
    }

    /// The number of quads.
    pub fn len(&self) -> usize {
        self.quads.len()
    }

    /// Whether the dataset has no quads.
    pub fn is_empty(&self) -> bool {
        self.quads.is_empty()
    }

    /// The number of interned terms (ids are `0..term_count()`).
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// The dataset as N-Quads, in insertion order (not canonical).
    pub fn to_nquads(&self) -> String {
        let mut out = String::new();
        for quad in &self.quads {
            crate::nquads::write_quad(&mut out, self, quad, &|label: &str| label.to_owned());
        }
        out
    }
}
