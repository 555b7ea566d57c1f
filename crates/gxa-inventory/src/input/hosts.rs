//! Physical hosts: the Ironic inspection inventory (`baremetal node inventory save`, or
//! `GET /v1/nodes/{node}/inventory` = `{"inventory": {...}, "plugin_data": {...}}`, or the bare
//! inventory object), or the same facts read from Redfish, given as one JSON object
//! `{"ComputerSystem": {...}, "Processors": [...], "Memory": [...], "Drives": [...]}` holding the
//! DMTF resources. Redfish is mapped as the project notes recommend: CPU threads = Σ
//! `TotalThreads`, memory = `TotalSystemMemoryGiB` × 1024 MiB, a drive is rotational when its
//! `MediaType` is `HDD`; it also gives ECC (`ErrorCorrection`), which Ironic does not.
//!
//! GPUs: Ironic's standard inventory has none; they are read from `plugin_data.pci_devices`
//! (display controllers, PCI class `03xx`) when present, and from Redfish `Processors` whose
//! `ProcessorType` is `GPU`.

use serde_json::Value;

use super::InputError;
use super::json::{Obj, as_u64, invalid};

/// Where a host record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostSource {
    /// Ironic inspection inventory.
    Ironic,
    /// Redfish resources.
    Redfish,
}

/// One physical host.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// Host name (Ironic `hostname`, Redfish `HostName` or `Id`).
    pub name: String,
    /// Source format.
    pub source: HostSource,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Product name / model.
    pub product: Option<String>,
    /// Serial number (joins with NetBox `serial`).
    pub serial: Option<String>,
    /// CPU facts.
    pub cpu: HostCpu,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// ECC, when the source says.
    pub memory_ecc: Option<bool>,
    /// Disks.
    pub disks: Vec<HostDisk>,
    /// GPUs.
    pub gpus: Vec<HostGpu>,
}

/// CPU facts of a host.
#[derive(Debug, Clone, PartialEq)]
pub struct HostCpu {
    /// Model name.
    pub model: String,
    /// Architecture as reported (`x86_64`, `aarch64`, …).
    pub architecture: String,
    /// Logical CPUs (threads).
    pub threads: u32,
    /// Physical cores, if known.
    pub cores: Option<u32>,
    /// Frequency in MHz, if known.
    pub frequency_mhz: Option<u64>,
    /// CPU flags.
    pub flags: Vec<String>,
}

/// One disk of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostDisk {
    /// Device name.
    pub name: String,
    /// Model.
    pub model: Option<String>,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Rotational (HDD).
    pub rotational: bool,
    /// NVMe.
    pub nvme: bool,
}

/// One GPU of a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostGpu {
    /// Vendor.
    pub vendor: String,
    /// Model, if known.
    pub model: Option<String>,
    /// Memory in MiB, if known.
    pub memory_mib: Option<u64>,
}

/// Parses one host record in either format.
pub fn parse_host(text: &str, what: &str) -> Result<Host, InputError> {
    let value: Value = super::strict::parse_json(text).map_err(|source| InputError::Json {
        what: what.to_owned(),
        source,
    })?;
    let top = Obj::new(what, "$".into(), &value)?;
    if top.get(&["ComputerSystem"]).is_some() {
        parse_redfish(&top)
    } else {
        parse_ironic(&top)
    }
}

fn u32_of(o: &Obj<'_>, keys: &[&str]) -> Result<Option<u32>, InputError> {
    match o.opt_u64(keys)? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| o.err(keys[0], "too large")),
    }
}

