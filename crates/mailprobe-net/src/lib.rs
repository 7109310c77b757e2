//! mailprobe's I/O driver: DNS, TCP, TLS and timeouts around `mailprobe-proto`'s sans-IO code.
//!
//! Probes record what happens as [`Transcript`]s; they never judge. Diagnosis is the knowledge
//! base's job. Every network step has its own timeout, and a failure is evidence, not an error:
//! the only errors here are set-up errors (an unreadable CA file, no resolver).

mod clock;
mod connect;
mod discovery;
mod dns_check;
mod hello_probe;
mod imap;
mod progress;
mod smtp;
mod trust;
mod wire;

use std::net::SocketAddr;
use std::time::Duration;

pub use clock::{DEFAULT_NTP_SERVER, http_date_check, sntp_check, token_clock_check};
pub use connect::Resolver;
pub use discovery::{Discovery, DiscoveryOptions, DiscoverySource, DiscoveryStep, FoundServer, discover};
pub use dns_check::{
    DmarcReport, DnsChecker, DnsConfig, DnsReport, DnsblAnswer, DnsblCode, DnsblDef, DnsblKind, DnsblResult,
    DnsblStatus, LookupStatus, MxRecord, MxReport, ProviderRef, ReverseReport, SpfMatch, SpfPermerror,
    SpfReport, SpfStep, SpfVerdict, SpfVia, dnsbl, dnsbls, organizational_domain,
};
pub use hello_probe::{probe_client_tls, scan_tls_versions};
pub use imap::{ImapTarget, probe_imap, probe_imap_greeting, probe_imap_with};
use mailprobe_proto::{Role, SaslMechanism, Secret, Security, TlsVersion, Transcript};
pub use mailprobe_providers::{
    ProviderDef, ServerDef, provider, provider_for_domain, provider_for_host, provider_for_mx, providers,
};
pub use progress::{ProbeObserver, observed};
pub use smtp::{Depth, probe_smtp};
pub use trust::{HttpsTrust, TrustStore, certificate_info};
pub use wire::tls_session;

/// Entry points of the fuzz targets in `fuzz/` for parsers private to this crate (the readers
/// of DNS answers). Empty unless built with cargo-fuzz's `--cfg fuzzing` (or for the tests).
#[doc(hidden)]
#[allow(unexpected_cfgs)] // cargo-fuzz sets `fuzzing`; the workspace's lints do not declare it
pub mod fuzzing {
    #[cfg(any(fuzzing, test))]
    pub use crate::dns_check::fuzz::dns_answers;
}

/// Set-up errors (probe failures are recorded in transcripts instead).
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A `--ca-file` could not be read or holds no certificate.
    #[error("cannot use CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The system resolver configuration could not be read.
    #[error("cannot set up DNS resolution: {0}")]
    Resolver(String),
    /// The TLS configuration could not be built.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
}

/// A host name that cannot be used: empty, with spaces or control characters, or a non-ASCII
/// name that is not a valid internationalized domain name.
#[derive(Debug, thiserror::Error)]
#[error("{name:?} is not a host name: {reason}")]
pub struct HostNameError {
    /// The name as given.
    pub name: String,
    /// Why.
    pub reason: &'static str,
}

/// A host name in the one form every step uses (DNS, the TLS server name, the certificate
/// check, provider rules, the report): IDNA's ASCII form (`bücher.example` →
/// `xn--bcher-kva.example`, UTS #46) for a name with non-ASCII characters; an ASCII name or an IP
/// address is returned as it is. Convert once, where the name is read: DNS and TLS then agree.
pub fn ascii_host(name: &str) -> Result<String, HostNameError> {
    let error = |reason| HostNameError { name: name.to_owned(), reason };
    if name.is_empty() {
        return Err(error("it is empty"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(error("it contains spaces or control characters"));
    }
    if name.is_ascii() {
        return Ok(name.to_owned());
    }
    idna::uts46::Uts46::new()
        .to_ascii(
            name.as_bytes(),
            idna::uts46::AsciiDenyList::URL,
            idna::uts46::Hyphens::Allow,
            idna::uts46::DnsLength::Verify,
        )
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| error("it is not a valid internationalized domain name (IDNA)"))
}

/// What every probe shares: trust roots, the resolver, the per-step timeout.
#[derive(Clone, Debug)]
pub struct ProbeEnv {
    /// Certificates trusted.
    pub trust: TrustStore,
    /// DNS.
    pub resolver: Resolver,
    /// The limit for each network step (resolve, connect, each read, each handshake).
    pub timeout: Duration,
}

/// A login: user name plus a password and/or a bearer token.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The login name.
    pub user: Option<String>,
    /// The password.
    pub password: Option<Secret>,
    /// An OAuth 2.0 access token.
    pub token: Option<Secret>,
}

