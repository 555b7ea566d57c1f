//! Cross-check of an SCS flavor name against the flavor's real figures and extra specs, as
//! `scs-0100-semantics-check` does (under-promising is allowed, over-promising is not), plus the
//! `scs:*` extra specs of [scs-0103] and the `hw:cpu_policy` a dedicated CPU type implies.
//!
//! [scs-0103]: https://docs.scs.community/standards/scs-0103-v1-standard-flavors

use std::collections::BTreeMap;
use std::fmt;

use super::{DiskType, FlavorName};

/// What a cloud says about a flavor (OpenStack units: RAM in MiB, disk in GiB).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlavorFacts {
    /// Flavor name.
    pub name: String,
    /// vCPUs.
    pub vcpus: u32,
    /// RAM in MiB.
    pub ram_mib: u64,
    /// Root disk in GiB (0: boot from volume).
    pub disk_gib: u64,
    /// Extra specs.
    pub extra_specs: BTreeMap<String, String>,
}

/// One discrepancy between a flavor name and the flavor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlavorWarning {
    /// The flavor's name.
    pub flavor: String,
    /// A stable code: `vcpus`, `ram`, `disk`, `cpu-type`, `disk-type`, `name-variant`,
    /// `missing-extra-spec`, `cpu-policy`.
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

impl fmt::Display for FlavorWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "flavor {}: [{}] {}",
            self.flavor, self.code, self.message
        )
    }
}

/// Compares what `name` promises with what `facts` deliver; each discrepancy is one warning.
pub fn cross_check(name: &FlavorName, facts: &FlavorFacts) -> Vec<FlavorWarning> {
    let mut out = Vec::new();
    let mut warn = |code: &'static str, message: String| {
        out.push(FlavorWarning {
            flavor: facts.name.clone(),
            code,
            message,
        });
    };

    if facts.vcpus < name.cpus {
        warn(
            "vcpus",
            format!(
                "the name promises {} vCPUs, the flavor has {}",
                name.cpus, facts.vcpus
            ),
        );
    }
    // scs-0100-semantics-check: int((ram_MiB + 51) / 102.4) / 10 >= RAM_GiB, in integers:
    // tenths of GiB = floor((MiB + 51) * 10 / 1024).
    let tenths_gib = facts.ram_mib.saturating_add(51).saturating_mul(10) / 1024;
    let promised_tenths = u64::from(name.ram_half_gib) * 5;
    if tenths_gib < promised_tenths {
        warn(
            "ram",
            format!(
                "the name promises {} GiB RAM, the flavor has {} MiB ({:.1} GiB)",
                name.ram_gib(),
                facts.ram_mib,
                facts.ram_mib as f64 / 1024.0
            ),
        );
    }
    if let Some(disk) = name.disk {
        match disk.size_gb {
            Some(size) if facts.disk_gib < u64::from(size) => warn(
                "disk",
                format!(
                    "the name promises a {size} GB root disk, the flavor has {} GiB",
                    facts.disk_gib
                ),
            ),
            _ => {}
        }
    }

    let spec = |k: &str| facts.extra_specs.get(k).map(String::as_str);
    match spec("scs:cpu-type") {
        None => warn(
            "missing-extra-spec",
            format!(
                "no scs:cpu-type (expected {:?})",
                name.cpu_type.extra_spec()
            ),
        ),
        Some(v) if v != name.cpu_type.extra_spec() => warn(
            "cpu-type",
            format!(
                "scs:cpu-type is {v:?}, the name says {:?} ({})",
                name.cpu_type.extra_spec(),
                name.cpu_type.letter()
            ),
        ),
        Some(_) => {}
    }
    if let Some(disk) = name.disk {
        for i in 0..disk.count {
            let key = format!("scs:disk{i}-type");
            match (spec(&key), disk.disk_type) {
                (None, Some(t)) if i == 0 => {
                    warn(
                        "missing-extra-spec",
                        format!("no {key} (expected {:?})", t.extra_spec()),
                    );
                }
                (Some(v), Some(t)) if v != t.extra_spec() => warn(
                    "disk-type",
                    format!(
                        "{key} is {v:?}, the name says {:?} ({})",
                        t.extra_spec(),
                        t.letter()
                    ),
                ),
                (Some(v), None)
                    if ![
                        DiskType::Network,
                        DiskType::Hdd,
                        DiskType::Ssd,
                        DiskType::Nvme,
                    ]
                    .iter()
                    .any(|t| t.extra_spec() == v) =>
                {
                    warn(
                        "disk-type",
                        format!("{key} is {v:?}, not one of network, hdd, ssd, nvme"),
                    );
                }
                _ => {}
            }
        }
    }
    let spellings = name.spellings();
    for (key, value) in &facts.extra_specs {
        if key.starts_with("scs:name-v") && !spellings.iter().any(|s| s == value) {
            warn(
                "name-variant",
                format!("{key} is {value:?}, which does not name this flavor ({name})"),
            );
        }
    }
    if name.cpu_type.is_dedicated()
        && let Some(policy) = spec("hw:cpu_policy").filter(|p| *p != "dedicated")
    {
        warn(
            "cpu-policy",
            format!(
                "the name promises dedicated vCPUs ({}), but hw:cpu_policy is {policy:?}",
                name.cpu_type.letter()
            ),
        );
    }
    out
}
