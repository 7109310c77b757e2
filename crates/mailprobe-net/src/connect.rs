//! Name resolution and TCP connection, each address in turn, every step recorded and timed out.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{LookupIpStrategy, NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::{ResolveError, TokioResolver};
use mailprobe_proto::{EventKind, ResolveFailure, Stage};
use tokio::net::TcpStream;

use crate::NetError;
use crate::wire::{Recorder, Stopped, classify_connect_error};

/// A DNS resolver: the system's, or a given server (`--dns-server`).
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resolver")
    }
}

impl Resolver {
    /// The system's resolver configuration (`/etc/resolv.conf`, hosts file).
    pub fn system(timeout: Duration) -> Result<Self, NetError> {
        let builder = TokioResolver::builder_tokio().map_err(|e| NetError::Resolver(e.to_string()))?;
        let mut opts = builder_opts(timeout);
        opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Always;
        Ok(Self { inner: builder.with_options(opts).build() })
    }

    /// A resolver that asks only `server` (UDP, falling back to TCP).
    pub fn with_server(server: SocketAddr, timeout: Duration) -> Self {
        let group = NameServerConfigGroup::from_ips_clear(&[server.ip()], server.port(), true);
        let config = ResolverConfig::from_parts(None, vec![], group);
        let inner = TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
            .with_options(builder_opts(timeout))
            .build();
        Self { inner }
    }

    /// The underlying hickory resolver, for other record types (MX, TXT) in other crates.
    pub fn hickory(&self) -> &TokioResolver {
        &self.inner
    }
}

fn builder_opts(timeout: Duration) -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    // A and AAAA are asked concurrently; both families are then tried in turn.
    opts.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
    opts.timeout = timeout;
    opts.attempts = 1;
    opts
}

fn classify_resolve_error(e: &ResolveError) -> ResolveFailure {
    if e.is_nx_domain() {
        ResolveFailure::NoSuchHost
    } else if e.is_no_records_found() {
        ResolveFailure::NoAddresses
    } else if e.to_string().to_ascii_lowercase().contains("timed out") || e.to_string().contains("timeout") {
        ResolveFailure::TimedOut
    } else {
        ResolveFailure::Failed
    }
}

/// Resolves `host` (an IP literal needs no lookup) and records the outcome.
async fn resolve(
    rec: &mut Recorder,
    resolver: &Resolver,
    host: &str,
    timeout: Duration,
) -> Result<Vec<IpAddr>, Stopped> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let failed =
        |failure, detail: String| EventKind::ResolveFailed { host: host.to_owned(), failure, detail };
    match tokio::time::timeout(timeout + Duration::from_millis(500), resolver.inner.lookup_ip(host)).await {
        Err(_) => {
            rec.push(Stage::Resolve, failed(ResolveFailure::TimedOut, format!("no answer in {timeout:?}")));
            Err(Stopped)
        }
        Ok(Err(e)) => {
            rec.push(Stage::Resolve, failed(classify_resolve_error(&e), e.to_string()));
            Err(Stopped)
        }
        Ok(Ok(lookup)) => {
            let addresses: Vec<IpAddr> = lookup.iter().collect();
            if addresses.is_empty() {
                rec.push(Stage::Resolve, failed(ResolveFailure::NoAddresses, "no A or AAAA records".into()));
                return Err(Stopped);
            }
            rec.push(
                Stage::Resolve,
                EventKind::Resolved { host: host.to_owned(), addresses: addresses.clone() },
            );
            Ok(addresses)
        }
    }
}

/// Connects to each address in turn, each attempt with its own timeout, until one answers.
async fn connect_any(
    rec: &mut Recorder,
    addresses: &[SocketAddr],
    timeout: Duration,
) -> Result<TcpStream, Stopped> {
    for &address in addresses {
        rec.push(Stage::Connect, EventKind::Connecting { address });
        match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                rec.push(Stage::Connect, EventKind::Connected { address });
                return Ok(stream);
            }
            Ok(Err(e)) => rec.push(
                Stage::Connect,
                EventKind::ConnectFailed {
                    address,
                    failure: classify_connect_error(&e),
                    detail: e.to_string(),
                },
            ),
            Err(_) => rec.push(
                Stage::Connect,
                EventKind::ConnectFailed {
                    address,
                    failure: mailprobe_proto::ConnectFailure::TimedOut,
                    detail: format!("no answer in {timeout:?}"),
                },
            ),
        }
    }
    Err(Stopped)
}

/// Resolves `host` (unless `connect_to` names the addresses) and connects to the first address
/// that answers, recording each step.
pub(crate) async fn open(
    rec: &mut Recorder,
    env: &crate::ProbeEnv,
    host: &str,
    port: u16,
    connect_to: &[SocketAddr],
) -> Result<TcpStream, Stopped> {
    let addresses: Vec<SocketAddr> = if connect_to.is_empty() {
        let ips = resolve(rec, &env.resolver, host, env.timeout).await?;
        ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()
    } else {
        let shown = connect_to.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        rec.note(Stage::Resolve, format!("connecting to {shown} instead of resolving {host}"));
        connect_to.to_vec()
    };
    connect_any(rec, &addresses, env.timeout).await
}
