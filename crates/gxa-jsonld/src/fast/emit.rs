//! One pass from parsed JSON to quads: the Expansion Algorithm
//! ([JSON-LD 1.1 API §5.1][expansion]), node map generation and RDF serialization
//! ([§8.4][to-rdf]) fused, for the constructs credentials use.
//!
//! The node map step of the specification only merges the properties of nodes with the same
//! identifier; written as quads into a [`Dataset`] (a set) the merge happens by itself, so nodes
//! are emitted where they are met. Blank nodes get fresh labels (`b0`, `b1`, …); labels in the
//! document are mapped to fresh ones consistently. Labels do not matter after RDFC-1.0.
//!
//! [expansion]: https://www.w3.org/TR/json-ld11-api/#expansion-algorithm
//! [to-rdf]: https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm

use std::sync::Arc;

use gxa_rdf::{Dataset, Quad, TermId, XSD_STRING};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::fast::Unsupported;
use crate::fast::context::{
    C_GRAPH, C_LANGUAGE, C_LIST, C_SET, Context, Expanded, Kw, TermDef, TypeMapping, keyword,
};
use crate::fast::lexical::{
    canonical_double, ecmascript_number, is_plain_absolute_iri, is_plain_blank_label,
    is_plain_language_tag,
};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
/// 2^53: every integer up to it is exact in an f64.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
const RDF_JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
/// Maps nested deeper than this are left to the library (and its depth limit).
const MAX_NESTING: usize = 64;

type Fast<T> = Result<T, Unsupported>;

/// The entries of a map, sorted by what their keys expand to.
#[derive(Default)]
struct Entries<'d, 'c> {
    id: Option<&'d Value>,
    types: Vec<&'d Value>,
    value: Option<&'d Value>,
    language: Option<&'d Value>,
    list: Option<&'d Value>,
    set: Option<&'d Value>,
    graph: Option<&'d Value>,
    properties: Vec<(&'d str, std::borrow::Cow<'c, str>, &'d Value)>,
}

/// The writer of one document's quads.
pub(crate) struct Emitter {
    dataset: Dataset,
    blanks: FxHashMap<Box<str>, TermId>,
    /// Datatype IRIs already checked (literals are interned whole, so the dataset cannot
    /// tell).
    checked_datatypes: Vec<Box<str>>,
    /// Nesting of maps being expanded, bounded so that hostile input cannot exhaust the stack.
    depth: usize,
    next_blank: u32,
    rdf_type: TermId,
}

impl Emitter {
    pub(crate) fn new() -> Self {
        let mut dataset = Dataset::with_capacity(64);
        let rdf_type = dataset.iri(RDF_TYPE);
        Emitter {
            dataset,
            blanks: FxHashMap::default(),
            checked_datatypes: Vec::new(),
            depth: 0,
            next_blank: 0,
            rdf_type,
        }
    }

    pub(crate) fn finish(self) -> Dataset {
        self.dataset
    }

    /// The document: a node object, an array of them, or a map with only `@graph`.
    pub(crate) fn document(&mut self, initial: &Arc<Context>, document: &Value) -> Fast<()> {
        match document {
            Value::Array(items) => {
                for item in items {
                    let Value::Object(map) = item else {
                        return Err(Unsupported("top-level item is not a map"));
                    };
                    self.top_map(initial, map)?;
                }
                Ok(())
            }
            Value::Object(map) => self.top_map(initial, map),
            _ => Err(Unsupported("document is not a map or an array")),
        }
    }

