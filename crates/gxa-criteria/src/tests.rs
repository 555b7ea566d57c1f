#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use serde_json::json;

use super::*;

fn table() -> &'static Criteria {
    Criteria::pinned().unwrap()
}

#[test]
fn the_table_parses_and_matches_its_header_counts() {
    let t = table();
    assert_eq!(t.all().len(), 63);
    let count =
        |level: Level, r: Requirement| t.all().iter().filter(|c| c.requirement(level) == r).count();
    use Requirement::{Certification as C, Declaration as D};
    assert_eq!(
        (
            count(Level::StandardCompliance, D),
            count(Level::StandardCompliance, C)
        ),
        (47, 0)
    );
    assert_eq!((count(Level::Label1, D), count(Level::Label1, C)), (53, 0));
    assert_eq!((count(Level::Label2, D), count(Level::Label2, C)), (19, 35));
    assert_eq!((count(Level::Label3, D), count(Level::Label3, C)), (17, 40));
    let mut ids: Vec<&str> = t.all().iter().map(|c| c.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 63, "ids are unique and in order");
    assert!(
        t.all()
            .iter()
            .all(|c| c.url.ends_with(&format!("#{}", c.id)))
    );
}

#[test]
fn every_evidence_class_is_in_the_ontology() {
    let ontology = Ontology::pinned();
    assert!(ontology.classes.len() > 300, "{}", ontology.classes.len());
    for c in table().all() {
        for class in &c.evidence {
            assert!(ontology.classes.contains(class), "{}: {class}", c.id);
        }
    }
}

#[test]
fn subclasses_count_as_their_superclass() {
    let ontology = Ontology::pinned();
    assert!(ontology.is_subclass("gx:CustomerDataAccessTerms", "gx:LegalDocument"));
    assert!(ontology.is_subclass("gx:VirtualMachineServiceOffering", "gx:ServiceOffering"));
    assert!(!ontology.is_subclass("gx:LegalDocument", "gx:CustomerDataAccessTerms"));
    let evidence =
        Evidence::of_documents([&json!({"type": "gx:VirtualMachineServiceOffering"})], []);
    assert!(evidence.has_class("gx:ServiceOffering"));
}

#[test]
fn levels_parse_in_both_spellings() {
    assert_eq!("SC".parse::<Level>().unwrap(), Level::StandardCompliance);
    assert_eq!("l2".parse::<Level>().unwrap(), Level::Label2);
    assert_eq!("label-level-3".parse::<Level>().unwrap(), Level::Label3);
    assert!("L4".parse::<Level>().is_err());
}

/// Each kind of rule: a class, a legal-document property, a provider declaration, and a
/// certification, each refusal naming the criterion and the level.
#[test]
fn each_kind_of_rule_names_the_criterion_and_level() {
    let t = table();
    let bare = Evidence::of_documents([&json!({"type": "gx:ServiceOffering"})], []);
    let missing = t.missing(Level::StandardCompliance, &bare);
    let p111 = missing.iter().find(|m| m.criterion == "P1.1.1").unwrap();
    assert_eq!(
        p111.to_string(),
        "criterion P1.1.1 (Standard Compliance needs a declaration: Offer a documented legally binding act (contract) for the service): no gx:LegallyBindingAct node"
    );
    assert!(
        missing
            .iter()
            .any(|m| m.criterion == "P1.1.2" && m.missing.contains("gx:governingLawCountries"))
    );
    assert!(
        missing
            .iter()
            .any(|m| m.criterion == "P1.2.1" && m.missing.contains("declared_criteria"))
    );
    assert!(
        !missing.iter().any(|m| m.criterion == "P1.1.4"),
        "the offering itself"
    );

    let offering = json!({
        "type": "gx:VirtualMachineServiceOffering",
        "legalDocuments": [
            {"type": "gx:LegallyBindingAct", "url": "https://c.example/act.pdf",
             "governingLawCountries": ["DE"], "involvedParties": {"id": "https://c.example/lp#cs"}}
        ]
    });
    let evidence = Evidence::of_documents([&offering], ["P1.2.1".to_owned()]);
    let missing = t.missing(Level::StandardCompliance, &evidence);
    for held in ["P1.1.1", "P1.1.2", "P1.1.3", "P1.1.5", "P1.2.1"] {
        assert!(!missing.iter().any(|m| m.criterion == held), "{held}");
    }
    assert!(
        t.validated(Level::StandardCompliance, &evidence)
            .iter()
            .any(|c| c.id == "P1.1.1")
    );

    let l2 = t.missing(Level::Label2, &evidence);
    let cert = l2
        .iter()
        .find(|m| m.requirement == Requirement::Certification)
        .unwrap();
    assert!(
        cert.to_string().contains("Label 2 needs a certification"),
        "{cert}"
    );
    assert!(cert.missing.contains("no certificate class"));
}

