//! The relay's configuration (`relay.toml`): listeners for devices, the devices and what each may
//! do, the upstream it delivers to, limits and the retry schedule. Read once at start; every
//! value is checked here so that `mailprobe relay check` and `serve` refuse a bad file with a
//! clear message instead of failing later.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A value is out of range or inconsistent with another.
    #[error("{0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    /// The spool directory (durable queue).
    pub spool: PathBuf,
    /// The name the relay greets with and writes in `Received:` headers.
    #[serde(default = "default_hostname")]
    pub hostname: String,
    /// Where `mailprobe relay serve` writes its log lines (appended); without it, standard
    /// error (systemd's journal).
    #[serde(default)]
    pub log_file: Option<PathBuf>,
    /// Language of logs, queue listings and bounce messages (`en`, `it`).
    #[serde(default = "default_language")]
    pub language: String,
    /// Where devices connect.
    #[serde(rename = "listener")]
    pub listeners: Vec<Listener>,
    /// The devices allowed to send.
    #[serde(rename = "device", default)]
    pub devices: Vec<Device>,
    /// Size, recipient and rate limits.
    #[serde(default)]
    pub limits: Limits,
    /// Where mail goes.
    pub upstream: Upstream,
    /// When to try again, and when to give up.
    #[serde(default)]
    pub retry: Retry,
}

fn default_hostname() -> String {
    "mailprobe-relay".to_owned()
}

fn default_language() -> String {
    "en".to_owned()
}

/// TLS on a device listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenerTls {
    /// Plain SMTP only.
    None,
    /// Plain SMTP that offers STARTTLS.
    Starttls,
    /// TLS from the first byte (port 465 style).
    Implicit,
}

/// One address devices connect to.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// Address and port. A loopback address unless the administrator binds a LAN one on purpose.
    pub bind: SocketAddr,
    /// TLS mode.
    pub tls: ListenerTls,
    /// PEM certificate chain (needed unless `tls = "none"`).
    #[serde(default)]
    pub certificate: Option<PathBuf>,
    /// PEM private key (needed unless `tls = "none"`).
    #[serde(default)]
    pub key: Option<PathBuf>,
    /// Accept TLS 1.0 and 1.1 on this listener (OpenSSL at security level 0), for devices that
    /// know nothing newer. Off by default; never on other listeners.
    #[serde(default)]
    pub legacy_tls: bool,
    /// Offer AUTH only once TLS is on (off for devices that sign in over plain SMTP on a LAN).
    #[serde(default = "yes")]
    pub auth_requires_tls: bool,
}

fn yes() -> bool {
    true
}

/// A device, or a group of devices sharing settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Its name in logs and in the queue (also its AUTH user name when it signs in).
    pub name: String,
    /// The argon2 hash of its password (`mailprobe relay add-device NAME` makes one); without
    /// it, the device does not sign in and is known by its address alone.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// Source addresses it may connect from (CIDR); empty: any address, but then it must sign in.
    #[serde(default)]
    pub networks: Vec<Cidr>,
    /// Envelope senders it may use (addresses, or `@domain` for a whole domain); empty: only
    /// `rewrite_sender` if set, else any.
    #[serde(default)]
    pub senders: Vec<String>,
    /// The sender put in place of whatever the device sends (devices that cannot set one).
    #[serde(default)]
    pub rewrite_sender: Option<String>,
    /// Messages a minute this device may send (overrides `limits.per_device_per_minute`).
    #[serde(default)]
    pub per_minute: Option<u32>,
}

/// An address range (`192.168.1.0/24`, `10.0.0.7`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The network address.
    pub addr: IpAddr,
    /// Prefix length in bits.
    pub prefix: u8,
}

impl Cidr {
    /// True when `ip` is in this range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            // An IPv4 client seen through an IPv6 socket.
            (IpAddr::V4(_), IpAddr::V6(v6)) => {
                v6.to_ipv4_mapped().is_some_and(|v4| self.contains(IpAddr::V4(v4)))
            }
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr.trim().parse().map_err(|_| format!("{s:?} is not an address or range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: bad prefix"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Limits that protect the relay and the upstream mailbox.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest message accepted, in bytes (Microsoft 365 takes 35 MB after encoding).
    pub max_message_bytes: u64,
    /// Most recipients of one message.
    pub max_recipients: usize,
    /// Messages a minute each device may send.
    pub per_device_per_minute: u32,
    /// Simultaneous device connections.
    pub max_connections: usize,
    /// Seconds a device may stay silent before the relay hangs up.
    pub idle_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 35_000_000,
            max_recipients: 100,
            per_device_per_minute: 60,
            max_connections: 100,
            idle_timeout_secs: 300,
        }
    }
}

/// How the relay reaches the upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpstreamSecurity {
    /// STARTTLS (port 587), TLS 1.2 or newer.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: only for a relay connector or test sink on a trusted network.
    None,
}

