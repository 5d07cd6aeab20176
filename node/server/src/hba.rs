//! Client authentication rules in PostgreSQL's `pg_hba.conf` form (`wire.hba_file`; the built-in
//! default is `configs/hba.conf`).
//!
//! One rule a line: `TYPE DATABASE USER ADDRESS METHOD`, `#` starts a comment. The first rule whose
//! type, database, user and address match the connection decides its method; no match refuses it
//! (28000). Supported:
//! - TYPE: `host` (any TCP connection), `hostssl` (TLS only), `hostnossl` (plain only). Keel has no
//!   Unix socket, so `local` rules are refused when the file is read;
//! - DATABASE, USER: `all` or a comma-separated list of names;
//! - ADDRESS: `all` or an address with a CIDR prefix length (`127.0.0.1/32`, `::1/128`);
//! - METHOD: `trust`, `reject`, `scram-sha-256`, `md5` (SCRAM instead when the role's secret is a
//!   SCRAM one, as PostgreSQL does) and `password` (cleartext, checked against the secret).
//!
//! A mistake in the file stops the node at start with its line number, as PostgreSQL does.

use std::net::IpAddr;

/// How a matching connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Trust,
    Reject,
    ScramSha256,
    Md5,
    Password,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    /// Its line in the file (1-based).
    line: usize,
    /// None: either; Some(true): TLS only; Some(false): plain only.
    ssl: Option<bool>,
    /// Empty: all.
    databases: Vec<String>,
    /// Empty: all.
    users: Vec<String>,
    /// None: all addresses.
    network: Option<(IpAddr, u8)>,
    method: Method,
}

/// The rules of one file, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hba {
    rules: Vec<Rule>,
}

fn names(field: &str) -> Vec<String> {
    if field == "all" {
        return Vec::new();
    }
    field
        .split(',')
        .map(|name| name.trim_matches('"').to_string())
        .collect()
}

fn network(field: &str) -> Result<Option<(IpAddr, u8)>, String> {
    if field == "all" {
        return Ok(None);
    }
    let (address, bits) = field
        .split_once('/')
        .ok_or_else(|| format!("address \"{field}\" needs a CIDR prefix length (e.g. /32)"))?;
    let address: IpAddr = address
        .parse()
        .map_err(|_| format!("invalid IP address \"{address}\""))?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let bits: u8 = bits
        .parse()
        .ok()
        .filter(|&b| b <= max)
        .ok_or_else(|| format!("invalid CIDR mask in address \"{field}\""))?;
    Ok(Some((address, bits)))
}

/// A prefix length as the mask PostgreSQL prints (`255.255.255.0`, `ffff:ffff::`).
fn netmask(address: IpAddr, bits: u8) -> String {
    match address {
        IpAddr::V4(_) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            std::net::Ipv4Addr::from(mask).to_string()
        }
        IpAddr::V6(_) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            std::net::Ipv6Addr::from(mask).to_string()
        }
    }
}

/// Whether `peer` lies in `network`/`bits` (an IPv4 peer mapped into IPv6 counts as IPv4).
fn contains((network, bits): (IpAddr, u8), peer: IpAddr) -> bool {
    let peer = match peer {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
        v4 => v4,
    };
    let (network, peer, width): (u128, u128, u32) = match (network, peer) {
        (IpAddr::V4(n), IpAddr::V4(p)) => (u32::from(n) as u128, u32::from(p) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(p)) => (u128::from(n), u128::from(p), 128),
        _ => return false,
    };
    let shift = width - bits as u32;
    shift >= 128 || (network >> shift) == (peer >> shift)
}

