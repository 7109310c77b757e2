//! The queue runner: takes the messages that are due from the [`Spool`], delivers them upstream
//! with `upstream.concurrency` connections (each carrying several messages), paced to
//! `upstream.per_minute`, and records the outcome: removed when done, retried later with
//! Postfix-like backoff after a temporary failure, returned to the sender with a DSN after a
//! permanent one or when the message outlives `retry.lifetime_secs`.
//!
//! Every failure is diagnosed by the knowledge base: the log line, the queue's `last_error`
//! and the DSN name the finding, its summary and its first fix. One runner per spool (a lock
//! file says so); devices wake it through the [`Notify`] given to [`Runner::new`].

use std::collections::VecDeque;
use std::fs::File;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailprobe_kb::Lang;
use tokio::sync::Notify;

use crate::config::{RelayConfig, UpstreamAuth};
use crate::diagnosis::{self, Diagnosis};
use crate::dsn::{self, FailedRecipient, Why};
use crate::queue::WAKEUP_FILE;
use crate::spool::{DeliveryState, Envelope, MessageReader, QueueId, QueuedMessage, Spool, SpoolError};
use crate::upstream::{Connection, Failure, MessageSource, RcptOutcome, UpstreamClient, UpstreamError};
use crate::window::SlidingWindow;

/// Messages carried by one connection before it is closed and a new one opened (Exchange
/// Online and others limit messages per session).
const MAX_MESSAGES_PER_CONNECTION: u32 = 100;

/// How long a connection is kept open after a pass for the next message. A device that sends
/// again within this time does not pay for a new session (TCP, TLS, EHLO, AUTH: six round trips
/// and a token); long enough for a burst of scans, far shorter than any server's idle timeout
/// (Postfix's smtpd_timeout is 300 s), and the connection is checked with RSET before reuse.
const IDLE_KEEP: Duration = Duration::from_secs(10);

/// How often the runner looks at the wake-up file `relay queue retry|flush` touches.
const WAKEUP_POLL: Duration = Duration::from_secs(1);

/// The device name a DSN is queued under.
pub const DSN_DEVICE: &str = "mailprobe-relay";

/// Why the runner cannot start or go on.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The spool failed (unreadable directory, disk full).
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// The upstream settings cannot be used.
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// Another runner works on this spool.
    #[error("another queue runner is using the spool {0} (its lock file is held)")]
    Locked(PathBuf),
    /// The lock file could not be opened.
    #[error("cannot open the runner's lock file {path}: {source}")]
    LockFile {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Where the runner's log lines go.
pub trait Log: Send + Sync {
    /// Writes one line for `daemon` (`smtp` for deliveries, `qmgr` for the queue, `bounce` for
    /// DSNs, as Postfix names them). No secret is ever in it.
    fn line(&self, daemon: &str, text: &str);
}

/// Log lines on standard error, for systemd's journal.
#[derive(Debug, Default)]
pub struct StderrLog;

impl Log for StderrLog {
    fn line(&self, daemon: &str, text: &str) {
        eprintln!("mailprobe-relay/{daemon}[{}]: {text}", std::process::id());
    }
}

/// The device side's log: the runner's lines join the sessions' in one Postfix-shaped log.
impl Log for crate::device::MailLog {
    fn line(&self, daemon: &str, text: &str) {
        self.write(daemon, u64::from(std::process::id()), text);
    }
}

/// What one pass over the queue did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassSummary {
    /// Messages fully delivered and removed.
    pub delivered: usize,
    /// Messages kept for a later attempt.
    pub deferred: usize,
    /// Messages with at least one recipient returned to the sender (or dropped, for bounces).
    pub bounced: usize,
    /// DSNs queued.
    pub dsns: usize,
}

/// Seconds since the epoch.
fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn now_micros() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0)
}

