//! Certificate scopes: which testcases make up which version of an SCS certificate, and when
//! each version is in force.
//!
//! Two formats are read into one model ([`Scope`]):
//!
//! * **current** ([scs-0003-v1], loader `Tests/scs_cert_lib.py`): `scripts[].testcases[]` with
//!   lifetimes and sections, `modules[]` with `targets` (`main`, `recommended`, `preview`, ...),
//!   `versions[].include` and a `timeline` of version states. As in `scs_cert_lib.KEYWORDS`, an
//!   unknown key is an error.
//! * **legacy** (pre-2024, `Tests/testing/scs-compatible-test.yaml`): `versions[].standards[]
//!   .check_tools[]` with `condition: mandatory|optional` and `stabilized_at` / `deprecated_at`
//!   dates. Each standard of each version becomes a module `<version>/<standard name>`, each check
//!   tool a testcase (its `id`, or `<executable> <args>` when it has none) of lifetime `week`,
//!   mandatory tools in target `main`, optional ones in `recommended`. The timeline is derived:
//!   from `stabilized_at` a version is `effective`, from `deprecated_at` `deprecated`, and a
//!   version without `stabilized_at` is `draft`. Legacy scopes have no uuid; reports match them
//!   by name.
//!
//! The state of a version at a date: the timeline entry with the largest date not after it
//! decides; a version that entry does not list is `deprecated` ([scs-0003-v1] "timeline").
//!
//! [scs-0003-v1]: https://docs.scs.community/standards/scs-0003-v1-sovereign-cloud-standards-yaml

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::yaml::{self, Limits, YamlError};

/// How long a testcase result stays valid (`scs_cert_lib.add_period`): a result is valid before
/// 00:00 (in the configured zone) of the day each variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifetime {
    /// Until midnight after the next day.
    Day,
    /// Until the Monday that ends the following week (the default).
    #[default]
    Week,
    /// Until the first day of the month after next.
    Month,
    /// Until the first day of the quarter after next.
    Quarter,
    /// Until the first day of the month after next, one year later.
    Year,
}

impl Lifetime {
    /// The keyword as written in scope YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

/// The state of a scope version at a date ([scs-0003-v1] "timeline").
///
/// [scs-0003-v1]: https://docs.scs.community/standards/scs-0003-v1-sovereign-cloud-standards-yaml
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionState {
    /// In force: can be certified.
    Effective,
    /// Still in force, about to be deprecated.
    Warn,
    /// Not yet in force.
    Draft,
    /// No longer in force (also: not listed in the timeline entry in force).
    Deprecated,
}

impl VersionState {
    /// The keyword as written in scope YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Effective => "effective",
            Self::Warn => "warn",
            Self::Draft => "draft",
            Self::Deprecated => "deprecated",
        }
    }

    /// Whether a version in this state can be attested (`effective` or `warn`).
    pub fn is_in_force(self) -> bool {
        matches!(self, Self::Effective | Self::Warn)
    }
}

/// The file format a scope was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeFormat {
    /// scs-0003-v1 (`scripts`, `modules`, `timeline`).
    Current,
    /// Pre-2024 (`versions[].standards[].check_tools[]`).
    Legacy,
}

/// One testcase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Testcase {
    /// Identifier, as reported by the check scripts.
    pub id: String,
    /// Human description.
    pub description: Option<String>,
    /// Documentation URL.
    pub url: Option<String>,
    /// How long a result stays valid.
    pub lifetime: Lifetime,
    /// Section (`light`, `medium`, `heavy`), if any.
    pub section: Option<String>,
    /// Whether it is a manual check (its script has no executable).
    pub manual: bool,
}

/// One module: a standard (or part of one) with its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Documentation URL of the standard.
    pub url: Option<String>,
    /// Target name (`main`, `recommended`, `preview`, ...) → testcase ids.
    pub targets: BTreeMap<String, Vec<String>>,
}

/// One version of the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Name (`v5.1`, `next`).
    pub version: String,
    /// Included module ids, in order.
    pub include: Vec<String>,
    /// When it was stabilized, if it was.
    pub stabilized_at: Option<Date>,
}

/// One timeline entry: from `date` on, the listed versions have the given states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// First day the entry applies.
    pub date: Date,
    /// Version → state; unlisted versions are deprecated.
    pub versions: BTreeMap<String, VersionState>,
}

