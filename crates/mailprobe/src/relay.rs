//! `mailprobe relay`: flags and rendering for the relay that keeps printers, scanners and old
//! applications sending (the work is done by the mailprobe-relay crate).
//!
//! - `serve`: the device listeners and the queue runner until SIGTERM or Ctrl-C;
//! - `check`: the configuration, each listener's certificate and key, then `diagnose` against
//!   the upstream with the relay's own credentials (an OAuth 2.0 token from the relay's token
//!   cache for XOAUTH2), rendered like `diagnose`;
//! - `queue`: what is waiting and why; retry, delete, flush;
//! - `add-device`: a new device's password (printed once) and its `[[device]]` lines.
//!
//! No secret is printed but the new device's password, once, by `add-device`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use mailprobe_net::{Credentials, ProbePlan, SmtpTarget, TrustStore};
use mailprobe_proto::{Event, EventKind, Role, SaslMechanism, Security, Stage};
use mailprobe_relay::config::{Listener, ListenerTls, UpstreamAuth, UpstreamSecurity};
use mailprobe_relay::device::{Acceptor, LoginLimits, Policy};
use mailprobe_relay::oauth::TokenSource;
use mailprobe_relay::{
    Arrivals, MailLog, Queue, QueueEntry, Relay, RelayConfig, Runner, ServeOptions, Spool, SpoolError,
};
use serde::Serialize;

use crate::cli::{Format, GlobalArgs};
use mailprobe_report::{Report, Tool, json};

use crate::global;

/// Where the packaged unit looks for the configuration.
pub const DEFAULT_CONFIG: &str = "/etc/mailprobe-relay/relay.toml";

/// `mailprobe relay`.
#[derive(Debug, Args)]
pub struct RelayArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RelayCommand,
}

/// `mailprobe relay` subcommands.
#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Run the relay: device listeners and the queue runner, until SIGTERM or Ctrl-C.
    Serve(ConfigArg),
    /// Check the configuration and the listeners' certificates, then diagnose the upstream
    /// with the relay's own credentials (before pointing devices at it).
    Check(CheckArgs),
    /// What is queued and why; retry, delete or flush.
    Queue(QueueArgs),
    /// Make a new device's password (shown once) and the lines to add to the configuration.
    AddDevice(AddDeviceArgs),
}

/// The configuration file.
#[derive(Debug, Args)]
pub struct ConfigArg {
    /// The relay's configuration.
    #[arg(long, short, value_name = "FILE", default_value = DEFAULT_CONFIG, global = true)]
    pub config: PathBuf,
}

/// `mailprobe relay check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The configuration file.
    #[command(flatten)]
    pub config: ConfigArg,
    /// Envelope sender to test (default: the upstream login when it is an address).
    #[arg(long, value_name = "ADDR")]
    pub from: Option<String>,
    /// Envelope recipient to test (default: the sender). Nothing is sent.
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
}

/// `mailprobe relay queue`.
#[derive(Debug, Args)]
pub struct QueueArgs {
    /// The configuration file (its `spool`).
    #[command(flatten)]
    pub config: ConfigArg,
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<QueueAction>,
}

/// `mailprobe relay queue` actions.
#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Every queued message, oldest first, with why its last attempt failed.
    List,
    /// Try one message now (the running relay picks it up within a second).
    Retry {
        /// Its queue id.
        id: String,
    },
    /// Remove one message without delivering it (no bounce is sent).
    Delete {
        /// Its queue id.
        id: String,
    },
    /// Try every waiting message now.
    Flush,
}

/// `mailprobe relay add-device`.
#[derive(Debug, Args)]
pub struct AddDeviceArgs {
    /// The device's name: its AUTH user name too (letters, digits and . _ - @ +).
    pub name: String,
}

/// Runs `mailprobe relay ...`.
pub async fn run(args: &RelayArgs, global: &GlobalArgs) -> Result<u8> {
    match &args.command {
        RelayCommand::Serve(c) => serve(&c.config).await,
        RelayCommand::Check(c) => check(c, global).await,
        RelayCommand::Queue(q) => queue(q, global),
        RelayCommand::AddDevice(a) => add_device(a, global),
    }
}

