//! `diagnose`: turns a request into a probe plan and a diagnosis context, finds the server of an
//! address when asked, runs the probes (telling an observer each step as it happens), and asks
//! the knowledge base what the evidence means.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use mailprobe_kb::KnowledgeBase;
use mailprobe_net::{
    Credentials, Discovery, DiscoveryOptions, ImapTarget, ProbeEnv, ProbeObserver, ProbePlan, Resolver,
    SmtpTarget, discover, observed, run_plan,
};
use mailprobe_oauth::StoredSignIn;
use mailprobe_proto::{
    Context, Endpoint, Event, EventKind, Role, SaslMechanism, Secret, Security, SendMode, Stage, TlsVersion,
    Transcript,
};
use mailprobe_report::Report;

use crate::progress::{Progress, Snapshot, StepUpdate};
use crate::provider::{self, Provider};
use crate::{CheckEnv, CheckError, invalid};

/// The connection security asked for; `Auto` is implicit TLS on 465 and 993, STARTTLS elsewhere
/// (or what discovery found).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecurityChoice {
    /// Implicit TLS on 465 and 993, STARTTLS elsewhere.
    #[default]
    Auto,
    /// Plaintext first, then STARTTLS.
    Starttls,
    /// TLS from the first byte ("SSL/TLS").
    Tls,
    /// No encryption.
    None,
}

/// A reference time for the clock check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockReference {
    /// An SNTP server, `HOST[:PORT]`.
    Sntp(String),
    /// The `Date` of an HTTP(S) response from this URL.
    HttpDate(String),
}

/// Everything one `diagnose` run is asked to check. `Debug` never shows the password or token.
#[derive(Clone, Debug, Default)]
pub struct DiagnoseRequest {
    /// The address to test: with no `host`, its server is found the way mail programs do
    /// (provider table, SRV, autoconfig, MX); it is also the default user and sender.
    pub address: Option<String>,
    /// Port for http:// autoconfig URLs during discovery (tests: a local HTTP server).
    pub autoconfig_http_port: Option<u16>,
    /// Provider id (gmail, m365, outlook, ...); `None` infers it from the host name.
    pub provider: Option<String>,
    /// SMTP server host name or address, `:PORT` allowed (`[v6]:PORT` for IPv6).
    pub host: Option<String>,
    /// SMTP port (default: 465 with `Tls`, 25 for direct send and relay, the provider's or
    /// discovery's, else 587).
    pub port: Option<u16>,
    /// Connection security.
    pub security: SecurityChoice,
    /// Connect to these addresses instead of resolving the host (the host name is still used for
    /// TLS and provider rules).
    pub connect_to: Vec<SocketAddr>,
    /// Login name (default: the address, when a password or token is given).
    pub user: Option<String>,
    /// The password, handed in by the caller.
    pub password: Option<Secret>,
    /// An OAuth 2.0 access token, handed in by the caller.
    pub token: Option<Secret>,
    /// The stored sign-in the token came from (`mailprobe auth login`): its failed refresh is
    /// evidence, its issuer a clock reference.
    pub sign_in: Option<StoredSignIn>,
    /// SASL mechanism; `None` picks the best offered for the credentials.
    pub auth: Option<SaslMechanism>,
    /// Envelope sender (default: the user when it is an address, else the address).
    pub from: Option<String>,
    /// Envelope recipient (default: the sender).
    pub to: Option<String>,
    /// Really send a short test message (otherwise the session ends after RCPT TO).
    pub send: bool,
    /// Also check IMAP: `Some("")` the provider's IMAP server (else the SMTP host, port 993),
    /// `Some("HOST:PORT")` that one.
    pub imap: Option<String>,
    /// IMAP connection security.
    pub imap_security: SecurityChoice,
    /// How the device sends through Microsoft 365.
    pub mode: Option<SendMode>,
    /// Also trust the CA certificates in this PEM file.
    pub ca_file: Option<PathBuf>,
    /// The newest TLS version the client speaks ("my device speaks at most TLS 1.0").
    pub client_tls_max: Option<TlsVersion>,
    /// Also find out which TLS versions the server accepts.
    pub tls_scan: bool,
    /// Name sent with EHLO (default: the local address as a literal).
    pub ehlo: Option<String>,
    /// Also compare this computer's clock with this SNTP server.
    pub ntp_server: Option<String>,
    /// Also check this computer's clock against the sign-in server (or SNTP to pool.ntp.org).
    pub check_clock: bool,
}