/// A validated certificate scope.
#[derive(Debug, Clone)]
pub struct Scope {
    uuid: Option<String>,
    name: String,
    url: Option<String>,
    format: ScopeFormat,
    testcases: Vec<Testcase>,
    modules: Vec<Module>,
    versions: Vec<Version>,
    /// Sorted by date, ascending.
    timeline: Vec<TimelineEntry>,
}

/// A scope file that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// Not readable YAML, or YAML of the wrong shape.
    #[error("scope: {0}")]
    Yaml(#[from] YamlError),
    /// A current-format scope without `uuid`.
    #[error("scope {name:?} has no uuid")]
    MissingUuid {
        /// The scope's name.
        name: String,
    },
    /// A `uuid` that is not a UUID.
    #[error("scope uuid {uuid:?} is not a UUID")]
    InvalidUuid {
        /// The value found.
        uuid: String,
    },
    /// A date that is not `YYYY-MM-DD`.
    #[error("scope {field} {value:?} is not a date (YYYY-MM-DD)")]
    InvalidDate {
        /// Where it was.
        field: String,
        /// The value found.
        value: String,
    },
    /// An id defined twice.
    #[error("scope defines {kind} {id:?} twice")]
    Duplicate {
        /// `testcase`, `module` or `version`.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A module target names a testcase no script defines.
    #[error("module {module:?} target {target:?} names unknown testcase {testcase:?}")]
    UnknownTestcase {
        /// The module.
        module: String,
        /// The target.
        target: String,
        /// The testcase id.
        testcase: String,
    },
    /// A version includes a module that is not defined.
    #[error("version {version:?} includes unknown module {module:?}")]
    UnknownModule {
        /// The version.
        version: String,
        /// The module id.
        module: String,
    },
    /// A timeline entry names a version that is not defined.
    #[error("timeline entry {date} names unknown version {version:?}")]
    UnknownVersion {
        /// The entry's date.
        date: Date,
        /// The version name.
        version: String,
    },
}

impl Scope {
    /// Reads a scope file (current or legacy format; one YAML document).
    pub fn from_yaml(bytes: &[u8], limits: Limits) -> Result<Self, ScopeError> {
        let probe: Probe = yaml::single(bytes, limits)?;
        if probe.versions.iter().any(|v| v.standards.is_some()) {
            let raw: legacy::RawScope = yaml::single(bytes, limits)?;
            legacy::convert(raw)
        } else {
            let raw: RawScope = yaml::single(bytes, limits)?;
            convert(raw)
        }
    }

    /// The scope's uuid (`None` for legacy scopes).
    pub fn uuid(&self) -> Option<&str> {
        self.uuid.as_deref()
    }

    /// The scope's name (`SCS-compatible IaaS`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the scope file is published.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The format it was read from.
    pub fn format(&self) -> ScopeFormat {
        self.format
    }

    /// All testcases, in file order.
    pub fn testcases(&self) -> &[Testcase] {
        &self.testcases
    }

    /// One testcase by id.
    pub fn testcase(&self, id: &str) -> Option<&Testcase> {
        self.testcases.iter().find(|t| t.id == id)
    }

    /// All modules, in file order.
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// One module by id.
    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    /// All versions, in file order (newest first by convention).
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The timeline, oldest entry first.
    pub fn timeline(&self) -> &[TimelineEntry] {
        &self.timeline
    }

    /// The uuid, or for a legacy scope the name: what reports are matched by.
    pub fn key(&self) -> &str {
        self.uuid.as_deref().unwrap_or(&self.name)
    }

    /// The timeline entry in force on `date`.
    fn entry_at(&self, date: Date) -> Option<&TimelineEntry> {
        self.timeline.iter().rev().find(|e| e.date <= date)
    }

    /// The state of `version` on `date`: as the timeline entry in force lists it, otherwise
    /// (unlisted, or before the first entry) `deprecated`.
    pub fn state_at(&self, version: &str, date: Date) -> VersionState {
        self.entry_at(date)
            .and_then(|e| e.versions.get(version).copied())
            .unwrap_or(VersionState::Deprecated)
    }

    /// The first timeline date after `date` on which `version` stops being in force.
    pub(crate) fn leaves_force_after(&self, version: &str, date: Date) -> Option<Date> {
        self.timeline
            .iter()
            .filter(|e| e.date > date)
            .find(|e| {
                !e.versions
                    .get(version)
                    .is_some_and(|state| state.is_in_force())
            })
            .map(|e| e.date)
    }
}

/// Just enough to tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    versions: Vec<ProbeVersion>,
}

