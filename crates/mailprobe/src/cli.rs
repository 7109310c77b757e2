//! The command line, defined once with clap's derive (help, completions and the man page all
//! come from these definitions).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use mailprobe_checks::{DiagnoseRequest, SecurityChoice};
use mailprobe_proto::{SaslMechanism, SendMode, TlsVersion};

/// Finds out why email will not send, and says how to fix it.
#[derive(Debug, Parser)]
#[command(name = "mailprobe", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Print the man page or a shell's completion script and exit (packagers install them;
    /// see docs/packaging.md). Given alone, without a subcommand.
    // Out of `-h` (no user needs it there), in `--help`, the man page and the completions.
    #[arg(long, value_enum, value_name = "KIND", exclusive = true, hide_short_help = true)]
    pub generate: Option<crate::generate::Kind>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// `--format markdown` is for the commands that write a document for people (`advise`,
    /// `guide --print`); any other command given it is bad usage, said before anything runs.
    pub fn check_format(&self) -> Result<(), clap::Error> {
        if self.global.format == Format::Html {
            return match &self.command {
                Command::Analyze(_)
                | Command::Scan(_)
                | Command::Diagnose(_)
                | Command::Explain(_)
                | Command::Dns(_)
                | Command::Advise(_)
                | Command::Demo(_) => Ok(()),
                _ => Err(Cli::command().error(
                    ErrorKind::InvalidValue,
                    "--format html is for diagnose, explain, dns, advise, demo, analyze and scan; other \
                     commands write text or json",
                )),
            };
        }
        if self.global.format != Format::Markdown {
            return Ok(());
        }
        let what = match &self.command {
            Command::Advise(_) => return Ok(()),
            Command::Guide(g) if g.print.is_some() => return Ok(()),
            Command::Guide(_) => "guide without --print is a conversation",
            Command::Diagnose(_) => "diagnose writes text, json or html",
            Command::Explain(_) => "explain writes text, json or html",
            Command::Dns(_) => "dns writes text, json or html",
            Command::Auth(_) => "auth writes text or json",
            Command::Demo(_) => "demo writes text, json or html",
            Command::Analyze(_) => "analyze writes text, json or html",
            Command::Relay(_) => "relay writes text or json",
            Command::Scan(_) => "scan writes text, json or html",
            Command::Serve(_) => "serve is a web page",
        };
        Err(Cli::command().error(
            ErrorKind::InvalidValue,
            format!("--format markdown is for advise and guide --print; {what}"),
        ))
    }
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// DNS server to ask instead of the system's resolver (ADDR or ADDR:PORT).
    #[arg(long, global = true, value_name = "ADDR[:PORT]", value_parser = parse_dns_server)]
    pub dns_server: Option<SocketAddr>,
    /// Seconds allowed for each network step (resolve, connect, each reply, each handshake).
    #[arg(long, global = true, default_value_t = 10.0, value_name = "SECS", value_parser = parse_timeout, overrides_with = "timeout")]
    pub timeout: f64,
    /// Language of the report (default: from LC_ALL / LC_MESSAGES / LANG, else English).
    #[arg(long, global = true, value_enum, overrides_with = "lang")]
    pub lang: Option<LangArg>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text, overrides_with = "format")]
    pub format: Format,
    /// Print only the findings.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print each step's full detail (certificates, every reply line).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// Report languages.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Italian.
    It,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document on stdout.
    Json,
    /// Markdown, for a ticket or a wiki (advise, guide --print).
    Markdown,
    /// One self-contained HTML page (diagnose, explain, dns, advise, demo, analyze, scan).
    Html,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe a mail server live and explain what stops mail from being sent.
    Diagnose(Box<DiagnoseArgs>),
    /// Explain anything pasted: a server reply, a bare code (5.7.60, 4af4), a 334 challenge, a
    /// library's error message, a few log lines.
    Explain(crate::explain::ExplainArgs),
    /// Step-by-step troubleshooting for non-experts: automated checks, then the manual steps.
    Guide(crate::guide::GuideArgs),
    /// Read client and server logs (swaks, curl, msmtp, Outlook, Postfix, Exim, Exchange, ...):
    /// every mail session diagnosed, a summary of what failed and why.
    Analyze(crate::analyze::AnalyzeArgs),
    /// DNS checks of a mail domain: MX and provider, SPF for an IP, DMARC, blocklists, reverse DNS.
    Dns(crate::dns::DnsArgs),
    /// Recommend how a device or app should send through Microsoft 365, with its settings.
    Advise(crate::advise::AdviseArgs),
    /// OAuth 2.0 sign-in for XOAUTH2 / OAUTHBEARER tests: login, status, logout.
    Auth(crate::auth::AuthArgs),
    /// Run simulated Gmail and Microsoft 365 failures on loopback and diagnose each live.
    Demo(DemoArgs),
    /// A relay on the LAN that keeps printers, scanners and old apps sending after basic auth
    /// and old TLS end: serve, check, queue, add-device.
    Relay(crate::relay::RelayArgs),
    /// Check many devices or accounts at once from a CSV or TOML inventory: a summary grouped
    /// by finding, then each target's result.
    Scan(crate::scan::ScanArgs),
    /// The same checks as a local web page: prints its address and opens the browser.
    Serve(crate::serve::ServeArgs),
}

