//! NetBox DCIM export: `{"regions": …, "sites": …, "devices": …}`, each either the list of
//! objects or the API's paginated page `{"count", "results": [...]}` (`GET /api/dcim/regions/`,
//! `/api/dcim/sites/`, `/api/dcim/devices/`). Availability zones are not a NetBox object: they
//! are read from a site's custom field `availability_zones` (list of names) and a device's
//! custom field `availability_zone`.

use serde_json::Value;

use super::InputError;
use super::json::{Obj, invalid};

/// A NetBox region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Slug (stable key).
    pub slug: String,
    /// Name.
    pub name: String,
    /// Parent region's slug.
    pub parent: Option<String>,
}

/// A NetBox site (a datacenter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Region slug.
    pub region: Option<String>,
    /// Free-text physical address (NetBox `physical_address`).
    pub physical_address: Option<String>,
    /// ISO 3166-1 country code (custom field `country_code`), needed for `gx:Address`.
    pub country_code: Option<String>,
    /// Availability zones declared on the site.
    pub availability_zones: Vec<String>,
}

/// A NetBox device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Name.
    pub name: String,
    /// Site slug.
    pub site: String,
    /// Serial.
    pub serial: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Role slug.
    pub role: Option<String>,
    /// Availability zone (custom field).
    pub availability_zone: Option<String>,
}

/// The parsed export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetBox {
    /// Regions.
    pub regions: Vec<Region>,
    /// Sites.
    pub sites: Vec<Site>,
    /// Devices.
    pub devices: Vec<Device>,
}

fn list<'a>(top: &Obj<'a>, key: &str) -> Result<Vec<(String, &'a Value)>, InputError> {
    let items: &[Value] = match top.get(&[key]) {
        None => &[],
        Some((_, Value::Array(a))) => a,
        Some((_, v @ Value::Object(_))) => {
            let page = Obj::new(top.what, key.to_owned(), v)?;
            page.opt_array(&["results"])?
        }
        Some((_, _)) => return Err(top.err(key, "expected a list or a page with \"results\"")),
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("{key}[{i}]"), v))
        .collect())
}

/// The slug of a nested reference (`{"slug": …}`) or a plain string.
fn slug(o: &Obj<'_>, key: &str) -> Result<Option<String>, InputError> {
    match o.get(&[key]) {
        None => Ok(None),
        Some((_, Value::String(s))) => Ok(Some(s.clone())),
        Some((_, v @ Value::Object(_))) => {
            let r = Obj::new(o.what, format!("{}.{key}", o.at), v)?;
            Ok(Some(r.str(&["slug", "name"])?.to_owned()))
        }
        Some((k, _)) => Err(o.err(k, "expected a string or an object with a slug")),
    }
}

/// Parses the export.
pub fn parse_netbox(text: &str, what: &str) -> Result<NetBox, InputError> {
    let value: Value = super::strict::parse_json(text).map_err(|source| InputError::Json {
        what: what.to_owned(),
        source,
    })?;
    let top = Obj::new(what, "$".into(), &value)?;
    let mut nb = NetBox::default();
    for (at, v) in list(&top, "regions")? {
        let o = Obj::new(what, at, v)?;
        nb.regions.push(Region {
            slug: o.str(&["slug"])?.to_owned(),
            name: o.str(&["name"])?.to_owned(),
            parent: slug(&o, "parent")?,
        });
    }
    for (at, v) in list(&top, "sites")? {
        let o = Obj::new(what, at, v)?;
        let custom = o.opt_obj(&["custom_fields"])?;
        let (country_code, availability_zones) = match &custom {
            None => (None, Vec::new()),
            Some(c) => (
                c.opt_str(&["country_code"])?.map(str::to_owned),
                c.opt_array(&["availability_zones"])?
                    .iter()
                    .map(|z| {
                        z.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| c.err("availability_zones", "expected strings"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        nb.sites.push(Site {
            slug: o.str(&["slug"])?.to_owned(),
            name: o.str(&["name"])?.to_owned(),
            region: slug(&o, "region")?,
            physical_address: o
                .opt_str(&["physical_address"])?
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            country_code,
            availability_zones,
        });
    }
    for (at, v) in list(&top, "devices")? {
        let o = Obj::new(what, at, v)?;
        let device_type = o.opt_obj(&["device_type"])?;
        let manufacturer = match &device_type {
            Some(dt) => slug(dt, "manufacturer")?,
            None => None,
        };
        let custom = o.opt_obj(&["custom_fields"])?;
        nb.devices.push(Device {
            name: o.str(&["name"])?.to_owned(),
            site: slug(&o, "site")?.ok_or_else(|| o.err("site", "missing"))?,
            serial: o
                .opt_str(&["serial"])?
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            manufacturer,
            model: device_type
                .as_ref()
                .map(|dt| dt.opt_str(&["model"]))
                .transpose()?
                .flatten()
                .map(str::to_owned),
            role: slug(&o, "role")?.or(slug(&o, "device_role")?),
            availability_zone: custom
                .as_ref()
                .map(|c| c.opt_str(&["availability_zone"]))
                .transpose()?
                .flatten()
                .map(str::to_owned),
        });
    }
    // Referential checks: a dangling reference is an error, not a silently empty location.
    for s in &nb.sites {
        if let Some(r) = &s.region
            && !nb.regions.iter().any(|x| &x.slug == r)
        {
            return Err(invalid(
                what,
                &format!("sites[{}].region", s.slug),
                format!("unknown region {r:?}"),
            ));
        }
    }
    for d in &nb.devices {
        if !nb.sites.iter().any(|s| s.slug == d.site) {
            return Err(invalid(
                what,
                &format!("devices[{}].site", d.name),
                format!("unknown site {:?}", d.site),
            ));
        }
    }
    Ok(nb)
}
