//! OpenStack catalogue snapshots: Nova flavors and Glance images.
//!
//! Accepted forms, per record, so that a snapshot can be assembled from whatever tool a
//! provider has:
//! - the `openstack flavor list --long -f json` / `openstack image list --long -f json` columns
//!   (`"Name"`, `"VCPUs"`, `"RAM"`, `"Disk"`, `"Properties"` as an object or as the
//!   `key='value', …` string older clients print; `"Disk Format"`, `"Size"`, …);
//! - the API/SDK field names (`name`, `vcpus`, `ram`, `disk`, `extra_specs`,
//!   `os-flavor-access:is_public`; images with their properties at top level as Glance v2
//!   returns them, or under `properties`).
//!
//! A snapshot file is `{"flavors": [...], "images": [...]}` (either list may be absent), or a
//! bare list of flavors or of images. Units: flavor RAM MiB, disk GiB; image `min_ram` MiB,
//! `min_disk` GiB, `size` bytes (Nova/Glance API reference).
//!
//! The SCS flavor-manager YAML ([`parse_flavor_yaml`]) lists flavors under `mandatory:` /
//! `recommended:` with `name`, `cpus`, `ram` (MiB), `disk` (GiB) and `scs:*` extra specs.

use std::collections::BTreeMap;

use serde_json::Value;

use super::InputError;
use super::json::{Obj, display, invalid, kind};

/// A Nova flavor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavor {
    /// Flavor id, if the source has one.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// vCPUs.
    pub vcpus: u32,
    /// RAM in MiB.
    pub ram_mib: u64,
    /// Root disk in GiB (0: boot from volume).
    pub disk_gib: u64,
    /// Ephemeral disk in GiB.
    pub ephemeral_gib: u64,
    /// Whether every project may use it.
    pub is_public: bool,
    /// Extra specs (properties).
    pub extra_specs: BTreeMap<String, String>,
}

/// A Glance image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Image id, if the source has one.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// `disk_format` (raw, qcow2, …).
    pub disk_format: Option<String>,
    /// Size of the image file in bytes.
    pub size_bytes: Option<u64>,
    /// `min_disk` in GiB.
    pub min_disk_gib: u64,
    /// `min_ram` in MiB.
    pub min_ram_mib: u64,
    /// `visibility` (public, private, shared, community).
    pub visibility: Option<String>,
    /// `os_hidden`.
    pub hidden: bool,
    /// Every other property (scs-0102 metadata, `hw_*`, `os_hash_*`, …) as a string.
    pub properties: BTreeMap<String, String>,
}

/// Flavors and images of one cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Flavors.
    pub flavors: Vec<Flavor>,
    /// Images.
    pub images: Vec<Image>,
}

/// Parses a snapshot (see the module documentation). `what` names it in errors.
pub fn parse_catalog(text: &str, what: &str) -> Result<Catalog, InputError> {
    let value: Value = super::strict::parse_json(text).map_err(|source| InputError::Json {
        what: what.to_owned(),
        source,
    })?;
    let mut catalog = Catalog::default();
    match &value {
        Value::Object(_) => {
            let top = Obj::new(what, "$".into(), &value)?;
            for (i, f) in top.opt_array(&["flavors", "Flavors"])?.iter().enumerate() {
                catalog
                    .flavors
                    .push(parse_flavor(&Obj::new(what, format!("flavors[{i}]"), f)?)?);
            }
            for (i, f) in top.opt_array(&["images", "Images"])?.iter().enumerate() {
                catalog
                    .images
                    .push(parse_image(&Obj::new(what, format!("images[{i}]"), f)?)?);
            }
        }
        Value::Array(items) => {
            let is_flavor = |v: &Value| v.get("vcpus").or_else(|| v.get("VCPUs")).is_some();
            for (i, item) in items.iter().enumerate() {
                if is_flavor(item) {
                    catalog
                        .flavors
                        .push(parse_flavor(&Obj::new(what, format!("[{i}]"), item)?)?);
                } else {
                    catalog
                        .images
                        .push(parse_image(&Obj::new(what, format!("[{i}]"), item)?)?);
                }
            }
        }
        other => {
            return Err(invalid(
                what,
                "$",
                format!("expected an object or an array, found {}", kind(other)),
            ));
        }
    }
    Ok(catalog)
}

fn u32_field(o: &Obj<'_>, keys: &[&str]) -> Result<u32, InputError> {
    let n = o.u64(keys)?;
    u32::try_from(n).map_err(|_| o.err(keys.first().copied().unwrap_or("?"), "too large"))
}

