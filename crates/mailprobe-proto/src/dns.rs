//! DNS evidence about a mail domain and a sending IP, as `mailprobe dns` records it: MX records,
//! the SPF record evaluated for an IP (with the mechanism that decided and the lookups counted),
//! DMARC, blocklist answers and reverse DNS. `mailprobe-net` asks the questions; these types hold
//! what came back, and a [`DnsCheck`] event in a transcript hands it to diagnosis.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

/// How one DNS question ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupStatus {
    /// Records of the type asked for came back.
    Found,
    /// The name exists, but has no record of that type.
    NoData,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The server refused to answer (REFUSED).
    Refused,
    /// The server failed (SERVFAIL).
    ServerFailure,
    /// No answer in time.
    TimedOut,
    /// Anything else (the detail says what).
    Error,
}

impl LookupStatus {
    /// True when the server gave a real answer (records, no data, or no such name).
    pub fn answered(self) -> bool {
        matches!(self, Self::Found | Self::NoData | Self::NxDomain)
    }

    /// The serde name (`nx_domain`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::NoData => "no_data",
            Self::NxDomain => "nx_domain",
            Self::Refused => "refused",
            Self::ServerFailure => "server_failure",
            Self::TimedOut => "timed_out",
            Self::Error => "error",
        }
    }
}

/// One MX record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRecord {
    /// Preference (lower first).
    pub preference: u16,
    /// The mail exchanger's host name (no trailing dot).
    pub host: String,
    /// The provider the host belongs to, when the table knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// An SPF verdict (RFC 7208 section 2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpfVerdict {
    /// The IP is authorized.
    Pass,
    /// The IP is not authorized (`-all` or `-` mechanism).
    Fail,
    /// Probably not authorized (`~all`).
    Softfail,
    /// The domain says nothing either way (`?all`, or no mechanism matched).
    Neutral,
    /// No SPF record.
    None,
    /// The record is broken: receivers must treat it as an error.
    Permerror,
    /// A DNS error while evaluating; try again later.
    Temperror,
}

impl SpfVerdict {
    /// The RFC's name (`softfail`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Softfail => "softfail",
            Self::Neutral => "neutral",
            Self::None => "none",
            Self::Permerror => "permerror",
            Self::Temperror => "temperror",
        }
    }
}

/// Why an SPF evaluation ended in permerror.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpfPermerror {
    /// More than 10 mechanisms or modifiers that need DNS lookups.
    TooManyLookups,
    /// An include or redirect leads back to a record already being evaluated (which then
    /// also exceeds the lookup limit).
    Loop,
    /// A record does not parse (a typo, an invalid address or mask).
    Syntax,
    /// An `include:` names a domain with no SPF record.
    IncludeWithoutSpf,
    /// A `redirect=` names a domain with no SPF record.
    RedirectWithoutSpf,
    /// An `mx` mechanism found more than 10 mail exchangers.
    TooManyMx,
    /// The reason could not be traced.
    Unknown,
}

/// How a record was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpfVia {
    /// The domain itself.
    Domain,
    /// An `include:` mechanism.
    Include,
    /// A `redirect=` modifier.
    Redirect,
}

/// One record in the include / redirect chain, in evaluation order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfStep {
    /// The domain whose record this is.
    pub domain: String,
    /// How it was reached.
    pub via: SpfVia,
    /// Nesting depth (0 for the domain itself; includes add one).
    pub depth: u32,
    /// The record as published, when it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The record could not be found or parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The mechanism that decided the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfMatch {
    /// The mechanism as written, with its qualifier (`ip4:192.0.2.0/24`, `-all`).
    pub mechanism: String,
    /// The record it is in.
    pub domain: String,
    /// The includes that led there, outermost first (empty when it is in the domain's own
    /// record or one reached by redirect).
    #[serde(default)]
    pub through: Vec<String>,
}

/// The domain's SPF, evaluated for an IP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfReport {
    /// How the TXT lookup of the domain ended.
    pub status: LookupStatus,
    /// The resolver's words when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Every `v=spf1` record of the domain (more than one is itself an error).
    #[serde(default)]
    pub records: Vec<String>,
    /// The IP evaluated, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// `mail-auth`'s verdict for the IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<SpfVerdict>,
    /// The mechanism that matched, when one did.
    #[serde(skip_serializing_if = "Option::is_none", rename = "match")]
    pub matched: Option<SpfMatch>,
    /// The records evaluated, in order.
    #[serde(default)]
    pub chain: Vec<SpfStep>,
    /// DNS-querying mechanisms and modifiers evaluated (RFC 7208 allows 10).
    #[serde(default)]
    pub lookups: u32,
    /// The limit (10).
    #[serde(default = "rfc_lookup_limit")]
    pub lookup_limit: u32,
    /// Why the result is permerror.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permerror: Option<SpfPermerror>,
    /// The IPv4 and IPv6 ranges the domain's own record names directly (`ip4:`, `ip6:`):
    /// typically the static IPs of its devices, connectors and servers.
    #[serde(default)]
    pub direct_ips: Vec<String>,
    /// The trace did not reproduce `mail-auth`'s verdict: `match` and `chain` may be partial.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trace_incomplete: bool,
}