/// Where and how to probe SMTP.
#[derive(Clone, Debug)]
pub struct SmtpTarget {
    /// Host name as configured (also the TLS name unless `tls_name` is set).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Security mode (already resolved from `auto`).
    pub security: Security,
    /// Addresses to use instead of resolving `host` (the demo, `--connect-to`).
    pub connect_to: Vec<SocketAddr>,
    /// The name to verify the certificate against, when not `host`.
    pub tls_name: Option<String>,
    /// The name sent with EHLO; `None` sends the local address as a literal (`[192.0.2.1]`),
    /// which every server accepts from a client without a name of its own.
    pub ehlo_name: Option<String>,
    /// Credentials.
    pub credentials: Credentials,
    /// The SASL mechanism to use; `None` picks the best offered.
    pub mechanism: Option<SaslMechanism>,
    /// Envelope sender.
    pub from: Option<String>,
    /// Envelope recipient (defaults to the sender).
    pub to: Option<String>,
    /// Send a test message.
    pub send: bool,
}

impl SmtpTarget {
    /// The name the certificate must carry.
    pub fn tls_name(&self) -> String {
        self.tls_name.clone().unwrap_or_else(|| self.host.clone())
    }
}

/// Everything one `diagnose` run probes.
#[derive(Clone, Debug)]
pub struct ProbePlan {
    /// The SMTP target.
    pub smtp: SmtpTarget,
    /// The IMAP target, when `--imap` was given.
    pub imap: Option<ImapTarget>,
    /// The newest TLS version the client speaks (`--client-tls-max`), when capped.
    pub client_tls_max: Option<TlsVersion>,
    /// Also scan which TLS versions the server accepts (`--tls-scan`).
    pub tls_scan: bool,
}

/// Runs the plan: SMTP, IMAP, the client-TLS check and the versions scan concurrently; when SMTP failed the way a TLS mode mismatch
/// looks, one short probe with the other mode confirms or rules it out.
///
/// Each probe's future is boxed: inline, this future was the sum of all of them (tens of KiB,
/// IMAP's and the scan's too when neither runs), and every poll frame between `main` and a
/// probe copied it on the stack (issue 20: a third of a MiB of a session's peak memory).
pub async fn run_plan(env: &ProbeEnv, plan: &ProbePlan) -> Vec<Transcript> {
    let smtp = async {
        let primary = Box::pin(probe_smtp(env, &plan.smtp, Role::Primary, Depth::Full)).await;
        let mut out = vec![primary];
        if out[0].looks_like_mode_mismatch()
            && let Some(other) = plan.smtp.security.other_tls_mode()
        {
            let check = SmtpTarget { security: other, ..plan.smtp.clone() };
            out.push(Box::pin(probe_smtp(env, &check, Role::ModeCheck, Depth::Handshake)).await);
        }
        out
    };
    let imap = async {
        match &plan.imap {
            Some(target) => {
                let imap = probe_imap_with(env, target, &plan.smtp.credentials, plan.smtp.mechanism.as_ref());
                let primary = Box::pin(imap).await;
                let mut out = vec![primary];
                if out[0].looks_like_mode_mismatch()
                    && let Some(other) = target.security.other_tls_mode()
                {
                    let check = ImapTarget { security: other, ..target.clone() };
                    out.push(Box::pin(probe_imap_greeting(env, &check)).await);
                }
                out
            }
            None => Vec::new(),
        }
    };
    let client_tls = async {
        match plan.client_tls_max {
            Some(max) if plan.smtp.security != Security::None => {
                Some(Box::pin(probe_client_tls(env, &plan.smtp, max)).await)
            }
            _ => None,
        }
    };
    let scan = async {
        if plan.tls_scan && plan.smtp.security != Security::None {
            Box::pin(scan_tls_versions(env, &plan.smtp)).await
        } else {
            Vec::new()
        }
    };
    let (mut transcripts, imap, client_tls, scan) = tokio::join!(smtp, imap, client_tls, scan);
    transcripts.extend(client_tls);
    transcripts.extend(scan);
    transcripts.extend(imap);
    transcripts
}

