//! [N-Quads](https://www.w3.org/TR/n-quads/) parsing and canonical serialization.
//!
//! The writer produces the canonical form that [RDFC-1.0 §4.7 / N-Quads canonical
//! form](https://www.w3.org/TR/rdf-canon/#canonical-quads) requires (RDF 1.2 canonical
//! N-Triples escaping: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f` as ECHAR, other controls as
//! `\uXXXX` with upper-case hex, everything else verbatim).

use std::fmt::Write as _;

use std::borrow::Cow;

use crate::dataset::{Dataset, Quad, RDF_LANG_STRING, Term, TermRef, XSD_STRING};

/// A term as parsed: borrowed from the input unless it had escapes.
enum Parsed<'a> {
    Iri(Cow<'a, str>),
    Blank(&'a str),
    Literal(Cow<'a, str>, Cow<'a, str>, Option<&'a str>),
}

impl Parsed<'_> {
    fn as_ref(&self) -> TermRef<'_> {
        match self {
            Parsed::Iri(iri) => TermRef::Iri(iri),
            Parsed::Blank(label) => TermRef::Blank(label),
            Parsed::Literal(value, datatype, language) => {
                TermRef::Literal(value, datatype, *language)
            }
        }
    }
}

/// Whether `body` holds a byte that may not appear unescaped in an IRIREF (controls, space,
/// `<>"{}|^`` ` ``, and `\\`, which starts an escape), and whether it holds a `:`.
///
/// Comparisons combined with `|`, not a table: the compiler turns the loop into vector
/// instructions (16 or 32 bytes a step), where a table lookup per byte cannot be (the IRIs
/// are most of an N-Quads document's bytes).
fn scan_iri(body: &[u8]) -> (bool, bool) {
    let mut bad = false;
    let mut colon = false;
    for &b in body {
        bad |= (b <= 0x20)
            | (b == b'<')
            | (b == b'>')
            | (b == b'"')
            | (b == b'{')
            | (b == b'}')
            | (b == b'|')
            | (b == b'^')
            | (b == b'`')
            | (b == b'\\');
        colon |= b == b':';
    }
    (bad, colon)
}

/// A syntax error in an N-Quads document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("N-Quads syntax error on line {line}, column {column}: {message}")]
pub struct NQuadsError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses an N-Quads document into a dataset; blank node labels are kept as written.
pub fn parse_nquads(input: &str) -> Result<Dataset, NQuadsError> {
    let mut dataset =
        Dataset::with_capacity(memchr::memchr_iter(b'\n', input.as_bytes()).count() + 1);
    for (n, line) in input.lines().enumerate() {
        let mut parser = LineParser {
            line: n + 1,
            text: line,
            pos: 0,
        };
        parser.skip_ws();
        if parser.at_end_or_comment() {
            continue;
        }
        let subject = match parser.peek() {
            Some('<') => Parsed::Iri(parser.iri()?),
            Some('_') => Parsed::Blank(parser.blank()?),
            _ => return Err(parser.error("expected an IRI or a blank node as subject")),
        };
        parser.skip_ws();
        if parser.peek() != Some('<') {
            return Err(parser.error("expected an IRI as predicate"));
        }
        let predicate = Parsed::Iri(parser.iri()?);
        parser.skip_ws();
        let object = match parser.peek() {
            Some('<') => Parsed::Iri(parser.iri()?),
            Some('_') => Parsed::Blank(parser.blank()?),
            Some('"') => parser.literal()?,
            _ => return Err(parser.error("expected an IRI, a blank node or a literal as object")),
        };
        parser.skip_ws();
        let graph = match parser.peek() {
            Some('<') => Some(Parsed::Iri(parser.iri()?)),
            Some('_') => Some(Parsed::Blank(parser.blank()?)),
            _ => None,
        };
        parser.skip_ws();
        if parser.peek() != Some('.') {
            return Err(parser.error("expected '.' at the end of the statement"));
        }
        parser.pos += 1;
        parser.skip_ws();
        if !parser.at_end_or_comment() {
            return Err(parser.error("unexpected text after '.'"));
        }
        let quad = Quad {
            subject: dataset.intern_ref(subject.as_ref()),
            predicate: dataset.intern_ref(predicate.as_ref()),
            object: dataset.intern_ref(object.as_ref()),
            graph: graph.map(|g| dataset.intern_ref(g.as_ref())),
        };
        dataset.insert(quad);
    }
    Ok(dataset)
}

struct LineParser<'a> {
    line: usize,
    text: &'a str,
    pos: usize,
}

