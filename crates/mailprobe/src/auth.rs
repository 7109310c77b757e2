//! `mailprobe auth login|status|refresh|logout|inspect|clock`: the flags, the prompts and the
//! rendering of OAuth 2.0 sign-in for the XOAUTH2 / OAUTHBEARER checks. The flows, the token
//! store (OS keyring, or an owner-only file), refresh, revocation and token inspection are the
//! `mailprobe-oauth` library's; this module asks it and says what happened.
//!
//! - Google: the installed-app flow — a loopback redirect listener on 127.0.0.1 and PKCE.
//! - Microsoft: the device-code flow with `https://outlook.office.com/SMTP.Send offline_access`.
//! - Custom: `--issuer URL`, endpoints from its discovery document (either flow).
//!
//! Every command says which store holds the tokens. Secrets (tokens, refresh tokens, client
//! secrets) are never printed, logged or put in an error.
//!
//! HTTPS to the provider trusts what `diagnose` trusts (the bundled and OS roots, plus
//! `--ca-file`). A sign-in server whose certificate is refused is a finding, not bad input:
//! the command says why in the words of `tls.cert_untrusted` (or the failure's own id) and
//! exits 1.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use mailprobe_net::TrustStore;
use mailprobe_oauth::{
    BrowserSignIn, DeviceSignIn, Endpoints, Flow, Http, OAuthError, Profile, ProfileView, Provider,
    RefreshFailure, RefusedCertificate, Store, StoreKind, Tokens, unix_now,
};
use mailprobe_proto::{ClockCheck, ClockLevel, Protocol, TokenInspection};

use crate::cli::{Format, GlobalArgs};
use crate::credentials;

/// `mailprobe auth` flags.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AuthCommand,
}

/// `mailprobe auth` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign in and store the tokens (Google: browser + loopback redirect + PKCE; Microsoft:
    /// device code; custom: --issuer with discovery).
    Login(LoginArgs),
    /// Who is signed in, with which scopes, until when (never the token).
    Status(ProfileArgs),
    /// Get a new access token with the stored refresh token.
    Refresh(ProfileArgs),
    /// Revoke the tokens at the provider when it can, and delete them here.
    Logout(ProfileArgs),
    /// Read an access token's claims without trusting it: audience, scopes, account, expiry.
    Inspect(InspectArgs),
    /// Compare the local clock with an SNTP server (or an HTTPS server's Date).
    Clock(ClockArgs),
}

/// Identity providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// Google (Gmail): installed-app flow, scope https://mail.google.com/.
    Google,
    /// Microsoft (Exchange Online / Outlook): device-code flow, scope SMTP.Send.
    Microsoft,
    /// Any OAuth 2.0 / OpenID Connect server, from --issuer's discovery document.
    Custom,
}

impl ProviderArg {
    fn provider(self) -> Provider {
        match self {
            Self::Google => Provider::Google,
            Self::Microsoft => Provider::Microsoft,
            Self::Custom => Provider::Custom,
        }
    }
}

/// How to sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// In a browser, back to a listener on 127.0.0.1 (authorization code + PKCE).
    Browser,
    /// With a code entered on another device (RFC 8628).
    Device,
}

/// `mailprobe auth login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The identity provider.
    #[arg(long, value_enum)]
    pub provider: ProviderArg,
    /// The OAuth client (application) id registered with the provider.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read the client secret (Google desktop clients have one) from this environment variable.
    #[arg(long, value_name = "VAR", group = "client_secret_source")]
    pub client_secret_env: Option<String>,
    /// Read the client secret from this file.
    #[arg(long, value_name = "FILE", group = "client_secret_source")]
    pub client_secret_file: Option<PathBuf>,
    /// Microsoft tenant: common, organizations, consumers, a domain or a tenant id.
    #[arg(long, default_value = "organizations")]
    pub tenant: String,
    /// The issuer of a custom provider (its /.well-known/openid-configuration is read).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Scopes to ask for (repeatable), instead of the provider's defaults.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The flow (default: browser for Google and custom, device for Microsoft).
    #[arg(long, value_enum)]
    pub flow: Option<FlowArg>,
    /// Print the sign-in address instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Port of the loopback redirect listener (default: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub redirect_port: u16,
    /// How long to wait for the sign-in, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub login_timeout: u64,
    /// Name the stored sign-in (default: the provider's name).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Also trust the CA certificates in this PEM file (an issuer behind a private CA).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// Which stored sign-in.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The stored sign-in (default: the only one, or the provider's).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The provider whose sign-in to use.
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// Also trust the CA certificates in this PEM file (refresh and logout talk to the issuer).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// `mailprobe auth inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Read the token from this environment variable.
    #[arg(long, value_name = "VAR", group = "token_source")]
    pub token_env: Option<String>,
    /// Read the token from this file.
    #[arg(long, value_name = "FILE", group = "token_source")]
    pub token_file: Option<PathBuf>,
    /// The stored sign-in's token (default when no --token-* is given).
    #[arg(long, value_name = "NAME", group = "token_source")]
    pub profile: Option<String>,
    /// The account that logs in or sends (checked against the token's user).
    #[arg(long, value_name = "ADDR")]
    pub user: Option<String>,
    /// The mail server the token is for (sets the audience and scope expected).
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// The protocol it is for.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Smtp)]
    pub protocol: ProtocolArg,
}

