//! Our own driver of rudof's native SHACL engine, for one small data graph at a time.
//!
//! rudof's `ShaclProcessor::validate` is written for large graphs. On a credential of a few
//! dozen triples against the 166 Loire target shapes, its fixed costs were most of the time
//! (`benches/shacl.rs`, about 40 M instructions per validation, 60% of them these): per call
//! it builds a `ShaclConfig` (which registers SPARQL endpoint descriptions), orders every shape
//! topologically and hands each level to rayon; every evaluation of an `sh:in` renders all of
//! its members (up to 5,046 media types) into the message and converts them into terms again
//! for each value node; and `sh:datatype` clones the shapes graph's prefix map for its message.
//!
//! This driver does the same validation without those costs. The order of the shapes is
//! computed once, in [`Prepared::new`]; shapes are validated one after the other with rudof's
//! own `Validate` for shapes, through [`FastEngine`], which is rudof's `NativeEngine` except
//! for `sh:in` (a hash set and the message rendered once per constraint) and `sh:datatype`
//! (the message rendered once). Both produce the very results rudof's validators produce,
//! which the tests compare on every example input. A shapes graph with a recursive shape
//! reference is left to rudof's processor ([`Prepared::is_supported`]), since there the order
//! of validation can change the results.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rudof_iri::IriS;
use rudof_rdf::rdf_core::term::Object;
use rudof_rdf::rdf_core::term::literal::{ConcreteLiteral, Literal};
use rudof_rdf::rdf_core::{Rdf, SHACLPath};
use rudof_rdf::rdf_impl::OxigraphInMemory;
use shacl::error::ValidationError;
use shacl::ir::components::Datatype;
use shacl::ir::dg::ShapeRecursionKind;
use shacl::ir::{IRComponent, IRSchema, IRShape, ShapeLabelIdx};
use shacl::types::MessageMap;
use shacl::validator::RecursionSemantics;
use shacl::validator::ShaclConfig;
use shacl::validator::constraints::NativeValidator;
use shacl::validator::engine::{Engine, NativeEngine, NodeExprState, Retention, Validate};
use shacl::validator::nodes::{FocusNodes, ValueNodes};
use shacl::validator::report::{Evidence, ValidationOutcome, ValidationResult};

type Store = OxigraphInMemory;
type Term = <Store as Rdf>::Term;

/// What [`validate`] needs of a shapes graph, computed once per validator.
pub(crate) struct Prepared {
    /// The shapes with targets, by index (without recursive references the order does not
    /// change the results; see [`Prepared::is_supported`]).
    targets: Vec<ShapeLabelIdx>,
    /// Whether no shape refers to itself, directly or not.
    acyclic: bool,
    recursion_semantics: RecursionSemantics,
    max_results: Option<usize>,
    /// Per `sh:in` constraint (by address in the shapes graph): its members and message.
    in_checks: HashMap<usize, InCheck>,
    /// Per `sh:datatype` constraint (by address in the shapes graph): its message.
    datatype_messages: HashMap<usize, MessageMap>,
}

struct InCheck {
    members: HashSet<Term>,
    message: MessageMap,
}

/// The address of a constraint, which identifies it while the shapes graph is alive (the
/// shapes graph is never changed after it is compiled).
fn address<T>(component: &T) -> usize {
    std::ptr::from_ref(component).addr()
}

impl Prepared {
    pub(crate) fn new(shapes: &IRSchema) -> Self {
        // As `ShaclProcessor::validate` configures its engine by default.
        let config = ShaclConfig::default();
        let prefixes = shapes.prefix_map_for_messages();
        let mut in_checks = HashMap::new();
        let mut datatype_messages = HashMap::new();
        for (_, shape) in shapes.iter() {
            for component in shape.components() {
                match component {
                    IRComponent::In(c) => {
                        // The message of rudof's `sh:in` validator.
                        let expected = c
                            .values()
                            .iter()
                            .map(|value| value.show_qualified(&prefixes))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let text =
                            format!("In constraint not satisfied. Expected one of [{expected}]");
                        let check = InCheck {
                            members: c.values().iter().map(Store::object_as_term).collect(),
                            message: message(&text, shape),
                        };
                        in_checks.insert(address(c), check);
                    }
                    IRComponent::Datatype(c) => {
                        // The message of rudof's `sh:datatype` validator.
                        let text = format!("Expected Datatype: {}", prefixes.qualify(c.datatype()));
                        datatype_messages.insert(address(c), message(&text, shape));
                    }
                    _ => {}
                }
            }
        }
        let mut targets: Vec<ShapeLabelIdx> = shapes
            .iter_with_targets()
            .filter_map(|(id, _)| shapes.get_idx(id).copied())
            .collect();
        targets.sort_unstable();
        let acyclic = shapes
            .recursion_kinds()
            .values()
            .all(|kind| *kind == ShapeRecursionKind::NonRecursive);
        Self {
            targets,
            acyclic,
            recursion_semantics: config.recursion_semantics(),
            max_results: config.max_results(),
            in_checks,
            datatype_messages,
        }
    }

