//! `mailprobe auth login|status|refresh|logout|inspect|clock`: OAuth 2.0 sign-in for the
//! XOAUTH2 / OAUTHBEARER checks, with the `oauth2` crate (no hand-made OAuth requests).
//!
//! - Google: the installed-app flow — a loopback redirect listener on 127.0.0.1 and PKCE.
//! - Microsoft: the device-code flow with `https://outlook.office.com/SMTP.Send offline_access`.
//! - Custom: `--issuer URL`, endpoints from its discovery document (either flow).
//!
//! Tokens are kept in the OS keyring; where there is none (a server, a container, no Secret
//! Service on the session bus) in an owner-only (0600) file under the user's config directory,
//! and every command says which. Secrets (tokens, refresh tokens, client secrets) are never
//! printed, logged or put in an error.
//!
//! HTTPS to the provider trusts what `diagnose` trusts (the bundled and OS roots, plus
//! `--ca-file`). A sign-in server whose certificate is refused is a finding, not bad input:
//! the command says why in the words of `tls.cert_untrusted` (or the failure's own id) and
//! exits 1.

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use mailprobe_net::{HttpsTrust, TrustStore};
use mailprobe_proto::{
    CertificateInfo, ClockCheck, ClockLevel, Protocol, Secret, TlsFailure, TokenClaims, TokenExpectations,
    TokenInspection, claims_from_map, decode_jwt_claims, inspect_token,
};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::reqwest;
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, DeviceAuthorizationUrl,
    EndpointMaybeSet, EndpointNotSet, ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RefreshToken,
    RequestTokenError, RevocationUrl, Scope, StandardDeviceAuthorizationResponse, StandardRevocableToken,
    StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderArg {
    /// Google (Gmail): installed-app flow, scope https://mail.google.com/.
    Google,
    /// Microsoft (Exchange Online / Outlook): device-code flow, scope SMTP.Send.
    Microsoft,
    /// Any OAuth 2.0 / OpenID Connect server, from --issuer's discovery document.
    Custom,
}

impl ProviderArg {
    fn id(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
            Self::Custom => "custom",
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
    let http = if talks_to_issuer { Some(Http::new(global.timeout, ca_file)?) } else { None };
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

// ------------------------------------------------------------------ providers

/// Endpoints and defaults of one provider.
#[derive(Clone, Debug)]
struct Endpoints {
    issuer: Option<String>,
    auth_url: Option<String>,
    token_url: String,
    device_url: Option<String>,
    revocation_url: Option<String>,
    default_scopes: Vec<String>,
    default_flow: FlowArg,
    /// Extra authorization parameters (Google: access_type=offline, prompt=consent).
    extra: Vec<(&'static str, &'static str)>,
}

async fn endpoints(args: &LoginArgs, http: &reqwest::Client) -> Result<Endpoints> {
    Ok(match args.provider {
        ProviderArg::Google => Endpoints {
            issuer: Some("https://accounts.google.com".into()),
            auth_url: Some("https://accounts.google.com/o/oauth2/v2/auth".into()),
            token_url: "https://oauth2.googleapis.com/token".into(),
            device_url: Some("https://oauth2.googleapis.com/device/code".into()),
            revocation_url: Some("https://oauth2.googleapis.com/revoke".into()),
            default_scopes: vec!["https://mail.google.com/".into(), "openid".into(), "email".into()],
            default_flow: FlowArg::Browser,
            extra: vec![("access_type", "offline"), ("prompt", "consent")],
        },
        ProviderArg::Microsoft => {
            let t = &args.tenant;
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
                bail!("--tenant {t:?} is not a tenant name or id");
            }
            let base = format!("https://login.microsoftonline.com/{t}/oauth2/v2.0");
            Endpoints {
                issuer: Some(format!("https://login.microsoftonline.com/{t}/v2.0")),
                auth_url: Some(format!("{base}/authorize")),
                token_url: format!("{base}/token"),
                device_url: Some(format!("{base}/devicecode")),
                // Microsoft's identity platform has no RFC 7009 revocation endpoint
                revocation_url: None,
                default_scopes: vec!["https://outlook.office.com/SMTP.Send".into(), "offline_access".into()],
                default_flow: FlowArg::Device,
                extra: vec![],
            }
        }
        ProviderArg::Custom => {
            let issuer = args
                .issuer
                .as_deref()
                .context("--provider custom needs --issuer URL (its discovery document is read)")?;
            discover(issuer, http).await?
        }
    })
}

/// Reads `ISSUER/.well-known/openid-configuration` (or the OAuth 2.0 server metadata).
async fn discover(issuer: &str, http: &reqwest::Client) -> Result<Endpoints> {
    let issuer = issuer.trim_end_matches('/');
    let mut last = String::new();
    for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
        let url = format!("{issuer}{path}");
        let res = match http.get(&url).send().await {
            Ok(r) => r,
            Err(e) => {
                last = format!("{url}: {}", without_url(&e));
                continue;
            }
        };
        if !res.status().is_success() {
            last = format!("{url}: HTTP {}", res.status());
            continue;
        }
        let bytes = res.bytes().await.with_context(|| format!("reading {url}"))?;
        let doc: serde_json::Value =
            serde_json::from_slice(&bytes).with_context(|| format!("{url} is not a JSON document"))?;
        let s = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let token_url = s("token_endpoint").with_context(|| format!("{url} names no token_endpoint"))?;
        let device_url = s("device_authorization_endpoint");
        let auth_url = s("authorization_endpoint");
        return Ok(Endpoints {
            issuer: s("issuer").or_else(|| Some(issuer.to_owned())),
            default_flow: if auth_url.is_none() && device_url.is_some() {
                FlowArg::Device
            } else {
                FlowArg::Browser
            },
            auth_url,
            token_url,
            device_url,
            revocation_url: s("revocation_endpoint"),
            default_scopes: vec!["openid".into(), "email".into(), "offline_access".into()],
            extra: vec![("prompt", "consent")],
        });
    }
    bail!("cannot read the discovery document of {issuer}: {last}")
}

