//! The queue runner: takes the messages that are due from the [`Spool`], delivers them upstream
//! with `upstream.concurrency` connections (each carrying several messages), paced to
//! `upstream.per_minute`, and records the outcome: removed when done, retried later with
//! Postfix-like backoff after a temporary failure, returned to the sender with a DSN after a
//! permanent one or when the message outlives `retry.lifetime_secs`.
//!
//! Every failure is diagnosed by the knowledge base: the log line, the queue's `last_error`
//! and the DSN name the finding, its summary and its first fix. One runner per spool (a lock
//! file says so); devices hand it each message they queue through the [`Arrivals`] given to
//! [`Runner::new`].
//!
//! Latency: a message a device just queued goes to a worker by its id, at once, not after the
//! pass under way (no listing of the queue); a worker keeps its connection from one message to
//! the next, and an idle connection with nothing waiting to be read is reused without a round
//! trip; an outcome is recorded (the spool's removal and its fsync, a state update, a DSN) by a
//! task of its own while the worker sends the next message, the message staying handed out (never
//! listed and sent again) until that record is on disk.

use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailprobe_kb::Lang;
use tokio::sync::Notify;

use crate::arrivals::Arrivals;
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

/// The upstream failed to open a session for a batch (one listing of the queue, or the arrivals
/// of one wake-up): the batch's messages after it are deferred with the same reason without
/// trying (as Postfix marks a dead destination).
#[derive(Clone, Debug)]
struct Down {
    failure: Failure,
    diagnosis: Option<Diagnosis>,
}

/// Messages handed to the workers together: whether the upstream was found down for them, what
/// was done with them, and how many are not settled yet.
#[derive(Debug, Default)]
struct Batch {
    down: Mutex<Option<Down>>,
    summary: Mutex<PassSummary>,
    left: AtomicUsize,
    done: Notify,
}

impl Batch {
    /// Waits until every message of the batch is settled.
    async fn wait(&self) {
        loop {
            let done = self.done.notified();
            let mut done = std::pin::pin!(done);
            done.as_mut().enable();
            if self.left.load(Ordering::SeqCst) == 0 {
                return;
            }
            done.await;
        }
    }
}

/// What the workers share: messages waiting for a worker, the messages handed out and not
/// settled yet (so that a listing of the queue never hands one out twice), and how many
/// workers run.
#[derive(Default)]
struct Work {
    queue: VecDeque<Job>,
    busy: HashSet<QueueId>,
    workers: usize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A message handed to the workers.
struct Job {
    message: QueuedMessage,
    state: DeliveryState,
    ticket: Ticket,
}

/// A handed-out message's place in [`Work::busy`] and its batch: given back when dropped, that
/// is when its outcome is on disk (or when it was never started, at shutdown, or a task
/// panicked: it stays queued and nothing is lost).
struct Ticket {
    id: QueueId,
    work: Arc<Mutex<Work>>,
    changed: Arc<Notify>,
    batch: Arc<Batch>,
    summary: PassSummary,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        lock(&self.work).busy.remove(&self.id);
        {
            let mut total = lock(&self.batch.summary);
            total.delivered += self.summary.delivered;
            total.deferred += self.summary.deferred;
            total.bounced += self.summary.bounced;
            total.dsns += self.summary.dsns;
        }
        if self.batch.left.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.batch.done.notify_waiters();
        }
        self.changed.notify_waiters();
    }
}

/// A worker's place in [`Work::workers`], given back when the worker ends (also by a panic).
struct Slot {
    work: Arc<Mutex<Work>>,
    changed: Arc<Notify>,
    given_back: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.given_back {
            lock(&self.work).workers -= 1;
        }
        self.changed.notify_waiters();
    }
}

