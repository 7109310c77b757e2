//! The running device side: binds the listeners, accepts connections up to the limit, drives
//! each [`Session`] over TCP and TLS with an idle timeout, checks logins and stores messages off
//! the async runtime, and stops gracefully (no new connections, open sessions finish up to a
//! deadline).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};

use super::log::MailLog;
use super::policy::{LoginLimits, Policy, PolicyError};
use super::session::{Action, ListenerMode, Session, StoreFailure};
use super::tls::{Acceptor, DeviceStream, TlsSetupError};
use crate::arrivals::Arrivals;
use crate::config::{Limits, Listener, ListenerTls, RelayConfig};
use crate::spool::{Draft, Spool, SpoolError};

/// Bytes read from a device at a time.
const READ_CHUNK: usize = 16 * 1024;
/// The longest a TLS handshake may take (less when the idle timeout is shorter).
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(60);
/// How long the `421` to a connection over the limit may take to write.
const REFUSAL_WRITE: Duration = Duration::from_secs(5);

/// The device side cannot start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// A listener's address cannot be bound (in use, not an address of this host, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// A listener's TLS cannot be set up.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    /// The devices' configuration cannot be used.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// How the device side runs, beyond the configuration file.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Where log lines go.
    pub log: MailLog,
    /// How long open sessions may go on after shutdown was asked for.
    pub drain: Duration,
    /// The wait before a failed login is answered (slows password guessing).
    pub failed_login_delay: Duration,
    /// Limits on failed logins.
    pub login: LoginLimits,
}

impl ServeOptions {
    /// The defaults, logging to `log`: 30 s to drain, 1 s after a failed login, 10 failed logins
    /// from one address in 15 minutes.
    pub fn new(log: MailLog) -> Self {
        Self {
            log,
            drain: Duration::from_secs(30),
            failed_login_delay: Duration::from_secs(1),
            login: LoginLimits::default(),
        }
    }
}

/// What a run of the device side did, once it stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServeSummary {
    /// Connections served.
    pub sessions: u64,
    /// Sessions still open at the drain deadline, cut off.
    pub cut_off: u64,
}

struct Shared {
    policy: Arc<Policy>,
    spool: Arc<Spool>,
    arrivals: Arrivals,
    hostname: String,
    limits: Limits,
    options: ServeOptions,
    connections: Arc<Semaphore>,
    next_session: AtomicU64,
    open: AtomicU64,
}

/// A bound listener. The socket stays with the accept loop, so that it is closed as soon as
/// the loop ends, while sessions still running keep only what they need.
struct Bound {
    socket: TcpListener,
    kind: Arc<Kind>,
}

/// What a listener's sessions need from it.
struct Kind {
    mode: ListenerMode,
    acceptor: Option<Acceptor>,
}

/// The device side of the relay: its listeners, bound and ready.
pub struct Relay {
    listeners: Vec<Bound>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("listeners", &self.local_addrs()).finish_non_exhaustive()
    }
}

impl Relay {
    /// Checks the devices, sets up TLS and binds every listener; nothing is accepted yet.
    pub async fn bind(
        config: &RelayConfig,
        spool: Arc<Spool>,
        arrivals: Arrivals,
        options: ServeOptions,
    ) -> Result<Self, RelayError> {
        let policy = Arc::new(Policy::new(config, options.login)?);
        let mut listeners = Vec::with_capacity(config.listeners.len());
        for listener in &config.listeners {
            let acceptor = Acceptor::for_listener(listener)?;
            let socket = TcpListener::bind(listener.bind)
                .await
                .map_err(|source| RelayError::Bind { addr: listener.bind, source })?;
            let mode = ListenerMode { tls: listener.tls, auth_requires_tls: listener.auth_requires_tls };
            listeners.push(Bound { socket, kind: Arc::new(Kind { mode, acceptor }) });
            options.log.write(
                "master",
                0,
                &format!("listening on {} ({})", listener.bind, describe(listener)),
            );
        }
        let shared = Arc::new(Shared {
            policy,
            spool,
            arrivals,
            hostname: config.hostname.clone(),
            limits: config.limits.clone(),
            connections: Arc::new(Semaphore::new(config.limits.max_connections.max(1))),
            options,
            next_session: AtomicU64::new(1),
            open: AtomicU64::new(0),
        });
        Ok(Self { listeners, shared })
    }