/// A reqwest error's text without the URL's query (a token could be in one; never is here,
/// but errors are printed).
fn without_url(e: &reqwest::Error) -> String {
    let mut e2 = e.to_string();
    if let Some(u) = e.url()
        && let Some(q) = u.query()
    {
        e2 = e2.replace(q, "…");
    }
    e2
}

// ------------------------------------------------------------------ oauth2 client

/// The `id_token` next to the access token (OpenID Connect): only to say who signed in.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OAuthClient = Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointMaybeSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

fn oauth_client(
    client_id: &str,
    secret: Option<&Secret>,
    auth_url: Option<&str>,
    token_url: &str,
    device_url: Option<&str>,
    revocation_url: Option<&str>,
) -> Result<OAuthClient> {
    let url = |what: &str, u: &str| -> Result<String> {
        if !(u.starts_with("https://") || is_loopback_http(u)) {
            bail!("the {what} {u:?} is not https:// (plain http is allowed on loopback only)");
        }
        Ok(u.to_owned())
    };
    let mut client = Client::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri_option(
            auth_url.map(|u| url("authorization endpoint", u)).transpose()?.map(AuthUrl::new).transpose()?,
        )
        .set_token_uri_option(Some(TokenUrl::new(url("token endpoint", token_url)?)?))
        .set_device_authorization_url_option(
            device_url
                .map(|u| url("device endpoint", u))
                .transpose()?
                .map(DeviceAuthorizationUrl::new)
                .transpose()?,
        )
        .set_revocation_url_option(
            revocation_url
                .map(|u| url("revocation endpoint", u))
                .transpose()?
                .map(RevocationUrl::new)
                .transpose()?,
        );
    if let Some(s) = secret {
        client = client.set_client_secret(ClientSecret::new(s.expose().to_owned()));
    }
    Ok(client)
}

fn is_loopback_http(u: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| u.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])))
}

/// The HTTP client of the OAuth requests, with the TLS trust of a probe (bundled and OS roots,
/// plus `--ca-file`), and a record of why a server certificate was refused.
pub struct Http {
    client: reqwest::Client,
    tls: HttpsTrust,
}

impl Http {
    /// A client with `timeout` (seconds) on every request, trusting `ca_file` too.
    pub fn new(timeout: f64, ca_file: Option<&Path>) -> Result<Self> {
        let trust = match ca_file {
            Some(path) => TrustStore::system().with_ca_file(path)?,
            None => TrustStore::system(),
        };
        let tls = trust.https()?;
        let client = reqwest::Client::builder()
            // the oauth2 crate's advice: no redirects (SSRF), and a timeout on every request
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs_f64(timeout.max(1.0)))
            .user_agent(concat!("mailprobe/", env!("CARGO_PKG_VERSION")))
            .use_preconfigured_tls(tls.config())
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(Self { client, tls })
    }

    /// The last server certificate refused, in words, when the last handshake refused one.
    fn refused(&self) -> Option<Refused> {
        let (failure, chain) = self.tls.refusal()?;
        Some(Refused { failure, leaf: chain.into_iter().next() })
    }
}

/// A sign-in server's certificate that was refused.
struct Refused {
    failure: TlsFailure,
    leaf: Option<CertificateInfo>,
}

impl Refused {
    /// The knowledge base's id for this failure (`tls.cert_untrusted`).
    fn finding_id(&self) -> &'static str {
        match self.failure {
            TlsFailure::CertUntrusted => "tls.cert_untrusted",
            TlsFailure::CertExpired => "tls.cert_expired",
            TlsFailure::CertHostnameMismatch => "tls.cert_hostname_mismatch",
            _ => "tls.handshake_failed",
        }
    }

    fn describe(&self) -> String {
        let cert = self.leaf.as_ref().map_or_else(String::new, |c| {
            format!(" (subject {}, issued by {}, for {})", c.subject, c.issuer, c.names.join(", "))
        });
        let why = match self.failure {
            TlsFailure::CertUntrusted => {
                "is not signed by a certificate authority this computer trusts. If the server uses \
                 your organisation's private CA (or HTTPS is inspected on the way), give that CA's \
                 certificate with --ca-file FILE"
            }
            TlsFailure::CertExpired => "has expired (or this computer's clock is wrong)",
            TlsFailure::CertHostnameMismatch => "is not valid for the server's name in the issuer URL",
            _ => "was refused",
        };
        format!("the sign-in server's certificate{cert} {why}")
    }
}

