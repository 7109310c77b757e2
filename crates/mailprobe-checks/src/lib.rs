//! Runs each command's checks from a typed request and returns its report: the same checks for
//! the CLI (`mailprobe diagnose|explain|dns|advise`), the local page (`mailprobe serve`) and the
//! inventory scan (`mailprobe scan`).
//!
//! - [`diagnose()`]: [`DiagnoseRequest`] → [`mailprobe_report::Report`], telling an observer
//!   each step as it starts and ends ([`StepUpdate`]).
//! - [`explain()`]: [`ExplainRequest`] → [`mailprobe_report::ExplainReport`].
//! - [`dns()`]: [`DnsRequest`] → [`mailprobe_report::DnsCheckReport`].
//! - [`advise()`]: [`AdviseRequest`] → [`mailprobe_report::Advice`].
//!
//! Requests are plain data, independent of any command-line parser. Secrets (passwords,
//! tokens) are handed in by the caller as [`Secret`]s: nothing here reads the environment, a
//! file or a terminal for them, and a request's `Debug` never shows them. Render the reports
//! with `mailprobe_report` (`text`, `json`, `markdown`, `html::{document, fragment}`).

pub mod advise;
pub mod demo;
pub mod diagnose;
pub mod dns;
pub mod explain;
pub mod progress;
pub mod provider;

use std::net::SocketAddr;
use std::time::Duration;

use mailprobe_kb::Lang;
use mailprobe_net::TrustStore;

pub use advise::{AdviseRequest, Decision, advise, recommend};
pub use diagnose::{ClockReference, DiagnoseRequest, SecurityChoice, diagnose};
pub use dns::{DnsRequest, dns};
pub use explain::{ExplainRequest, explain};
pub use mailprobe_proto::Secret;
pub use progress::{StepState, StepUpdate};

/// What every check shares: the per-step timeout, the DNS server, the report's language and
/// the certificates trusted.
#[derive(Clone, Debug)]
pub struct CheckEnv {
    /// The limit for each network step (resolve, connect, each reply, each handshake).
    pub timeout: Duration,
    /// A DNS server to ask instead of the system's resolver.
    pub dns_server: Option<SocketAddr>,
    /// The language of the report's texts.
    pub lang: Lang,
    /// Certificates trusted (a request's extra CA file is added to these).
    pub trust: TrustStore,
    /// A resolver made once for many runs (`scan`); `None` makes one per run from `dns_server`
    /// and `timeout`.
    pub resolver: Option<mailprobe_net::Resolver>,
}

impl CheckEnv {
    /// The defaults: 10 s per step, the system's resolver and trusted roots, in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self {
            timeout: Duration::from_secs(10),
            dns_server: None,
            lang,
            trust: TrustStore::system(),
            resolver: None,
        }
    }
}

/// Why a check could not run: bad input or a set-up failure. What the checks find out about the
/// servers is never an error: it is in the report.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The request is not usable (a bad address, port, host name, provider...); the message
    /// says what to give instead.
    #[error("{0}")]
    Invalid(String),
    /// The checks could not be set up (a CA file, the resolver, TLS).
    #[error(transparent)]
    Setup(#[from] mailprobe_net::NetError),
}

impl From<mailprobe_net::HostNameError> for CheckError {
    fn from(e: mailprobe_net::HostNameError) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// `Err(CheckError::Invalid(message))`.
pub(crate) fn invalid<T>(message: impl Into<String>) -> Result<T, CheckError> {
    Err(CheckError::Invalid(message.into()))
}

/// A checker for the environment's DNS server and timeout.
pub(crate) fn dns_checker(env: &CheckEnv) -> Result<mailprobe_net::DnsChecker, CheckError> {
    Ok(mailprobe_net::DnsChecker::new(mailprobe_net::DnsConfig {
        server: env.dns_server,
        timeout: env.timeout,
    })?)
}