    /// The addresses the listeners are bound to, in configuration order (a port 0 in the
    /// configuration shows here as the port the system chose).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners.iter().filter_map(|l| l.socket.local_addr().ok()).collect()
    }

    /// Binds, then runs until `shutdown` completes (see [`Relay::run`]).
    pub async fn serve(
        config: &RelayConfig,
        spool: Arc<Spool>,
        arrivals: Arrivals,
        options: ServeOptions,
        shutdown: impl Future<Output = ()>,
    ) -> Result<ServeSummary, RelayError> {
        Ok(Self::bind(config, spool, arrivals, options).await?.run(shutdown).await)
    }

    /// Accepts devices until `shutdown` completes; then stops accepting, lets open sessions
    /// finish their message (idle ones get `421`) for up to the drain time, and cuts off the
    /// rest. A message whose `250` was sent is on disk; one cut off mid-DATA never got `250`
    /// and the device sends it again.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> ServeSummary {
        let (stop_tx, stop_rx) = watch::channel(false);
        let (abort_tx, abort_rx) = watch::channel(false);
        // Every session holds a sender; when all are dropped, all sessions have ended.
        let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
        let mut accept_tasks = tokio::task::JoinSet::new();
        for bound in self.listeners {
            let shared = Arc::clone(&self.shared);
            let (stop, abort, done) = (stop_rx.clone(), abort_rx.clone(), done_tx.clone());
            accept_tasks.spawn(accept_loop(bound, shared, stop, abort, done));
        }
        drop(done_tx);
        shutdown.await;
        let log = &self.shared.options.log;
        let open = self.shared.open.load(Ordering::SeqCst);
        log.write("master", 0, &format!("stopping: no new connections, {open} sessions open"));
        let _ = stop_tx.send(true);
        // The accept loops end at once and drop their senders.
        while accept_tasks.join_next().await.is_some() {}
        let drained = tokio::time::timeout(self.shared.options.drain, done_rx.recv()).await.is_ok();
        let mut cut_off = 0;
        if !drained {
            cut_off = self.shared.open.load(Ordering::SeqCst);
            log.write("master", 0, &format!("drain time over: cutting off {cut_off} sessions"));
            let _ = abort_tx.send(true);
            // Sessions end at their next read or write; a store in progress finishes first.
            let _ = done_rx.recv().await;
        }
        let sessions = self.shared.next_session.load(Ordering::SeqCst) - 1;
        log.write("master", 0, &format!("stopped after {sessions} sessions"));
        ServeSummary { sessions, cut_off }
    }
}

fn describe(listener: &Listener) -> String {
    let tls = match (listener.tls, listener.legacy_tls) {
        (ListenerTls::None, _) => "plain SMTP",
        (ListenerTls::Starttls, false) => "STARTTLS, TLS 1.2 and 1.3",
        (ListenerTls::Implicit, false) => "implicit TLS, TLS 1.2 and 1.3",
        (ListenerTls::Starttls, true) => "STARTTLS, TLS 1.0 to 1.3 (legacy, OpenSSL security level 0)",
        (ListenerTls::Implicit, true) => "implicit TLS, TLS 1.0 to 1.3 (legacy, OpenSSL security level 0)",
    };
    let auth = if listener.auth_requires_tls { "AUTH after TLS" } else { "AUTH also in the clear" };
    format!("{tls}, {auth}")
}