/// The queue runner of one spool.
pub struct Runner {
    config: RelayConfig,
    spool: Arc<Spool>,
    client: UpstreamClient,
    arrivals: Arrivals,
    log: Arc<dyn Log>,
    lang: Lang,
    pacer: Pacer,
    stopping: AtomicBool,
    /// Connections left open after their worker ended, with when they were put here (newest
    /// last).
    idle: Mutex<Vec<(Connection, tokio::time::Instant)>>,
    work: Arc<Mutex<Work>>,
    /// Notified when a handed-out message is settled or a worker ends.
    changed: Arc<Notify>,
    /// Outcomes being recorded (spool writes and fsyncs), at most `upstream.concurrency`.
    recording: Arc<tokio::sync::Semaphore>,
    /// The earliest next attempt of a deferred message (seconds since the epoch; `u64::MAX`:
    /// none known), for the run loop's timer.
    next_due: AtomicU64,
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
    /// `arrivals` is told by the device side when a message is queued (with its id, or a bare
    /// `Notify` for a listing), so it is sent at once instead of at the next queue run.
    pub fn new(
        config: RelayConfig,
        spool: Arc<Spool>,
        arrivals: impl Into<Arrivals>,
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
        let recording = config.upstream.concurrency.max(1);
        Ok(Self {
            lang: diagnosis::lang_of(&config.language),
            pacer: Pacer::new(config.upstream.per_minute),
            config,
            spool,
            client,
            arrivals: arrivals.into(),
            log,
            stopping: AtomicBool::new(false),
            idle: Mutex::default(),
            work: Arc::default(),
            changed: Arc::default(),
            recording: Arc::new(tokio::sync::Semaphore::new(recording)),
            next_due: AtomicU64::new(u64::MAX),
            _lock: lock,
        })
    }

    /// Runs until `shutdown` completes. A message a device queues goes to a worker at once
    /// (by its id, without listing the queue); the whole queue is listed at start, when a
    /// deferred message becomes due, when `relay queue flush` asks, and every
    /// `retry.queue_run_secs`. On shutdown no new delivery starts; those under way finish
    /// (each step is bounded by the timeout) and their outcome is recorded.
    pub async fn run(self: Arc<Self>, shutdown: impl Future<Output = ()>) -> Result<(), RunnerError> {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut wakeup_seen = self.wakeup_stamp();
        let mut list_all = true;
        let mut ids = Vec::new();
        loop {
            let handing = async {
                if list_all {
                    self.hand_out_due().await
                } else {
                    self.hand_out(std::mem::take(&mut ids)).await
                }
            };
            let result = tokio::select! {
                result = handing => result,
                () = &mut shutdown => {
                    self.stop().await;
                    return Ok(());
                }
            };
            // A spool that cannot be read now (disk trouble) may recover: say so, try later.
            let until = match result {
                Ok(()) => self.until_due(),
                Err(e) => {
                    self.log.line("qmgr", &format!("cannot read the queue: {e}"));
                    Duration::from_secs(self.config.retry.queue_run_secs)
                }
            };
            let wake_at = tokio::time::Instant::now() + until;
            loop {
                // idle connections are closed when their time is up, even while nothing is due
                let idle_end = self.idle_deadline().map_or(wake_at, |t| t.min(wake_at));
                tokio::select! {
                    () = self.arrivals.wait() => {
                        let taken = self.arrivals.take();
                        list_all = taken.list_all || taken.ids.is_empty();
                        ids = taken.ids;
                        break;
                    }
                    () = tokio::time::sleep_until(idle_end) => {
                        self.close_idle(false).await;
                        if idle_end >= wake_at {
                            list_all = true;
                            break;
                        }
                    }
                    () = self.wakeup_requested(&mut wakeup_seen) => {
                        list_all = true;
                        break;
                    }
                    () = &mut shutdown => {
                        self.stop().await;
                        return Ok(());
                    }
                }
            }
        }
    }

