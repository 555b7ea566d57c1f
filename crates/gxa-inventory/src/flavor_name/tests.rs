use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/scs-data/generated/flavor-name-vectors.json"
));

/// The reference parser's `components` dict for a parsed name.
fn reference_components(n: &FlavorName) -> Value {
    let h = |k: u8| "h".repeat(usize::from(k));
    json!({
        "cpuram": {
            "cpus": n.cpus,
            "cputype": n.cpu_type.letter().to_string(),
            "cpuinsecure": n.cpu_insecure,
            "ram": n.ram_gib(),
            "raminsecure": n.ram_no_ecc,
            "ramoversubscribed": n.ram_oversubscribed,
        },
        "disk": n.disk.map(|d| json!({
            "nrdisks": d.count,
            "disksize": d.size_gb,
            "disktype": d.disk_type.map(|t| t.letter().to_string()).unwrap_or_default(),
        })),
        "hype": n.hypervisor.map(|h| json!({"hype": h.code()})),
        "hwvirt": n.hw_virt.then(|| json!({"hwvirt": true})),
        "cpubrand": n.cpu_brand.map(|b| json!({
            "cpuvendor": b.vendor.letter().to_string(),
            "cpugen": b.generation,
            "perf": h(b.frequency),
        })),
        "gpu": n.gpu.as_ref().map(|g| json!({
            "gputype": match g.gpu_type { GpuType::PassThrough => "G", GpuType::Virtual => "g" },
            "brand": g.vendor.letter().to_string(),
            "gen": g.generation,
            "cu": g.compute_units,
            "perf": h(g.compute_frequency),
            "vram": g.vram_gib,
            "vramperf": h(g.vram_bandwidth),
        })),
        "ib": n.infiniband.then(|| json!({"ib": true})),
    })
}

#[test]
fn all_shared_vectors_pass() {
    let vectors: Vec<Value> = serde_json::from_str(VECTORS).unwrap();
    assert_eq!(vectors.len(), 27);
    let mut valid = 0;
    for v in &vectors {
        let name = v["name"].as_str().unwrap();
        let parsed = FlavorName::parse(name);
        if v["valid"] == json!(true) {
            let n = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                reference_components(&n),
                v["components"],
                "{name}: components"
            );
            assert_eq!(
                n.canonical(),
                v["canonical"].as_str().unwrap(),
                "{name}: canonical"
            );
            assert_eq!(
                n.short().canonical(),
                v["short"].as_str().unwrap(),
                "{name}: short"
            );
            assert_eq!(
                Value::Object(n.to_flavor_dict()),
                v["extra_specs"],
                "{name}: extra_specs"
            );
            // Generation round-trips.
            assert_eq!(
                FlavorName::parse(&n.canonical()).unwrap(),
                n,
                "{name}: round trip"
            );
            valid += 1;
        } else {
            let err = parsed.expect_err(name);
            let expected = v["error"].as_str().unwrap();
            match &err {
                FlavorNameError::MainPart { .. } => {
                    assert!(expected.contains("main part"), "{name}: {err}")
                }
                FlavorNameError::ExtraCharacters { rest, .. } => {
                    assert_eq!(expected, format!("Extra characters: {rest}"), "{name}")
                }
                other => panic!("{name}: unexpected {other}"),
            }
        }
    }
    assert_eq!(valid, 21);
}

