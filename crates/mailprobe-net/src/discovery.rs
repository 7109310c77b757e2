//! Provider discovery: which SMTP (and IMAP) server a mail address should use, found the way
//! mail programs find it, in this order, stopping at the first that answers:
//!
//! 1. the built-in provider table (mailprobe-providers' `data/providers.toml`), by the address's domain;
//! 2. RFC 6186 / RFC 8314 SRV records: `_submissions._tcp` (implicit TLS), `_submission._tcp`
//!    (STARTTLS), `_imaps._tcp`, `_imap._tcp`;
//! 3. the autoconfig XML of Thunderbird and others: `autoconfig.DOMAIN/mail/config-v1.1.xml`, then
//!    `DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml`, each over HTTPS then HTTP;
//! 4. the domain's MX records, when they point at a provider the table knows.
//!
//! Every step asked is kept, with what it found or why it found nothing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use mailprobe_proto::Security;
use rustls_pki_types::ServerName;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;

use crate::TrustStore;
use crate::dns_check::{DnsChecker, LookupStatus, ProviderRef};
use crate::trust::ChainCapture;
use mailprobe_providers::{ProviderDef, provider_for_domain, provider_for_mx};

/// Where a discovered setting came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscoverySource {
    /// The built-in provider table, by address domain.
    Table,
    /// SRV records (RFC 6186, RFC 8314).
    Srv,
    /// An autoconfig XML file.
    Autoconfig,
    /// The MX records point at a provider of the table.
    Mx,
}

/// A server found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundServer {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub security: Security,
}

/// One discovery step: what was asked and what came of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveryStep {
    /// The method.
    pub source: DiscoverySource,
    /// What was asked (a domain, a DNS name, a URL).
    pub query: String,
    /// True when it gave a server.
    pub found: bool,
    /// What came back, in a few words (`no such name`, `HTTP 404`, `smtp.x.test:465 SSL/TLS`).
    pub outcome: String,
}

/// What discovery found for a domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    /// The domain (of the address).
    pub domain: String,
    /// The method that gave the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<DiscoverySource>,
    /// The provider, when the table knows it (directly or through the MX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderRef>,
    /// The submission server to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp: Option<FoundServer>,
    /// The IMAP server, when found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imap: Option<FoundServer>,
    /// The answer came over plain HTTP, which anyone on the path could have changed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// Every step asked, in order.
    pub steps: Vec<DiscoveryStep>,
}

/// Discovery settings.
#[derive(Clone, Debug, Default)]
pub struct DiscoveryOptions {
    /// The address (for autoconfig's `emailaddress` parameter).
    pub address: Option<String>,
    /// Port for `http://` autoconfig URLs instead of 80 (tests).
    pub http_port: Option<u16>,
    /// Port for `https://` autoconfig URLs instead of 443 (tests).
    pub https_port: Option<u16>,
    /// Certificates trusted for HTTPS.
    pub trust: Option<TrustStore>,
}

fn provider_ref(p: &ProviderDef) -> ProviderRef {
    ProviderRef { id: p.id.clone(), name: p.name.clone(), submission: p.smtp.clone() }
}

fn from_def(s: &mailprobe_providers::ServerDef) -> FoundServer {
    FoundServer { host: s.host.clone(), port: s.port, security: s.security }
}

fn describe(s: &FoundServer) -> String {
    format!("{}:{} {}", s.host, s.port, s.security)
}

fn lookup_words(status: LookupStatus, detail: &str) -> String {
    match status {
        LookupStatus::Found => "found".into(),
        LookupStatus::NoData => "no record".into(),
        LookupStatus::NxDomain => "no such name".into(),
        LookupStatus::Refused => "refused by the DNS server".into(),
        LookupStatus::ServerFailure => "DNS server failure".into(),
        LookupStatus::TimedOut => "no DNS answer in time".into(),
        LookupStatus::Error => format!("DNS error: {detail}"),
    }
}

