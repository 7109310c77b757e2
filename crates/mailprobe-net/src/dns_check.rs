//! DNS checks of a mail domain and a sending IP: MX and the provider it shows, SPF evaluated for
//! the IP by Stalwart's `mail-auth` (with the path it took), DMARC, DNS blocklists, reverse DNS.
//!
//! Like the probes, these checks record and never judge: each section is typed evidence (what
//! was asked, what came back, what it means by the lists' own definitions). Which of that is a
//! problem, and how to fix it, is decided by the caller from this evidence.
//!
//! SPF: `mail-auth` makes every lookup and gives the verdict. Its lookups go through recording
//! caches, and a walk over the same recorded answers, following RFC 7208's rules in the order
//! `mail-auth` does, tells which mechanism matched, the include / redirect chain, the lookups
//! counted against the limit of 10, and why a permerror happened. When the walk and `mail-auth`
//! disagree, `mail-auth`'s verdict stands and the trace says it is incomplete.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use hickory_resolver::ResolveError;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::spf::{Macro, Mechanism, Qualifier, Spf, Variable, Variables};
use mail_auth::{MX, MessageAuthenticator, Parameters, RecordSet, ResolverCache, SpfResult, Txt};
pub use mailprobe_proto::dns::{
    DmarcReport, DnsblAnswer, DnsblKind, DnsblResult, DnsblStatus, LookupStatus, MxRecord, ReverseReport,
    SpfMatch, SpfPermerror, SpfReport, SpfStep, SpfVerdict, SpfVia,
};
use mailprobe_proto::dns::{DnsCheck, SPF_LOOKUP_LIMIT as LOOKUP_LIMIT};
use mailprobe_proto::{Endpoint, EventKind, Protocol, Role, Security, Stage, Transcript};
use serde::{Deserialize, Serialize};

use crate::{NetError, Resolver};
use mailprobe_providers::{ServerDef, provider_for_mx};

/// Where DNS questions go, and how long each may take.
#[derive(Clone, Copy, Debug)]
pub struct DnsConfig {
    /// A DNS server to ask (`--dns-server`); `None` is the system's resolver.
    pub server: Option<SocketAddr>,
    /// Per-lookup timeout.
    pub timeout: Duration,
}

fn classify(e: &ResolveError) -> LookupStatus {
    if let Some(p) = e.proto() {
        match p.kind() {
            ProtoErrorKind::NoRecordsFound { response_code, .. } => {
                return match *response_code {
                    ResponseCode::NXDomain => LookupStatus::NxDomain,
                    ResponseCode::NoError => LookupStatus::NoData,
                    ResponseCode::Refused => LookupStatus::Refused,
                    ResponseCode::ServFail => LookupStatus::ServerFailure,
                    _ => LookupStatus::Error,
                };
            }
            ProtoErrorKind::Timeout => return LookupStatus::TimedOut,
            _ => {}
        }
    }
    let text = e.to_string().to_ascii_lowercase();
    if text.contains("timed out") || text.contains("timeout") {
        LookupStatus::TimedOut
    } else if text.contains("refused") {
        LookupStatus::Refused
    } else if text.contains("servfail") || text.contains("server failure") {
        LookupStatus::ServerFailure
    } else {
        LookupStatus::Error
    }
}

/// A failed lookup's status and the resolver's words.
type Failure = (LookupStatus, String);

// ------------------------------------------------------------------ report types

/// A provider, as a report names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRef {
    /// The table id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its client submission server.
    pub submission: ServerDef,
}

/// The domain's MX records and what they show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxReport {
    /// How the lookup ended.
    pub status: LookupStatus,
    /// The resolver's words when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The records, lowest preference first.
    pub records: Vec<MxRecord>,
    /// The provider the most preferred MX shows, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderRef>,
    /// For a Microsoft 365 domain: the tenant's MX endpoint, which direct send and relay
    /// through a connector must use (`contoso-com.mail.protection.outlook.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m365_endpoint: Option<String>,
}

/// `mail-auth`'s verdict in the report's terms.
fn verdict(r: SpfResult) -> SpfVerdict {
    match r {
        SpfResult::Pass => SpfVerdict::Pass,
        SpfResult::Fail => SpfVerdict::Fail,
        SpfResult::SoftFail => SpfVerdict::Softfail,
        SpfResult::Neutral => SpfVerdict::Neutral,
        SpfResult::TempError => SpfVerdict::Temperror,
        SpfResult::PermError => SpfVerdict::Permerror,
        SpfResult::None => SpfVerdict::None,
    }
}

/// One answer code of a blocklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsblCode {
    /// The A record.
    pub answer: Ipv4Addr,
    /// Text id of its meaning (`sbl`, `pbl-isp`, `public-resolver`).
    pub meaning: String,
    /// What kind of answer it is.
    pub kind: DnsblKind,
}

/// A blocklist of the built-in table (`data/dnsbl.toml`) or given on the command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsblDef {
    /// Stable id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The DNS zone queried.
    pub zone: String,
    /// Asked when no list is named.
    #[serde(default)]
    pub default: bool,
    /// Where listings are explained and removal is asked for.
    #[serde(default)]
    pub delist: Option<String>,
    /// Known answers.
    #[serde(default)]
    pub code: Vec<DnsblCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DnsblFile {
    list: Vec<DnsblDef>,
}

