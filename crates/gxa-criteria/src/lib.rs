#![doc = include_str!("../README.md")]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

/// The pinned criteria table (Compliance Document 24.11, see `criteria/SOURCES.md`).
const TABLE: &str = include_str!("../criteria/compliance-criteria.toml");

/// The Loire 25.11 ontology, for the subclass relation of evidence classes.
const ONTOLOGY: &str = include_str!("../../../contexts/gaia-x/shapes/loire-25.11/gx.owl.ttl");

/// The namespace of the Loire ontology (`gx:`).
pub const GX: &str = "https://w3id.org/gaia-x/development#";

/// The version of the Compliance Document the table is pinned to, as the compliance service
/// names it in `gx:rulesVersion` / `gx:validatedCriteria`.
pub const DOCUMENT_VERSION: &str = "24.11";

/// A compliance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Standard Compliance (`SC`).
    StandardCompliance,
    /// Label level 1 (`L1`).
    Label1,
    /// Label level 2 (`L2`).
    Label2,
    /// Label level 3 (`L3`).
    Label3,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [
        Self::StandardCompliance,
        Self::Label1,
        Self::Label2,
        Self::Label3,
    ];

    /// The short name the compliance service writes in `gx:labelLevel`: `SC`, `L1`, `L2`, `L3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StandardCompliance => "SC",
            Self::Label1 => "L1",
            Self::Label2 => "L2",
            Self::Label3 => "L3",
        }
    }

    /// The name in prose.
    pub fn name(self) -> &'static str {
        match self {
            Self::StandardCompliance => "Standard Compliance",
            Self::Label1 => "Label 1",
            Self::Label2 => "Label 2",
            Self::Label3 => "Label 3",
        }
    }

    /// The last path segment of the compliance API for this level
    /// (`/v2/api/credential-offers/{segment}`).
    pub fn api_segment(self) -> &'static str {
        match self {
            Self::StandardCompliance => "standard-compliance",
            Self::Label1 => "label-level-1",
            Self::Label2 => "label-level-2",
            Self::Label3 => "label-level-3",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::StandardCompliance => 0,
            Self::Label1 => 1,
            Self::Label2 => 2,
            Self::Label3 => 3,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level name that is none of `SC`, `L1`, `L2`, `L3` (or the API segments).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown compliance level {0:?} (expected SC, L1, L2 or L3)")]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, UnknownLevel> {
        Self::ALL
            .into_iter()
            .find(|l| s.eq_ignore_ascii_case(l.as_str()) || s == l.api_segment())
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// What a level asks of a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// Nothing (`N/A` in the document).
    None,
    /// The provider's declaration.
    Declaration,
    /// A certification by a third party against a permissible standard.
    Certification,
}

/// One criterion of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// `P1.1.1`, …
    pub id: String,
    /// The heading it sits under.
    pub section: String,
    /// A short paraphrase.
    pub title: String,
    sc: Requirement,
    l1: Requirement,
    l2: Requirement,
    l3: Requirement,
    /// The classes whose nodes show the declaration (`gx:…`; every one is expected).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The property whose value shows the declaration, for a criterion without a class of its
    /// own (a legal document's governing law countries, the offering's cryptographic security
    /// standards).
    #[serde(default)]
    pub evidence_property: Option<String>,
    /// The criterion in the document.
    pub url: String,
}

impl Criterion {
    /// What `level` asks of this criterion.
    pub fn requirement(&self, level: Level) -> Requirement {
        [self.sc, self.l1, self.l2, self.l3][level.index()]
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    criterion: Vec<Criterion>,
}

/// What an offering shows: the classes of its nodes (with their superclasses), the properties
/// its nodes state, and what the provider declares outside the claims.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    classes: BTreeSet<String>,
    properties: BTreeSet<String>,
    /// The criteria the provider declares; `None` where that is not known (a presentation:
    /// such a declaration is no claim).
    declared: Option<BTreeSet<String>>,
    /// The criteria a trusted conformity assessment body certifies ([`Evidence::certify`]).
    certified: BTreeSet<String>,
}

