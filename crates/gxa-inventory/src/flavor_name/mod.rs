//! SCS flavor names: parse, generate and cross-check them
//! ([scs-0100-v3 "Flavor naming"][scs-0100], v3.3 syntax; reference parser
//! `Tests/iaas/scs_0100_flavor_naming/flavor_names.py`).
//!
//! Grammar (case-sensitive, components in this fixed order):
//!
//! ```text
//! name      = "SCS-" cpuram [disk] [hyp] [hwv] [arch] [gpu] [ib]
//! cpuram    = INT cputype ["i"] "-" RAM ["u"] ["o"]
//! disk      = "-" [INT "x"] [INT] [disktype]
//! hyp       = "_" ("kvm" | "xen" | "vmw" | "hyv" | "bms" | "chy")
//! hwv       = "_hwv"
//! arch      = "_" ("i" | "z" | "a" | "r") [INT] ["h" | "hh" | "hhh"]   ; then end or "_"
//! gpu       = "_" ("G" | "g") ("N" | "A" | "I") [gen] ["-" INT [h…] ["-" INT [h…]]]
//! ib        = "_ib"
//! ```
//!
//! Deviations from the reference parser, all stricter and none met by a valid name: RAM is an
//! integer or a half (`INT` or `INT ".5"`), a CPU or GPU frequency marker has at most three `h`,
//! a GPU generation ends at `-` or `_`, and zero CPUs or zero RAM are refused. The legacy v1
//! syntax (`SCS-2V:4`) is refused by [`FlavorName::parse`], as by the v3 reference parser; v1
//! forms are only *generated* (for the `scs:name-v1` extra spec).
//!
//! The semantics check (`check`) follows `scs-0100-semantics-check`: a flavor may deliver more than
//! its name promises, never less.
//!
//! [scs-0100]: https://docs.scs.community/standards/scs-0100-v3-flavor-naming

mod check;

use std::fmt;

use serde_json::{Map, Value, json};

pub use check::{FlavorFacts, FlavorWarning, cross_check};

/// A flavor name that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlavorNameError {
    /// The name does not start with `SCS-`.
    #[error("{name:?} is not an SCS flavor name (no \"SCS-\" prefix)")]
    NoPrefix {
        /// The name.
        name: String,
    },
    /// The mandatory CPU/RAM part (`4V-16`) is missing or malformed.
    #[error("failed to parse main part (CPUs and RAM, e.g. \"4V-16\") of {name:?}")]
    MainPart {
        /// The name.
        name: String,
    },
    /// The name continues after the last component that could be parsed.
    #[error("extra characters in {name:?}: {rest:?} is not a valid component here")]
    ExtraCharacters {
        /// The name.
        name: String,
        /// What was left.
        rest: String,
    },
    /// A number is zero or out of range.
    #[error("invalid value in {name:?}: {reason}")]
    InvalidValue {
        /// The name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// CPU allocation type (scs-0100 §"CPU type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuType {
    /// `L`: heavily oversubscribed ("crowded core").
    CrowdedCore,
    /// `V`: oversubscribed, at least 20 % of a core ("shared core").
    SharedCore,
    /// `T`: a dedicated hyperthread.
    DedicatedThread,
    /// `C`: a dedicated core.
    DedicatedCore,
}

impl CpuType {
    /// The letter in the name.
    pub fn letter(self) -> char {
        match self {
            Self::CrowdedCore => 'L',
            Self::SharedCore => 'V',
            Self::DedicatedThread => 'T',
            Self::DedicatedCore => 'C',
        }
    }

    /// From the letter in the name.
    pub fn from_letter(c: char) -> Option<Self> {
        match c {
            'L' => Some(Self::CrowdedCore),
            'V' => Some(Self::SharedCore),
            'T' => Some(Self::DedicatedThread),
            'C' => Some(Self::DedicatedCore),
            _ => None,
        }
    }