/// The built-in blocklists.
pub fn dnsbls() -> &'static [DnsblDef] {
    static TABLE: OnceLock<Vec<DnsblDef>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // the JSON build.rs makes of data/dnsbl.toml
        serde_json::from_str::<DnsblFile>(include_str!(concat!(env!("OUT_DIR"), "/dnsbl.json")))
            .unwrap_or_else(|e| panic!("embedded blocklist table is invalid: {e}"))
            .list
    })
}

/// A list by id or zone from the table, else an ad-hoc list for a zone (`--dnsbl ZONE`).
pub fn dnsbl(name: &str) -> DnsblDef {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    dnsbls().iter().find(|l| l.id == name || l.zone == name).cloned().unwrap_or_else(|| DnsblDef {
        id: name.clone(),
        name: name.clone(),
        zone: name,
        default: false,
        delist: None,
        code: Vec::new(),
    })
}

/// Everything `mailprobe dns` learns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsReport {
    /// The domain.
    pub domain: String,
    /// The sending IP checked, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// MX and provider.
    pub mx: MxReport,
    /// SPF.
    pub spf: SpfReport,
    /// DMARC.
    pub dmarc: DmarcReport,
    /// Blocklists (only with an IPv4 address).
    pub blocklists: Vec<DnsblResult>,
    /// Reverse DNS of the IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverse: Option<ReverseReport>,
}

impl DnsReport {
    /// The report as evidence for diagnosis: a [`Protocol::Dns`] transcript with one
    /// `dns_checked` event per check (MX, SPF, DMARC, each blocklist, reverse DNS).
    pub fn transcript(&self) -> Transcript {
        let endpoint = Endpoint { host: self.domain.clone(), port: 53, security: Security::None };
        let mut t = Transcript::new(Protocol::Dns, Role::Primary, endpoint);
        let mut push = |check: DnsCheck| t.push(0, Stage::Resolve, EventKind::DnsChecked { check });
        push(DnsCheck::Mx {
            domain: self.domain.clone(),
            status: self.mx.status,
            records: self.mx.records.clone(),
            provider: self.mx.provider.as_ref().map(|p| p.id.clone()),
            m365_endpoint: self.mx.m365_endpoint.clone(),
        });
        push(DnsCheck::Spf { domain: self.domain.clone(), report: self.spf.clone() });
        push(DnsCheck::Dmarc { domain: self.domain.clone(), report: self.dmarc.clone() });
        if let Some(ip) = self.ip {
            for result in &self.blocklists {
                push(DnsCheck::Blocklist { ip, result: result.clone() });
            }
            if let Some(report) = &self.reverse {
                push(DnsCheck::Reverse { ip, report: report.clone() });
            }
        }
        t
    }
}

// ------------------------------------------------------------------ the checker

/// Asks the DNS questions of `mailprobe dns`.
#[derive(Clone)]
pub struct DnsChecker {
    resolver: Resolver,
    auth: MessageAuthenticator,
    timeout: Duration,
}