    /// Whether [`validate`] gives the results of rudof's processor for this shapes graph:
    /// without recursive shape references, the outcome of a shape for a node does not depend
    /// on the order in which shapes are validated (rudof's cache only spares work).
    pub(crate) fn is_supported(&self) -> bool {
        self.acyclic
    }
}

/// A result message as rudof's validators build it: theirs, overridden by the shape's own
/// `sh:message` where it has one.
fn message(text: &str, shape: &IRShape) -> MessageMap {
    let msg = MessageMap::from(text);
    match shape.message() {
        Some(m) => msg.merge(m.to_owned(), true),
        None => msg,
    }
}

/// Validates `store` against every shape with targets in `shapes`, as
/// `ShaclProcessor::validate` does in native mode with the default configuration: whether it
/// conforms, and the results. Only for a shapes graph [`Prepared::is_supported`] accepts.
pub(crate) fn validate(
    shapes: &IRSchema,
    prepared: &Arc<Prepared>,
    store: &Store,
) -> Result<(bool, Vec<ValidationResult>), ValidationError> {
    let mut master = NativeEngine::new(prepared.recursion_semantics);
    Engine::<Store>::set_retention(
        &mut master,
        Retention {
            max_results: prepared.max_results,
            store_evidences: false,
        },
    );
    Engine::<Store>::build_indexes(&mut master, store)?;
    let mut all = ValidationOutcome::new();
    for idx in &prepared.targets {
        let shape = shapes.get_shape_from_idx_e(idx)?;
        // One engine per shape, as the processor forks them: shared cache and class index,
        // a fresh recursion chain and node expression state.
        let mut runner = FastEngine {
            inner: Engine::<Store>::fork(&master),
            prepared: Arc::clone(prepared),
        };
        all.extend(shape.validate(store, &mut runner, None, Some(shape), shapes)?);
    }
    let conforms = all.conforms();
    Ok((conforms, all.into_parts().0))
}

/// rudof's native engine, with faster `sh:in` and `sh:datatype` checks.
struct FastEngine {
    inner: Box<dyn Engine<Store>>,
    prepared: Arc<Prepared>,
}

/// rudof's `apply` for a per-value-node check (`validate_with` with `ValueNodeIteration`): a
/// result for each value node that `violates`, an evidence for each other one.
fn per_value_node(
    component: &IRComponent,
    shape: &IRShape,
    value_nodes: &ValueNodes<Store>,
    violates: impl Fn(&Term) -> bool,
    message: &MessageMap,
    maybe_path: Option<&SHACLPath>,
) -> ValidationOutcome {
    let mut outcome = ValidationOutcome::new();
    for (focus_node, nodes) in value_nodes.iter() {
        for value_node in nodes.iter() {
            let Ok(focus) = Store::term_as_object(focus_node) else {
                continue;
            };
            let component_obj = Object::iri(component.into());
            let source = Some(shape.id().clone());
            let value = Store::term_as_object(value_node).ok();
            if violates(value_node) {
                outcome.push_violation(
                    ValidationResult::new(focus, component_obj, shape.severity().clone())
                        .with_source(source)
                        .with_message(message.clone())
                        .with_path(maybe_path.cloned())
                        .with_value(value),
                );
            } else {
                outcome.push_evidence(
                    Evidence::new(focus, component_obj)
                        .with_source(source)
                        .with_path(maybe_path.cloned())
                        .with_value(value),
                );
            }
        }
    }
    outcome
}

/// rudof's `sh:datatype` test of a value node.
fn datatype_violated(c: &Datatype, value_node: &Term) -> bool {
    let Ok(lit) = Store::term_as_literal(value_node) else {
        return true;
    };
    match TryInto::<ConcreteLiteral>::try_into(lit.clone()) {
        Ok(ConcreteLiteral::WrongDatatypeLiteral { .. }) | Err(_) => true,
        Ok(_) => match Literal::datatype(&lit).get_iri() {
            Ok(iri) => iri.as_str() != c.datatype().as_str(),
            // rudof unwraps here; a literal always has a datatype IRI.
            Err(_) => true,
        },
    }
}

impl Engine<Store> for FastEngine {
    fn build_indexes(&mut self, store: &Store) -> Result<(), ValidationError> {
        self.inner.build_indexes(store)
    }

    fn fork(&self) -> Box<dyn Engine<Store>> {
        Box::new(FastEngine {
            inner: self.inner.fork(),
            prepared: Arc::clone(&self.prepared),
        })
    }