#[derive(Deserialize)]
struct ProbeVersion {
    standards: Option<IgnoredAny>,
}

#[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScope {
    uuid: Option<String>,
    name: String,
    url: Option<String>,
    #[serde(default)]
    versions: Vec<RawVersion>,
    prerequisite: Option<IgnoredAny>,
    variables: Option<IgnoredAny>,
    #[serde(default)]
    scripts: Vec<RawScript>,
    #[serde(default)]
    modules: Vec<RawModule>,
    #[serde(default)]
    timeline: Vec<RawTimelineEntry>,
}

#[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScript {
    executable: Option<String>,
    env: Option<IgnoredAny>,
    args: Option<IgnoredAny>,
    #[serde(default)]
    testcases: Vec<RawTestcase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTestcase {
    id: String,
    description: Option<String>,
    url: Option<String>,
    lifetime: Option<Lifetime>,
    section: Option<String>,
}

#[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: String,
    name: String,
    url: Option<String>,
    parameters: Option<IgnoredAny>,
    #[serde(default)]
    targets: Option<BTreeMap<String, Option<Vec<String>>>>,
}

#[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    version: String,
    #[serde(default)]
    include: Vec<RawInclude>,
    stabilized_at: Option<String>,
    targets: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawInclude {
    Id(String),
    Ref(RawRef),
}

#[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRef {
    #[serde(rename = "ref")]
    module: String,
    parameters: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimelineEntry {
    date: String,
    versions: BTreeMap<String, VersionState>,
}

fn parse_date(field: &str, value: &str) -> Result<Date, ScopeError> {
    value
        .trim()
        .parse::<Date>()
        .map_err(|_| ScopeError::InvalidDate {
            field: field.to_owned(),
            value: value.to_owned(),
        })
}

/// Whether `s` has the 8-4-4-4-12 hex form of a UUID (RFC 9562 §4).
pub(crate) fn is_uuid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn insert_unique<'a>(
    seen: &mut BTreeSet<&'a str>,
    kind: &'static str,
    id: &'a str,
) -> Result<(), ScopeError> {
    if seen.insert(id) {
        Ok(())
    } else {
        Err(ScopeError::Duplicate {
            kind,
            id: id.to_owned(),
        })
    }
}

fn convert(raw: RawScope) -> Result<Scope, ScopeError> {
    let uuid = raw.uuid.ok_or_else(|| ScopeError::MissingUuid {
        name: raw.name.clone(),
    })?;
    if !is_uuid(&uuid) {
        return Err(ScopeError::InvalidUuid { uuid });
    }
    let mut testcases = Vec::new();
    for script in raw.scripts {
        let manual = script.executable.is_none();
        for t in script.testcases {
            testcases.push(Testcase {
                id: t.id,
                description: t.description,
                url: t.url,
                lifetime: t.lifetime.unwrap_or_default(),
                section: t.section,
                manual,
            });
        }
    }
    let modules: Vec<Module> = raw
        .modules
        .into_iter()
        .map(|m| Module {
            id: m.id,
            name: m.name,
            url: m.url,
            targets: m
                .targets
                .unwrap_or_default()
                .into_iter()
                .map(|(target, ids)| (target, ids.unwrap_or_default()))
                .collect(),
        })
        .collect();
    let mut versions = Vec::new();
    for v in raw.versions {
        let stabilized_at = v
            .stabilized_at
            .as_deref()
            .map(|d| parse_date(&format!("version {} stabilized_at", v.version), d))
            .transpose()?;
        versions.push(Version {
            include: v
                .include
                .into_iter()
                .map(|i| match i {
                    RawInclude::Id(id) => id,
                    RawInclude::Ref(r) => r.module,
                })
                .collect(),
            version: v.version,
            stabilized_at,
        });
    }
    let mut timeline = Vec::new();
    for e in raw.timeline {
        timeline.push(TimelineEntry {
            date: parse_date("timeline date", &e.date)?,
            versions: e.versions,
        });
    }
    timeline.sort_by_key(|e| e.date);
    validate(Scope {
        uuid: Some(uuid),
        name: raw.name,
        url: raw.url,
        format: ScopeFormat::Current,
        testcases,
        modules,
        versions,
        timeline,
    })
}