impl std::fmt::Debug for DnsChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsChecker").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl DnsChecker {
    /// A checker asking `config.server`, or the system's resolver.
    pub fn new(config: DnsConfig) -> Result<Self, NetError> {
        use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
        let resolver = match config.server {
            Some(server) => Resolver::with_server(server, config.timeout),
            None => Resolver::system(config.timeout)?,
        };
        let auth = match config.server {
            Some(server) => {
                let mut ns = NameServerConfig::udp_and_tcp(server.ip());
                for c in &mut ns.connections {
                    c.port = server.port();
                }
                let mut opts = ResolverOpts::default();
                opts.timeout = config.timeout;
                opts.attempts = 1;
                MessageAuthenticator::new(ResolverConfig::from_name_servers(vec![ns]), opts)
            }
            None => MessageAuthenticator::new_system_conf(),
        }
        .map_err(|e| NetError::Resolver(e.to_string()))?;
        Ok(Self { resolver, auth, timeout: config.timeout })
    }

    /// The resolver the other lookups use.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The per-step timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    async fn bounded<T>(&self, f: impl Future<Output = Result<T, ResolveError>>) -> Result<T, Failure> {
        match tokio::time::timeout(self.timeout + Duration::from_millis(500), f).await {
            Err(_) => Err((LookupStatus::TimedOut, format!("no answer in {:?}", self.timeout))),
            Ok(Err(e)) => Err((classify(&e), e.to_string())),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// TXT strings of a name (each record's strings joined).
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, Failure> {
        let lookup = self.bounded(self.resolver.hickory().txt_lookup(fqdn(name))).await?;
        Ok(lookup
            .iter()
            .map(|t| t.txt_data().iter().map(|d| String::from_utf8_lossy(d)).collect::<String>())
            .collect())
    }

    /// MX records, lowest preference first.
    pub async fn mx_records(&self, domain: &str) -> Result<Vec<(u16, String)>, Failure> {
        let lookup = self.bounded(self.resolver.hickory().mx_lookup(fqdn(domain))).await?;
        let mut v: Vec<(u16, String)> =
            lookup.iter().map(|mx| (mx.preference(), trim_dot(&mx.exchange().to_ascii()))).collect();
        v.sort();
        Ok(v)
    }

    /// IPv4 and IPv6 addresses of a name.
    pub async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, Failure> {
        let lookup = self.bounded(self.resolver.hickory().lookup_ip(fqdn(name))).await?;
        Ok(lookup.iter().collect())
    }

    /// SRV records: (priority, weight, port, target without trailing dot).
    pub async fn srv(&self, name: &str) -> Result<Vec<(u16, u16, u16, String)>, Failure> {
        let lookup = self.bounded(self.resolver.hickory().srv_lookup(fqdn(name))).await?;
        let mut v: Vec<_> = lookup
            .iter()
            .map(|s| (s.priority(), s.weight(), s.port(), trim_dot(&s.target().to_ascii())))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        Ok(v)
    }

    /// MX records and the provider they show.
    pub async fn mx(&self, domain: &str) -> MxReport {
        match self.mx_records(domain).await {
            Ok(records) => mx_report(records),
            Err((status, detail)) => MxReport {
                status,
                detail: Some(detail),
                records: Vec::new(),
                provider: None,
                m365_endpoint: None,
            },
        }
    }

    /// SPF of `domain`, evaluated for `ip` when given.
    pub async fn spf(&self, domain: &str, ip: Option<IpAddr>) -> SpfReport {
        let domain = trim_dot(domain);
        let (status, detail, records) = match self.txt(&domain).await {
            Ok(txt) => {
                let spf: Vec<String> = txt.into_iter().filter(|t| is_spf(t)).collect();
                (if spf.is_empty() { LookupStatus::NoData } else { LookupStatus::Found }, None, spf)
            }
            Err((status, detail)) => (status, Some(detail), Vec::new()),
        };
        let mut report = SpfReport {
            status,
            detail,
            direct_ips: records.first().map(|r| direct_ips(r)).unwrap_or_default(),
            records,
            ip,
            result: None,
            matched: None,
            chain: Vec::new(),
            lookups: 0,
            lookup_limit: LOOKUP_LIMIT,
            permerror: None,
            trace_incomplete: false,
        };
        let Some(ip) = ip else { return report };
        let caches = Caches::default();
        let sender = format!("postmaster@{domain}");
        let params = Parameters {
            params: SpfParameters::verify_mail_from(ip, &domain, "mailprobe.invalid", &sender),
            cache_txt: Some(&caches.txt),
            cache_mx: Some(&caches.mx),
            cache_ptr: Some(&caches.ptr),
            cache_ipv4: Some(&caches.v4),
            cache_ipv6: Some(&caches.v6),
        };
        let output = self.auth.check_host(params).await;
        let verdict = verdict(output.result());
        report.result = Some(verdict);
        let trace = Walker::new(&caches, ip, &domain).run(&domain);
        report.chain = trace.chain;
        report.lookups = trace.lookups;
        if trace.verdict == verdict {
            report.matched = trace.matched;
            report.permerror = trace.permerror;
        } else {
            report.trace_incomplete = true;
            if verdict == SpfVerdict::Permerror {
                report.permerror = Some(SpfPermerror::Unknown);
            }
        }
        // Raw records for the chain, for people to read (the trace holds parsed ones).
        for step in &mut report.chain {
            if step.record.is_none() && step.problem.is_none() {
                step.record = match self.txt(&step.domain).await {
                    Ok(t) => t.into_iter().find(|r| is_spf(r)),
                    Err(_) => None,
                };
            }
        }
        report
    }

    /// DMARC record of the domain, else of its organizational domain.
    pub async fn dmarc(&self, domain: &str) -> DmarcReport {
        let domain = trim_dot(domain);
        let mut names = vec![format!("_dmarc.{domain}")];
        let org = organizational_domain(&domain);
        if org != domain {
            names.push(format!("_dmarc.{org}"));
        }
        let mut first_status = None;
        for name in names {
            let status = match self.txt(&name).await {
                Ok(txt) => match txt
                    .into_iter()
                    .find(|t| t.trim_start().to_ascii_lowercase().starts_with("v=dmarc1"))
                {
                    Some(record) => return parse_dmarc(&name, record),
                    None => LookupStatus::NoData,
                },
                Err((status, _)) => status,
            };
            first_status.get_or_insert(status);
            if !status.answered() {
                break;
            }
        }
        DmarcReport {
            status: first_status.unwrap_or(LookupStatus::NoData),
            found_at: None,
            record: None,
            policy: None,
            subdomain_policy: None,
            pct: None,
            rua: Vec::new(),
            aspf: None,
            invalid: false,
        }
    }

    /// Asks each blocklist about `ip` (IPv4 only; DNSBLs of IPv6 are rare), concurrently.
    pub async fn blocklists(&self, ip: Ipv4Addr, lists: &[DnsblDef]) -> Vec<DnsblResult> {
        // Few lists: all at once, in their order.
        join_all(lists.iter().map(|l| self.blocklist(ip, l))).await
    }

    async fn blocklist(&self, ip: Ipv4Addr, list: &DnsblDef) -> DnsblResult {
        let [a, b, c, d] = ip.octets();
        let query = format!("{d}.{c}.{b}.{a}.{}", list.zone);
        let mut result = DnsblResult {
            id: list.id.clone(),
            name: list.name.clone(),
            zone: list.zone.clone(),
            query: query.clone(),
            status: DnsblStatus::NotAnswered,
            lookup: LookupStatus::Found,
            answers: Vec::new(),
            txt: Vec::new(),
            delist: list.delist.clone(),
            detail: None,
        };
        let lookup = self.bounded(self.resolver.hickory().ipv4_lookup(fqdn(&query))).await;
        match lookup {
            Ok(l) => {
                let mut answers: Vec<Ipv4Addr> = l.iter().map(|a| a.0).collect();
                answers.sort();
                answers.dedup();
                result.answers = answers.iter().map(|a| dnsbl_meaning(list, *a)).collect();
                let kinds: Vec<DnsblKind> = result.answers.iter().map(|a| a.kind).collect();
                result.status = if kinds.contains(&DnsblKind::Listed) {
                    DnsblStatus::Listed
                } else if kinds.contains(&DnsblKind::Policy) {
                    DnsblStatus::Policy
                } else {
                    DnsblStatus::NotAnswered
                };
                if matches!(result.status, DnsblStatus::Listed | DnsblStatus::Policy) {
                    result.txt = self.txt(&query).await.unwrap_or_default();
                }
            }
            Err((status, detail)) => {
                result.lookup = status;
                result.status = match status {
                    LookupStatus::NxDomain | LookupStatus::NoData => DnsblStatus::NotListed,
                    _ => DnsblStatus::NotAnswered,
                };
                if result.status == DnsblStatus::NotAnswered {
                    result.detail = Some(detail);
                }
            }
        }
        result
    }

    /// PTR names of `ip`, and whether one resolves back to it.
    pub async fn reverse(&self, ip: IpAddr) -> ReverseReport {
        match self.bounded(self.resolver.hickory().reverse_lookup(ip)).await {
            Ok(lookup) => {
                let names: Vec<String> = lookup.iter().map(|n| trim_dot(&n.0.to_ascii())).collect();
                let mut confirmed = false;
                for n in &names {
                    if self.addresses(n).await.is_ok_and(|a| a.contains(&ip)) {
                        confirmed = true;
                        break;
                    }
                }
                let forward_confirmed = (!names.is_empty()).then_some(confirmed);
                ReverseReport {
                    status: if names.is_empty() { LookupStatus::NoData } else { LookupStatus::Found },
                    names,
                    forward_confirmed,
                }
            }
            Err((status, _)) => ReverseReport { status, names: Vec::new(), forward_confirmed: None },
        }
    }

    /// All of it: MX, SPF (for `ip`), DMARC, blocklists and reverse DNS of `ip`.
    pub async fn check(&self, domain: &str, ip: Option<IpAddr>, lists: &[DnsblDef]) -> DnsReport {
        let domain = trim_dot(domain).to_ascii_lowercase();
        let blocklists = async {
            match ip {
                Some(IpAddr::V4(v4)) => self.blocklists(v4, lists).await,
                _ => Vec::new(),
            }
        };
        let reverse = async {
            match ip {
                Some(ip) => Some(self.reverse(ip).await),
                None => None,
            }
        };
        let (mx, spf, dmarc, blocklists, reverse) =
            tokio::join!(self.mx(&domain), self.spf(&domain, ip), self.dmarc(&domain), blocklists, reverse);
        DnsReport { domain, ip, mx, spf, dmarc, blocklists, reverse }
    }
}