/// `--security` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecurityArg {
    /// Implicit TLS on 465 and 993, STARTTLS elsewhere.
    Auto,
    /// Plaintext first, then STARTTLS.
    Starttls,
    /// TLS from the first byte ("SSL/TLS").
    Tls,
    /// No encryption (credentials are then sent in clear).
    None,
}

/// `--auth` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// The best mechanism the server offers for the credentials given.
    Auto,
    /// SASL PLAIN.
    Plain,
    /// SASL LOGIN.
    Login,
    /// XOAUTH2 (Google, Microsoft) with `--token-*`.
    Xoauth2,
    /// OAUTHBEARER (RFC 7628) with `--token-*`.
    Oauthbearer,
}

/// `--mode` values (Microsoft 365's ways for devices to send).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Authenticated client submission (SMTP AUTH).
    Submission,
    /// Direct send to the tenant's MX endpoint.
    DirectSend,
    /// Relay through a connector.
    Relay,
}

/// `mailprobe diagnose`.
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The address to test. With no --host its server is found the way mail programs do
    /// (provider table, SRV records, autoconfig, MX); it is also the default --user and --from.
    pub address: Option<String>,
    /// Port for http:// autoconfig URLs during discovery (tests: a local HTTP server).
    #[arg(long, hide = true, value_name = "PORT")]
    pub autoconfig_http_port: Option<u16>,
    /// Provider (gmail, m365, outlook, ...); `auto` infers it from the host name.
    #[arg(long, default_value = "auto")]
    pub provider: String,
    /// SMTP server host name or address, with `:PORT` if you like (default: the provider's
    /// submission server).
    #[arg(long)]
    pub host: Option<String>,
    /// SMTP port (default: 465 with `--security tls`, 25 for direct send and relay, else 587).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Connection security.
    #[arg(long, value_enum, default_value_t = SecurityArg::Auto)]
    pub security: SecurityArg,
    /// Connect to this address instead of resolving the host (the host name is still used for
    /// TLS and provider rules). Repeatable.
    #[arg(long, value_name = "ADDR:PORT", value_parser = parse_connect_to)]
    pub connect_to: Vec<SocketAddr>,
    /// Login name.
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR", group = "password_source")]
    pub password_env: Option<String>,
    /// Read the password from this file (first line).
    #[arg(long, value_name = "FILE", group = "password_source")]
    pub password_file: Option<PathBuf>,
    /// Read the password from the first line of standard input.
    #[arg(long, group = "password_source")]
    pub password_stdin: bool,
    /// Read an OAuth 2.0 access token from this environment variable.
    #[arg(long, value_name = "VAR", group = "token_source")]
    pub token_env: Option<String>,
    /// Read an OAuth 2.0 access token from this file.
    #[arg(long, value_name = "FILE", group = "token_source")]
    pub token_file: Option<PathBuf>,
    /// SASL mechanism.
    #[arg(long, value_enum, default_value_t = AuthArg::Auto)]
    pub auth: AuthArg,
    /// Envelope sender (default: the user name when it is an address).
    #[arg(long, value_name = "ADDR")]
    pub from: Option<String>,
    /// Envelope recipient (default: the sender).
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
    /// Really send a short test message (otherwise the session ends after RCPT TO).
    #[arg(long)]
    pub send: bool,
    /// Also check IMAP login (default server: the SMTP host, port 993).
    #[arg(long, value_name = "HOST:PORT", num_args = 0..=1, default_missing_value = "")]
    pub imap: Option<String>,
    /// IMAP connection security (auto: SSL/TLS on 993, STARTTLS elsewhere).
    #[arg(long, value_enum, default_value_t = SecurityArg::Auto, requires = "imap")]
    pub imap_security: SecurityArg,
    /// How the device sends through Microsoft 365.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Check whether a client that speaks at most this TLS version would get through.
    #[arg(long, value_name = "1.0|1.1|1.2", value_parser = ["1.0", "1.1", "1.2"])]
    pub client_tls_max: Option<String>,
    /// Also find out which TLS versions (1.0 to 1.3) the server accepts, and show the TLS
    /// section: versions, the certificate chain, verdicts.
    #[arg(long)]
    pub tls_scan: bool,
    /// Name sent with EHLO (default: the local address as a literal, like `[192.0.2.1]`).
    #[arg(long)]
    pub ehlo: Option<String>,
    /// Also compare this computer's clock with this SNTP server (tokens fail beyond 5 minutes).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub ntp_server: Option<String>,
    /// Also check this computer's clock, against the sign-in server: the stored sign-in's issuer
    /// (HTTPS Date), else the provider's (Google: oauth2.googleapis.com, Microsoft:
    /// login.microsoftonline.com), else SNTP to pool.ntp.org. Nothing is asked without this flag
    /// or --ntp-server.
    #[arg(long)]
    pub check_clock: bool,
}