/// True for `relay serve`, which wants a runtime with worker threads (devices and deliveries
/// at once, and argon2 and fsync off the async threads).
pub fn is_serve(args: &RelayArgs) -> bool {
    matches!(args.command, RelayCommand::Serve(_))
}

fn load(path: &Path) -> Result<RelayConfig> {
    Ok(RelayConfig::load(path)?)
}

// ------------------------------------------------------------------ serve

/// Completes when SIGTERM or SIGINT (Ctrl-C) arrives; says which.
async fn stop_signal() -> Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot catch SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot catch SIGINT")?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            _ = int.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("cannot catch Ctrl-C")?;
        Ok("Ctrl-C")
    }
}

async fn serve(path: &Path) -> Result<u8> {
    let config = load(path)?;
    let log = match &config.log_file {
        Some(file) => MailLog::file(file, &config.hostname)
            .with_context(|| format!("cannot open the log file {}", file.display()))?,
        None => MailLog::stderr(&config.hostname),
    };
    let spool = Arc::new(Spool::open(&config.spool)?);
    let arrivals = Arrivals::new();
    // The runner first: its lock file says whether another relay already uses this spool.
    let runner =
        Arc::new(Runner::new(config.clone(), spool.clone(), arrivals.clone(), Arc::new(log.clone()))?);
    let relay = Relay::bind(&config, spool, arrivals, ServeOptions::new(log.clone())).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        // a dropped sender also means stop
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let mut runner_task = tokio::spawn(runner.run(stopped(stop_rx.clone())));
    let device_task = tokio::spawn(relay.run(stopped(stop_rx)));
    log.write("master", u64::from(std::process::id()), &format!("started, configuration {}", path.display()));
    let mut runner_result = None;
    tokio::select! {
        why = stop_signal() => {
            let why = why?;
            log.write("master", u64::from(std::process::id()), &format!("{why}: stopping"));
        }
        // the runner ends on its own only when it cannot go on
        r = &mut runner_task => runner_result = Some(r),
    }
    let _ = stop_tx.send(true);
    let summary = device_task.await.context("the device side stopped abnormally")?;
    let runner_result = match runner_result {
        Some(r) => r,
        None => runner_task.await,
    };
    let pid = u64::from(std::process::id());
    log.write(
        "master",
        pid,
        &format!(
            "stopped: {} sessions served, {} cut off at the drain deadline",
            summary.sessions, summary.cut_off
        ),
    );
    match runner_result {
        Ok(Ok(())) => Ok(0),
        Ok(Err(e)) => {
            log.write("master", pid, &format!("the queue runner stopped: {e}"));
            Err(e.into())
        }
        Err(e) => bail!("the queue runner stopped abnormally: {e}"),
    }
}

// ------------------------------------------------------------------ check

/// One listener's TLS as `relay check` found it.
#[derive(Debug, Serialize)]
struct ListenerCheck {
    bind: String,
    tls: &'static str,
    legacy_tls: bool,
    ok: bool,
    /// What was found (the certificate's names and expiry), or what is wrong.
    detail: String,
}

/// The upstream sign-in's token, as `relay check` got it.
#[derive(Debug, Serialize)]
struct TokenCheck {
    endpoint: String,
    grant: &'static str,
    ok: bool,
    /// Seconds the token is valid for, when one came.
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_secs: Option<i64>,
    /// Why no token came.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `relay check --format json`.
#[derive(Debug, Serialize)]
struct CheckDocument<'a> {
    tool: Tool,
    ok: bool,
    config: String,
    listeners: Vec<ListenerCheck>,
    devices: usize,
    /// Problems and warnings about the configuration itself.
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<TokenCheck>,
    upstream: &'a Report,
}

fn tls_name(tls: ListenerTls) -> &'static str {
    match tls {
        ListenerTls::None => "none",
        ListenerTls::Starttls => "starttls",
        ListenerTls::Implicit => "implicit",
    }
}

