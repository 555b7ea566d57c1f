//! Physical hosts → `gx:CPU`, `gx:Memory`, `gx:Disk` and `gx:GPU` facts, one credential per host
//! with one subject per device (ids `{base}host-{name}.json#cpu`, `#memory`, `#disk-N`,
//! `#gpu-N`).

use serde_json::{Value, json};

use super::{GIBIBYTE, GIGABYTE, architecture, size, slug};
use crate::input::hosts::Host;

/// The file name and the credential subjects of one host.
pub fn host_document(h: &Host, base: &str) -> (String, Value) {
    let file = format!("host-{}.json", slug(&h.name));
    let id = format!("{base}{file}");
    let mut subjects = Vec::new();
    let model = h.cpu.model.to_ascii_lowercase();
    let vendor = if model.contains("amd") {
        Some("AMD")
    } else if model.contains("intel") {
        Some("Intel")
    } else if model.contains("ampere") || model.contains("arm") {
        Some("ARM")
    } else {
        None
    };
    let mut cpu = json!({
        "id": format!("{id}#cpu"),
        "type": "gx:CPU",
        "cpuArchitecture": architecture(&h.cpu.architecture),
        "numberOfThreads": h.cpu.threads,
        "generation": h.cpu.model,
    });
    if let Some(v) = vendor {
        cpu["vendor"] = json!(v);
    }
    if let Some(c) = h.cpu.cores {
        cpu["numberOfCores"] = json!(c);
        cpu["smtEnabled"] = json!(h.cpu.threads > c);
    }
    if !h.cpu.flags.is_empty() {
        cpu["cpuFlag"] = json!(h.cpu.flags);
    }
    subjects.push(cpu);
    let mut memory = json!({
        "id": format!("{id}#memory"),
        "type": "gx:Memory",
        "memorySize": size(h.memory_mib as f64 / 1024.0, GIBIBYTE),
    });
    if let Some(ecc) = h.memory_ecc {
        memory["eccEnabled"] = json!(ecc);
    }
    subjects.push(memory);
    for (n, d) in h.disks.iter().enumerate() {
        let mut disk = json!({
            "id": format!("{id}#disk-{n}"),
            "type": "gx:Disk",
            "diskSize": size((d.size_bytes as f64 / 1.0e9).round(), GIGABYTE),
            "diskType": if d.rotational { "local HDD" } else { "local SSD" },
        });
        if d.nvme {
            disk["diskBusType"] = json!("NVMe");
        }
        if let Some(m) = &d.model {
            disk["generation"] = json!(m);
        }
        subjects.push(disk);
    }
    for (n, g) in h.gpus.iter().enumerate() {
        let mut gpu = json!({"id": format!("{id}#gpu-{n}"), "type": "gx:GPU", "vendor": g.vendor});
        if let Some(m) = &g.model {
            gpu["generation"] = json!(m);
        }
        if let Some(mib) = g.memory_mib {
            gpu["gpuMemory"] = size(mib as f64 / 1024.0, GIBIBYTE);
        }
        subjects.push(gpu);
    }
    (file, Value::Array(subjects))
}
