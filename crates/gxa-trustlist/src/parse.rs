//! Reading a trusted list's XML (ETSI TS 119 612 §5, schema `ts_119612v020101_xsd`):
//! `roxmltree`, with document type declarations refused and a node budget. Elements are
//! matched by namespace and local name, so the prefixes a list uses do not matter.

use base64::Engine as _;
use jiff::Timestamp;
use roxmltree::{Document, Node, ParsingOptions};
use rustls_pki_types::CertificateDer;

use crate::TrustListError;
use crate::model::{Pointer, Provider, Scheme, Service, StatusChange, TrustedList};

/// The trusted list namespace (TS 119 612 Annex C).
pub const TSL_NS: &str = "http://uri.etsi.org/02231/v2#";

/// Most XML nodes read (a large national list has some 100 000).
const MAX_NODES: u32 = 4_000_000;

/// Parses a trusted list (its signature is checked by [`crate::signature`] first).
pub fn parse(text: &str) -> Result<TrustedList, TrustListError> {
    let document = Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
        },
    )
    .map_err(|e| TrustListError::Xml(e.to_string()))?;
    let root = document.root_element();
    if !is(root, "TrustServiceStatusList") {
        return Err(invalid(
            "TrustServiceStatusList",
            format!(
                "the root element is {{{}}}{}",
                root.tag_name().namespace().unwrap_or(""),
                root.tag_name().name()
            ),
        ));
    }
    let info = required(root, "SchemeInformation")?;
    let scheme = scheme(info)?;
    let pointers = match child(info, "PointersToOtherTSL") {
        Some(list) => children(list, "OtherTSLPointer")
            .map(pointer)
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let providers = match child(root, "TrustServiceProviderList") {
        Some(list) => children(list, "TrustServiceProvider")
            .map(provider)
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(TrustedList {
        scheme,
        providers,
        pointers,
    })
}

fn scheme(info: Node<'_, '_>) -> Result<Scheme, TrustListError> {
    let version = number(info, "TSLVersionIdentifier")?;
    let version = u32::try_from(version)
        .map_err(|_| invalid("TSLVersionIdentifier", format!("{version} is too large")))?;
    let next_update = match child(info, "NextUpdate") {
        // An empty `NextUpdate` marks a closed list (§5.3.15).
        Some(next) => match child(next, "dateTime") {
            Some(at) => Some(time(at, "NextUpdate/dateTime")?),
            None => None,
        },
        None => return Err(invalid("NextUpdate", "missing".to_owned())),
    };
    Ok(Scheme {
        version,
        sequence: number(info, "TSLSequenceNumber")?,
        list_type: text_of(required(info, "TSLType")?),
        operator: name(required(info, "SchemeOperatorName")?),
        territory: text_of(required(info, "SchemeTerritory")?),
        issued: time(required(info, "ListIssueDateTime")?, "ListIssueDateTime")?,
        next_update,
    })
}

fn provider(node: Node<'_, '_>) -> Result<Provider, TrustListError> {
    let information = required(node, "TSPInformation")?;
    let services = match child(node, "TSPServices") {
        Some(list) => children(list, "TSPService")
            .map(service)
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(Provider {
        name: name(required(information, "TSPName")?),
        services,
    })
}

fn service(node: Node<'_, '_>) -> Result<Service, TrustListError> {
    let information = required(node, "ServiceInformation")?;
    let mut history = vec![status_change(information)?];
    if let Some(past) = child(node, "ServiceHistory") {
        for instance in children(past, "ServiceHistoryInstance") {
            history.push(status_change(instance)?);
        }
    }
    history.sort_by_key(|change| std::cmp::Reverse(change.since));
    Ok(Service {
        name: name(required(information, "ServiceName")?),
        certificates: certificates(required(information, "ServiceDigitalIdentity")?)?,
        history,
    })
}

fn status_change(node: Node<'_, '_>) -> Result<StatusChange, TrustListError> {
    Ok(StatusChange {
        service_type: text_of(required(node, "ServiceTypeIdentifier")?),
        status: text_of(required(node, "ServiceStatus")?),
        since: time(required(node, "StatusStartingTime")?, "StatusStartingTime")?,
    })
}

fn pointer(node: Node<'_, '_>) -> Result<Pointer, TrustListError> {
    let mut certificates = Vec::new();
    if let Some(identities) = child(node, "ServiceDigitalIdentities") {
        for identity in children(identities, "ServiceDigitalIdentity") {
            certificates.extend(certificates_of(identity)?);
        }
    }
    let mut territory = None;
    let mut mime_type = None;
    if let Some(additional) = child(node, "AdditionalInformation") {
        for other in children(additional, "OtherInformation") {
            for item in other.children().filter(Node::is_element) {
                match item.tag_name().name() {
                    "SchemeTerritory" => territory = Some(text_of(item)),
                    // In the `additionaltypes` namespace (TS 119 612 Annex C.2).
                    "MimeType" => mime_type = Some(text_of(item)),
                    _ => {}
                }
            }
        }
    }
    Ok(Pointer {
        location: text_of(required(node, "TSLLocation")?),
        territory,
        mime_type,
        certificates,
    })
}

/// The `X509Certificate`s of a `ServiceDigitalIdentity`; at least one (§5.5.3: a service is
/// identified by its certificate; the other forms, `X509SubjectName` and `X509SKI`, only
/// accompany it).
fn certificates(identity: Node<'_, '_>) -> Result<Vec<CertificateDer<'static>>, TrustListError> {
    let certificates = certificates_of(identity)?;
    if certificates.is_empty() {
        return Err(invalid(
            "ServiceDigitalIdentity",
            "no X509Certificate".to_owned(),
        ));
    }
    Ok(certificates)
}

fn certificates_of(identity: Node<'_, '_>) -> Result<Vec<CertificateDer<'static>>, TrustListError> {
    let mut certificates = Vec::new();
    for id in children(identity, "DigitalId") {
        for cert in children(id, "X509Certificate") {
            let text: String = text_of(cert).split_ascii_whitespace().collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|e| invalid("X509Certificate", format!("not base64: {e}")))?;
            x509_parser::parse_x509_certificate(&der)
                .map_err(|e| invalid("X509Certificate", format!("not a certificate: {e}")))?;
            certificates.push(CertificateDer::from(der));
        }
    }
    Ok(certificates)
}