    fn evaluate(
        &mut self,
        store: &Store,
        shape: &IRShape,
        component: &IRComponent,
        value_nodes: &ValueNodes<Store>,
        source_shape: Option<&IRShape>,
        maybe_path: Option<&SHACLPath>,
        shapes_graph: &IRSchema,
    ) -> Result<ValidationOutcome, ValidationError> {
        // The `NativeEngine`'s dispatch, with this engine passed on to the validators (so that
        // nested shapes, e.g. in `sh:or`, are validated by it too).
        let validator: &dyn NativeValidator<Store> = match component {
            IRComponent::In(c) => {
                if let Some(check) = self.prepared.in_checks.get(&address(c)) {
                    return Ok(per_value_node(
                        component,
                        shape,
                        value_nodes,
                        |vn| !check.members.contains(vn),
                        &check.message,
                        maybe_path,
                    ));
                }
                c
            }
            IRComponent::Datatype(c) => {
                if let Some(message) = self.prepared.datatype_messages.get(&address(c)) {
                    return Ok(per_value_node(
                        component,
                        shape,
                        value_nodes,
                        |vn| datatype_violated(c, vn),
                        message,
                        maybe_path,
                    ));
                }
                c
            }
            IRComponent::Class(c) => c,
            IRComponent::NodeKind(c) => c,
            IRComponent::MinCount(c) => c,
            IRComponent::MaxCount(c) => c,
            IRComponent::MinExclusive(c) => c,
            IRComponent::MaxExclusive(c) => c,
            IRComponent::MinInclusive(c) => c,
            IRComponent::MaxInclusive(c) => c,
            IRComponent::MinLength(c) => c,
            IRComponent::MaxLength(c) => c,
            IRComponent::Pattern(c) => c,
            IRComponent::UniqueLang(c) => c,
            IRComponent::LanguageIn(c) => c,
            IRComponent::Equals(c) => c,
            IRComponent::Disjoint(c) => c,
            IRComponent::LessThan(c) => c,
            IRComponent::LessThanOrEquals(c) => c,
            IRComponent::SubsetOf(c) => c,
            IRComponent::Or(c) => c,
            IRComponent::And(c) => c,
            IRComponent::Not(c) => c,
            IRComponent::Xone(c) => c,
            IRComponent::Node(c) => c,
            IRComponent::HasValue(c) => c,
            IRComponent::QualifiedValueShape(c) => c,
            IRComponent::Closed(c) => c,
            IRComponent::Deactivated(c) => c,
            IRComponent::BasicSparql(c) => c,
        };
        validator.validate_native(
            component,
            shape,
            store,
            self,
            value_nodes,
            source_shape,
            maybe_path,
            shapes_graph,
        )
    }

    fn target_node(
        &self,
        store: &Store,
        node: &Object,
    ) -> Result<FocusNodes<Store>, ValidationError> {
        self.inner.target_node(store, node)
    }

    fn target_class(
        &self,
        store: &Store,
        class: &Object,
    ) -> Result<FocusNodes<Store>, ValidationError> {
        self.inner.target_class(store, class)
    }

    fn target_subject_of(
        &self,
        store: &Store,
        predicate: &IriS,
    ) -> Result<FocusNodes<Store>, ValidationError> {
        self.inner.target_subject_of(store, predicate)
    }

    fn target_object_of(
        &self,
        store: &Store,
        predicate: &IriS,
    ) -> Result<FocusNodes<Store>, ValidationError> {
        self.inner.target_object_of(store, predicate)
    }

    fn implicit_target_class(
        &self,
        store: &Store,
        shape: &Object,
    ) -> Result<FocusNodes<Store>, ValidationError> {
        self.inner.implicit_target_class(store, shape)
    }

    fn record_validation(
        &mut self,
        node: Object,
        shape_idx: ShapeLabelIdx,
        outcome: ValidationOutcome,
    ) {
        self.inner.record_validation(node, shape_idx, outcome);
    }

    fn has_validated(&self, node: &Object, shape_idx: ShapeLabelIdx) -> bool {
        self.inner.has_validated(node, shape_idx)
    }

    fn get_cached_outcome(
        &self,
        node: &Object,
        shape_idx: ShapeLabelIdx,
    ) -> Option<ValidationOutcome> {
        self.inner.get_cached_outcome(node, shape_idx)
    }

    fn recursion_semantics(&self) -> RecursionSemantics {
        self.inner.recursion_semantics()
    }

    fn is_in_chain(&self, node: &Object, shape_idx: ShapeLabelIdx) -> bool {
        self.inner.is_in_chain(node, shape_idx)
    }

    fn chain_enter(&mut self, node: Object, shape_idx: ShapeLabelIdx) {
        self.inner.chain_enter(node, shape_idx);
    }

    fn chain_exit(&mut self, node: &Object, shape_idx: ShapeLabelIdx) {
        self.inner.chain_exit(node, shape_idx);
    }

    fn node_expr_state(&mut self) -> &mut NodeExprState {
        self.inner.node_expr_state()
    }

    fn retention(&self) -> Retention {
        self.inner.retention()
    }

    fn set_retention(&mut self, retention: Retention) {
        self.inner.set_retention(retention);
    }
}