async fn accept_loop(
    bound: Bound,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    abort: watch::Receiver<bool>,
    done: mpsc::Sender<()>,
) {
    loop {
        let accepted = tokio::select! {
            biased;
            _ = stop.changed() => return,
            accepted = bound.socket.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                shared.options.log.write("master", 0, &format!("warning: accept: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let Ok(permit) = Arc::clone(&shared.connections).try_acquire_owned() else {
            shared.options.log.write(
                "master",
                0,
                &format!(
                    "warning: connection limit ({}) reached: refusing unknown[{}]",
                    shared.limits.max_connections,
                    peer.ip()
                ),
            );
            let implicit = bound.kind.mode.tls == ListenerTls::Implicit;
            tokio::spawn(refuse(tcp, implicit, shared.hostname.clone()));
            continue;
        };
        let (shared, kind, stop, abort, done) =
            (Arc::clone(&shared), Arc::clone(&bound.kind), stop.clone(), abort.clone(), done.clone());
        tokio::spawn(async move {
            shared.open.fetch_add(1, Ordering::SeqCst);
            drive(tcp, peer, &kind, &shared, stop, abort).await;
            shared.open.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            drop(done);
        });
    }
}

/// Tells a connection over the limit to come back later (in the clear only: an implicit-TLS
/// client would not read a plain reply, so it is just closed).
async fn refuse(mut tcp: TcpStream, implicit: bool, hostname: String) {
    if !implicit {
        let text = format!("421 4.3.2 {hostname} Error: too many connections, try again later\r\n");
        let _ = tokio::time::timeout(REFUSAL_WRITE, tcp.write_all(text.as_bytes())).await;
    }
    let _ = tokio::time::timeout(REFUSAL_WRITE, tcp.shutdown()).await;
}

enum Transport {
    Plain(TcpStream),
    Tls(Box<dyn DeviceStream>),
    /// Between the two, during a handshake (or after one failed).
    Gone,
}

impl Transport {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf).await,
            Self::Tls(s) => s.read(buf).await,
            Self::Gone => Ok(0),
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Plain(s) => s.write_all(bytes).await,
            Self::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Self::Gone => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    async fn shutdown(&mut self) {
        let _ = match self {
            Self::Plain(s) => s.shutdown().await,
            Self::Tls(s) => s.shutdown().await,
            Self::Gone => Ok(()),
        };
    }
}

fn now_micros() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros())
}

/// The spool side of the message a session is receiving.
#[derive(Default)]
enum Drafting {
    /// Nothing written yet (a small message is stored in one go at its end).
    #[default]
    None,
    /// Being written to a draft.
    Open(Draft),
    /// Writing failed: the rest of the message is read and dropped, the device gets this.
    Failed(StoreFailure),
}

fn store_failure(e: SpoolError) -> StoreFailure {
    match e {
        SpoolError::BadEnvelope(why) => StoreFailure::Refused(why),
        e => StoreFailure::Temporary(e.to_string()),
    }
}

