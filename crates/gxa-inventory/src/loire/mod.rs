//! Inventory → Gaia-X Loire 25.11 credentials (VC 2.0, unsigned; contexts
//! `https://www.w3.org/ns/credentials/v2` + `https://w3id.org/gaia-x/development#`), shaped after
//! the Loire shapes (`contexts/gaia-x/shapes/loire-25.11/gx.shacl.ttl`).
//!
//! Decisions:
//! - Every id is derived from the provider's base URL (`{base}legal-person.json#cs`,
//!   `{base}vm-offering.json#flavor-{name}`, …); no time stamps unless asked for (`valid_from`),
//!   so the same inventory gives the same documents and the same canonical hash.
//! - Units (QUDT unit IRIs, quantities as `xsd:float` strings, which pyshacl and our engine both
//!   accept): flavor RAM is OpenStack's MiB shown in `GibiBYTE` (÷ 1024); flavor and image disks
//!   are GiB → `GibiBYTE`; image `min_ram` MiB → `MebiBYTE`; image file size bytes → `BYTE`; host
//!   disks bytes → `GigaBYTE` (÷ 10⁹, as drives are sold); host memory MiB → `GibiBYTE`.
//! - Flavor figures are what the cloud delivers (`vcpus`, `ram`, `disk`); the SCS name adds what
//!   only it says (CPU type → oversubscription, vendor/generation, disk type, GPU, hypervisor,
//!   `_hwv`) after the cross-check, whose warnings go into the build's warnings.
//! - Bugs of the Python gx-credential-generator avoided: RAM/disk units labelled correctly; no
//!   image file size in the wrong unit or under a `null` key; `aarch64` → `AArch-64`, unknown
//!   architectures → `Other` (never RISC-V); `uuid_validity` is not misparsed; `image_build_date`
//!   with a time is accepted; `hw_rng_model` is read (absent → `Unavailable`, present → no
//!   claim, since virtio-rng does not say what the host's entropy source is); `license_included`
//!   is read from its key; NVMe is `NVMe`, not "local HDD"; CPU generations up to 6; the
//!   offering has an id; `providedBy` is always a node reference.

mod hosts;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::flavor_name::{
    CpuType, DiskType, FlavorFacts, FlavorName, GpuType, Hypervisor, cross_check,
};
use crate::input::hosts::Host;
use crate::input::netbox::NetBox;
use crate::input::openstack::{Flavor, Image};
use crate::input::provider::{Licence, ProviderFile};

pub use hosts::host_document;

/// Everything the mapping reads.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The provider description.
    pub provider: ProviderFile,
    /// Flavors (OpenStack snapshot and flavor-manager YAML, in that order).
    pub flavors: Vec<Flavor>,
    /// Images.
    pub images: Vec<Image>,
    /// Hosts.
    pub hosts: Vec<Host>,
    /// NetBox export.
    pub netbox: Option<NetBox>,
    /// `validFrom` of every credential (RFC 3339), if wanted.
    pub valid_from: Option<String>,
}

/// One credential to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// File name (`legal-person.json`, …), also the last segment of the credential id.
    pub file_name: String,
    /// The credential.
    pub credential: Value,
}

/// The result of a build.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    /// The credentials.
    pub documents: Vec<Document>,
    /// Warnings (flavor cross-check, skipped items, missing licences).
    pub warnings: Vec<String>,
    /// The criteria of the provider's `compliance_level` that the credentials do not show
    /// (empty without a level). A caller refuses a build with any.
    pub missing_criteria: Vec<gxa_criteria::Missing>,
}

pub(crate) const GIBIBYTE: &str = "https://qudt.org/vocab/unit/GibiBYTE";
pub(crate) const MEBIBYTE: &str = "https://qudt.org/vocab/unit/MebiBYTE";
pub(crate) const GIGABYTE: &str = "https://qudt.org/vocab/unit/GigaBYTE";
pub(crate) const BYTE: &str = "https://qudt.org/vocab/unit/BYTE";

/// A `gx:MemorySize`.
pub(crate) fn size(value: f64, unit: &str) -> Value {
    json!({"type": "gx:MemorySize", "quantityValue": format!("{value:.1}"), "applicableUnit": unit})
}

/// A URL-safe slug of a name.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

struct Ctx<'a> {
    inv: &'a Inventory,
    base: String,
    warnings: Vec<String>,
}

