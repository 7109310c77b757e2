//! The `diagnose` report: everything one live probe found, in the shape `--format json` prints.

use mailprobe_kb::{Finding, Severity};
use mailprobe_proto::{
    CertificateInfo, ChainAssessment, Context, Endpoint, EventKind, Protocol, Role, Step, TlsVersionResult,
    Transcript, assess_chain, tls_versions,
};
use serde::Serialize;

use crate::Tool;

/// One transcript with the steps derived from it.
#[derive(Debug, Serialize)]
pub struct TranscriptReport {
    /// The stages and their outcomes.
    pub steps: Vec<Step>,
    /// The evidence itself.
    #[serde(flatten)]
    pub transcript: Transcript,
}

/// A whole `diagnose` (or demo scenario) report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// What made it.
    pub tool: Tool,
    /// The demo scenario, when this report is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// What was asked.
    pub context: Context,
    /// True when the path works: every primary step succeeded and no error finding.
    pub ok: bool,
    /// Each connection recorded.
    pub transcripts: Vec<TranscriptReport>,
    /// How the server was found from the address, when it was (provider table, SRV, autoconfig,
    /// MX), and whether the settings tested differ from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery: Option<DiscoveryReport>,
    /// The TLS section: versions accepted, the chain, the verdicts (when TLS was reached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsReport>,
    /// What is wrong and how to fix it, most likely cause first.
    pub findings: Vec<Finding>,
}

/// Discovery, and how it compares with what was tested.
#[derive(Debug, Serialize)]
pub struct DiscoveryReport {
    /// What discovery found.
    #[serde(flatten)]
    pub found: mailprobe_net::Discovery,
    /// The server tested differs from the one discovery found (host, port or security).
    pub differs: bool,
    /// The server tested, `host:port security`.
    pub tested: String,
}

/// What the TLS evidence of a run says about the SMTP server.
#[derive(Debug, Serialize)]
pub struct TlsReport {
    /// The server.
    pub endpoint: Endpoint,
    /// The name the certificate was checked against.
    pub server_name: String,
    /// Versions accepted (with `--tls-scan`), oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<TlsVersionResult>,
    /// The negotiated version and cipher, when the handshake completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negotiated: Option<String>,
    /// The chain verified against the trusted roots.
    pub verified: bool,
    /// Why verification or the handshake failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// The certificates as sent, leaf first.
    pub chain: Vec<CertificateInfo>,
    /// Verdicts on the chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<ChainAssessment>,
}

impl TlsReport {
    /// Reads the primary SMTP transcript's handshake and the scan's transcripts, judging the
    /// chain at `now` (Unix seconds).
    pub fn from_transcripts(transcripts: &[Transcript], now: i64) -> Option<Self> {
        let primary = transcripts.iter().find(|t| t.role == Role::Primary && t.protocol == Protocol::Smtp)?;
        let versions = tls_versions(transcripts);
        let mut server_name = primary.endpoint.host.clone();
        let (mut negotiated, mut verified, mut failure, mut chain) = (None, false, None, Vec::new());
        let mut reached = false;
        for e in &primary.events {
            match &e.kind {
                EventKind::TlsStarted { server_name: n } => {
                    server_name.clone_from(n);
                    reached = true;
                }
                EventKind::TlsEstablished { session } => {
                    negotiated = Some(format!("{} {}", session.version, session.cipher));
                    verified = true;
                    chain.clone_from(&session.certificates);
                }
                EventKind::TlsFailed { detail, certificates, .. } => {
                    failure = Some(detail.clone());
                    chain.clone_from(certificates);
                }
                _ => {}
            }
        }
        if !reached && versions.is_empty() {
            return None;
        }
        let assessment = (!chain.is_empty()).then(|| assess_chain(&chain, &server_name, now));
        Some(Self {
            endpoint: primary.endpoint.clone(),
            server_name,
            versions,
            negotiated,
            verified,
            failure,
            chain,
            assessment,
        })
    }
}

impl Report {
    /// Builds the report and decides whether the path works.
    pub fn new(context: Context, transcripts: Vec<Transcript>, findings: Vec<Finding>) -> Self {
        let primaries_ok = transcripts.iter().filter(|t| t.role == Role::Primary).all(Transcript::succeeded);
        let ok = primaries_ok && !findings.iter().any(|f| f.severity == Severity::Error);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let tls = TlsReport::from_transcripts(&transcripts, now);
        let transcripts =
            transcripts.into_iter().map(|t| TranscriptReport { steps: t.steps(), transcript: t }).collect();
        Self { tool: Tool::this(), scenario: None, context, ok, transcripts, discovery: None, tls, findings }
    }

    /// Attaches what discovery found, noting when the settings tested differ from it.
    pub fn set_discovery(&mut self, discovery: Option<mailprobe_net::Discovery>) {
        self.discovery = discovery.map(|found| {
            let c = &self.context;
            let differs = found.smtp.as_ref().is_some_and(|s| {
                !s.host.eq_ignore_ascii_case(&c.host) || s.port != c.port || Some(s.security) != c.security
            });
            let security = c.security.map(|s| s.to_string()).unwrap_or_default();
            DiscoveryReport { found, differs, tested: format!("{}:{} {security}", c.host, c.port) }
        });
    }

    /// The exit status DESIGN.md promises: 0 works, 1 a problem was found.
    pub fn exit_code(&self) -> u8 {
        if self.ok { 0 } else { 1 }
    }
}
