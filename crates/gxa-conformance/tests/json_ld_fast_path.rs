//! Differential test of the JSON-LD fast path (`gxa_jsonld::Processor::to_rdf_fast`) against
//! the library path (`Processor::to_rdf_str_library`, the `json-ld` crate).
//!
//! Every document goes through both paths, in lenient and in strict mode. When the fast path
//! answers, the library must succeed too and both datasets must have the same canonical
//! N-Quads (RDFC-1.0); when the library fails (an error, e.g. an undefined term in strict
//! mode), the fast path must have declined, so that `Processor::to_rdf` reports the library's
//! error. The corpus: every input of the W3C toRdf manifest, the credential vectors of the
//! jws-2020, vc-di-eddsa, vc-di-ecdsa and vc-jose-cose suites, the Gaia-X fixtures, and
//! variants generated from them. Every credential fixture the library accepts in strict mode
//! must take the fast path, except the few listed with a reason.

use std::ops::AddAssign as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gxa_conformance::{field, manifest_entries, shared_conformance_dir};
use gxa_jsonld::{ProcessingMode, Processor, RdfDirection, ToRdfOptions};
use gxa_rdf::{CanonicalizeOptions, Dataset, canonicalize};
use serde_json::{Value, json};

const BASE: &str = gxa_conformance::JSON_LD_TESTS_BASE;

/// Credential fixtures the library accepts in strict mode but the fast path declines, with
/// the construct it does not implement. A fixture that starts taking the fast path fails the
/// run, so this list stays true.
const DECLINED_FIXTURES: &[(&str, &str)] = &[];

fn canonical(dataset: &Dataset) -> String {
    canonicalize(
        dataset,
        &CanonicalizeOptions {
            max_work: 1_000_000,
            ..Default::default()
        },
    )
    .map(|c| c.nquads)
    .unwrap_or_else(|e| format!("canonicalization error: {e}"))
}

#[derive(Default)]
struct Tally {
    compared: usize,
    fast: usize,
    disagreements: Vec<String>,
}

impl Tally {
    /// Runs one document through both paths; returns whether the fast path answered.
    fn compare(
        &mut self,
        processor: &Processor,
        name: &str,
        text: &str,
        options: &ToRdfOptions,
    ) -> bool {
        self.compared += 1;
        let library = processor.to_rdf_str_library(text, options);
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return false;
        };
        let fast = processor.to_rdf_fast(&value, options);
        let combined = processor.to_rdf_str(text, options);
        let mode = if options.strict { "strict" } else { "lenient" };
        match (&fast, &library) {
            (Ok(fast), Ok(library)) => {
                let (f, l) = (canonical(fast), canonical(library));
                if f != l {
                    self.disagreements.push(format!(
                        "{name} ({mode}): datasets differ\n{}",
                        gxa_conformance::diff_lines(&l, &f).unwrap_or_default()
                    ));
                }
            }
            (Ok(_), Err(e)) => self.disagreements.push(format!(
                "{name} ({mode}): fast path answered, library failed: {e}"
            )),
            (Err(_), _) => {}
        }
        // The public entry point must agree with the library in every case.
        match (&combined, &library) {
            (Ok(c), Ok(l)) if canonical(c) == canonical(l) => {}
            (Err(c), Err(l)) if c == l => {}
            _ => self.disagreements.push(format!(
                "{name} ({mode}): to_rdf_str differs from the library path"
            )),
        }
        let answered = fast.is_ok();
        if answered {
            self.fast += 1;
        }
        answered
    }
}