impl Ctx<'_> {
    fn lp_id(&self) -> String {
        format!("{}legal-person.json#cs", self.base)
    }

    fn credential(&self, file: &str, class: &str, subject: Value) -> Document {
        let mut vc = Map::new();
        vc.insert(
            "@context".into(),
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://w3id.org/gaia-x/development#",
                {
                    "schema": "https://schema.org/",
                    "qudt": "http://qudt.org/schema/qudt/",
                    "vcard": "http://www.w3.org/2006/vcard/ns#",
                    "xsd": "http://www.w3.org/2001/XMLSchema#"
                }
            ]),
        );
        vc.insert("type".into(), json!(["VerifiableCredential", class]));
        vc.insert("id".into(), json!(format!("{}{file}", self.base)));
        vc.insert("issuer".into(), json!(self.inv.provider.provider.did));
        if let Some(from) = &self.inv.valid_from {
            vc.insert("validFrom".into(), json!(from));
        }
        vc.insert("credentialSubject".into(), subject);
        Document {
            file_name: file.to_owned(),
            credential: Value::Object(vc),
        }
    }

    fn licence_fields(&self, obj: &mut Map<String, Value>, licence: &Licence) {
        obj.insert(
            "copyrightOwnedBy".into(),
            Value::Array(
                licence
                    .copyright_owners
                    .iter()
                    .map(|o| json!({"@value": o}))
                    .collect(),
            ),
        );
        obj.insert(
            "license".into(),
            Value::Array(
                licence
                    .licenses
                    .iter()
                    .map(|l| {
                        if l.contains("://") {
                            json!({"@value": l, "@type": "xsd:anyURI"})
                        } else {
                            json!(l)
                        }
                    })
                    .collect(),
            ),
        );
        obj.insert("resourcePolicy".into(), json!(licence.resource_policy));
    }
}

/// A `gx:LegalDocument` node (closed shape: type, url, mime types, governing law countries,
/// involved parties; the provider is a party to every document it declares).
fn legal_document(d: &crate::input::provider::LegalDocument, party: &str) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(d.class));
    m.insert("url".into(), json!(d.url));
    if !d.mime_types.is_empty() {
        m.insert("mimeTypes".into(), json!(d.mime_types));
    }
    if !d.governing_law_countries.is_empty() {
        m.insert(
            "governingLawCountries".into(),
            json!(d.governing_law_countries),
        );
    }
    m.insert("involvedParties".into(), json!(party));
    Value::Object(m)
}

/// The criteria of `level` the built credentials do not show.
fn missing_criteria(
    level: gxa_criteria::Level,
    docs: &[Document],
    declared: &[String],
    warnings: &mut Vec<String>,
) -> Vec<gxa_criteria::Missing> {
    let table = match gxa_criteria::Criteria::pinned() {
        Ok(t) => t,
        Err(e) => {
            warnings.push(e.to_string());
            return Vec::new();
        }
    };
    let subjects: Vec<&Value> = docs
        .iter()
        .filter_map(|d| d.credential.get("credentialSubject"))
        .collect();
    let evidence = gxa_criteria::Evidence::of_documents(subjects, declared.iter().cloned());
    table.missing(level, &evidence)
}

fn address(a: &crate::input::provider::Address) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("gx:Address"));
    m.insert("countryCode".into(), json!(a.country_code));
    if let Some(s) = &a.street_address {
        m.insert("vcard:street-address".into(), json!(s));
    }
    if let Some(s) = &a.postal_code {
        m.insert("vcard:postal-code".into(), json!(s));
    }
    if let Some(s) = &a.locality {
        m.insert("vcard:locality".into(), json!(s));
    }
    Value::Object(m)
}