/// The domain's DMARC policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcReport {
    /// How the lookup of `_dmarc.DOMAIN` ended.
    pub status: LookupStatus,
    /// The name the record was found at (`_dmarc.DOMAIN`, or the organizational domain's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_at: Option<String>,
    /// The record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// `p=`: none, quarantine or reject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `sp=`: the policy for subdomains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain_policy: Option<String>,
    /// `pct=`: the share of failing mail the policy applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pct: Option<u8>,
    /// `rua=`: where aggregate reports go.
    #[serde(default)]
    pub rua: Vec<String>,
    /// `adkim=` / `aspf=`: `s` strict or `r` relaxed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspf: Option<String>,
    /// The record does not parse as DMARC (no `p=` or not `v=DMARC1` first).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
}

/// What a blocklist's answer means.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsblKind {
    /// A spam listing.
    Listed,
    /// A policy listing (dynamic / end-user range): not spam, but not a mail server either.
    Policy,
    /// The list refused to answer this resolver (or answered with something that is not a
    /// listing): nothing is known about the IP.
    NotAnswered,
}

/// The status of one blocklist answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsblStatus {
    /// Listed (spam).
    Listed,
    /// In a policy list only (dynamic or end-user range).
    Policy,
    /// Not listed (NXDOMAIN).
    NotListed,
    /// The list did not answer this resolver (refused, special code, timeout, error).
    NotAnswered,
}

/// One answer's meaning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsblAnswer {
    /// The A record.
    pub answer: Ipv4Addr,
    /// Text id of its meaning (`sbl`...), `listed` for an unknown code in 127.0.0.0/8,
    /// `not-a-listing` for anything else.
    pub meaning: String,
    /// What kind of answer it is.
    pub kind: DnsblKind,
}

/// What one blocklist said about the IP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsblResult {
    /// The list's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The zone.
    pub zone: String,
    /// The name asked (`99.2.0.192.zen.spamhaus.org`).
    pub query: String,
    /// The outcome.
    pub status: DnsblStatus,
    /// How the DNS lookup ended.
    pub lookup: LookupStatus,
    /// The A records and their meanings.
    #[serde(default)]
    pub answers: Vec<DnsblAnswer>,
    /// The list's TXT explanation, when listed.
    #[serde(default)]
    pub txt: Vec<String>,
    /// Where to ask for removal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delist: Option<String>,
    /// The resolver's words when the lookup failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Reverse DNS of an IP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReverseReport {
    /// How the PTR lookup ended.
    pub status: LookupStatus,
    /// The names (no trailing dot).
    #[serde(default)]
    pub names: Vec<String>,
    /// Whether a name resolves back to the IP (forward-confirmed reverse DNS); `None` when
    /// there is no name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_confirmed: Option<bool>,
}

/// RFC 7208's limit on DNS-querying terms in one SPF evaluation.
pub const SPF_LOOKUP_LIMIT: u32 = 10;

fn rfc_lookup_limit() -> u32 {
    SPF_LOOKUP_LIMIT
}

/// One DNS check, as a transcript event carries it (`"event": "dns_checked"`): the question and
/// what its answer shows. Recorded, not judged: which answers are problems is the knowledge
/// base's business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DnsCheck {
    /// The domain's MX records.
    Mx {
        /// The domain.
        domain: String,
        /// How the lookup ended.
        status: LookupStatus,
        /// The records, lowest preference first.
        #[serde(default)]
        records: Vec<MxRecord>,
        /// The provider the most preferred known MX shows (its table id: `m365`, `gmail`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider: Option<String>,
        /// For a Microsoft 365 domain: the tenant's MX endpoint.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        m365_endpoint: Option<String>,
    },
    /// The domain's SPF record, evaluated for an IP when one was given.
    Spf {
        /// The domain.
        domain: String,
        /// What was found and how it evaluated.
        #[serde(flatten)]
        report: SpfReport,
    },
    /// The domain's DMARC record.
    Dmarc {
        /// The domain.
        domain: String,
        /// What was found.
        #[serde(flatten)]
        report: DmarcReport,
    },
    /// One blocklist asked about an IP.
    Blocklist {
        /// The IP asked about.
        ip: IpAddr,
        /// The list's answer.
        #[serde(flatten)]
        result: DnsblResult,
    },
    /// Reverse DNS of an IP.
    Reverse {
        /// The IP.
        ip: IpAddr,
        /// Its names.
        #[serde(flatten)]
        report: ReverseReport,
    },
}