/// Checks that `address` is `name@domain` and returns its domain, as `diagnose` does before
/// discovering its server (callers may check it before asking for a password).
pub fn address_domain(address: &str) -> Result<&str, CheckError> {
    match address.rsplit_once('@').filter(|(l, d)| !l.is_empty() && d.contains('.')) {
        Some((_, domain)) => Ok(domain),
        None => invalid(format!("{address:?} is not a mail address (name@domain)")),
    }
}

/// Runs a whole `diagnose`: discovery (when an address is given), the probes, the clock check,
/// the diagnosis. `observer` is called as each step of each connection starts, changes and
/// ends (on the caller's task, between probe events); the report comes back at the end.
pub async fn diagnose(
    request: &DiagnoseRequest,
    env: &CheckEnv,
    observer: &mut (dyn FnMut(StepUpdate) + Send),
) -> Result<Report, CheckError> {
    // boxed, like the probes and the clock check below: see `mailprobe_net::run_plan`
    let discovery = Box::pin(discover_for(request, env)).await?;
    let (plan, context) = plan(request, discovery.as_ref())?;
    let trust = match &request.ca_file {
        Some(path) => env.trust.clone().with_ca_file(path)?,
        None => env.trust.clone(),
    };
    let probe_env = probe_env(env, trust)?;
    let clock = clock_reference(request, context.provider.as_deref());
    let mut report = run(&probe_env, &plan, context, env, clock, request.sign_in.as_ref(), observer).await;
    report.set_discovery(discovery);
    Ok(report)
}

/// Runs a plan made elsewhere (`relay check`, `guide`): the probes and the diagnosis, with
/// `env`'s trusted roots; no discovery, no clock check.
pub async fn probe(
    plan: &ProbePlan,
    context: Context,
    env: &CheckEnv,
    observer: &mut (dyn FnMut(StepUpdate) + Send),
) -> Result<Report, CheckError> {
    let probe_env = probe_env(env, env.trust.clone())?;
    Ok(run(&probe_env, plan, context, env, None, None, observer).await)
}

/// The probe environment of `env` with these trusted roots.
fn probe_env(env: &CheckEnv, trust: mailprobe_net::TrustStore) -> Result<ProbeEnv, CheckError> {
    let resolver = match (&env.resolver, env.dns_server) {
        (Some(shared), _) => shared.clone(),
        (None, Some(server)) => Resolver::with_server(server, env.timeout),
        (None, None) => Resolver::system(env.timeout)?,
    };
    Ok(ProbeEnv { trust, resolver, timeout: env.timeout })
}

/// Finds the server of the address given (when there is one): provider table, SRV, autoconfig,
/// MX — or, with a host too, what discovery says for comparison.
async fn discover_for(request: &DiagnoseRequest, env: &CheckEnv) -> Result<Option<Discovery>, CheckError> {
    let Some(address) = request.address.as_deref() else {
        return Ok(None);
    };
    let domain = address_domain(address)?;
    let checker = crate::dns_checker(env)?;
    let options = DiscoveryOptions {
        address: Some(address.to_owned()),
        http_port: request.autoconfig_http_port,
        https_port: None,
        trust: None,
    };
    Ok(Some(discover(&checker, domain, &options).await))
}

