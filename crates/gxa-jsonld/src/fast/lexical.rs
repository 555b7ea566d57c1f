//! Conservative checks of IRIs, blank node labels and language tags, and the canonical lexical
//! form of `xsd:double`.
//!
//! The checks accept a subset of what the `json-ld` crate accepts: a string they refuse makes the
//! document unsupported by the fast path (the library then decides, e.g. drops an invalid IRI
//! in lenient mode or names it in strict mode), so a check that is too strict costs speed, never
//! correctness.

const BAD: u8 = 0;
const OK: u8 = 1;
/// `#` is fine once: odd, so that the plain pass accepts it, and counted apart.
const HASH: u8 = 3;
const PERCENT: u8 = 4;

/// How each byte after the scheme is treated: unreserved, sub-delims, `:@/?` are fine, `#`
/// may occur once, `%` starts an escape, anything else (including non-ASCII) is refused.
static IRI_BYTE: [u8; 256] = {
    let mut table = [BAD; 256];
    let ok = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?";
    let mut i = 0;
    while i < ok.len() {
        table[ok[i] as usize] = OK;
        i += 1;
    }
    table[b'#' as usize] = HASH;
    table[b'%' as usize] = PERCENT;
    table
};

/// Whether `iri` is an absolute IRI ([RFC 3987](https://www.rfc-editor.org/rfc/rfc3987#section-2.2))
/// of the plain ASCII kind credentials use.
pub(crate) fn is_plain_absolute_iri(iri: &str) -> bool {
    let bytes = iri.as_bytes();
    let Some(colon) = bytes.iter().position(|&b| b == b':') else {
        return false;
    };
    let (scheme, rest) = (&bytes[..colon], &bytes[colon + 1..]);
    match scheme.split_first() {
        Some((first, tail))
            if first.is_ascii_alphabetic()
                && tail
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) => {}
        _ => return false,
    }
    // The common case, no percent escape: one tight pass over the table.
    let plain = rest.iter().all(|&b| IRI_BYTE[usize::from(b)] & OK != 0);
    let mut hashes = if plain {
        rest.iter().filter(|&&b| b == b'#').count()
    } else {
        0
    };
    let mut i = if plain { rest.len() } else { 0 };
    while i < rest.len() {
        match IRI_BYTE[usize::from(rest[i])] {
            OK => {}
            HASH => hashes += 1,
            PERCENT => {
                let hex = |j: usize| rest.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return false;
                }
                i += 2;
            }
            _ => return false,
        }
        i += 1;
    }
    if hashes > 1 {
        return false;
    }
    if let Some(after) = rest.strip_prefix(b"//") {
        let end = after
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(after.len());
        let authority = &after[..end];
        if authority.contains(&b'@') {
            return false;
        }
        if let Some(c) = authority.iter().rposition(|&b| b == b':') {
            let port = &authority[c + 1..];
            if port.is_empty() || !port.iter().all(u8::is_ascii_digit) {
                return false;
            }
        }
    }
    true
}

/// Whether `label` (after `_:`) is a blank node label every RDF syntax accepts.
pub(crate) fn is_plain_blank_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !label.starts_with('-')
}

/// Whether `tag` is a well-formed [BCP 47](https://www.rfc-editor.org/rfc/rfc5646#section-2.1)
/// tag of the common shape: language, optional script, optional region, variants.
pub(crate) fn is_plain_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-').peekable();
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let digit = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    match parts.next() {
        Some(lang) if (2..=3).contains(&lang.len()) && alpha(lang) => {}
        _ => return false,
    }
    if let Some(script) = parts.peek()
        && script.len() == 4
        && alpha(script)
    {
        parts.next();
    }
    if let Some(region) = parts.peek()
        && ((region.len() == 2 && alpha(region)) || (region.len() == 3 && digit(region)))
    {
        parts.next();
    }
    parts.all(|variant| {
        ((5..=8).contains(&variant.len()) && alnum(variant))
            || (variant.len() == 4 && variant.as_bytes()[0].is_ascii_digit() && alnum(variant))
    })
}

/// The canonical `xsd:double` form the JSON-LD toRdf algorithm uses
/// ([JSON-LD 1.1 API §8.6 step 10](https://www.w3.org/TR/json-ld11-api/#object-to-rdf-conversion)),
/// e.g. `1.1E0`, `5.0E-1`, as the library writes it.
pub(crate) fn canonical_double(value: f64) -> String {
    const CONFIG: pretty_dtoa::FmtFloatConfig = pretty_dtoa::FmtFloatConfig::default()
        .force_e_notation()
        .capitalize_e(true);
    pretty_dtoa::dtoa(value, CONFIG)
}

/// A finite `f64` as ECMAScript's `Number::toString` writes it (ECMA-262 §6.1.6.1.20), which is
/// RFC 8785's form of a JSON number: the shortest digits that round-trip, without an exponent
/// from 1e-6 to below 1e21, with `e+`/`e-` outside.
pub(crate) fn ecmascript_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d[.ddd]e<exp>`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let n = exponent + 1;
    let mut out = String::new();
    if value < 0.0 {
        out.push('-');
    }
    let count = |i: i32| usize::try_from(i).unwrap_or(0);
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', count(n - k)));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..count(n)]);
        out.push('.');
        out.push_str(&digits[count(n)..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', count(-n)));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).abs().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_ecmascript_writes_them() {
        for (value, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-7.0, "-7"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (123_456.789, "123456.789"),
            (9_007_199_254_740_992.0, "9007199254740992"),
            (18_446_744_073_709_551_615.0, "18446744073709552000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (-2.5e-7, "-2.5e-7"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(ecmascript_number(value), text, "{value:e}");
        }
    }

    #[test]
    fn iris() {
        for ok in [
            "https://www.w3.org/2018/credentials#VerifiableCredential",
            "did:web:example.com%3A8443:path",
            "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
            "http://example.com:8080/a?b=c#d",
        ] {
            assert!(is_plain_absolute_iri(ok), "{ok}");
        }
        for bad in [
            "relative",
            "1http://x",
            "http://ex/a b",
            "http://ex/a#b#c",
            "http://u@ex/",
            "http://ex:port/",
            "http://ex/%zz",
            "http://ex/é",
        ] {
            assert!(!is_plain_absolute_iri(bad), "{bad}");
        }
    }

    #[test]
    fn language_tags_and_doubles() {
        assert!(is_plain_language_tag("en"));
        assert!(is_plain_language_tag("en-US"));
        assert!(is_plain_language_tag("zh-Hant-TW"));
        assert!(!is_plain_language_tag("en-a"));
        assert!(!is_plain_language_tag("e"));
        assert_eq!(canonical_double(1.1), "1.1E0");
        assert_eq!(canonical_double(0.5), "5.0E-1");
        assert_eq!(canonical_double(100.0), "1.0E2");
        assert!(is_plain_blank_label("b0"));
        assert!(!is_plain_blank_label(""));
    }
}
