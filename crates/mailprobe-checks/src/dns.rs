//! `dns`: the MX records and the provider they show (with Microsoft 365's MX endpoint for direct
//! send), SPF evaluated for an IP (the mechanism that decided, the include / redirect chain, the
//! lookup count, why a permerror), DMARC, blocklists with each answer's meaning, reverse DNS,
//! and optionally discovery; then the knowledge base's findings on them.

use std::net::IpAddr;

use mailprobe_kb::{Finding, KnowledgeBase, Lang};
use mailprobe_net::{DiscoveryOptions, DnsReport, DnsblDef, discover, dnsbl, dnsbls};
use mailprobe_proto::Context;
use mailprobe_report::DnsCheckReport;

use crate::{CheckEnv, CheckError, invalid};

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct DnsRequest {
    /// The mail domain (an address is taken for its domain).
    pub domain: String,
    /// The IP the device or server sends from: SPF is evaluated for it, and its blocklist
    /// listings and reverse DNS are checked.
    pub ip: Option<IpAddr>,
    /// Blocklists to ask about `ip`: ids of the built-in list or DNSBL zones (comma-separated
    /// lists allowed); empty: the built-in default lists.
    pub dnsbl: Vec<String>,
    /// Ask no blocklist.
    pub no_dnsbl: bool,
    /// Also find the submission server the way mail programs do.
    pub discover: bool,
    /// Port for http:// autoconfig URLs (tests).
    pub autoconfig_http_port: Option<u16>,
    /// Port for https:// autoconfig URLs (tests).
    pub autoconfig_https_port: Option<u16>,
}

/// The domain part of an address, or the name itself, in its ASCII (IDNA) form; `None` when it
/// cannot be a domain.
pub fn domain_of(input: &str) -> Option<String> {
    let d = input.trim().rsplit('@').next().unwrap_or("").trim_end_matches('.');
    let d = mailprobe_net::ascii_host(d).ok()?.to_ascii_lowercase();
    let valid = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    valid.then_some(d)
}

/// Runs the DNS checks and diagnoses them.
pub async fn dns(request: &DnsRequest, env: &CheckEnv) -> Result<DnsCheckReport, CheckError> {
    let Some(domain) = domain_of(&request.domain) else {
        return invalid(format!("{:?} is not a domain name", request.domain));
    };
    let lists: Vec<DnsblDef> = if request.no_dnsbl {
        Vec::new()
    } else if request.dnsbl.is_empty() {
        dnsbls().iter().filter(|l| l.default).cloned().collect()
    } else {
        let mut v = Vec::new();
        for name in request.dnsbl.iter().flat_map(|s| s.split(',')).filter(|s| !s.trim().is_empty()) {
            if domain_of(name).is_none() {
                return invalid(format!("--dnsbl {name:?} is not a list id or a DNS zone"));
            }
            v.push(dnsbl(name));
        }
        v
    };
    let checker = crate::dns_checker(env)?;
    let report = checker.check(&domain, request.ip, &lists).await;
    let discovery = if request.discover {
        let options = DiscoveryOptions {
            address: request.domain.contains('@').then(|| request.domain.trim().to_owned()),
            http_port: request.autoconfig_http_port,
            https_port: request.autoconfig_https_port,
            trust: None,
        };
        Some(discover(&checker, &domain, &options).await)
    } else {
        None
    };
    let findings = findings(&report, env.lang);
    Ok(DnsCheckReport::new(report, discovery, findings))
}

/// What the evidence means: the knowledge base's findings on the report's checks (the report as
/// a DNS transcript; the provider its MX records show selects provider-specific advice).
pub fn findings(r: &DnsReport, lang: Lang) -> Vec<Finding> {
    let context = Context {
        provider: r.mx.provider.as_ref().map(|p| p.id.clone()),
        host: r.domain.clone(),
        ..Context::default()
    };
    KnowledgeBase::builtin().diagnose(&context, &[r.transcript()], lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(domain_of("Alice@Contoso.COM"), Some("contoso.com".into()));
        assert_eq!(domain_of("contoso.com."), Some("contoso.com".into()));
        assert_eq!(domain_of("bad domain"), None);
        assert_eq!(domain_of("-x.com"), None);
        assert_eq!(domain_of(""), None);
        assert_eq!(domain_of("a..b"), None);
        // Issue 17 item 8: one IDNA form, the one DNS is asked with.
        assert_eq!(domain_of("alice@Bücher.example"), Some("xn--bcher-kva.example".into()));
        assert_eq!(domain_of("bü cher.example"), None);
    }
}