/// At most `per_minute` messages in any 60 seconds (Exchange Online counts 30 a minute per
/// mailbox), shared by every connection.
#[derive(Debug)]
struct Pacer {
    per_minute: u64,
    sent: Mutex<SlidingWindow>,
}

impl Pacer {
    fn new(per_minute: u32) -> Self {
        Self::over(per_minute, Duration::from_secs(60))
    }

    fn over(per_minute: u32, window: Duration) -> Self {
        Self { per_minute: u64::from(per_minute.max(1)), sent: Mutex::new(SlidingWindow::new(window)) }
    }

    async fn wait(&self) {
        loop {
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
                let now = std::time::Instant::now();
                if sent.count(now) < self.per_minute {
                    sent.record(now);
                    return;
                }
                // full: wait until the oldest sends leave the window
                sent.until_oldest_leaves(now)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// The upstream failed to open a session during this pass: the messages after it are deferred
/// with the same reason without trying (as Postfix marks a dead destination).
#[derive(Clone, Debug)]
struct Down {
    failure: Failure,
    diagnosis: Option<Diagnosis>,
}

/// The queue runner of one spool.
pub struct Runner {
    config: RelayConfig,
    spool: Arc<Spool>,
    client: UpstreamClient,
    wake: Arc<Notify>,
    log: Arc<dyn Log>,
    lang: Lang,
    pacer: Pacer,
    stopping: AtomicBool,
    /// Connections left open after a pass, with when they were put here (newest last).
    idle: Mutex<Vec<(Connection, tokio::time::Instant)>>,
    /// Held while the runner lives: a second runner on the same spool would deliver twice.
    _lock: File,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").field("spool", &self.config.spool).finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner for `config`'s upstream over `spool` (the one the device side writes to).
    /// `wake` is notified by the device side (`notify_one`) when a message is queued, so it is
    /// sent at once instead of at the next queue run.
    pub fn new(
        config: RelayConfig,
        spool: Arc<Spool>,
        wake: Arc<Notify>,
        log: Arc<dyn Log>,
    ) -> Result<Self, RunnerError> {
        let path = config.spool.join("runner.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| RunnerError::LockFile { path: path.clone(), source })?;
        if lock.try_lock().is_err() {
            return Err(RunnerError::Locked(config.spool.clone()));
        }
        let client = UpstreamClient::new(&config.upstream, &config.hostname)?;
        Ok(Self {
            lang: diagnosis::lang_of(&config.language),
            pacer: Pacer::new(config.upstream.per_minute),
            config,
            spool,
            client,
            wake,
            log,
            stopping: AtomicBool::new(false),
            idle: Mutex::default(),
            _lock: lock,
        })
    }

    /// Runs until `shutdown` completes: a pass whenever a device queues a message, a message
    /// becomes due, `relay queue flush` asks, or `retry.queue_run_secs` pass. On shutdown no
    /// new delivery starts; those under way finish (each step is bounded by the timeout).
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()>) -> Result<(), RunnerError> {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut wakeup_seen = self.wakeup_stamp();
        loop {
            let pass = self.clone().run_once();
            let mut pass = std::pin::pin!(pass);
            let result = tokio::select! {
                result = &mut pass => result,
                () = &mut shutdown => {
                    self.stopping.store(true, Ordering::SeqCst);
                    let _ = pass.await;
                    self.close_idle(true).await;
                    return Ok(());
                }
            };
            let until = match result {
                // the DSNs just queued are due now
                Ok(summary) if summary.dsns > 0 => continue,
                Ok(_) => self.next_wake().await,
                Err(e) => Err(e),
            };
            // A spool that cannot be read now (disk trouble) may recover: say so, try later.
            let until = until.unwrap_or_else(|e| {
                self.log.line("qmgr", &format!("cannot read the queue: {e}"));
                Duration::from_secs(self.config.retry.queue_run_secs)
            });
            let wake_at = tokio::time::Instant::now() + until;
            loop {
                // idle connections are closed when their time is up, even while nothing is due
                let idle_end = self.idle_deadline().map_or(wake_at, |t| t.min(wake_at));
                tokio::select! {
                    () = self.wake.notified() => break,
                    () = tokio::time::sleep_until(idle_end) => {
                        self.close_idle(false).await;
                        if idle_end >= wake_at {
                            break;
                        }
                    }
                    () = self.wakeup_requested(&mut wakeup_seen) => break,
                    () = &mut shutdown => {
                        self.close_idle(true).await;
                        return Ok(());
                    }
                }
            }
        }
    }

    /// When the oldest idle connection's time is up.
    fn idle_deadline(&self) -> Option<tokio::time::Instant> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.iter().map(|(_, since)| *since + IDLE_KEEP).min()
    }

    /// Closes the idle connections whose time is up, or all of them.
    async fn close_idle(&self, all: bool) {
        let now = tokio::time::Instant::now();
        let closing: Vec<Connection> = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            let (old, keep) = idle.drain(..).partition(|(_, since)| all || now >= *since + IDLE_KEEP);
            *idle = keep;
            old.into_iter().map(|(c, _)| c).collect::<Vec<_>>()
        };
        for c in closing {
            c.quit().await;
        }
    }

    /// An idle connection that still answers, if there is one (the newest first).
    async fn reuse_idle(&self) -> Option<Connection> {
        loop {
            let now = tokio::time::Instant::now();
            let (mut c, since) = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()?;
            if now < since + IDLE_KEEP && c.still_answers().await {
                return Some(c);
            }
            c.quit().await;
        }
    }

    /// Keeps a connection for the next pass, or closes it when it cannot carry more.
    async fn keep_or_close(&self, c: Connection) {
        if c.is_usable()
            && c.messages() < MAX_MESSAGES_PER_CONNECTION
            && !self.stopping.load(Ordering::SeqCst)
        {
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).push((c, tokio::time::Instant::now()));
        } else {
            c.quit().await;
        }
    }