/// Builds every credential of the inventory.
pub fn build(inv: &Inventory) -> Build {
    let mut ctx = Ctx {
        inv,
        base: inv.provider.base(),
        warnings: Vec::new(),
    };
    let mut docs = Vec::new();
    let p = &inv.provider.provider;

    // Registration numbers.
    let r = &p.registration_numbers;
    let country = &p.legal_address.country_code;
    let mut lrn_ids = Vec::new();
    let numbers: [(&str, &str, &Option<String>); 5] = [
        ("lrn-vat.json", "gx:VatID", &r.vat_id),
        ("lrn-lei.json", "gx:LeiCode", &r.lei_code),
        ("lrn-eori.json", "gx:EORI", &r.eori),
        ("lrn-euid.json", "gx:EUID", &r.euid),
        ("lrn-local.json", "gx:LocalRegistrationNumber", &r.local),
    ];
    for (file, class, value) in numbers {
        let Some(value) = value else { continue };
        let id = format!("{}{file}#cs", ctx.base);
        let subject = match class {
            "gx:VatID" => {
                json!({"id": id, "type": class, "gx:vatID": value, "gx:countryCode": country})
            }
            "gx:LeiCode" => {
                json!({"id": id, "type": class, "schema:leiCode": value, "gx:countryCode": country})
            }
            "gx:EORI" => json!({"id": id, "type": class, "gx:eori": value, "gx:country": country}),
            "gx:EUID" => json!({"id": id, "type": class, "gx:euid": value}),
            _ => json!({"id": id, "type": class, "gx:local": value}),
        };
        lrn_ids.push(json!({"id": id}));
        docs.push(ctx.credential(file, class, subject));
    }
    if let Some(n) = &r.country_company_number {
        let file = "lrn-country-company-number.json";
        let class = "gx:CountryCompanyNumber";
        let id = format!("{}{file}#cs", ctx.base);
        let mut subject = json!({
            "id": id,
            "type": class,
            "gx:countryCompanyNumber": n.number,
            "gx:countryCode": n.country_code,
        });
        if let Some(q) = &n.qualifier {
            subject["gx:companyNumberQualifier"] = json!(q);
        }
        lrn_ids.push(json!({"id": id}));
        docs.push(ctx.credential(file, class, subject));
    }

    // Legal person and issuer.
    let lp = json!({
        "id": ctx.lp_id(),
        "type": "gx:LegalPerson",
        "schema:name": p.legal_name,
        "registrationNumber": lrn_ids,
        "legalAddress": address(&p.legal_address),
        "headquartersAddress": address(&p.headquarters_address),
    });
    docs.push(ctx.credential("legal-person.json", "gx:LegalPerson", lp));
    let issuer = json!({
        "id": format!("{}issuer.json#cs", ctx.base),
        "type": "gx:Issuer",
        "gaiaxTermsAndConditions": p.gaiax_terms_and_conditions,
    });
    docs.push(ctx.credential("issuer.json", "gx:Issuer", issuer));

    // The VM offering.
    let offering = &inv.provider.offering;
    let vmso_base = format!("{}vm-offering.json", ctx.base);
    let mut flavors = Vec::new();
    let mut seen = BTreeMap::new();
    for f in &inv.flavors {
        if !f.is_public && !offering.include_private {
            continue;
        }
        if seen.insert(f.name.clone(), ()).is_some() {
            ctx.warnings
                .push(format!("flavor {}: listed twice, first one used", f.name));
            continue;
        }
        flavors.push(server_flavor(&mut ctx, f, &vmso_base));
    }
    let mut images = Vec::new();
    for i in &inv.images {
        let public = matches!(
            i.visibility.as_deref(),
            None | Some("public") | Some("community")
        );
        if (!public && !offering.include_private) || i.hidden {
            continue;
        }
        if let Some(img) = vm_image(&mut ctx, i, &vmso_base) {
            images.push(img);
        }
    }
    let mut so = Map::new();
    so.insert("id".into(), json!(format!("{vmso_base}#cs")));
    so.insert("type".into(), json!("gx:VirtualMachineServiceOffering"));
    so.insert("schema:name".into(), json!(offering.name));
    if let Some(d) = &offering.description {
        so.insert("schema:description".into(), json!(d));
    }
    so.insert("providedBy".into(), json!({"id": ctx.lp_id()}));
    so.insert(
        "serviceOfferingTermsAndConditions".into(),
        json!([{"type": "gx:TermsAndConditions", "url": offering.terms_url, "hash": offering.terms_sha256}]),
    );
    if !offering.service_policy.is_empty() {
        // Loire wants gx:AccessUsagePolicy nodes here, not strings; not supported yet.
        ctx.warnings.push(
            "offering.service_policy: gx:servicePolicy needs gx:AccessUsagePolicy nodes, not text; not stated".into(),
        );
    }
    if !offering.data_account_export.is_empty() {
        so.insert(
            "dataAccountExport".into(),
            Value::Array(
                offering
                    .data_account_export
                    .iter()
                    .map(|d| {
                        json!({"type": "gx:DataAccountExport", "requestType": d.request_type,
                               "accessType": d.access_type, "formatType": d.format_type})
                    })
                    .collect(),
            ),
        );
    }
    if !offering.legal_documents.is_empty() {
        let party = ctx.lp_id();
        so.insert(
            "legalDocuments".into(),
            offering
                .legal_documents
                .iter()
                .map(|d| legal_document(d, &party))
                .collect(),
        );
    }
    for claim in &offering.claims {
        let values = match &claim.value {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        match so.entry(claim.property.clone()) {
            serde_json::map::Entry::Vacant(e) => {
                e.insert(Value::Array(values));
            }
            serde_json::map::Entry::Occupied(mut e) => {
                if let Value::Array(existing) = e.get_mut() {
                    existing.extend(values);
                }
            }
        }
    }
    if !offering.data_protection_regime.is_empty() {
        so.insert(
            "dataProtectionRegime".into(),
            json!(offering.data_protection_regime),
        );
    }
    if !offering.keywords.is_empty() {
        so.insert("keyword".into(), json!(offering.keywords));
    }
    if let Some(t) = &offering.tenant_separation {
        so.insert("tenantSeparation".into(), json!(t));
    }
    if flavors.is_empty() {
        ctx.warnings
            .push("no flavors: the VM offering needs at least one (gx:instantiationReq)".into());
    }
    if images.is_empty() {
        ctx.warnings
            .push("no images: the VM offering needs at least one (gx:codeArtifact)".into());
    }
    so.insert("instantiationReq".into(), Value::Array(flavors));
    so.insert("codeArtifact".into(), Value::Array(images));
    docs.push(ctx.credential(
        "vm-offering.json",
        "gx:VirtualMachineServiceOffering",
        Value::Object(so),
    ));

    // Locations.
    if let Some(nb) = &inv.netbox {
        locations(&mut ctx, nb, &mut docs);
    }
    // Hosts.
    for h in &inv.hosts {
        let doc = host_document(h, &ctx.base);
        docs.push(
            ctx.credential(&doc.0, "gx:PhysicalResource", doc.1)
                .into_host(),
        );
    }
    let mut warnings = ctx.warnings;
    let missing = match inv.provider.compliance_level() {
        Some(level) => missing_criteria(level, &docs, &offering.declared_criteria, &mut warnings),
        None => Vec::new(),
    };
    Build {
        documents: docs,
        warnings,
        missing_criteria: missing,
    }
}

impl Document {
    /// Host credentials carry several subjects; their VC type names none of them.
    fn into_host(mut self) -> Self {
        if let Some(t) = self.credential.get_mut("type") {
            *t = json!(["VerifiableCredential"]);
        }
        self
    }
}

fn server_flavor(ctx: &mut Ctx<'_>, f: &Flavor, base: &str) -> Value {
    let name = match FlavorName::parse(&f.name) {
        Ok(n) => Some(n),
        Err(_) => f
            .extra_specs
            .get("scs:name-v2")
            .and_then(|n| FlavorName::parse(n).ok()),
    };
    if f.name.starts_with("SCS-") && name.is_none() {
        ctx.warnings.push(format!(
            "flavor {}: not a valid SCS name, mapped from its figures only",
            f.name
        ));
    }
    if let Some(n) = &name {
        let facts = FlavorFacts {
            name: f.name.clone(),
            vcpus: f.vcpus,
            ram_mib: f.ram_mib,
            disk_gib: f.disk_gib,
            extra_specs: f.extra_specs.clone(),
        };
        ctx.warnings
            .extend(cross_check(n, &facts).iter().map(ToString::to_string));
    }
    let mut cpu = Map::new();
    cpu.insert("type".into(), json!("gx:CPU"));
    let mut arch = "x86-64";
    if let Some(n) = &name {
        if let Some(b) = n.cpu_brand {
            arch = b.vendor.architecture();
            cpu.insert("vendor".into(), json!(b.vendor.name()));
            if let Some(g) = b.generation {
                let label = b
                    .vendor
                    .generation_name(g)
                    .map_or(g.to_string(), str::to_owned);
                cpu.insert("generation".into(), json!(label));
            }
        }
        // scs-0100: L ≈ up to 16×/core, V ≈ up to 5×/core, T and C dedicated (1).
        let ratio = match n.cpu_type {
            CpuType::CrowdedCore => 16,
            CpuType::SharedCore => 5,
            CpuType::DedicatedThread | CpuType::DedicatedCore => 1,
        };
        cpu.insert("defaultOversubscriptionRatio".into(), json!(ratio));
        if n.cpu_type == CpuType::DedicatedCore {
            cpu.insert("smtEnabled".into(), json!(false));
        }
    }
    cpu.insert("cpuArchitecture".into(), json!(arch));
    let mut memory = Map::new();
    memory.insert("type".into(), json!("gx:Memory"));
    memory.insert(
        "memorySize".into(),
        size(f.ram_mib as f64 / 1024.0, GIBIBYTE),
    );
    if let Some(n) = &name {
        memory.insert("eccEnabled".into(), json!(!n.ram_no_ecc));
        if n.ram_oversubscribed {
            memory.insert("defaultOversubscriptionRatio".into(), json!(2));
        }
    }
    let disk_type = name.as_ref().and_then(|n| n.disk).and_then(|d| d.disk_type);
    let disk = |size_gib: u64| {
        let mut d = Map::new();
        d.insert("type".into(), json!("gx:Disk"));
        d.insert("diskSize".into(), size(size_gib as f64, GIBIBYTE));
        let (kind, bus) = match disk_type {
            Some(DiskType::Network) | None => ("shared network storage", None),
            Some(DiskType::Hdd) => ("local HDD", None),
            Some(DiskType::Ssd) => ("local SSD", None),
            Some(DiskType::Nvme) => ("local SSD", Some("NVMe")),
        };
        d.insert("diskType".into(), json!(kind));
        if let Some(bus) = bus {
            d.insert("diskBusType".into(), json!(bus));
        }
        Value::Object(d)
    };
    let mut sf = Map::new();
    sf.insert(
        "id".into(),
        json!(format!("{base}#flavor-{}", slug(&f.name))),
    );
    sf.insert("type".into(), json!("gx:ServerFlavor"));
    sf.insert("schema:name".into(), json!(f.name));
    if let Some(d) = &f.description {
        sf.insert("schema:description".into(), json!(d));
    }
    sf.insert(
        "cpu".into(),
        json!({"type": "gx:CpuCapabilities", "vCPUs": f.vcpus, "pCPU": Value::Object(cpu)}),
    );
    sf.insert(
        "memory".into(),
        json!({"type": "gx:MemoryCapabilities", "memory": Value::Object(memory)}),
    );
    // A flavor without a root disk boots from a network volume the user sizes: size 0.
    sf.insert("bootVolume".into(), disk(f.disk_gib));
    if let Some(d) = name.as_ref().and_then(|n| n.disk).filter(|d| d.count > 1) {
        let extra: Vec<Value> = (1..d.count).map(|_| disk(f.disk_gib)).collect();
        sf.insert("additionalVolume".into(), Value::Array(extra));
    }
    if let Some(g) = name.as_ref().and_then(|n| n.gpu.as_ref()) {
        let mut gpu = Map::new();
        gpu.insert("type".into(), json!("gx:GPU"));
        gpu.insert("vendor".into(), json!(g.vendor.name()));
        if !g.generation.is_empty() {
            gpu.insert("generation".into(), json!(g.generation));
        }
        if let Some(cu) = g.compute_units {
            gpu.insert("gpuProcessingUnits".into(), json!(cu));
        }
        if let Some(v) = g.vram_gib {
            gpu.insert("gpuMemory".into(), size(f64::from(v), GIBIBYTE));
        }
        gpu.insert(
            "gpuPassthrough".into(),
            json!(g.gpu_type == GpuType::PassThrough),
        );
        sf.insert("gpu".into(), Value::Object(gpu));
    }
    let hypervisor = name
        .as_ref()
        .map_or(Some(Hypervisor::Kvm), |n| match n.hypervisor {
            None => Some(Hypervisor::Kvm),
            Some(Hypervisor::BareMetal) => None,
            Some(h) => Some(h),
        });
    if let Some(h) = hypervisor {
        let (t, code) = match h {
            Hypervisor::Kvm => ("KVM", "kvm"),
            Hypervisor::Xen => ("Xen", "xen"),
            Hypervisor::VMware => ("ESXi", "vmw"),
            Hypervisor::HyperV => ("Hyper-V", "hyv"),
            Hypervisor::CloudHypervisor => ("Cloud Hypervisor", "chy"),
            Hypervisor::BareMetal => ("other", "bms"),
        };
        let soft = &ctx.inv.provider.software;
        match soft.hypervisors.get(code).or(soft.default.as_ref()) {
            Some(licence) => {
                let mut hv = Map::new();
                hv.insert("type".into(), json!("gx:Hypervisor"));
                hv.insert("hypervisorType".into(), json!(t));
                ctx.licence_fields(&mut hv, licence);
                sf.insert("hypervisor".into(), Value::Object(hv));
            }
            None => ctx.warnings.push(format!(
                "flavor {}: no licence for hypervisor {code} in [software.hypervisors] or [software.default]; hypervisor not stated",
                f.name
            )),
        }
    }
    if name.as_ref().is_some_and(|n| n.hw_virt) {
        sf.insert("hardwareAssistedVirtualization".into(), json!(true));
    }
    let rng = f
        .extra_specs
        .get("hw_rng:allowed")
        .map(|v| v.eq_ignore_ascii_case("true"));
    if rng != Some(true) {
        sf.insert("hwRngTypeOfFlavor".into(), json!("Unavailable"));
    }
    Value::Object(sf)
}

fn os_distribution(distro: &str) -> &'static str {
    match distro.to_ascii_lowercase().as_str() {
        "ubuntu" => "Ubuntu",
        "debian" => "Debian",
        "rocky" => "Rocky Linux",
        "almalinux" => "AlmaLinux",
        "centos" => "CentOS Linux",
        "rhel" => "Red Hat Enterprise Linux",
        "sles" | "suse" => "SUSE Linux Enterprise Server",
        "opensuse" => "openSUSE",
        "fedora" => "Fedora",
        "alpine" => "Alpine Linux",
        "arch" => "Arch Linux",
        "gentoo" => "Gentoo Linux",
        "freebsd" => "FreeBSD",
        "netbsd" => "NetBSD",
        "openbsd" => "OpenBSD",
        "windows" => "Microsoft Windows",
        "cirros" => "CirrOS",
        _ => "others",
    }
}

