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