fn suite_options(entry: &Value, input_path: &str) -> ToRdfOptions {
    let option = entry.get("option").cloned().unwrap_or_default();
    let opt = |name: &str| option.get(name).and_then(|v| v.as_str());
    ToRdfOptions {
        strict: false,
        base: Some(opt("base").map_or_else(|| format!("{BASE}{input_path}"), str::to_owned)),
        expand_context: opt("expandContext").map(|c| format!("{BASE}{c}")),
        processing_mode: match opt("processingMode") {
            Some("json-ld-1.0") => ProcessingMode::JsonLd10,
            _ => ProcessingMode::JsonLd11,
        },
        rdf_direction: match opt("rdfDirection") {
            Some("i18n-datatype") => Some(RdfDirection::I18nDatatype),
            Some("compound-literal") => Some(RdfDirection::CompoundLiteral),
            _ => None,
        },
        produce_generalized_rdf: option
            .get("produceGeneralizedRdf")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

#[test]
fn fast_path_agrees_with_the_library_on_the_to_rdf_suite() {
    let dir = shared_conformance_dir().join("json-ld-api/tests");
    let processor = Processor::with_documents(Arc::new(gxa_conformance::JsonLdSuiteFiles {
        dir: dir.clone(),
    }));
    let entries = manifest_entries(&dir.join("toRdf-manifest.jsonld")).unwrap();
    let mut tally = Tally::default();
    for entry in &entries {
        let id = field(entry, "@id").unwrap_or("?");
        let input_path = field(entry, "input").unwrap_or("");
        let Ok(text) = std::fs::read_to_string(dir.join(input_path)) else {
            continue;
        };
        let mut options = suite_options(entry, input_path);
        tally.compare(&processor, id, &text, &options);
        options.strict = true;
        tally.compare(&processor, id, &text, &options);
    }
    println!(
        "toRdf suite: {} runs compared ({} documents x lenient/strict), {} on the fast path",
        tally.compared,
        entries.len(),
        tally.fast
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
    assert_eq!(tally.compared, 2 * entries.len());
    assert!(
        tally.fast > 100,
        "only {} runs took the fast path",
        tally.fast
    );
}

/// Every JSON file with an `@context` under `dir`, recursively, sorted.
fn json_ld_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "json" || e == "jsonld")
                && std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                    .is_some_and(|v| v.get("@context").is_some())
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn fixtures() -> Vec<PathBuf> {
    let conformance = shared_conformance_dir();
    let gaiax = conformance.join("../gaiax-data");
    let mut files = Vec::new();
    for dir in [
        conformance.join("jws2020"),
        conformance.join("vc-di-eddsa"),
        conformance.join("vc-di-ecdsa"),
        conformance.join("vc-jose-cose-test-suite"),
        gaiax.join("tagus"),
        gaiax.join("loire"),
        gaiax.join("examples-own"),
    ] {
        files.extend(json_ld_files(&dir));
    }
    files
}

fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    match text.find("shared/") {
        Some(i) => text[i + "shared/".len()..].replace("conformance/../", ""),
        None => text.into_owned(),
    }
}

#[test]
fn fast_path_agrees_with_the_library_on_credentials() {
    let processor = Processor::pinned();
    let mut tally = Tally::default();
    let mut declined = Vec::new();
    let files = fixtures();
    assert!(files.len() > 40, "{} fixtures", files.len());
    for path in &files {
        let name = display(path);
        let text = std::fs::read_to_string(path).unwrap();
        tally.compare(processor, &name, &text, &ToRdfOptions::lenient());
        let strict_ok = processor
            .to_rdf_str_library(&text, &ToRdfOptions::strict())
            .is_ok();
        let fast = tally.compare(processor, &name, &text, &ToRdfOptions::strict());
        if !fast {
            let reason = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| processor.to_rdf_fast(&v, &ToRdfOptions::strict()).err())
                .map_or("not JSON", |e| e.reason());
            let library = processor
                .to_rdf_str_library(&text, &ToRdfOptions::strict())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            println!("declined (strict): {name}: {reason}; library: {library:.100}");
        }
        if strict_ok && !fast {
            let value: Value = serde_json::from_str(&text).unwrap();
            let reason = processor
                .to_rdf_fast(&value, &ToRdfOptions::strict())
                .err()
                .map(|e| e.reason())
                .unwrap_or("?");
            declined.push(format!("{name}: {reason}"));
        }
    }
    println!(
        "credentials: {} runs compared ({} fixtures x lenient/strict), {} on the fast path",
        tally.compared,
        files.len(),
        tally.fast
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
    let expected: Vec<String> = DECLINED_FIXTURES
        .iter()
        .map(|(name, reason)| format!("{name}: {reason}"))
        .collect();
    assert_eq!(
        declined, expected,
        "fixtures valid in strict mode that the fast path declines"
    );
}

/// Mutations of a credential's subject: each makes a variant document.
fn subject_mutations() -> Vec<(&'static str, Value)> {
    vec![
        ("undefined property", json!({"undefinedTerm": "x"})),
        (
            "absolute IRI property",
            json!({"https://example.com/p": "x"}),
        ),
        ("compact IRI property", json!({"xsd:foo": "x"})),
        ("relative id", json!({"id": "relative/path"})),
        ("blank id", json!({"id": "_:subject"})),
        ("integer", json!({"https://example.com/n": 42})),
        ("negative integer", json!({"https://example.com/n": -7})),
        (
            "big integer",
            json!({"https://example.com/n": 18_446_744_073_709_551_615_u64}),
        ),
        ("double", json!({"https://example.com/n": 1.5})),
        (
            "small double",
            json!({"https://example.com/n": 0.000_012_5}),
        ),
        ("boolean", json!({"https://example.com/b": true})),
        (
            "typed value",
            json!({"https://example.com/d": {"@value": "2024-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date"}}),
        ),
        (
            "typed number",
            json!({"https://example.com/d": {"@value": 5, "@type": "http://www.w3.org/2001/XMLSchema#double"}}),
        ),
        (
            "language value",
            json!({"https://example.com/l": {"@value": "Bonjour", "@language": "fr-FR"}}),
        ),
        (
            "odd language",
            json!({"https://example.com/l": {"@value": "x", "@language": "not a tag"}}),
        ),
        ("null value", json!({"https://example.com/p": null})),
        (
            "nested arrays",
            json!({"https://example.com/p": [["a"], "b"]}),
        ),
        ("empty array", json!({"https://example.com/p": []})),
        (
            "nested node",
            json!({"https://example.com/p": {"id": "did:web:nested.example", "https://example.com/q": "v"}}),
        ),
        (
            "nested blank node",
            json!({"https://example.com/p": {"https://example.com/q": "v"}}),
        ),
        (
            "list object",
            json!({"https://example.com/p": {"@list": ["a", "b"]}}),
        ),
        (
            "set object",
            json!({"https://example.com/p": {"@set": ["a", "b"]}}),
        ),
        ("undefined type", json!({"type": "UndefinedType"})),
        ("absolute type", json!({"type": "https://example.com/T"})),
        ("keyword-like key", json!({"@ignored": "x"})),
        (
            "reverse",
            json!({"@reverse": {"https://example.com/p": {"id": "did:web:r"}}}),
        ),
        (
            "inline context",
            json!({"@context": {"ex": "https://example.com/", "n": {"@id": "ex:n", "@type": "ex:T"}}, "n": "v"}),
        ),
        (
            "inline list context",
            json!({"@context": {"l": {"@id": "https://example.com/l", "@container": "@list"}}, "l": ["a", {"@value": 1}]}),
        ),
        ("bad IRI value", json!({"id": "https://example.com/a b"})),
        (
            "unicode text",
            json!({"https://example.com/p": "héllo \u{1F600} \"quoted\"\n"}),
        ),
    ]
}

#[test]
fn fast_path_agrees_with_the_library_on_generated_variants() {
    let processor = Processor::pinned();
    let base_dir = shared_conformance_dir().join("../gaiax-data/examples-own");
    let mut bases: Vec<(String, Value)> = Vec::new();
    for file in [
        "legal-person.unsigned.json",
        "vm-service-offering.unsigned.json",
    ] {
        let text = std::fs::read_to_string(base_dir.join(file)).unwrap();
        bases.push((file.to_owned(), serde_json::from_str(&text).unwrap()));
    }
    bases.push((
        "vc1-jws2020".to_owned(),
        json!({
            "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": "https://example.com/credentials/1",
            "type": ["VerifiableCredential"],
            "issuer": "did:web:example.com",
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": { "id": "did:web:example.com" }
        }),
    ));
    bases.push((
        "vc2".to_owned(),
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": {"id": "did:web:example.com", "name": "Example"},
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": { "id": "did:web:example.com" }
        }),
    ));
    let mut tally = Tally::default();
    for (base_name, base) in &bases {
        for (mutation, extra) in subject_mutations() {
            let mut doc = base.clone();
            let subject = match doc.get_mut("credentialSubject") {
                Some(Value::Array(items)) => items.first_mut(),
                Some(other) => Some(other),
                None => None,
            };
            let Some(Value::Object(subject)) = subject else {
                panic!("{base_name} has no credentialSubject map");
            };
            if let Value::Object(extra) = extra {
                for (k, v) in extra {
                    subject.insert(k, v);
                }
            }
            let text = serde_json::to_string_pretty(&doc).unwrap();
            let name = format!("{base_name} + {mutation}");
            tally.compare(processor, &name, &text, &ToRdfOptions::lenient());
            tally.compare(processor, &name, &text, &ToRdfOptions::strict());
        }
    }
    println!(
        "variants: {} runs compared, {} on the fast path",
        tally.compared, tally.fast
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
    assert!(
        tally.fast > tally.compared / 3,
        "{} of {}",
        tally.fast,
        tally.compared
    );
}

