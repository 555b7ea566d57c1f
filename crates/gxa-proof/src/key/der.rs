//! The few DER (ITU-T X.690) pieces the key code needs: reading an RSA public key (RFC 8017
//! `RSAPublicKey`) and PEM armour (RFC 7468). Everything else is done by aws-lc-rs.

use base64::Engine as _;

use crate::KeyError;

/// Reads one TLV; returns (tag, content, rest).
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// Strips the sign byte of a DER INTEGER.
fn unsigned(int: &[u8]) -> &[u8] {
    let mut int = int;
    while int.len() > 1 && int[0] == 0 {
        int = &int[1..];
    }
    int
}

/// Parses RFC 8017 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
pub(crate) fn rsa_public_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    let bad = || KeyError::Malformed("RSAPublicKey DER".into());
    let (tag, seq, _) = read_tlv(der).ok_or_else(bad)?;
    if tag != 0x30 {
        return Err(bad());
    }
    let (tag_n, n, rest) = read_tlv(seq).ok_or_else(bad)?;
    let (tag_e, e, _) = read_tlv(rest).ok_or_else(bad)?;
    if tag_n != 0x02 || tag_e != 0x02 {
        return Err(bad());
    }
    Ok((unsigned(n).to_vec(), unsigned(e).to_vec()))
}

/// One PEM block: its label and DER content.
pub(crate) struct PemBlock {
    pub(crate) label: String,
    pub(crate) der: Vec<u8>,
}

/// Parses every PEM block of `text` (RFC 7468, strict base64 per block).
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, KeyError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end = after
            .find("-----")
            .ok_or_else(|| KeyError::Malformed("PEM header".into()))?;
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body_start
            .find(&end_marker)
            .ok_or_else(|| KeyError::Malformed(format!("PEM block {label} has no END line")))?;
        let b64: String = body_start[..body_end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| KeyError::Malformed(format!("PEM block {label}: {e}")))?;
        blocks.push(PemBlock {
            label: label.to_owned(),
            der,
        });
        rest = &body_start[body_end + end_marker.len()..];
    }
    Ok(blocks)
}

/// Wraps DER into a PEM block.
pub(crate) fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