/// Loads a listener's certificate and key as `serve` would, and says what the certificate is.
fn check_listener(listener: &Listener) -> ListenerCheck {
    let mut out = ListenerCheck {
        bind: listener.bind.to_string(),
        tls: tls_name(listener.tls),
        legacy_tls: listener.legacy_tls,
        ok: true,
        detail: String::new(),
    };
    if listener.tls == ListenerTls::None {
        out.detail = "plain SMTP, no certificate".into();
        return out;
    }
    if let Err(e) = Acceptor::for_listener(listener) {
        out.ok = false;
        out.detail = e.to_string();
        return out;
    }
    let Some(cert) = &listener.certificate else {
        return out;
    };
    let first = std::fs::read(cert).ok().and_then(|pem| {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject as _;
        CertificateDer::pem_slice_iter(&pem).next().and_then(Result::ok)
    });
    let Some(der) = first else {
        out.detail = "certificate and key load".into();
        return out;
    };
    let info = mailprobe_net::certificate_info(&der);
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let names = if info.names.is_empty() { info.subject.clone() } else { info.names.join(", ") };
    // Both are RFC 3339 in UTC without fractions: they compare as text.
    if !info.not_after.is_empty() && info.not_after.as_str() < now.as_str() {
        out.ok = false;
        out.detail = format!("the certificate ({names}) expired on {}", info.not_after);
    } else {
        out.detail = format!("certificate and key load: {names}, valid until {}", info.not_after);
    }
    out
}

/// What is worth saying about the configuration beyond its validity.
fn config_notes(config: &RelayConfig) -> Vec<String> {
    let mut notes = Vec::new();
    let signs_in = config.devices.iter().any(|d| d.password_hash.is_some());
    for l in &config.listeners {
        if l.tls == ListenerTls::None && signs_in && !l.bind.ip().is_loopback() {
            notes.push(format!(
                "listener {}: plain SMTP on a network address: device passwords cross the LAN in the clear \
                 (use tls = \"starttls\" for devices that can)",
                l.bind
            ));
        }
    }
    if config.devices.is_empty() {
        notes.push(
            "no [[device]]: every device is refused (mailprobe relay add-device NAME makes one)".into(),
        );
    }
    if config.upstream.security == UpstreamSecurity::None
        && !matches!(config.upstream.auth, UpstreamAuth::None)
    {
        notes.push(
            "upstream: security = \"none\" with a sign-in: the relay refuses to send credentials without TLS"
                .into(),
        );
    }
    notes
}