/// Cross-reference checks shared by both formats.
fn validate(scope: Scope) -> Result<Scope, ScopeError> {
    let mut seen = BTreeSet::new();
    for t in &scope.testcases {
        insert_unique(&mut seen, "testcase", &t.id)?;
    }
    let mut modules = BTreeSet::new();
    for m in &scope.modules {
        insert_unique(&mut modules, "module", &m.id)?;
        for (target, ids) in &m.targets {
            if let Some(unknown) = ids.iter().find(|id| !seen.contains(id.as_str())) {
                return Err(ScopeError::UnknownTestcase {
                    module: m.id.clone(),
                    target: target.clone(),
                    testcase: unknown.clone(),
                });
            }
        }
    }
    let mut versions = BTreeSet::new();
    for v in &scope.versions {
        insert_unique(&mut versions, "version", &v.version)?;
        if let Some(unknown) = v.include.iter().find(|id| !modules.contains(id.as_str())) {
            return Err(ScopeError::UnknownModule {
                version: v.version.clone(),
                module: unknown.clone(),
            });
        }
    }
    for e in &scope.timeline {
        if let Some(unknown) = e.versions.keys().find(|v| !versions.contains(v.as_str())) {
            return Err(ScopeError::UnknownVersion {
                date: e.date,
                version: unknown.clone(),
            });
        }
    }
    Ok(scope)
}

/// The pre-2024 format.
mod legacy {
    use std::collections::{BTreeMap, BTreeSet};

    use serde::Deserialize;
    use serde::de::IgnoredAny;

    use super::{
        Lifetime, Module, Scope, ScopeError, ScopeFormat, Testcase, TimelineEntry, Version,
        VersionState, parse_date, validate,
    };

    #[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct RawScope {
        name: String,
        url: Option<String>,
        variables: Option<IgnoredAny>,
        prerequisite: Option<IgnoredAny>,
        #[serde(default)]
        versions: Vec<RawVersion>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawVersion {
        version: String,
        stabilized_at: Option<String>,
        deprecated_at: Option<String>,
        #[serde(default)]
        standards: Vec<RawStandard>,
    }