fn parse_ironic(top: &Obj<'_>) -> Result<Host, InputError> {
    let inv = top.opt_obj(&["inventory"])?;
    let inv = match inv {
        Some(i) => i,
        None => Obj {
            what: top.what,
            at: top.at.clone(),
            map: top.map,
        },
    };
    let cpu = inv
        .opt_obj(&["cpu"])?
        .ok_or_else(|| inv.err("cpu", "missing (not an Ironic inventory?)"))?;
    let memory = inv
        .opt_obj(&["memory"])?
        .ok_or_else(|| inv.err("memory", "missing"))?;
    let memory_mib = match memory.opt_u64(&["physical_mb"])? {
        Some(mb) => mb,
        None => memory.u64(&["total"])? / (1024 * 1024),
    };
    let mut disks = Vec::new();
    for (i, d) in inv.opt_array(&["disks"])?.iter().enumerate() {
        let d = Obj::new(inv.what, format!("{}.disks[{i}]", inv.at), d)?;
        let name = d.str(&["name"])?.to_owned();
        disks.push(HostDisk {
            nvme: name.contains("nvme"),
            name,
            model: d.opt_str(&["model"])?.map(str::to_owned),
            size_bytes: d.u64(&["size"])?,
            rotational: d.opt_bool(&["rotational"])?.unwrap_or(false),
        });
    }
    let system = inv.opt_obj(&["system_vendor"])?;
    let mut gpus = Vec::new();
    if let Some(plugin) = top.opt_obj(&["plugin_data"])? {
        for (i, p) in plugin.opt_array(&["pci_devices"])?.iter().enumerate() {
            let p = Obj::new(top.what, format!("plugin_data.pci_devices[{i}]"), p)?;
            if p.opt_str(&["class"])?.is_some_and(|c| c.starts_with("03")) {
                let vendor_id = p.opt_str(&["vendor_id"])?.unwrap_or("");
                gpus.push(HostGpu {
                    vendor: match vendor_id {
                        "10de" => "NVIDIA",
                        "1002" => "AMD",
                        "8086" => "Intel",
                        _ => "other",
                    }
                    .to_owned(),
                    model: p.opt_str(&["product_name", "product"])?.map(str::to_owned),
                    memory_mib: p.opt_u64(&["memory_mb"])?,
                });
            }
        }
    }
    Ok(Host {
        name: inv
            .opt_str(&["hostname"])?
            .or(system
                .as_ref()
                .and_then(|s| s.opt_str(&["serial_number"]).ok().flatten()))
            .ok_or_else(|| inv.err("hostname", "missing"))?
            .to_owned(),
        source: HostSource::Ironic,
        manufacturer: system
            .as_ref()
            .map(|s| s.opt_str(&["manufacturer"]))
            .transpose()?
            .flatten()
            .map(str::to_owned),
        product: system
            .as_ref()
            .map(|s| s.opt_str(&["product_name"]))
            .transpose()?
            .flatten()
            .map(str::to_owned),
        serial: system
            .as_ref()
            .map(|s| s.opt_str(&["serial_number"]))
            .transpose()?
            .flatten()
            .map(str::to_owned),
        cpu: HostCpu {
            model: cpu.str(&["model_name"])?.to_owned(),
            architecture: cpu.str(&["architecture"])?.to_owned(),
            threads: u32_of(&cpu, &["count"])?.ok_or_else(|| cpu.err("count", "missing"))?,
            cores: None,
            frequency_mhz: match cpu.get(&["frequency"]) {
                None => None,
                Some((_, Value::Number(n))) => n.as_f64().map(|f| f.round() as u64),
                Some((_, v)) => as_u64(v).or_else(|| {
                    v.as_str()
                        .and_then(|s| s.trim().parse::<f64>().ok())
                        .map(|f| f.round() as u64)
                }),
            },
            flags: cpu
                .opt_array(&["flags"])?
                .iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect(),
        },
        memory_mib,
        memory_ecc: None,
        disks,
        gpus,
    })
}

