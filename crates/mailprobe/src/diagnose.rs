//! `mailprobe diagnose`: turns flags into a probe plan and a diagnosis context, runs the probe,
//! and asks the knowledge base what the evidence means.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_net::{
    Credentials, ImapTarget, ProbeEnv, ProbePlan, Resolver, SmtpTarget, TrustStore, run_plan,
};
use mailprobe_proto::{
    Context, Endpoint, Event, EventKind, Role, SaslMechanism, Secret, Security, SendMode, Stage, TlsVersion,
};

use crate::auth::StoredSignIn;
use crate::cli::{AuthArg, DiagnoseArgs, GlobalArgs, ModeArg, SecurityArg};
use crate::credentials;
use crate::provider;
use crate::report::Report;
use mailprobe_net::{Discovery, DiscoveryOptions, discover};

/// Builds the probe environment from the global flags and an optional extra CA.
pub fn probe_env(global: &GlobalArgs, trust: TrustStore) -> Result<ProbeEnv> {
    let timeout = Duration::from_secs_f64(global.timeout);
    let resolver = match global.dns_server {
        Some(server) => Resolver::with_server(server, timeout),
        None => Resolver::system(timeout)?,
    };
    Ok(ProbeEnv { trust, resolver, timeout })
}

/// The secrets of one run, read apart from the other flags so that the demo can hand its
/// simulated client's secrets straight in.
#[derive(Debug, Default)]
pub struct Secrets {
    /// The password.
    pub password: Option<Secret>,
    /// The OAuth 2.0 access token.
    pub token: Option<Secret>,
    /// The stored sign-in the token came from (`mailprobe auth login`), when it did.
    pub sign_in: Option<StoredSignIn>,
}

/// Reads the password and token from where the flags say (environment, file, stdin), or asks
/// for a password on the terminal when a user was given and nothing else.
pub fn read_secrets(args: &DiagnoseArgs, global: &GlobalArgs) -> Result<Secrets> {
    let password = match (&args.password_env, &args.password_file, args.password_stdin) {
        (Some(var), _, _) => Some(credentials::from_env(var, "password")?),
        (_, Some(file), _) => Some(credentials::from_file(file, "password")?),
        (_, _, true) => Some(credentials::from_stdin("password")?),
        _ => None,
    };
    let mut sign_in = None;
    let token = match (&args.token_env, &args.token_file) {
        (Some(var), _) => Some(credentials::from_env(var, "token")?),
        (_, Some(file)) => Some(credentials::from_file(file, "token")?),
        // --auth xoauth2|oauthbearer without --token-*: the token of `mailprobe auth login`
        _ if matches!(args.auth, AuthArg::Xoauth2 | AuthArg::Oauthbearer) => {
            let stored = crate::auth::stored_token_blocking(global.timeout, args.ca_file.clone())?;
            sign_in = Some(stored.use_);
            Some(stored.token)
        }
        _ => None,
    };
    // Direct send and relay do not sign in: never ask for a password there.
    let signs_in = !matches!(args.mode, Some(ModeArg::DirectSend | ModeArg::Relay));
    let user = args.user.as_deref().filter(|u| !u.is_empty() && signs_in);
    // An ADDRESS alone implies the login only when someone can type its password; in a script
    // it means "check this address's server" without signing in.
    let implied = args.address.as_deref().filter(|_| user.is_none() && signs_in);
    let password = match (user, password, &token) {
        (None, None, None) => match implied {
            Some(a) => credentials::prompt("Password", a)?,
            None => None,
        },
        (Some(u), None, None) => match credentials::prompt("Password", u)? {
            Some(p) => Some(p),
            None => bail!(
                "--user {u} needs a password or token: use --password-env VAR, --password-file FILE, \
                 --password-stdin, --token-env VAR or --token-file FILE (no terminal to ask on)"
            ),
        },
        (_, p, _) => p,
    };
    Ok(Secrets { password, token, sign_in })
}

/// Finds the server of the address given (when there is one and no --host): provider table,
/// SRV, autoconfig, MX — or, with --host too, what discovery says for comparison.
pub async fn discover_for(args: &DiagnoseArgs, global: &GlobalArgs) -> Result<Option<Discovery>> {
    let Some(address) = args.address.as_deref() else {
        return Ok(None);
    };
    let Some((_, domain)) = address.rsplit_once('@').filter(|(l, d)| !l.is_empty() && d.contains('.')) else {
        bail!("{address:?} is not a mail address (name@domain)");
    };
    let checker = crate::dns::checker(global)?;
    let options = DiscoveryOptions {
        address: Some(address.to_owned()),
        http_port: args.autoconfig_http_port,
        https_port: None,
        trust: None,
    };
    Ok(Some(discover(&checker, domain, &options).await))
}