/// Runs futures concurrently and keeps their order (a few at a time is all this needs).
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    results.into_iter().flatten().collect()
}

fn fqdn(name: &str) -> String {
    let n = name.trim();
    if n.ends_with('.') { n.to_owned() } else { format!("{n}.") }
}

fn trim_dot(name: &str) -> String {
    name.trim().trim_end_matches('.').to_owned()
}

fn is_spf(txt: &str) -> bool {
    let t = txt.trim_start().to_ascii_lowercase();
    t == "v=spf1" || t.starts_with("v=spf1 ")
}

/// The Microsoft 365 MX endpoint suffix.
const M365_MX_SUFFIX: &str = ".mail.protection.outlook.com";

fn mx_report(records: Vec<(u16, String)>) -> MxReport {
    let records: Vec<MxRecord> = records
        .into_iter()
        .map(|(preference, host)| MxRecord {
            preference,
            provider: provider_for_mx(&host).map(|p| p.id.clone()),
            host,
        })
        .collect();
    let provider = records.iter().find_map(|r| provider_for_mx(&r.host)).map(|p| ProviderRef {
        id: p.id.clone(),
        name: p.name.clone(),
        submission: p.smtp.clone(),
    });
    let m365_endpoint = records
        .iter()
        .map(|r| r.host.to_ascii_lowercase())
        .find(|h| h.ends_with(M365_MX_SUFFIX) && !h.ends_with(&format!(".olc{M365_MX_SUFFIX}")));
    let status = if records.is_empty() { LookupStatus::NoData } else { LookupStatus::Found };
    MxReport { status, detail: None, records, provider, m365_endpoint }
}