impl<'a> LineParser<'a> {
    fn error(&self, message: &str) -> NQuadsError {
        NQuadsError {
            line: self.line,
            column: self
                .text
                .get(..self.pos)
                .map_or(self.pos, |s| s.chars().count())
                + 1,
            message: message.to_owned(),
        }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn at_end_or_comment(&self) -> bool {
        matches!(self.peek(), None | Some('#'))
    }

    fn iri(&mut self) -> Result<Cow<'a, str>, NQuadsError> {
        self.pos += 1; // '<'
        let rest = self.rest().as_bytes();
        // Fast path: no escapes before the closing '>' (almost every IRI).
        if let Some(end) = memchr::memchr(b'>', rest) {
            let (bad, colon) = scan_iri(&rest[..end]);
            if !bad {
                if !colon {
                    return Err(self.error("relative IRI: N-Quads requires absolute IRIs"));
                }
                let iri = self.rest().get(..end).unwrap_or("");
                self.pos += end + 1;
                return Ok(Cow::Borrowed(iri));
            }
        }
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated IRI")),
                Some('>') => break,
                Some('\\') => out.push(self.uchar()?),
                Some(c @ ('\u{0}'..=' ' | '<' | '"' | '{' | '}' | '|' | '^' | '`')) => {
                    return Err(self.error(&format!("character {c:?} is not allowed in an IRI")));
                }
                Some(c) => out.push(c),
            }
        }
        if !out.contains(':') {
            return Err(self.error("relative IRI: N-Quads requires absolute IRIs"));
        }
        Ok(Cow::Owned(out))
    }

    fn uchar(&mut self) -> Result<char, NQuadsError> {
        let digits = match self.bump() {
            Some('u') => 4,
            Some('U') => 8,
            _ => return Err(self.error("invalid escape in IRI")),
        };
        self.hex_char(digits)
    }

    fn hex_char(&mut self, digits: usize) -> Result<char, NQuadsError> {
        let hex = self
            .rest()
            .get(..digits)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let code = u32::from_str_radix(hex, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += digits;
        char::from_u32(code).ok_or_else(|| self.error("\\u escape is not a Unicode scalar value"))
    }

    fn blank(&mut self) -> Result<&'a str, NQuadsError> {
        if !self.rest().starts_with("_:") {
            return Err(self.error("expected '_:'"));
        }
        self.pos += 2;
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '\u{b7}') {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        // A label may not end with '.': give it back to the statement terminator.
        while self.pos > start && self.text.as_bytes().get(self.pos - 1) == Some(&b'.') {
            self.pos -= 1;
        }
        let label = self.text.get(start..self.pos).unwrap_or("");
        if label.is_empty() {
            return Err(self.error("empty blank node label"));
        }
        Ok(label)
    }

    fn literal(&mut self) -> Result<Parsed<'a>, NQuadsError> {
        self.pos += 1; // '"'
        let value: Cow<'a, str>;
        // Fast path: the string has no escapes before its closing quote.
        let rest = self.rest().as_bytes();
        if let Some(end) = memchr::memchr2(b'"', b'\\', rest)
            && rest.get(end) == Some(&b'"')
            && !rest[..end].iter().any(|&b| b == b'\n' || b == b'\r')
        {
            value = Cow::Borrowed(self.rest().get(..end).unwrap_or(""));
            self.pos += end + 1;
        } else {
            let mut owned = String::new();
            self.read_escaped_string(&mut owned)?;
            value = Cow::Owned(owned);
        }
        self.literal_suffix(value)
    }

    fn read_escaped_string(&mut self, value: &mut String) -> Result<(), NQuadsError> {
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated string literal")),
                Some('"') => break,
                Some('\\') => {
                    let c = match self.bump() {
                        Some('t') => '\t',
                        Some('b') => '\u{8}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('f') => '\u{c}',
                        Some('"') => '"',
                        Some('\'') => '\'',
                        Some('\\') => '\\',
                        Some('u') => self.hex_char(4)?,
                        Some('U') => self.hex_char(8)?,
                        _ => return Err(self.error("invalid escape in string literal")),
                    };
                    value.push(c);
                }
                Some('\n' | '\r') => return Err(self.error("line break in string literal")),
                Some(c) => value.push(c),
            }
        }
        Ok(())
    }

    fn literal_suffix(&mut self, value: Cow<'a, str>) -> Result<Parsed<'a>, NQuadsError> {
        let (datatype, language): (Cow<'a, str>, Option<&'a str>) = match self.peek() {
            Some('@') => {
                self.pos += 1;
                let start = self.pos;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '-') {
                    self.pos += 1;
                }
                let tag = self.text.get(start..self.pos).unwrap_or("");
                if tag.is_empty() || !tag.as_bytes()[0].is_ascii_alphabetic() {
                    return Err(self.error("invalid language tag"));
                }
                (Cow::Borrowed(RDF_LANG_STRING), Some(tag))
            }
            Some('^') => {
                if !self.rest().starts_with("^^<") {
                    return Err(self.error("expected '^^<' before a datatype IRI"));
                }
                self.pos += 2;
                (self.iri()?, None)
            }
            _ => (Cow::Borrowed(XSD_STRING), None),
        };
        Ok(Parsed::Literal(value, datatype, language))
    }
}

