//! Strict mode: nothing in the expanded document may be silently dropped by RDF conversion.
//!
//! The expansion policy already rejects undefined keys. What remains are values the JSON-LD
//! algorithms keep as "invalid" identifiers and the RDF conversion then drops: a `type` value
//! or a node reference that is neither an absolute IRI nor a blank node (e.g. `"type": "Foo"`
//! with no `@vocab`), and properties expanded to such strings.

use iref::IriBuf;
use json_ld::object::node::Node;
use json_ld::{ExpandedDocument, Id};

use crate::error::JsonLdError;

type Expanded = ExpandedDocument<IriBuf, rdf_types::BlankIdBuf>;

pub(crate) fn check(document: &Expanded) -> Result<(), JsonLdError> {
    use json_ld::object::FragmentRef;
    for fragment in document.traverse() {
        let node = match fragment {
            FragmentRef::Node(node) => Some(node),
            FragmentRef::IndexedNode(node) => Some(node.inner()),
            FragmentRef::Object(object) => object.as_node(),
            FragmentRef::IndexedObject(object) => object.inner().as_node(),
            _ => None,
        };
        if let Some(node) = node {
            check_node(node)?;
        }
    }
    Ok(())
}

fn check_node(node: &Node<IriBuf, rdf_types::BlankIdBuf>) -> Result<(), JsonLdError> {
    if let Some(Id::Invalid(id)) = &node.id {
        return Err(JsonLdError::UndefinedTerm {
            term: id.clone(),
            role: "node reference",
        });
    }
    for ty in node.types() {
        if let Id::Invalid(term) = ty {
            return Err(JsonLdError::UndefinedTerm {
                term: term.clone(),
                role: "type",
            });
        }
    }
    for (property, _) in node.properties() {
        if let Id::Invalid(term) = property {
            return Err(JsonLdError::UndefinedTerm {
                term: term.clone(),
                role: "property",
            });
        }
    }
    Ok(())
}