/// The `ip4:` / `ip6:` terms of a record (with their masks).
fn direct_ips(record: &str) -> Vec<String> {
    record
        .split_ascii_whitespace()
        .map(|t| t.trim_start_matches(['+', '-', '~', '?']))
        .filter_map(|t| {
            let lower = t.to_ascii_lowercase();
            (lower.starts_with("ip4:") || lower.starts_with("ip6:")).then(|| t[4..].to_owned())
        })
        .collect()
}

/// Short list of public suffixes with two labels, for the organizational domain of DMARC (a
/// simplification of the Public Suffix List: enough for the common cases).
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp", "com.br",
    "com.mx", "co.za", "com.tr", "com.cn", "co.in", "gov.it", "edu.it",
];

/// The organizational domain (RFC 7489 section 3.2), approximately.
pub fn organizational_domain(domain: &str) -> String {
    let domain = trim_dot(domain).to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let keep =
        if labels.len() >= 3 && TWO_LABEL_SUFFIXES.contains(&labels[labels.len() - 2..].join(".").as_str()) {
            3
        } else {
            2
        };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

fn parse_dmarc(name: &str, record: String) -> DmarcReport {
    let mut tags: HashMap<String, String> = HashMap::new();
    let mut first = None;
    for part in record.split(';') {
        if let Some((k, v)) = part.split_once('=') {
            let k = k.trim().to_ascii_lowercase();
            first.get_or_insert(k.clone());
            tags.insert(k, v.trim().to_owned());
        }
    }
    let policy = tags.get("p").map(|p| p.to_ascii_lowercase());
    let valid_policy = |p: &String| matches!(p.as_str(), "none" | "quarantine" | "reject");
    let invalid = first.as_deref() != Some("v") || !policy.as_ref().is_some_and(valid_policy);
    DmarcReport {
        status: LookupStatus::Found,
        found_at: Some(name.to_owned()),
        policy,
        subdomain_policy: tags.get("sp").map(|p| p.to_ascii_lowercase()),
        pct: tags.get("pct").and_then(|p| p.parse().ok()),
        rua: tags
            .get("rua")
            .map(|r| r.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default(),
        aspf: tags.get("aspf").cloned(),
        record: Some(record),
        invalid,
    }
}

fn dnsbl_meaning(list: &DnsblDef, answer: Ipv4Addr) -> DnsblAnswer {
    if let Some(c) = list.code.iter().find(|c| c.answer == answer) {
        return DnsblAnswer { answer, meaning: c.meaning.clone(), kind: c.kind };
    }
    let [a, b, c, _] = answer.octets();
    if a == 127 && !(b == 255 && c == 255) {
        DnsblAnswer { answer, meaning: "listed".into(), kind: DnsblKind::Listed }
    } else {
        DnsblAnswer { answer, meaning: "not-a-listing".into(), kind: DnsblKind::NotAnswered }
    }
}

// ------------------------------------------------------------------ SPF trace

/// A cache that keeps every answer `mail-auth` got, for the trace.
struct Recording<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Recording<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq, V: Clone> Recording<K, V> {
    fn lookup<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }
}

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for Recording<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lookup(name)
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(name)
    }

    fn insert(&self, key: K, value: V, _valid_until: std::time::Instant) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key, value);
    }
}

#[derive(Default)]
struct Caches {
    txt: Recording<Box<str>, Txt>,
    mx: Recording<Box<str>, RecordSet<MX>>,
    v4: Recording<Box<str>, RecordSet<Ipv4Addr>>,
    v6: Recording<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Recording<IpAddr, RecordSet<Box<str>>>,
}

/// What the walk over the recorded answers found.
struct Trace {
    verdict: SpfVerdict,
    matched: Option<SpfMatch>,
    chain: Vec<SpfStep>,
    lookups: u32,
    permerror: Option<SpfPermerror>,
}

/// How evaluating one record ended.
enum Outcome {
    /// A mechanism matched with this qualifier.
    Matched(SpfVerdict, SpfMatch),
    /// Nothing matched.
    NoMatch,
    /// Evaluation stopped.
    Stop(SpfVerdict, Option<SpfPermerror>),
}

struct Walker<'a> {
    caches: &'a Caches,
    ip: IpAddr,
    vars: Variables<'static>,
    /// Lookups counted like `mail-auth`'s limit (starts at 1, allows while <= 10).
    counter: u32,
    chain: Vec<SpfStep>,
    stack: Vec<String>,
}

impl<'a> Walker<'a> {
    fn new(caches: &'a Caches, ip: IpAddr, domain: &str) -> Self {
        let mut vars = Variables::new();
        vars.set_ip(&ip);
        vars.set_sender(format!("postmaster@{domain}").into_bytes());
        vars.set_domain(domain.as_bytes().to_vec());
        vars.set_host_domain(b"mailprobe.invalid".to_vec());
        vars.set_helo_domain(domain.as_bytes().to_vec());
        Self { caches, ip, vars, counter: 1, chain: Vec::new(), stack: Vec::new() }
    }

