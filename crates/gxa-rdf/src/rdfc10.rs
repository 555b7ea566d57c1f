//! [RDF Dataset Canonicalization (RDFC-1.0)](https://www.w3.org/TR/rdf-canon/).
//!
//! The algorithm follows the specification's sections step by step; where the specification
//! leaves an order open (the order of permutations, the order of blank nodes that share a
//! first-degree hash), we take the order of the reference implementation (rdf-canonize): blank
//! nodes in order of first appearance, permutations by Steinhaus–Johnson–Trotter starting from
//! the sorted list. This makes the issued-identifier map, not only the canonical N-Quads, agree
//! with the W3C map tests.
//!
//! Hash N-Degree Quads is exponential in the worst case
//! ([§4.8 note on poison graphs](https://www.w3.org/TR/rdf-canon/#dataset-poisoning)); every
//! call and every permutation is charged to a work budget ([`CanonicalizeOptions::max_work`])
//! and the algorithm stops with [`CanonicalizationError::WorkLimitExceeded`] when it is spent.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use sha2::{Digest, Sha256, Sha384};

use crate::dataset::{Dataset, Quad, Term, TermId};
use crate::nquads::write_literal;

/// The hash function used by the algorithm ([§4.2](https://www.w3.org/TR/rdf-canon/#canon-algo-overview)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashAlgorithm {
    /// SHA-256, the default.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlgorithm {
    fn hex(self, data: &[u8]) -> String {
        self.hex_of_parts(&[data])
    }

    /// The hash of the concatenation of `parts`, without building the concatenation.
    fn hex_of_parts(self, parts: &[&[u8]]) -> String {
        match self {
            HashAlgorithm::Sha256 => {
                let mut hasher = Sha256::new();
                parts.iter().for_each(|p| hasher.update(p));
                to_hex(&hasher.finalize())
            }
            HashAlgorithm::Sha384 => {
                let mut hasher = Sha384::new();
                parts.iter().for_each(|p| hasher.update(p));
                to_hex(&hasher.finalize())
            }
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Sorts the lines held in `buffer` (by their byte ranges) and returns them in order.
fn sorted_lines<'b>(buffer: &'b str, ranges: &mut [(usize, usize)]) -> Vec<&'b str> {
    let mut lines: Vec<&str> = ranges
        .iter()
        .map(|&(start, end)| buffer.get(start..end).unwrap_or(""))
        .collect();
    lines.sort_unstable();
    lines
}

/// SHA-256 of `data`, lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    HashAlgorithm::Sha256.hex(data)
}

/// SHA-384 of `data`, lowercase hex.
pub fn sha384_hex(data: &[u8]) -> String {
    HashAlgorithm::Sha384.hex(data)
}

/// Options of [`canonicalize`].
#[derive(Debug, Clone, Copy)]
pub struct CanonicalizeOptions {
    /// The hash algorithm.
    pub hash: HashAlgorithm,
    /// The work budget: each Hash N-Degree Quads call and each permutation it tries costs one
    /// unit, and each blank node of the dataset adds one unit to it. The hardest W3C test
    /// (test044, twelve blank nodes in two symmetric rings) needs about 3 600; the default,
    /// 10 000, still refuses the poison graphs (a clique of 8 or more blank nodes) within a few
    /// milliseconds. The allowance per blank node is for large datasets of many structurally
    /// equal blank nodes (a service offering listing 5,000 images with 38,000 blank nodes needs
    /// about 25,000 calls, fewer than one per node), whose work grows linearly with their size;
    /// a poison graph's grows exponentially with the size of its symmetric part.
    pub max_work: u64,
}

impl Default for CanonicalizeOptions {
    fn default() -> Self {
        CanonicalizeOptions {
            hash: HashAlgorithm::Sha256,
            max_work: DEFAULT_MAX_WORK,
        }
    }
}

/// The default work budget.
pub const DEFAULT_MAX_WORK: u64 = 10_000;