    fn top_map(&mut self, ctx: &Arc<Context>, map: &Map<String, Value>) -> Fast<()> {
        let ctx = match map.get("@context") {
            Some(local) => ctx.derive_embedded(local)?,
            None => ctx.clone(),
        };
        // A map whose only entry (besides `@context`) expands to `@graph` holds the top-level
        // nodes (§5.1.1 "If, after the algorithm outlined above is run, the resulting element
        // is a map that contains only an @graph entry, ...").
        let mut graph_only = None;
        let mut others = 0;
        for (key, value) in map {
            if key == "@context" {
                continue;
            }
            others += 1;
            if matches!(ctx.expand_iri(key, true), Expanded::Keyword(Kw::Graph)) {
                graph_only = Some(value);
            }
        }
        if let (Some(graph), 1) = (graph_only, others) {
            let items: &[Value] = match graph {
                Value::Array(items) => items,
                other => std::slice::from_ref(other),
            };
            let mut out = Vec::new();
            for item in items {
                let Value::Object(node) = item else {
                    return Err(Unsupported("top-level @graph item is not a map"));
                };
                out.clear();
                self.map(&ctx, None, node, None, &mut out, false)?;
            }
            return Ok(());
        }
        let mut out = Vec::new();
        self.map(&ctx, None, map, None, &mut out, false)
    }

    /// A property value (§5.1.2 for a value of `active_property`), its objects pushed to `out`.
    fn element<'d>(
        &mut self,
        ctx: &Arc<Context>,
        active_property: &'d str,
        value: &'d Value,
        graph: Option<TermId>,
        out: &mut Vec<TermId>,
    ) -> Fast<()> {
        match value {
            Value::Null => Ok(()),
            Value::Array(items) => {
                for item in items {
                    self.element(ctx, active_property, item, graph, out)?;
                }
                Ok(())
            }
            Value::Object(map) => self.map(ctx, Some(active_property), map, graph, out, false),
            scalar => {
                let mut ctx = ctx.clone();
                if let Some(scoped) = ctx.term(active_property).and_then(|d| d.context.clone()) {
                    ctx = ctx.derive_scoped(&scoped, true, true)?;
                }
                if let Some(object) = self.scalar(&ctx, active_property, scalar)? {
                    out.push(object);
                }
                Ok(())
            }
        }
    }

    /// Value Expansion (§5.3) and RDF conversion of a scalar.
    fn scalar(
        &mut self,
        ctx: &Context,
        active_property: &str,
        value: &Value,
    ) -> Fast<Option<TermId>> {
        let def = ctx.term(active_property);
        if let Some(def) = def {
            check_usable(def)?;
        }
        let type_mapping = def.and_then(|d| d.type_mapping.as_ref());
        match (type_mapping, value) {
            (Some(TypeMapping::Json), _) => Err(Unsupported("@json literal")),
            (Some(TypeMapping::Id), Value::String(s)) => self.reference(ctx, s, false).map(Some),
            (Some(TypeMapping::Vocab), Value::String(s)) => self.reference(ctx, s, true).map(Some),
            (Some(TypeMapping::Iri(datatype)), _) => {
                let datatype: &str = datatype;
                self.native(value, Some(datatype))
            }
            (_, Value::String(s)) => {
                let language = match def.and_then(|d| d.language.as_ref()) {
                    Some(language) => language.as_deref(),
                    None => ctx.language.as_deref(),
                };
                match language {
                    Some(language) => self.lang_string(s, language).map(Some),
                    None => Ok(Some(self.dataset.literal(s, XSD_STRING, None))),
                }
            }
            _ => self.native(value, None),
        }
    }

    fn lang_string(&mut self, value: &str, language: &str) -> Fast<TermId> {
        if !is_plain_language_tag(language) {
            return Err(Unsupported("unusual language tag"));
        }
        // Lower case, as the library path writes it (`processor.rs`).
        let language = language.to_ascii_lowercase();
        Ok(self
            .dataset
            .literal(value, gxa_rdf::RDF_LANG_STRING, Some(&language)))
    }