impl DiagnoseArgs {
    /// The request these flags make, secrets aside (the caller reads them where the flags say).
    pub fn request(&self) -> anyhow::Result<DiagnoseRequest> {
        let client_tls_max = self
            .client_tls_max
            .as_deref()
            .map(str::parse::<TlsVersion>)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        Ok(DiagnoseRequest {
            address: self.address.clone(),
            autoconfig_http_port: self.autoconfig_http_port,
            provider: Some(self.provider.clone()).filter(|p| p != "auto"),
            host: self.host.clone(),
            port: self.port,
            security: self.security.choice(),
            connect_to: self.connect_to.clone(),
            user: self.user.clone(),
            password: None,
            token: None,
            sign_in: None,
            auth: self.auth.mechanism(),
            from: self.from.clone(),
            to: self.to.clone(),
            send: self.send,
            imap: self.imap.clone(),
            imap_security: self.imap_security.choice(),
            mode: self.mode.map(ModeArg::send_mode),
            ca_file: self.ca_file.clone(),
            client_tls_max,
            tls_scan: self.tls_scan,
            ehlo: self.ehlo.clone(),
            ntp_server: self.ntp_server.clone(),
            check_clock: self.check_clock,
        })
    }
}

impl SecurityArg {
    /// The library's choice of the same name.
    pub fn choice(self) -> SecurityChoice {
        match self {
            Self::Auto => SecurityChoice::Auto,
            Self::Starttls => SecurityChoice::Starttls,
            Self::Tls => SecurityChoice::Tls,
            Self::None => SecurityChoice::None,
        }
    }
}

impl AuthArg {
    /// The SASL mechanism asked for; `None` for `auto`.
    pub fn mechanism(self) -> Option<SaslMechanism> {
        match self {
            Self::Auto => None,
            Self::Plain => Some(SaslMechanism::Plain),
            Self::Login => Some(SaslMechanism::Login),
            Self::Xoauth2 => Some(SaslMechanism::XOAuth2),
            Self::Oauthbearer => Some(SaslMechanism::OAuthBearer),
        }
    }
}

impl ModeArg {
    /// The sending mode of the same name.
    pub fn send_mode(self) -> SendMode {
        match self {
            Self::Submission => SendMode::Submission,
            Self::DirectSend => SendMode::DirectSend,
            Self::Relay => SendMode::Relay,
        }
    }
}

/// `mailprobe demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// One scenario to run (default: all). `mailprobe demo --list` names them.
    pub scenario: Option<String>,
    /// List the scenarios.
    #[arg(long)]
    pub list: bool,
}

fn parse_dns_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return match addr.port() {
            0 => Err(format!("{s:?}: port 0 is not a port (DNS servers listen on 53)")),
            _ => Ok(addr),
        };
    }
    s.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("{s:?} is not an IP address or ADDR:PORT"))
}

/// `ADDR:PORT` of a server to connect to (`--connect-to`): port 0 is no port.
pub(crate) fn parse_connect_to(s: &str) -> Result<SocketAddr, String> {
    match s.parse::<SocketAddr>() {
        Ok(addr) if addr.port() == 0 => Err(format!("{s:?}: port 0 is not a port")),
        Ok(addr) => Ok(addr),
        Err(_) => Err(format!("{s:?} is not ADDR:PORT (192.0.2.1:587, [2001:db8::1]:587)")),
    }
}

/// The shortest step timeout: below a millisecond every step would time out at once, which is a
/// zero timeout under another name (0 itself is refused).
const MIN_TIMEOUT_SECS: f64 = 0.001;

fn parse_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (MIN_TIMEOUT_SECS..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds between {MIN_TIMEOUT_SECS} and 3600")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17 item 11: a timeout that rounds to nothing is refused like 0, and port 0 is no
    /// port for a DNS server or a server to connect to.
    #[test]
    fn small_validation_gaps() {
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("1e-12").is_err());
        assert!(parse_timeout("0.0009").is_err());
        assert_eq!(parse_timeout("0.001"), Ok(0.001));
        assert_eq!(parse_timeout("10"), Ok(10.0));
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_dns_server("127.0.0.1:0").is_err());
        assert!(parse_dns_server("[::1]:0").is_err());
        assert_eq!(parse_dns_server("127.0.0.1"), Ok("127.0.0.1:53".parse().unwrap()));
        assert_eq!(parse_dns_server("127.0.0.1:5353"), Ok("127.0.0.1:5353".parse().unwrap()));
        assert!(parse_connect_to("127.0.0.1:0").is_err());
        assert!(parse_connect_to("127.0.0.1").is_err());
        assert_eq!(parse_connect_to("127.0.0.1:25"), Ok("127.0.0.1:25".parse().unwrap()));
    }
}