/// Why canonicalization stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalizationError {
    /// The work budget (`max_work` plus one unit per blank node) was spent: the dataset is a
    /// poison graph or unusually symmetric.
    #[error(
        "canonicalization refused: work limit of {limit} steps (plus one per blank node) \
         exceeded ({blank_nodes} blank nodes); the dataset looks like a poison graph \
         (https://www.w3.org/TR/rdf-canon/#dataset-poisoning)"
    )]
    WorkLimitExceeded {
        /// The configured limit ([`CanonicalizeOptions::max_work`], before the allowance per
        /// blank node).
        limit: u64,
        /// Blank nodes in the dataset.
        blank_nodes: usize,
    },
}

/// The result of canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical N-Quads document (sorted lines, each ending in `\n`).
    pub nquads: String,
    /// The issued identifiers map: input blank node label → canonical label (both without `_:`).
    pub issued: BTreeMap<String, String>,
}

impl Canonical {
    /// SHA-256 of the canonical N-Quads, lowercase hex.
    pub fn sha256_hex(&self) -> String {
        HashAlgorithm::Sha256.hex(self.nquads.as_bytes())
    }
}

/// Canonicalizes a dataset ([§4.4 Canonicalization Algorithm](https://www.w3.org/TR/rdf-canon/#canon-algorithm)).
pub fn canonicalize(
    dataset: &Dataset,
    options: &CanonicalizeOptions,
) -> Result<Canonical, CanonicalizationError> {
    let mut state = State::new(dataset, options);
    state.run()?;
    Ok(state.finish())
}

/// A blank node, by its position in [`State::blanks`].
type Blank = usize;

#[derive(Clone)]
struct Issuer {
    prefix: &'static str,
    issued: Vec<Option<u32>>,
    order: Vec<Blank>,
}

impl Issuer {
    fn new(prefix: &'static str, n: usize) -> Self {
        Issuer {
            prefix,
            issued: vec![None; n],
            order: Vec::new(),
        }
    }

    fn get(&self, b: Blank) -> Option<u32> {
        self.issued.get(b).copied().flatten()
    }

    fn issue(&mut self, b: Blank) -> u32 {
        if let Some(id) = self.get(b) {
            return id;
        }
        let id = u32::try_from(self.order.len()).unwrap_or(u32::MAX);
        if let Some(slot) = self.issued.get_mut(b) {
            *slot = Some(id);
        }
        self.order.push(b);
        id
    }

    fn push_label(&self, out: &mut String, id: u32) {
        out.push_str("_:");
        out.push_str(self.prefix);
        let _ = write!(out, "{id}");
    }
}

struct State<'a> {
    dataset: &'a Dataset,
    options: &'a CanonicalizeOptions,
    /// Blank nodes in order of first appearance (subject, object, graph of each quad).
    blanks: Vec<TermId>,
    /// TermId index → blank position.
    blank_of: Vec<Option<Blank>>,
    /// The quads mentioning each blank node.
    quads_of: Vec<Vec<usize>>,
    /// The input label of each blank node.
    labels: Vec<&'a str>,
    first_degree: Vec<String>,
    canonical: Issuer,
    work: u64,
    /// `max_work` plus one unit per blank node.
    budget: u64,
}

impl<'a> State<'a> {
    fn new(dataset: &'a Dataset, options: &'a CanonicalizeOptions) -> Self {
        let mut blanks = Vec::new();
        let mut blank_of: Vec<Option<Blank>> = vec![None; dataset.term_count()];
        let mut quads_of: Vec<Vec<usize>> = Vec::new();
        for (qi, quad) in dataset.quads().iter().enumerate() {
            for term in [Some(quad.subject), Some(quad.object), quad.graph]
                .into_iter()
                .flatten()
            {
                if !dataset.term(term).is_blank() {
                    continue;
                }
                let Some(slot) = blank_of.get_mut(term.index()) else {
                    continue;
                };
                let b = match *slot {
                    Some(b) => b,
                    None => {
                        blanks.push(term);
                        quads_of.push(Vec::new());
                        *slot = Some(blanks.len() - 1);
                        blanks.len() - 1
                    }
                };
                if let Some(list) = quads_of.get_mut(b)
                    && list.last() != Some(&qi)
                {
                    list.push(qi);
                }
            }
        }
        let n = blanks.len();
        let labels = blanks
            .iter()
            .map(|t| match dataset.term(*t) {
                Term::Blank(label) => &**label,
                _ => "",
            })
            .collect();
        State {
            dataset,
            labels,
            options,
            blanks,
            blank_of,
            quads_of,
            first_degree: Vec::new(),
            canonical: Issuer::new("c14n", n),
            work: 0,
            budget: options
                .max_work
                .saturating_add(u64::try_from(n).unwrap_or(u64::MAX)),
        }
    }