    /// A JSON string, number or boolean as a literal (§8.6), with an optional datatype.
    fn native(&mut self, value: &Value, datatype: Option<&str>) -> Fast<Option<TermId>> {
        if let Some(datatype) = datatype
            && !self.checked_datatypes.iter().any(|d| **d == *datatype)
        {
            if !is_plain_absolute_iri(datatype) {
                return Err(Unsupported("datatype is not a plain absolute IRI"));
            }
            self.checked_datatypes.push(datatype.into());
        }
        let (lexical, preferred): (std::borrow::Cow<'_, str>, &str) = match value {
            Value::String(s) => (s.as_str().into(), XSD_STRING),
            Value::Bool(b) => ((if *b { "true" } else { "false" }).into(), XSD_BOOLEAN),
            Value::Number(n) => {
                // The library first puts the number in its JSON canonical form (RFC 8785: the
                // shortest JavaScript form of the f64), then writes it as xsd:integer when
                // that form is an integer and the datatype is not xsd:double, else as a
                // canonical xsd:double. Integers up to 2^53 and non-integral doubles are
                // unambiguous; anything else is left to the library.
                let f = n
                    .as_f64()
                    .filter(|f| f.is_finite())
                    .ok_or(Unsupported("unusual number"))?;
                // Integral up to 2^53: an xsd:integer; from 1e21 on the canonical form has an
                // exponent: an xsd:double. Between them the library's choice depends on how
                // the number was written (an i64 or not), so that is left to it.
                let integral = f.fract() == 0.0 && f.abs() < 1e21;
                if integral && f.abs() > MAX_SAFE_INTEGER {
                    return Err(Unsupported("integer beyond 2^53"));
                }
                if integral && datatype != Some(XSD_DOUBLE) {
                    (ecmascript_number(f).into(), XSD_INTEGER)
                } else if f == 0.0 {
                    return Err(Unsupported("unusual number"));
                } else {
                    (canonical_double(f).into(), XSD_DOUBLE)
                }
            }
            Value::Null => return Ok(None),
            _ => return Err(Unsupported("structured literal")),
        };
        Ok(Some(self.dataset.literal(
            &lexical,
            datatype.unwrap_or(preferred),
            None,
        )))
    }

    /// A node reference: IRI expansion of `value` (document-relative, no base).
    fn reference(&mut self, ctx: &Context, value: &str, vocab: bool) -> Fast<TermId> {
        match ctx.expand_iri(value, vocab) {
            Expanded::Iri(iri) => self.id_term(&iri),
            _ => Err(Unsupported("reference does not expand to an absolute IRI")),
        }
    }

    /// An IRI or blank node identifier as a term.
    fn id_term(&mut self, id: &str) -> Fast<TermId> {
        if let Some(label) = id.strip_prefix("_:") {
            if !is_plain_blank_label(label) {
                return Err(Unsupported("unusual blank node label"));
            }
            if let Some(term) = self.blanks.get(label) {
                return Ok(*term);
            }
            let term = self.fresh_blank();
            self.blanks.insert(label.into(), term);
            return Ok(term);
        }
        self.checked_iri(id)
    }

    /// Interns an IRI, checking it the first time it is met in the document.
    fn checked_iri(&mut self, iri: &str) -> Fast<TermId> {
        let known = self.dataset.term_count();
        let term = self.dataset.iri(iri);
        if term.index() >= known && !is_plain_absolute_iri(iri) {
            return Err(Unsupported("not a plain absolute IRI"));
        }
        Ok(term)
    }

    fn fresh_blank(&mut self) -> TermId {
        let label = format!("b{}", self.next_blank);
        self.next_blank += 1;
        self.dataset.blank(&label)
    }