/// Writes one quad as a canonical N-Quads line (with the final newline); `label` maps each
/// blank node label to the label to write (without `_:`).
pub fn write_quad(
    out: &mut String,
    dataset: &Dataset,
    quad: &Quad,
    label: &dyn Fn(&str) -> String,
) {
    write_term(out, dataset.term(quad.subject), label);
    out.push(' ');
    write_term(out, dataset.term(quad.predicate), label);
    out.push(' ');
    write_term(out, dataset.term(quad.object), label);
    if let Some(graph) = quad.graph {
        out.push(' ');
        write_term(out, dataset.term(graph), label);
    }
    out.push_str(" .\n");
}

pub(crate) fn write_term(out: &mut String, term: &Term, label: &dyn Fn(&str) -> String) {
    match term {
        Term::Iri(iri) => {
            out.push('<');
            out.push_str(iri);
            out.push('>');
        }
        Term::Blank(b) => {
            out.push_str("_:");
            out.push_str(&label(b));
        }
        Term::Literal(literal) => write_literal(out, literal),
    }
}

pub(crate) fn write_literal(out: &mut String, literal: &crate::dataset::Literal) {
    out.push('"');
    escape_into(out, &literal.value);
    out.push('"');
    if let Some(language) = &literal.language {
        out.push('@');
        out.push_str(language);
    } else if &*literal.datatype != XSD_STRING {
        out.push_str("^^<");
        out.push_str(&literal.datatype);
        out.push('>');
    }
}

fn escape_into(out: &mut String, value: &str) {
    let mut start = 0;
    for (i, b) in value.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f | 0x7f => "",
            _ => continue,
        };
        out.push_str(value.get(start..i).unwrap_or(""));
        if escaped.is_empty() {
            let _ = write!(out, "\\u{b:04X}");
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(value.get(start..).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_escapes() {
        let input = "<http://a.example/s> <http://a.example/p> \"x\\\"y\\n\\u0001\\t\"@en .\n\
                     _:b0 <http://a.example/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> _:g .\n";
        let ds = parse_nquads(input).unwrap();
        assert_eq!(ds.len(), 2);
        let out = ds.to_nquads();
        assert_eq!(
            out,
            "<http://a.example/s> <http://a.example/p> \"x\\\"y\\n\\u0001\\t\"@en .\n\
             _:b0 <http://a.example/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> _:g .\n"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let err =
            parse_nquads("<http://a/s> <http://a/p> <http://a/o> .\n<s> <p> <o> .\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("relative IRI"), "{err}");
        assert!(parse_nquads("<http://a/s> <http://a/p> \"open .").is_err());
        assert!(parse_nquads("<http://a/s> <http://a/p> <http://a/o>").is_err());
    }

    /// Every byte value in the object IRI, at the start, in the middle and past the 32nd
    /// byte (where a vectorised scan takes its second step): the forbidden ones are refused,
    /// every other one read back as written; `\u` escapes still decode.
    #[test]
    fn iri_bytes_allowed_and_refused() {
        for b in 0..=0x7f_u8 {
            let c = char::from(b);
            for iri in [
                format!("{c}http://a.example/o"),
                format!("http://a.example/{c}"),
                format!("http://a.example/a-long-path-segment/{c}/more"),
            ] {
                let line = format!("<http://a/s> <http://a/p> <{iri}> .\n");
                let forbidden = b <= 0x20 || "<>\"{}|^`\\".contains(c);
                match parse_nquads(&line) {
                    Ok(ds) => {
                        assert!(!forbidden, "{b:#x} accepted in {iri:?}");
                        assert_eq!(ds.to_nquads(), line, "{b:#x}");
                    }
                    Err(e) => assert!(forbidden, "{b:#x} refused in {iri:?}: {e}"),
                }
            }
        }
        let ds =
            parse_nquads("<http://a/s> <http://a/p> <http://a/\\u00E9t\\U0001F600> .\n").unwrap();
        assert_eq!(
            ds.to_nquads(),
            "<http://a/s> <http://a/p> <http://a/\u{e9}t\u{1f600}> .\n"
        );
        assert!(parse_nquads("<http://a/s> <http://a/p> <no-colon-here> .\n").is_err());
    }
}