/// One connection, from accept to close.
async fn drive(
    tcp: TcpStream,
    peer: SocketAddr,
    bound: &Kind,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
    mut abort: watch::Receiver<bool>,
) {
    let pid = shared.next_session.fetch_add(1, Ordering::SeqCst);
    let log = &shared.options.log;
    let idle = Duration::from_secs(shared.limits.idle_timeout_secs.max(1));
    let flush_log = |session: &mut Session| {
        for line in session.take_log() {
            log.write("smtpd", pid, &line);
        }
    };
    let mut session =
        Session::new(Arc::clone(&shared.policy), &shared.hostname, bound.mode, &shared.limits, peer.ip());
    let mut transport = Transport::Plain(tcp);
    if bound.mode.tls == ListenerTls::Implicit {
        transport = handshake(transport, bound, &mut session, idle).await;
    }
    let mut stopping = *stop.borrow();
    if stopping {
        session.shutdown();
    }
    let mut buf = vec![0u8; READ_CHUNK];
    // Dropped with the connection, a draft never committed is removed from the spool.
    let mut drafting = Drafting::None;
    loop {
        flush_log(&mut session);
        match session.next_action(Instant::now()) {
            Action::Send(bytes) => {
                let written = tokio::select! {
                    biased;
                    _ = abort.changed() => break,
                    w = tokio::time::timeout(idle, transport.write_all(&bytes)) => w,
                };
                if !matches!(written, Ok(Ok(()))) {
                    break;
                }
            }
            Action::Read => {
                let read = tokio::select! {
                    biased;
                    _ = abort.changed() => break,
                    _ = stop.changed(), if !stopping => {
                        stopping = true;
                        session.shutdown();
                        continue;
                    }
                    r = tokio::time::timeout(idle, transport.read(&mut buf)) => r,
                };
                match read {
                    Err(_) => session.timed_out(),
                    Ok(Ok(0)) | Ok(Err(_)) => break,
                    Ok(Ok(n)) => session.receive(&buf[..n]),
                }
            }
            Action::StartTls => {
                transport = handshake(transport, bound, &mut session, idle).await;
            }
            Action::CheckLogin(request) => {
                let check = shared.policy.login_check(&request.user, peer.ip());
                let user = request.user.clone();
                let outcome = tokio::task::spawn_blocking(move || Policy::verify(&check, &request.password))
                    .await
                    .unwrap_or(Err("the password check failed"));
                if outcome.is_err() {
                    tokio::time::sleep(shared.options.failed_login_delay).await;
                }
                session.login_checked(outcome, &user, Instant::now());
            }
            Action::Begin(request) => {
                let spool = Arc::clone(&shared.spool);
                let begun = tokio::task::spawn_blocking(move || {
                    let mut draft = spool.draft(&request.envelope, now_micros())?;
                    draft.write(&request.message)?;
                    Ok(draft)
                })
                .await;
                drafting = match begun {
                    Ok(Ok(draft)) => Drafting::Open(draft),
                    Ok(Err(e)) => Drafting::Failed(store_failure(e)),
                    Err(e) => {
                        Drafting::Failed(StoreFailure::Temporary(format!("the store task failed: {e}")))
                    }
                };
            }
            Action::Write(bytes) => {
                drafting = match std::mem::take(&mut drafting) {
                    Drafting::Open(mut draft) => {
                        let written = tokio::task::spawn_blocking(move || {
                            let written = draft.write(&bytes);
                            (draft, written)
                        })
                        .await;
                        match written {
                            Ok((draft, Ok(()))) => Drafting::Open(draft),
                            Ok((_, Err(e))) => Drafting::Failed(store_failure(e)),
                            Err(e) => Drafting::Failed(StoreFailure::Temporary(format!(
                                "the store task failed: {e}"
                            ))),
                        }
                    }
                    // After a failure the rest is read and dropped: the device learns it at the
                    // end. (A write with no draft cannot be stored either.)
                    Drafting::Failed(failure) => Drafting::Failed(failure),
                    Drafting::None => Drafting::Failed(StoreFailure::Temporary(
                        "a part of the message came before its start".into(),
                    )),
                };
            }
            Action::Store(request) => {
                let spool = Arc::clone(&shared.spool);
                let stored = match std::mem::take(&mut drafting) {
                    Drafting::None => tokio::task::spawn_blocking(move || {
                        spool.enqueue(&request.envelope, &request.message, now_micros())
                    })
                    .await
                    .map(|r| r.map_err(store_failure)),
                    Drafting::Open(mut draft) => tokio::task::spawn_blocking(move || {
                        draft.write(&request.message)?;
                        draft.commit()
                    })
                    .await
                    .map(|r| r.map_err(store_failure)),
                    Drafting::Failed(failure) => Ok(Err(failure)),
                };
                let result = match stored {
                    Ok(Ok(id)) => {
                        shared.arrivals.queued(id.clone());
                        Ok(id)
                    }
                    Ok(Err(failure)) => Err(failure),
                    Err(e) => Err(StoreFailure::Temporary(format!("the store task failed: {e}"))),
                };
                session.stored(result, Instant::now());
            }
            Action::Discard => drafting = Drafting::None,
            Action::Close => break,
        }
    }
    session.disconnected();
    flush_log(&mut session);
    let _ = tokio::time::timeout(REFUSAL_WRITE, transport.shutdown()).await;
}

/// The TLS handshake on a plain transport (implicit TLS at connect, or after STARTTLS).
async fn handshake(transport: Transport, bound: &Kind, session: &mut Session, idle: Duration) -> Transport {
    let (Transport::Plain(tcp), Some(acceptor)) = (transport, &bound.acceptor) else {
        session.tls_failed("no TLS on this listener");
        return Transport::Gone;
    };
    // A handshake is a few round trips: a client that takes longer is holding a place.
    match tokio::time::timeout(idle.min(HANDSHAKE_LIMIT), acceptor.accept(tcp)).await {
        Ok(Ok((stream, info))) => {
            session.tls_started(info);
            Transport::Tls(stream)
        }
        Ok(Err(e)) => {
            session.tls_failed(&e);
            Transport::Gone
        }
        Err(_) => {
            session.tls_failed("handshake timed out");
            Transport::Gone
        }
    }
}
