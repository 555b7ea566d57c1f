//! The example cloud under `examples/` parses completely and is self-consistent; broken
//! variants give typed errors or warnings, never a panic.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::BTreeSet;
use std::path::Path;

use gxa_inventory::flavor_name::{FlavorFacts, FlavorName, Hypervisor, cross_check};
use gxa_inventory::input::hosts::{HostSource, parse_host};
use gxa_inventory::input::netbox::parse_netbox;
use gxa_inventory::input::openstack::{Flavor, parse_catalog, parse_flavor_yaml};
use gxa_inventory::input::provider::ProviderFile;
use gxa_inventory::input::read_file;

fn example(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(rel);
    read_file(&path).unwrap()
}

fn facts(f: &Flavor) -> FlavorFacts {
    FlavorFacts {
        name: f.name.clone(),
        vcpus: f.vcpus,
        ram_mib: f.ram_mib,
        disk_gib: f.disk_gib,
        extra_specs: f.extra_specs.clone(),
    }
}

#[test]
fn example_cloud_is_complete_and_consistent() {
    let provider = ProviderFile::parse(&example("provider.toml"), "provider.toml").unwrap();
    assert_eq!(provider.base(), "https://cloud.example.eu/gx/");
    assert!(provider.software.os.contains_key("ubuntu"));

    let catalog = parse_catalog(&example("inventory/openstack.json"), "openstack.json").unwrap();
    assert!(catalog.flavors.len() >= 20, "{}", catalog.flavors.len());
    assert_eq!(catalog.images.len(), 10);
    let names: Vec<FlavorName> = catalog
        .flavors
        .iter()
        .map(|f| FlavorName::parse(&f.name).unwrap())
        .collect();
    assert!(names.iter().any(|n| n.gpu.is_some()), "a GPU flavor");
    assert!(
        names
            .iter()
            .any(|n| n.hypervisor == Some(Hypervisor::BareMetal)),
        "a bare-metal flavor"
    );
    for (f, n) in catalog.flavors.iter().zip(&names) {
        assert_eq!(cross_check(n, &facts(f)), vec![], "{}", f.name);
    }
    for image in &catalog.images {
        for key in [
            "architecture",
            "os_distro",
            "os_version",
            "hw_disk_bus",
            "image_build_date",
            "replace_frequency",
            "uuid_validity",
        ] {
            assert!(image.properties.contains_key(key), "{}: {key}", image.name);
        }
    }

    let yaml = parse_flavor_yaml(&example("inventory/flavors.yaml"), "flavors.yaml").unwrap();
    assert_eq!(yaml.len(), 4);
    for f in &yaml {
        assert_eq!(
            cross_check(&FlavorName::parse(&f.name).unwrap(), &facts(f)),
            vec![],
            "{}",
            f.name
        );
    }

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inventory/hosts");
    let mut hosts = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        hosts.push(parse_host(&read_file(&path).unwrap(), &path.display().to_string()).unwrap());
    }
    assert_eq!(hosts.len(), 4);
    assert_eq!(
        hosts
            .iter()
            .filter(|h| h.source == HostSource::Redfish)
            .count(),
        1
    );
    let redfish = hosts
        .iter()
        .find(|h| h.source == HostSource::Redfish)
        .unwrap();
    assert_eq!(
        (redfish.cpu.threads, redfish.cpu.cores, redfish.memory_mib),
        (128, Some(64), 512 * 1024)
    );
    assert_eq!(redfish.memory_ecc, Some(true));
    assert!(redfish.disks.iter().all(|d| d.nvme && !d.rotational));
    let gpu_host = hosts.iter().find(|h| h.name == "gpu-ber1-c-01").unwrap();
    assert_eq!(gpu_host.gpus.len(), 2);
    assert_eq!(gpu_host.gpus[0].vendor, "NVIDIA");
    let hdd_host = hosts
        .iter()
        .find(|h| h.name == "compute-fra1-b-01")
        .unwrap();
    assert!(hdd_host.disks.iter().any(|d| d.rotational));

    let nb = parse_netbox(&example("inventory/netbox.json"), "netbox.json").unwrap();
    assert_eq!(nb.regions.len(), 2);
    let zones: BTreeSet<&str> = nb
        .sites
        .iter()
        .flat_map(|s| s.availability_zones.iter().map(String::as_str))
        .collect();
    assert_eq!(zones.len(), 3);
    // Every host is a NetBox device, joined by serial.
    for h in &hosts {
        assert!(
            nb.devices.iter().any(|d| d.serial == h.serial),
            "{}",
            h.name
        );
    }
}