async fn check(args: &CheckArgs, global: &GlobalArgs) -> Result<u8> {
    let path = &args.config.config;
    let config = load(path)?;
    let lang = global::lang(global);
    let listeners: Vec<ListenerCheck> = config.listeners.iter().map(check_listener).collect();
    let mut notes = config_notes(&config);
    // the device table as serve reads it (password hashes that parse, names unique)
    let policy = Policy::new(&config, LoginLimits::default());
    if let Err(e) = &policy {
        notes.insert(0, format!("PROBLEM: devices: {e}"));
    }
    let policy_ok = policy.is_ok();
    let upstream = &config.upstream;
    let timeout = Duration::from_secs_f64(global.timeout);

    // The relay's own credentials: the password file, or a token from its token cache.
    let (user, mechanism) = match &upstream.auth {
        UpstreamAuth::None => (None, None),
        UpstreamAuth::Plain { user, .. } => (Some(user.clone()), None),
        UpstreamAuth::Xoauth2 { user, .. } => (Some(user.clone()), Some(SaslMechanism::XOAuth2)),
    };
    let mut password = None;
    let mut token = None;
    let mut token_check = None;
    let mut token_failure = None;
    match &upstream.auth {
        UpstreamAuth::None => {}
        UpstreamAuth::Plain { password_file, .. } => {
            password = Some(crate::credentials::from_file(password_file, "password")?);
        }
        UpstreamAuth::Xoauth2 { token_url, .. } => {
            let source = TokenSource::from_config(&upstream.auth, upstream.ca_file.as_deref(), timeout)?;
            let grant = source.cache().grant_name();
            match source.cache().token().await {
                Ok(t) => {
                    token_check = Some(TokenCheck {
                        endpoint: token_url.clone(),
                        grant,
                        ok: true,
                        valid_secs: Some(t.expires_at - t.obtained_at),
                        error: None,
                    });
                    token = Some(t.token);
                }
                Err(e) => {
                    token_check = Some(TokenCheck {
                        endpoint: token_url.clone(),
                        grant,
                        ok: false,
                        valid_secs: None,
                        error: Some(e.to_string()),
                    });
                    token_failure = Some(e);
                }
            }
        }
    }
    let from = args.from.clone().or_else(|| user.clone().filter(|u| u.contains('@')));
    let security = match upstream.security {
        UpstreamSecurity::Starttls => Security::Starttls,
        UpstreamSecurity::Tls => Security::Tls,
        UpstreamSecurity::None => Security::None,
    };
    let smtp = SmtpTarget {
        host: upstream.host.clone(),
        port: upstream.port,
        security,
        connect_to: upstream.connect_to.into_iter().collect(),
        tls_name: None,
        ehlo_name: Some(config.hostname.clone()),
        credentials: Credentials { user: user.clone(), password, token },
        mechanism,
        from: from.clone(),
        to: args.to.clone(),
        send: false,
    };
    let plan = ProbePlan { smtp, imap: None, client_tls_max: None, tls_scan: false };
    let mut context = mailprobe_relay::diagnosis::context(
        upstream,
        from.as_deref().unwrap_or_default(),
        args.to.as_deref(),
    );
    context.send = false;
    context.evidence = mailprobe_proto::EvidenceSource::Live;
    let trust = match &upstream.ca_file {
        Some(file) => TrustStore::system().with_ca_file(file)?,
        None => TrustStore::system(),
    };
    let env = global::check_env(global, trust);
    global::progress(
        global,
        &format!("mailprobe relay check: probing {}:{} …", upstream.host, upstream.port),
    );
    let mut report = mailprobe_checks::diagnose::probe(&plan, context.clone(), &env, &mut |_| {}).await?;
    if let Some(e) = &token_failure {
        // The token endpoint's refusal is evidence: the same event the relay's own delivery
        // records, just before the sign-in it could not make.
        let event = Event {
            at_ms: 0,
            stage: Stage::Auth,
            kind: EventKind::ClientError {
                program: Some("oauth".into()),
                code: e.code().map(str::to_owned),
                message: e.to_string(),
            },
        };
        let mut transcripts: Vec<mailprobe_proto::Transcript> =
            report.transcripts.into_iter().map(|t| t.transcript).collect();
        if let Some(t) = transcripts.iter_mut().find(|t| t.role == Role::Primary) {
            let at = t.events.iter().position(|e| e.stage == Stage::Auth).unwrap_or(t.events.len());
            let at_ms = t.events.get(at).or(t.events.last()).map_or(0, |e| e.at_ms);
            t.events.insert(at, Event { at_ms, ..event });
        }
        let findings = mailprobe_kb::KnowledgeBase::builtin().diagnose(&context, &transcripts, lang);
        report = Report::new(context, transcripts, findings);
    }
    let config_ok = listeners.iter().all(|l| l.ok) && policy_ok;
    let code = if config_ok { report.exit_code() } else { 1 };
    match global.format {
        Format::Json => json::print(&CheckDocument {
            tool: Tool::this(),
            ok: code == 0,
            config: path.display().to_string(),
            listeners,
            devices: config.devices.len(),
            notes,
            token: token_check,
            upstream: &report,
        }),
        _ => {
            let mut out = String::new();
            let _ = writeln!(out, "mailprobe relay check: {}", path.display());
            let _ = writeln!(
                out,
                "  configuration: read; {} listener(s), {} device(s), spool {}",
                config.listeners.len(),
                config.devices.len(),
                config.spool.display()
            );
            for l in &listeners {
                let legacy = if l.legacy_tls { ", TLS 1.0/1.1 allowed" } else { "" };
                let mark = if l.ok { "ok" } else { "PROBLEM" };
                let _ = writeln!(out, "  listener {} ({}{legacy}): {mark}: {}", l.bind, l.tls, l.detail);
            }
            for n in &notes {
                let _ = writeln!(out, "  note: {n}");
            }
            if let Some(t) = &token_check {
                match (&t.valid_secs, &t.error) {
                    (Some(secs), _) => {
                        let _ = writeln!(
                            out,
                            "  OAuth 2.0 token ({}) from {}: obtained, valid {secs} s",
                            t.grant, t.endpoint
                        );
                    }
                    (_, Some(e)) => {
                        let _ = writeln!(
                            out,
                            "  OAuth 2.0 token ({}) from {}: PROBLEM: {e}",
                            t.grant, t.endpoint
                        );
                    }
                    _ => {}
                }
            }
            let _ = writeln!(
                out,
                "  upstream {}:{}, with the relay's own credentials:\n",
                upstream.host, upstream.port
            );
            print!("{out}");
            global::print_report(&report, global);
        }
    }
    Ok(code)
}