fn report_refused(global: &GlobalArgs, refused: &Refused) {
    if global.format == Format::Json {
        let doc = serde_json::json!({
            "ok": false,
            "error": refused.finding_id(),
            "detail": refused.describe(),
            "certificate": refused.leaf,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        println!("{}: {}", refused.finding_id(), refused.describe());
    }
}

/// An oauth2 error in words, without anything the server sent back verbatim but its error code
/// and description (a response that did not parse could hold a token).
fn token_error<E: std::error::Error + 'static>(
    e: &RequestTokenError<E, impl oauth2::ErrorResponse + 'static>,
) -> (Option<String>, String) {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let v = serde_json::to_value(r).unwrap_or_default();
            let code = v.get("error").and_then(|c| c.as_str()).map(str::to_owned);
            let desc = v.get("error_description").and_then(|c| c.as_str()).unwrap_or("");
            (
                code.clone(),
                format!("{}{}{desc}", code.unwrap_or_default(), if desc.is_empty() { "" } else { ": " }),
            )
        }
        RequestTokenError::Request(e) => (None, format!("request failed: {e}")),
        RequestTokenError::Parse(_, _) => (None, "the provider's answer could not be read".to_owned()),
        RequestTokenError::Other(s) => (None, s.clone()),
    }
}

// ------------------------------------------------------------------ the stored sign-in

/// One sign-in, as stored. Everything marked secret stays in the keyring or the owner-only file.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Profile {
    name: String,
    provider: ProviderArg,
    #[serde(default)]
    issuer: Option<String>,
    client_id: String,
    token_url: String,
    #[serde(default)]
    revocation_url: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    /// Unix seconds.
    #[serde(default)]
    expires_at: Option<i64>,
    obtained_at: i64,
    /// Secret.
    access_token: String,
    /// Secret.
    #[serde(default)]
    refresh_token: Option<String>,
    /// Secret (public clients have none).
    #[serde(default)]
    client_secret: Option<String>,
}

/// What `status` may show of a profile: no secret field exists here.
#[derive(Debug, Serialize)]
struct ProfileView {
    profile: String,
    provider: ProviderArg,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    scopes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_secs: Option<i64>,
    expired: bool,
    has_refresh_token: bool,
    can_revoke: bool,
    /// The access token's claims, when it is a JWT.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<TokenInspection>,
    store: StoreView,
}

#[derive(Clone, Debug, Serialize)]
struct StoreView {
    /// `keyring` or `file`.
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    /// Why the keyring was not used.
    #[serde(skip_serializing_if = "Option::is_none")]
    keyring_unavailable: Option<String>,
}

impl Profile {
    fn view(&self, store: StoreView) -> ProfileView {
        let now = now_secs();
        let token = decode_jwt_claims(&self.access_token).map(|_| {
            let expect = TokenExpectations {
                accounts: self.user.iter().cloned().collect(),
                ..TokenExpectations::default()
            };
            inspect_token(&self.access_token, now, &expect)
        });
        ProfileView {
            profile: self.name.clone(),
            provider: self.provider,
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            user: self.user.clone(),
            scopes: self.scopes.clone(),
            expires_at: self.expires_at.map(rfc3339),
            expires_in_secs: self.expires_at.map(|e| e - now),
            expired: self.expires_at.is_some_and(|e| e <= now),
            has_refresh_token: self.refresh_token.is_some(),
            can_revoke: self.revocation_url.is_some(),
            token,
            store,
        }
    }
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// `$MAILPROBE_CONFIG_DIR`, else the platform's per-user config directory + `mailprobe`.
fn config_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("MAILPROBE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library").join("Application Support"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
    };
    Ok(base.context("cannot find the user's config directory (set MAILPROBE_CONFIG_DIR)")?.join("mailprobe"))
}

const KEYRING_SERVICE: &str = "mailprobe";

/// Where the sign-ins are: the index (names and which store holds each, no secret) and the
/// owner-only token files of the fallback.
struct Store {
    dir: PathBuf,
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    /// profile name → "keyring" or "file".
    profiles: std::collections::BTreeMap<String, String>,
}

impl Store {
    fn open() -> Result<Self> {
        let dir = config_dir()?.join("auth");
        create_private_dir(&dir)?;
        Ok(Self { dir })
    }