    /// The value of the `scs:cpu-type` extra spec.
    pub fn extra_spec(self) -> &'static str {
        match self {
            Self::CrowdedCore => "crowded-core",
            Self::SharedCore => "shared-core",
            Self::DedicatedThread => "dedicated-thread",
            Self::DedicatedCore => "dedicated-core",
        }
    }

    /// From the value of the `scs:cpu-type` extra spec.
    pub fn from_extra_spec(s: &str) -> Option<Self> {
        [
            Self::CrowdedCore,
            Self::SharedCore,
            Self::DedicatedThread,
            Self::DedicatedCore,
        ]
        .into_iter()
        .find(|t| t.extra_spec() == s)
    }

    /// Whether the vCPU is a dedicated core or thread (no oversubscription).
    pub fn is_dedicated(self) -> bool {
        matches!(self, Self::DedicatedThread | Self::DedicatedCore)
    }
}

/// Disk type (scs-0100 §"Disk type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiskType {
    /// `n`: network storage (Ceph, Cinder).
    Network,
    /// `h`: local HDD.
    Hdd,
    /// `s`: local SSD (scs-0110: ≥ 1000 IOPS, power-loss protection).
    Ssd,
    /// `p`: local NVMe.
    Nvme,
}

impl DiskType {
    /// The letter in the name.
    pub fn letter(self) -> char {
        match self {
            Self::Network => 'n',
            Self::Hdd => 'h',
            Self::Ssd => 's',
            Self::Nvme => 'p',
        }
    }

    /// From the letter in the name.
    pub fn from_letter(c: char) -> Option<Self> {
        match c {
            'n' => Some(Self::Network),
            'h' => Some(Self::Hdd),
            's' => Some(Self::Ssd),
            'p' => Some(Self::Nvme),
            _ => None,
        }
    }

    /// The value of the `scs:diskN-type` extra spec.
    pub fn extra_spec(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Hdd => "hdd",
            Self::Ssd => "ssd",
            Self::Nvme => "nvme",
        }
    }
}

/// Hypervisor (scs-0100 §"Hypervisor").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hypervisor {
    /// `kvm`
    Kvm,
    /// `xen`
    Xen,
    /// `vmw`: VMware
    VMware,
    /// `hyv`: Hyper-V
    HyperV,
    /// `bms`: bare metal, no hypervisor
    BareMetal,
    /// `chy`: Cloud Hypervisor
    CloudHypervisor,
}

impl Hypervisor {
    const ALL: [Self; 6] = [
        Self::Kvm,
        Self::Xen,
        Self::VMware,
        Self::HyperV,
        Self::BareMetal,
        Self::CloudHypervisor,
    ];

    /// The code in the name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Kvm => "kvm",
            Self::Xen => "xen",
            Self::VMware => "vmw",
            Self::HyperV => "hyv",
            Self::BareMetal => "bms",
            Self::CloudHypervisor => "chy",
        }
    }

    /// From the code in the name.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.code() == s)
    }
}

/// CPU vendor and architecture (scs-0100 §"CPU architecture").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuVendor {
    /// `i`: Intel x86-64
    Intel,
    /// `z`: AMD x86-64
    Amd,
    /// `a`: ARM AArch64
    Arm,
    /// `r`: RISC-V
    RiscV,
}

impl CpuVendor {
    /// The letter in the name.
    pub fn letter(self) -> char {
        match self {
            Self::Intel => 'i',
            Self::Amd => 'z',
            Self::Arm => 'a',
            Self::RiscV => 'r',
        }
    }

    /// From the letter in the name.
    pub fn from_letter(c: char) -> Option<Self> {
        match c {
            'i' => Some(Self::Intel),
            'z' => Some(Self::Amd),
            'a' => Some(Self::Arm),
            'r' => Some(Self::RiscV),
            _ => None,
        }
    }

    /// The vendor's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Intel => "Intel",
            Self::Amd => "AMD",
            Self::Arm => "ARM",
            Self::RiscV => "RISC-V",
        }
    }

    /// The CPU architecture in the words of the Gaia-X `gx:cpuArchitecture` enumeration.
    pub fn architecture(self) -> &'static str {
        match self {
            Self::Intel | Self::Amd => "x86-64",
            Self::Arm => "AArch-64",
            Self::RiscV => "RISC-V",
        }
    }

    /// The generation's name from the scs-0100 v3 table, if the table has one.
    pub fn generation_name(self, generation: u32) -> Option<&'static str> {
        let table: &[&str] = match self {
            Self::Intel => &[
                "pre-Skylake",
                "Skylake",
                "Cascade Lake",
                "Ice Lake",
                "Sapphire Rapids",
                "Sierra Forest",
                "Granite Rapids",
            ],
            Self::Amd => &["pre-Zen", "Zen1", "Zen2", "Zen3", "Zen4", "Zen5", "Zen6"],
            Self::Arm => &[
                "pre-A76",
                "A76/N1",
                "A78/X1/V1",
                "A71x/N2/V2",
                "AmpereOne",
                "A72x/N3/V3",
            ],
            Self::RiscV => &[],
        };
        usize::try_from(generation)
            .ok()
            .and_then(|i| table.get(i))
            .copied()
    }
}