// ------------------------------------------------------------------ queue

/// One queued message in `relay queue --format json`.
#[derive(Debug, Serialize)]
struct QueuedJson {
    id: String,
    age_secs: u64,
    sender: String,
    recipients: Vec<String>,
    done: Vec<String>,
    device: String,
    size: u64,
    attempts: u32,
    next_attempt: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

impl From<QueueEntry> for QueuedJson {
    fn from(e: QueueEntry) -> Self {
        Self {
            id: e.id.to_string(),
            age_secs: e.age_secs,
            sender: e.sender,
            recipients: e.recipients,
            done: e.done,
            device: e.device,
            size: e.size,
            attempts: e.attempts,
            next_attempt: e.next_attempt,
            last_error: e.last_error,
        }
    }
}

/// `relay queue --format json`.
#[derive(Debug, Serialize)]
struct QueueDocument {
    tool: Tool,
    spool: String,
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<Vec<QueuedJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flushed: Option<usize>,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `90 s`, `5 min`, `3 h`, `2 d`.
fn span(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        7200..172_800 => format!("{} h", secs / 3600),
        _ => format!("{} d", secs / 86_400),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        0..10_000 => format!("{bytes} B"),
        10_000..10_000_000 => format!("{} kB", bytes / 1000),
        _ => format!("{} MB", bytes / 1_000_000),
    }
}

fn parse_id(id: &str) -> Result<mailprobe_relay::QueueId> {
    mailprobe_relay::QueueId::parse(id.trim()).with_context(|| {
        format!("{id:?} is not a queue id (26 hexadecimal digits, as `relay queue list` shows)")
    })
}

/// Renders the queue as text.
fn render_queue(entries: &[QueueEntry], now: u64) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str("The queue is empty.\n");
        return out;
    }
    let total: u64 = entries.iter().map(|e| e.size).sum();
    for e in entries {
        let next = if e.next_attempt <= now {
            "next attempt: now".to_owned()
        } else {
            format!("next attempt in {}", span(e.next_attempt - now))
        };
        let _ = writeln!(
            out,
            "{}  {}  {} ago  from device {}  attempts {}, {next}",
            e.id,
            size(e.size),
            span(e.age_secs),
            e.device,
            e.attempts
        );
        let sender = if e.sender.is_empty() { "<> (a bounce)".to_owned() } else { format!("<{}>", e.sender) };
        let _ = writeln!(out, "    from {sender}");
        for r in &e.recipients {
            let _ = writeln!(out, "    to   <{r}>");
        }
        for r in &e.done {
            let _ = writeln!(out, "    done <{r}>");
        }
        if let Some(why) = &e.last_error {
            let _ = writeln!(out, "    last error: {why}");
        }
    }
    let _ = writeln!(out, "-- {} message(s), {}", entries.len(), size(total));
    out
}

