//! A provider simulator: an SMTP server on loopback that answers like Gmail or Microsoft 365.
//!
//! [`Simulator::start`] makes a certificate authority and a certificate for the provider's host
//! name, binds two listeners on `127.0.0.1` (plaintext + STARTTLS, playing port 587, and
//! implicit TLS, playing port 465) and serves each connection in a tokio task. The replies are
//! the providers' own texts (banner, EHLO, auth failures, sender refusals), chosen by a
//! [`Scenario`]: what a person or device gets wrong, e.g. a normal password where Gmail wants an
//! app password, or a tenant where SMTP AUTH is off. [`Scenario::client`] says how the simulated
//! client is configured, so the demo can run the real probe against the simulator.
//!
//! Every read has an idle timeout, lines are bounded, and garbage gets an error reply (and,
//! after repeated errors, a 421 and a closed connection), never a panic.
//!
//! Deviations from the real services, on purpose: the implicit-TLS listener is served for
//! Microsoft 365 too (Exchange Online documents port 587 only); the Send As refusal (5.7.60) is
//! answered at MAIL FROM, where Exchange Online often answers it only after DATA. The TLS floor
//! (1.2) is rustls's, which has no TLS 1.0 or 1.1 at all; but rustls answers a genuine TLS 1.0
//! ClientHello with `handshake_failure` (it has no signature_algorithms extension, which rustls
//! checks first), so the simulator reads the ClientHello itself and answers a client offering
//! nothing newer than TLS 1.1 with the `protocol_version` alert RFC 5246 asks for. Direct send
//! (the tenant's MX endpoint, Exchange Online Protection) is served on the same two listeners,
//! the plaintext one playing port 25; real EOP has no implicit-TLS port, and it accepts any
//! envelope sender at MAIL FROM (spoofing checks come after DATA, which the simulator skips).

mod hello;
mod scenario;
mod server;
mod session;
mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub use scenario::{ClientSetup, PortKind, Provider, Scenario, accounts};
pub use server::MAX_LINE;
pub use session::{AcceptedMessage, MAX_KEPT_BODY};
pub use tls::CA_COMMON_NAME;

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding a loopback listener failed.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// Making the CA or the server certificate failed.
    #[error("cannot make the simulator's certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    /// rustls refused the server configuration.
    #[error("cannot configure the simulator's TLS server: {0}")]
    Tls(#[from] rustls::Error),
    /// `start` was called outside a tokio runtime.
    #[error("the simulator needs a tokio runtime")]
    NoRuntime,
}

/// Tunables of a simulator; [`SimOptions::default`] is what [`Simulator::start`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// How long a connection may stay silent before it gets `421 4.4.2` and is closed.
    pub idle_timeout: Duration,
    /// Connections served at once per listener; more are turned away.
    pub max_connections: usize,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self { idle_timeout: Duration::from_secs(30), max_connections: 64 }
    }
}

/// A running simulator; dropping it (or [`Simulator::shutdown`]) closes the listeners and
/// aborts every connection task.
pub struct Simulator {
    scenario: Scenario,
    submission: SocketAddr,
    implicit: SocketAddr,
    ca_pem: String,
    shared: Arc<server::Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("scenario", &self.scenario)
            .field("submission", &self.submission)
            .field("implicit", &self.implicit)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts a simulator for `scenario` with default options, on two fresh loopback ports.
    pub async fn start(scenario: Scenario) -> Result<Simulator, SimError> {
        Self::start_with(scenario, SimOptions::default()).await
    }

    /// Starts a simulator for `scenario` with the given options.
    pub async fn start_with(scenario: Scenario, options: SimOptions) -> Result<Simulator, SimError> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| SimError::NoRuntime)?;
        let host = scenario.host_name();
        let pki = tls::build(host)?;
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let submission = TcpListener::bind(loopback).await.map_err(SimError::Bind)?;
        let implicit = TcpListener::bind(loopback).await.map_err(SimError::Bind)?;
        let submission_addr = submission.local_addr().map_err(SimError::Bind)?;
        let implicit_addr = implicit.local_addr().map_err(SimError::Bind)?;
        let shared = Arc::new(server::Shared {
            scenario,
            acceptor: TlsAcceptor::from(pki.server_config),
            options,
            accepted: Mutex::new(Vec::new()),
        });
        let tasks = vec![
            handle.spawn(server::accept_loop(submission, false, shared.clone())),
            handle.spawn(server::accept_loop(implicit, true, shared.clone())),
        ];
        Ok(Simulator {
            scenario,
            submission: submission_addr,
            implicit: implicit_addr,
            ca_pem: pki.ca_pem,
            shared,
            tasks,
        })
    }

    /// The scenario being played.
    pub fn scenario(&self) -> Scenario {
        self.scenario
    }

    /// The provider being played.
    pub fn provider(&self) -> Provider {
        self.scenario.provider()
    }

    /// The name the certificate is issued for: `smtp.gmail.com` or `smtp.office365.com`, or
    /// for direct send the tenant's MX endpoint `contoso-example.mail.protection.outlook.com`.
    pub fn host_name(&self) -> &str {
        self.scenario.host_name()
    }

    /// The plaintext + STARTTLS listener (plays port 587; port 25 for direct send).
    pub fn submission_addr(&self) -> SocketAddr {
        self.submission
    }

    /// The implicit-TLS listener (plays port 465).
    pub fn implicit_addr(&self) -> SocketAddr {
        self.implicit
    }

    /// The listener a client configured with `kind` connects to.
    pub fn addr(&self, kind: PortKind) -> SocketAddr {
        match kind {
            PortKind::Submission => self.submission,
            PortKind::Implicit => self.implicit,
        }
    }

    /// PEM of the simulator's own CA, for the client to trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The messages accepted so far (envelope and size; bodies are not kept), oldest first.
    pub fn accepted_messages(&self) -> Vec<AcceptedMessage> {
        self.shared.accepted.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Closes the listeners and aborts every connection task (dropping does the same).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
