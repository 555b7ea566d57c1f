#![doc = include_str!("../README.md")]

mod engine;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Cursor;
use std::sync::Arc;

use gxa_credential::Profile;
use gxa_jsonld::{Processor, ToRdfOptions};
use gxa_rdf::{Dataset, Term};
use rudof_rdf::rdf_core::RDFFormat;
use rudof_rdf::rdf_impl::OxigraphInMemory;
use serde_json::Value;
use shacl::ir::IRSchema;
use shacl::validator::processor::{GraphValidation, ShaclProcessor};
use shacl::validator::report::ValidationResult;
use shacl::validator::store::{Graph, ShaclDataManager};
use shacl::validator::{ShaclConfig, ShaclValidationMode};

use crate::engine::Prepared;

const LOIRE_SHAPES: &str = include_str!("../../../contexts/gaia-x/shapes/loire-25.11/gx.shacl.ttl");
const LOIRE_ONTOLOGY: &str = include_str!("../../../contexts/gaia-x/shapes/loire-25.11/gx.owl.ttl");
const TAGUS_SHAPES: &str =
    include_str!("../../../contexts/gaia-x/shapes/tagus-22.10/trustframework-shapes.DERIVED.ttl");

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const CRED: &str = "https://www.w3.org/2018/credentials#";
const CRED2: &str = "https://www.w3.org/ns/credentials/";
const SEC: &str = "https://w3id.org/security#";
const SEC_PROOF: &str = "https://w3id.org/security#proof";
const CREDENTIAL_SUBJECT: &str = "https://www.w3.org/2018/credentials#credentialSubject";

/// What can go wrong before a verdict.
#[derive(Debug, thiserror::Error)]
pub enum ShaclError {
    /// A document could not be turned into RDF.
    #[error("document {index}: {source}")]
    JsonLd {
        /// Position of the document in the input.
        index: usize,
        /// The cause.
        source: gxa_jsonld::JsonLdError,
    },
    /// The pinned shapes or ontology did not load (a build defect).
    #[error("pinned shapes: {0}")]
    Shapes(String),
    /// The engine failed.
    #[error("SHACL engine: {0}")]
    Engine(String),
}

/// One violation (or warning) from the engine.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The focus node.
    pub focus_node: String,
    /// The property path, when the constraint is on a property.
    pub path: Option<String>,
    /// The shape that holds the constraint.
    pub shape: Option<String>,
    /// The constraint component (`sh:MinCountConstraintComponent`, …).
    pub component: String,
    /// The offending value, if any.
    pub value: Option<String>,
    /// Severity (`Violation`, `Warning`, `Info`).
    pub severity: String,
    /// The engine's message, if any.
    pub message: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: focus node <{}>", self.severity, self.focus_node)?;
        if let Some(p) = &self.path {
            write!(f, ", property {p}")?;
        }
        if let Some(s) = &self.shape {
            write!(f, ", shape {s}")?;
        }
        write!(f, ", constraint {}", self.component)?;
        if let Some(v) = &self.value {
            write!(f, ", value {v}")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

/// The verdict on a set of documents validated together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// True when there is no result of severity Violation.
    pub conforms: bool,
    /// Every result, sorted.
    pub violations: Vec<Violation>,
    /// With [`Validator::validate_standalone`]: results about nodes that other credentials
    /// describe (undecidable without them); empty otherwise.
    pub external: Vec<Violation>,
}

/// Value-node constraints whose outcome depends on what the value node's own description says.
const VALUE_NODE_COMPONENTS: [&str; 6] = [
    "OrConstraintComponent",
    "AndConstraintComponent",
    "XoneConstraintComponent",
    "NotConstraintComponent",
    "ClassConstraintComponent",
    "NodeConstraintComponent",
];

/// Whether a result concerns a node the validated documents do not describe: its focus node,
/// or (for a value-node constraint) its value.
fn concerns_undescribed(v: &Violation, described: &BTreeSet<String>) -> bool {
    let bare = |t: &str| t.trim_start_matches('<').trim_end_matches('>').to_owned();
    let is_iri = |t: &str| {
        let t = bare(t);
        t.contains(':') && !t.starts_with("_:") && !t.starts_with('"')
    };
    let outside = |t: &str| is_iri(t) && !described.contains(&bare(t));
    if outside(&v.focus_node) {
        return true;
    }
    let value_node = VALUE_NODE_COMPONENTS
        .iter()
        .any(|c| v.component.ends_with(c));
    value_node && v.value.as_deref().is_some_and(outside)
}