/// A probe plan and the context the knowledge base reads, from the flags, the secrets and what
/// discovery found.
pub fn plan(
    args: &DiagnoseArgs,
    secrets: Secrets,
    discovered: Option<&Discovery>,
) -> Result<(ProbePlan, Context)> {
    let found = discovered.and_then(|d| d.smtp.as_ref());
    let named = match args.provider.as_str() {
        "auto" => None,
        id => Some(provider::by_id(id).with_context(|| {
            let known = provider::PROVIDERS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ");
            format!("unknown provider {id:?}; known: auto, {known}")
        })?),
    };
    let (host, host_port) = match (&args.host, named, found) {
        (Some(h), _, _) => split_host_port(h)?,
        (None, Some(p), _) => (p.smtp.0.to_owned(), None),
        (None, None, Some(f)) => (f.host.clone(), None),
        (None, None, None) if args.address.is_some() => {
            bail!("no server found for {}: give --host HOST", args.address.as_deref().unwrap_or_default())
        }
        (None, None, None) => {
            bail!("which server? give --host HOST, an ADDRESS, or --provider gmail|m365|outlook")
        }
    };
    // One form of the name for DNS, TLS and the rules alike: IDNA's ASCII form.
    let host = mailprobe_net::ascii_host(&host)?;
    let port_given = match (args.port, host_port) {
        (Some(flag), Some(in_host)) if flag != in_host => {
            bail!("--host names port {in_host} and --port {flag}: give the port once")
        }
        (flag, in_host) => flag.or(in_host),
    };
    // Discovery's port and security apply only to the server it found.
    let found = found.filter(|f| args.host.is_none() && named.is_none() && f.host == host);
    let direct = matches!(args.mode, Some(ModeArg::DirectSend | ModeArg::Relay));
    let provider = named.or_else(|| provider::for_host(&host));
    let port = port_given.unwrap_or(match (args.security, named, found) {
        (SecurityArg::Tls, _, _) => 465,
        _ if direct => 25,
        (_, Some(p), _) => p.smtp.1,
        (_, None, Some(f)) => f.port,
        _ => 587,
    });
    if port == 0 {
        bail!("port 0 is not a port");
    }
    let security = match (args.security, found) {
        (SecurityArg::Auto, Some(f)) if port_given.is_none() => f.security,
        (arg, _) => resolve_security(arg, port),
    };
    let has_secret = secrets.password.is_some() || secrets.token.is_some();
    let user = args
        .user
        .clone()
        .or_else(|| args.address.clone().filter(|_| has_secret))
        .filter(|u| !u.is_empty() && !direct);
    let Secrets { password, token, .. } = secrets;
    if user.is_none() && (password.is_some() || token.is_some()) {
        bail!("a password or token was given without --user");
    }
    let mechanism = match args.auth {
        AuthArg::Auto => None,
        AuthArg::Plain => Some(SaslMechanism::Plain),
        AuthArg::Login => Some(SaslMechanism::Login),
        AuthArg::Xoauth2 => Some(SaslMechanism::XOAuth2),
        AuthArg::Oauthbearer => Some(SaslMechanism::OAuthBearer),
    };
    if mechanism.as_ref().is_some_and(SaslMechanism::uses_token) && token.is_none() {
        bail!("--auth {:?} needs a token: --token-env VAR or --token-file FILE", args.auth);
    }
    let from = args
        .from
        .clone()
        .or_else(|| user.clone().filter(|u| u.contains('@')))
        .or_else(|| args.address.clone());
    for (flag, addr) in [("--from", &from), ("--to", &args.to)] {
        // CR LF (any control character) would end the command and start another.
        if let Some(a) = addr
            && (a.contains(['<', '>'])
                || a.contains(char::is_whitespace)
                || a.contains(char::is_control)
                || a.is_empty())
        {
            bail!("{flag} {a:?} is not a bare mail address");
        }
    }
    let ehlo_name = args.ehlo.as_deref().map(ehlo_name).transpose()?;
    let imap = args
        .imap
        .as_deref()
        .map(|spec| imap_target(spec, args.imap_security, &host, provider, &args.connect_to))
        .transpose()?;
    let client_tls_max = args
        .client_tls_max
        .as_deref()
        .map(str::parse::<TlsVersion>)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let credentials = Credentials { user: user.clone(), password, token };
    let smtp = SmtpTarget {
        host: host.clone(),
        port,
        security,
        connect_to: args.connect_to.clone(),
        tls_name: None,
        ehlo_name,
        credentials,
        mechanism: mechanism.clone(),
        from: from.clone(),
        to: args.to.clone(),
        send: args.send,
    };
    let context = Context {
        provider: provider.map(|p| p.id.to_owned()),
        mode: args.mode.map(|m| match m {
            ModeArg::Submission => SendMode::Submission,
            ModeArg::DirectSend => SendMode::DirectSend,
            ModeArg::Relay => SendMode::Relay,
        }),
        host,
        port,
        security: Some(security),
        user,
        has_password: smtp.credentials.password.is_some(),
        has_token: smtp.credentials.token.is_some(),
        auth_mechanism: mechanism,
        from,
        to: args.to.clone(),
        send: args.send,
        imap: imap.as_ref().map(|i| Endpoint { host: i.host.clone(), port: i.port, security: i.security }),
        client_tls_max: client_tls_max.map(|v| v.to_string()),
        device: None,
        // mailprobe's own probe: see `EvidenceSource`.
        evidence: mailprobe_proto::EvidenceSource::Live,
    };
    Ok((ProbePlan { smtp, imap, client_tls_max, tls_scan: args.tls_scan }, context))
}