/// How the relay signs in upstream.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum UpstreamAuth {
    /// No sign-in: a relay connector that trusts the relay's address, or the tenant's MX.
    None,
    /// AUTH PLAIN with a password read from a file (an app password).
    Plain {
        /// The login.
        user: String,
        /// File holding the password (first line).
        password_file: PathBuf,
    },
    /// XOAUTH2 with a token from an OAuth 2.0 token endpoint.
    Xoauth2 {
        /// The mailbox the token is for (the XOAUTH2 `user=`).
        user: String,
        /// The token endpoint (`https://login.microsoftonline.com/TENANT/oauth2/v2.0/token`).
        token_url: String,
        /// The application (client) id.
        client_id: String,
        /// File holding the client secret (first line); for the client-credentials flow, or a
        /// confidential client's refresh.
        #[serde(default)]
        client_secret_file: Option<PathBuf>,
        /// PEM certificate whose key signs a client assertion instead of a client secret
        /// (Microsoft Entra's certificate credentials, `private_key_jwt`), for the
        /// client-credentials flow.
        #[serde(default)]
        certificate_file: Option<PathBuf>,
        /// PEM private key (RSA, unencrypted) of `certificate_file`; without it the key is read
        /// from `certificate_file` itself.
        #[serde(default)]
        key_file: Option<PathBuf>,
        /// File holding a refresh token (delegated sign-in, `mailprobe auth login`); without it
        /// the client-credentials flow is used.
        #[serde(default)]
        refresh_token_file: Option<PathBuf>,
        /// The scope asked for (`https://outlook.office365.com/.default` for Microsoft 365
        /// app-only, `https://mail.google.com/` for Google).
        scope: String,
    },
}

/// The upstream server.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// Host name (also the TLS name).
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS mode.
    pub security: UpstreamSecurity,
    /// How to sign in (`[upstream.auth]`, `method = "none" | "plain" | "xoauth2"`).
    pub auth: UpstreamAuth,
    /// Extra PEM roots to trust (a private CA, a test server).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Connect here instead of resolving `host` (tests, split DNS).
    #[serde(default)]
    pub connect_to: Option<SocketAddr>,
    /// Deliveries at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Messages a minute to the upstream mailbox (Exchange Online allows 30).
    #[serde(default = "default_per_minute")]
    pub per_minute: u32,
    /// Seconds each network step may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_concurrency() -> usize {
    2
}

fn default_per_minute() -> u32 {
    30
}

fn default_timeout() -> u64 {
    60
}

/// When to try again and when to give up (Postfix's defaults).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retry {
    /// Seconds before the first retry.
    pub first_after_secs: u64,
    /// The longest wait between retries; each wait doubles up to it.
    pub max_backoff_secs: u64,
    /// Seconds after arrival when a message still not delivered is bounced.
    pub lifetime_secs: u64,
    /// Seconds between two looks at the queue.
    pub queue_run_secs: u64,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            first_after_secs: 300,
            max_backoff_secs: 4000,
            lifetime_secs: 5 * 24 * 3600,
            queue_run_secs: 300,
        }
    }
}

impl Retry {
    /// Seconds to wait after failed attempt number `attempts` (1 for the first failure).
    pub fn backoff(&self, attempts: u32) -> u64 {
        let doublings = attempts.saturating_sub(1).min(32);
        self.first_after_secs
            .saturating_mul(1u64 << doublings)
            .min(self.max_backoff_secs.max(self.first_after_secs))
    }
}