/// RDFS schema facts from the ontology, closed transitively.
#[derive(Debug, Default)]
struct Schema {
    super_classes: BTreeMap<String, BTreeSet<String>>,
    super_properties: BTreeMap<String, BTreeSet<String>>,
    domains: BTreeMap<String, BTreeSet<String>>,
    ranges: BTreeMap<String, BTreeSet<String>>,
}

fn closure(direct: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for start in direct.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = direct.get(start).into_iter().flatten().collect();
        while let Some(next) = todo.pop() {
            if seen.insert(next.clone()) {
                todo.extend(direct.get(next).into_iter().flatten());
            }
        }
        out.insert(start.clone(), seen);
    }
    out
}

impl Schema {
    fn parse(turtle: &str) -> Result<Self, ShaclError> {
        let mut direct_classes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut direct_props: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut schema = Self::default();
        for triple in oxttl::TurtleParser::new().for_slice(turtle) {
            let triple = triple.map_err(|e| ShaclError::Shapes(format!("ontology: {e}")))?;
            let oxrdf::NamedOrBlankNode::NamedNode(s) = &triple.subject else {
                continue;
            };
            let oxrdf::Term::NamedNode(o) = &triple.object else {
                continue;
            };
            let Some(rule) = triple.predicate.as_str().strip_prefix(RDFS) else {
                continue;
            };
            let map = match rule {
                "subClassOf" => &mut direct_classes,
                "subPropertyOf" => &mut direct_props,
                "domain" => &mut schema.domains,
                "range" => &mut schema.ranges,
                _ => continue,
            };
            map.entry(s.as_str().to_owned())
                .or_default()
                .insert(o.as_str().to_owned());
        }
        schema.super_classes = closure(&direct_classes);
        schema.super_properties = closure(&direct_props);
        Ok(schema)
    }
}

/// A validator for one profile, shapes parsed once.
pub struct Validator {
    profile: Profile,
    shapes: IRSchema,
    /// What validating a document against `shapes` needs, computed from them once.
    prepared: Arc<Prepared>,
    schema: Schema,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

type Triple = (Term, Term, Term);

impl Validator {
    /// Loads the pinned shapes (and, for Loire, the ontology) of `profile`.
    pub fn new(profile: Profile) -> Result<Self, ShaclError> {
        let (shapes_text, ontology) = match profile {
            Profile::Loire => (LOIRE_SHAPES, Some(LOIRE_ONTOLOGY)),
            Profile::Tagus => (TAGUS_SHAPES, None),
        };
        let shapes = ShaclDataManager::load(
            &mut Cursor::new(shapes_text),
            "pinned shapes",
            &RDFFormat::Turtle,
            None,
        )
        .map_err(|e| ShaclError::Shapes(e.to_string()))?;
        let schema = match ontology {
            Some(text) => Schema::parse(text)?,
            None => Schema::default(),
        };
        Ok(Self {
            profile,
            prepared: Arc::new(Prepared::new(&shapes)),
            shapes,
            schema,
        })
    }