#[cfg(test)]
mod tests {
    use super::*;

    use mailprobe_proto::{EventKind, Protocol};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A line-based fake server: `greet` once `go` fires, then the answer of `reply` to each line.
    async fn fake_server(
        listener: TcpListener,
        greeting: &'static str,
        go: tokio::sync::oneshot::Receiver<()>,
        connected: Option<tokio::sync::oneshot::Sender<()>>,
        reply: fn(&str) -> Option<String>,
    ) {
        let (stream, _) = listener.accept().await.unwrap();
        if let Some(tx) = connected {
            let _ = tx.send(());
        }
        // waits at most 5 s: a probe run after the other one never gets here in time
        let _ = tokio::time::timeout(Duration::from_secs(5), go).await;
        let (read, mut write) = stream.into_split();
        write.write_all(greeting.as_bytes()).await.unwrap();
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            match reply(&line) {
                Some(answer) => write.write_all(answer.as_bytes()).await.unwrap(),
                None => return,
            }
        }
    }

    /// Issue 20: the IMAP probe runs beside the SMTP session, not after it, and the transcripts
    /// still come out in the plan's order (SMTP first) although IMAP ends first. Each server
    /// greets only once the other's connection has arrived: run one after the other, the first
    /// probe would wait for its greeting until it timed out. No timing is asserted.
    #[tokio::test]
    async fn imap_runs_beside_smtp_and_the_order_stays_the_plans() {
        let smtp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let imap = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (smtp_port, imap_port) = (smtp.local_addr().unwrap().port(), imap.local_addr().unwrap().port());
        // each server greets only once the other's connection has arrived
        let (imap_arrived, smtp_go) = tokio::sync::oneshot::channel();
        let (smtp_arrived, imap_go) = tokio::sync::oneshot::channel();
        let smtp_server = fake_server(smtp, "220 fake ESMTP\r\n", smtp_go, Some(smtp_arrived), |line| {
            let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            match verb.as_str() {
                "EHLO" => Some("250-fake\r\n250 PIPELINING\r\n".into()),
                "QUIT" => Some("221 bye\r\n".into()),
                _ => Some("502 no\r\n".into()),
            }
        });
        let imap_server =
            fake_server(imap, "* OK [CAPABILITY IMAP4rev1] ready\r\n", imap_go, Some(imap_arrived), |line| {
                let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
                Some(if rest.eq_ignore_ascii_case("LOGOUT") {
                    format!("* BYE bye\r\n{tag} OK done\r\n")
                } else {
                    format!("{tag} BAD no\r\n")
                })
            });
        let timeout = Duration::from_secs(3);
        let env = ProbeEnv {
            trust: TrustStore::system(),
            resolver: Resolver::with_server("127.0.0.1:9".parse().unwrap(), timeout),
            timeout,
        };
        let plan = ProbePlan {
            smtp: SmtpTarget {
                host: "127.0.0.1".into(),
                port: smtp_port,
                security: Security::None,
                connect_to: vec![],
                tls_name: None,
                ehlo_name: Some("client.example".into()),
                credentials: Credentials::default(),
                mechanism: None,
                from: None,
                to: None,
                send: false,
            },
            imap: Some(ImapTarget {
                host: "127.0.0.1".into(),
                port: imap_port,
                security: Security::None,
                connect_to: vec![],
                tls_name: None,
            }),
            client_tls_max: None,
            tls_scan: false,
        };
        let (transcripts, (), ()) = tokio::join!(run_plan(&env, &plan), smtp_server, imap_server);
        let kinds: Vec<_> = transcripts.iter().map(|t| (t.protocol, t.role)).collect();
        assert_eq!(kinds, [(Protocol::Smtp, Role::Primary), (Protocol::Imap, Role::Primary)]);
        let banner = transcripts[0]
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Received { reply } if reply.code == 220));
        assert!(banner, "the SMTP probe got no banner: IMAP did not run beside it\n{:#?}", transcripts[0]);
        let greeted = transcripts[1]
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::ImapReceived { line } if line.starts_with("* OK")));
        assert!(greeted, "the IMAP probe got no greeting: SMTP did not run beside it\n{:#?}", transcripts[1]);
        for t in &transcripts {
            assert!(!t.events.iter().any(|e| matches!(e.kind, EventKind::TimedOut { .. })), "{t:#?}");
        }
    }

    /// RSET and QUIT go in one write to a server that offers PIPELINING (one round trip less),
    /// and the transcript still pairs each reply with its command.
    #[tokio::test]
    async fn rset_and_quit_share_a_round_trip_and_stay_paired() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let mut reader = BufReader::new(read);
            let mut quit_came_with_rset = false;
            let mut line = String::new();
            while reader.read_line(&mut line).await.unwrap() > 0 {
                let answer = match line.trim_end().split(' ').next().unwrap_or("") {
                    "EHLO" => "250-fake\r\n250 PIPELINING\r\n",
                    "MAIL" | "RCPT" => "250 ok\r\n",
                    "RSET" => {
                        quit_came_with_rset = reader.buffer().starts_with(b"QUIT\r\n");
                        "250 reset\r\n"
                    }
                    "QUIT" => "221 bye\r\n",
                    _ => "502 no\r\n",
                };
                write.write_all(answer.as_bytes()).await.unwrap();
                line.clear();
            }
            quit_came_with_rset
        };
        let timeout = Duration::from_secs(3);
        let env = ProbeEnv {
            trust: TrustStore::system(),
            resolver: Resolver::with_server("127.0.0.1:9".parse().unwrap(), timeout),
            timeout,
        };
        let target = SmtpTarget {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            connect_to: vec![],
            tls_name: None,
            ehlo_name: Some("client.example".into()),
            credentials: Credentials::default(),
            mechanism: None,
            from: Some("a@example.test".into()),
            to: Some("b@example.test".into()),
            send: false,
        };
        let (t, in_one_group) = tokio::join!(probe_smtp(&env, &target, Role::Primary, Depth::Full), server);
        assert!(in_one_group, "QUIT did not arrive with RSET");
        let quit: Vec<String> = t
            .events
            .iter()
            .filter(|e| e.stage == mailprobe_proto::Stage::Quit)
            .filter_map(|e| match &e.kind {
                EventKind::Sent { line } => Some(line.clone()),
                EventKind::Received { reply } => Some(reply.code.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(quit, ["RSET", "250", "QUIT", "221"]);
    }

    /// Issue 17 item 8: one IDNA form for DNS and TLS.
    #[test]
    fn host_names_take_their_ascii_form() {
        assert_eq!(ascii_host("bücher.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(ascii_host("BÜCHER.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(ascii_host("xn--bcher-kva.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(ascii_host("smtp.Example.com").unwrap(), "smtp.Example.com");
        assert_eq!(ascii_host("127.0.0.1").unwrap(), "127.0.0.1");
        assert_eq!(ascii_host("::1").unwrap(), "::1");
        assert!(ascii_host("").is_err());
        assert!(ascii_host("a b.example").is_err());
        assert!(ascii_host("mail.example\r\nQUIT").is_err());
        assert!(ascii_host("bü<cher.example").is_err());
        let long = format!("{}.example", "ü".repeat(70));
        assert!(ascii_host(&long).is_err(), "a label over 63 bytes");
    }
}