/// Protocols a token is used with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProtocolArg {
    /// SMTP submission.
    Smtp,
    /// IMAP.
    Imap,
}

/// `mailprobe auth clock`.
#[derive(Debug, Args)]
pub struct ClockArgs {
    /// SNTP server to ask (HOST[:PORT]).
    #[arg(long, value_name = "HOST[:PORT]", default_value = mailprobe_net::DEFAULT_NTP_SERVER)]
    pub ntp_server: String,
    /// Also (or, when SNTP gets no answer, instead) read the Date of a HEAD request to this URL.
    #[arg(long, value_name = "URL")]
    pub http_date: Option<String>,
    /// Also trust the CA certificates in this PEM file (for --http-date).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// Runs `auth`.
pub async fn run(args: &AuthArgs, global: &GlobalArgs) -> Result<u8> {
    let (ca_file, talks_to_issuer) = match &args.command {
        AuthCommand::Login(a) => (a.ca_file.as_deref(), true),
        AuthCommand::Refresh(a) | AuthCommand::Logout(a) => (a.ca_file.as_deref(), true),
        _ => (None, false),
    };
    let http = if talks_to_issuer { Some(Http::new(timeout(global), ca_file)?) } else { None };
    let outcome = match (&args.command, &http) {
        (AuthCommand::Login(a), Some(http)) => login(a, global, http).await,
        (AuthCommand::Refresh(a), Some(http)) => refresh_command(a, global, http).await,
        (AuthCommand::Logout(a), Some(http)) => logout(a, global, http).await,
        (AuthCommand::Status(a), _) => status(a, global).await,
        (AuthCommand::Inspect(a), _) => inspect(a, global).await,
        (AuthCommand::Clock(a), _) => clock(a, global).await,
        _ => unreachable!("an HTTP client is made for every command that talks to the issuer"),
    };
    // a refused server certificate explains whatever error followed it
    match (outcome, http.as_ref().and_then(Http::refused)) {
        (Err(_), Some(refused)) => {
            report_refused(global, &refused);
            Ok(1)
        }
        (outcome, _) => outcome,
    }
}

/// The timeout of each request to the provider (`--timeout`, at least a second).
fn timeout(global: &GlobalArgs) -> Duration {
    Duration::from_secs_f64(global.timeout.max(1.0))
}

/// A refused certificate in words, with what to do about it here (`--ca-file`).
fn describe_refused(refused: &RefusedCertificate) -> String {
    let mut text = refused.describe();
    if refused.finding_id() == "tls.cert_untrusted" {
        text.push_str(
            ". If the server uses your organisation's private CA (or HTTPS is inspected on the way), \
             give that CA's certificate with --ca-file FILE",
        );
    }
    text
}

fn report_refused(global: &GlobalArgs, refused: &RefusedCertificate) {
    if global.format == Format::Json {
        let doc = serde_json::json!({
            "ok": false,
            "error": refused.finding_id(),
            "detail": describe_refused(refused),
            "certificate": refused.leaf,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        println!("{}: {}", refused.finding_id(), describe_refused(refused));
    }
}

/// An error of the library with the flag that changes it, where there is one.
fn with_flag_hint(e: OAuthError) -> anyhow::Error {
    match e {
        OAuthError::MissingEndpoint(what) => {
            let other = if what.starts_with("device") { "browser" } else { "device" };
            anyhow::anyhow!("the provider has no {what}: use --flow {other}")
        }
        e => e.into(),
    }
}

// ------------------------------------------------------------------ login

async fn login(args: &LoginArgs, global: &GlobalArgs, http: &Http) -> Result<u8> {
    let provider = args.provider.provider();
    let name = args.profile.clone().unwrap_or_else(|| provider.id().to_owned());
    mailprobe_oauth::store::validate_profile_name(&name)?;
    let client_id = match (&args.client_id, args.provider) {
        (Some(id), _) if !id.trim().is_empty() => id.trim().to_owned(),
        (_, p) => bail!(
            "--client-id is needed: register mailprobe (or use your organisation's app) with {} as a \
             {} and give its client id",
            match p {
                ProviderArg::Google => "Google Cloud",
                ProviderArg::Microsoft => "Microsoft Entra ID",
                ProviderArg::Custom => "the provider",
            },
            match p {
                ProviderArg::Google => "desktop app (installed application)",
                _ => "public client (device code flow allowed)",
            }
        ),
    };
    let secret = match (&args.client_secret_env, &args.client_secret_file) {
        (Some(var), _) => Some(credentials::from_env(var, "client secret")?),
        (_, Some(f)) => Some(credentials::from_file(f, "client secret")?),
        _ => None,
    };
    let ep = match args.provider {
        ProviderArg::Google => Endpoints::google(),
        ProviderArg::Microsoft => Endpoints::microsoft(&args.tenant)
            .map_err(|_| anyhow::anyhow!("--tenant {:?} is not a tenant name or id", args.tenant))?,
        ProviderArg::Custom => {
            let Some(issuer) = args.issuer.as_deref() else {
                bail!("--provider custom needs --issuer URL (its discovery document is read)");
            };
            Endpoints::discover(issuer, http).await?
        }
    };
    let scopes = if args.scopes.is_empty() { ep.default_scopes.clone() } else { args.scopes.clone() };
    let flow = match args.flow {
        Some(FlowArg::Browser) => Flow::Browser,
        Some(FlowArg::Device) => Flow::Device,
        None => ep.default_flow,
    };
    let wait = Duration::from_secs(args.login_timeout);
    let tokens: Tokens = match flow {
        Flow::Browser => {
            let sign_in = BrowserSignIn::start(&ep, &client_id, secret.as_ref(), &scopes, args.redirect_port)
                .await
                .map_err(with_flag_hint)?;
            eprintln!("To sign in, open this address in a browser:\n\n  {}\n", sign_in.url());
            eprintln!("mailprobe: waiting for the browser to come back to {} …", sign_in.redirect_uri());
            if !args.no_browser && std::io::stderr().is_terminal() {
                open_browser(sign_in.url());
            }
            sign_in.finish(http, wait).await?
        }
        Flow::Device => {
            let sign_in = DeviceSignIn::start(&ep, &client_id, secret.as_ref(), &scopes, http)
                .await
                .map_err(with_flag_hint)?;
            eprintln!(
                "To sign in, open {} and enter the code {}",
                sign_in.verification_uri(),
                sign_in.user_code()
            );
            if let Some(full) = sign_in.verification_uri_complete() {
                eprintln!("(or open {full} )");
            }
            eprintln!("mailprobe: waiting for the sign-in …");
            sign_in.finish(http, wait).await?
        }
    };
    let profile = Profile::from_sign_in(&name, provider, &ep, &client_id, secret.as_ref(), &scopes, &tokens);
    let store = Store::open()?;
    let view_store = store.save(&profile).await?;
    report_profile(global, "signed in", &profile.view(view_store, unix_now()));
    Ok(0)
}

fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    let _ = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

// ------------------------------------------------------------------ status, refresh, logout

fn report_profile(global: &GlobalArgs, what: &str, view: &ProfileView) {
    if global.format == Format::Json {
        let doc = serde_json::json!({ "ok": true, "result": what, "profile": view });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    let mut out = String::new();
    out.push_str(&format!("{} ({}): {}\n", view.profile, view.provider.id(), what));
    out.push_str(&format!("  account:  {}\n", view.user.as_deref().unwrap_or("(unknown)")));
    out.push_str(&format!(
        "  scopes:   {}\n",
        if view.scopes.is_empty() { "(none)".into() } else { view.scopes.join(" ") }
    ));
    match (&view.expires_at, view.expires_in_secs) {
        (Some(at), Some(left)) if left > 0 => out.push_str(&format!("  expires:  {at} (in {left} s)\n")),
        (Some(at), Some(left)) => out.push_str(&format!("  expires:  {at} (expired {} s ago)\n", -left)),
        _ => out.push_str("  expires:  (not said)\n"),
    }
    out.push_str(&format!(
        "  refresh:  {}\n",
        if view.has_refresh_token { "a refresh token is stored" } else { "no refresh token" }
    ));
    if let Some(t) = &view.token
        && let Some(c) = &t.claims
    {
        if !c.audience.is_empty() {
            out.push_str(&format!("  audience: {}\n", c.audience.join(" ")));
        }
        if let Some(tid) = &c.tenant {
            out.push_str(&format!("  tenant:   {tid}\n"));
        }
    }
    out.push_str(&format!("  client:   {}\n", view.client_id));
    match view.store.kind {
        StoreKind::Keyring => out.push_str("  stored:   in the OS keyring\n"),
        StoreKind::File => {
            out.push_str(&format!(
                "  stored:   in {} (owner-only file)\n",
                view.store.path.as_deref().unwrap_or("a file")
            ));
            if let Some(why) = &view.store.keyring_unavailable {
                out.push_str(&format!("            the OS keyring is not available here ({why})\n"));
            }
        }
    }
    print!("{out}");
}

async fn status(args: &ProfileArgs, global: &GlobalArgs) -> Result<u8> {
    let store = Store::open()?;
    let name = store.pick(args.profile.as_deref(), args.provider.map(ProviderArg::provider))?;
    let (profile, view) = store.load(&name).await?;
    let v = profile.view(view, unix_now());
    report_profile(global, if v.expired { "access token expired" } else { "signed in" }, &v);
    // an expired access token with no way to refresh it is a problem
    Ok(u8::from(v.expired && !v.has_refresh_token))
}

async fn refresh_command(args: &ProfileArgs, global: &GlobalArgs, http: &Http) -> Result<u8> {
    let store = Store::open()?;
    let name = store.pick(args.profile.as_deref(), args.provider.map(ProviderArg::provider))?;
    let (profile, _) = store.load(&name).await?;
    match profile.refresh(http).await {
        Ok(new) => {
            let view = store.save(&new).await?;
            report_profile(global, "refreshed", &new.view(view, unix_now()));
            Ok(0)
        }
        Err(e) => {
            let mut failure = RefreshFailure::from(&e);
            if let OAuthError::Certificate(refused) = &e {
                failure.message = describe_refused(refused);
            }
            report_refresh_failure(global, &name, &failure);
            Ok(1)
        }
    }
}

fn report_refresh_failure(global: &GlobalArgs, name: &str, e: &RefreshFailure) {
    let hint = match e.code.as_deref() {
        Some("invalid_grant") => {
            "the refresh token was refused: it was revoked (a password change, a sign-out, an admin) or \
             has expired. Sign in again with `mailprobe auth login`."
        }
        _ => "sign in again with `mailprobe auth login`",
    };
    if global.format == Format::Json {
        let doc = serde_json::json!({
            "ok": false,
            "error": "refresh_failed",
            "profile": name,
            "code": e.code,
            "detail": e.message,
            "hint": hint,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        println!("{name}: refresh failed: {}\n  {hint}", e.message);
    }
}

async fn logout(args: &ProfileArgs, global: &GlobalArgs, http: &Http) -> Result<u8> {
    let store = Store::open()?;
    let name = store.pick(args.profile.as_deref(), args.provider.map(ProviderArg::provider))?;
    let (profile, _) = store.load(&name).await?;
    let revocations = profile.revoke(http).await;
    let mut revoked = Vec::new();
    let mut notes = Vec::new();
    for r in &revocations.outcomes {
        match &r.result {
            Ok(()) => revoked.push(r.token.name()),
            Err(OAuthError::Certificate(refused)) => {
                notes.push(format!("the {} was not revoked: {}", r.token.name(), describe_refused(refused)));
            }
            Err(e) => notes.push(format!("the {} was not revoked: {}", r.token.name(), e.detail())),
        }
    }
    if !revocations.endpoint {
        notes.push(
            "the provider has no revocation endpoint: the tokens were deleted here; the access token \
             stays valid until it expires, and the sign-in can be removed in the account's settings"
                .to_owned(),
        );
    }
    store.delete(&name).await?;
    if global.format == Format::Json {
        let doc = serde_json::json!({ "ok": true, "result": "signed out", "profile": name,
                                      "revoked": revoked, "notes": notes });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        println!("{name}: signed out; the stored tokens were deleted");
        if !revoked.is_empty() {
            println!("  revoked at the provider: {}", revoked.join(", "));
        }
        for n in &notes {
            println!("  {n}");
        }
    }
    Ok(0)
}

// ------------------------------------------------------------------ inspect, clock

async fn inspect(args: &InspectArgs, global: &GlobalArgs) -> Result<u8> {
    let token = match (&args.token_env, &args.token_file) {
        (Some(var), _) => credentials::from_env(var, "token")?,
        (_, Some(f)) => credentials::from_file(f, "token")?,
        _ => {
            let store = Store::open()?;
            let name = store.pick(args.profile.as_deref(), None)?;
            store.load(&name).await?.0.access_token
        }
    };
    let protocol = match args.protocol {
        ProtocolArg::Smtp => Protocol::Smtp,
        ProtocolArg::Imap => Protocol::Imap,
    };
    let host = args.host.as_deref().unwrap_or("");
    let accounts: Vec<String> = args.user.iter().cloned().collect();
    let (inspection, skew) =
        mailprobe_oauth::evidence::inspect(&token, host, protocol, &accounts, unix_now());
    let findings = inspection_findings(host, protocol, &inspection, &skew, global);
    if global.format == Format::Json {
        let doc = serde_json::json!({ "inspection": inspection, "clock": skew, "findings": findings });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{}",
            mailprobe_proto::summarize(&mailprobe_proto::Event {
                at_ms: 0,
                stage: mailprobe_proto::Stage::Auth,
                kind: mailprobe_proto::EventKind::TokenInspected { inspection: inspection.clone() },
            })
        );
        for p in &inspection.problems {
            println!("  problem: {}", serde_json::to_string(p)?);
        }
        if let Some(c) = &skew {
            println!("  clock: {}", c.describe());
        }
        if !findings.is_empty() {
            print!(
                "\n{}",
                mailprobe_report::text::render_findings_only(&findings, &crate::global::style(global))
            );
        }
    }
    Ok(u8::from(!inspection.problems.is_empty()))
}

/// What the knowledge base makes of an inspection alone: the same findings `diagnose` gives
/// when the token's claims show a problem (wrong audience, missing scope, wrong account...).
fn inspection_findings(
    host: &str,
    protocol: Protocol,
    inspection: &TokenInspection,
    skew: &Option<ClockCheck>,
    global: &GlobalArgs,
) -> Vec<mailprobe_kb::Finding> {
    use mailprobe_proto::{Context, Endpoint, Event, EventKind, Role, Security, Stage, Transcript};
    let security = Security::default_for_port(0);
    let mut t =
        Transcript::new(protocol, Role::Primary, Endpoint { host: host.to_owned(), port: 0, security });
    t.events.push(Event {
        at_ms: 0,
        stage: Stage::Auth,
        kind: EventKind::TokenInspected { inspection: inspection.clone() },
    });
    if let Some(check) = skew {
        t.events.push(Event {
            at_ms: 0,
            stage: Stage::Auth,
            kind: EventKind::ClockChecked { check: check.clone() },
        });
    }
    let context = Context {
        host: host.to_owned(),
        provider: mailprobe_checks::provider::for_host(host).map(|p| p.id.to_owned()),
        has_token: true,
        ..Context::default()
    };
    mailprobe_kb::KnowledgeBase::builtin().diagnose(&context, &[t], crate::global::lang(global))
}

async fn clock(args: &ClockArgs, global: &GlobalArgs) -> Result<u8> {
    let timeout = Duration::from_secs_f64(global.timeout);
    let mut checks: Vec<ClockCheck> = vec![mailprobe_net::sntp_check(&args.ntp_server, timeout).await];
    if let Some(url) = &args.http_date {
        let trust = match &args.ca_file {
            Some(path) => TrustStore::system().with_ca_file(path)?,
            None => TrustStore::system(),
        };
        checks.push(mailprobe_net::http_date_check(url, &trust, timeout).await);
    }
    // the verdict: the first check that measured something (SNTP before the HTTP Date)
    let verdict = checks.iter().find(|c| c.offset_ms.is_some()).unwrap_or(&checks[0]).clone();
    if global.format == Format::Json {
        let doc = serde_json::json!({
            "offset_ms": verdict.offset_ms,
            "level": verdict.level,
            "checks": checks,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for c in &checks {
            let source = mailprobe_proto::snake(&c.source);
            let rtt = c.round_trip_ms.map(|r| format!(", round trip {r} ms")).unwrap_or_default();
            println!("{source} {}: {}{rtt} [{}]", c.server, c.describe(), mailprobe_proto::snake(&c.level));
        }
    }
    // exit 1 only for an offset that breaks sign-ins; no answer is said, not judged
    Ok(u8::from(verdict.level == ClockLevel::Error))
}