/// Finds the servers for `domain`.
pub async fn discover(checker: &DnsChecker, domain: &str, options: &DiscoveryOptions) -> Discovery {
    let domain = domain.trim().trim_end_matches('.');
    // One IDNA form for every step: the DNS names asked, the autoconfig URLs and their TLS name.
    let domain = crate::ascii_host(domain).unwrap_or_else(|_| domain.to_owned()).to_ascii_lowercase();
    let mut d = Discovery {
        domain: domain.clone(),
        source: None,
        provider: None,
        smtp: None,
        imap: None,
        insecure: false,
        steps: Vec::new(),
    };

    // 1. The table.
    match provider_for_domain(&domain) {
        Some(p) => {
            d.steps.push(DiscoveryStep {
                source: DiscoverySource::Table,
                query: domain.clone(),
                found: true,
                outcome: format!("{} ({})", p.name, describe(&from_def(&p.smtp))),
            });
            d.source = Some(DiscoverySource::Table);
            d.provider = Some(provider_ref(p));
            d.smtp = Some(from_def(&p.smtp));
            d.imap = Some(from_def(&p.imap));
            return d;
        }
        None => d.steps.push(DiscoveryStep {
            source: DiscoverySource::Table,
            query: domain.clone(),
            found: false,
            outcome: "not a domain of the built-in table".into(),
        }),
    }

    // 2. SRV.
    let (smtp, imap) = srv(checker, &domain, &mut d.steps).await;
    if let Some(smtp) = smtp {
        d.source = Some(DiscoverySource::Srv);
        d.provider = provider_for_host_ref(&smtp.host);
        d.smtp = Some(smtp);
        d.imap = imap;
        return d;
    }

    // 3. Autoconfig.
    let address = options.address.clone().unwrap_or_else(|| format!("postmaster@{domain}"));
    let candidates = [
        (
            format!("autoconfig.{domain}"),
            format!("/mail/config-v1.1.xml?emailaddress={}", query_escape(&address)),
        ),
        (domain.clone(), "/.well-known/autoconfig/mail/config-v1.1.xml".to_owned()),
    ];
    'outer: for (host, path) in candidates {
        for https in [true, false] {
            let port =
                if https { options.https_port.unwrap_or(443) } else { options.http_port.unwrap_or(80) };
            let url = format!(
                "{}://{host}{}{path}",
                if https { "https" } else { "http" },
                port_suffix(https, port)
            );
            let trust = options.trust.clone().unwrap_or_else(TrustStore::system);
            let fetched = fetch(checker, &trust, https, &host, port, &path).await;
            let (found, outcome) = match fetched {
                Ok(body) => match parse_autoconfig(&body, &domain, &address) {
                    Ok(cfg) if cfg.smtp.is_some() => {
                        let outcome = describe(cfg.smtp.as_ref().expect("checked"));
                        d.smtp = cfg.smtp;
                        d.imap = cfg.imap;
                        d.insecure = !https;
                        (true, outcome)
                    }
                    Ok(_) => (false, "no SMTP server in the file".to_owned()),
                    Err(e) => (false, format!("not autoconfig XML: {e}")),
                },
                Err(e) => (false, e),
            };
            d.steps.push(DiscoveryStep { source: DiscoverySource::Autoconfig, query: url, found, outcome });
            if found {
                d.source = Some(DiscoverySource::Autoconfig);
                d.provider = d.smtp.as_ref().and_then(|s| provider_for_host_ref(&s.host));
                return d;
            }
            if !https {
                continue 'outer;
            }
        }
    }

    // 4. MX.
    match checker.mx_records(&domain).await {
        Ok(records) => {
            let p = records.iter().find_map(|(_, h)| provider_for_mx(h));
            let hosts = records.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join(", ");
            d.steps.push(DiscoveryStep {
                source: DiscoverySource::Mx,
                query: domain.clone(),
                found: p.is_some(),
                outcome: match p {
                    Some(p) => format!("{hosts} → {}", p.name),
                    None if hosts.is_empty() => "no MX record".into(),
                    None => format!("{hosts}: not a provider of the built-in table"),
                },
            });
            if let Some(p) = p {
                d.source = Some(DiscoverySource::Mx);
                d.provider = Some(provider_ref(p));
                d.smtp = Some(from_def(&p.smtp));
                d.imap = Some(from_def(&p.imap));
            }
        }
        Err((status, detail)) => d.steps.push(DiscoveryStep {
            source: DiscoverySource::Mx,
            query: domain.clone(),
            found: false,
            outcome: lookup_words(status, &detail),
        }),
    }
    d
}

fn provider_for_host_ref(host: &str) -> Option<ProviderRef> {
    mailprobe_providers::provider_for_host(host).map(provider_ref)
}

fn port_suffix(https: bool, port: u16) -> String {
    if (https && port == 443) || (!https && port == 80) { String::new() } else { format!(":{port}") }
}

fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// RFC 6186 / 8314 SRV lookups. Implicit TLS (`_submissions`) is preferred, as RFC 8314 asks.
async fn srv(
    checker: &DnsChecker,
    domain: &str,
    steps: &mut Vec<DiscoveryStep>,
) -> (Option<FoundServer>, Option<FoundServer>) {
    let mut pick = async |service: &str, security: Security| -> Option<FoundServer> {
        let name = format!("{service}._tcp.{domain}");
        let (found, outcome) = match checker.srv(&name).await {
            Ok(records) => {
                // A single record with target "." says the service is not offered.
                match records.iter().find(|r| !r.3.is_empty() && r.2 != 0) {
                    Some((_, _, port, target)) => {
                        let s = FoundServer { host: target.clone(), port: *port, security };
                        let outcome = describe(&s);
                        (Some(s), outcome)
                    }
                    None => (None, "service not offered (target \".\")".to_owned()),
                }
            }
            Err((status, detail)) => (None, lookup_words(status, &detail)),
        };
        steps.push(DiscoveryStep {
            source: DiscoverySource::Srv,
            query: name,
            found: found.is_some(),
            outcome,
        });
        found
    };
    let mut smtp = pick("_submissions", Security::Tls).await;
    if smtp.is_none() {
        smtp = pick("_submission", Security::Starttls).await;
    }
    let mut imap = pick("_imaps", Security::Tls).await;
    if imap.is_none() {
        imap = pick("_imap", Security::Starttls).await;
    }
    (smtp, imap)
}

/// The servers an autoconfig file names.
#[derive(Debug, Default)]
struct AutoconfigServers {
    smtp: Option<FoundServer>,
    imap: Option<FoundServer>,
}

fn parse_autoconfig(body: &[u8], domain: &str, address: &str) -> Result<AutoconfigServers, String> {
    let text = std::str::from_utf8(body).map_err(|_| "not UTF-8".to_owned())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if root.tag_name().name() != "clientConfig" {
        return Err(format!("root element <{}>", root.tag_name().name()));
    }
    let local = address.split('@').next().unwrap_or("");
    let fill = |s: &str| {
        s.replace("%EMAILDOMAIN%", domain)
            .replace("%EMAILADDRESS%", address)
            .replace("%EMAILLOCALPART%", local)
    };
    let server = |node: roxmltree::Node<'_, '_>| -> Option<FoundServer> {
        let child = |name: &str| {
            node.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).map(|t| t.trim().to_owned())
        };
        // A file may name an internationalized host: its ASCII form, as every other host.
        let host = crate::ascii_host(&fill(&child("hostname")?)).ok()?;
        let port: u16 = child("port")?.parse().ok().filter(|p| *p != 0)?;
        let security = match child("socketType").as_deref().map(str::to_ascii_uppercase).as_deref() {
            Some("SSL") | Some("TLS") => Security::Tls,
            Some("STARTTLS") => Security::Starttls,
            Some("PLAIN") => Security::None,
            _ => Security::default_for_port(port),
        };
        (!host.is_empty()).then_some(FoundServer { host, port, security })
    };
    let mut out = AutoconfigServers::default();
    for provider in root.children().filter(|n| n.has_tag_name("emailProvider")) {
        for n in provider.children().filter(|n| n.is_element()) {
            let kind = n.attribute("type").unwrap_or("");
            if n.has_tag_name("outgoingServer") && kind == "smtp" && out.smtp.is_none() {
                out.smtp = server(n);
            }
            if n.has_tag_name("incomingServer") && kind == "imap" && out.imap.is_none() {
                out.imap = server(n);
            }
        }
    }
    Ok(out)
}

/// The most an autoconfig file may weigh.
const MAX_BODY: usize = 256 * 1024;

/// GETs `path` from `host`: resolved through the checker's DNS, HTTPS verified against `trust`,
/// every step bounded by the checker's timeout; follows up to three redirects.
async fn fetch(
    checker: &DnsChecker,
    trust: &TrustStore,
    https: bool,
    host: &str,
    port: u16,
    path: &str,
) -> Result<Vec<u8>, String> {
    let (mut https, mut host, mut port, mut path) = (https, host.to_owned(), port, path.to_owned());
    for _ in 0..4 {
        let (status, location, body) = get_once(checker, trust, https, &host, port, &path).await?;
        match (status, location) {
            (200, _) => return Ok(body),
            (301 | 302 | 303 | 307 | 308, Some(loc)) => {
                let (s, h, p, rest) = parse_url(&loc).ok_or_else(|| format!("HTTP {status} to {loc:?}"))?;
                (https, host, port, path) = (s, h, p, rest);
            }
            (status, _) => return Err(format!("HTTP {status}")),
        }
    }
    Err("too many redirects".into())
}

fn parse_url(url: &str) -> Option<(bool, String, u16, String)> {
    let (https, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else {
        (false, url.strip_prefix("http://")?)
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, if https { 443 } else { 80 }),
    };
    Some((https, crate::ascii_host(host).ok()?, port, path.to_owned()))
}

