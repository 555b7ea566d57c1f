//! `gx-attest scs flavor-name`: SCS flavor names ([scs-0100-v3]) decoded and generated; a thin
//! adapter over `gxa_inventory::flavor_name`.
//!
//! * `scs flavor-name parse NAME [--json]`: exit 0 and the decoded name when it is valid, 1 and
//!   the reason when it is not (with `--json`, `{"name", "valid": false, "error"}` on standard
//!   output).
//! * `scs flavor-name generate --cpus N --cpu-type L|V|T|C --ram GIB [...] [--json]`: prints the
//!   canonical name (or, with `--json`, the same object as `parse --json`); exit 2 when the
//!   components do not make a valid name.
//!
//! [scs-0100-v3]: https://docs.scs.community/standards/scs-0100-v3-flavor-naming

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gxa_inventory::flavor_name::{
    CpuBrand, CpuType, CpuVendor, Disk, DiskType, FlavorName, Gpu, GpuType, GpuVendor, Hypervisor,
};
use serde_json::json;

use super::write_stdout;

/// Arguments of `gx-attest scs flavor-name`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: FlavorNameCommand,
}

#[derive(Debug, clap::Subcommand)]
enum FlavorNameCommand {
    /// Decode an SCS flavor name (exit 1 when it is not valid).
    Parse(ParseArgs),
    /// Build the canonical SCS flavor name from its components.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
struct ParseArgs {
    /// The flavor name, e.g. SCS-16V-64-500s_GNa-14-6h.
    name: String,
    /// Print JSON (components, short and v1 names, implied extra specs).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// Number of vCPUs.
    #[arg(long)]
    cpus: u32,
    /// CPU type: L (crowded core), V (shared core), T (dedicated thread), C (dedicated core).
    #[arg(long, value_name = "L|V|T|C")]
    cpu_type: char,
    /// The CPUs lack security mitigations (`i`).
    #[arg(long)]
    insecure: bool,
    /// RAM in GiB (an integer or a half, e.g. 0.5).
    #[arg(long, value_name = "GIB")]
    ram: f64,
    /// RAM without ECC (`u`).
    #[arg(long)]
    no_ecc: bool,
    /// RAM oversubscribed (`o`).
    #[arg(long)]
    ram_oversubscribed: bool,
    /// Root disk size in GB; with neither this, `--disk-type` nor `--disks`, no disk part (boot
    /// from volume).
    #[arg(long, value_name = "GB")]
    disk: Option<u32>,
    /// Number of disks (`Nx`).
    #[arg(long, value_name = "N")]
    disks: Option<u32>,
    /// Disk type: n (network), h (HDD), s (SSD), p (NVMe).
    #[arg(long, value_name = "n|h|s|p")]
    disk_type: Option<char>,
    /// Hypervisor: kvm, xen, vmw, hyv, bms, chy.
    #[arg(long)]
    hypervisor: Option<String>,
    /// Hardware-assisted (nested) virtualisation (`_hwv`).
    #[arg(long)]
    hwv: bool,
    /// CPU vendor: i (Intel), z (AMD), a (ARM), r (RISC-V).
    #[arg(long, value_name = "i|z|a|r")]
    cpu_vendor: Option<char>,
    /// CPU generation (scs-0100 table index; needs --cpu-vendor).
    #[arg(long, value_name = "N")]
    cpu_gen: Option<u32>,
    /// CPU frequency class 0–3 (`h`, `hh`, `hhh`; needs --cpu-vendor).
    #[arg(long, value_name = "0-3", default_value_t = 0)]
    cpu_freq: u8,
    /// GPU: G (pass-through) or g (virtual).
    #[arg(long, value_name = "G|g")]
    gpu: Option<char>,
    /// GPU vendor: N (nVidia), A (AMD), I (Intel).
    #[arg(long, value_name = "N|A|I")]
    gpu_vendor: Option<char>,
    /// GPU generation code (e.g. a = nVidia Ampere).
    #[arg(long, default_value = "")]
    gpu_gen: String,
    /// GPU compute units (SMs, CUs or EUs).
    #[arg(long, value_name = "N")]
    gpu_cu: Option<u32>,
    /// GPU video RAM in GiB (needs --gpu-cu).
    #[arg(long, value_name = "GIB")]
    gpu_vram: Option<u32>,
    /// GPU video RAM is high-bandwidth memory (`h`).
    #[arg(long)]
    gpu_hbm: bool,
    /// InfiniBand (`_ib`).
    #[arg(long)]
    ib: bool,
    /// Print JSON like `parse --json`.
    #[arg(long)]
    json: bool,
}

/// Runs `gx-attest scs flavor-name`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        FlavorNameCommand::Parse(args) => parse(&args),
        FlavorNameCommand::Generate(args) => generate(&args),
    }
}