/// `--host` as given: a name or an address, with `:PORT` if the user wrote one (`[v6]:PORT` for
/// an IPv6 address), as mail programs' settings and error messages often show the server.
fn split_host_port(spec: &str) -> Result<(String, Option<u16>)> {
    let spec = spec.trim();
    let port = |p: &str| -> Result<u16> {
        match p.parse::<u16>() {
            Ok(port) if port != 0 => Ok(port),
            _ => bail!("--host {spec:?}: {p:?} is not a port (1 to 65535); give the port with --port"),
        }
    };
    if spec.parse::<IpAddr>().is_ok() {
        return Ok((spec.to_owned(), None));
    }
    if let Some(rest) = spec.strip_prefix('[') {
        let parsed = rest.split_once(']').and_then(|(ip, after)| Some((ip.parse::<IpAddr>().ok()?, after)));
        let Some((ip, after)) = parsed else {
            bail!("--host {spec:?} is not an address in brackets ([2001:db8::1] or [2001:db8::1]:587)");
        };
        return match after {
            "" => Ok((ip.to_string(), None)),
            _ => match after.strip_prefix(':') {
                Some(p) => Ok((ip.to_string(), Some(port(p)?))),
                None => bail!("--host {spec:?}: expected [ADDRESS]:PORT"),
            },
        };
    }
    match spec.rsplit_once(':') {
        None => Ok((spec.to_owned(), None)),
        Some((host, p)) if !host.contains(':') => Ok((host.to_owned(), Some(port(p)?))),
        Some(_) => bail!("--host {spec:?} is neither a host name nor an IP address"),
    }
}

/// The `--ehlo` name, checked like `--from` and `--to`: a host name (IDNA's ASCII form for a
/// Unicode one) or an address literal (`[192.0.2.1]`). A CR or LF in it would end the EHLO
/// command and start another one of the user's making.
fn ehlo_name(name: &str) -> Result<String> {
    let bad = name.is_empty() || name.contains(char::is_whitespace) || name.contains(char::is_control);
    if bad || name.contains(['<', '>']) {
        bail!("--ehlo {name:?} is not a host name or an address literal like [192.0.2.1]");
    }
    if name.starts_with('[') {
        if !name.ends_with(']') {
            bail!("--ehlo {name:?}: an address literal ends with ]");
        }
        return Ok(name.to_owned());
    }
    mailprobe_net::ascii_host(name).context("--ehlo")
}

/// `auto` is implicit TLS on 465 and 993, STARTTLS elsewhere.
fn resolve_security(arg: SecurityArg, port: u16) -> Security {
    match arg {
        SecurityArg::Auto => Security::default_for_port(port),
        SecurityArg::Starttls => Security::Starttls,
        SecurityArg::Tls => Security::Tls,
        SecurityArg::None => Security::None,
    }
}