/// Labels 2 and 3: a certification covers exactly the criteria it lists; with every
/// certification criterion of a level certified (and its declarations shown), the level holds
/// and the certified criteria are validated.
#[test]
fn certifications_show_the_label_2_and_3_criteria_they_list() {
    let t = table();
    for level in [Level::Label2, Level::Label3] {
        let mut nodes = Vec::new();
        let mut declared = Vec::new();
        let mut certifications = Vec::new();
        for c in t.required(level) {
            match c.requirement(level) {
                Requirement::Certification => certifications.push(c.id.clone()),
                _ => {
                    nodes.extend(c.evidence.iter().map(|class| json!({"type": class})));
                    if c.evidence.is_empty() && c.evidence_property.is_none() {
                        declared.push(c.id.clone());
                    }
                }
            }
        }
        nodes.push(
            json!({"type": "gx:LegalDocument", "governingLawCountries": ["DE"],
                          "involvedParties": [{"id": "x"}]}),
        );
        nodes.push(
            json!({"type": "gx:ServiceOffering", "cryptographicSecurityStandards": ["RFC8446"]}),
        );
        let doc = Value::Array(nodes);
        let mut evidence = Evidence::of_documents([&doc], declared);
        // All but one certification: exactly that one is missing, as a certification.
        let (last, rest) = certifications.split_last().unwrap();
        evidence.certify(rest.iter().cloned());
        let missing = t.missing(level, &evidence);
        assert_eq!(missing.len(), 1, "{level}: {missing:?}");
        assert_eq!(&missing[0].criterion, last);
        assert_eq!(missing[0].requirement, Requirement::Certification);
        assert!(
            missing[0].missing.contains("conformity assessment body"),
            "{}",
            missing[0]
        );
        evidence.certify([last.clone()]);
        assert_eq!(t.missing(level, &evidence), vec![], "{level}");
        let validated = t.validated(level, &evidence);
        assert_eq!(validated.len(), t.required(level).count(), "{level}");
        assert!(validated.iter().any(|c| &c.id == last));
    }
    // A certification also shows a criterion a level only asks a declaration for.
    let mut evidence = Evidence::of_claims([&json!({"type": "gx:ServiceOffering"})]);
    assert!(
        t.missing(Level::StandardCompliance, &evidence)
            .iter()
            .any(|m| m.criterion == "P1.1.1")
    );
    evidence.certify(["P1.1.1".to_owned()]);
    assert!(
        !t.missing(Level::StandardCompliance, &evidence)
            .iter()
            .any(|m| m.criterion == "P1.1.1")
    );
}

#[test]
fn a_full_declaration_set_satisfies_standard_compliance_and_label_1() {
    let t = table();
    let mut nodes = Vec::new();
    let mut declared = Vec::new();
    for c in t.required(Level::Label1) {
        for class in &c.evidence {
            nodes.push(json!({"type": class}));
        }
        if c.evidence.is_empty() && c.evidence_property.is_none() {
            declared.push(c.id.clone());
        }
    }
    nodes.push(
        json!({"type": "gx:LegalDocument", "governingLawCountries": ["DE"],
                      "involvedParties": [{"id": "x"}]}),
    );
    nodes
        .push(json!({"type": "gx:ServiceOffering", "cryptographicSecurityStandards": ["RFC8446"]}));
    let doc = Value::Array(nodes);
    let evidence = Evidence::of_documents([&doc], declared);
    assert_eq!(t.missing(Level::StandardCompliance, &evidence), vec![]);
    assert_eq!(t.missing(Level::Label1, &evidence), vec![]);
    assert_eq!(t.validated(Level::Label1, &evidence).len(), 53);
}

/// A compliance service sees claims only: a criterion only the provider can declare is neither
/// validated nor refused; everything else is judged as at build time.
#[test]
fn claims_alone_leave_provider_declarations_open() {
    let t = table();
    let offering = json!({"type": "gx:ServiceOffering",
        "legalDocuments": [{"type": "gx:LegallyBindingAct", "url": "https://c.example/a.pdf"}]});
    let evidence = Evidence::of_claims([&offering]);
    let missing = t.missing(Level::StandardCompliance, &evidence);
    assert!(!missing.iter().any(|m| m.criterion == "P1.2.1"));
    assert!(
        missing.iter().any(|m| m.criterion == "P1.1.2"),
        "a property is a claim"
    );
    let validated = t.validated(Level::StandardCompliance, &evidence);
    assert!(validated.iter().any(|c| c.id == "P1.1.1"));
    assert!(!validated.iter().any(|c| c.id == "P1.2.1"));
}
