//! Input limits checked before any recursive processing.
//!
//! The JSON-LD algorithms (and the `json-syntax` parser under the library path) recurse once per
//! nesting level; a hostile document of a few hundred kilobytes of `[` would otherwise overflow
//! the stack and abort the process. Credentials nest a handful of levels deep; 128 is serde_json's
//! own default limit.

use crate::error::JsonLdError;

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 128;

/// Checks the nesting depth of JSON text without parsing it (strings and escapes are skipped).
pub(crate) fn check_text_depth(text: &str) -> Result<(), JsonLdError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(JsonLdError::TooDeep { limit: MAX_DEPTH });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Checks the nesting depth of an already parsed value, iteratively.
pub(crate) fn check_value_depth(value: &serde_json::Value) -> Result<(), JsonLdError> {
    let mut stack: Vec<(&serde_json::Value, usize)> = vec![(value, 1)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match value {
            serde_json::Value::Array(items) => Box::new(items.iter()),
            serde_json::Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth > MAX_DEPTH {
            return Err(JsonLdError::TooDeep { limit: MAX_DEPTH });
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_text_is_refused_and_strings_do_not_count() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            check_text_depth(&deep),
            Err(JsonLdError::TooDeep { limit: MAX_DEPTH })
        );
        let in_string = format!(
            "{{\"a\": \"{}\\\"{}\"}}",
            "[".repeat(1000),
            "{".repeat(1000)
        );
        assert_eq!(check_text_depth(&in_string), Ok(()));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(check_text_depth(&ok), Ok(()));
    }

    #[test]
    fn deep_value_is_refused() {
        let mut value = serde_json::json!(1);
        for _ in 0..(MAX_DEPTH + 1) {
            value = serde_json::json!([value]);
        }
        assert_eq!(
            check_value_depth(&value),
            Err(JsonLdError::TooDeep { limit: MAX_DEPTH })
        );
        assert_eq!(
            check_value_depth(&serde_json::json!({"a": [1, {"b": 2}]})),
            Ok(())
        );
    }
}