    fn index(&self) -> Index {
        std::fs::read(self.dir.join("index.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn write_index(&self, index: &Index) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(index)?;
        write_private(&self.dir.join("index.json"), &bytes)
    }

    fn file_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.token.json"))
    }

    /// Saves a profile: in the keyring when it works, else in the owner-only file.
    async fn save(&self, p: &Profile) -> Result<StoreView> {
        let json = serde_json::to_string(p)?;
        let keyring = keyring_set(&p.name, json.clone()).await;
        let mut index = self.index();
        let view = match keyring {
            Ok(()) => {
                let _ = std::fs::remove_file(self.file_path(&p.name));
                index.profiles.insert(p.name.clone(), "keyring".into());
                StoreView { kind: "keyring", path: None, keyring_unavailable: None }
            }
            Err(why) => {
                let path = self.file_path(&p.name);
                write_private(&path, json.as_bytes())?;
                index.profiles.insert(p.name.clone(), "file".into());
                StoreView {
                    kind: "file",
                    path: Some(path.display().to_string()),
                    keyring_unavailable: Some(why),
                }
            }
        };
        self.write_index(&index)?;
        Ok(view)
    }

    async fn load(&self, name: &str) -> Result<(Profile, StoreView)> {
        let index = self.index();
        let kind = index.profiles.get(name).map(String::as_str);
        let (json, view) = match kind {
            Some("keyring") => {
                let json = keyring_get(name).await.map_err(|e| {
                    anyhow::anyhow!("cannot read the sign-in {name:?} from the OS keyring: {e}")
                })?;
                (json, StoreView { kind: "keyring", path: None, keyring_unavailable: None })
            }
            Some(_) => {
                let path = self.file_path(name);
                let json = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the token file {}", path.display()))?;
                (
                    json,
                    StoreView {
                        kind: "file",
                        path: Some(path.display().to_string()),
                        keyring_unavailable: None,
                    },
                )
            }
            None => bail!("no stored sign-in {name:?}: run `mailprobe auth login` first"),
        };
        let profile: Profile = serde_json::from_str(&json)
            .map_err(|_| anyhow::anyhow!("the stored sign-in {name:?} is damaged: sign in again"))?;
        Ok((profile, view))
    }

    async fn delete(&self, name: &str) -> Result<()> {
        let mut index = self.index();
        if index.profiles.remove(name).as_deref() == Some("keyring") {
            let _ = keyring_delete(name).await;
        }
        let path = self.file_path(name);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("cannot delete {}", path.display()))?;
        }
        self.write_index(&index)
    }

    /// The profile meant: `--profile`, else the provider's name, else the only one stored.
    fn pick(&self, profile: Option<&str>, provider: Option<ProviderArg>) -> Result<String> {
        if let Some(p) = profile {
            return Ok(p.to_owned());
        }
        if let Some(p) = provider {
            return Ok(p.id().to_owned());
        }
        let index = self.index();
        let mut names = index.profiles.keys();
        match (names.next(), names.next()) {
            (Some(only), None) => Ok(only.clone()),
            (None, _) => bail!("nobody is signed in: run `mailprobe auth login --provider …` first"),
            _ => {
                let all = index.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
                bail!("several sign-ins are stored ({all}): say which with --profile NAME")
            }
        }
    }
}

fn validate_profile_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
        || name.starts_with('.')
    {
        bail!("{name:?} is not a profile name (letters, digits, - _ . @)");
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {}", dir.display()))?;
    }
    Ok(())
}