impl Evidence {
    /// The evidence in `documents` (credential subjects or whole credentials, JSON-LD as the
    /// Loire context writes them: `gx:X` or bare terms), plus the criteria the provider
    /// declares itself (`declared`: ids such as `P1.2.1`).
    pub fn of_documents<'a>(
        documents: impl IntoIterator<Item = &'a Value>,
        declared: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut evidence = Self::of_claims(documents);
        evidence.declared = Some(declared.into_iter().collect());
        evidence
    }

    /// The evidence in the claims of `documents` alone (what a compliance service sees in a
    /// presentation): a criterion that only the provider's own declaration can show is then
    /// neither shown nor missing ([`Criteria::missing`] leaves it out, as the Gaia-X
    /// compliance service, which has no check for it either).
    pub fn of_claims<'a>(documents: impl IntoIterator<Item = &'a Value>) -> Self {
        let mut evidence = Self::default();
        for doc in documents {
            evidence.walk(doc);
        }
        let ontology = Ontology::pinned();
        let direct: Vec<String> = evidence.classes.iter().cloned().collect();
        for class in direct {
            evidence.classes.extend(ontology.superclasses(&class));
        }
        evidence
    }

    fn walk(&mut self, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.walk(v)),
            Value::Object(node) => {
                let types: Vec<String> = match node.get("type").or_else(|| node.get("@type")) {
                    Some(Value::String(t)) => vec![compact(t)],
                    Some(Value::Array(ts)) => {
                        ts.iter().filter_map(Value::as_str).map(compact).collect()
                    }
                    _ => Vec::new(),
                };
                for (key, v) in node {
                    if !is_empty(v) && !key.starts_with('@') && key != "id" && key != "type" {
                        self.properties.insert(compact(key));
                    }
                }
                self.classes.extend(types);
                for (key, v) in node {
                    if key != "@context" {
                        self.walk(v);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether the evidence holds a node of `class` (or of a subclass).
    pub fn has_class(&self, class: &str) -> bool {
        self.classes.contains(class)
    }

    /// Adds criteria (ids such as `P2.1.1`) that a conformity assessment body the caller trusts
    /// certifies for the offering. A certification shows a criterion at every level: where a
    /// level asks for a certification (labels 2 and 3) and where a declaration suffices. Which
    /// certifications count (issuer, subject, validity) is the caller's judgement.
    pub fn certify(&mut self, criteria: impl IntoIterator<Item = String>) {
        self.certified.extend(criteria);
    }

    /// Whether a certification covers criterion `id`.
    pub fn is_certified(&self, id: &str) -> bool {
        self.certified.contains(id)
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// `gx:X` for `gx:X`, a bare term `X` or the full IRI; other IRIs as they are.
fn compact(term: &str) -> String {
    if let Some(local) = term.strip_prefix(GX) {
        return format!("gx:{local}");
    }
    if term.contains(':') {
        return term.to_owned();
    }
    format!("gx:{term}")
}

/// A criterion a level needs that the evidence does not show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The criterion (`P1.2.6`).
    pub criterion: String,
    /// The level that needs it.
    pub level: Level,
    /// What the level asks.
    pub requirement: Requirement,
    /// What is missing, for the message: classes, a property or the provider's declaration.
    pub missing: String,
    /// The criterion's short title.
    pub title: String,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.requirement {
            Requirement::Certification => "certification",
            _ => "declaration",
        };
        write!(
            f,
            "criterion {} ({} needs a {kind}: {}): {}",
            self.criterion,
            self.level.name(),
            self.title,
            self.missing
        )
    }
}

/// The pinned criteria table does not parse (a defect of the build, not of an input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the pinned compliance criteria table does not parse: {0}")]
pub struct TableError(pub String);

/// The pinned criteria table.
#[derive(Debug)]
pub struct Criteria {
    criteria: Vec<Criterion>,
}

impl Criteria {
    /// The table compiled into this crate (its tests make sure it parses; an error here is
    /// reported, never taken for an empty table).
    pub fn pinned() -> Result<&'static Criteria, TableError> {
        static TABLE_ONCE: OnceLock<Result<Criteria, TableError>> = OnceLock::new();
        TABLE_ONCE
            .get_or_init(|| Criteria::parse(TABLE).map_err(|e| TableError(e.to_string())))
            .as_ref()
            .map_err(Clone::clone)
    }

    fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let table: Table = toml::from_str(text)?;
        Ok(Self {
            criteria: table.criterion,
        })
    }

    /// Every criterion, in the document's order.
    pub fn all(&self) -> &[Criterion] {
        &self.criteria
    }

    /// The criterion `id`.
    pub fn get(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// The criteria `level` asks something of.
    pub fn required(&self, level: Level) -> impl Iterator<Item = &Criterion> {
        self.criteria
            .iter()
            .filter(move |c| c.requirement(level) != Requirement::None)
    }

    /// The criteria `level` needs that `evidence` does not show, in the document's order.
    pub fn missing(&self, level: Level, evidence: &Evidence) -> Vec<Missing> {
        let mut out = Vec::new();
        for c in self.required(level) {
            let requirement = c.requirement(level);
            let missing = match requirement {
                _ if evidence.is_certified(&c.id) => None,
                Requirement::Certification => Some(
                    "no certification by a trusted conformity assessment body covers it (a \
                     cert:CriteriaCertification credential listing it; the Loire 25.11 ontology \
                     has no certificate class)"
                        .to_owned(),
                ),
                _ => declaration_gap(c, evidence),
            };
            if let Some(missing) = missing {
                out.push(Missing {
                    criterion: c.id.clone(),
                    level,
                    requirement,
                    missing,
                    title: c.title.clone(),
                });
            }
        }
        out
    }

    /// The criteria `level` needs that `evidence` shows (by claims, or by the provider's
    /// declaration where that is known): what a label credential lists as validated.
    pub fn validated(&self, level: Level, evidence: &Evidence) -> Vec<&Criterion> {
        let missing: BTreeSet<String> = self
            .missing(level, evidence)
            .into_iter()
            .map(|m| m.criterion)
            .collect();
        self.required(level)
            .filter(|c| !missing.contains(&c.id))
            .filter(|c| {
                evidence.declared.is_some()
                    || evidence.is_certified(&c.id)
                    || !needs_provider_declaration(c)
            })
            .collect()
    }
}

/// Why the evidence does not show criterion `c` as declared, if it does not.
fn declaration_gap(c: &Criterion, evidence: &Evidence) -> Option<String> {
    if evidence
        .declared
        .as_ref()
        .is_some_and(|d| d.contains(&c.id))
    {
        return None;
    }
    if !c.evidence.is_empty() {
        let absent: Vec<&str> = c
            .evidence
            .iter()
            .filter(|class| !evidence.has_class(class))
            .map(String::as_str)
            .collect();
        return (!absent.is_empty()).then(|| format!("no {} node", absent.join(", no ")));
    }
    if let Some(property) = &c.evidence_property {
        return (!evidence.properties.contains(property))
            .then(|| format!("no claim states {property}"));
    }
    // Only the provider's declaration shows it: missing when the declarations are known.
    evidence.declared.as_ref().map(|_| {
        "no claim shows it: the provider declares it (provider.toml declared_criteria)".to_owned()
    })
}

/// Whether criterion `c` can only be declared by the provider (no class, no property).
fn needs_provider_declaration(c: &Criterion) -> bool {
    c.evidence.is_empty() && c.evidence_property.is_none()
}

/// The named classes of the pinned Loire ontology and their subclass relation.
struct Ontology {
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tests"))]
    classes: BTreeSet<String>,
    parents: BTreeMap<String, Vec<String>>,
}

impl Ontology {
    fn pinned() -> &'static Ontology {
        static ONCE: OnceLock<Ontology> = OnceLock::new();
        ONCE.get_or_init(|| Ontology::parse(ONTOLOGY))
    }

    fn parse(turtle: &str) -> Self {
        let sub_class_of =
            oxrdf::NamedNodeRef::new_unchecked("http://www.w3.org/2000/01/rdf-schema#subClassOf");
        let rdf_type =
            oxrdf::NamedNodeRef::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
        let owl_class = oxrdf::NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#Class");
        let mut classes = BTreeSet::new();
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for triple in oxttl::TurtleParser::new()
            .for_slice(turtle.as_bytes())
            .flatten()
        {
            if triple.predicate.as_ref() == rdf_type
                && let (oxrdf::NamedOrBlankNode::NamedNode(class), oxrdf::Term::NamedNode(kind)) =
                    (&triple.subject, &triple.object)
                && kind.as_ref() == owl_class
            {
                classes.insert(compact(class.as_str()));
            }
            if triple.predicate.as_ref() != sub_class_of {
                continue;
            }
            if let (oxrdf::NamedOrBlankNode::NamedNode(child), oxrdf::Term::NamedNode(parent)) =
                (&triple.subject, &triple.object)
            {
                parents
                    .entry(compact(child.as_str()))
                    .or_default()
                    .push(compact(parent.as_str()));
            }
        }
        Self { classes, parents }
    }

    /// Every superclass of `class`, transitively.
    fn superclasses(&self, class: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo = vec![class.to_owned()];
        while let Some(c) = todo.pop() {
            for p in self.parents.get(&c).into_iter().flatten() {
                if out.insert(p.clone()) {
                    todo.push(p.clone());
                }
            }
        }
        out
    }

    #[cfg(test)]
    fn is_subclass(&self, class: &str, of: &str) -> bool {
        self.superclasses(class).contains(of)
    }
}

#[cfg(test)]
mod tests;