    fn can_lookup(&mut self) -> bool {
        if self.counter <= LOOKUP_LIMIT {
            self.counter += 1;
            true
        } else {
            false
        }
    }

    fn record(&self, name: &str) -> Result<std::sync::Arc<Spf>, Option<mail_auth::Error>> {
        match self.caches.txt.lookup(fqdn(name).to_ascii_lowercase().as_str()) {
            Some(Txt::Spf(spf)) => Ok(spf),
            Some(Txt::Error(e)) => Err(Some(e)),
            Some(_) => Err(None),
            None => Err(None),
        }
    }

    fn target(&mut self, m: &Macro, domain: &str) -> String {
        self.vars.set_domain(domain.as_bytes().to_vec());
        m.eval(&self.vars, domain, true).into_owned()
    }

    fn run(mut self, domain: &str) -> Trace {
        let outcome = match self.record(domain) {
            Ok(spf) => {
                self.chain.push(SpfStep {
                    domain: domain.to_owned(),
                    via: SpfVia::Domain,
                    depth: 0,
                    record: None,
                    problem: None,
                });
                self.stack.push(domain.to_owned());
                self.evaluate(&spf, domain, 0)
            }
            Err(Some(mail_auth::Error::ParseError)) => {
                self.chain.push(step(domain, SpfVia::Domain, 0, "syntax error"));
                Outcome::Stop(SpfVerdict::Permerror, Some(SpfPermerror::Syntax))
            }
            Err(_) => Outcome::Stop(SpfVerdict::None, None),
        };
        let lookups = self.counter - 1;
        let (verdict, matched, permerror) = match outcome {
            Outcome::Matched(v, m) => (v, Some(m), None),
            Outcome::NoMatch => (SpfVerdict::Neutral, None, None),
            Outcome::Stop(v, p) => (v, None, p),
        };
        Trace { verdict, matched, chain: self.chain, lookups, permerror }
    }

    fn too_many(&self, target: &str) -> Outcome {
        let reason = if self.stack.iter().any(|d| d.eq_ignore_ascii_case(target)) {
            SpfPermerror::Loop
        } else {
            SpfPermerror::TooManyLookups
        };
        Outcome::Stop(SpfVerdict::Permerror, Some(reason))
    }

    /// Evaluates one record, following its includes and its redirect.
    fn evaluate(&mut self, spf: &Spf, domain: &str, depth: u32) -> Outcome {
        for directive in spf.directives.iter() {
            let qualifier = verdict_of(&directive.qualifier);
            let shown = || {
                format!("{}{}", qualifier_prefix(&directive.qualifier), mechanism_text(&directive.mechanism))
            };
            let matched = match &directive.mechanism {
                Mechanism::All => true,
                Mechanism::Ip4 { addr, mask } => match self.ip {
                    IpAddr::V4(ip) => u32::from(ip) & mask == u32::from(*addr) & mask,
                    IpAddr::V6(ip) => {
                        ip.to_ipv4_mapped().is_some_and(|ip| u32::from(ip) & mask == u32::from(*addr) & mask)
                    }
                },
                Mechanism::Ip6 { addr, mask } => match self.ip {
                    IpAddr::V6(ip) => u128::from(ip) & mask == u128::from(*addr) & mask,
                    IpAddr::V4(_) => false,
                },
                Mechanism::A { macro_string, ip4_mask, ip6_mask } => {
                    let target = self.target(macro_string, domain);
                    if !self.can_lookup() {
                        return self.too_many(&target);
                    }
                    self.addresses_match(&target, *ip4_mask, *ip6_mask)
                }
                Mechanism::Mx { macro_string, ip4_mask, ip6_mask } => {
                    let target = self.target(macro_string, domain);
                    if !self.can_lookup() {
                        return self.too_many(&target);
                    }
                    let mut found = false;
                    if let Some(mx) = self.caches.mx.lookup(fqdn(&target).to_ascii_lowercase().as_str()) {
                        for (n, exchange) in mx.rrset.iter().flat_map(|m| m.exchanges.iter()).enumerate() {
                            if n > 9 {
                                return Outcome::Stop(SpfVerdict::Permerror, Some(SpfPermerror::TooManyMx));
                            }
                            if self.addresses_match(exchange, *ip4_mask, *ip6_mask) {
                                found = true;
                                break;
                            }
                        }
                    }
                    found
                }
                Mechanism::Include { macro_string } => {
                    let target = self.target(macro_string, domain);
                    if !self.can_lookup() {
                        return self.too_many(&target);
                    }
                    match self.record(&target) {
                        Ok(included) => {
                            self.chain.push(SpfStep {
                                domain: target.clone(),
                                via: SpfVia::Include,
                                depth: depth + 1,
                                record: None,
                                problem: None,
                            });
                            self.stack.push(target.clone());
                            let inner = self.evaluate(&included, &target, depth + 1);
                            self.stack.pop();
                            self.vars.set_domain(domain.as_bytes().to_vec());
                            match inner {
                                Outcome::Matched(SpfVerdict::Pass, mut m) => {
                                    m.through.insert(0, shown());
                                    return Outcome::Matched(qualifier, m);
                                }
                                Outcome::Matched(..) | Outcome::NoMatch => false,
                                stop @ Outcome::Stop(..) => return stop,
                            }
                        }
                        Err(Some(mail_auth::Error::ParseError)) => {
                            self.chain.push(step(&target, SpfVia::Include, depth + 1, "syntax error"));
                            return Outcome::Stop(SpfVerdict::Permerror, Some(SpfPermerror::Syntax));
                        }
                        Err(_) => {
                            self.chain.push(step(&target, SpfVia::Include, depth + 1, "no SPF record"));
                            return Outcome::Stop(
                                SpfVerdict::Permerror,
                                Some(SpfPermerror::IncludeWithoutSpf),
                            );
                        }
                    }
                }
                Mechanism::Ptr { .. } | Mechanism::Exists { .. } => {
                    // Rare, and deprecated for ptr: counted, and left to mail-auth's verdict.
                    if !self.can_lookup() {
                        return self.too_many(domain);
                    }
                    return Outcome::Stop(SpfVerdict::Neutral, None).untraceable();
                }
            };
            if matched {
                return Outcome::Matched(
                    qualifier,
                    SpfMatch { mechanism: shown(), domain: domain.to_owned(), through: Vec::new() },
                );
            }
        }
        if let Some(redirect) = &spf.redirect {
            let target = self.target(redirect, domain);
            if !self.can_lookup() {
                return self.too_many(&target);
            }
            return match self.record(&target) {
                Ok(next) => {
                    self.chain.push(SpfStep {
                        domain: target.clone(),
                        via: SpfVia::Redirect,
                        depth,
                        record: None,
                        problem: None,
                    });
                    self.stack.push(target.clone());
                    self.evaluate(&next, &target, depth)
                }
                Err(Some(mail_auth::Error::ParseError)) => {
                    self.chain.push(step(&target, SpfVia::Redirect, depth, "syntax error"));
                    Outcome::Stop(SpfVerdict::Permerror, Some(SpfPermerror::Syntax))
                }
                Err(_) => {
                    self.chain.push(step(&target, SpfVia::Redirect, depth, "no SPF record"));
                    Outcome::Stop(SpfVerdict::Permerror, Some(SpfPermerror::RedirectWithoutSpf))
                }
            };
        }
        Outcome::NoMatch
    }