    /// No new delivery starts; those under way finish and are recorded; idle connections close.
    async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // not started: they stay in the spool for the next start
        let waiting: Vec<Job> = lock(&self.work).queue.drain(..).collect();
        drop(waiting);
        loop {
            let changed = self.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            {
                let work = lock(&self.work);
                if work.busy.is_empty() && work.workers == 0 {
                    break;
                }
            }
            changed.await;
        }
        self.close_idle(true).await;
    }

    /// How long until the earliest deferred message is due, at most one queue run; a short
    /// pause, not a busy loop, when one is due already (deferred while it was listed).
    fn until_due(&self) -> Duration {
        let run = self.config.retry.queue_run_secs;
        let next = self.next_due.load(Ordering::SeqCst);
        let secs = if next == u64::MAX { run } else { next.saturating_sub(now_secs()).min(run) };
        Duration::from_secs(secs).max(Duration::from_millis(200))
    }

    /// When the oldest idle connection's time is up.
    fn idle_deadline(&self) -> Option<tokio::time::Instant> {
        let idle = lock(&self.idle);
        idle.iter().map(|(_, since)| *since + IDLE_KEEP).min()
    }

    /// Closes the idle connections whose time is up, or all of them.
    async fn close_idle(&self, all: bool) {
        let now = tokio::time::Instant::now();
        let closing: Vec<Connection> = {
            let mut idle = lock(&self.idle);
            let (old, keep) = idle.drain(..).partition(|(_, since)| all || now >= *since + IDLE_KEEP);
            *idle = keep;
            old.into_iter().map(|(c, _)| c).collect::<Vec<_>>()
        };
        for c in closing {
            c.quit().await;
        }
    }

    /// An idle connection that still works, if there is one (the newest first). One that has
    /// nothing waiting to be read (no `421`, no end of stream) is taken at once; one that has is
    /// asked with `RSET` (the bytes may be an alert it survives), as a cached session is checked.
    async fn reuse_idle(&self) -> Option<Connection> {
        loop {
            let now = tokio::time::Instant::now();
            let (mut c, since) = lock(&self.idle).pop()?;
            if now < since + IDLE_KEEP && (c.nothing_pending() || c.still_answers().await) {
                return Some(c);
            }
            c.quit().await;
        }
    }

    /// True when a connection may carry another message after this one.
    fn keepable(&self, c: &Connection) -> bool {
        c.is_usable() && c.messages() < MAX_MESSAGES_PER_CONNECTION && !self.stopping.load(Ordering::SeqCst)
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

    /// Delivers every message due now, `upstream.concurrency` at a time, and waits until each
    /// outcome is recorded; returns what it did. (Messages a running [`Runner::run`] is
    /// delivering already are left to it.)
    pub async fn run_once(self: Arc<Self>) -> Result<PassSummary, RunnerError> {
        let spool = self.spool.clone();
        let due = blocking(move || spool.due(now_secs())).await?;
        let batch = Arc::new(Batch::default());
        self.dispatch(due, &batch);
        batch.wait().await;
        let summary = lock(&batch.summary).clone();
        Ok(summary)
    }

    /// Lists the queue and hands out what is due; notes when the rest is.
    async fn hand_out_due(self: &Arc<Self>) -> Result<(), RunnerError> {
        let spool = self.spool.clone();
        let listed = blocking(move || spool.list()).await?;
        let now = now_secs();
        self.next_due.store(u64::MAX, Ordering::SeqCst);
        let mut earliest = u64::MAX;
        let mut due = Vec::new();
        for (message, state) in listed {
            if state.next_attempt <= now {
                due.push((message, state));
            } else {
                earliest = earliest.min(state.next_attempt);
            }
        }
        self.next_due.fetch_min(earliest, Ordering::SeqCst);
        self.dispatch(due, &Arc::new(Batch::default()));
        Ok(())
    }

    /// Hands out the messages just queued, by id (each file's header checked as a listing
    /// checks it).
    async fn hand_out(self: &Arc<Self>, ids: Vec<QueueId>) -> Result<(), RunnerError> {
        let spool = self.spool.clone();
        let now = now_secs();
        let found = blocking(move || {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                match spool.queued(&id) {
                    Ok((message, state)) if state.next_attempt <= now => found.push((message, state)),
                    // delivered or deleted meanwhile, not due, or damaged (moved to corrupt/)
                    Ok(_) | Err(SpoolError::NotQueued(_) | SpoolError::Corrupt { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(found)
        })
        .await?;
        self.dispatch(found, &Arc::new(Batch::default()));
        Ok(())
    }

    /// Gives messages to the workers (those not handed out already), starting workers up to
    /// `upstream.concurrency`.
    fn dispatch(self: &Arc<Self>, messages: Vec<(QueuedMessage, DeliveryState)>, batch: &Arc<Batch>) {
        if self.stopping.load(Ordering::SeqCst) {
            return;
        }
        let start = {
            let mut work = lock(&self.work);
            for (message, state) in messages {
                if !work.busy.insert(message.id.clone()) {
                    continue;
                }
                batch.left.fetch_add(1, Ordering::SeqCst);
                let ticket = Ticket {
                    id: message.id.clone(),
                    work: self.work.clone(),
                    changed: self.changed.clone(),
                    batch: batch.clone(),
                    summary: PassSummary::default(),
                };
                work.queue.push_back(Job { message, state, ticket });
            }
            let room = self.config.upstream.concurrency.max(1).saturating_sub(work.workers);
            let start = room.min(work.queue.len());
            work.workers += start;
            start
        };
        for _ in 0..start {
            tokio::spawn(self.clone().worker());
        }
    }

    /// Takes messages until none is waiting, on one upstream connection (opened, or taken from
    /// the idle ones, when the first message needs it); leaves the connection idle at the end.
    async fn worker(self: Arc<Self>) {
        let mut slot = Slot { work: self.work.clone(), changed: self.changed.clone(), given_back: false };
        let mut conn: Option<Connection> = None;
        loop {
            let job = {
                let mut work = lock(&self.work);
                let job = if self.stopping.load(Ordering::SeqCst) { None } else { work.queue.pop_front() };
                if job.is_none() {
                    work.workers -= 1;
                    slot.given_back = true;
                    // idle before this worker is gone: a message handed out now finds it
                    if let Some(c) = conn.take_if(|c| self.keepable(c)) {
                        lock(&self.idle).push((c, tokio::time::Instant::now()));
                    }
                }
                job
            };
            let Some(job) = job else { break };
            self.deliver(job, &mut conn).await;
        }
        if let Some(c) = conn {
            c.quit().await;
        }
        drop(slot);
    }

    /// One message: sent on `conn` (opened or replaced as needed); its outcome is recorded by a
    /// task of its own, so the next message does not wait for the spool's fsyncs.
    async fn deliver(self: &Arc<Self>, job: Job, conn: &mut Option<Connection>) {
        let Job { message, state, ticket } = job;
        let pending: Vec<String> =
            message.envelope.to.iter().filter(|r| !state.delivered.contains(r)).cloned().collect();
        if pending.is_empty() {
            // every recipient was done before a crash kept the message: finish it
            self.record(ticket, message, state, Vec::new(), None, None).await;
            return;
        }
        let known_down = lock(&ticket.batch.down).clone();
        if let Some(d) = known_down {
            let outcomes =
                pending.iter().map(|r| (r.clone(), RcptOutcome::Deferred(d.failure.clone()))).collect();
            self.record(ticket, message, state, outcomes, d.diagnosis, None).await;
            return;
        }
        let id = message.id.clone();
        let spool = self.spool.clone();
        let mut body = match blocking(move || spool.open_message(&id)).await {
            Ok(reader) => Queued::new(reader),
            // deleted meanwhile (`relay queue delete`) or moved to corrupt/
            Err(_) => return,
        };
        if conn.as_ref().is_some_and(|c| !c.is_usable() || c.messages() >= MAX_MESSAGES_PER_CONNECTION)
            && let Some(old) = conn.take()
        {
            old.quit().await;
        }
        if conn.is_none() {
            *conn = self.reuse_idle().await;
        }
        if conn.is_none() {
            match self.client.connect().await {
                Ok(c) => *conn = Some(c),
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
                    *lock(&ticket.batch.down) = Some(d.clone());
                    let outcomes = pending
                        .iter()
                        .map(|r| (r.clone(), RcptOutcome::Deferred(d.failure.clone())))
                        .collect();
                    self.record(ticket, message, state, outcomes, d.diagnosis, None).await;
                    return;
                }
            }
        }
        let Some(c) = conn.as_mut() else { return };
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
        self.record(ticket, message, state, delivery.recipients, diagnosis, Some(peer)).await;
    }

    /// Records an attempt's outcome ([`Runner::settle`]; no outcomes: every recipient was done
    /// already, the message is removed) in a task of its own; the message stays handed out
    /// until that is on disk.
    async fn record(
        self: &Arc<Self>,
        mut ticket: Ticket,
        message: QueuedMessage,
        state: DeliveryState,
        outcomes: Vec<(String, RcptOutcome)>,
        diagnosis: Option<Diagnosis>,
        relay: Option<String>,
    ) {
        // As many records under way as connections: a spool slower than the upstream holds the
        // workers back rather than piling up tasks.
        let permit = self.recording.clone().acquire_owned().await;
        let runner = self.clone();
        tokio::spawn(async move {
            let _permit = permit;
            if outcomes.is_empty() {
                runner.remove(&message.id).await;
            } else {
                runner
                    .settle(&message, state, outcomes, diagnosis, relay.as_deref(), &mut ticket.summary)
                    .await;
            }
            drop(ticket);
        });
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
        self.next_due.fetch_min(state.next_attempt, Ordering::SeqCst);
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
                // due now: a running runner hands it out at once
                self.arrivals.queued(dsn_id);
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