    /// A map as a property value or top-level item, with the nesting bounded.
    fn map<'d>(
        &mut self,
        ctx_in: &Arc<Context>,
        active_property: Option<&'d str>,
        map: &'d Map<String, Value>,
        graph: Option<TermId>,
        out: &mut Vec<TermId>,
        top: bool,
    ) -> Fast<()> {
        if self.depth >= MAX_NESTING {
            return Err(Unsupported("deeply nested document"));
        }
        self.depth += 1;
        let result = self.map_inner(ctx_in, active_property, map, graph, out, top);
        self.depth -= 1;
        result
    }

    /// A map as a property value or top-level item (§5.1.2 steps 7 to 20).
    fn map_inner<'d>(
        &mut self,
        ctx_in: &Arc<Context>,
        active_property: Option<&'d str>,
        map: &'d Map<String, Value>,
        graph: Option<TermId>,
        out: &mut Vec<TermId>,
        top: bool,
    ) -> Fast<()> {
        let mut ctx = ctx_in.clone();
        // Step 7: revert a non-propagated context, except for value objects and references.
        if let Some(previous) = &ctx_in.previous {
            let mut has_value = false;
            let mut only_id = map.len() == 1;
            for key in map.keys() {
                match ctx_in.expand_iri(key, true) {
                    Expanded::Keyword(Kw::Value) => has_value = true,
                    Expanded::Keyword(Kw::Id) => {}
                    _ => only_id = false,
                }
            }
            if !has_value && !only_id {
                ctx = previous.clone();
            }
        }
        // Step 8: the property-scoped context, from the definition in the incoming context.
        if let Some(property) = active_property
            && let Some(scoped) = ctx_in.term(property).and_then(|d| d.context.as_ref())
        {
            ctx = ctx.derive_scoped(scoped, true, true)?;
        }
        // Step 9: an embedded context (already applied for top-level maps).
        if !top && let Some(local) = map.get("@context") {
            ctx = ctx.derive_embedded(local)?;
        }
        // Step 11: type-scoped contexts, types in lexicographic order.
        let type_scoped = ctx.clone();
        let mut type_keys: Vec<&'d str> = map
            .keys()
            .filter(|k| matches!(type_scoped.expand_iri(k, true), Expanded::Keyword(Kw::Type)))
            .map(String::as_str)
            .collect();
        type_keys.sort_unstable();
        for key in &type_keys {
            let mut terms: Vec<&str> = match map.get(*key) {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().ok_or(Unsupported("invalid type value")))
                    .collect::<Fast<_>>()?,
                _ => return Err(Unsupported("invalid type value")),
            };
            terms.sort_unstable();
            for term in terms {
                if let Some(scoped) = type_scoped.term(term).and_then(|d| d.context.as_ref()) {
                    ctx = ctx.derive_scoped(scoped, false, false)?;
                }
            }
        }
        let entries = classify(&ctx, map)?;
        if let Some(value) = entries.value {
            if entries.id.is_some()
                || entries.list.is_some()
                || entries.set.is_some()
                || entries.graph.is_some()
                || !entries.properties.is_empty()
                || active_property.is_none()
            {
                return Err(Unsupported("unusual value object"));
            }
            if let Some(object) = self.value_object(&type_scoped, &entries, value)? {
                out.push(object);
            }
            return Ok(());
        }
        if let Some(items) = entries.list.or(entries.set) {
            let Some(property) = active_property else {
                return Err(Unsupported("free-floating list or set"));
            };
            if entries.id.is_some()
                || !entries.types.is_empty()
                || entries.graph.is_some()
                || entries.language.is_some()
                || !entries.properties.is_empty()
                || (entries.list.is_some() && entries.set.is_some())
            {
                return Err(Unsupported("unusual list or set object"));
            }
            if entries.set.is_some() {
                return self.element(&ctx, property, items, graph, out);
            }
            let items: &[Value] = match items {
                Value::Array(items) => items,
                other => std::slice::from_ref(other),
            };
            let mut objects = Vec::new();
            for item in items {
                if item.is_array() || matches!(item, Value::Object(m) if is_list_object(&ctx, m)) {
                    return Err(Unsupported("list of lists"));
                }
                self.element(&ctx, property, item, graph, &mut objects)?;
            }
            let head = self.list(&objects, graph);
            out.push(head);
            return Ok(());
        }
        if entries.graph.is_some() || entries.language.is_some() {
            return Err(Unsupported("@graph or @language in a node object"));
        }
        // A node object.
        let subject = match entries.id {
            Some(Value::String(id)) => self.reference(&ctx, id, false)?,
            Some(_) => return Err(Unsupported("invalid @id value")),
            None => self.fresh_blank(),
        };
        for types in &entries.types {
            let items: &[Value] = match types {
                Value::Array(items) => items,
                other => std::slice::from_ref(*other),
            };
            for ty in items {
                let ty = ty.as_str().ok_or(Unsupported("invalid type value"))?;
                let object = self.reference(&type_scoped, ty, true)?;
                self.quad(subject, self.rdf_type, object, graph);
            }
        }
        let mut objects = Vec::new();
        for (key, iri, value) in &entries.properties {
            if iri.starts_with("_:") {
                return Err(Unsupported("blank node property"));
            }
            let predicate = self.checked_iri(iri)?;
            let def = ctx.term(key);
            let container = match def {
                Some(def) => {
                    check_usable(def)?;
                    if def.type_mapping == Some(TypeMapping::Json) {
                        if value.is_null() {
                            return Err(Unsupported("null @json value"));
                        }
                        let object = self.json_literal(value)?;
                        self.quad(subject, predicate, object, graph);
                        continue;
                    }
                    def.container
                }
                None => 0,
            };
            objects.clear();
            match container {
                0 | C_SET => {
                    self.element(&ctx, key, value, graph, &mut objects)?;
                    for object in &objects {
                        self.quad(subject, predicate, *object, graph);
                    }
                }
                C_LIST => {
                    let items: &[Value] = match value {
                        Value::Array(items) => items,
                        Value::Object(m) if is_list_object(&ctx, m) => {
                            // Already a list object: not wrapped again.
                            self.element(&ctx, key, value, graph, &mut objects)?;
                            for object in &objects {
                                self.quad(subject, predicate, *object, graph);
                            }
                            continue;
                        }
                        Value::Null => continue,
                        other => std::slice::from_ref(other),
                    };
                    for item in items {
                        if item.is_array()
                            || matches!(item, Value::Object(m) if is_list_object(&ctx, m))
                        {
                            return Err(Unsupported("list of lists"));
                        }
                        self.element(&ctx, key, item, graph, &mut objects)?;
                    }
                    let head = self.list(&objects, graph);
                    self.quad(subject, predicate, head, graph);
                }
                c if c & !(C_GRAPH | C_SET) == 0 => {
                    let items: &[Value] = match value {
                        Value::Array(items) => items,
                        Value::Null => continue,
                        other => std::slice::from_ref(other),
                    };
                    for item in items {
                        match item {
                            Value::Null => continue,
                            Value::Array(_) => {
                                return Err(Unsupported("array in a graph container"));
                            }
                            Value::Object(m) if has_graph_or_list(&ctx, m) => {
                                return Err(Unsupported(
                                    "graph or list object in a graph container",
                                ));
                            }
                            _ => {}
                        }
                        let name = self.fresh_blank();
                        self.quad(subject, predicate, name, graph);
                        let mut inner = Vec::new();
                        self.element(&ctx, key, item, Some(name), &mut inner)?;
                    }
                }
                c if c & !C_SET == C_LANGUAGE => match value {
                    Value::Object(languages) => {
                        self.language_map(&ctx, languages, subject, predicate, graph)?;
                    }
                    _ => {
                        self.element(&ctx, key, value, graph, &mut objects)?;
                        for object in &objects {
                            self.quad(subject, predicate, *object, graph);
                        }
                    }
                },
                _ => return Err(Unsupported("map container")),
            }
        }
        out.push(subject);
        Ok(())
    }

    /// A language map (§5.1.2 step 13.7): each key a language tag (or `@none`, or a term
    /// for it: no language), each value a string or an array of strings; keys in order.
    fn language_map(
        &mut self,
        ctx: &Context,
        languages: &Map<String, Value>,
        subject: TermId,
        predicate: TermId,
        graph: Option<TermId>,
    ) -> Fast<()> {
        let mut keys: Vec<&String> = languages.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let none =
                key == "@none" || matches!(ctx.expand_iri(key, true), Expanded::Keyword(Kw::None));
            let items: &[Value] = match &languages[key] {
                Value::Array(items) => items,
                other => std::slice::from_ref(other),
            };
            for item in items {
                let object = match item {
                    Value::Null => continue,
                    Value::String(text) if none => self.dataset.literal(text, XSD_STRING, None),
                    Value::String(text) => self.lang_string(text, key)?,
                    _ => return Err(Unsupported("language map value is not a string")),
                };
                self.quad(subject, predicate, object, graph);
            }
        }
        Ok(())
    }

    /// A value object (§5.1.2 step 15) as a literal.
    fn value_object<'d>(
        &mut self,
        type_scoped: &Context,
        entries: &Entries<'d, '_>,
        value: &'d Value,
    ) -> Fast<Option<TermId>> {
        let datatype = match entries.types.as_slice() {
            [] => None,
            [Value::String(ty)] => match type_scoped.expand_iri(ty, true) {
                Expanded::Keyword(Kw::Json) if entries.language.is_none() && !value.is_null() => {
                    return self.json_literal(value).map(Some);
                }
                Expanded::Iri(iri) if !iri.starts_with("_:") => Some(iri.into_owned()),
                _ => return Err(Unsupported("unusual value object type")),
            },
            _ => return Err(Unsupported("invalid typed value")),
        };
        match (entries.language, value, &datatype) {
            (None, _, _) => self.native(value, datatype.as_deref()),
            (Some(Value::String(language)), Value::String(s), None) => {
                self.lang_string(s, language).map(Some)
            }
            (Some(Value::Null), _, _) => self.native(value, datatype.as_deref()),
            _ => Err(Unsupported("unusual language-tagged value")),
        }
    }

    /// A JSON literal (`rdf:JSON`), written as the library writes it: keys sorted, no
    /// spaces ([JSON-LD 1.1 API §8.6 step 6](https://www.w3.org/TR/json-ld11-api/#object-to-rdf-conversion)).
    /// Only ASCII keys, strings without control characters and safe integers are supported.
    fn json_literal(&mut self, value: &Value) -> Fast<TermId> {
        let mut text = String::new();
        write_json(&mut text, value)?;
        Ok(self.dataset.literal(&text, RDF_JSON, None))
    }

    /// An RDF collection ([§8.5](https://www.w3.org/TR/json-ld11-api/#list-to-rdf-conversion)).
    fn list(&mut self, items: &[TermId], graph: Option<TermId>) -> TermId {
        let nil = self.dataset.iri(RDF_NIL);
        if items.is_empty() {
            return nil;
        }
        let first = self.dataset.iri(RDF_FIRST);
        let rest = self.dataset.iri(RDF_REST);
        let nodes: Vec<TermId> = items.iter().map(|_| self.fresh_blank()).collect();
        for (i, (node, item)) in nodes.iter().zip(items).enumerate() {
            self.quad(*node, first, *item, graph);
            let next = nodes.get(i + 1).copied().unwrap_or(nil);
            self.quad(*node, rest, next, graph);
        }
        nodes[0]
    }

    fn quad(&mut self, subject: TermId, predicate: TermId, object: TermId, graph: Option<TermId>) {
        self.dataset.insert(Quad {
            subject,
            predicate,
            object,
            graph,
        });
    }
}