    /// A validator for other shapes than the pinned Gaia-X ones (e.g. gx-attest's own
    /// `contexts/scs/scs-shape.ttl`): `shapes` as Turtle, and optionally an ontology (Turtle)
    /// for the same RDFS materialisation as Loire. `profile` is only reported back by
    /// [`Validator::profile`]; documents go through the same pipeline as with [`Validator::new`].
    pub fn with_shapes(
        profile: Profile,
        shapes: &str,
        ontology: Option<&str>,
    ) -> Result<Self, ShaclError> {
        let shapes = ShaclDataManager::load(
            &mut Cursor::new(shapes),
            "given shapes",
            &RDFFormat::Turtle,
            None,
        )
        .map_err(|e| ShaclError::Shapes(e.to_string()))?;
        let schema = match ontology {
            Some(text) => Schema::parse(text)?,
            None => Schema::default(),
        };
        Ok(Self {
            profile,
            prepared: Arc::new(Prepared::new(&shapes)),
            shapes,
            schema,
        })
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Validates `documents` together (see the crate documentation for the pipeline).
    pub fn validate(&self, documents: &[Value]) -> Result<Report, ShaclError> {
        self.validate_with(documents, false)
    }

    /// Validates documents that may link to nodes other credentials describe, without those
    /// credentials (one credential received alone, e.g. from a partner's change feed).
    ///
    /// Gaia-X self-descriptions are written to be validated together (the compliance service
    /// validates a whole presentation): a data centre lists its availability zones, an
    /// offering names its provider, and the ontology's `rdfs:range` types those linked nodes.
    /// Alone, a constraint on such a node (its focus node is described by no given document),
    /// or a value-node constraint (`sh:or`, `sh:class`, `sh:node`, …) whose value is such a
    /// node, cannot be decided. Those results go to [`Report::external`] instead of
    /// [`Report::violations`] and do not count against `conforms`; everything the documents
    /// themselves state is validated as with [`Validator::validate`].
    pub fn validate_standalone(&self, documents: &[Value]) -> Result<Report, ShaclError> {
        self.validate_with(documents, true)
    }

    fn validate_with(&self, documents: &[Value], standalone: bool) -> Result<Report, ShaclError> {
        let (triples, described) = self.data_graph(documents)?;
        let store = store_of(&triples)?;
        let (conforms, results) = if self.prepared.is_supported() {
            engine::validate(&self.shapes, &self.prepared, &store)
                .map_err(|e| ShaclError::Engine(e.to_string()))?
        } else {
            self.validate_by_processor(store)?
        };
        Ok(report(conforms, &results, &described, standalone))
    }

    /// The validation as rudof's processor does it, for a shapes graph `engine::validate`
    /// does not take (a recursive one).
    fn validate_by_processor(
        &self,
        store: OxigraphInMemory,
    ) -> Result<(bool, Vec<ValidationResult>), ShaclError> {
        let mut validation = GraphValidation::new(Graph::from(store));
        let report = validation
            .validate(
                &self.shapes,
                &ShaclValidationMode::Native,
                &ShaclConfig::default(),
            )
            .map_err(|e| ShaclError::Engine(e.to_string()))?;
        Ok((report.conforms(), report.results().clone()))
    }

    /// The data graph of `documents` (pipeline steps 1 to 4 of the crate documentation), and
    /// the IRIs the documents describe (subjects of their own triples, before inference).
    fn data_graph(
        &self,
        documents: &[Value],
    ) -> Result<(BTreeSet<Triple>, BTreeSet<String>), ShaclError> {
        let mut triples: BTreeSet<Triple> = BTreeSet::new();
        for (index, doc) in documents.iter().enumerate() {
            let dataset = Processor::pinned()
                .to_rdf(doc, &ToRdfOptions::strict())
                .map_err(|source| ShaclError::JsonLd { index, source })?;
            subject_triples(&dataset, index, &mut triples);
        }
        let described: BTreeSet<String> = triples
            .iter()
            .filter_map(|(subject, _, _)| match subject {
                Term::Iri(i) => Some(i.to_string()),
                _ => None,
            })
            .collect();
        self.materialise(&mut triples);
        Ok((triples, described))
    }

    fn materialise(&self, triples: &mut BTreeSet<Triple>) {
        let s = &self.schema;
        if s.super_classes.is_empty() && s.ranges.is_empty() && s.domains.is_empty() {
            return;
        }
        let iri = |t: &str| Term::Iri(t.into());
        let mut added: Vec<Triple> = Vec::new();
        // rdfs7
        for (subj, pred, obj) in triples.iter() {
            if let Term::Iri(p) = pred
                && let Some(supers) = s.super_properties.get(&**p)
            {
                for q in supers {
                    added.push((subj.clone(), iri(q), obj.clone()));
                }
            }
        }
        triples.extend(added.drain(..));
        // rdfs2, rdfs3
        for (subj, pred, obj) in triples.iter() {
            let Term::Iri(p) = pred else { continue };
            for c in s.domains.get(&**p).into_iter().flatten() {
                added.push((subj.clone(), iri(RDF_TYPE), iri(c)));
            }
            if !matches!(obj, Term::Literal(_)) {
                for c in s.ranges.get(&**p).into_iter().flatten() {
                    added.push((obj.clone(), iri(RDF_TYPE), iri(c)));
                }
            }
        }
        triples.extend(added.drain(..));
        // rdfs9
        for (subj, pred, obj) in triples.iter() {
            if let (Term::Iri(p), Term::Iri(c)) = (pred, obj)
                && &**p == RDF_TYPE
            {
                for d in s.super_classes.get(&**c).into_iter().flatten() {
                    added.push((subj.clone(), iri(RDF_TYPE), iri(d)));
                }
            }
        }
        triples.extend(added);
    }
}

/// The engine's store of `triples`, built directly (as parsing their N-Triples would build it,
/// with the same checks of IRIs, blank node labels and language tags).
fn store_of(triples: &BTreeSet<Triple>) -> Result<OxigraphInMemory, ShaclError> {
    let invalid = |e: &dyn fmt::Display| ShaclError::Engine(format!("data graph: {e}"));
    let named = |iri: &str| oxrdf::NamedNode::new(iri).map_err(|e| invalid(&e));
    let blank = |label: &str| oxrdf::BlankNode::new(label).map_err(|e| invalid(&e));
    let mut store = OxigraphInMemory::new();
    for (s, p, o) in triples {
        let subject: oxrdf::NamedOrBlankNode = match s {
            Term::Iri(i) => named(i)?.into(),
            Term::Blank(b) => blank(b)?.into(),
            Term::Literal(_) => return Err(invalid(&"a literal as subject")),
        };
        let Term::Iri(p) = p else {
            return Err(invalid(&"a predicate that is not an IRI"));
        };
        let predicate = named(p)?;
        let object: oxrdf::Term = match o {
            Term::Iri(i) => named(i)?.into(),
            Term::Blank(b) => blank(b)?.into(),
            Term::Literal(l) => match &l.language {
                Some(language) => {
                    oxrdf::Literal::new_language_tagged_literal(&*l.value, &**language)
                        .map_err(|e| invalid(&e))?
                        .into()
                }
                None => oxrdf::Literal::new_typed_literal(&*l.value, named(&l.datatype)?).into(),
            },
        };
        store
            .add_triple_ref(&subject, &predicate, &object)
            .map_err(|e| invalid(&e))?;
    }
    Ok(store)
}

/// Our report of the engine's verdict and results; with `standalone`, the results about nodes
/// the documents do not describe are set apart (see [`Validator::validate_standalone`]).
fn report(
    conforms: bool,
    results: &[ValidationResult],
    described: &BTreeSet<String>,
    standalone: bool,
) -> Report {
    let mut violations: Vec<Violation> = results
        .iter()
        .map(|r| Violation {
            focus_node: r.focus_node().to_string(),
            path: r.path().map(ToString::to_string),
            shape: r.source().map(ToString::to_string),
            component: r.constraint_component().to_string(),
            value: r.value().map(ToString::to_string),
            severity: format!("{:?}", r.severity()),
            message: {
                let mut texts: Vec<&String> = r.message().messages().values().collect();
                texts.sort();
                texts.first().map(|m| (*m).clone())
            },
        })
        .collect();
    violations.sort();
    violations.dedup();
    let mut external = Vec::new();
    if standalone {
        let (outside, inside): (Vec<Violation>, Vec<Violation>) = violations
            .into_iter()
            .partition(|v| concerns_undescribed(v, described));
        violations = inside;
        external = outside;
    }
    let conforms = if standalone {
        !violations.iter().any(|v| v.severity == "Violation")
    } else {
        conforms
    };
    Report {
        conforms,
        violations,
        external,
    }
}

/// The triples of `dataset` that describe credential subjects: without what the credential and
/// presentation envelopes say (their `cred:`/`sec:` properties and their types: a VC 2.0
/// credential node is typed with its subject's class too), without proofs, all graphs merged;
/// blank nodes renamed apart per document. A node that is its own credential subject (Tagus
/// credentials whose subject id is the credential id) keeps its non-envelope types.
fn subject_triples(dataset: &Dataset, index: usize, out: &mut BTreeSet<Triple>) {
    let iri_is =
        |id, pred: &dyn Fn(&str) -> bool| matches!(dataset.term(id), Term::Iri(i) if pred(i));
    let envelope_iri = |i: &str| i.starts_with(CRED) || i.starts_with(SEC) || i.starts_with(CRED2);
    let is_type = |id| iri_is(id, &|i| i == RDF_TYPE);
    let mut envelope = BTreeSet::new();
    let mut subjects = BTreeSet::new();
    for q in dataset.quads() {
        if is_type(q.predicate) && iri_is(q.object, &|c| envelope_iri(c)) {
            envelope.insert(q.subject);
        }
        if iri_is(q.predicate, &|p| p == CREDENTIAL_SUBJECT) {
            envelope.insert(q.subject);
            subjects.insert(q.object);
        }
    }
    // Proof graphs: the objects of sec:proof name graphs that are dropped.
    let proof_graphs: BTreeSet<_> = dataset
        .quads()
        .iter()
        .filter(|q| iri_is(q.predicate, &|p| p == SEC_PROOF))
        .map(|q| q.object)
        .collect();
    let rename = |t: &Term| match t {
        Term::Blank(b) => Term::Blank(format!("d{index}x{b}").into()),
        other => other.clone(),
    };
    for q in dataset.quads() {
        if q.graph.is_some_and(|g| proof_graphs.contains(&g)) {
            continue;
        }
        if envelope.contains(&q.subject) {
            let envelope_fact = iri_is(q.predicate, &|p| envelope_iri(p))
                || (is_type(q.predicate)
                    && (iri_is(q.object, &|c| envelope_iri(c)) || !subjects.contains(&q.subject)));
            if envelope_fact {
                continue;
            }
        }
        out.insert((
            rename(dataset.term(q.subject)),
            dataset.term(q.predicate).clone(),
            rename(dataset.term(q.object)),
        ));
    }
}

#[cfg(test)]
mod tests;