fn parse_redfish(top: &Obj<'_>) -> Result<Host, InputError> {
    let sys = top
        .opt_obj(&["ComputerSystem"])?
        .ok_or_else(|| top.err("ComputerSystem", "missing"))?;
    let mut threads = 0u32;
    let mut cores = 0u32;
    let mut cpu_model = None;
    let mut architecture = None;
    let mut frequency = None;
    let mut gpus = Vec::new();
    for (i, p) in top.opt_array(&["Processors"])?.iter().enumerate() {
        let p = Obj::new(top.what, format!("Processors[{i}]"), p)?;
        if p.opt_str(&["ProcessorType"])? == Some("GPU") {
            gpus.push(HostGpu {
                vendor: p.opt_str(&["Manufacturer"])?.unwrap_or("other").to_owned(),
                model: p.opt_str(&["Model"])?.map(str::to_owned),
                memory_mib: None,
            });
            continue;
        }
        threads = threads.saturating_add(u32_of(&p, &["TotalThreads"])?.unwrap_or(0));
        cores = cores.saturating_add(u32_of(&p, &["TotalCores"])?.unwrap_or(0));
        cpu_model = cpu_model.or(p.opt_str(&["Model"])?);
        architecture = architecture.or(p.opt_str(&["InstructionSet", "ProcessorArchitecture"])?);
        frequency = frequency.or(p.opt_u64(&["MaxSpeedMHz"])?);
    }
    let summary = sys.opt_obj(&["ProcessorSummary"])?;
    if threads == 0 {
        threads = match &summary {
            Some(s) => u32_of(s, &["LogicalProcessorCount"])?.unwrap_or(0),
            None => 0,
        };
    }
    if threads == 0 {
        return Err(invalid(
            top.what,
            "Processors",
            "no CPU threads (TotalThreads or ProcessorSummary.LogicalProcessorCount)".into(),
        ));
    }
    let mem_summary = sys
        .opt_obj(&["MemorySummary"])?
        .ok_or_else(|| sys.err("MemorySummary", "missing"))?;
    let gib = match mem_summary.get(&["TotalSystemMemoryGiB"]) {
        Some((_, Value::Number(n))) => n.as_f64().filter(|f| *f >= 0.0),
        _ => None,
    }
    .ok_or_else(|| mem_summary.err("TotalSystemMemoryGiB", "missing or not a number"))?;
    let mut ecc = None;
    for (i, m) in top.opt_array(&["Memory"])?.iter().enumerate() {
        let m = Obj::new(top.what, format!("Memory[{i}]"), m)?;
        if let Some(e) = m.opt_str(&["ErrorCorrection"])? {
            let this = e != "NoECC";
            ecc = Some(ecc.unwrap_or(true) && this);
        }
    }
    let mut disks = Vec::new();
    for (i, d) in top.opt_array(&["Drives"])?.iter().enumerate() {
        let d = Obj::new(top.what, format!("Drives[{i}]"), d)?;
        disks.push(HostDisk {
            name: d.opt_str(&["Id", "Name"])?.unwrap_or("drive").to_owned(),
            model: d.opt_str(&["Model"])?.map(str::to_owned),
            size_bytes: d.u64(&["CapacityBytes"])?,
            rotational: d.opt_str(&["MediaType"])? == Some("HDD"),
            nvme: d.opt_str(&["Protocol"])? == Some("NVMe"),
        });
    }
    let arch = match architecture {
        Some("x86-64") | Some("x86") => "x86_64",
        Some("ARM-A64") | Some("ARM") => "aarch64",
        Some("RV64") => "riscv64",
        Some(other) => other,
        None => "unknown",
    };
    Ok(Host {
        name: sys
            .opt_str(&["HostName", "Id"])?
            .ok_or_else(|| sys.err("HostName", "missing"))?
            .to_owned(),
        source: HostSource::Redfish,
        manufacturer: sys.opt_str(&["Manufacturer"])?.map(str::to_owned),
        product: sys.opt_str(&["Model"])?.map(str::to_owned),
        serial: sys.opt_str(&["SerialNumber"])?.map(str::to_owned),
        cpu: HostCpu {
            model: cpu_model
                .or(summary
                    .as_ref()
                    .map(|s| s.opt_str(&["Model"]))
                    .transpose()?
                    .flatten())
                .unwrap_or("unknown")
                .to_owned(),
            architecture: arch.to_owned(),
            threads,
            cores: (cores > 0).then_some(cores),
            frequency_mhz: frequency,
            flags: Vec::new(),
        },
        memory_mib: (gib * 1024.0).round() as u64,
        memory_ecc: ecc,
        disks,
        gpus,
    })
}