    #[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawStandard {
        name: String,
        url: Option<String>,
        condition: Option<String>,
        parameters: Option<IgnoredAny>,
        #[serde(default)]
        check_tools: Vec<RawCheckTool>,
    }

    #[expect(dead_code, reason = "keys the format allows; accepted and ignored")]
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawCheckTool {
        executable: String,
        args: Option<String>,
        id: Option<String>,
        condition: Option<String>,
        classification: Option<IgnoredAny>,
    }

    pub(super) fn convert(raw: RawScope) -> Result<Scope, ScopeError> {
        let mut testcases: Vec<Testcase> = Vec::new();
        let mut known = BTreeSet::new();
        let mut modules = Vec::new();
        let mut versions = Vec::new();
        let mut dates: Vec<(String, Option<jiff::civil::Date>, Option<jiff::civil::Date>)> =
            Vec::new();
        for v in raw.versions {
            let stabilized = v
                .stabilized_at
                .as_deref()
                .map(|d| parse_date(&format!("version {} stabilized_at", v.version), d))
                .transpose()?;
            let deprecated = v
                .deprecated_at
                .as_deref()
                .map(|d| parse_date(&format!("version {} deprecated_at", v.version), d))
                .transpose()?;
            let mut include = Vec::new();
            for s in v.standards {
                let optional_standard = s.condition.as_deref() == Some("optional");
                let mut targets: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for tool in s.check_tools {
                    let id = tool.id.unwrap_or_else(|| match &tool.args {
                        Some(args) => format!("{} {args}", tool.executable),
                        None => tool.executable.clone(),
                    });
                    if known.insert(id.clone()) {
                        testcases.push(Testcase {
                            id: id.clone(),
                            description: Some(s.name.clone()),
                            url: s.url.clone(),
                            lifetime: Lifetime::Week,
                            section: None,
                            manual: false,
                        });
                    }
                    let optional =
                        optional_standard || tool.condition.as_deref() == Some("optional");
                    let target = if optional { "recommended" } else { "main" };
                    targets.entry(target.to_owned()).or_default().push(id);
                }
                let module_id = format!("{}/{}", v.version, s.name);
                include.push(module_id.clone());
                modules.push(Module {
                    id: module_id,
                    name: s.name,
                    url: s.url,
                    targets,
                });
            }
            dates.push((v.version.clone(), stabilized, deprecated));
            versions.push(Version {
                version: v.version,
                include,
                stabilized_at: stabilized,
            });
        }
        // One timeline entry per date on which some version changes state.
        let mut change_dates: BTreeSet<jiff::civil::Date> = BTreeSet::new();
        for (_, stabilized, deprecated) in &dates {
            change_dates.extend(stabilized.iter().chain(deprecated.iter()).copied());
        }
        let timeline = change_dates
            .into_iter()
            .map(|date| TimelineEntry {
                date,
                versions: dates
                    .iter()
                    .map(|(version, stabilized, deprecated)| {
                        let state = if deprecated.is_some_and(|d| d <= date) {
                            VersionState::Deprecated
                        } else if stabilized.is_some_and(|d| d <= date) {
                            VersionState::Effective
                        } else {
                            VersionState::Draft
                        };
                        (version.clone(), state)
                    })
                    .collect(),
            })
            .collect();
        validate(Scope {
            uuid: None,
            name: raw.name,
            url: raw.url,
            format: ScopeFormat::Legacy,
            testcases,
            modules,
            versions,
            timeline,
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/scs-data/standards"
    );

    fn load(name: &str) -> Scope {
        let bytes = std::fs::read(format!("{DATA}/{name}")).unwrap();
        Scope::from_yaml(&bytes, Limits::default()).unwrap()
    }

    #[test]
    fn iaas_scope() {
        let s = load("scs-compatible-iaas.yaml");
        assert_eq!(s.format(), ScopeFormat::Current);
        assert_eq!(s.uuid(), Some("50393e6f-2ae1-4c5c-a62c-3b75f2abef3f"));
        assert_eq!(s.name(), "SCS-compatible IaaS");
        let names: Vec<_> = s.versions().iter().map(|v| v.version.as_str()).collect();
        assert_eq!(names, ["next", "v5.1", "v4", "v3"]);
        let v51 = &s.versions()[1];
        assert_eq!(v51.stabilized_at, Some(date(2024, 12, 19)));
        assert!(v51.include.contains(&"scs-0104-v1-2".to_owned()));
        let m = s.module("scs-0102-v1-rec").unwrap();
        assert_eq!(m.targets["recommended"].len(), 6);
        assert!(s.testcase("domain-manager-check").unwrap().manual);
        assert!(!s.testcase("scs-0100-syntax-check").unwrap().manual);
        assert_eq!(
            s.testcase("scs-0100-syntax-check").unwrap().lifetime,
            Lifetime::Week
        );
        assert!(
            s.module("scs-0116-v1-manual")
                .unwrap()
                .targets
                .contains_key("preview")
        );
        let today = date(2026, 11, 25);
        assert_eq!(s.state_at("v5.1", today), VersionState::Effective);
        assert_eq!(s.state_at("next", today), VersionState::Draft);
        assert_eq!(s.state_at("v4", today), VersionState::Deprecated);
        assert_eq!(s.state_at("v4", date(2025, 3, 1)), VersionState::Warn);
        assert_eq!(s.state_at("v4", date(2025, 1, 1)), VersionState::Effective);
        assert_eq!(
            s.state_at("v5.1", date(2024, 1, 1)),
            VersionState::Deprecated
        );
        assert_eq!(
            s.leaves_force_after("v4", date(2025, 1, 1)),
            Some(date(2025, 7, 1))
        );
        assert_eq!(s.leaves_force_after("v5.1", today), None);
    }

    #[test]
    fn kaas_scope() {
        let s = load("scs-compatible-kaas.yaml");
        assert_eq!(s.uuid(), Some("1fffebe6-fd4b-44d3-a36c-fc58b4bb0180"));
        let t = s.testcase("cncf-k8s-conformance").unwrap();
        assert_eq!(t.lifetime, Lifetime::Year);
        assert_eq!(t.section.as_deref(), Some("heavy"));
        assert_eq!(
            s.testcase("kaas-networking-check").unwrap().lifetime,
            Lifetime::Month
        );
        assert!(s.module("scs-0214-v2").unwrap().targets.is_empty());
        assert_eq!(s.state_at("v1", date(2024, 3, 1)), VersionState::Draft);
        assert_eq!(
            s.state_at("v1", date(2026, 11, 25)),
            VersionState::Effective
        );
    }

    #[test]
    fn legacy_scope() {
        let s = load("legacy-format-scs-compatible-test.yaml");
        assert_eq!(s.format(), ScopeFormat::Legacy);
        assert_eq!(s.uuid(), None);
        assert_eq!(s.key(), "SCS Compatible");
        let names: Vec<_> = s.versions().iter().map(|v| v.version.as_str()).collect();
        assert_eq!(names, ["v5", "v4", "v3", "v2", "v1"]);
        assert!(s.testcase("tls-configuration-check").is_some());
        let v1 = s.versions().last().unwrap();
        let naming = s.module(&v1.include[0]).unwrap();
        assert_eq!(naming.id, "v1/Flavor naming");
        assert_eq!(naming.targets["main"].len(), 1);
        assert_eq!(naming.targets["recommended"].len(), 1);
        assert_eq!(s.state_at("v3", date(2024, 1, 1)), VersionState::Effective);
        assert_eq!(s.state_at("v3", date(2024, 5, 1)), VersionState::Deprecated);
        assert_eq!(s.state_at("v5", date(2024, 5, 1)), VersionState::Draft);
    }

    fn err(yaml: &str) -> ScopeError {
        Scope::from_yaml(yaml.as_bytes(), Limits::default()).unwrap_err()
    }

    const OK: &str = "name: T\nuuid: 00000000-0000-4000-8000-000000000000\n";

    #[test]
    fn bad_scopes() {
        assert!(matches!(err("name: T\n"), ScopeError::MissingUuid { .. }));
        let e = err("name: T\nuuid: not-a-uuid\n");
        assert!(matches!(e, ScopeError::InvalidUuid { .. }), "{e}");
        let e = err(&format!("{OK}colour: blue\n"));
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
        let e = err(&format!(
            "{OK}modules: [{{id: m, name: M, targets: {{main: [nope]}}}}]\n"
        ));
        assert!(e.to_string().contains("unknown testcase \"nope\""), "{e}");
        let e = err(&format!(
            "{OK}versions: [{{version: v1, include: [nope]}}]\n"
        ));
        assert!(matches!(e, ScopeError::UnknownModule { .. }), "{e}");
        let e = err(&format!(
            "{OK}timeline: [{{date: 2024-01-01, versions: {{v9: effective}}}}]\n"
        ));
        assert!(matches!(e, ScopeError::UnknownVersion { .. }), "{e}");
        let e = err(&format!(
            "{OK}timeline: [{{date: 2024-01-01, versions: {{v9: sunset}}}}]\n"
        ));
        assert!(e.to_string().contains("unknown variant `sunset`"), "{e}");
        let e = err(&format!("{OK}timeline: [{{date: soon, versions: {{}}}}]\n"));
        assert!(matches!(e, ScopeError::InvalidDate { .. }), "{e}");
        let e = err(&format!(
            "{OK}scripts: [{{executable: x, testcases: [{{id: a}}, {{id: a}}]}}]\n"
        ));
        assert!(
            matches!(
                e,
                ScopeError::Duplicate {
                    kind: "testcase",
                    ..
                }
            ),
            "{e}"
        );
        let e = err(&format!(
            "{OK}scripts: [{{executable: x, testcases: [{{id: a, lifetime: fortnight}}]}}]\n"
        ));
        assert!(e.to_string().contains("fortnight"), "{e}");
        let e = err("name: [1, 2]\n");
        assert!(
            matches!(e, ScopeError::Yaml(YamlError::Schema { .. })),
            "{e}"
        );
        let e = err("name: 'unterminated\n");
        assert!(
            matches!(e, ScopeError::Yaml(YamlError::Syntax { .. })),
            "{e}"
        );
    }
}
