//! The local web page of `mailprobe serve`: its HTTP API, embedded assets and streamed steps.
//!
//! One page, embedded in the binary (HTML, CSS, plain JavaScript and two small dictionaries;
//! nothing is loaded from anywhere else, so it works offline), and a small JSON API over the
//! same checks the command line runs. Safe by construction:
//!
//! - it listens on loopback unless told otherwise ([`ServeOptions::allow_remote`]);
//! - the printed address carries a per-run token (256 bits from the OS), exchanged for an
//!   `HttpOnly; SameSite=Strict` cookie; every request without that cookie is refused (403);
//! - the Host header must name this server and an Origin, when sent, must be the page's own, so
//!   neither DNS rebinding nor another web site can drive it;
//! - a strict Content-Security-Policy, `nosniff`, `no-referrer`, no framing;
//! - checks run on POST only; a password lives in the request that carries it and is dropped with
//!   it, never written to disk or to the server's output.

mod api;
mod assets;
mod error;
mod guard;
mod logs;
mod run;
mod secret;
mod signin;
mod steps;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;

pub use api::Checks;
pub use error::WebError;
pub use mailprobe_checks::CheckEnv;

use crate::guard::Guard;
use crate::secret::RunSecret;

/// The largest request body: a log file uploaded to "Read a log" (gzip'd or not).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// How `mailprobe serve` is started.
#[derive(Debug)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Listen on a non-loopback address too (anyone who can reach it can then use the page).
    pub allow_remote: bool,
    /// What the checks share: trust roots, resolver, timeouts.
    pub checks: Checks,
}

/// A server bound to its address, not yet serving: its address can be printed first.
#[derive(Debug)]
pub struct BoundServer {
    listener: TcpListener,
    addr: SocketAddr,
    guard: Arc<Guard>,
    checks: Arc<Checks>,
}

/// Binds the listener and makes this run's secrets. Refuses a non-loopback address unless
/// `allow_remote` is set.
pub async fn bind(options: ServeOptions) -> Result<BoundServer, WebError> {
    let ServeOptions { listen, allow_remote, checks } = options;
    if !listen.ip().is_loopback() && !allow_remote {
        return Err(WebError::RemoteNotAllowed(listen));
    }
    let listener =
        TcpListener::bind(listen).await.map_err(|source| WebError::Bind { addr: listen, source })?;
    let addr = listener.local_addr().map_err(|source| WebError::Bind { addr: listen, source })?;
    let guard = Guard { port: addr.port(), token: RunSecret::generate()?, session: RunSecret::generate()? };
    Ok(BoundServer { listener, addr, guard: Arc::new(guard), checks: Arc::new(checks) })
}

impl BoundServer {
    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address to open, with this run's token: `http://127.0.0.1:PORT/?token=…`. An
    /// unspecified listen address (0.0.0.0, ::) is shown as loopback, which it also serves.
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
            ip if ip.is_unspecified() => "[::1]".to_owned(),
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        };
        format!("http://{ip}:{}/?token={}", self.addr.port(), self.guard.token.expose())
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), WebError> {
        let app = router(self.guard, self.checks);
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await.map_err(WebError::Serve)
    }
}

/// Every route, behind the guard.
fn router(guard: Arc<Guard>, checks: Arc<Checks>) -> Router {
    Router::new()
        .merge(assets::routes())
        .merge(api::routes(checks))
        .layer(axum::middleware::from_fn_with_state(guard, guard::check))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
}
