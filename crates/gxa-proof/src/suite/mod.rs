//! The JSON-LD proof suites: JsonWebSignature2020 (both flavours) and Data Integrity
//! `eddsa-rdfc-2022` / `ecdsa-rdfc-2019`. Each module follows its specification's algorithm
//! sections: transformation (canonicalisation), hashing, proof configuration, serialisation.

pub(crate) mod di;
pub(crate) mod jws2020;

use serde_json::{Map, Value};

/// The proof options / proof configuration: the proof without its signature member, with the
/// given `@context`.
pub(crate) fn proof_options(
    proof: &Map<String, Value>,
    signature_member: &str,
    context: Option<&Value>,
) -> Value {
    let mut options = Map::new();
    if let Some(ctx) = context {
        options.insert("@context".into(), ctx.clone());
    }
    for (k, v) in proof {
        if k != signature_member && k != "@context" {
            options.insert(k.clone(), v.clone());
        }
    }
    Value::Object(options)
}