fn parse_flavor(o: &Obj<'_>) -> Result<Flavor, InputError> {
    let name = o.str(&["name", "Name"])?.to_owned();
    let mut extra_specs = BTreeMap::new();
    match o.get(&["extra_specs", "Properties", "properties"]) {
        None => {}
        Some((_, Value::Object(map))) => {
            for (k, v) in map {
                extra_specs.insert(k.clone(), display(v));
            }
        }
        Some((k, Value::String(s))) => {
            extra_specs = parse_properties_string(s)
                .ok_or_else(|| o.err(k, "expected key='value' pairs separated by \", \""))?;
        }
        Some((k, other)) => {
            return Err(o.err(k, format!("expected an object, found {}", kind(other))));
        }
    }
    Ok(Flavor {
        id: o.opt_str(&["id", "ID"])?.map(str::to_owned),
        name,
        description: o
            .opt_str(&["description", "Description"])?
            .map(str::to_owned),
        vcpus: u32_field(o, &["vcpus", "VCPUs"])?,
        ram_mib: o.u64(&["ram", "RAM"])?,
        disk_gib: o.opt_u64(&["disk", "Disk"])?.unwrap_or(0),
        ephemeral_gib: o
            .opt_u64(&["OS-FLV-EXT-DATA:ephemeral", "ephemeral", "Ephemeral"])?
            .unwrap_or(0),
        is_public: o
            .opt_bool(&["os-flavor-access:is_public", "is_public", "Is Public"])?
            .unwrap_or(true),
        extra_specs,
    })
}

/// `a='1', b='x y'` as older python-openstackclient versions print properties.
fn parse_properties_string(s: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("='")?;
        let end = after.find("', ").unwrap_or(after.strip_suffix('\'')?.len());
        out.insert(key.trim().to_owned(), after.get(..end)?.to_owned());
        rest = after.get(end + 1..)?.trim_start_matches(',').trim_start();
    }
    Some(out)
}

const IMAGE_FIELDS: &[&str] = &[
    "id",
    "ID",
    "name",
    "Name",
    "disk_format",
    "Disk Format",
    "size",
    "Size",
    "min_disk",
    "min_ram",
    "visibility",
    "Visibility",
    "os_hidden",
    "properties",
    "Properties",
];

fn parse_image(o: &Obj<'_>) -> Result<Image, InputError> {
    let mut properties = BTreeMap::new();
    for (k, v) in o.map {
        if !IMAGE_FIELDS.contains(&k.as_str()) && !v.is_null() {
            properties.insert(k.clone(), display(v));
        }
    }
    if let Some(props) = o.opt_obj(&["properties", "Properties"])? {
        for (k, v) in props.map {
            if !v.is_null() {
                properties.insert(k.clone(), display(v));
            }
        }
    }
    // In the properties map, min_disk/min_ram may repeat what the top level says.
    let min_disk_gib = o.opt_u64(&["min_disk"])?.unwrap_or(0);
    let min_ram_mib = o.opt_u64(&["min_ram"])?.unwrap_or(0);
    Ok(Image {
        id: o.opt_str(&["id", "ID"])?.map(str::to_owned),
        name: o.str(&["name", "Name"])?.to_owned(),
        disk_format: o
            .opt_str(&["disk_format", "Disk Format"])?
            .map(str::to_owned),
        size_bytes: o.opt_u64(&["size", "Size"])?,
        min_disk_gib,
        min_ram_mib,
        visibility: o.opt_str(&["visibility", "Visibility"])?.map(str::to_owned),
        hidden: o.opt_bool(&["os_hidden"])?.unwrap_or(false),
        properties,
    })
}