/// CPU vendor, generation and frequency class (`_z3hh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpuBrand {
    /// Vendor and architecture.
    pub vendor: CpuVendor,
    /// Generation (index into the scs-0100 table), if stated.
    pub generation: Option<u32>,
    /// Frequency class: number of `h` (0–3: >2.75, >3.25, >3.75 GHz all-core).
    pub frequency: u8,
}

/// Pass-through or virtual GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GpuType {
    /// `G`: pass-through GPU.
    PassThrough,
    /// `g`: virtual GPU (a share of one).
    Virtual,
}

/// GPU vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GpuVendor {
    /// `N`: nVidia
    Nvidia,
    /// `A`: AMD
    Amd,
    /// `I`: Intel
    Intel,
}

impl GpuVendor {
    /// The letter in the name.
    pub fn letter(self) -> char {
        match self {
            Self::Nvidia => 'N',
            Self::Amd => 'A',
            Self::Intel => 'I',
        }
    }

    /// The vendor's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Nvidia => "NVIDIA",
            Self::Amd => "AMD",
            Self::Intel => "Intel",
        }
    }
}

/// GPU component (`_GNa-72-24h`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gpu {
    /// Pass-through or virtual.
    pub gpu_type: GpuType,
    /// Vendor.
    pub vendor: GpuVendor,
    /// Generation code (`a` = nVidia Ampere, `3.1` = AMD CDNA 3.1, …), possibly empty.
    pub generation: String,
    /// Streaming multiprocessors / compute units / execution units, if stated.
    pub compute_units: Option<u32>,
    /// High-frequency marker count after the compute units.
    pub compute_frequency: u8,
    /// Video RAM in GiB, if stated.
    pub vram_gib: Option<u32>,
    /// High-bandwidth memory marker count after the VRAM size.
    pub vram_bandwidth: u8,
}

/// Disk component (`-2x200p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Disk {
    /// Number of disks (1 unless `Nx` is given).
    pub count: u32,
    /// Size of each in GB; `None` lets the cloud choose.
    pub size_gb: Option<u32>,
    /// Type; `None` lets the cloud choose (`network` in the extra specs).
    pub disk_type: Option<DiskType>,
}

/// A parsed SCS flavor name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlavorName {
    /// Number of vCPUs.
    pub cpus: u32,
    /// CPU allocation type.
    pub cpu_type: CpuType,
    /// `i`: insecure (missing mitigations, or SMT on L1TF-affected CPUs).
    pub cpu_insecure: bool,
    /// RAM in half GiB (so `0.5` GiB is 1).
    pub ram_half_gib: u32,
    /// `u`: no ECC.
    pub ram_no_ecc: bool,
    /// `o`: RAM oversubscribed.
    pub ram_oversubscribed: bool,
    /// Root (and further) disks; `None`: boot from volume.
    pub disk: Option<Disk>,
    /// Hypervisor, if stated (KVM is the default).
    pub hypervisor: Option<Hypervisor>,
    /// `_hwv`: hardware-assisted (nested) virtualisation.
    pub hw_virt: bool,
    /// CPU vendor, generation and frequency.
    pub cpu_brand: Option<CpuBrand>,
    /// GPU.
    pub gpu: Option<Gpu>,
    /// `_ib`: InfiniBand.
    pub infiniband: bool,
}

impl FlavorName {
    /// Parses a name in the v2/v3 syntax.
    pub fn parse(name: &str) -> Result<Self, FlavorNameError> {
        Parser { name, pos: 0 }.parse()
    }

    /// RAM in GiB.
    pub fn ram_gib(&self) -> f64 {
        f64::from(self.ram_half_gib) / 2.0
    }

    /// The canonical (v2 syntax) name; the same as `to_string()`.
    pub fn canonical(&self) -> String {
        self.to_string()
    }