/// A probe plan and the context the knowledge base reads, from the request and what discovery
/// found.
pub fn plan(
    request: &DiagnoseRequest,
    discovered: Option<&Discovery>,
) -> Result<(ProbePlan, Context), CheckError> {
    let found = discovered.and_then(|d| d.smtp.as_ref());
    let named = match request.provider.as_deref() {
        None | Some("auto") => None,
        Some(id) => Some(provider::named(id)?),
    };
    let (host, host_port) = match (&request.host, named, found) {
        (Some(h), _, _) => split_host_port(h)?,
        (None, Some(p), _) => (p.smtp.0.to_owned(), None),
        (None, None, Some(f)) => (f.host.clone(), None),
        (None, None, None) if request.address.is_some() => {
            return invalid(format!(
                "no server found for {}: give --host HOST",
                request.address.as_deref().unwrap_or_default()
            ));
        }
        (None, None, None) => {
            return invalid("which server? give --host HOST, an ADDRESS, or --provider gmail|m365|outlook");
        }
    };
    // One form of the name for DNS, TLS and the rules alike: IDNA's ASCII form.
    let host = mailprobe_net::ascii_host(&host)?;
    let port_given = match (request.port, host_port) {
        (Some(flag), Some(in_host)) if flag != in_host => {
            return invalid(format!("--host names port {in_host} and --port {flag}: give the port once"));
        }
        (flag, in_host) => flag.or(in_host),
    };
    // Discovery's port and security apply only to the server it found.
    let found = found.filter(|f| request.host.is_none() && named.is_none() && f.host == host);
    let direct = matches!(request.mode, Some(SendMode::DirectSend | SendMode::Relay));
    let provider = named.or_else(|| provider::for_host(&host));
    let port = port_given.unwrap_or(match (request.security, named, found) {
        (SecurityChoice::Tls, _, _) => 465,
        _ if direct => 25,
        (_, Some(p), _) => p.smtp.1,
        (_, None, Some(f)) => f.port,
        _ => 587,
    });
    if port == 0 {
        return invalid("port 0 is not a port");
    }
    let security = match (request.security, found) {
        (SecurityChoice::Auto, Some(f)) if port_given.is_none() => f.security,
        (choice, _) => resolve_security(choice, port),
    };
    let has_secret = request.password.is_some() || request.token.is_some();
    let user = request
        .user
        .clone()
        .or_else(|| request.address.clone().filter(|_| has_secret))
        .filter(|u| !u.is_empty() && !direct);
    let (password, token) = (request.password.clone(), request.token.clone());
    if user.is_none() && (password.is_some() || token.is_some()) {
        return invalid("a password or token was given without --user");
    }
    let mechanism = request.auth.clone();
    if let Some(m) = mechanism.as_ref().filter(|m| m.uses_token())
        && token.is_none()
    {
        let flag = match m {
            SaslMechanism::XOAuth2 => "Xoauth2",
            _ => "Oauthbearer",
        };
        return invalid(format!("--auth {flag} needs a token: --token-env VAR or --token-file FILE"));
    }
    let from = request
        .from
        .clone()
        .or_else(|| user.clone().filter(|u| u.contains('@')))
        .or_else(|| request.address.clone());
    for (flag, addr) in [("--from", &from), ("--to", &request.to)] {
        // CR LF (any control character) would end the command and start another.
        if let Some(a) = addr
            && (a.contains(['<', '>'])
                || a.contains(char::is_whitespace)
                || a.contains(char::is_control)
                || a.is_empty())
        {
            return invalid(format!("{flag} {a:?} is not a bare mail address"));
        }
    }
    let ehlo_name = request.ehlo.as_deref().map(ehlo_name).transpose()?;
    let imap = request
        .imap
        .as_deref()
        .map(|spec| imap_target(spec, request.imap_security, &host, provider, &request.connect_to))
        .transpose()?;
    let client_tls_max = request.client_tls_max;
    let credentials = Credentials { user: user.clone(), password, token };
    let smtp = SmtpTarget {
        host: host.clone(),
        port,
        security,
        connect_to: request.connect_to.clone(),
        tls_name: None,
        ehlo_name,
        credentials,
        mechanism: mechanism.clone(),
        from: from.clone(),
        to: request.to.clone(),
        send: request.send,
    };
    let context = Context {
        provider: provider.map(|p| p.id.to_owned()),
        mode: request.mode,
        host,
        port,
        security: Some(security),
        user,
        has_password: smtp.credentials.password.is_some(),
        has_token: smtp.credentials.token.is_some(),
        auth_mechanism: mechanism,
        from,
        to: request.to.clone(),
        send: request.send,
        imap: imap.as_ref().map(|i| Endpoint { host: i.host.clone(), port: i.port, security: i.security }),
        client_tls_max: client_tls_max.map(|v| v.to_string()),
        device: None,
        // mailprobe's own probe: see `EvidenceSource`.
        evidence: mailprobe_proto::EvidenceSource::Live,
    };
    Ok((ProbePlan { smtp, imap, client_tls_max, tls_scan: request.tls_scan }, context))
}

/// `--host` as given: a name or an address, with `:PORT` if the user wrote one (`[v6]:PORT` for
/// an IPv6 address), as mail programs' settings and error messages often show the server.
fn split_host_port(spec: &str) -> Result<(String, Option<u16>), CheckError> {
    let spec = spec.trim();
    let port = |p: &str| -> Result<u16, CheckError> {
        match p.parse::<u16>() {
            Ok(port) if port != 0 => Ok(port),
            _ => invalid(format!(
                "--host {spec:?}: {p:?} is not a port (1 to 65535); give the port with --port"
            )),
        }
    };
    if spec.parse::<IpAddr>().is_ok() {
        return Ok((spec.to_owned(), None));
    }
    if let Some(rest) = spec.strip_prefix('[') {
        let parsed = rest.split_once(']').and_then(|(ip, after)| Some((ip.parse::<IpAddr>().ok()?, after)));
        let Some((ip, after)) = parsed else {
            return invalid(format!(
                "--host {spec:?} is not an address in brackets ([2001:db8::1] or [2001:db8::1]:587)"
            ));
        };
        return match after {
            "" => Ok((ip.to_string(), None)),
            _ => match after.strip_prefix(':') {
                Some(p) => Ok((ip.to_string(), Some(port(p)?))),
                None => invalid(format!("--host {spec:?}: expected [ADDRESS]:PORT")),
            },
        };
    }
    match spec.rsplit_once(':') {
        None => Ok((spec.to_owned(), None)),
        Some((host, p)) if !host.contains(':') => Ok((host.to_owned(), Some(port(p)?))),
        Some(_) => invalid(format!("--host {spec:?} is neither a host name nor an IP address")),
    }
}