fn parse(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    match FlavorName::parse(&args.name) {
        Ok(name) if args.json => {
            let mut value = name.to_json();
            if let Some(obj) = value.as_object_mut() {
                obj.insert("name".into(), json!(args.name));
                obj.insert("valid".into(), json!(true));
            }
            write_stdout(format!("{}\n", serde_json::to_string_pretty(&value)?).as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(name) => {
            write_stdout(describe(&name)?.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if args.json => {
            let value = json!({"name": args.name, "valid": false, "error": e.to_string()});
            write_stdout(format!("{}\n", serde_json::to_string_pretty(&value)?).as_bytes())?;
            Ok(ExitCode::from(1))
        }
        Err(e) => {
            eprintln!("gx-attest: invalid flavor name: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

fn describe(n: &FlavorName) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "canonical: {n}")?;
    writeln!(out, "short:     {}", n.short())?;
    writeln!(out, "v1:        {}", n.v1())?;
    writeln!(
        out,
        "cpu:       {} vCPUs, {}{}",
        n.cpus,
        n.cpu_type.extra_spec(),
        if n.cpu_insecure { ", insecure" } else { "" }
    )?;
    writeln!(
        out,
        "ram:       {} GiB, {}{}",
        n.ram_gib(),
        if n.ram_no_ecc { "no ECC" } else { "ECC" },
        if n.ram_oversubscribed {
            ", oversubscribed"
        } else {
            ""
        }
    )?;
    match n.disk {
        None => writeln!(out, "disk:      none (boot from volume)")?,
        Some(d) => writeln!(
            out,
            "disk:      {} x {} ({})",
            d.count,
            d.size_gb
                .map_or("size chosen by the cloud".to_owned(), |s| format!("{s} GB")),
            d.disk_type
                .map_or("type chosen by the cloud", DiskType::extra_spec)
        )?,
    }
    writeln!(
        out,
        "hypervisor: {}",
        n.hypervisor.map_or("not stated (kvm)", Hypervisor::code)
    )?;
    if n.hw_virt {
        writeln!(out, "hardware-assisted virtualisation: yes")?;
    }
    if let Some(b) = n.cpu_brand {
        let generation = b
            .generation
            .map(|g| {
                format!(
                    ", generation {g} ({})",
                    b.vendor.generation_name(g).unwrap_or("?")
                )
            })
            .unwrap_or_default();
        writeln!(
            out,
            "cpu brand: {} {}{generation}{}",
            b.vendor.name(),
            b.vendor.architecture(),
            ["", ", >2.75 GHz", ", >3.25 GHz", ", >3.75 GHz"]
                .get(usize::from(b.frequency))
                .copied()
                .unwrap_or("")
        )?;
    }
    if let Some(g) = &n.gpu {
        writeln!(
            out,
            "gpu:       {} {} generation {:?}{}{}",
            if g.gpu_type == GpuType::PassThrough {
                "pass-through"
            } else {
                "virtual"
            },
            g.vendor.name(),
            g.generation,
            g.compute_units
                .map(|c| format!(", {c} compute units"))
                .unwrap_or_default(),
            g.vram_gib
                .map(|v| format!(", {v} GiB VRAM"))
                .unwrap_or_default()
        )?;
    }
    if n.infiniband {
        writeln!(out, "infiniband: yes")?;
    }
    Ok(out)
}

fn generate(a: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let cpu_type = CpuType::from_letter(a.cpu_type)
        .with_context(|| format!("--cpu-type {:?}: expected L, V, T or C", a.cpu_type))?;
    let halves = a.ram * 2.0;
    if !(halves.is_finite()
        && halves >= 1.0
        && halves.fract() == 0.0
        && halves <= f64::from(u32::MAX))
    {
        bail!(
            "--ram {}: expected a positive whole or half number of GiB",
            a.ram
        );
    }
    let ram_half_gib = halves as u32;
    let disk = if a.disk.is_some() || a.disks.is_some() || a.disk_type.is_some() {
        let disk_type = a
            .disk_type
            .map(|c| {
                DiskType::from_letter(c)
                    .with_context(|| format!("--disk-type {c:?}: expected n, h, s or p"))
            })
            .transpose()?;
        Some(Disk {
            count: a.disks.unwrap_or(1),
            size_gb: a.disk,
            disk_type,
        })
    } else {
        None
    };
    let hypervisor = a
        .hypervisor
        .as_deref()
        .map(|h| {
            Hypervisor::from_code(h).with_context(|| {
                format!("--hypervisor {h:?}: expected kvm, xen, vmw, hyv, bms or chy")
            })
        })
        .transpose()?;
    let cpu_brand = match a.cpu_vendor {
        Some(c) => Some(CpuBrand {
            vendor: CpuVendor::from_letter(c)
                .with_context(|| format!("--cpu-vendor {c:?}: expected i, z, a or r"))?,
            generation: a.cpu_gen,
            frequency: a.cpu_freq,
        }),
        None if a.cpu_gen.is_some() || a.cpu_freq > 0 => {
            bail!("--cpu-gen and --cpu-freq need --cpu-vendor")
        }
        None => None,
    };
    let gpu = match a.gpu {
        Some(t) => Some(Gpu {
            gpu_type: match t {
                'G' => GpuType::PassThrough,
                'g' => GpuType::Virtual,
                other => bail!("--gpu {other:?}: expected G (pass-through) or g (virtual)"),
            },
            vendor: match a.gpu_vendor {
                Some('N') => GpuVendor::Nvidia,
                Some('A') => GpuVendor::Amd,
                Some('I') => GpuVendor::Intel,
                other => bail!("--gpu-vendor {other:?}: expected N, A or I"),
            },
            generation: a.gpu_gen.clone(),
            compute_units: a.gpu_cu,
            compute_frequency: 0,
            vram_gib: a.gpu_vram,
            vram_bandwidth: u8::from(a.gpu_hbm),
        }),
        None => None,
    };
    let name = FlavorName {
        cpus: a.cpus,
        cpu_type,
        cpu_insecure: a.insecure,
        ram_half_gib,
        ram_no_ecc: a.no_ecc,
        ram_oversubscribed: a.ram_oversubscribed,
        disk,
        hypervisor,
        hw_virt: a.hwv,
        cpu_brand,
        gpu,
        infiniband: a.ib,
    };
    // A generated name must parse back to the same components; this refuses what the grammar
    // cannot express (zero CPUs, a GPU generation with "-", VRAM without compute units, …).
    let text = name.canonical();
    match FlavorName::parse(&text) {
        Ok(back) if back == name => {}
        Ok(_) => {
            bail!("the components cannot be expressed as a name: {text} reads back differently")
        }
        Err(e) => bail!("the components do not make a valid name: {e}"),
    }
    if a.json {
        write_stdout(format!("{}\n", serde_json::to_string_pretty(&name.to_json())?).as_bytes())?;
    } else {
        write_stdout(format!("{text}\n").as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