fn queue(args: &QueueArgs, global: &GlobalArgs) -> Result<u8> {
    let config = load(&args.config.config)?;
    let q = Queue::open(&config.spool)?;
    let spool = config.spool.display().to_string();
    let doc = |action, id: Option<&str>| QueueDocument {
        tool: Tool::this(),
        spool: spool.clone(),
        action,
        id: id.map(str::to_owned),
        messages: None,
        flushed: None,
    };
    let not_queued = |id: &str| {
        match global.format {
            Format::Json => json::print(&json::ErrorDocument::new(format!("no message {id} in the queue"))),
            _ => eprintln!("mailprobe: no message {id} in the queue (delivered or deleted meanwhile?)"),
        }
        Ok(1)
    };
    match args.action.as_ref().unwrap_or(&QueueAction::List) {
        QueueAction::List => {
            let now = now_secs();
            let entries = q.list(now)?;
            match global.format {
                Format::Json => json::print(&QueueDocument {
                    messages: Some(entries.into_iter().map(QueuedJson::from).collect()),
                    ..doc("list", None)
                }),
                _ => print!("{}", render_queue(&entries, now)),
            }
            Ok(0)
        }
        QueueAction::Retry { id } => {
            let qid = parse_id(id)?;
            match q.retry(&qid) {
                Err(SpoolError::NotQueued(_)) => not_queued(id),
                Err(e) => Err(e.into()),
                Ok(()) => {
                    match global.format {
                        Format::Json => json::print(&doc("retry", Some(qid.as_str()))),
                        _ => println!("{qid}: due now; a running relay tries it within a second."),
                    }
                    Ok(0)
                }
            }
        }
        QueueAction::Delete { id } => {
            let qid = parse_id(id)?;
            match q.delete(&qid) {
                Err(SpoolError::NotQueued(_)) => not_queued(id),
                Err(e) => Err(e.into()),
                Ok(()) => {
                    match global.format {
                        Format::Json => json::print(&doc("delete", Some(qid.as_str()))),
                        _ => println!("{qid}: deleted, without delivery and without a bounce."),
                    }
                    Ok(0)
                }
            }
        }
        QueueAction::Flush => {
            let n = q.flush()?;
            match global.format {
                Format::Json => json::print(&QueueDocument { flushed: Some(n), ..doc("flush", None) }),
                _ => println!("{n} waiting message(s) due now; a running relay tries them within a second."),
            }
            Ok(0)
        }
    }
}

// ------------------------------------------------------------------ add-device

/// `relay add-device --format json`: the only output that holds a device password.
#[derive(Serialize)]
struct NewDeviceDocument {
    tool: Tool,
    name: String,
    password: String,
    password_hash: String,
    toml: String,
}

fn add_device(args: &AddDeviceArgs, global: &GlobalArgs) -> Result<u8> {
    let new = mailprobe_relay::add_device(&args.name)?;
    match global.format {
        Format::Json => json::print(&NewDeviceDocument {
            tool: Tool::this(),
            name: new.name.clone(),
            password: new.password.clone(),
            password_hash: new.password_hash.clone(),
            toml: new.toml.clone(),
        }),
        _ => {
            let mut out = String::new();
            let _ = writeln!(out, "New device {:?}. Enter these in its e-mail (SMTP) settings:", new.name);
            let _ = writeln!(out, "  user name: {}", new.name);
            let _ = writeln!(out, "  password:  {}", new.password);
            let _ = writeln!(out, "  server:    this relay's address; port and TLS: those of a [[listener]]");
            let _ = writeln!(
                out,
                "The password is shown this once and stored nowhere (only its hash below): note it now.\n"
            );
            let _ = writeln!(out, "Add these lines to the relay's configuration, then restart it:\n");
            out.push_str(&new.toml);
            print!("{out}");
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_sizes_read_well() {
        assert_eq!(span(5), "5 s");
        assert_eq!(span(600), "10 min");
        assert_eq!(span(3 * 3600), "3 h");
        assert_eq!(span(5 * 86_400), "5 d");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(35_000), "35 kB");
        assert_eq!(size(35_000_000), "35 MB");
    }

    #[test]
    fn ids_are_checked_before_the_spool_is_touched() {
        assert!(parse_id("not-an-id").is_err());
        assert!(parse_id("0123456789ABCDEF0123456789").is_ok());
    }
}