#[test]
fn errors_are_typed_never_panics() {
    for bad in [
        "",
        "SCS",
        "SCS-",
        "scs-2V-4",
        "SCS-V-4",
        "SCS-2V-",
        "SCS-2V-4-0x10",
        "SCS-0V-4",
        "SCS-2V-0",
        "SCS-99999999999V-4",
        "SCS-2V-4_zhhhh",
        "SCS-2V-4_GX",
        "SCS-2V-4_ib_ib",
        "SCS-2V-4é",
        "SCS-2V-4-10s_kvm_kvm",
        "SCS-2V-4.25",
    ] {
        assert!(FlavorName::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert!(matches!(
        FlavorName::parse("m1.large"),
        Err(FlavorNameError::NoPrefix { .. })
    ));
    assert!(matches!(
        FlavorName::parse("SCS-0V-4"),
        Err(FlavorNameError::InvalidValue { .. })
    ));
}

#[test]
fn generates_from_components() {
    let n = FlavorName {
        cpus: 8,
        cpu_type: CpuType::DedicatedCore,
        cpu_insecure: false,
        ram_half_gib: 64,
        ram_no_ecc: false,
        ram_oversubscribed: false,
        disk: Some(Disk {
            count: 2,
            size_gb: Some(100),
            disk_type: Some(DiskType::Nvme),
        }),
        hypervisor: Some(Hypervisor::Kvm),
        hw_virt: true,
        cpu_brand: Some(CpuBrand {
            vendor: CpuVendor::Amd,
            generation: Some(4),
            frequency: 1,
        }),
        gpu: Some(Gpu {
            gpu_type: GpuType::PassThrough,
            vendor: GpuVendor::Nvidia,
            generation: "h".into(),
            compute_units: Some(132),
            compute_frequency: 0,
            vram_gib: Some(80),
            vram_bandwidth: 1,
        }),
        infiniband: true,
    };
    assert_eq!(n.canonical(), "SCS-8C-32-2x100p_kvm_hwv_z4h_GNh-132-80h_ib");
    assert_eq!(n.short().canonical(), "SCS-8C-32-2x100p_GNh-132-80_ib");
    assert_eq!(n.v1(), "SCS-8C:32:2x100p-kvm-hwv-z4h-GNh:132:80h-ib");
    assert_eq!(FlavorName::parse(&n.canonical()).unwrap(), n);
}

fn facts(
    name: &str,
    vcpus: u32,
    ram_mib: u64,
    disk_gib: u64,
    specs: &[(&str, &str)],
) -> FlavorFacts {
    FlavorFacts {
        name: name.into(),
        vcpus,
        ram_mib,
        disk_gib,
        extra_specs: specs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn codes(w: &[FlavorWarning]) -> Vec<&'static str> {
    w.iter().map(|w| w.code).collect()
}

#[test]
fn cross_check_consistent_flavor_has_no_warnings() {
    let n = FlavorName::parse("SCS-4V-16-100s").unwrap();
    let f = facts(
        "SCS-4V-16-100s",
        4,
        16384,
        100,
        &[
            ("scs:cpu-type", "shared-core"),
            ("scs:disk0-type", "ssd"),
            ("scs:name-v1", "SCS-4V:16:100s"),
            ("scs:name-v2", "SCS-4V-16-100s"),
        ],
    );
    assert_eq!(cross_check(&n, &f), vec![]);
    // Over-delivery is allowed.
    let more = FlavorFacts {
        vcpus: 8,
        ram_mib: 32768,
        disk_gib: 200,
        ..f
    };
    assert_eq!(cross_check(&n, &more), vec![]);
}

#[test]
fn cross_check_reports_each_discrepancy() {
    let n = FlavorName::parse("SCS-4C-16-100s_z3").unwrap();
    let f = facts(
        "SCS-4C-16-100s_z3",
        2,
        15000,
        50,
        &[
            ("scs:cpu-type", "shared-core"),
            ("scs:disk0-type", "network"),
            ("scs:name-v1", "SCS-4C:16:100s-z3"),
            ("scs:name-v2", "SCS-4C-16-100s_z2"),
            ("hw:cpu_policy", "shared"),
        ],
    );
    let w = cross_check(&n, &f);
    assert_eq!(
        codes(&w),
        [
            "vcpus",
            "ram",
            "disk",
            "cpu-type",
            "disk-type",
            "name-variant",
            "cpu-policy"
        ]
    );
    assert!(
        w[1].message.contains("16 GiB") && w[1].message.contains("15000 MiB"),
        "{}",
        w[1]
    );
    assert!(w[5].message.contains("scs:name-v2"), "{}", w[5]);
}

#[test]
fn cross_check_ram_rounding_follows_the_semantics_check() {
    let n = FlavorName::parse("SCS-1V-0.5").unwrap();
    let specs = [("scs:cpu-type", "shared-core")];
    // int((512 + 51) / 102.4) / 10 = 0.5 passes; int((461 + 51) / 102.4) = 5 passes;
    // int((460 + 51) / 102.4) = 4, i.e. 0.4 GiB, fails.
    assert_eq!(cross_check(&n, &facts("a", 1, 512, 0, &specs)), vec![]);
    assert_eq!(cross_check(&n, &facts("a", 1, 461, 0, &specs)), vec![]);
    assert_eq!(
        codes(&cross_check(&n, &facts("a", 1, 460, 0, &specs))),
        ["ram"]
    );
}

#[test]
fn cross_check_missing_extra_specs() {
    let n = FlavorName::parse("SCS-2V-4-20s").unwrap();
    let w = cross_check(&n, &facts("SCS-2V-4-20s", 2, 4096, 20, &[]));
    assert_eq!(codes(&w), ["missing-extra-spec", "missing-extra-spec"]);
}