/// `architecture` (Glance) → `gx:cpuArchitecture`.
fn architecture(arch: &str) -> &'static str {
    match arch {
        "x86_64" | "amd64" => "x86-64",
        "i686" | "i386" | "x86" => "x86-32",
        "aarch64" | "arm64" => "AArch-64",
        "armv7l" | "armv7" | "arm" => "AArch-32",
        "risc-v" | "riscv64" | "riscv" => "RISC-V",
        _ => "Other",
    }
}

/// scs-0102 `image_build_date`: `YYYY-MM-DD` or `YYYY-MM-DD hh:mm[:ss]` (UTC) → xsd:dateTime.
fn build_date(s: &str) -> Option<String> {
    let s = s.trim();
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, t.trim_end_matches('Z')),
        None => (s, "00:00:00"),
    };
    let d: Vec<&str> = date.split('-').collect();
    let ok_date = d.len() == 3
        && d[0].len() == 4
        && d[1].len() == 2
        && d[2].len() == 2
        && d.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let t: Vec<&str> = time.split(':').collect();
    let ok_time = (t.len() == 2 || t.len() == 3)
        && t.iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
    (ok_date && ok_time).then(|| {
        let secs = if t.len() == 2 { ":00" } else { "" };
        format!("{date}T{time}{secs}Z")
    })
}