    fn addresses_match(&self, name: &str, ip4_mask: u32, ip6_mask: u128) -> bool {
        let key = fqdn(name).to_ascii_lowercase();
        match self.ip {
            IpAddr::V4(ip) => self.caches.v4.lookup(key.as_str()).is_some_and(|s| {
                s.rrset.iter().any(|a| u32::from(*a) & ip4_mask == u32::from(ip) & ip4_mask)
            }),
            IpAddr::V6(ip) => self.caches.v6.lookup(key.as_str()).is_some_and(|s| {
                s.rrset.iter().any(|a| u128::from(*a) & ip6_mask == u128::from(ip) & ip6_mask)
            }),
        }
    }
}

impl Outcome {
    /// A result the walk cannot reproduce: a verdict that will not equal `mail-auth`'s unless
    /// by chance, so the report marks the trace incomplete.
    fn untraceable(self) -> Self {
        Outcome::Stop(SpfVerdict::Temperror, None)
    }
}

fn step(domain: &str, via: SpfVia, depth: u32, problem: &str) -> SpfStep {
    SpfStep { domain: domain.to_owned(), via, depth, record: None, problem: Some(problem.to_owned()) }
}

fn verdict_of(q: &Qualifier) -> SpfVerdict {
    match q {
        Qualifier::Pass => SpfVerdict::Pass,
        Qualifier::Fail => SpfVerdict::Fail,
        Qualifier::SoftFail => SpfVerdict::Softfail,
        Qualifier::Neutral => SpfVerdict::Neutral,
    }
}

fn qualifier_prefix(q: &Qualifier) -> &'static str {
    match q {
        Qualifier::Pass => "",
        Qualifier::Fail => "-",
        Qualifier::SoftFail => "~",
        Qualifier::Neutral => "?",
    }
}