    /// The shortened name the standard recommends: without hypervisor, `_hwv`, CPU generation and
    /// frequency (an ARM or RISC-V vendor letter stays, as it names the architecture) and without
    /// the GPU's frequency and bandwidth markers.
    pub fn short(&self) -> Self {
        let mut short = self.clone();
        short.hypervisor = None;
        short.hw_virt = false;
        short.cpu_brand = match self.cpu_brand {
            Some(b) if matches!(b.vendor, CpuVendor::Arm | CpuVendor::RiscV) => Some(CpuBrand {
                vendor: b.vendor,
                generation: None,
                frequency: 0,
            }),
            _ => None,
        };
        if let Some(gpu) = &mut short.gpu {
            gpu.compute_frequency = 0;
            gpu.vram_bandwidth = 0;
        }
        short
    }

    /// The name in the legacy v1 syntax (`SCS-16V:64:500s-GNa:14:6h`).
    pub fn v1(&self) -> String {
        let v2 = self.to_string();
        let rest = v2.strip_prefix(PREFIX).unwrap_or(&v2);
        format!("{PREFIX}{}", rest.replace('-', ":").replace('_', "-"))
    }

    /// The flavor properties and extra specs the name implies, as the reference
    /// `flavorname_to_dict` gives them: `cpus`, `scs:cpu-type`, `ram` (GiB), `disk` (GB, only when
    /// there is a disk part), `scs:diskN-type`, `scs:name-v1`/`-v2` and, when the short name
    /// differs, `scs:name-v3`/`-v4` for it.
    pub fn to_flavor_dict(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("cpus".into(), json!(self.cpus));
        map.insert("scs:cpu-type".into(), json!(self.cpu_type.extra_spec()));
        map.insert("ram".into(), json!(self.ram_gib()));
        if let Some(disk) = self.disk {
            map.insert("disk".into(), json!(disk.size_gb));
            let disk_type = disk.disk_type.unwrap_or(DiskType::Network).extra_spec();
            for i in 0..disk.count {
                map.insert(format!("scs:disk{i}-type"), json!(disk_type));
            }
        }
        map.insert("scs:name-v1".into(), json!(self.v1()));
        map.insert("scs:name-v2".into(), json!(self.canonical()));
        let short = self.short();
        if short != *self {
            map.insert("scs:name-v3".into(), json!(short.v1()));
            map.insert("scs:name-v4".into(), json!(short.canonical()));
        }
        map
    }

    /// The decoded components as JSON, with the meaning of each code spelled out (for
    /// `gx-attest scs flavor-name parse --json`).
    pub fn to_json(&self) -> Value {
        let h = |n: u8| {
            ["", "h", "hh", "hhh"]
                .get(usize::from(n))
                .copied()
                .unwrap_or("")
        };
        json!({
            "canonical": self.canonical(),
            "short": self.short().canonical(),
            "v1": self.v1(),
            "cpus": self.cpus,
            "cpuType": self.cpu_type.extra_spec(),
            "cpuInsecure": self.cpu_insecure,
            "ramGiB": self.ram_gib(),
            "ramEcc": !self.ram_no_ecc,
            "ramOversubscribed": self.ram_oversubscribed,
            "disk": self.disk.map(|d| json!({
                "count": d.count,
                "sizeGB": d.size_gb,
                "type": d.disk_type.map(DiskType::extra_spec),
            })),
            "hypervisor": self.hypervisor.map(Hypervisor::code),
            "hardwareVirtualization": self.hw_virt,
            "cpuBrand": self.cpu_brand.map(|b| json!({
                "vendor": b.vendor.name(),
                "architecture": b.vendor.architecture(),
                "generation": b.generation,
                "generationName": b.generation.and_then(|g| b.vendor.generation_name(g)),
                "frequency": h(b.frequency),
            })),
            "gpu": self.gpu.as_ref().map(|g| json!({
                "passThrough": g.gpu_type == GpuType::PassThrough,
                "vendor": g.vendor.name(),
                "generation": g.generation,
                "computeUnits": g.compute_units,
                "highFrequency": h(g.compute_frequency),
                "vramGiB": g.vram_gib,
                "highBandwidthMemory": g.vram_bandwidth > 0,
            })),
            "infiniband": self.infiniband,
            "extraSpecs": Value::Object(self.to_flavor_dict()),
        })
    }