fn vm_image(ctx: &mut Ctx<'_>, i: &Image, base: &str) -> Option<Value> {
    let prop = |k: &str| i.properties.get(k).map(String::as_str);
    let soft = &ctx.inv.provider.software;
    let distro = prop("os_distro").unwrap_or("");
    let Some(licence) = soft
        .images
        .get(&i.name)
        .or_else(|| soft.os.get(distro))
        .or(soft.default.as_ref())
    else {
        ctx.warnings.push(format!(
            "image {}: no licence (gx:copyrightOwnedBy, gx:license are mandatory) in [software.images], [software.os.{distro}] or [software.default]; image left out",
            i.name
        ));
        return None;
    };
    let mut m = Map::new();
    m.insert(
        "id".into(),
        json!(format!("{base}#image-{}", slug(&i.name))),
    );
    m.insert("type".into(), json!("gx:VMImage"));
    m.insert("schema:name".into(), json!(i.name));
    if let Some(d) = prop("image_description") {
        m.insert("schema:description".into(), json!(d));
    }
    ctx.licence_fields(&mut m, licence);
    match i
        .disk_format
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some(f @ ("RAW" | "QCOW2" | "VHD" | "VMDK" | "ISO")) => {
            m.insert("vmImageDiskFormat".into(), json!(f));
        }
        Some(other) => ctx.warnings.push(format!(
            "image {}: disk_format {other:?} has no Gaia-X value; not stated",
            i.name
        )),
        None => {}
    }
    if let Some(size_bytes) = i.size_bytes {
        m.insert("fileSize".into(), size(size_bytes as f64, BYTE));
    }
    match prop("hypervisor_type") {
        Some("qemu") => Some("quemu"),
        Some("kvm") => Some("KVM"),
        Some("xen") => Some("Xen"),
        Some("hyper-v") => Some("Hyper-V"),
        Some("esxi") => Some("ESXi"),
        _ => None,
    }
    .map(|h| m.insert("hypervisorType".into(), json!(h)));
    match prop("hw_firmware_type") {
        Some("uefi") => Some("UEFI"),
        Some("bios") => Some("BIOS"),
        Some(_) => Some("other"),
        None => None,
    }
    .map(|f| m.insert("firmwareType".into(), json!(f)));
    if prop("hw_rng_model").is_none() {
        m.insert("hwRngTypeOfImage".into(), json!("Unavailable"));
    }
    if let Some(w @ ("disabled" | "reset" | "poweroff" | "pause")) = prop("hw_watchdog_action") {
        m.insert("watchDogAction".into(), json!(w));
    }
    if let Some(s) = prop("os_secure_boot") {
        m.insert("secureBoot".into(), json!(s == "required"));
    }
    for (key, gx) in [
        ("hw_pmu", "vPMU"),
        ("hw_vif_multiqueue_enabled", "multiQueues"),
        ("license_included", "licenseIncluded"),
    ] {
        if let Some(v) = prop(key).and_then(|v| v.parse::<bool>().ok()) {
            m.insert(gx.into(), json!(v));
        }
    }
    if let (Some(algo), Some(value)) = (prop("os_hash_algo"), prop("os_hash_value")) {
        let calc = match algo {
            "sha256" => "sha-256",
            "sha384" => "sha-384",
            "sha512" => "sha-512",
            "md5" => "md5",
            "sha1" => "sha-1",
            _ => "other",
        };
        m.insert(
            "checkSum".into(),
            json!({"type": "gx:CheckSum", "checkSumCalculation": calc, "checkSumValue": value}),
        );
    }
    if let Some(d) = prop("image_build_date") {
        match build_date(d) {
            Some(dt) => {
                m.insert("buildDate".into(), json!(dt));
            }
            None => ctx.warnings.push(format!(
                "image {}: image_build_date {d:?} is not YYYY-MM-DD[ hh:mm[:ss]]",
                i.name
            )),
        }
    }
    if let Some(p) = prop("patchlevel") {
        m.insert("patchLevel".into(), json!(p));
    }
    if let Some(v) = prop("internal_version") {
        m.insert("version".into(), json!(v));
    }
    if let Some(arch) = prop("architecture") {
        m.insert(
            "cpuReq".into(),
            json!({"type": "gx:CPU", "cpuArchitecture": architecture(arch)}),
        );
    }
    if i.min_ram_mib > 0 {
        m.insert(
            "ramReq".into(),
            json!({"type": "gx:Memory", "memorySize": size(i.min_ram_mib as f64, MEBIBYTE)}),
        );
    }
    if i.min_disk_gib > 0 {
        let mut d = json!({"type": "gx:Disk", "diskSize": size(i.min_disk_gib as f64, GIBIBYTE)});
        if prop("hw_disk_bus") == Some("scsi") {
            d["diskBusType"] = json!("SCSI");
        }
        m.insert("rootDiskReq".into(), d);
    }
    let mut maintenance = Map::new();
    for (key, gx) in [
        ("subscription_included", "subscriptionIncluded"),
        ("subscription_required", "subscriptionRequired"),
    ] {
        if let Some(v) = prop(key).and_then(|v| v.parse::<bool>().ok()) {
            maintenance.insert(gx.into(), json!(v));
        }
    }
    if let Some(d) = prop("maintained_until").filter(|d| build_date(d).is_some() && d.len() == 10) {
        maintenance.insert("maintainedUntil".into(), json!(d));
    }
    if !maintenance.is_empty() {
        maintenance.insert("type".into(), json!("gx:MaintenanceSubscription"));
        m.insert("maintenance".into(), Value::Object(maintenance));
    }
    if !distro.is_empty() {
        let mut os = Map::new();
        os.insert("type".into(), json!("gx:OperatingSystem"));
        os.insert("osDistribution".into(), json!(os_distribution(distro)));
        if let Some(v) = prop("os_version") {
            os.insert("version".into(), json!(v));
        }
        ctx.licence_fields(&mut os, licence);
        m.insert("operatingSystem".into(), Value::Object(os));
    }
    Some(Value::Object(m))
}