#[test]
fn inconsistent_flavors_give_warnings() {
    let text = example("inventory/openstack.json").replace("\"RAM\": 16384", "\"RAM\": 15360");
    let catalog = parse_catalog(&text, "openstack.json").unwrap();
    let warnings: Vec<_> = catalog
        .flavors
        .iter()
        .flat_map(|f| cross_check(&FlavorName::parse(&f.name).unwrap(), &facts(f)))
        .collect();
    assert!(!warnings.is_empty());
    assert!(warnings.iter().all(|w| w.code == "ram"), "{warnings:?}");
    assert!(
        warnings[0].to_string().contains("15360 MiB"),
        "{}",
        warnings[0]
    );
}

#[test]
fn malformed_inputs_are_errors_never_panics() {
    let provider = example("provider.toml");
    for (text, needle) in [
        (
            provider.replace("did = \"did:web:", "did = \"web:"),
            "provider.did",
        ),
        (
            provider.replace("base_url = \"https:", "base_url = \"ftp:"),
            "base_url",
        ),
        (
            provider.replace(
                "gaiax_terms_and_conditions = \"4bd7",
                "gaiax_terms_and_conditions = \"zz",
            ),
            "64 hex",
        ),
        (provider.replace("legal_name", "legal_nam"), "legal_nam"),
        (
            provider.replace(
                "vat_id = \"DE123456789\"\nlei_code = \"529900T8BM49AURSDO55\"",
                "",
            ),
            "at least one registration number",
        ),
        ("[provider\n".to_owned(), "provider.toml"),
    ] {
        let err = ProviderFile::parse(&text, "provider.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{needle}: {err}");
    }

    for text in [
        "",
        "[]x",
        "{\"ComputerSystem\": 1}",
        "{\"inventory\": {\"cpu\": {}}}",
        "{\"ComputerSystem\": {\"Id\": \"x\"}}",
        "{\"cpu\": {\"model_name\": \"m\", \"architecture\": \"x86_64\", \"count\": \"many\"}, \"memory\": {\"physical_mb\": 1}}",
    ] {
        assert!(parse_host(text, "host").is_err(), "{text}");
    }
    let nb = example("inventory/netbox.json");
    let err = parse_netbox(
        &nb.replacen("\"slug\": \"fra1-dc1\"", "\"slug\": \"fra9-dc1\"", 1),
        "netbox",
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown site"), "{err}");
    let err = parse_netbox(
        "{\"sites\": [{\"slug\": \"s\", \"name\": \"S\", \"region\": {\"slug\": \"nowhere\"}}]}",
        "netbox",
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown region"), "{err}");
    assert!(parse_netbox("{\"devices\": 3}", "netbox").is_err());
}

#[test]
fn loire_mapping_of_the_example_cloud() {
    use gxa_inventory::loire::{Inventory, build};
    let provider = ProviderFile::parse(&example("provider.toml"), "provider.toml").unwrap();
    let catalog = parse_catalog(&example("inventory/openstack.json"), "openstack.json").unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inventory/hosts");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let hosts = paths
        .iter()
        .map(|p| parse_host(&read_file(p).unwrap(), "h").unwrap())
        .collect();
    let inv = Inventory {
        provider,
        flavors: catalog.flavors,
        images: catalog.images,
        hosts,
        netbox: Some(parse_netbox(&example("inventory/netbox.json"), "nb").unwrap()),
        valid_from: None,
    };
    let first = build(&inv);
    assert_eq!(first.warnings, Vec::<String>::new());
    assert_eq!(first, build(&inv), "deterministic");
    let ids: BTreeSet<String> = first
        .documents
        .iter()
        .map(|d| d.credential["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), first.documents.len(), "unique ids");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("https://cloud.example.eu/gx/"))
    );
    let vmso = first
        .documents
        .iter()
        .find(|d| d.file_name == "vm-offering.json")
        .unwrap();
    let flavors = vmso.credential["credentialSubject"]["instantiationReq"]
        .as_array()
        .unwrap();
    let bms = flavors
        .iter()
        .find(|f| f["schema:name"] == "SCS-64C-512-2x960p_bms_z4hh")
        .unwrap();
    assert!(
        bms.get("hypervisor").is_none(),
        "bare metal has no hypervisor"
    );
    assert_eq!(bms["additionalVolume"].as_array().unwrap().len(), 1);
    assert_eq!(bms["bootVolume"]["diskBusType"], "NVMe");
    assert_eq!(bms["cpu"]["pCPU"]["generation"], "Zen4");
    let images = vmso.credential["credentialSubject"]["codeArtifact"]
        .as_array()
        .unwrap();
    let arm = images
        .iter()
        .find(|i| i["schema:name"] == "Ubuntu 24.04 ARM")
        .unwrap();
    assert_eq!(arm["cpuReq"]["cpuArchitecture"], "AArch-64");
    assert_eq!(arm["buildDate"], "2026-11-02T08:15:00Z");
    assert_eq!(
        arm["ramReq"]["memorySize"]["applicableUnit"],
        "https://qudt.org/vocab/unit/MebiBYTE"
    );
    assert!(
        arm.get("hwRngTypeOfImage").is_none(),
        "hw_rng_model=virtio is not 'Unavailable'"
    );
}