    fn charge(&mut self) -> Result<(), CanonicalizationError> {
        self.work += 1;
        if self.work > self.budget {
            return Err(CanonicalizationError::WorkLimitExceeded {
                limit: self.options.max_work,
                blank_nodes: self.blanks.len(),
            });
        }
        Ok(())
    }

    /// Writes a term, with each blank node labelled by `label`.
    fn write_term(&self, out: &mut String, term: TermId, label: &dyn Fn(&mut String, Blank)) {
        match self.dataset.term(term) {
            Term::Iri(iri) => {
                out.push('<');
                out.push_str(iri);
                out.push('>');
            }
            Term::Blank(_) => match self.blank_of.get(term.index()).copied().flatten() {
                Some(b) => label(out, b),
                None => out.push_str("_:z"),
            },
            Term::Literal(literal) => write_literal(out, literal),
        }
    }

    fn write_quad(&self, out: &mut String, quad: &Quad, label: &dyn Fn(&mut String, Blank)) {
        self.write_term(out, quad.subject, label);
        out.push(' ');
        self.write_term(out, quad.predicate, label);
        out.push(' ');
        self.write_term(out, quad.object, label);
        if let Some(graph) = quad.graph {
            out.push(' ');
            self.write_term(out, graph, label);
        }
        out.push_str(" .\n");
    }