/// An `xsd:float` literal (the shapes ask for that datatype; a JSON number would be
/// `xsd:double` where the context does not coerce it).
fn float(v: f32) -> Value {
    json!({"@value": v.to_string(), "@type": "xsd:float"})
}

/// A datacenter's energy and water figures (criteria P6.1.2 – P6.1.4).
fn sustainability(datacenter: &mut Value, figures: &crate::input::provider::SiteSustainability) {
    if let Some(pue) = figures.power_usage_effectiveness {
        datacenter["energyUsageEfficiency"] =
            json!({"type": "gx:EnergyUsageEfficiency", "powerUsageEffectiveness": float(pue)});
    }
    if let Some(wue) = figures.water_usage_effectiveness {
        datacenter["waterUsageEffectiveness"] =
            json!({"type": "gx:WaterUsageEffectiveness", "waterUsageEffectiveness": float(wue)});
    }
    if let Some(mix) = &figures.energy_mix {
        datacenter["energyMix"] = json!([{
            "type": "gx:EnergyMix",
            "renewableEnergy": float(mix.renewable_energy),
            "hourlyCarbonFreeEnergy": float(mix.hourly_carbon_free_energy),
            "attainmentDate": {"@value": mix.attainment_date, "@type": "xsd:date"},
        }]);
    }
}