/// The `--ehlo` name, checked like `--from` and `--to`: a host name (IDNA's ASCII form for a
/// Unicode one) or an address literal (`[192.0.2.1]`). A CR or LF in it would end the EHLO
/// command and start another one of the user's making.
fn ehlo_name(name: &str) -> Result<String, CheckError> {
    let bad = name.is_empty() || name.contains(char::is_whitespace) || name.contains(char::is_control);
    if bad || name.contains(['<', '>']) {
        return invalid(format!("--ehlo {name:?} is not a host name or an address literal like [192.0.2.1]"));
    }
    if name.starts_with('[') {
        if !name.ends_with(']') {
            return invalid(format!("--ehlo {name:?}: an address literal ends with ]"));
        }
        return Ok(name.to_owned());
    }
    mailprobe_net::ascii_host(name).map_err(|e| CheckError::Invalid(format!("--ehlo: {e}")))
}

/// `Auto` is implicit TLS on 465 and 993, STARTTLS elsewhere.
pub fn resolve_security(choice: SecurityChoice, port: u16) -> Security {
    match choice {
        SecurityChoice::Auto => Security::default_for_port(port),
        SecurityChoice::Starttls => Security::Starttls,
        SecurityChoice::Tls => Security::Tls,
        SecurityChoice::None => Security::None,
    }
}

fn imap_target(
    spec: &str,
    security: SecurityChoice,
    smtp_host: &str,
    provider: Option<&Provider>,
    connect_to: &[SocketAddr],
) -> Result<ImapTarget, CheckError> {
    let (host, port) = if spec.is_empty() {
        match provider {
            Some(p) => (p.imap.0.to_owned(), p.imap.1),
            None => (smtp_host.to_owned(), 993),
        }
    } else {
        let Some((h, p)) = spec.rsplit_once(':') else {
            return invalid(format!("--imap {spec:?}: expected HOST:PORT"));
        };
        let Some(port) = p.parse::<u16>().ok().filter(|p| *p != 0) else {
            return invalid(format!("--imap {spec:?}: bad port"));
        };
        let host = mailprobe_net::ascii_host(h.trim_start_matches('[').trim_end_matches(']'))
            .map_err(|e| CheckError::Invalid(format!("--imap {spec:?}: {e}")))?;
        (host, port)
    };
    // With connect_to, the IMAP server is reached at the same address as SMTP, on its own port.
    let connect_to = connect_to.iter().map(|a| SocketAddr::new(a.ip(), port)).collect();
    Ok(ImapTarget { security: resolve_security(security, port), host, port, connect_to, tls_name: None })
}

/// The clock reference the request asks for (`ntp_server`, `check_clock`), if any: never a
/// server the user did not ask to be compared with.
pub fn clock_reference(request: &DiagnoseRequest, provider: Option<&str>) -> Option<ClockReference> {
    if let Some(server) = &request.ntp_server {
        return Some(ClockReference::Sntp(server.clone()));
    }
    if !request.check_clock {
        return None;
    }
    Some(match (&request.sign_in, provider) {
        (Some(s), _) => ClockReference::HttpDate(s.clock_url.clone()),
        (None, Some("gmail")) => ClockReference::HttpDate("https://oauth2.googleapis.com/".into()),
        (None, Some("m365" | "outlook")) => {
            ClockReference::HttpDate("https://login.microsoftonline.com/".into())
        }
        _ => ClockReference::Sntp(mailprobe_net::DEFAULT_NTP_SERVER.into()),
    })
}

