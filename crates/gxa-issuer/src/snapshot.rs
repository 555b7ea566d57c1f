//! [`InventorySnapshot::from_json`]: the body of `POST /inventory`, held to its schema.
//!
//! A snapshot is the whole inventory, and what it no longer describes is withdrawn, so a body
//! that only looks like one must never get as far as issuance: the top level must be an object
//! (serde would read an array as the fields in order), only the four sections are allowed, each
//! of its own JSON type, a duplicated key at any depth is refused (parsers disagree on which one
//! wins), and a snapshot naming no section at all is refused.

use serde_json::{Map, Value};

use crate::{InventorySnapshot, IssuerError};

/// The sections of a snapshot, in the order they are documented.
const SECTIONS: [&str; 4] = ["openstack", "flavor_yaml", "hosts", "netbox"];

fn unprocessable(message: String) -> IssuerError {
    IssuerError::SnapshotShape(message)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A client-supplied name as quoted in an error: at most 64 characters.
fn shown(name: &str) -> String {
    match name.char_indices().nth(64) {
        Some((end, _)) => format!("{:?}…", &name[..end]),
        None => format!("{name:?}"),
    }
}

/// Every item of `items` an object, or the error naming the first that is not.
fn objects(section: &str, items: &[Value]) -> Result<(), IssuerError> {
    match items.iter().position(|item| !item.is_object()) {
        Some(i) => Err(unprocessable(format!(
            "{section}[{i}] must be an object, found {}",
            kind(&items[i])
        ))),
        None => Ok(()),
    }
}

impl InventorySnapshot {
    /// Reads a `POST /inventory` body: a JSON object with at least one of `openstack` (an
    /// object, or an array of flavor and image objects), `flavor_yaml` (a string), `hosts` (an
    /// array of objects) and `netbox` (an object), and nothing else.
    ///
    /// Errors: [`IssuerError::SnapshotNotJson`] when the body is not JSON;
    /// [`IssuerError::SnapshotShape`] when it is JSON of another shape (not an object, an
    /// unknown or mistyped section, no section, a duplicated key). Messages quote at most 64
    /// characters of a name.
    pub fn from_json(bytes: &[u8]) -> Result<Self, IssuerError> {
        let value = gxa_inventory::input::parse_json_slice(bytes).map_err(|err| {
            use serde_json::error::Category;
            match err.classify() {
                Category::Data => unprocessable(err.to_string()),
                _ => IssuerError::SnapshotNotJson(err),
            }
        })?;
        let Value::Object(map) = value else {
            return Err(unprocessable(format!(
                "must be a JSON object with the sections {}; found {}",
                SECTIONS.join(", "),
                kind(&value)
            )));
        };
        Self::from_map(map)
    }

    fn from_map(map: Map<String, Value>) -> Result<Self, IssuerError> {
        if map.is_empty() {
            return Err(unprocessable(format!(
                "names no section; a snapshot is the whole inventory: give at least one of {}",
                SECTIONS.join(", ")
            )));
        }
        let mut snapshot = Self::default();
        for (key, value) in map {
            match (key.as_str(), value) {
                ("openstack", Value::Object(object)) => {
                    snapshot.openstack = Some(Value::Object(object));
                }
                ("openstack", Value::Array(items)) => {
                    objects("openstack", &items)?;
                    snapshot.openstack = Some(Value::Array(items));
                }
                ("flavor_yaml", Value::String(text)) => snapshot.flavor_yaml = Some(text),
                ("hosts", Value::Array(items)) => {
                    objects("hosts", &items)?;
                    snapshot.hosts = items;
                }
                ("netbox", Value::Object(object)) => {
                    snapshot.netbox = Some(Value::Object(object));
                }
                (section @ ("openstack" | "flavor_yaml" | "hosts" | "netbox"), other) => {
                    let expected = match section {
                        "openstack" => "an object or an array of objects",
                        "flavor_yaml" => "a string",
                        "hosts" => "an array of objects",
                        _ => "an object",
                    };
                    return Err(unprocessable(format!(
                        "{section} must be {expected}, found {} (leave a section out rather than null)",
                        kind(&other)
                    )));
                }
                (unknown, _) => {
                    return Err(unprocessable(format!(
                        "unknown section {}; the sections are {}",
                        shown(unknown),
                        SECTIONS.join(", ")
                    )));
                }
            }
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn refused(body: &str) -> (ErrorKind, String) {
        let err = InventorySnapshot::from_json(body.as_bytes()).unwrap_err();
        (err.kind(), err.to_string())
    }

    #[test]
    fn only_an_object_of_known_typed_sections() {
        for body in [
            "[]",
            "[1]",
            "[-13300154]",
            "1",
            "\"x\"",
            "null",
            "{}",
            "true",
        ] {
            let (kind, message) = refused(body);
            assert_eq!(kind, ErrorKind::Unprocessable, "{body}: {message}");
        }
        assert!(refused("[1]").1.contains("found an array"));
        assert!(refused("{}").1.contains("names no section"));
        for body in [
            r#"{"openstack": null}"#,
            r#"{"openstack": 1}"#,
            r#"{"openstack": [1]}"#,
            r#"{"flavor_yaml": {}}"#,
            r#"{"hosts": {}}"#,
            r#"{"hosts": [{}, 2]}"#,
            r#"{"netbox": []}"#,
            r#"{"hosts": [], "extra": 1}"#,
            r#"{"hosts": [{"a": 1, "a": 2}]}"#,
            r#"{"hosts": [], "hosts": []}"#,
        ] {
            let (kind, message) = refused(body);
            assert_eq!(kind, ErrorKind::Unprocessable, "{body}: {message}");
        }
        assert!(refused(r#"{"hosts": [{}, 2]}"#).1.contains("hosts[1]"));
        assert!(
            refused(r#"{"hosts": [{"a": 1, "a": 2}]}"#)
                .1
                .contains("duplicate")
        );
        let long = format!(r#"{{"{}": 1}}"#, "x".repeat(60_000));
        let (_, message) = refused(&long);
        assert!(message.len() < 300, "bounded echo: {}", message.len());
        for body in ["{", "{\"hosts\": [}", "\u{0}", ""] {
            assert_eq!(refused(body).0, ErrorKind::BadRequest, "{body:?}");
        }
    }

    #[test]
    fn sections_are_taken_as_given() {
        let snapshot = InventorySnapshot::from_json(
            br#"{"openstack": {"flavors": []}, "flavor_yaml": "a: 1", "hosts": [{"x": 1}], "netbox": {}}"#,
        )
        .unwrap();
        assert_eq!(snapshot.openstack, Some(serde_json::json!({"flavors": []})));
        assert_eq!(snapshot.flavor_yaml.as_deref(), Some("a: 1"));
        assert_eq!(snapshot.hosts.len(), 1);
        assert_eq!(snapshot.netbox, Some(serde_json::json!({})));
        let list = InventorySnapshot::from_json(br#"{"openstack": [{"vcpus": 1}]}"#).unwrap();
        assert!(list.openstack.unwrap().is_array());
    }
}