async fn get_once(
    checker: &DnsChecker,
    trust: &TrustStore,
    https: bool,
    host: &str,
    port: u16,
    path: &str,
) -> Result<(u16, Option<String>, Vec<u8>), String> {
    let timeout = checker_timeout(checker);
    let ips: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => checker.addresses(host).await.map_err(|(s, d)| lookup_words(s, &d))?,
    };
    let mut stream = None;
    let mut last = String::from("no address");
    for ip in ips {
        match tokio::time::timeout(timeout, TcpStream::connect(SocketAddr::new(ip, port))).await {
            Ok(Ok(s)) => {
                stream = Some(s);
                break;
            }
            Ok(Err(e)) => last = format!("cannot connect to {ip}:{port}: {e}"),
            Err(_) => last = format!("no connection to {ip}:{port} in {timeout:?}"),
        }
    }
    let stream = stream.ok_or(last)?;
    let request = hyper::Request::get(path)
        .header(
            hyper::header::HOST,
            if port_suffix(https, port).is_empty() { host.to_owned() } else { format!("{host}:{port}") },
        )
        .header(hyper::header::USER_AGENT, concat!("mailprobe/", env!("CARGO_PKG_VERSION")))
        .header(hyper::header::ACCEPT, "text/xml, application/xml")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let exchange = async {
        if https {
            let config =
                trust.client_config(&Arc::new(ChainCapture::default())).map_err(|e| e.to_string())?;
            let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, stream)
                .await
                .map_err(|e| format!("TLS: {e}"))?;
            send(TokioIo::new(tls), request).await
        } else {
            send(TokioIo::new(stream), request).await
        }
    };
    match tokio::time::timeout(timeout * 2, exchange).await {
        Ok(r) => r,
        Err(_) => Err(format!("no HTTP answer in {:?}", timeout * 2)),
    }
}

async fn send<T>(
    io: T,
    request: hyper::Request<Empty<Bytes>>,
) -> Result<(u16, Option<String>, Vec<u8>), String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.map_err(|e| e.to_string())?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let result = async {
        let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let location =
            response.headers().get(hyper::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
            .to_bytes()
            .to_vec();
        Ok((status, location, body))
    }
    .await;
    driver.abort();
    result
}

fn checker_timeout(checker: &DnsChecker) -> Duration {
    checker.timeout()
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="x.test"><domain>x.test</domain>
<incomingServer type="pop3"><hostname>pop.x.test</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
<incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>143</port><socketType>STARTTLS</socketType></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.x.test</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
<outgoingServer type="smtp"><hostname>smtp.x.test</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
</emailProvider></clientConfig>"#;

    #[test]
    fn autoconfig_first_smtp_and_imap() {
        let c = parse_autoconfig(XML.as_bytes(), "x.test", "a@x.test").unwrap();
        assert_eq!(
            c.smtp,
            Some(FoundServer { host: "smtp.x.test".into(), port: 465, security: Security::Tls })
        );
        assert_eq!(
            c.imap,
            Some(FoundServer { host: "imap.x.test".into(), port: 143, security: Security::Starttls })
        );
    }

    #[test]
    fn autoconfig_rejects_garbage() {
        assert!(parse_autoconfig(b"<html><body>hi</body></html>", "x", "a@x").is_err());
        assert!(parse_autoconfig(b"not xml <<<", "x", "a@x").is_err());
        assert!(parse_autoconfig(&[0xff, 0xfe], "x", "a@x").is_err());
        let none = parse_autoconfig(b"<clientConfig/>", "x", "a@x").unwrap();
        assert!(none.smtp.is_none());
        // A port that is not a number is no server.
        let bad = r#"<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>h</hostname><port>x</port></outgoingServer></emailProvider></clientConfig>"#;
        assert!(parse_autoconfig(bad.as_bytes(), "x", "a@x").unwrap().smtp.is_none());
    }

    #[test]
    fn urls() {
        assert_eq!(parse_url("https://a.test/x?y"), Some((true, "a.test".into(), 443, "/x?y".into())));
        assert_eq!(parse_url("http://a.test:8080"), Some((false, "a.test".into(), 8080, "/".into())));
        assert_eq!(parse_url("ftp://a"), None);
        assert_eq!(query_escape("a+b@x.test"), "a%2Bb%40x.test");
        assert_eq!(
            parse_url("https://bücher.example/x"),
            Some((true, "xn--bcher-kva.example".into(), 443, "/x".into()))
        );
    }

    /// Issue 17 item 8: a host an autoconfig file names in Unicode gets the ASCII form DNS and TLS
    /// both use.
    #[test]
    fn autoconfig_hosts_take_their_ascii_form() {
        let xml = r#"<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>smtp.bücher.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>"#;
        let c = parse_autoconfig(xml.as_bytes(), "x", "a@x").unwrap();
        assert_eq!(c.smtp.unwrap().host, "smtp.xn--bcher-kva.example");
    }
}
