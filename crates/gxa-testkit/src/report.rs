//! Reading verification reports as JSON (`gx-attest verify --json`, `POST /verify`).

use serde_json::Value;

/// The seven checks of a report, in their order.
pub const CHECKS: [&str; 7] = [
    "syntax",
    "proof",
    "verification_method",
    "certificate_chain",
    "validity",
    "status",
    "shapes",
];

/// The entry of check `name` (e.g. `status`) in a report's `checks`.
pub fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report:#}"))
}