    /// How long to sleep: until the earliest deferred message is due, at most one queue run.
    async fn next_wake(&self) -> Result<Duration, RunnerError> {
        let now = now_secs();
        let run = self.config.retry.queue_run_secs;
        let spool = self.spool.clone();
        let earliest = blocking(move || spool.list()).await?.iter().map(|(_, s)| s.next_attempt).min();
        let secs = earliest.map_or(run, |t| t.saturating_sub(now).min(run));
        // due already (a message deferred during the pass by another worker): a short pause,
        // not a busy loop
        Ok(Duration::from_secs(secs).max(Duration::from_millis(200)))
    }

    fn wakeup_stamp(&self) -> Option<SystemTime> {
        std::fs::metadata(self.config.spool.join(WAKEUP_FILE)).and_then(|m| m.modified()).ok()
    }

    /// Completes when the wake-up file changes (`relay queue retry` or `flush` from another
    /// process).
    async fn wakeup_requested(&self, seen: &mut Option<SystemTime>) {
        loop {
            tokio::time::sleep(WAKEUP_POLL).await;
            let stamp = self.wakeup_stamp();
            if stamp != *seen {
                *seen = stamp;
                return;
            }
        }
    }

    /// Delivers every message due now, `upstream.concurrency` at a time; returns what it did.
    pub async fn run_once(self: Arc<Self>) -> Result<PassSummary, RunnerError> {
        let spool = self.spool.clone();
        let due = blocking(move || spool.due(now_secs())).await?;
        if due.is_empty() {
            return Ok(PassSummary::default());
        }
        let workers = self.config.upstream.concurrency.min(due.len()).max(1);
        let queue = Arc::new(Mutex::new(VecDeque::from(due)));
        let down: Arc<Mutex<Option<Down>>> = Arc::default();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..workers {
            tasks.spawn(self.clone().worker(queue.clone(), down.clone()));
        }
        let mut summary = PassSummary::default();
        while let Some(done) = tasks.join_next().await {
            // a worker that panicked loses nothing: its message stays queued
            if let Ok(s) = done {
                summary.delivered += s.delivered;
                summary.deferred += s.deferred;
                summary.bounced += s.bounced;
                summary.dsns += s.dsns;
            }
        }
        Ok(summary)
    }