fn imap_target(
    spec: &str,
    security: SecurityArg,
    smtp_host: &str,
    provider: Option<&provider::Provider>,
    connect_to: &[SocketAddr],
) -> Result<ImapTarget> {
    let (host, port) = if spec.is_empty() {
        match provider {
            Some(p) => (p.imap.0.to_owned(), p.imap.1),
            None => (smtp_host.to_owned(), 993),
        }
    } else {
        let (h, p) = spec.rsplit_once(':').with_context(|| format!("--imap {spec:?}: expected HOST:PORT"))?;
        let port: u16 =
            p.parse().ok().filter(|p| *p != 0).with_context(|| format!("--imap {spec:?}: bad port"))?;
        let host = mailprobe_net::ascii_host(h.trim_start_matches('[').trim_end_matches(']'))
            .with_context(|| format!("--imap {spec:?}"))?;
        (host, port)
    };
    // With --connect-to, the IMAP server is reached at the same address as SMTP, on its own port.
    let connect_to = connect_to.iter().map(|a| SocketAddr::new(a.ip(), port)).collect();
    Ok(ImapTarget { security: resolve_security(security, port), host, port, connect_to, tls_name: None })
}

/// Runs the probe and the diagnosis.
pub async fn run(env: &ProbeEnv, plan: &ProbePlan, context: Context, lang: Lang) -> Report {
    run_with(env, plan, context, lang, &Beside::default()).await
}

/// Evidence gathered beside the probe: a clock check, the stored sign-in's failed refresh.
#[derive(Debug, Default)]
pub struct Beside<'a> {
    /// What to compare this computer's clock with.
    pub clock: Option<ClockReference>,
    /// The stored sign-in the token came from.
    pub sign_in: Option<&'a StoredSignIn>,
}

/// A reference time for the clock check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockReference {
    /// An SNTP server, `HOST[:PORT]`.
    Sntp(String),
    /// The `Date` of an HTTP(S) response from this URL.
    HttpDate(String),
}

/// The clock reference the flags ask for (`--ntp-server`, `--check-clock`), if any: never a
/// server the user did not ask to be compared with.
pub fn clock_reference(
    args: &DiagnoseArgs,
    sign_in: Option<&StoredSignIn>,
    provider: Option<&str>,
) -> Option<ClockReference> {
    if let Some(server) = &args.ntp_server {
        return Some(ClockReference::Sntp(server.clone()));
    }
    if !args.check_clock {
        return None;
    }
    Some(match (sign_in, provider) {
        (Some(s), _) => ClockReference::HttpDate(s.clock_url.clone()),
        (None, Some("gmail")) => ClockReference::HttpDate("https://oauth2.googleapis.com/".into()),
        (None, Some("m365" | "outlook")) => {
            ClockReference::HttpDate("https://login.microsoftonline.com/".into())
        }
        _ => ClockReference::Sntp(mailprobe_net::DEFAULT_NTP_SERVER.into()),
    })
}

/// [`run`] with evidence from beside the probe: the clock check runs during the probe and is
/// recorded first in the SMTP transcript; a failed refresh, just before the token was sent.
pub async fn run_with(
    env: &ProbeEnv,
    plan: &ProbePlan,
    context: Context,
    lang: Lang,
    beside: &Beside<'_>,
) -> Report {
    let clock = async {
        match &beside.clock {
            Some(ClockReference::Sntp(server)) => Some(mailprobe_net::sntp_check(server, env.timeout).await),
            Some(ClockReference::HttpDate(url)) => {
                Some(mailprobe_net::http_date_check(url, &env.trust, env.timeout).await)
            }
            None => None,
        }
    };
    let (mut transcripts, clock) = tokio::join!(run_plan(env, plan), clock);
    crate::auth::add_token_evidence(&mut transcripts, plan);
    if let Some(sign_in) = beside.sign_in {
        crate::auth::add_refresh_failure(&mut transcripts, sign_in);
    }
    if let Some(check) = clock
        && let Some(t) = transcripts.iter_mut().find(|t| t.role == Role::Primary)
    {
        let event = Event { at_ms: 0, stage: Stage::Auth, kind: EventKind::ClockChecked { check } };
        t.events.insert(0, event);
    }
    let findings = KnowledgeBase::builtin().diagnose(&context, &transcripts, lang);
    Report::new(context, transcripts, findings)
}