/// Documents of the generated corpus (`gxa_conformance::generate`), half VC 1.1, half VC 2.0.
const GENERATED: usize = 5_000;

/// The generated corpus through both paths in both modes: no disagreement, and every
/// strict-valid document answered by the fast path (otherwise the reasons it declined are
/// printed with an example each). The library's strict-mode refusals are printed too.
#[test]
fn fast_path_agrees_with_the_library_on_5000_generated_credentials() {
    let processor = Processor::pinned();
    let mut tally = Tally::default();
    let mut strict_valid = 0usize;
    let mut strict_fast = 0usize;
    let mut declined: std::collections::BTreeMap<&'static str, (usize, String)> =
        std::collections::BTreeMap::new();
    let mut refused = std::collections::BTreeMap::new();
    for (name, doc) in gxa_conformance::generate::credentials(20_261_206, GENERATED) {
        let text = serde_json::to_string(&doc).unwrap();
        tally.compare(processor, &name, &text, &ToRdfOptions::lenient());
        let strict = ToRdfOptions::strict();
        let answered = tally.compare(processor, &name, &text, &strict);
        let library = processor.to_rdf_str_library(&text, &strict);
        if let Err(e) = &library {
            let reason: String = e
                .to_string()
                .chars()
                .take(40)
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            refused.entry(reason).or_insert(0usize).add_assign(1);
        }
        if library.is_ok() {
            strict_valid += 1;
            if answered {
                strict_fast += 1;
            } else if let Err(e) = processor.to_rdf_fast(&doc, &strict) {
                declined
                    .entry(e.reason())
                    .or_insert_with(|| (0, name.clone()))
                    .0 += 1;
            }
        }
    }
    println!(
        "generated: {} runs compared, {} on the fast path; strict-valid documents: {strict_valid} \
         of {GENERATED}, {strict_fast} on the fast path; declined: {declined:?}; refused by \
         the library in strict mode: {refused:?}",
        tally.compared, tally.fast
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements:\n{}",
        tally.disagreements.len(),
        tally.disagreements[..tally.disagreements.len().min(20)].join("\n")
    );
    assert!(strict_valid > GENERATED / 2, "the corpus is mostly valid");
    assert_eq!(
        strict_fast, strict_valid,
        "every strict-valid generated document takes the fast path; declined: {declined:?}"
    );
}