/// Runs the probes and the diagnosis: the clock check runs during the probe and is recorded
/// first in the SMTP transcript; what the token says, just before it was sent; a failed refresh
/// of the stored sign-in, as the error mailprobe's OAuth client got.
async fn run(
    probe_env: &ProbeEnv,
    plan: &ProbePlan,
    context: Context,
    env: &CheckEnv,
    clock: Option<ClockReference>,
    sign_in: Option<&StoredSignIn>,
    observer: &mut (dyn FnMut(StepUpdate) + Send),
) -> Report {
    let clock = async {
        match &clock {
            Some(ClockReference::Sntp(server)) => {
                Some(Box::pin(mailprobe_net::sntp_check(server, probe_env.timeout)).await)
            }
            Some(ClockReference::HttpDate(url)) => {
                Some(Box::pin(mailprobe_net::http_date_check(url, &probe_env.trust, probe_env.timeout)).await)
            }
            None => None,
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Snapshot>();
    let net_observer: ProbeObserver = Arc::new(move |probe, t: &Transcript| {
        // the receiver outlives the probes; a send can only fail once the run is over
        let _ = tx.send(Snapshot::of(probe, t));
    });
    let mut progress = Progress::new(env.lang);
    let probes = async {
        let out = tokio::join!(observed(net_observer, run_plan(probe_env, plan)), clock);
        out
    };
    // The updates' texts come from the knowledge base. Loaded by the first update, on this
    // runtime's one thread, it held the probe up for the whole load (13 ms in a debug build,
    // shown as the connect step's time); loaded beside it, the snapshots wait in the channel.
    let texts_loaded = tokio::task::spawn_blocking(|| {
        KnowledgeBase::builtin();
    });
    let tell = async {
        let _ = texts_loaded.await;
        let mut updates = Vec::new();
        while let Some(snapshot) = rx.recv().await {
            progress.snapshot(snapshot, &mut updates);
            for u in updates.drain(..) {
                observer(u);
            }
        }
        progress.finish(&mut updates);
        for u in updates {
            observer(u);
        }
    };
    let ((mut transcripts, clock), ()) = tokio::join!(probes, tell);
    add_token_evidence(&mut transcripts, plan);
    if let Some(sign_in) = sign_in
        && let Some(failure) = &sign_in.refresh_failure
    {
        mailprobe_oauth::evidence::add_refresh_failure(&mut transcripts, &sign_in.profile, failure);
    }
    if let Some(check) = clock
        && let Some(t) = transcripts.iter_mut().find(|t| t.role == Role::Primary)
    {
        let event = Event { at_ms: 0, stage: Stage::Auth, kind: EventKind::ClockChecked { check } };
        t.events.insert(0, event);
    }
    let findings = KnowledgeBase::builtin().diagnose(&context, &transcripts, env.lang);
    Report::new(context, transcripts, findings)
}

/// Adds what the token says to the transcripts where it was sent, just before it was: the
/// claims of a JWT access token and their problems (expired, not yet valid, audience, scope,
/// account ≠ login or sender), and a clock-skew check when it was issued in the future.
fn add_token_evidence(transcripts: &mut [Transcript], plan: &ProbePlan) {
    let creds = &plan.smtp.credentials;
    if let Some(token) = &creds.token {
        let accounts: Vec<String> = creds.user.iter().chain(plan.smtp.from.iter()).cloned().collect();
        mailprobe_oauth::evidence::add_token_evidence(transcripts, token, &accounts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request's Debug output names that a secret is there, never the secret.
    #[test]
    fn debug_never_shows_secrets() {
        let request = DiagnoseRequest {
            user: Some("alice@example.test".into()),
            password: Some(Secret::new("hunter2-pw")),
            token: Some(Secret::new("ya29.token-value")),
            ..DiagnoseRequest::default()
        };
        let shown = format!("{request:?} {request:#?}");
        assert!(!shown.contains("hunter2") && !shown.contains("ya29"), "{shown}");
        assert!(shown.contains("alice@example.test"));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let bad = |r: DiagnoseRequest| match plan(&r, None) {
            Err(CheckError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(bad(DiagnoseRequest::default()).starts_with("which server?"));
        let host = |h: &str| DiagnoseRequest { host: Some(h.into()), ..DiagnoseRequest::default() };
        assert!(bad(host("mail.example.test:0")).contains("is not a port"));
        assert!(bad(host("[::1")).contains("in brackets"));
        assert!(
            bad(DiagnoseRequest { ehlo: Some("a\r\nQUIT".into()), ..host("h.example") }).contains("--ehlo")
        );
        assert!(bad(DiagnoseRequest { from: Some("<a@b>".into()), ..host("h.example") }).contains("--from"));
        assert!(
            bad(DiagnoseRequest { provider: Some("nope".into()), ..host("h.example") })
                .contains("known: auto")
        );
        assert!(address_domain("nobody").is_err());
        assert_eq!(address_domain("a@example.test").unwrap(), "example.test");
    }
}