    /// Every spelling that names this flavor: canonical and short, v2 and v1.
    pub fn spellings(&self) -> Vec<String> {
        let short = self.short();
        vec![self.canonical(), self.v1(), short.canonical(), short.v1()]
    }
}

const PREFIX: &str = "SCS-";

fn write_h(f: &mut fmt::Formatter<'_>, n: u8) -> fmt::Result {
    for _ in 0..n {
        f.write_str("h")?;
    }
    Ok(())
}

impl fmt::Display for FlavorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}{}", self.cpus, self.cpu_type.letter())?;
        if self.cpu_insecure {
            f.write_str("i")?;
        }
        write!(f, "-{}", self.ram_half_gib / 2)?;
        if self.ram_half_gib % 2 == 1 {
            f.write_str(".5")?;
        }
        if self.ram_no_ecc {
            f.write_str("u")?;
        }
        if self.ram_oversubscribed {
            f.write_str("o")?;
        }
        if let Some(disk) = self.disk {
            f.write_str("-")?;
            if disk.count != 1 {
                write!(f, "{}x", disk.count)?;
            }
            if let Some(size) = disk.size_gb {
                write!(f, "{size}")?;
            }
            if let Some(t) = disk.disk_type {
                write!(f, "{}", t.letter())?;
            }
        }
        if let Some(h) = self.hypervisor {
            write!(f, "_{}", h.code())?;
        }
        if self.hw_virt {
            f.write_str("_hwv")?;
        }
        if let Some(b) = self.cpu_brand {
            write!(f, "_{}", b.vendor.letter())?;
            if let Some(g) = b.generation {
                write!(f, "{g}")?;
            }
            write_h(f, b.frequency)?;
        }
        if let Some(gpu) = &self.gpu {
            let t = match gpu.gpu_type {
                GpuType::PassThrough => 'G',
                GpuType::Virtual => 'g',
            };
            write!(f, "_{t}{}{}", gpu.vendor.letter(), gpu.generation)?;
            if let Some(cu) = gpu.compute_units {
                write!(f, "-{cu}")?;
                write_h(f, gpu.compute_frequency)?;
                if let Some(vram) = gpu.vram_gib {
                    write!(f, "-{vram}")?;
                    write_h(f, gpu.vram_bandwidth)?;
                }
            }
        }
        if self.infiniband {
            f.write_str("_ib")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for FlavorName {
    type Err = FlavorNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

struct Parser<'a> {
    name: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.name.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn eat_char(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Digits as a number; `Ok(None)` when there are none.
    fn number(&mut self) -> Result<Option<u32>, FlavorNameError> {
        let digits = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Ok(None);
        }
        let text = &self.rest()[..digits];
        let n = text
            .parse::<u32>()
            .map_err(|_| self.invalid("number too large"))?;
        self.pos += digits;
        Ok(Some(n))
    }

    /// `h`, `hh` or `hhh`.
    fn h_marks(&mut self) -> u8 {
        let mut n = 0;
        while n < 3 && self.eat_char('h') {
            n += 1;
        }
        n
    }

    fn invalid(&self, reason: &'static str) -> FlavorNameError {
        FlavorNameError::InvalidValue {
            name: self.name.to_owned(),
            reason,
        }
    }

    fn main_part_error(&self) -> FlavorNameError {
        FlavorNameError::MainPart {
            name: self.name.to_owned(),
        }
    }

    fn parse(mut self) -> Result<FlavorName, FlavorNameError> {
        if !self.eat(PREFIX) {
            return Err(FlavorNameError::NoPrefix {
                name: self.name.to_owned(),
            });
        }
        // cpuram
        let cpus = self.number()?.ok_or_else(|| self.main_part_error())?;
        let cpu_type = self
            .peek()
            .and_then(CpuType::from_letter)
            .ok_or_else(|| self.main_part_error())?;
        self.pos += 1;
        let cpu_insecure = self.eat_char('i');
        if !self.eat_char('-') {
            return Err(self.main_part_error());
        }
        let ram_whole = self.number()?.ok_or_else(|| self.main_part_error())?;
        let half = u32::from(self.eat(".5"));
        let ram_half_gib = ram_whole
            .checked_mul(2)
            .and_then(|r| r.checked_add(half))
            .ok_or_else(|| self.invalid("RAM too large"))?;
        let ram_no_ecc = self.eat_char('u');
        let ram_oversubscribed = self.eat_char('o');
        if cpus == 0 {
            return Err(self.invalid("zero CPUs"));
        }
        if ram_half_gib == 0 {
            return Err(self.invalid("zero RAM"));
        }

        let disk = self.disk()?;
        let hypervisor = self.hypervisor();
        let hw_virt = self.eat("_hwv");
        let cpu_brand = self.cpu_brand()?;
        let gpu = self.gpu()?;
        let infiniband = self.eat("_ib");

        if self.pos != self.name.len() {
            return Err(FlavorNameError::ExtraCharacters {
                name: self.name.to_owned(),
                rest: self.rest().to_owned(),
            });
        }
        Ok(FlavorName {
            cpus,
            cpu_type,
            cpu_insecure,
            ram_half_gib,
            ram_no_ecc,
            ram_oversubscribed,
            disk,
            hypervisor,
            hw_virt,
            cpu_brand,
            gpu,
            infiniband,
        })
    }

    fn disk(&mut self) -> Result<Option<Disk>, FlavorNameError> {
        if !self.eat_char('-') {
            return Ok(None);
        }
        let first = self.number()?;
        let (count, size_gb) = match first {
            Some(n) if self.eat_char('x') => (n, self.number()?),
            other => (1, other),
        };
        if count == 0 {
            return Err(self.invalid("zero disks"));
        }
        let disk_type = self.peek().and_then(DiskType::from_letter);
        if disk_type.is_some() {
            self.pos += 1;
        }
        Ok(Some(Disk {
            count,
            size_gb,
            disk_type,
        }))
    }

    fn hypervisor(&mut self) -> Option<Hypervisor> {
        let code = self.rest().strip_prefix('_')?.get(..3)?;
        let h = Hypervisor::from_code(code)?;
        self.pos += 4;
        Some(h)
    }

    fn cpu_brand(&mut self) -> Result<Option<CpuBrand>, FlavorNameError> {
        let start = self.pos;
        if !self.eat_char('_') {
            return Ok(None);
        }
        let Some(vendor) = self.peek().and_then(CpuVendor::from_letter) else {
            self.pos = start;
            return Ok(None);
        };
        self.pos += 1;
        let generation = self.number()?;
        let frequency = self.h_marks();
        // The component must end the name or be followed by the next one (`_ib` is not Intel).
        if !(self.rest().is_empty() || self.rest().starts_with('_')) {
            self.pos = start;
            return Ok(None);
        }
        Ok(Some(CpuBrand {
            vendor,
            generation,
            frequency,
        }))
    }

    fn gpu(&mut self) -> Result<Option<Gpu>, FlavorNameError> {
        let start = self.pos;
        if !self.eat_char('_') {
            return Ok(None);
        }
        let gpu_type = match self.peek() {
            Some('G') => GpuType::PassThrough,
            Some('g') => GpuType::Virtual,
            _ => {
                self.pos = start;
                return Ok(None);
            }
        };
        self.pos += 1;
        let vendor = match self.peek() {
            Some('N') => GpuVendor::Nvidia,
            Some('A') => GpuVendor::Amd,
            Some('I') => GpuVendor::Intel,
            _ => {
                self.pos = start;
                return Ok(None);
            }
        };
        self.pos += 1;
        let gen_len = self.rest().find(['-', '_']).unwrap_or(self.rest().len());
        let generation = self.rest()[..gen_len].to_owned();
        self.pos += gen_len;
        let mut gpu = Gpu {
            gpu_type,
            vendor,
            generation,
            compute_units: None,
            compute_frequency: 0,
            vram_gib: None,
            vram_bandwidth: 0,
        };
        let before_cu = self.pos;
        if self.eat_char('-') {
            match self.number()? {
                Some(cu) => {
                    gpu.compute_units = Some(cu);
                    gpu.compute_frequency = self.h_marks();
                    let before_vram = self.pos;
                    if self.eat_char('-') {
                        match self.number()? {
                            Some(vram) => {
                                gpu.vram_gib = Some(vram);
                                gpu.vram_bandwidth = self.h_marks();
                            }
                            None => self.pos = before_vram,
                        }
                    }
                }
                None => self.pos = before_cu,
            }
        }
        Ok(Some(gpu))
    }
}

#[cfg(test)]
mod tests;
