//! `gx-attest scs flavor-name`, `inventory build` and `validate` end to end.

use serde_json::Value;

use super::gx_attest;

#[test]
fn flavor_name_parse_json_decodes_every_component() {
    let out = gx_attest()
        .args([
            "scs",
            "flavor-name",
            "parse",
            "SCS-2V-8_chy_hwv_z4h_gNl-24-16_ib",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["short"], "SCS-2V-8_gNl-24-16_ib");
    assert_eq!(v["v1"], "SCS-2V:8-chy-hwv-z4h-gNl:24:16-ib");
    assert_eq!(v["cpuBrand"]["generationName"], "Zen4");
    assert_eq!(v["gpu"]["computeUnits"], 24);
    assert_eq!(v["extraSpecs"]["scs:name-v4"], "SCS-2V-8_gNl-24-16_ib");
}

#[test]
fn flavor_name_parse_text_and_invalid_name() {
    let out = gx_attest()
        .args(["scs", "flavor-name", "parse", "SCS-16V-64-500s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("16 vCPUs, shared-core"), "{text}");
    assert!(text.contains("1 x 500 GB (ssd)"), "{text}");

    let out = gx_attest()
        .args(["scs", "flavor-name", "parse", "SCS-2C-4ou-10n"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"u-10n\""));

    let out = gx_attest()
        .args(["scs", "flavor-name", "parse", "SCS-2V:4", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error"].as_str().unwrap().contains("main part"));
}

#[test]
fn flavor_name_generate() {
    let out = gx_attest()
        .args([
            "scs",
            "flavor-name",
            "generate",
            "--cpus",
            "16",
            "--cpu-type",
            "T",
            "--ram",
            "64",
            "--disk",
            "200",
            "--disk-type",
            "s",
            "--gpu",
            "G",
            "--gpu-vendor",
            "N",
            "--gpu-gen",
            "a",
            "--gpu-cu",
            "72",
            "--gpu-vram",
            "24",
            "--ib",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "SCS-16T-64-200s_GNa-72-24_ib\n"
    );

    let out = gx_attest()
        .args([
            "scs",
            "flavor-name",
            "generate",
            "--cpus",
            "1",
            "--cpu-type",
            "V",
            "--ram",
            "0.5",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "SCS-1V-0.5\n");

    // Not expressible: a quarter GiB, VRAM without compute units, unknown letters.
    for bad in [
        &["--cpus", "1", "--cpu-type", "V", "--ram", "0.25"][..],
        &[
            "--cpus",
            "1",
            "--cpu-type",
            "V",
            "--ram",
            "1",
            "--gpu",
            "G",
            "--gpu-vendor",
            "N",
            "--gpu-vram",
            "8",
        ],
        &["--cpus", "1", "--cpu-type", "X", "--ram", "1"],
        &["--cpus", "0", "--cpu-type", "V", "--ram", "1"],
    ] {
        let out = gx_attest()
            .args(["scs", "flavor-name", "generate"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error"),
            "{bad:?}"
        );
    }
}

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const OWN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/gaiax-data/examples-own"
);

#[allow(clippy::unwrap_used)] // test helper
fn build_example(out: &std::path::Path) -> std::process::Output {
    build_example_in(out, "loire")
}

#[allow(clippy::unwrap_used)] // test helper
fn build_example_in(out: &std::path::Path, profile: &str) -> std::process::Output {
    build_example_with(out, profile, &format!("{ROOT}/examples/provider.toml"))
}

#[allow(clippy::unwrap_used)] // test helper
fn build_example_with(
    out: &std::path::Path,
    profile: &str,
    provider: &str,
) -> std::process::Output {
    let ex = format!("{ROOT}/examples");
    let mut cmd = gx_attest();
    cmd.args(["inventory", "build", "--profile", profile, "--provider"])
        .arg(provider)
        .arg("--openstack")
        .arg(format!("{ex}/inventory/openstack.json"))
        .arg("--flavor-yaml")
        .arg(format!("{ex}/inventory/flavors.yaml"))
        .arg("--netbox")
        .arg(format!("{ex}/inventory/netbox.json"))
        .arg("--out")
        .arg(out);
    let mut hosts: Vec<_> = std::fs::read_dir(format!("{ex}/inventory/hosts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    hosts.sort();
    for h in hosts {
        cmd.arg("--ironic").arg(h);
    }
    cmd.output().unwrap()
}

#[allow(clippy::unwrap_used)] // test helper
fn json_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn example_cloud_builds_validates_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let out = build_example(dir);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary = String::from_utf8(out.stdout).unwrap();
        // The flavor-manager YAML repeats four standard flavors of the snapshot: the only warnings.
        assert!(
            summary.contains("16 credential(s), 4 warning(s)"),
            "{summary}"
        );
        assert_eq!(
            summary
                .lines()
                .filter(|l| l.starts_with("warning:"))
                .count(),
            4,
            "{summary}"
        );
        assert!(
            summary.contains("warning: flavor SCS-2V-4-20s: listed twice"),
            "{summary}"
        );
    }
    let files = json_files(&a);
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "legal-person.json",
        "lrn-vat.json",
        "lrn-lei.json",
        "issuer.json",
        "vm-offering.json",
        "region-fra1.json",
        "region-ber1.json",
        "datacenter-fra1-dc1.json",
        "az-fra1-a.json",
        "az-fra1-b.json",
        "az-ber1-c.json",
        "host-baremetal-ber1-c-01.json",
        "host-gpu-ber1-c-01.json",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let vmso: Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("vm-offering.json")).unwrap())
            .unwrap();
    let subject = &vmso["credentialSubject"];
    assert_eq!(subject["instantiationReq"].as_array().unwrap().len(), 22);
    assert_eq!(subject["codeArtifact"].as_array().unwrap().len(), 10);
    let gpu = subject["instantiationReq"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["schema:name"] == "SCS-16T-64-200s_GNa-72-24_ib")
        .unwrap();
    assert_eq!(gpu["gpu"]["gpuProcessingUnits"], 72);
    assert_eq!(
        gpu["memory"]["memory"]["memorySize"]["applicableUnit"],
        "https://qudt.org/vocab/unit/GibiBYTE"
    );

    // Same canonical hashes on both runs (RDFC-1.0 through gxa-jsonld).
    let hashes = |dir: &std::path::Path| canonical_hashes(&json_files(dir));
    let (ha, hb) = (hashes(&a), hashes(&b));
    assert_eq!(ha.len(), files.len());
    assert_eq!(ha, hb);

    // Every output conforms to the Loire shapes, validated together.
    let out = gx_attest()
        .args(["validate", "--profile", "loire"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("0 violation(s)"), "{text}");

    // A broken variant: an enum value the shapes do not allow.
    let broken = std::fs::read_to_string(a.join("vm-offering.json"))
        .unwrap()
        .replace("\"QCOW2\"", "\"qcow2\"");
    std::fs::write(a.join("vm-offering.json"), broken).unwrap();
    let out = gx_attest()
        .args(["validate", "--profile", "loire"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("vmImageDiskFormat")
            && text.contains("qcow2")
            && text.contains("#image-Ubuntu_24.04"),
        "{text}"
    );
}

/// A country company number in provider.toml becomes a gx:CountryCompanyNumber credential the
/// legal person references, conforming to the Loire shapes; a country that is no ISO code is
/// refused naming the setting.
#[test]
fn country_company_number_in_the_provider() {
    let tmp = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(format!("{ROOT}/examples/provider.toml")).unwrap();
    let line = "# country_company_number = { country_code = \"DE\", qualifier = \"HRB\", number = \"123456 B\" }";
    assert!(example.contains(line), "the example shows the setting");
    let provider = tmp.path().join("provider.toml");
    std::fs::write(&provider, example.replace(line, &line[2..])).unwrap();
    let out_dir = tmp.path().join("out");
    let out = build_example_with(&out_dir, "loire", provider.to_str().unwrap());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ccn: Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("lrn-country-company-number.json")).unwrap(),
    )
    .unwrap();
    let subject = &ccn["credentialSubject"];
    assert_eq!(subject["type"], "gx:CountryCompanyNumber");
    assert_eq!(subject["gx:countryCompanyNumber"], "123456 B");
    assert_eq!(subject["gx:companyNumberQualifier"], "HRB");
    assert_eq!(subject["gx:countryCode"], "DE");
    let person: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("legal-person.json")).unwrap())
            .unwrap();
    assert!(
        person["credentialSubject"]["registrationNumber"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == subject["id"]),
        "{person}"
    );
    let out = gx_attest()
        .args(["validate", "--profile", "loire"])
        .args(json_files(&out_dir))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0 violation(s)"), "{text}");

    std::fs::write(
        &provider,
        example.replace(line, &line[2..].replace("\"DE\"", "\"Germany\"")),
    )
    .unwrap();
    let out = build_example_with(&tmp.path().join("bad"), "loire", provider.to_str().unwrap());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("provider.registration_numbers.country_company_number.country_code"),
        "{stderr}"
    );
}

#[test]
fn validate_shared_examples_and_broken_variants() {
    let files = [
        "legal-person",
        "vat-id-lrn",
        "issuer-tandc",
        "vm-service-offering",
    ]
    .map(|f| format!("{OWN}/{f}.unsigned.json"));
    let out = gx_attest().arg("validate").args(&files).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let tmp = tempfile::tempdir().unwrap();
    let lp = std::fs::read_to_string(&files[0]).unwrap();
    let mut v: Value = serde_json::from_str(&lp).unwrap();
    v["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("headquartersAddress");
    let broken = tmp.path().join("lp.json");
    std::fs::write(&broken, v.to_string()).unwrap();
    let out = gx_attest()
        .arg("validate")
        .arg(&broken)
        .args(&files[1..])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines().any(|l| l
            .contains("focus node <https://cloud.example.eu/gx/legal-person.json#cs>")
            && l.contains("headquartersAddress")
            && l.contains("shape")
            && l.contains("MinCount")),
        "{text}"
    );

    // Errors: unreadable file, not JSON, unknown profile.
    let out = gx_attest()
        .args(["validate", "/nonexistent.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = gx_attest()
        .args(["validate", "--profile", "loire2"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn inventory_build_errors_are_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = format!("{ROOT}/examples");
    let run = |extra: &[&str]| {
        gx_attest()
            .args([
                "inventory",
                "build",
                "--provider",
                &format!("{ex}/provider.toml"),
                "--out",
            ])
            .arg(tmp.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[
        "--profile",
        "loire",
        "--sign",
        "--key",
        "/nonexistent/k.pem",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot use key"));
    let bad = tmp.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"flavors": [{"name": "SCS-2V-4", "vcpus": "two", "ram": 4096}]}"#,
    )
    .unwrap();
    let out = run(&["--profile", "loire", "--openstack", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("flavors[0].vcpus"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An inconsistent flavor is a warning in the summary, not an error.
    std::fs::write(
        &bad,
        r#"{"flavors": [{"name": "SCS-4V-16", "vcpus": 2, "ram": 16384,
        "extra_specs": {"scs:cpu-type": "shared-core"}}]}"#,
    )
    .unwrap();
    let out = run(&["--profile", "loire", "--openstack", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("warning: flavor SCS-4V-16: [vcpus]"),
        "{text}"
    );
}

/// The example provider's legal documents, further claims and datacenter figures go into the
/// Loire credentials and show what Standard Compliance (its `compliance_level`) and Label 1
/// need; without them the build refuses (exit 1, nothing written), naming each criterion the
/// level misses, with the level.
#[test]
fn compliance_level_names_every_missing_criterion() {
    let tmp = tempfile::tempdir().unwrap();
    let out = build_example(&tmp.path().join("plain"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vmso: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("plain/vm-offering.json")).unwrap(),
    )
    .unwrap();
    let subject = &vmso["credentialSubject"];
    let documents = subject["legalDocuments"].as_array().unwrap();
    assert_eq!(documents.len(), 27);
    let act = documents
        .iter()
        .find(|d| d["type"] == "gx:LegallyBindingAct")
        .unwrap();
    assert_eq!(act["governingLawCountries"], serde_json::json!(["DE"]));
    assert_eq!(act["involvedParties"], subject["providedBy"]["id"]);
    assert_eq!(subject["subContractors"][0]["type"], "gx:SubContractor");
    assert_eq!(
        subject["possiblePersonalDataTransfers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let ex = format!("{ROOT}/examples");
    let provider = std::fs::read_to_string(format!("{ex}/provider.toml")).unwrap();
    assert!(provider.contains("\ncompliance_level = \"SC\"\n"));
    let run = |provider_text: &str, out: &str| {
        let path = tmp.path().join(format!("{out}.toml"));
        std::fs::write(&path, provider_text).unwrap();
        let mut cmd = gx_attest();
        cmd.args(["inventory", "build", "--profile", "loire", "--provider"])
            .arg(&path)
            .arg("--openstack")
            .arg(format!("{ex}/inventory/openstack.json"))
            .arg("--netbox")
            .arg(format!("{ex}/inventory/netbox.json"))
            .arg("--out")
            .arg(tmp.path().join(out));
        cmd.output().unwrap()
    };
    let standard = provider.clone();
    let label1 = provider.replace("compliance_level = \"SC\"", "compliance_level = \"L1\"");
    // Without the further claims: the criteria they show are missing.
    let no_claims = standard
        .split("[[offering.claims]]")
        .next()
        .unwrap()
        .to_owned()
        + &standard[standard.find("[[offering.data_account_export]]").unwrap()..];
    let out = run(&no_claims, "no-claims");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !tmp.path().join("no-claims/vm-offering.json").exists(),
        "nothing written"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("criterion P1.2.6 (Standard Compliance needs a declaration:")
            && stderr.contains("no gx:SubContractor node"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no claim states gx:cryptographicSecurityStandards"),
        "{stderr}"
    );
    // Shown by the documents or declared by the provider: not listed.
    for held in ["P1.1.1", "P1.1.2", "P1.1.3", "P1.2.1", "P3.1.1"] {
        assert!(
            !stderr.contains(&format!("criterion {held} ")),
            "{held}: {stderr}"
        );
    }
    // Without the documents, their criteria are listed too.
    let start = no_claims.find("legal_documents = [").unwrap();
    let end = start + no_claims[start..].find("\n]\n").unwrap() + 3;
    let bare = format!("{}{}", &no_claims[..start], &no_claims[end..]);
    let out = run(&bare, "bare");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("criterion P1.1.1 (Standard Compliance needs a declaration")
            && stderr.contains("no gx:LegallyBindingAct node"),
        "{stderr}"
    );
    // The example reaches Label 1; without its datacenters' figures, the sustainability
    // criteria are missing; Label 2 asks for certifications no claim shows.
    let out = run(&label1, "l1");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let no_figures = &label1[..label1.find("[sustainability.default]").unwrap()];
    let out = run(no_figures, "l1-no-figures");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (criterion, class) in [
        ("P6.1.2", "gx:EnergyUsageEfficiency"),
        ("P6.1.3", "gx:EnergyMix"),
        ("P6.1.4", "gx:WaterUsageEffectiveness"),
    ] {
        assert!(
            stderr.contains(&format!(
                "criterion {criterion} (Label 1 needs a declaration"
            )) && stderr.contains(&format!("no {class} node")),
            "{criterion}: {stderr}"
        );
    }
    let out = run(
        &provider.replace("compliance_level = \"SC\"", "compliance_level = \"L2\""),
        "l2",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(Label 2 needs a certification"));
    // A level of its own kind, or a property the offering has not: refused when read.
    let out = run(
        &provider.replace("compliance_level = \"SC\"", "compliance_level = \"L9\""),
        "l9",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offering.compliance_level"));
    let out = run(
        &provider.replacen(
            "property = \"subContractors\"",
            "property = \"nonsense\"",
            1,
        ),
        "prop",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("offering.claims[0].property"));
}

#[test]
fn example_cloud_in_tagus_validates_and_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let out = build_example_in(dir, "tagus");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary = String::from_utf8(out.stdout).unwrap();
        assert!(
            summary.contains("3 credential(s), 0 warning(s), profile tagus"),
            "{summary}"
        );
    }
    let files = json_files(&a);
    let hash = |files: Vec<std::path::PathBuf>| canonical_hashes(&files);
    assert_eq!(hash(json_files(&a)), hash(json_files(&b)));
    let out = gx_attest()
        .args(["validate", "--profile", "tagus"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Broken: the legal participant without its headquarters address.
    let lp = a.join("tagus-legal-participant.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&lp).unwrap()).unwrap();
    v["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("gx:headquarterAddress");
    std::fs::write(&lp, v.to_string()).unwrap();
    let out = gx_attest()
        .args(["validate", "--profile", "tagus"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("headquarterAddress") && text.contains("tagus/legal-participant.json#cs"),
        "{text}"
    );
}

#[test]
fn inventory_build_signs_and_the_signatures_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let out = gx_attest()
        .args([
            "keys",
            "generate",
            "--alg",
            "PS256",
            "--did",
            "did:web:cloud.example.eu",
            "--out",
        ])
        .arg(&keys)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let did_json = keys.join("did.json");
    let ex = format!("{ROOT}/examples");
    for profile in ["loire", "tagus"] {
        let dir = tmp.path().join(profile);
        let out = gx_attest()
            .args(["inventory", "build", "--profile", profile, "--provider"])
            .arg(format!("{ex}/provider.toml"))
            .args(["--valid-from", "2026-11-25T00:00:00Z", "--sign", "--key"])
            .arg(&keys)
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains(", signed"));
        let signed: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.to_string_lossy().ends_with(".jwt")
                    || p.to_string_lossy().ends_with(".signed.json")
            })
            .collect();
        assert!(!signed.is_empty(), "{profile}");
        for file in signed {
            let out = gx_attest()
                .args(["verify", "--at", "2026-11-26T00:00:00Z", "--did-document"])
                .arg(&did_json)
                .arg(&file)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}{}",
                file.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // A key of another DID is refused.
    let other = tmp.path().join("other");
    let out = gx_attest()
        .args([
            "keys",
            "generate",
            "--alg",
            "EdDSA",
            "--did",
            "did:web:other.example",
            "--out",
        ])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = gx_attest()
        .args(["inventory", "build", "--profile", "loire", "--provider"])
        .arg(format!("{ex}/provider.toml"))
        .args(["--sign", "--key"])
        .arg(&other)
        .arg("--out")
        .arg(tmp.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a key of the provider's DID"));
}

/// The SHA-256 of each file's canonical N-Quads, via `gx-attest canonicalize --hash`.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a failure is the test failing"
)]
fn canonical_hashes(files: &[std::path::PathBuf]) -> Vec<String> {
    let out = gx_attest()
        .args(["canonicalize", "--hash"])
        .args(files)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}