impl DnsCheck {
    /// The check in one line, as evidence quotes it.
    pub fn summary(&self) -> String {
        match self {
            Self::Mx { domain, status, records, .. } => match status {
                LookupStatus::Found if !records.is_empty() => format!(
                    "MX {domain}: {}",
                    records
                        .iter()
                        .map(|r| format!("{} {}", r.preference, r.host))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                LookupStatus::Found | LookupStatus::NoData => format!("MX {domain}: no record"),
                s => format!("MX {domain}: {}", s.as_str()),
            },
            Self::Spf { domain, report } => match (report.result, &report.ip) {
                (Some(v), Some(ip)) => format!(
                    "SPF {domain} for {ip}: {}{}",
                    v.as_str(),
                    report.matched.as_ref().map(|m| format!(" ({})", m.mechanism)).unwrap_or_default()
                ),
                _ if report.status.answered() => {
                    format!("SPF {domain}: {} v=spf1 record(s)", report.records.len())
                }
                _ => format!("SPF {domain}: {}", report.status.as_str()),
            },
            Self::Dmarc { domain, report } => match &report.record {
                Some(r) => format!("TXT {}: {r}", report.found_at.as_deref().unwrap_or(domain)),
                None => format!("TXT _dmarc.{domain}: {}", report.status.as_str()),
            },
            Self::Blocklist { result, .. } => {
                let answers = result
                    .answers
                    .iter()
                    .map(|a| format!("{} ({})", a.answer, a.meaning))
                    .collect::<Vec<_>>();
                if answers.is_empty() {
                    format!("A {}: {}", result.query, result.lookup.as_str())
                } else {
                    format!("A {}: {}", result.query, answers.join(", "))
                }
            }
            Self::Reverse { ip, report } => {
                if report.names.is_empty() {
                    format!("PTR {ip}: {}", report.status.as_str())
                } else {
                    format!("PTR {ip}: {}", report.names.join(", "))
                }
            }
        }
    }
}

/// The SPF record with `ip4:IP` (or `ip6:`) added before its final `all` / redirect.
pub fn spf_with_ip(record: Option<&str>, ip: &str) -> String {
    let term = if ip.contains(':') { format!("ip6:{ip}") } else { format!("ip4:{ip}") };
    let Some(record) = record else {
        return format!("v=spf1 {term} -all");
    };
    let mut terms: Vec<String> = record.split_ascii_whitespace().map(str::to_owned).collect();
    // a blank record is no record (found by fuzzing: inserting after `v=spf1` panicked)
    if terms.is_empty() {
        return format!("v=spf1 {term} -all");
    }
    if terms.iter().any(|x| x.eq_ignore_ascii_case(&term)) {
        return record.to_owned();
    }
    let at = terms
        .iter()
        .position(|x| {
            let l = x.to_ascii_lowercase();
            l.trim_start_matches(['+', '-', '~', '?']) == "all" || l.starts_with("redirect=")
        })
        .unwrap_or(terms.len());
    terms.insert(at.max(1), term);
    terms.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_suggestions() {
        assert_eq!(
            spf_with_ip(
                Some("v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com -all"),
                "203.0.113.20"
            ),
            "v=spf1 ip4:203.0.113.10 include:spf.protection.outlook.com ip4:203.0.113.20 -all"
        );
        assert_eq!(
            spf_with_ip(Some("v=spf1 redirect=_spf.x.test"), "192.0.2.1"),
            "v=spf1 ip4:192.0.2.1 redirect=_spf.x.test"
        );
        assert_eq!(spf_with_ip(None, "192.0.2.1"), "v=spf1 ip4:192.0.2.1 -all");
        assert_eq!(spf_with_ip(Some("v=spf1 ip4:192.0.2.1 -all"), "192.0.2.1"), "v=spf1 ip4:192.0.2.1 -all");
        assert_eq!(spf_with_ip(Some("v=spf1 -all"), "2001:db8::1"), "v=spf1 ip6:2001:db8::1 -all");
    }

    #[test]
    fn a_check_round_trips_through_json_and_reads_as_one_line() {
        let check = DnsCheck::Spf {
            domain: "contoso.test".into(),
            report: SpfReport {
                status: LookupStatus::Found,
                detail: None,
                records: vec!["v=spf1 ip4:203.0.113.10 -all".into()],
                ip: Some("203.0.113.20".parse().unwrap()),
                result: Some(SpfVerdict::Fail),
                matched: Some(SpfMatch {
                    mechanism: "-all".into(),
                    domain: "contoso.test".into(),
                    through: vec![],
                }),
                chain: vec![],
                lookups: 0,
                lookup_limit: 10,
                permerror: None,
                direct_ips: vec!["203.0.113.10".into()],
                trace_incomplete: false,
            },
        };
        let json = serde_json::to_string(&check).unwrap();
        assert!(json.starts_with(r#"{"kind":"spf","domain":"contoso.test","#), "{json}");
        assert_eq!(serde_json::from_str::<DnsCheck>(&json).unwrap(), check);
        assert_eq!(check.summary(), "SPF contoso.test for 203.0.113.20: fail (-all)");
        // Hand-written evidence may leave out what is empty.
        let short: DnsCheck =
            serde_json::from_str(r#"{"kind":"reverse","ip":"192.0.2.7","status":"no_data"}"#).unwrap();
        assert_eq!(short.summary(), "PTR 192.0.2.7: no_data");
    }
}