    async fn worker(
        self: Arc<Self>,
        queue: Arc<Mutex<VecDeque<(QueuedMessage, DeliveryState)>>>,
        down: Arc<Mutex<Option<Down>>>,
    ) -> PassSummary {
        let mut summary = PassSummary::default();
        let mut conn: Option<Connection> = None;
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                break;
            }
            let Some((message, state)) = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front() else {
                break;
            };
            let pending: Vec<String> =
                message.envelope.to.iter().filter(|r| !state.delivered.contains(r)).cloned().collect();
            if pending.is_empty() {
                // every recipient was done before a crash kept the message: finish it
                self.remove(&message.id).await;
                continue;
            }
            let known_down = down.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let Some(d) = known_down {
                let outcomes =
                    pending.iter().map(|r| (r.clone(), RcptOutcome::Deferred(d.failure.clone()))).collect();
                self.settle(&message, state, outcomes, d.diagnosis, None, &mut summary).await;
                continue;
            }
            let id = message.id.clone();
            let spool = self.spool.clone();
            let mut body = match blocking(move || spool.open_message(&id)).await {
                Ok(reader) => Queued::new(reader),
                // deleted meanwhile (`relay queue delete`) or moved to corrupt/
                Err(_) => continue,
            };
            if conn.as_ref().is_some_and(|c| !c.is_usable() || c.messages() >= MAX_MESSAGES_PER_CONNECTION)
                && let Some(old) = conn.take()
            {
                old.quit().await;
            }
            if conn.is_none() {
                conn = self.reuse_idle().await;
            }
            if conn.is_none() {
                match self.client.connect().await {
                    Ok(c) => conn = Some(c),
                    Err(setup) => {
                        let first = pending.first().map(String::as_str);
                        let diagnosis = diagnosis::diagnose(
                            &self.config.upstream,
                            &message.envelope.from,
                            first,
                            &setup.transcript,
                            self.lang,
                        );
                        let d = Down { failure: setup.failure, diagnosis };
                        *down.lock().unwrap_or_else(|p| p.into_inner()) = Some(d.clone());
                        let outcomes = pending
                            .iter()
                            .map(|r| (r.clone(), RcptOutcome::Deferred(d.failure.clone())))
                            .collect();
                        self.settle(&message, state, outcomes, d.diagnosis, None, &mut summary).await;
                        continue;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { continue };
            self.pacer.wait().await;
            let delivery = c.deliver_from(&message.envelope.from, &pending, &mut body).await;
            let failed = delivery.recipients.iter().any(|(_, o)| !matches!(o, RcptOutcome::Delivered { .. }));
            let diagnosis = if failed {
                let first = pending.first().map(String::as_str);
                diagnosis::diagnose(
                    &self.config.upstream,
                    &message.envelope.from,
                    first,
                    &delivery.transcript,
                    self.lang,
                )
            } else {
                None
            };
            let peer = format!("{}[{}]:{}", self.client.host(), c.peer().ip(), c.peer().port());
            self.settle(&message, state, delivery.recipients, diagnosis, Some(&peer), &mut summary).await;
        }
        if let Some(c) = conn {
            self.keep_or_close(c).await;
        }
        summary
    }

    /// Records one attempt's outcome: delivered recipients are done; refused ones are
    /// returned to the sender; the rest wait for the next attempt, or are returned too when
    /// the message has outlived its lifetime.
    async fn settle(
        &self,
        message: &QueuedMessage,
        mut state: DeliveryState,
        outcomes: Vec<(String, RcptOutcome)>,
        diagnosis: Option<Diagnosis>,
        relay: Option<&str>,
        summary: &mut PassSummary,
    ) {
        let now = now_secs();
        let attempts = state.attempts + 1;
        // Postfix's shape: host[address]:port, or none when no session was opened
        let relay = relay.unwrap_or("none");
        let delay = now.saturating_sub(message.arrived);
        let why = diagnosis.as_ref().map(|d| d.one_line(self.lang));
        let mut refused = Vec::new();
        let mut deferred = Vec::new();
        for (rcpt, outcome) in outcomes {
            let head = format!("{}: to=<{rcpt}>, relay={relay}, delay={delay}", message.id);
            match outcome {
                RcptOutcome::Delivered { reply } => {
                    self.log.line("smtp", &format!("{head}, dsn=2.0.0, status=sent ({reply})"));
                    state.delivered.push(rcpt);
                }
                RcptOutcome::Refused(failure) => {
                    self.log.line(
                        "smtp",
                        &format!(
                            "{head}, dsn={}, status=bounced ({})",
                            failure.status,
                            reason(&failure, why.as_deref())
                        ),
                    );
                    refused.push(FailedRecipient { address: rcpt, failure });
                }
                RcptOutcome::Deferred(failure) => {
                    self.log.line(
                        "smtp",
                        &format!(
                            "{head}, dsn={}, status=deferred ({})",
                            failure.status,
                            reason(&failure, why.as_deref())
                        ),
                    );
                    deferred.push(FailedRecipient { address: rcpt, failure });
                }
            }
        }
        if !refused.is_empty() {
            if self.bounce(message, &refused, Why::Refused, diagnosis.as_ref(), summary).await {
                // returned to the sender: finished for those recipients (kept with the
                // delivered ones, so a later attempt does not try them again)
                state.delivered.extend(refused.iter().map(|r| r.address.clone()));
                summary.bounced += 1;
            } else {
                // the DSN could not be queued: keep them and try again later
                deferred.extend(refused);
            }
        }
        if deferred.is_empty() {
            self.remove(&message.id).await;
            summary.delivered += 1;
            return;
        }
        let lifetime = self.config.retry.lifetime_secs;
        if delay >= lifetime {
            let why = Why::Expired { lifetime_secs: lifetime };
            if self.bounce(message, &deferred, why, diagnosis.as_ref(), summary).await {
                self.log.line("qmgr", &format!("{}: from=<{}>, status=expired, returned to sender (after {delay} s, {attempts} attempts)", message.id, message.envelope.from));
                self.remove(&message.id).await;
                summary.bounced += 1;
                return;
            }
        }
        state.attempts = attempts;
        state.next_attempt = now + self.config.retry.backoff(attempts);
        state.last_error = Some(
            why.unwrap_or_else(|| deferred.first().map(|d| d.failure.detail.clone()).unwrap_or_default()),
        );
        let id = message.id.clone();
        let spool = self.spool.clone();
        match blocking(move || spool.update(&id, &state)).await {
            Ok(()) | Err(SpoolError::NotQueued(_)) => {}
            Err(e) => self.log.line("qmgr", &format!("{}: cannot record the attempt: {e}", message.id)),
        }
        summary.deferred += 1;
    }

    /// Queues a DSN for `failed` to the message's sender. True when the recipients are
    /// settled: the DSN is queued, or none is due (the message is itself a bounce).
    async fn bounce(
        &self,
        message: &QueuedMessage,
        failed: &[FailedRecipient],
        why: Why,
        diagnosis: Option<&Diagnosis>,
        summary: &mut PassSummary,
    ) -> bool {
        if !dsn::may_bounce(&message.envelope.from) {
            self.log.line(
                "bounce",
                &format!("{}: not returned: it is itself a bounce (empty sender)", message.id),
            );
            return true;
        }
        // The DSN quotes the original's headers only: its first bytes are enough.
        let id = message.id.clone();
        let spool = self.spool.clone();
        let original = blocking(move || spool.read_head(&id, dsn::QUOTED_HEAD)).await.unwrap_or_default();
        let from_address = match &self.config.upstream.auth {
            UpstreamAuth::Plain { user, .. } | UpstreamAuth::Xoauth2 { user, .. } if user.contains('@') => {
                user.clone()
            }
            _ => format!("MAILER-DAEMON@{}", self.config.hostname),
        };
        let report = dsn::Report {
            reporting_mta: &self.config.hostname,
            from_address: &from_address,
            remote_mta: self.client.host(),
            message,
            original: &original,
            recipients: failed,
            why,
            diagnosis,
            lang: self.lang,
            now: time::OffsetDateTime::now_utc(),
        };
        let bytes = dsn::build(&report);
        let envelope = Envelope {
            from: String::new(),
            to: vec![message.envelope.from.clone()],
            device: DSN_DEVICE.to_owned(),
        };
        let spool = self.spool.clone();
        match blocking(move || spool.enqueue(&envelope, &bytes, now_micros())).await {
            Ok(dsn_id) => {
                self.log
                    .line("bounce", &format!("{}: sender non-delivery notification: {dsn_id}", message.id));
                summary.dsns += 1;
                true
            }
            Err(e) => {
                self.log.line(
                    "bounce",
                    &format!("{}: cannot queue the non-delivery notification: {e}", message.id),
                );
                false
            }
        }
    }

    async fn remove(&self, id: &QueueId) {
        let spool = self.spool.clone();
        let id2 = id.clone();
        match blocking(move || spool.remove(&id2)).await {
            Ok(()) => self.log.line("qmgr", &format!("{id}: removed")),
            Err(SpoolError::NotQueued(_)) => {}
            Err(e) => self.log.line("qmgr", &format!("{id}: cannot remove: {e}")),
        }
    }
}

/// A log line's reason: what the upstream said (or what failed), then the finding.
fn reason(failure: &Failure, why: Option<&str>) -> String {
    let said = if failure.from_server {
        format!("upstream said: {}", failure.detail)
    } else {
        failure.detail.clone()
    };
    match why {
        Some(why) => format!("{said}; {why}"),
        None => said,
    }
}

/// A queued message as the upstream's DATA reads it: a chunk at a time from the spool, the
/// file reads off the async workers (the first chunk, read when the message was opened, at once).
struct Queued {
    reader: Option<MessageReader>,
    size: u64,
    eight_bit: bool,
}

impl Queued {
    fn new(reader: MessageReader) -> Self {
        Self { size: reader.size(), eight_bit: reader.has_8bit(), reader: Some(reader) }
    }
}

impl MessageSource for Queued {
    fn size(&self) -> u64 {
        self.size
    }

    fn has_8bit(&self) -> bool {
        self.eight_bit
    }

    async fn next_chunk(&mut self) -> std::io::Result<Vec<u8>> {
        let Some(mut reader) = self.reader.take() else {
            return Err(std::io::Error::other("an earlier read of the message failed"));
        };
        let (reader, chunk) = if reader.next_is_ready() {
            let chunk = reader.next_chunk();
            (reader, chunk)
        } else {
            tokio::task::spawn_blocking(move || {
                let chunk = reader.next_chunk();
                (reader, chunk)
            })
            .await
            .map_err(std::io::Error::other)?
        };
        let chunk = chunk.map_err(std::io::Error::other)?;
        self.reader = Some(reader);
        Ok(chunk)
    }
}

/// Runs a spool call (file I/O with fsync) off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SpoolError> + Send + 'static,
) -> Result<T, SpoolError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(SpoolError::Io { path: PathBuf::new(), source: std::io::Error::other(e.to_string()) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pacer_lets_per_window_through_then_waits_for_the_window() {
        // the same rule as 30 a minute, on a 300 ms window
        let pacer = Pacer::over(3, Duration::from_millis(300));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            pacer.wait().await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
        pacer.wait().await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(600), "{waited:?}");
    }
}