fn is(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && node.tag_name().namespace() == Some(TSL_NS)
}

fn child<'a, 'input>(node: Node<'a, 'input>, local: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|n| is(*n, local))
}

fn children<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    local: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |n| is(*n, local))
}

fn required<'a, 'input>(
    node: Node<'a, 'input>,
    local: &str,
) -> Result<Node<'a, 'input>, TrustListError> {
    child(node, local)
        .ok_or_else(|| invalid(local, format!("missing in {}", node.tag_name().name())))
}

fn text_of(node: Node<'_, '_>) -> String {
    node.text().unwrap_or("").trim().to_owned()
}

/// A multilingual name (`Name` children with `xml:lang`): the English one, else the first.
fn name(node: Node<'_, '_>) -> String {
    let names: Vec<_> = children(node, "Name").collect();
    names
        .iter()
        .find(|n| n.attribute((roxmltree::NS_XML_URI, "lang")) == Some("en"))
        .or_else(|| names.first())
        .map(|n| text_of(*n))
        .unwrap_or_default()
}

fn number(node: Node<'_, '_>, local: &str) -> Result<u64, TrustListError> {
    let text = text_of(required(node, local)?);
    text.parse()
        .map_err(|_| invalid(local, format!("{text:?} is not a non-negative integer")))
}

fn time(node: Node<'_, '_>, element: &str) -> Result<Timestamp, TrustListError> {
    let text = text_of(node);
    text.parse().map_err(|e| {
        invalid(
            element,
            format!("{text:?} is not an xsd:dateTime in UTC: {e}"),
        )
    })
}

fn invalid(element: &str, reason: String) -> TrustListError {
    TrustListError::Invalid {
        element: element.to_owned(),
        reason,
    }
}