impl RelayConfig {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// Parses and checks configuration text (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text)
            .map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.listeners.is_empty() {
            return bad("no [[listener]]: devices would have nowhere to connect".into());
        }
        for l in &self.listeners {
            if l.tls != ListenerTls::None && (l.certificate.is_none() || l.key.is_none()) {
                return bad(format!("listener {}: TLS needs certificate and key", l.bind));
            }
            if l.legacy_tls && l.tls == ListenerTls::None {
                return bad(format!(
                    "listener {}: legacy_tls needs tls = \"starttls\" or \"implicit\"",
                    l.bind
                ));
            }
        }
        let mut names = std::collections::HashSet::new();
        for d in &self.devices {
            if d.name.is_empty() || d.name.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return bad(format!("device {:?}: a name without spaces or control characters", d.name));
            }
            if !names.insert(d.name.to_ascii_lowercase()) {
                return bad(format!("device {:?} is defined twice", d.name));
            }
            if d.password_hash.is_none() && d.networks.is_empty() {
                // A device with neither would let anyone send: an open relay.
                return bad(format!("device {:?}: give it a password_hash, networks, or both", d.name));
            }
            for s in d.senders.iter().chain(&d.rewrite_sender) {
                if !s.contains('@') || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
                    return bad(format!("device {:?}: {s:?} is not an address or @domain", d.name));
                }
            }
        }
        if self.upstream.concurrency == 0 || self.upstream.per_minute == 0 || self.upstream.timeout_secs == 0
        {
            return bad("upstream: concurrency, per_minute and timeout_secs must be at least 1".into());
        }
        if self.retry.first_after_secs == 0 || self.retry.lifetime_secs == 0 || self.retry.queue_run_secs == 0
        {
            return bad("retry: first_after_secs, lifetime_secs and queue_run_secs must be at least 1".into());
        }
        if !matches!(self.language.as_str(), "en" | "it") {
            return bad(format!("language {:?}: en or it", self.language));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
spool = "/var/spool/mailprobe-relay"
hostname = "relay.office.lan"

[[listener]]
bind = "127.0.0.1:2525"
tls = "starttls"
certificate = "/etc/mailprobe-relay/cert.pem"
key = "/etc/mailprobe-relay/key.pem"

[[listener]]
bind = "192.168.1.10:25"
tls = "starttls"
certificate = "/etc/mailprobe-relay/cert.pem"
key = "/etc/mailprobe-relay/key.pem"
legacy_tls = true
auth_requires_tls = false

[[device]]
name = "hp-2nd-floor"
password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
networks = ["192.168.1.0/24"]
rewrite_sender = "scanner@contoso.com"

[[device]]
name = "erp"
networks = ["10.0.0.7"]
senders = ["@contoso.com"]

[upstream]
host = "smtp.office365.com"
port = 587
security = "starttls"

[upstream.auth]
method = "xoauth2"
user = "scanner@contoso.com"
token_url = "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token"
client_id = "00000000-0000-0000-0000-000000000000"
client_secret_file = "/etc/mailprobe-relay/client-secret"
scope = "https://outlook.office365.com/.default"
"#;

    #[test]
    fn the_sample_reads_with_defaults_filled_in() {
        let c = RelayConfig::parse(SAMPLE, Path::new("relay.toml")).unwrap();
        assert_eq!(c.listeners.len(), 2);
        assert!(c.listeners[1].legacy_tls && !c.listeners[1].auth_requires_tls);
        assert!(c.listeners[0].auth_requires_tls);
        assert_eq!(c.devices[1].networks[0].prefix, 32);
        assert!(matches!(c.upstream.auth, UpstreamAuth::Xoauth2 { .. }));
        assert_eq!(
            (c.upstream.per_minute, c.limits.max_recipients, c.retry.lifetime_secs),
            (30, 100, 432_000)
        );
    }

    #[test]
    fn an_open_relay_and_other_mistakes_are_refused() {
        let open = SAMPLE.replace("networks = [\"10.0.0.7\"]\n", "");
        let e = RelayConfig::parse(&open, Path::new("r")).unwrap_err().to_string();
        assert!(e.contains("erp") && e.contains("password_hash, networks"), "{e}");
        let no_cert = SAMPLE.replacen("certificate = \"/etc/mailprobe-relay/cert.pem\"\n", "", 1);
        assert!(
            RelayConfig::parse(&no_cert, Path::new("r"))
                .unwrap_err()
                .to_string()
                .contains("certificate and key")
        );
        let typo = SAMPLE.replace("hostname =", "hostnme =");
        assert!(RelayConfig::parse(&typo, Path::new("r")).unwrap_err().to_string().contains("hostnme"));
        let bad_net = SAMPLE.replace("10.0.0.7", "10.0.0.300");
        assert!(RelayConfig::parse(&bad_net, Path::new("r")).is_err());
    }

    #[test]
    fn ranges_match_the_addresses_they_cover() {
        let net: Cidr = "192.168.1.0/24".parse().unwrap();
        assert!(net.contains("192.168.1.77".parse().unwrap()));
        assert!(!net.contains("192.168.2.1".parse().unwrap()));
        assert!(net.contains("::ffff:192.168.1.5".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()) && !v6.contains("fe80::1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
    }

    /// The sample shipped in packaging/ is a configuration the relay takes as it is.
    #[test]
    fn the_packaged_sample_reads_and_its_devices_load() {
        let text = include_str!("../../../packaging/relay.toml");
        let c = RelayConfig::parse(text, Path::new("packaging/relay.toml")).unwrap();
        assert_eq!(c.listeners.len(), 2);
        assert!(c.listeners.iter().all(|l| !l.bind.ip().is_loopback()), "the sample binds a LAN address");
        assert!(c.listeners[1].legacy_tls && !c.listeners[0].legacy_tls);
        assert_eq!(c.devices[1].rewrite_sender.as_deref(), Some("printer@contoso.com"));
        assert!(c.devices[0].password_hash.is_some() && c.devices[1].password_hash.is_none());
        let UpstreamAuth::Xoauth2 { scope, client_secret_file, certificate_file, .. } = &c.upstream.auth
        else {
            panic!("the sample signs in with XOAUTH2");
        };
        assert_eq!(scope, "https://outlook.office365.com/.default");
        assert!(client_secret_file.is_some() && certificate_file.is_none());
        assert_eq!((c.upstream.per_minute, c.retry.lifetime_secs), (30, 432_000));
        crate::device::Policy::new(&c, crate::device::LoginLimits::default()).unwrap();
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let r = Retry::default();
        assert_eq!(
            [r.backoff(1), r.backoff(2), r.backoff(3), r.backoff(4), r.backoff(40)],
            [300, 600, 1200, 2400, 4000]
        );
    }
}