    fn quad(&self, qi: usize) -> &'a Quad {
        &self.dataset.quads()[qi]
    }

    /// [§4.6 Hash First Degree Quads](https://www.w3.org/TR/rdf-canon/#hash-1d-quads).
    fn hash_first_degree(&self, reference: Blank) -> String {
        let label = |out: &mut String, b: Blank| {
            out.push_str(if b == reference { "_:a" } else { "_:z" });
        };
        let quads = self.quads_of.get(reference).map_or(&[][..], Vec::as_slice);
        let mut buffer = String::with_capacity(quads.len() * 128);
        let mut ranges = Vec::with_capacity(quads.len());
        for &qi in quads {
            let start = buffer.len();
            self.write_quad(&mut buffer, self.quad(qi), &label);
            ranges.push((start, buffer.len()));
        }
        let lines = sorted_lines(&buffer, &mut ranges);
        let parts: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        self.options.hash.hex_of_parts(&parts)
    }

    /// [§4.4.3 Canonicalization Algorithm](https://www.w3.org/TR/rdf-canon/#canon-algorithm), steps 3–5.
    fn run(&mut self) -> Result<(), CanonicalizationError> {
        let n = self.blanks.len();
        self.first_degree = (0..n).map(|b| self.hash_first_degree(b)).collect();
        let mut by_hash: BTreeMap<String, Vec<Blank>> = BTreeMap::new();
        for b in 0..n {
            by_hash
                .entry(self.first_degree[b].clone())
                .or_default()
                .push(b);
        }
        // Step 4: unique hashes, in hash order.
        let mut shared = Vec::new();
        for (_, list) in by_hash {
            match list.as_slice() {
                [only] => {
                    self.canonical.issue(*only);
                }
                _ => shared.push(list),
            }
        }
        // Step 5: shared hashes, in hash order.
        for list in shared {
            let mut results: Vec<(String, Issuer)> = Vec::new();
            for &b in &list {
                if self.canonical.get(b).is_some() {
                    continue;
                }
                let mut temporary = Issuer::new("b", n);
                temporary.issue(b);
                results.push(self.hash_n_degree(b, temporary)?);
            }
            // A stable sort keeps ties in blank-node order, as the reference does.
            results.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, issuer) in results {
                for &b in &issuer.order {
                    self.canonical.issue(b);
                }
            }
        }
        Ok(())
    }

    /// [§4.7 Hash Related Blank Node](https://www.w3.org/TR/rdf-canon/#hash-related-blank-node).
    fn hash_related(&self, related: Blank, quad: &Quad, issuer: &Issuer, position: char) -> String {
        let mut input = String::with_capacity(96);
        input.push(position);
        if position != 'g' {
            self.write_term(&mut input, quad.predicate, &|_, _| {});
        }
        if let Some(id) = self.canonical.get(related) {
            self.canonical.push_label(&mut input, id);
        } else if let Some(id) = issuer.get(related) {
            issuer.push_label(&mut input, id);
        } else if let Some(hash) = self.first_degree.get(related) {
            input.push_str(hash);
        }
        self.options.hash.hex(input.as_bytes())
    }

    /// [§4.8 Hash N-Degree Quads](https://www.w3.org/TR/rdf-canon/#hash-nd-quads).
    fn hash_n_degree(
        &mut self,
        identifier: Blank,
        mut issuer: Issuer,
    ) -> Result<(String, Issuer), CanonicalizationError> {
        self.charge()?;
        // Steps 1–3: related blank nodes grouped by their related hash.
        let mut related_by_hash: BTreeMap<String, Vec<Blank>> = BTreeMap::new();
        let quads = self.quads_of.get(identifier).cloned().unwrap_or_default();
        for qi in quads {
            let quad = self.quad(qi);
            for (term, position) in [
                (Some(quad.subject), 's'),
                (Some(quad.object), 'o'),
                (quad.graph, 'g'),
            ] {
                let Some(term) = term else { continue };
                let Some(related) = self.blank_of.get(term.index()).copied().flatten() else {
                    continue;
                };
                if related == identifier {
                    continue;
                }
                let hash = self.hash_related(related, quad, &issuer, position);
                related_by_hash.entry(hash).or_default().push(related);
            }
        }
        // Step 5.
        let mut data_to_hash = String::new();
        for (related_hash, list) in related_by_hash {
            data_to_hash.push_str(&related_hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer> = None;
            let mut permuter = Permuter::new(list, &self.labels);
            while let Some(permutation) = permuter.next_permutation() {
                self.charge()?;
                let mut issuer_copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let mut skip = false;
                for &related in &permutation {
                    if let Some(id) = self.canonical.get(related) {
                        self.canonical.push_label(&mut path, id);
                    } else {
                        if issuer_copy.get(related).is_none() {
                            recursion.push(related);
                        }
                        let id = issuer_copy.issue(related);
                        issuer_copy.push_label(&mut path, id);
                    }
                    if worse(&path, &chosen_path) {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                for related in recursion {
                    let (hash, next_issuer) = self.hash_n_degree(related, issuer_copy.clone())?;
                    let id = issuer_copy.issue(related);
                    issuer_copy.push_label(&mut path, id);
                    // The recursion's issuer already holds `related`'s id; keep it.
                    issuer_copy = next_issuer;
                    path.push('<');
                    path.push_str(&hash);
                    path.push('>');
                    if worse(&path, &chosen_path) {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                if chosen_issuer.is_none() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data_to_hash.push_str(&chosen_path);
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((self.options.hash.hex(data_to_hash.as_bytes()), issuer))
    }

    fn finish(self) -> Canonical {
        let canonical = &self.canonical;
        let label = |out: &mut String, b: Blank| {
            canonical.push_label(out, canonical.get(b).unwrap_or(u32::MAX));
        };
        let mut buffer = String::with_capacity(self.dataset.len() * 128);
        let mut ranges = Vec::with_capacity(self.dataset.len());
        for quad in self.dataset.quads() {
            let start = buffer.len();
            self.write_quad(&mut buffer, quad, &label);
            ranges.push((start, buffer.len()));
        }
        let mut lines = sorted_lines(&buffer, &mut ranges);
        lines.dedup();
        let mut issued = BTreeMap::new();
        for (b, term) in self.blanks.iter().enumerate() {
            if let (Term::Blank(input), Some(id)) = (self.dataset.term(*term), canonical.get(b)) {
                issued.insert(input.to_string(), format!("c14n{id}"));
            }
        }
        Canonical {
            nquads: lines.concat(),
            issued,
        }
    }
}

/// The skip test of §4.8.3 step 5.4.4.2 and 5.4.5.5.
fn worse(path: &str, chosen: &str) -> bool {
    !chosen.is_empty() && path.len() >= chosen.len() && path > chosen
}

/// Permutations by Steinhaus–Johnson–Trotter from the list sorted by input label, the order in
/// which the reference implementation visits them.
struct Permuter<'a> {
    current: Vec<(&'a str, Blank)>,
    /// `true` = looking left.
    left: HashMap<Blank, bool>,
    done: bool,
}

impl<'a> Permuter<'a> {
    fn new(list: Vec<Blank>, labels: &[&'a str]) -> Self {
        let mut current: Vec<(&'a str, Blank)> = list
            .into_iter()
            .map(|b| (labels.get(b).copied().unwrap_or(""), b))
            .collect();
        current.sort_by(|a, b| a.0.cmp(b.0));
        let left = current.iter().map(|(_, b)| (*b, true)).collect();
        Permuter {
            current,
            left,
            done: false,
        }
    }

    fn next_permutation(&mut self) -> Option<Vec<Blank>> {
        if self.done {
            return None;
        }
        let result = self.current.iter().map(|(_, b)| *b).collect();
        let len = self.current.len();
        let mut k: Option<(&'a str, Blank)> = None;
        let mut pos = 0;
        for i in 0..len {
            let element = self.current[i];
            let left = self.left.get(&element.1).copied().unwrap_or(true);
            let mobile = if left {
                i > 0 && element.0 > self.current[i - 1].0
            } else {
                i + 1 < len && element.0 > self.current[i + 1].0
            };
            if mobile && k.is_none_or(|k| element.0 > k.0) {
                k = Some(element);
                pos = i;
            }
        }
        match k {
            None => self.done = true,
            Some(k) => {
                let swap = if self.left.get(&k.1).copied().unwrap_or(true) {
                    pos - 1
                } else {
                    pos + 1
                };
                self.current.swap(pos, swap);
                for (label, b) in &self.current {
                    if *label > k.0
                        && let Some(dir) = self.left.get_mut(b)
                    {
                        *dir = !*dir;
                    }
                }
            }
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_nquads;

    #[test]
    fn ground_dataset_is_sorted() {
        let ds =
            parse_nquads("<http://e/b> <http://e/p> \"2\" .\n<http://e/a> <http://e/p> \"1\" .\n")
                .unwrap();
        let c = canonicalize(&ds, &CanonicalizeOptions::default()).unwrap();
        assert_eq!(
            c.nquads,
            "<http://e/a> <http://e/p> \"1\" .\n<http://e/b> <http://e/p> \"2\" .\n"
        );
        assert!(c.issued.is_empty());
    }

    #[test]
    fn many_equal_blank_nodes_fit_the_budget_that_grows_with_them() {
        // 15,000 blank nodes with the same first-degree hash: one Hash N-Degree Quads call
        // each, over the base budget of 10,000, within the budget of 10,000 + 15,000.
        let mut text = String::new();
        for i in 0..15_000 {
            writeln!(text, "<http://e/s> <http://e/p> _:b{i} .").unwrap();
            writeln!(text, "_:b{i} <http://e/v> \"same\" .").unwrap();
        }
        let ds = parse_nquads(&text).unwrap();
        let c = canonicalize(&ds, &CanonicalizeOptions::default()).unwrap();
        assert_eq!(c.issued.len(), 15_000);
        // Without the allowance per blank node this dataset would be refused.
        const { assert!(15_000 > DEFAULT_MAX_WORK) };
    }

    #[test]
    fn clique_of_eight_is_refused_fast() {
        let mut text = String::new();
        for i in 0..8 {
            for j in 0..8 {
                if i != j {
                    writeln!(text, "_:n{i} <http://e/p> _:n{j} .").unwrap();
                }
            }
        }
        let ds = parse_nquads(&text).unwrap();
        let start = std::time::Instant::now();
        let err = canonicalize(&ds, &CanonicalizeOptions::default()).unwrap_err();
        assert!(matches!(
            err,
            CanonicalizationError::WorkLimitExceeded { blank_nodes: 8, .. }
        ));
        assert!(
            start.elapsed() < std::time::Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
    }
}