/// Writes a file only its owner can read (0600 on Unix), replacing it atomically.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let _ = std::fs::remove_file(&tmp);
    let mut f = options.open(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    drop(f);
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// `MAILPROBE_TOKEN_STORE=file` skips the keyring (tests, or where a keyring prompt would hang).
fn keyring_disabled() -> Option<String> {
    match std::env::var("MAILPROBE_TOKEN_STORE").as_deref() {
        Ok("file") => Some("MAILPROBE_TOKEN_STORE=file".to_owned()),
        _ => None,
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_call<T: Send + 'static>(
    f: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> std::result::Result<T, String> {
    if let Some(why) = keyring_disabled() {
        return Err(why);
    }
    // the keyring crate blocks (and may run its own event loop): keep it off the async runtime,
    // and do not wait forever for a keyring daemon that never answers
    let task = tokio::task::spawn_blocking(f);
    match tokio::time::timeout(Duration::from_secs(10), task).await {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(keyring_error(&e)),
        Ok(Err(_)) => Err("the keyring call failed".to_owned()),
        Err(_) => Err("the OS keyring did not answer within 10 s".to_owned()),
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
fn keyring_error(e: &keyring::Error) -> String {
    // the crate's messages can be long platform errors; keep the first line
    e.to_string().lines().next().unwrap_or("keyring error").to_owned()
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_set(name: &str, json: String) -> std::result::Result<(), String> {
    let name = name.to_owned();
    keyring_call(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &name)?;
        entry.set_password(&json)?;
        // read back: some back ends accept a write and keep nothing
        match entry.get_password() {
            Ok(back) if back == json => Ok(()),
            Ok(_) => Err(keyring::Error::NoEntry),
            Err(e) => Err(e),
        }
    })
    .await
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_get(name: &str) -> std::result::Result<String, String> {
    let name = name.to_owned();
    keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &name)?.get_password()).await
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn keyring_delete(name: &str) -> std::result::Result<(), String> {
    let name = name.to_owned();
    keyring_call(move || keyring::Entry::new(KEYRING_SERVICE, &name)?.delete_credential()).await
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn keyring_set(_name: &str, _json: String) -> std::result::Result<(), String> {
    Err(keyring_disabled().unwrap_or_else(|| "no OS keyring support on this platform".to_owned()))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn keyring_get(_name: &str) -> std::result::Result<String, String> {
    Err("no OS keyring support on this platform".to_owned())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn keyring_delete(_name: &str) -> std::result::Result<(), String> {
    Ok(())
}

// ------------------------------------------------------------------ login

async fn login(args: &LoginArgs, global: &GlobalArgs, http: &Http) -> Result<u8> {
    let name = args.profile.clone().unwrap_or_else(|| args.provider.id().to_owned());
    validate_profile_name(&name)?;
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
    let http = &http.client;
    let ep = endpoints(args, http).await?;
    let scopes = if args.scopes.is_empty() { ep.default_scopes.clone() } else { args.scopes.clone() };
    let flow = args.flow.unwrap_or(ep.default_flow);
    let obtained_at = now_secs();
    let response = match flow {
        FlowArg::Browser => browser_flow(args, &ep, &client_id, secret.as_ref(), &scopes, http).await?,
        FlowArg::Device => device_flow(args, &ep, &client_id, secret.as_ref(), &scopes, http).await?,
    };
    let profile = profile_from_response(
        &name,
        args.provider,
        &ep,
        &client_id,
        secret.as_ref(),
        &scopes,
        &response,
        obtained_at,
        None,
    );
    let store = Store::open()?;
    let view_store = store.save(&profile).await?;
    let view = profile.view(view_store);
    report_profile(global, "signed in", &view);
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
fn profile_from_response(
    name: &str,
    provider: ProviderArg,
    ep: &Endpoints,
    client_id: &str,
    secret: Option<&Secret>,
    asked: &[String],
    response: &TokenResponse,
    obtained_at: i64,
    previous: Option<&Profile>,
) -> Profile {
    let access_token = response.access_token().secret().clone();
    let scopes: Vec<String> = match response.scopes() {
        Some(s) => s.iter().map(|s| s.to_string()).collect(),
        None => previous.map_or_else(|| asked.to_vec(), |p| p.scopes.clone()),
    };
    let who = response
        .extra_fields()
        .id_token
        .as_deref()
        .and_then(decode_jwt_claims)
        .map(|m| claims_from_map(&m))
        .and_then(|c: TokenClaims| c.user)
        .or_else(|| decode_jwt_claims(&access_token).and_then(|m| claims_from_map(&m).user))
        .or_else(|| previous.and_then(|p| p.user.clone()));
    Profile {
        name: name.to_owned(),
        provider,
        issuer: ep.issuer.clone(),
        client_id: client_id.to_owned(),
        token_url: ep.token_url.clone(),
        revocation_url: ep.revocation_url.clone(),
        user: who,
        scopes,
        expires_at: response
            .expires_in()
            .map(|d| obtained_at + i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)),
        obtained_at,
        access_token,
        refresh_token: response
            .refresh_token()
            .map(|r| r.secret().clone())
            .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
        client_secret: secret.map(|s| s.expose().to_owned()),
    }
}

async fn browser_flow(
    args: &LoginArgs,
    ep: &Endpoints,
    client_id: &str,
    secret: Option<&Secret>,
    scopes: &[String],
    http: &reqwest::Client,
) -> Result<TokenResponse> {
    let Some(auth_url) = ep.auth_url.as_deref() else {
        bail!("the provider has no authorization endpoint: use --flow device");
    };
    let listener = TcpListener::bind(("127.0.0.1", args.redirect_port)).await.with_context(|| {
        format!("cannot listen on 127.0.0.1:{} for the sign-in redirect", args.redirect_port)
    })?;
    let port = listener.local_addr()?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let client =
        oauth_client(client_id, secret, Some(auth_url), &ep.token_url, None, ep.revocation_url.as_deref())?
            .set_redirect_uri(RedirectUrl::new(redirect.clone())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(CsrfToken::new_random)?.set_pkce_challenge(challenge);
    for s in scopes {
        request = request.add_scope(Scope::new(s.clone()));
    }
    for (k, v) in &ep.extra {
        request = request.add_extra_param(*k, *v);
    }
    let (url, state) = request.url();
    eprintln!("To sign in, open this address in a browser:\n\n  {url}\n");
    eprintln!("mailprobe: waiting for the browser to come back to {redirect} …");
    if !args.no_browser && std::io::stderr().is_terminal() {
        open_browser(url.as_str());
    }
    let code = tokio::time::timeout(
        Duration::from_secs(args.login_timeout),
        wait_for_code(&listener, state.secret()),
    )
    .await
    .map_err(|_| anyhow::anyhow!("no sign-in came back within {} s", args.login_timeout))??;
    let response = client
        .exchange_code(AuthorizationCode::new(code))?
        .set_pkce_verifier(verifier)
        .request_async(http)
        .await
        .map_err(|e| anyhow::anyhow!("the provider refused the sign-in code: {}", token_error(&e).1))?;
    Ok(response)
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

/// Serves the loopback redirect until a request brings `code` (or `error`) with our `state`.
async fn wait_for_code(listener: &TcpListener, state: &str) -> Result<String> {
    loop {
        let (mut sock, _) = listener.accept().await?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            match tokio::time::timeout(Duration::from_secs(10), sock.read(&mut chunk)).await {
                Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
                Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&buf);
        let target = text.lines().next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or("/");
        let Ok(url) = oauth2::url::Url::parse(&format!("http://127.0.0.1{target}")) else {
            respond(&mut sock, 400, "Bad request").await;
            continue;
        };
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        if url.path() != "/callback" {
            respond(&mut sock, 404, "Not found").await;
            continue;
        }
        if q.get("state").map(String::as_str) != Some(state) {
            respond(&mut sock, 400, "This sign-in does not belong to the mailprobe that is waiting.").await;
            continue;
        }
        if let Some(err) = q.get("error") {
            let desc = q.get("error_description").cloned().unwrap_or_default();
            respond(&mut sock, 200, "Sign-in refused. You can close this window.").await;
            bail!("the provider refused the sign-in: {err}{}{desc}", if desc.is_empty() { "" } else { ": " });
        }
        if let Some(code) = q.get("code") {
            respond(&mut sock, 200, "Signed in. You can close this window and go back to mailprobe.").await;
            return Ok(code.clone());
        }
        respond(&mut sock, 400, "No sign-in code in this request.").await;
    }
}

async fn respond(sock: &mut tokio::net::TcpStream, status: u16, message: &str) {
    let body = format!("<!doctype html><meta charset=utf-8><title>mailprobe</title><p>{message}</p>\n");
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body.as_bytes()).await;
    let _ = sock.shutdown().await;
}

async fn device_flow(
    args: &LoginArgs,
    ep: &Endpoints,
    client_id: &str,
    secret: Option<&Secret>,
    scopes: &[String],
    http: &reqwest::Client,
) -> Result<TokenResponse> {
    let Some(device_url) = ep.device_url.as_deref() else {
        bail!("the provider has no device authorization endpoint: use --flow browser");
    };
    let client =
        oauth_client(client_id, secret, None, &ep.token_url, Some(device_url), ep.revocation_url.as_deref())?;
    let mut request = client.exchange_device_code()?;
    for s in scopes {
        request = request.add_scope(Scope::new(s.clone()));
    }
    let details: StandardDeviceAuthorizationResponse = request.request_async(http).await.map_err(|e| {
        anyhow::anyhow!("the provider refused to start the device sign-in: {}", token_error(&e).1)
    })?;
    eprintln!(
        "To sign in, open {} and enter the code {}",
        details.verification_uri().as_str(),
        details.user_code().secret()
    );
    if let Some(full) = details.verification_uri_complete() {
        eprintln!("(or open {} )", full.secret());
    }
    eprintln!("mailprobe: waiting for the sign-in …");
    let response = client
        .exchange_device_access_token(&details)?
        .request_async(http, tokio::time::sleep, Some(Duration::from_secs(args.login_timeout)))
        .await
        .map_err(|e| anyhow::anyhow!("the device sign-in did not complete: {}", token_error(&e).1))?;
    Ok(response)
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
        "keyring" => out.push_str("  stored:   in the OS keyring\n"),
        _ => {
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
    let name = store.pick(args.profile.as_deref(), args.provider)?;
    let (profile, view) = store.load(&name).await?;
    let v = profile.view(view);
    report_profile(global, if v.expired { "access token expired" } else { "signed in" }, &v);
    // an expired access token with no way to refresh it is a problem
    Ok(u8::from(v.expired && !v.has_refresh_token))
}

/// Refreshes `profile` with its refresh token and stores the result. The error names the
/// provider's error code (`invalid_grant`: revoked or expired refresh token).
async fn refresh(profile: &Profile, http: &Http) -> std::result::Result<Profile, RefreshError> {
    let Some(rt) = &profile.refresh_token else {
        return Err(RefreshError { code: None, message: "no refresh token is stored: sign in again".into() });
    };
    let secret = profile.client_secret.as_ref().map(|s| Secret::new(s.clone()));
    let client = oauth_client(&profile.client_id, secret.as_ref(), None, &profile.token_url, None, None)
        .map_err(|e| RefreshError { code: None, message: e.to_string() })?;
    let obtained_at = now_secs();
    let rt = RefreshToken::new(rt.clone());
    let response = client
        .exchange_refresh_token(&rt)
        .map_err(|e| RefreshError { code: None, message: e.to_string() })?
        .request_async(&http.client)
        .await
        .map_err(|e| match http.refused() {
            // the provider never answered: its certificate was refused
            Some(refused) => {
                RefreshError { code: Some(refused.finding_id().to_owned()), message: refused.describe() }
            }
            None => {
                let (code, message) = token_error(&e);
                RefreshError { code, message }
            }
        })?;
    let ep = Endpoints {
        issuer: profile.issuer.clone(),
        auth_url: None,
        token_url: profile.token_url.clone(),
        device_url: None,
        revocation_url: profile.revocation_url.clone(),
        default_scopes: vec![],
        default_flow: FlowArg::Browser,
        extra: vec![],
    };
    Ok(profile_from_response(
        &profile.name,
        profile.provider,
        &ep,
        &profile.client_id,
        secret.as_ref(),
        &profile.scopes,
        &response,
        obtained_at,
        Some(profile),
    ))
}

/// Why a refresh failed.
#[derive(Debug)]
pub struct RefreshError {
    /// The provider's error code (`invalid_grant`).
    pub code: Option<String>,
    /// In words (no secret).
    pub message: String,
}

async fn refresh_command(args: &ProfileArgs, global: &GlobalArgs, http: &Http) -> Result<u8> {
    let store = Store::open()?;
    let name = store.pick(args.profile.as_deref(), args.provider)?;
    let (profile, _) = store.load(&name).await?;
    match refresh(&profile, http).await {
        Ok(new) => {
            let view = store.save(&new).await?;
            report_profile(global, "refreshed", &new.view(view));
            Ok(0)
        }
        Err(e) => {
            report_refresh_failure(global, &name, &e);
            Ok(1)
        }
    }
}

fn report_refresh_failure(global: &GlobalArgs, name: &str, e: &RefreshError) {
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
    let name = store.pick(args.profile.as_deref(), args.provider)?;
    let (profile, _) = store.load(&name).await?;
    let mut revoked = Vec::new();
    let mut notes = Vec::new();
    if let Some(url) = &profile.revocation_url {
        let secret = profile.client_secret.as_ref().map(|s| Secret::new(s.clone()));
        let client =
            oauth_client(&profile.client_id, secret.as_ref(), None, &profile.token_url, None, Some(url))?;
        let mut tokens = Vec::new();
        if let Some(rt) = &profile.refresh_token {
            tokens
                .push(("refresh token", StandardRevocableToken::RefreshToken(RefreshToken::new(rt.clone()))));
        }
        if decode_jwt_claims(&profile.access_token).is_none() {
            // a JWT access token cannot be revoked: it lives until it expires
            tokens.push((
                "access token",
                StandardRevocableToken::AccessToken(oauth2::AccessToken::new(profile.access_token.clone())),
            ));
        }
        for (what, token) in tokens {
            let outcome = if is_loopback_http(url) {
                // the oauth2 crate accepts only https:// revocation endpoints; a test server on
                // loopback speaks plain HTTP: the same RFC 7009 request, made here
                revoke_on_loopback(&http.client, url, &profile, &token).await
            } else {
                match client.revoke_token(token)?.request_async(&http.client).await {
                    Ok(()) => Ok(()),
                    Err(e) => Err(http.refused().map_or_else(|| token_error(&e).1, |r| r.describe())),
                }
            };
            match outcome {
                Ok(()) => revoked.push(what),
                Err(why) => notes.push(format!("the {what} was not revoked: {why}")),
            }
        }
    } else {
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

/// RFC 7009 revocation against an `http://` loopback endpoint (see [`logout`]).
async fn revoke_on_loopback(
    http: &reqwest::Client,
    url: &str,
    profile: &Profile,
    token: &StandardRevocableToken,
) -> std::result::Result<(), String> {
    use oauth2::RevocableToken as _;
    let mut form = vec![("token", token.secret().to_owned()), ("client_id", profile.client_id.clone())];
    if let Some(hint) = token.type_hint() {
        form.push(("token_type_hint", hint.to_string()));
    }
    if let Some(secret) = &profile.client_secret {
        form.push(("client_secret", secret.clone()));
    }
    let body = form
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", oauth2::url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>())
        })
        .collect::<Vec<_>>()
        .join("&");
    let res = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| without_url(&e))?;
    if res.status().is_success() {
        Ok(())
    } else {
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let code = v.get("error").and_then(|c| c.as_str()).unwrap_or("");
        Err(format!("HTTP {status} {code}"))
    }
}

// ------------------------------------------------------------------ use by diagnose

/// A stored sign-in's access token for `diagnose --auth xoauth2|oauthbearer` without
/// `--token-*`: refreshed first when it has expired (or expires within a minute). `profile`
/// `None` picks the only one stored. A failed refresh is not an error here: the stale token is
/// handed back with the failure, which `diagnose` records as evidence.
pub async fn stored_access_token(
    profile: Option<&str>,
    timeout: f64,
    ca_file: Option<&Path>,
) -> Result<StoredToken> {
    let store = Store::open()?;
    let name = store.pick(profile, None)?;
    let (mut p, _) = store.load(&name).await?;
    let mut refresh_failure = None;
    if p.expires_at.is_some_and(|e| e <= now_secs() + 60) {
        let http = Http::new(timeout, ca_file)?;
        match refresh(&p, &http).await {
            Ok(new) => {
                store.save(&new).await?;
                p = new;
            }
            Err(e) => refresh_failure = Some(e),
        }
    }
    // the issuer's discovery document: a page every OAuth server serves, for its Date header
    let clock_url = match &p.issuer {
        Some(i) => format!("{}/.well-known/openid-configuration", i.trim_end_matches('/')),
        None => p.token_url.clone(),
    };
    Ok(StoredToken {
        token: Secret::new(p.access_token.clone()),
        use_: StoredSignIn { profile: name, clock_url, refresh_failure },
    })
}

/// What [`stored_access_token`] found.
#[derive(Debug)]
pub struct StoredToken {
    /// The access token.
    pub token: Secret,
    /// Where it came from, and whether a refresh failed.
    pub use_: StoredSignIn,
}

/// The stored sign-in a `diagnose` used (no secret in it).
#[derive(Debug)]
pub struct StoredSignIn {
    /// The profile used.
    pub profile: String,
    /// A page of its issuer, whose `Date` header `--check-clock` compares with this clock.
    pub clock_url: String,
    /// The refresh that was needed and failed (`invalid_grant`: revoked or expired).
    pub refresh_failure: Option<RefreshError>,
}

/// [`stored_access_token`] for callers outside the async runtime's reach (`diagnose` reads its
/// secrets synchronously): runs on a helper thread with a runtime of its own.
pub fn stored_token_blocking(timeout: f64, ca_file: Option<PathBuf>) -> Result<StoredToken> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(stored_access_token(None, timeout, ca_file.as_deref()))
    })
    .join()
    .map_err(|_| anyhow::anyhow!("reading the stored sign-in failed"))?
}

/// True for the AUTH / AUTHENTICATE command that carried a bearer token.
fn sends_token(e: &mailprobe_proto::Event) -> bool {
    use mailprobe_proto::{EventKind, Stage};
    e.stage == Stage::Auth
        && matches!(&e.kind, EventKind::Sent { line } if line.contains("XOAUTH2") || line.contains("OAUTHBEARER"))
}

/// Puts `events` into the primary transcripts just before the bearer token was sent
/// (`AUTH XOAUTH2` / `AUTHENTICATE OAUTHBEARER`), or, where it never was, at the end; at
/// the moment of the AUTH command, or of the transcript's last event.
fn insert_at_token(
    transcripts: &mut [mailprobe_proto::Transcript],
    mut events: impl FnMut(&mailprobe_proto::Transcript, u64) -> Vec<mailprobe_proto::Event>,
) {
    for t in transcripts.iter_mut().filter(|t| t.role == mailprobe_proto::Role::Primary) {
        let pos = t.events.iter().position(sends_token);
        let at_ms = pos.map_or_else(|| t.events.last().map_or(0, |e| e.at_ms), |p| t.events[p].at_ms);
        let add = events(t, at_ms);
        let pos = pos.unwrap_or(t.events.len());
        t.events.splice(pos..pos, add);
    }
}

/// Records a failed refresh of the stored token as the error mailprobe's OAuth client got:
/// the provider's code (`invalid_grant`) and what it said, never a token.
pub fn add_refresh_failure(transcripts: &mut [mailprobe_proto::Transcript], sign_in: &StoredSignIn) {
    use mailprobe_proto::{Event, EventKind, Stage};
    let Some(failure) = &sign_in.refresh_failure else {
        return;
    };
    insert_at_token(transcripts, |_, at_ms| {
        vec![Event {
            at_ms,
            stage: Stage::Auth,
            kind: EventKind::ClientError {
                program: Some(format!("mailprobe (refreshing the stored sign-in {})", sign_in.profile)),
                code: failure.code.clone(),
                message: failure.message.clone(),
            },
        }]
    });
}

/// Adds what the token says to the transcripts where it was sent, just before it was: the
/// claims of a JWT access token and their problems (expired, not yet valid, audience, scope,
/// account ≠ login or sender), and a clock-skew check when it was issued in the future.
pub fn add_token_evidence(transcripts: &mut [mailprobe_proto::Transcript], plan: &mailprobe_net::ProbePlan) {
    use mailprobe_proto::{Event, EventKind, Stage};
    let creds = &plan.smtp.credentials;
    let Some(token) = &creds.token else {
        return;
    };
    let Some(map) = decode_jwt_claims(token.expose()) else {
        return;
    };
    let claims = claims_from_map(&map);
    let now = now_secs();
    insert_at_token(transcripts, |t, at_ms| {
        // only where the token was sent
        if !t.events.iter().any(sends_token) {
            return Vec::new();
        }
        let mut expect = TokenExpectations::for_server(t.protocol, &t.endpoint.host, Some(&claims));
        expect.accounts = creds.user.iter().chain(plan.smtp.from.iter()).cloned().collect();
        // judged at the moment the token was sent, not after the whole run
        let sent_at = t
            .started_at
            .as_deref()
            .and_then(mailprobe_proto::unix_from_rfc3339)
            .map_or(now, |start| start + i64::try_from(at_ms / 1000).unwrap_or(0));
        let inspection = inspect_token(token.expose(), sent_at, &expect);
        let mut add = vec![Event {
            at_ms,
            stage: Stage::Auth,
            kind: EventKind::TokenInspected { inspection: inspection.clone() },
        }];
        if let Some(check) = mailprobe_net::token_clock_check(&inspection, None) {
            add.push(Event { at_ms, stage: Stage::Auth, kind: EventKind::ClockChecked { check } });
        }
        add
    });
}

// ------------------------------------------------------------------ inspect, clock

async fn inspect(args: &InspectArgs, global: &GlobalArgs) -> Result<u8> {
    let token = match (&args.token_env, &args.token_file) {
        (Some(var), _) => credentials::from_env(var, "token")?,
        (_, Some(f)) => credentials::from_file(f, "token")?,
        _ => {
            let store = Store::open()?;
            let name = store.pick(args.profile.as_deref(), None)?;
            Secret::new(store.load(&name).await?.0.access_token)
        }
    };
    let protocol = match args.protocol {
        ProtocolArg::Smtp => Protocol::Smtp,
        ProtocolArg::Imap => Protocol::Imap,
    };
    let claims = decode_jwt_claims(token.expose()).map(|m| claims_from_map(&m));
    let mut expect =
        TokenExpectations::for_server(protocol, args.host.as_deref().unwrap_or(""), claims.as_ref());
    expect.accounts = args.user.iter().cloned().collect();
    let inspection = inspect_token(token.expose(), now_secs(), &expect);
    let skew = mailprobe_net::token_clock_check(&inspection, None);
    let findings =
        inspection_findings(args.host.as_deref().unwrap_or(""), protocol, &inspection, &skew, global);
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
            print!("\n{}", crate::render::text::render_findings_only(&findings, &crate::style(global)));
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
        provider: crate::provider::for_host(host).map(|p| p.id.to_owned()),
        has_token: true,
        ..Context::default()
    };
    mailprobe_kb::KnowledgeBase::builtin().diagnose(&context, &[t], crate::lang(global))
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
