//! JSON parsing that refuses duplicate object keys.
//!
//! RFC 8259 §4 only says names "SHOULD be unique"; parsers disagree on which duplicate wins
//! (serde_json keeps the last, others the first). A signed document with a duplicated key can
//! therefore mean one thing to the signer's canonicalizer and another to the relying party, so
//! the verifier refuses it before anything else looks at the document
//! (<https://www.rfc-editor.org/rfc/rfc8259#section-4>).

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// How many more JSON values a parse may produce; shared by every parse of one input.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: usize,
    left: Cell<usize>,
}

impl Budget {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            left: Cell::new(limit),
        }
    }

    fn unlimited() -> Self {
        Self::new(usize::MAX)
    }

    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "more than {} JSON values: over the verifier's limit, not read further",
                self.limit
            ))),
        }
    }
}

/// Parses `text` as JSON, refusing an object that has the same key twice.
///
/// Nesting is limited by serde_json's recursion limit (128), the same depth gxa-jsonld allows.
#[cfg(test)]
pub(crate) fn parse_strict(text: &str) -> Result<Value, String> {
    parse_strict_budget(text, &Budget::unlimited())
}

/// `parse_strict`, failing as soon as more JSON values than `budget` allows were read.
pub(crate) fn parse_strict_budget(text: &str, budget: &Budget) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictValue { budget }
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Same as `parse_strict`, from bytes (a JWT segment, a fetched body).
pub(crate) fn parse_strict_slice(bytes: &[u8]) -> Result<Value, String> {
    parse_strict_slice_budget(bytes, &Budget::unlimited())
}

/// [`parse_strict_slice`] within `budget`.
pub(crate) fn parse_strict_slice_budget(bytes: &[u8], budget: &Budget) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    parse_strict_budget(text, budget)
}

struct StrictValue<'a> {
    budget: &'a Budget,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.budget.take::<A::Error>()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue {
            budget: self.budget,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.budget.take::<A::Error>()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate JSON key {key:?}"
                )));
            }
            let value = map.next_value_seed(StrictValue {
                budget: self.budget,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_refused_at_any_depth() {
        let err = parse_strict(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(err.contains("duplicate JSON key \"a\""), "{err}");
        let err = parse_strict(r#"{"a":[{"b":{"c":1,"c":1}}]}"#).unwrap_err();
        assert!(err.contains("duplicate JSON key \"c\""), "{err}");
        assert_eq!(
            parse_strict(r#"{"a":[1,2.5,"x",null,true],"b":{"a":1}}"#).unwrap(),
            serde_json::json!({"a":[1,2.5,"x",null,true],"b":{"a":1}})
        );
        assert!(parse_strict(r#"{"a":1} x"#).is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse_strict(&deep).is_err());
    }

    #[test]
    fn the_value_budget_is_shared_and_enforced() {
        let budget = Budget::new(7);
        // {"a":[1,2],"b":{}} is 6 values.
        parse_strict_budget(r#"{"a":[1,2],"b":{}}"#, &budget).unwrap();
        let err = parse_strict_budget("[1,2]", &budget).unwrap_err();
        assert!(err.contains("more than 7 JSON values"), "{err}");
        let many = format!("[{}]", vec!["{}"; 100_000].join(","));
        let err = parse_strict_budget(&many, &Budget::new(50_000)).unwrap_err();
        assert!(err.contains("more than 50000"), "{err}");
        assert!(parse_strict(&many).is_ok());
    }
}
