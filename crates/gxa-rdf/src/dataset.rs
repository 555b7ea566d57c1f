//! An RDF dataset with interned terms.
//!
//! Terms are stored once and quads refer to them by [`TermId`], so that canonicalization can
//! compare and hash blank nodes by index and the JSON-LD converter allocates each IRI once.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

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

/// A borrowed view of a term, for interning without allocating when the term is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermRef<'a> {
    /// An absolute IRI.
    Iri(&'a str),
    /// A blank node label without `_:`.
    Blank(&'a str),
    /// A literal: lexical form, datatype IRI, language tag.
    Literal(&'a str, &'a str, Option<&'a str>),
}

impl TermRef<'_> {
    fn to_term(self) -> Term {
        match self {
            TermRef::Iri(iri) => Term::Iri(iri.into()),
            TermRef::Blank(label) => Term::Blank(label.into()),
            TermRef::Literal(value, datatype, language) => Term::Literal(Literal {
                value: value.into(),
                datatype: datatype.into(),
                language: language.map(Into::into),
            }),
        }
    }

    fn fx_hash(self) -> u64 {
        let mut hasher = FxHasher::default();
        self.hash(&mut hasher);
        hasher.finish()
    }
}

impl Term {
    /// The borrowed view of this term.
    pub fn as_ref(&self) -> TermRef<'_> {
        match self {
            Term::Iri(iri) => TermRef::Iri(iri),
            Term::Blank(label) => TermRef::Blank(label),
            Term::Literal(l) => TermRef::Literal(&l.value, &l.datatype, l.language.as_deref()),
        }
    }

    /// Whether the term is a blank node.
    pub fn is_blank(&self) -> bool {
        matches!(self, Term::Blank(_))
    }
}

const NONE: u32 = u32::MAX;

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
    /// Hash of a term → the first term with that hash; `next` chains the others.
    index: FxHashMap<u64, u32>,
    next: Vec<u32>,
    quads: Vec<Quad>,
    seen: FxHashSet<Quad>,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty dataset with room for about `quads` quads.
    pub fn with_capacity(quads: usize) -> Self {
        let terms = quads * 2;
        Dataset {
            terms: Vec::with_capacity(terms),
            index: FxHashMap::with_capacity_and_hasher(terms, Default::default()),
            next: Vec::with_capacity(terms),
            quads: Vec::with_capacity(quads),
            seen: FxHashSet::with_capacity_and_hasher(quads, Default::default()),
        }
    }

    /// Interns a term and returns its id.
    pub fn intern(&mut self, term: Term) -> TermId {
        let hash = term.as_ref().fx_hash();
        if let Some(id) = self.find(hash, term.as_ref()) {
            return id;
        }
        self.push(hash, term)
    }

    /// Interns a borrowed term, allocating only when it is new.
    pub fn intern_ref(&mut self, term: TermRef<'_>) -> TermId {
        let hash = term.fx_hash();
        if let Some(id) = self.find(hash, term) {
            return id;
        }
        self.push(hash, term.to_term())
    }

    fn find(&self, hash: u64, term: TermRef<'_>) -> Option<TermId> {
        let mut candidate = *self.index.get(&hash)?;
        loop {
            let stored = self.terms.get(candidate as usize)?;
            if stored.as_ref() == term {
                return Some(TermId(candidate));
            }
            candidate = *self.next.get(candidate as usize)?;
            if candidate == NONE {
                return None;
            }
        }
    }

    fn push(&mut self, hash: u64, term: Term) -> TermId {
        let id = u32::try_from(self.terms.len()).unwrap_or(NONE);
        self.terms.push(term);
        let previous = self.index.insert(hash, id).unwrap_or(NONE);
        self.next.push(previous);
        TermId(id)
    }

    /// Interns an IRI.
    pub fn iri(&mut self, iri: &str) -> TermId {
        self.intern_ref(TermRef::Iri(iri))
    }

    /// Interns a blank node by label (without `_:`).
    pub fn blank(&mut self, label: &str) -> TermId {
        self.intern_ref(TermRef::Blank(label))
    }

    /// Interns a literal.
    pub fn literal(&mut self, value: &str, datatype: &str, language: Option<&str>) -> TermId {
        self.intern_ref(TermRef::Literal(value, datatype, language))
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