fn locations(ctx: &mut Ctx<'_>, nb: &NetBox, docs: &mut Vec<Document>) {
    let lp = ctx.lp_id();
    let mut dc_by_region: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for site in &nb.sites {
        let mut zones: Vec<String> = site.availability_zones.clone();
        for d in nb.devices.iter().filter(|d| d.site == site.slug) {
            if let Some(z) = &d.availability_zone
                && !zones.contains(z)
            {
                zones.push(z.clone());
            }
        }
        let Some(country) = &site.country_code else {
            ctx.warnings.push(format!("site {}: no custom field country_code; datacenter left out (gx:location needs an address)", site.slug));
            continue;
        };
        if zones.is_empty() {
            ctx.warnings.push(format!("site {}: no availability zone; datacenter left out (gx:aggregationOfResources needs one)", site.slug));
            continue;
        }
        let mut zone_ids = Vec::new();
        for z in &zones {
            let file = format!("az-{}.json", slug(z));
            let id = format!("{}{file}#cs", ctx.base);
            zone_ids.push(json!({"id": id}));
            docs.push(ctx.credential(
                &file,
                "gx:AvailabilityZone",
                json!({"id": id, "type": "gx:AvailabilityZone", "schema:name": z}),
            ));
        }
        let mut addr = json!({"type": "gx:Address", "countryCode": country});
        if let Some(a) = &site.physical_address {
            addr["vcard:street-address"] = json!(a);
        }
        let file = format!("datacenter-{}.json", slug(&site.slug));
        let id = format!("{}{file}#cs", ctx.base);
        let mut datacenter = json!({"id": id, "type": "gx:Datacenter", "schema:name": site.name,
            "maintainedBy": [{"id": lp}], "location": [addr], "aggregationOfResources": zone_ids});
        if let Some(figures) = ctx.inv.provider.sustainability.of_site(&site.slug) {
            sustainability(&mut datacenter, figures);
        }
        docs.push(ctx.credential(&file, "gx:Datacenter", datacenter));
        if let Some(r) = &site.region {
            dc_by_region
                .entry(r.as_str())
                .or_default()
                .push(json!({"id": id}));
        }
    }
    for region in &nb.regions {
        let Some(dcs) = dc_by_region.remove(region.slug.as_str()) else {
            ctx.warnings
                .push(format!("region {}: no datacenter; left out", region.slug));
            continue;
        };
        let file = format!("region-{}.json", slug(&region.slug));
        let id = format!("{}{file}#cs", ctx.base);
        docs.push(ctx.credential(
            &file,
            "gx:Region",
            json!({"id": id, "type": "gx:Region", "schema:name": region.name, "aggregationOfResources": dcs}),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_dates_per_scs_0102() {
        assert_eq!(
            build_date("2026-11-02").as_deref(),
            Some("2026-11-02T00:00:00Z")
        );
        assert_eq!(
            build_date("2026-11-02 08:15").as_deref(),
            Some("2026-11-02T08:15:00Z")
        );
        assert_eq!(
            build_date("2026-11-02 08:15:30").as_deref(),
            Some("2026-11-02T08:15:30Z")
        );
        assert_eq!(build_date("02.11.2026"), None);
        assert_eq!(build_date("2026-11-02 8h"), None);
    }

    #[test]
    fn architectures_without_the_python_bugs() {
        assert_eq!(architecture("aarch64"), "AArch-64");
        assert_eq!(architecture("armv7l"), "AArch-32");
        assert_eq!(architecture("parisc"), "Other");
        assert_eq!(architecture("x86_64"), "x86-64");
    }
}
