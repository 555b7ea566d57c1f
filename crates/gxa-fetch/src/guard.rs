//! The address guard: which IP addresses a credential may make us connect to.
//!
//! Server-side request forgery is the main risk of a verifier: a did:web, `x5u` or status list
//! URL naming `169.254.169.254` (cloud metadata), `127.0.0.1:6379` or an internal host would
//! turn every verification into a request from inside the operator's network. The guard runs
//! *after* DNS, inside the HTTP client's resolver ([`GuardedResolver`]), so the address that is
//! checked is the address that is connected to (no time-of-check/time-of-use gap for DNS
//! rebinding); IP-literal URLs never reach a resolver and are checked by the fetcher itself.
//!
//! Refused: every range of the IANA special-purpose registries that is not globally reachable
//! unicast ([RFC 6890](https://www.rfc-editor.org/rfc/rfc6890#section-2.2.2),
//! <https://www.iana.org/assignments/iana-ipv4-special-registry>,
//! <https://www.iana.org/assignments/iana-ipv6-special-registry>), plus multicast and
//! broadcast. IPv6 is refused outside global unicast `2000::/3` except for NAT64 `64:ff9b::/96`,
//! and every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4) is judged
//! by that IPv4 address.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is refused, or `None` if it is a public unicast address.
pub(crate) fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    const RANGES: &[([u8; 4], u32, &str)] = &[
        ([0, 0, 0, 0], 8, "\"this network\" (0.0.0.0/8)"),
        ([10, 0, 0, 0], 8, "private (10.0.0.0/8)"),
        (
            [100, 64, 0, 0],
            10,
            "shared address space / CGNAT (100.64.0.0/10)",
        ),
        ([127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"),
        (
            [169, 254, 0, 0],
            16,
            "link-local, cloud metadata (169.254.0.0/16)",
        ),
        ([172, 16, 0, 0], 12, "private (172.16.0.0/12)"),
        (
            [192, 0, 0, 0],
            24,
            "IETF protocol assignments (192.0.0.0/24)",
        ),
        ([192, 0, 2, 0], 24, "documentation (192.0.2.0/24)"),
        ([192, 31, 196, 0], 24, "AS112 (192.31.196.0/24)"),
        ([192, 52, 193, 0], 24, "AMT (192.52.193.0/24)"),
        ([192, 88, 99, 0], 24, "6to4 relay anycast (192.88.99.0/24)"),
        ([192, 168, 0, 0], 16, "private (192.168.0.0/16)"),
        (
            [192, 175, 48, 0],
            24,
            "direct delegation AS112 (192.175.48.0/24)",
        ),
        ([198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"),
        ([198, 51, 100, 0], 24, "documentation (198.51.100.0/24)"),
        ([203, 0, 113, 0], 24, "documentation (203.0.113.0/24)"),
        ([224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"),
        ([240, 0, 0, 0], 4, "reserved or broadcast (240.0.0.0/4)"),
    ];
    RANGES
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, why)| *why)
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let o = ip.octets();
    // Forms that carry an IPv4 address: judged by it (an attacker would otherwise write
    // `::ffff:127.0.0.1` or `64:ff9b::a9fe:a9fe`).
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) {
        let v4 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
        return forbidden_v4(v4).map(|_| "IPv4-mapped IPv6 of a forbidden address (::ffff:0:0/96)");
    }
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        let v4 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
        return forbidden_v4(v4).map(|_| "NAT64 of a forbidden address (64:ff9b::/96)");
    }
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        // Bits 16..48 are the IPv4 address.
        let v4 = Ipv4Addr::new(o[2], o[3], o[4], o[5]);
        return forbidden_v4(v4).map(|_| "6to4 of a forbidden address (2002::/16)");
    }
    const RANGES: &[([u16; 8], u32, &str)] = &[
        ([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified (::)"),
        ([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (::1)"),
        ([0, 0, 0, 0, 0, 0, 0, 0], 96, "IPv4-compatible IPv6 (::/96)"),
        (
            [0x64, 0xff9b, 1, 0, 0, 0, 0, 0],
            48,
            "local-use NAT64 (64:ff9b:1::/48)",
        ),
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only (100::/64)"),
        (
            [0x2001, 0, 0, 0, 0, 0, 0, 0],
            23,
            "IETF protocol assignments, Teredo (2001::/23)",
        ),
        (
            [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
            32,
            "documentation (2001:db8::/32)",
        ),
        (
            [0x3fff, 0, 0, 0, 0, 0, 0, 0],
            20,
            "documentation (3fff::/20)",
        ),
        (
            [0x5f00, 0, 0, 0, 0, 0, 0, 0],
            16,
            "segment routing SIDs (5f00::/16)",
        ),
        (
            [0xfc00, 0, 0, 0, 0, 0, 0, 0],
            7,
            "unique local, cloud metadata (fc00::/7)",
        ),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local (fe80::/10)"),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local (fec0::/10)"),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (ff00::/8)"),
    ];
    if let Some((_, _, why)) = RANGES
        .iter()
        .find(|(net, prefix, _)| in_v6(ip, *net, *prefix))
    {
        return Some(why);
    }
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return Some("not global unicast (outside 2000::/3)");
    }
    None
}

/// What the resolver hands back through reqwest's error chain; the fetcher finds it again
/// by walking `source()` to tell a refusal from a DNS failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GuardError {
    /// The name resolved to an address the policy refuses.
    #[error("{host} resolves to {addr}, a forbidden address: {reason}")]
    Forbidden {
        host: String,
        addr: IpAddr,
        reason: &'static str,
    },
    /// DNS did not answer, or answered with no address.
    #[error("DNS resolution of {host} failed: {reason}")]
    Dns { host: String, reason: String },
}

/// Resolves `host` with the system resolver and checks every address: one forbidden address
/// refuses the name (a name mixing public and private addresses is a rebinding attempt or a
/// misconfiguration; neither should be connected to).
pub(crate) async fn resolve_checked(
    host: &str,
    exempt: bool,
) -> Result<Vec<SocketAddr>, GuardError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| GuardError::Dns {
            host: host.to_owned(),
            reason: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(GuardError::Dns {
            host: host.to_owned(),
            reason: "no addresses".to_owned(),
        });
    }
    if !exempt {
        for addr in &addrs {
            if let Some(reason) = forbidden_reason(addr.ip()) {
                return Err(GuardError::Forbidden {
                    host: host.to_owned(),
                    addr: addr.ip(),
                    reason,
                });
            }
        }
    }
    Ok(addrs)
}

/// The reqwest resolver: system DNS, then the guard. Names listed in `allowed_hosts` (with any
/// port) skip the guard; the fetcher refuses port mismatches before the request.
pub(crate) struct GuardedResolver {
    pub(crate) exempt_names: Arc<HashSet<String>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let exempt = self.exempt_names.contains(&host);
        Box::pin(async move {
            let addrs = resolve_checked(&host, exempt).await?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) -> bool {
        forbidden_reason(s.parse().unwrap()).is_some()
    }

    #[test]
    fn refuses_non_public_ipv4() {
        for s in [
            "0.0.0.0",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.170",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(refused(s), "{s} must be refused");
        }
    }

    #[test]
    fn accepts_public_ipv4() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.169.0.1",
            "93.184.216.34",
        ] {
            assert!(!refused(s), "{s} must be accepted");
        }
    }

    #[test]
    fn refuses_non_public_ipv6_and_embedded_ipv4() {
        for s in [
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "2001:db8::1",
            "2001::1",
            "3fff::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "100::1",
            "4000::1",
        ] {
            assert!(refused(s), "{s} must be refused");
        }
    }

    #[test]
    fn accepts_public_ipv6() {
        for s in [
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!refused(s), "{s} must be accepted");
        }
    }
}