impl Hba {
    /// Reads a rule file's text.
    pub fn parse(text: &str) -> Result<Hba, String> {
        let mut rules = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let at = |message: String| format!("line {}: {message}", number + 1);
            let fields: Vec<&str> = line.split_whitespace().collect();
            let ssl = match fields[0] {
                "host" => None,
                "hostssl" => Some(true),
                "hostnossl" => Some(false),
                "local" => {
                    return Err(at(
                        "\"local\" rules need a Unix socket, which Keel does not listen on".into(),
                    ))
                }
                other => return Err(at(format!("invalid connection type \"{other}\""))),
            };
            let [_, database, user, address, method] = fields.as_slice() else {
                return Err(at(
                    "expected TYPE DATABASE USER ADDRESS METHOD (options after the method are not supported)".into(),
                ));
            };
            if user.starts_with('+') || database.starts_with('@') || user.starts_with('@') {
                return Err(at(
                    "group (+role) and file (@file) references are not supported".into(),
                ));
            }
            let method = match *method {
                "trust" => Method::Trust,
                "reject" => Method::Reject,
                "scram-sha-256" => Method::ScramSha256,
                "md5" => Method::Md5,
                "password" => Method::Password,
                other => return Err(at(format!("invalid authentication method \"{other}\""))),
            };
            rules.push(Rule {
                line: number + 1,
                ssl,
                databases: names(database),
                users: names(user),
                network: network(address).map_err(at)?,
                method,
            });
        }
        Ok(Hba { rules })
    }

    /// The rules as `pg_hba_file_rules` shows them.
    pub fn rows(&self) -> Vec<keel_sql::system::HbaRule> {
        let all = |names: &[String]| match names.is_empty() {
            true => vec!["all".to_string()],
            false => names.to_vec(),
        };
        self.rules
            .iter()
            .map(|rule| {
                let (address, netmask) = match rule.network {
                    None => ("all".to_string(), None),
                    Some((address, bits)) => (address.to_string(), Some(netmask(address, bits))),
                };
                keel_sql::system::HbaRule {
                    line: rule.line as i32,
                    kind: match rule.ssl {
                        None => "host",
                        Some(true) => "hostssl",
                        Some(false) => "hostnossl",
                    },
                    databases: all(&rule.databases),
                    users: all(&rule.users),
                    address,
                    netmask,
                    method: match rule.method {
                        Method::Trust => "trust",
                        Method::Reject => "reject",
                        Method::ScramSha256 => "scram-sha-256",
                        Method::Md5 => "md5",
                        Method::Password => "password",
                    },
                }
            })
            .collect()
    }

    /// The method of the first rule that matches, if any.
    pub fn method(&self, peer: IpAddr, database: &str, user: &str, ssl: bool) -> Option<Method> {
        self.rules
            .iter()
            .find(|rule| {
                rule.ssl.is_none_or(|want| want == ssl)
                    && (rule.databases.is_empty() || rule.databases.iter().any(|d| d == database))
                    && (rule.users.is_empty() || rule.users.iter().any(|u| u == user))
                    && rule.network.is_none_or(|n| contains(n, peer))
            })
            .map(|rule| rule.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_rule_decides() {
        let hba = Hba::parse(
            "# comment\n\
             host  keel  alice  127.0.0.1/32  scram-sha-256\n\
             host  all   bob,carol 127.0.0.0/8 md5   # trailing comment\n\
             hostssl all all all password\n\
             host  all   all    ::1/128       trust\n\
             host  all   all    10.0.0.0/8    reject\n",
        )
        .unwrap();
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            hba.method(local, "keel", "alice", false),
            Some(Method::ScramSha256)
        );
        assert_eq!(hba.method(local, "postgres", "alice", false), None);
        assert_eq!(
            hba.method("127.9.9.9".parse().unwrap(), "x", "carol", false),
            Some(Method::Md5)
        );
        assert_eq!(hba.method(local, "x", "dave", true), Some(Method::Password));
        assert_eq!(
            hba.method("::1".parse().unwrap(), "x", "dave", false),
            Some(Method::Trust)
        );
        assert_eq!(
            hba.method("::ffff:10.1.2.3".parse().unwrap(), "x", "dave", false),
            Some(Method::Reject)
        );
        assert_eq!(
            hba.method("192.168.0.1".parse().unwrap(), "x", "dave", false),
            None
        );
        let builtin = Hba::parse(include_str!("../../../configs/hba.conf")).unwrap();
        assert_eq!(
            builtin.method(local, "keel", "postgres", false),
            Some(Method::Trust)
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(
            Hba::parse("host all all 127.0.0.1/32 trust\nhost all all 127.0.0.1 trust")
                .unwrap_err(),
            "line 2: address \"127.0.0.1\" needs a CIDR prefix length (e.g. /32)"
        );
        assert!(Hba::parse("local all all trust")
            .unwrap_err()
            .starts_with("line 1:"));
        assert!(Hba::parse("host all all all ident")
            .unwrap_err()
            .contains("\"ident\""));
    }
}