fn write_json(out: &mut String, value: &Value) -> Fast<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // RFC 8785: every number as the f64 ECMAScript would read, written as it writes it.
        Value::Number(n) => match n.as_f64().filter(|f| f.is_finite()) {
            Some(f) => out.push_str(&ecmascript_number(f)),
            None => return Err(Unsupported("number in a JSON literal")),
        },
        Value::String(s) => write_json_string(out, s)?,
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // RFC 8785 §3.2.3: keys in the order of their UTF-16 code units.
            entries.sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, key)?;
                out.push(':');
                write_json(out, item)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_json_string(out: &mut String, s: &str) -> Fast<()> {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            // RFC 8785 §3.2.2.2: the short escapes where JSON has one, else \u00xx.
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// Sorts the entries of a node or value object by what their keys expand to (step 13).
fn classify<'d, 'c>(ctx: &'c Context, map: &'d Map<String, Value>) -> Fast<Entries<'d, 'c>>
where
    'd: 'c,
{
    let mut entries = Entries::default();
    classify_into(ctx, map, &mut entries, 0)?;
    if keyword_only_value(&entries) {
        return Err(Unsupported("unusual value object"));
    }
    Ok(entries)
}

/// Most levels of `@nest` inside `@nest` taken.
const MAX_NEST: usize = 8;

/// [`classify`]'s loop over one map; `nested` > 0 for the entries of a `@nest` value
/// (§5.1.2 step 14: only properties and further nesting, never `@value`).
fn classify_into<'d, 'c>(
    ctx: &'c Context,
    map: &'d Map<String, Value>,
    entries: &mut Entries<'d, 'c>,
    nested: usize,
) -> Fast<()>
where
    'd: 'c,
{
    for (key, value) in map {
        if key == "@context" {
            if nested > 0 {
                return Err(Unsupported("@context in a @nest value"));
            }
            continue;
        }
        let expanded = ctx.expand_iri(key, true);
        if nested > 0 && !matches!(expanded, Expanded::Iri(_) | Expanded::Keyword(Kw::Nest)) {
            return Err(Unsupported("keyword in a @nest value"));
        }
        let slot = match expanded {
            Expanded::Keyword(Kw::Nest) => {
                if ctx.term(key).is_some_and(|d| d.context.is_some()) {
                    return Err(Unsupported("scoped context on a @nest alias"));
                }
                if nested >= MAX_NEST {
                    return Err(Unsupported("deeply nested @nest"));
                }
                let items: &[Value] = match value {
                    Value::Array(items) => items,
                    other => std::slice::from_ref(other),
                };
                for item in items {
                    let Value::Object(inner) = item else {
                        return Err(Unsupported("@nest value is not a map"));
                    };
                    classify_into(ctx, inner, entries, nested + 1)?;
                }
                continue;
            }
            Expanded::Keyword(Kw::Type) => {
                entries.types.push(value);
                continue;
            }
            Expanded::Keyword(Kw::Id) => &mut entries.id,
            Expanded::Keyword(Kw::Value) => &mut entries.value,
            Expanded::Keyword(Kw::Language) => &mut entries.language,
            Expanded::Keyword(Kw::List) => &mut entries.list,
            Expanded::Keyword(Kw::Set) => &mut entries.set,
            Expanded::Keyword(Kw::Graph) => &mut entries.graph,
            Expanded::Keyword(_) => return Err(Unsupported("unsupported keyword entry")),
            Expanded::Iri(iri) => {
                entries.properties.push((key, iri, value));
                continue;
            }
            Expanded::Null | Expanded::Relative => {
                return Err(Unsupported("key does not expand to an absolute IRI"));
            }
        };
        if slot.replace(value).is_some() {
            return Err(Unsupported("colliding keywords"));
        }
    }
    Ok(())
}

fn keyword_only_value(entries: &Entries<'_, '_>) -> bool {
    entries.language.is_some() && entries.value.is_none()
}

fn is_list_object(ctx: &Context, map: &Map<String, Value>) -> bool {
    map.keys()
        .any(|k| matches!(ctx.expand_iri(k, true), Expanded::Keyword(Kw::List)))
}

fn has_graph_or_list(ctx: &Context, map: &Map<String, Value>) -> bool {
    map.keys().any(|k| {
        keyword(k).is_some_and(|kw| matches!(kw, Kw::Graph | Kw::List | Kw::Set))
            || matches!(
                ctx.expand_iri(k, true),
                Expanded::Keyword(Kw::Graph | Kw::List | Kw::Set)
            )
    })
}

/// A term the fast path can expand values of.
fn check_usable(def: &TermDef) -> Fast<()> {
    match def.exotic {
        Some(what) => Err(Unsupported(what)),
        None => Ok(()),
    }
}