/// Parses the SCS flavor-manager YAML (`SCS-Spec.MandatoryFlavors.verbose.yaml` shape).
pub fn parse_flavor_yaml(text: &str, what: &str) -> Result<Vec<Flavor>, InputError> {
    let value: Value = serde_norway::from_str(text).map_err(|source| InputError::Yaml {
        what: what.to_owned(),
        source,
    })?;
    let top = Obj::new(what, "$".into(), &value)?;
    let mut out = Vec::new();
    for section in ["mandatory", "recommended"] {
        for (i, item) in top.opt_array(&[section])?.iter().enumerate() {
            let o = Obj::new(what, format!("{section}[{i}]"), item)?;
            let mut extra_specs = BTreeMap::new();
            for (k, v) in o.map {
                if k.starts_with("scs:") || k.starts_with("hw:") || k.starts_with("hw_rng:") {
                    extra_specs.insert(k.clone(), display(v));
                }
            }
            out.push(Flavor {
                id: None,
                name: o.str(&["name"])?.to_owned(),
                description: o.opt_str(&["description"])?.map(str::to_owned),
                vcpus: u32_field(&o, &["cpus"])?,
                ram_mib: o.u64(&["ram"])?,
                disk_gib: o.opt_u64(&["disk"])?.unwrap_or(0),
                ephemeral_gib: 0,
                is_public: o.opt_bool(&["public"])?.unwrap_or(true),
                extra_specs,
            });
        }
    }
    if out.is_empty() {
        return Err(invalid(
            what,
            "$",
            "no flavors under \"mandatory\" or \"recommended\"".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_columns_and_properties_string() {
        let text = r#"[{"ID": "1", "Name": "SCS-2V-4", "RAM": 4096, "Disk": 0, "Ephemeral": 0,
            "VCPUs": 2, "Is Public": true, "Properties": "scs:cpu-type='shared-core', scs:name-v2='SCS-2V-4'"}]"#;
        let c = parse_catalog(text, "t").unwrap();
        assert_eq!(c.flavors.len(), 1);
        assert_eq!(c.flavors[0].extra_specs["scs:cpu-type"], "shared-core");
        assert_eq!(c.flavors[0].extra_specs["scs:name-v2"], "SCS-2V-4");
        assert_eq!(c.flavors[0].ram_mib, 4096);
    }

    #[test]
    fn sdk_form_with_image_properties() {
        let text = r#"{"flavors": [{"name": "x", "vcpus": 1, "ram": 512, "disk": 5,
              "extra_specs": {"hw_rng:allowed": true}}],
            "images": [{"id": "i", "name": "Ubuntu 24.04", "disk_format": "qcow2", "size": 2147483648,
              "min_disk": 8, "min_ram": 512, "os_distro": "ubuntu", "os_version": "24.04",
              "properties": {"hw_rng_model": "virtio"}}]}"#;
        let c = parse_catalog(text, "t").unwrap();
        assert_eq!(c.flavors[0].extra_specs["hw_rng:allowed"], "true");
        let i = &c.images[0];
        assert_eq!(
            (i.min_disk_gib, i.min_ram_mib, i.size_bytes),
            (8, 512, Some(2147483648))
        );
        assert_eq!(i.properties["os_distro"], "ubuntu");
        assert_eq!(i.properties["hw_rng_model"], "virtio");
    }

    #[test]
    fn malformed_inputs_are_typed_errors() {
        for (text, needle) in [
            ("{", "not valid JSON"),
            ("42", "expected an object or an array"),
            (
                r#"{"flavors": [{"name": "x", "vcpus": -1, "ram": 1}]}"#,
                "flavors[0].vcpus",
            ),
            (
                r#"{"flavors": [{"name": "x", "vcpus": 1}]}"#,
                "flavors[0].ram: missing",
            ),
            (
                r#"{"flavors": [{"vcpus": 1, "ram": 1}]}"#,
                "flavors[0].name: missing",
            ),
            (
                r#"{"flavors": [{"name": "x", "vcpus": 1, "ram": 1, "Properties": "garbage"}]}"#,
                "Properties",
            ),
            (
                r#"{"images": [{"name": "x", "min_disk": "ten"}]}"#,
                "images[0].min_disk",
            ),
            (r#"{"images": "x"}"#, "expected an array"),
        ] {
            let err = parse_catalog(text, "snap").unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn flavor_manager_yaml_from_the_standard() {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/scs-data/standards/SCS-Spec.MandatoryFlavors.verbose.yaml"
        ));
        let flavors = parse_flavor_yaml(text, "yaml").unwrap();
        assert!(flavors.len() >= 15, "{}", flavors.len());
        let f = flavors.iter().find(|f| f.name == "SCS-4V-16-100s").unwrap();
        assert_eq!((f.vcpus, f.ram_mib, f.disk_gib), (4, 16384, 100));
        assert_eq!(f.extra_specs["scs:disk0-type"], "ssd");
        assert!(
            parse_flavor_yaml("mandatory: [{name: x}]", "y")
                .unwrap_err()
                .to_string()
                .contains("cpus")
        );
        assert!(parse_flavor_yaml(": :", "y").is_err());
    }
}