fn macro_text(m: &Macro) -> String {
    match m {
        Macro::Literal(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Macro::Variable { letter, .. } => {
            let c = match letter {
                Variable::Sender => 's',
                Variable::SenderLocalPart => 'l',
                Variable::SenderDomainPart => 'o',
                Variable::Domain => 'd',
                Variable::Ip => 'i',
                Variable::ValidatedDomain => 'p',
                Variable::IpVersion => 'v',
                Variable::HeloDomain => 'h',
                Variable::SmtpIp => 'c',
                Variable::HostDomain => 'r',
                Variable::CurrentTime => 't',
            };
            format!("%{{{c}}}")
        }
        Macro::List(items) => items.iter().map(macro_text).collect(),
        Macro::None => String::new(),
    }
}

fn with_target(name: &str, m: &Macro) -> String {
    match m {
        Macro::None => name.to_owned(),
        m => format!("{name}:{}", macro_text(m)),
    }
}

fn masks(ip4: u32, ip6: u128) -> String {
    let mut s = String::new();
    if ip4 != u32::MAX {
        s.push_str(&format!("/{}", ip4.count_ones()));
    }
    if ip6 != u128::MAX {
        s.push_str(&format!("//{}", ip6.count_ones()));
    }
    s
}

fn mechanism_text(m: &Mechanism) -> String {
    match m {
        Mechanism::All => "all".into(),
        Mechanism::Ip4 { addr, mask } => {
            let bits = mask.count_ones();
            if bits == 32 { format!("ip4:{addr}") } else { format!("ip4:{addr}/{bits}") }
        }
        Mechanism::Ip6 { addr, mask } => {
            let bits = mask.count_ones();
            if bits == 128 { format!("ip6:{addr}") } else { format!("ip6:{addr}/{bits}") }
        }
        Mechanism::A { macro_string, ip4_mask, ip6_mask } => {
            format!("{}{}", with_target("a", macro_string), masks(*ip4_mask, *ip6_mask))
        }
        Mechanism::Mx { macro_string, ip4_mask, ip6_mask } => {
            format!("{}{}", with_target("mx", macro_string), masks(*ip4_mask, *ip6_mask))
        }
        Mechanism::Include { macro_string } => format!("include:{}", macro_text(macro_string)),
        Mechanism::Ptr { macro_string } => with_target("ptr", macro_string),
        Mechanism::Exists { macro_string } => format!("exists:{}", macro_text(macro_string)),
    }
}

// The `dns` fuzz target's entry (issue 17): a child module, so the private readers stay
// private; empty unless built with cargo-fuzz's `--cfg fuzzing` or for tests.
#[allow(unexpected_cfgs)]
pub(crate) mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dnsbl_table_and_meanings() {
        let zen = dnsbl("zen.spamhaus.org");
        assert_eq!(zen.id, "spamhaus-zen");
        assert!(dnsbls().iter().filter(|l| l.default).count() >= 3);
        let m = |a: [u8; 4]| dnsbl_meaning(&zen, Ipv4Addr::from(a));
        assert_eq!(m([127, 0, 0, 2]).meaning, "sbl");
        assert_eq!(m([127, 0, 0, 4]).meaning, "xbl");
        assert_eq!(m([127, 0, 0, 10]).kind, DnsblKind::Policy);
        assert_eq!(m([127, 255, 255, 254]).kind, DnsblKind::NotAnswered);
        assert_eq!(m([127, 255, 255, 254]).meaning, "public-resolver");
        assert_eq!(m([127, 0, 0, 200]).kind, DnsblKind::Listed);
        assert_eq!(m([192, 0, 2, 1]).kind, DnsblKind::NotAnswered);
        let custom = dnsbl("dnsbl.example.test");
        assert_eq!(custom.zone, "dnsbl.example.test");
        assert!(custom.code.is_empty());
    }

    #[test]
    fn dmarc_parsing() {
        let d = parse_dmarc(
            "_dmarc.x.test",
            "v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:a@x.test,mailto:b@x.test".into(),
        );
        assert_eq!(d.policy.as_deref(), Some("reject"));
        assert_eq!(d.subdomain_policy.as_deref(), Some("none"));
        assert_eq!(d.pct, Some(50));
        assert_eq!(d.rua.len(), 2);
        assert!(!d.invalid);
        assert!(parse_dmarc("n", "v=DMARC1; rua=mailto:a@x".into()).invalid);
        assert!(parse_dmarc("n", "p=none; v=DMARC1".into()).invalid);
    }

    #[test]
    fn organizational_domains() {
        assert_eq!(organizational_domain("mail.contoso.com"), "contoso.com");
        assert_eq!(organizational_domain("contoso.com."), "contoso.com");
        assert_eq!(organizational_domain("a.b.example.co.uk"), "example.co.uk");
        assert_eq!(organizational_domain("test"), "test");
    }

    #[test]
    fn direct_ip_terms() {
        assert_eq!(
            direct_ips("v=spf1 ip4:203.0.113.10 +ip4:198.51.100.0/24 ip6:2001:db8::/32 include:x -all"),
            vec!["203.0.113.10", "198.51.100.0/24", "2001:db8::/32"]
        );
    }

    #[test]
    fn mx_provider_and_m365_endpoint() {
        let r = mx_report(vec![(0, "contoso-com.mail.protection.outlook.com".into())]);
        assert_eq!(r.provider.as_ref().map(|p| p.id.as_str()), Some("m365"));
        assert_eq!(r.m365_endpoint.as_deref(), Some("contoso-com.mail.protection.outlook.com"));
        let r = mx_report(vec![(1, "aspmx.l.google.com".into()), (5, "alt1.aspmx.l.google.com".into())]);
        assert_eq!(r.provider.as_ref().map(|p| p.id.as_str()), Some("gmail"));
        assert!(r.m365_endpoint.is_none());
        let r = mx_report(vec![(10, "hotmail-com.olc.protection.outlook.com".into())]);
        assert_eq!(r.provider.as_ref().map(|p| p.id.as_str()), Some("outlook"));
        assert!(r.m365_endpoint.is_none());
    }
}
