//! One device's SMTP session as a state machine with no I/O: bytes in, replies and the next
//! thing the driver must do (read, start TLS, check a password, store a message, close) out.
//!
//! Why not `smtp-proto`'s receivers: its DATA reader ends a message only at `CRLF.CRLF`, and a
//! printer that ends every line with a bare LF would hang until the timeout. Here a line ends at
//! LF with or without CR, in commands and in DATA, and the stored message has CRLF everywhere.
//! That is no SMTP smuggling hole: a `.` line ended by a bare LF ends the message, and whatever
//! follows is read as commands of the same session, under the same device's rights; what goes
//! upstream has CRLF line ends only, so no server after the relay can read the end elsewhere.
//!
//! Bounds: a command line is at most [`MAX_LINE`] bytes (longer ones are discarded, answered
//! `500`); a message at most the configured size (the rest is read and dropped, answered `552`);
//! the input buffer never holds more than one line beyond what the driver last read.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::command::{self, Command, Mechanism};
use super::data::DataReader;
use super::policy::{DeviceId, LoginOutcome, Policy, Secret};
use crate::config::ListenerTls;
use crate::spool::{Envelope, QueueId};

/// The longest command line taken, with its line ending. RFC 5321 allows 512 octets; RFC 4954
/// asks for 12288 in AUTH, and long device names in base64 (a 300-character user name and its
/// password in one AUTH PLAIN) need more than 512.
pub const MAX_LINE: usize = 4096;
/// Bad commands tolerated before the session is closed (Postfix's soft limit is 10).
const MAX_ERRORS: u32 = 10;

/// Base64 as devices send it: with or without padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the listener the device came in on offers.
#[derive(Clone, Copy, Debug)]
pub struct ListenerMode {
    /// Its TLS mode.
    pub tls: ListenerTls,
    /// AUTH only once TLS is on.
    pub auth_requires_tls: bool,
}

/// The TLS a session runs over, for the log and the `Received:` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1.3`, `TLSv1`.
    pub version: String,
    /// The cipher suite's name.
    pub cipher: String,
}

/// What the driver does next.
#[derive(Debug)]
pub enum Action {
    /// Write these bytes to the device.
    Send(Vec<u8>),
    /// Read more bytes and pass them to [`Session::receive`] (or call
    /// [`Session::disconnected`] at the end of the stream, [`Session::timed_out`] after the idle
    /// timeout).
    Read,
    /// Do the TLS handshake, then call [`Session::tls_started`].
    StartTls,
    /// Check a login (off the async runtime: it is slow on purpose), then call
    /// [`Session::login_checked`].
    CheckLogin(LoginRequest),
    /// Start storing the message being received, which has grown past a chunk: open a draft
    /// in the spool for its envelope and write these first bytes (the rest follows as
    /// [`Action::Write`] and [`Action::Store`]), so no message is held whole in memory.
    Begin(StoreRequest),
    /// Append these bytes to the message's draft.
    Write(Vec<u8>),
    /// Store the message durably (its last bytes, appended to the draft if one was begun),
    /// then call [`Session::stored`].
    Store(StoreRequest),
    /// The message being received is refused (too big): drop its draft, never commit it.
    Discard,
    /// Close the connection.
    Close,
}

/// A login to check.
#[derive(Debug)]
pub struct LoginRequest {
    /// The mechanism used.
    pub mechanism: &'static str,
    /// The user name (the device's name).
    pub user: String,
    /// The password.
    pub password: Secret,
}

/// A message to store, or the first part of one ([`Action::Begin`]).
#[derive(Debug)]
pub struct StoreRequest {
    /// Sender (after the device's sender policy), recipients, device name.
    pub envelope: Envelope,
    /// The message's bytes (those not written yet), the relay's `Received:` header first.
    pub message: Vec<u8>,
}

/// Message bytes gathered before they go to the spool as one [`Action::Begin`] or
/// [`Action::Write`]: large enough that a big message costs few writes, small enough that a
/// session's memory does not grow with the message.
const WRITE_CHUNK: usize = 64 * 1024;

/// Why storing failed, as the session needs to know it.
#[derive(Debug)]
pub enum StoreFailure {
    /// Local trouble (disk full, spool unwritable): the device tries again later.
    Temporary(String),
    /// The envelope cannot be stored at all.
    Refused(String),
}

enum Phase {
    Command,
    AuthPlain,
    AuthLoginUser,
    AuthLoginPassword { user: String },
    Checking,
    Data(DataReader),
    Storing,
    StartingTls,
    Closed,
}

struct Transaction {
    device: DeviceId,
    /// The sender the device gave, for the log.
    given_from: String,
    /// The sender the message goes out with.
    from: String,
    to: Vec<String>,
}

/// Counts of commands, for the `disconnect from` log line (Postfix's form: `auth=0/1`).
#[derive(Default)]
struct Counters(Vec<(&'static str, u32, u32)>);

impl Counters {
    fn count(&mut self, name: &'static str, ok: bool) {
        let ok = u32::from(ok);
        match self.0.iter_mut().find(|(n, _, _)| *n == name) {
            Some(entry) => {
                entry.1 += ok;
                entry.2 += 1;
            }
            None => self.0.push((name, ok, 1)),
        }
    }

    fn summary(&self) -> String {
        // Postfix's order.
        const ORDER: [&str; 13] = [
            "helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "rset", "noop", "vrfy", "help",
            "quit", "unknown",
        ];
        let (mut ok, mut total) = (0, 0);
        let mut out = String::new();
        for name in ORDER {
            if let Some((n, good, all)) = self.0.iter().find(|(n, _, _)| *n == name) {
                ok += good;
                total += all;
                out.push_str(&fraction(n, *good, *all));
                out.push(' ');
            }
        }
        out.push_str(&fraction("commands", ok, total));
        out
    }
}

fn fraction(name: &str, ok: u32, total: u32) -> String {
    if ok == total { format!("{name}={ok}") } else { format!("{name}={ok}/{total}") }
}

/// One device connection's SMTP dialogue.
pub struct Session {
    policy: Arc<Policy>,
    hostname: String,
    mode: ListenerMode,
    peer: IpAddr,
    max_size: u64,
    max_recipients: usize,
    input: Vec<u8>,
    /// Discarding a command line that grew past [`MAX_LINE`], up to its end.
    overlong: bool,
    output: Vec<u8>,
    log: Vec<String>,
    phase: Phase,
    /// Something the driver must do once the output is written.
    pending: Option<Action>,
    helo: Option<String>,
    esmtp: bool,
    tls: Option<TlsInfo>,
    device: Option<DeviceId>,
    mechanism: Option<&'static str>,
    tx: Option<Transaction>,
    failed_logins: u32,
    errors: u32,
    counters: Counters,
    last_verb: &'static str,
    /// The relay is stopping: close at the next point where no message is half received.
    closing: bool,
    /// The message being received went to the spool in part already ([`Action::Begin`]).
    draft_begun: bool,
    /// Bytes of the message handed to the spool so far, for the log.
    message_size: usize,
}

impl Session {
    /// A session for a device at `peer` that connected to a listener in `mode`; the greeting
    /// (or the refusal, when no device may send from `peer`) is the first thing to send.
    pub fn new(
        policy: Arc<Policy>,
        hostname: &str,
        mode: ListenerMode,
        limits: &crate::config::Limits,
        peer: IpAddr,
    ) -> Self {
        let mut session = Self {
            policy,
            hostname: hostname.to_owned(),
            mode,
            peer,
            max_size: limits.max_message_bytes,
            max_recipients: limits.max_recipients.clamp(1, crate::spool::MAX_RECIPIENTS),
            input: Vec::new(),
            overlong: false,
            output: Vec::new(),
            log: Vec::new(),
            phase: Phase::Command,
            pending: None,
            helo: None,
            esmtp: false,
            tls: None,
            device: None,
            mechanism: None,
            tx: None,
            failed_logins: 0,
            errors: 0,
            counters: Counters::default(),
            last_verb: "CONNECT",
            closing: false,
            draft_begun: false,
            message_size: 0,
        };
        session.note(format!("connect from {}", session.client()));
        if session.policy.may_connect(peer) {
            let greeting = format!("220 {} ESMTP mailprobe relay", session.hostname);
            session.reply(&greeting);
        } else {
            let text =
                format!("554 5.7.1 <{}>: Client host rejected: no device may send from this address", peer);
            session.note(format!("NOQUEUE: reject: CONNECT from {}: {text}; proto=SMTP", session.client()));
            session.reply(&text);
            session.phase = Phase::Closed;
        }
        session
    }

    /// Bytes read from the device.
    pub fn receive(&mut self, bytes: &[u8]) {
        if !matches!(self.phase, Phase::Closed | Phase::StartingTls) {
            self.input.extend_from_slice(bytes);
        }
    }

    /// Log lines since the last call (Postfix's smtpd wording, without the syslog prefix).
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// What to do next; `now` is the time for rate limits.
    pub fn next_action(&mut self, now: Instant) -> Action {
        loop {
            if self.pending.is_some() {
                if !self.output.is_empty() {
                    return Action::Send(std::mem::take(&mut self.output));
                }
                return self.pending.take().unwrap_or(Action::Read);
            }
            match &self.phase {
                Phase::Closed => {
                    return if self.output.is_empty() {
                        Action::Close
                    } else {
                        Action::Send(std::mem::take(&mut self.output))
                    };
                }
                // Waiting for the driver's answer; it has the action already.
                Phase::Checking | Phase::Storing | Phase::StartingTls => return Action::Read,
                Phase::Data(_) => {
                    if !self.read_data() {
                        return self.flush_or_read();
                    }
                }
                Phase::Command
                | Phase::AuthPlain
                | Phase::AuthLoginUser
                | Phase::AuthLoginPassword { .. } => match self.take_line() {
                    Some(line) => self.line(&line, now),
                    None => {
                        if self.closing && matches!(self.phase, Phase::Command) {
                            self.reply(&format!("421 4.3.2 {} Service shutting down", self.hostname));
                            self.phase = Phase::Closed;
                            continue;
                        }
                        return self.flush_or_read();
                    }
                },
            }
        }
    }

    fn flush_or_read(&mut self) -> Action {
        if self.output.is_empty() { Action::Read } else { Action::Send(std::mem::take(&mut self.output)) }
    }

    /// The TLS handshake (implicit TLS at connect, or after STARTTLS) succeeded: the session
    /// starts over (RFC 3207 §4.2). At connect, the greeting is still to be sent.
    pub fn tls_started(&mut self, info: TlsInfo) {
        self.note_tls(&info);
        self.tls = Some(info);
        self.helo = None;
        self.esmtp = false;
        self.device = None;
        self.mechanism = None;
        self.tx = None;
        self.input.clear();
        if !matches!(self.phase, Phase::Closed) {
            self.phase = Phase::Command;
        }
    }

    /// The TLS handshake failed: nothing more can be said to the device.
    pub fn tls_failed(&mut self, reason: &str) {
        self.note(format!("SSL_accept error from {}: {}", self.client(), one_line(reason, 200)));
        self.phase = Phase::Closed;
        self.output.clear();
    }

    /// The result of a [`Action::CheckLogin`]; the driver has waited its delay after a failure.
    pub fn login_checked(&mut self, outcome: LoginOutcome, user: &str, now: Instant) {
        let mechanism = self.mechanism.take().unwrap_or("PLAIN");
        match outcome {
            Ok(device) => {
                self.device = Some(device);
                self.mechanism = Some(mechanism);
                self.counters.count("auth", true);
                self.reply("235 2.7.0 Authentication successful");
            }
            Err(reason) => {
                self.counters.count("auth", false);
                self.failed_logins += 1;
                self.policy.count_failure(self.peer, now);
                self.note(format!(
                    "warning: {}: SASL {mechanism} authentication failed: {reason}, sasl_username={}",
                    self.client(),
                    one_line(user, 320)
                ));
                self.reply("535 5.7.8 Error: authentication failed: bad device name or password");
                if self.failed_logins >= self.policy.login_limits().max_failures_per_session {
                    self.too_many("failed logins");
                    return;
                }
            }
        }
        self.phase = Phase::Command;
    }

    /// The result of a [`Action::Store`]: `250` naming the queue id only now.
    pub fn stored(&mut self, result: Result<QueueId, StoreFailure>, now: Instant) {
        let tx = self.tx.take();
        let size = std::mem::take(&mut self.message_size);
        self.draft_begun = false;
        match (result, tx) {
            (Ok(id), Some(tx)) => {
                self.counters.count("data", true);
                self.policy.count_message(tx.device, now);
                let auth = match self.mechanism {
                    Some(m) if self.device.is_some() => {
                        format!(", sasl_method={m}, sasl_username={}", self.policy.name(tx.device))
                    }
                    _ => String::new(),
                };
                self.note(format!("{id}: client={}{auth}", self.client()));
                let rewritten = if tx.from == tx.given_from {
                    String::new()
                } else {
                    format!(", orig_from=<{}>", tx.given_from)
                };
                self.note(format!(
                    "{id}: from=<{}>{rewritten}, size={size}, nrcpt={}, device={} (queue active)",
                    tx.from,
                    tx.to.len(),
                    self.policy.name(tx.device)
                ));
                self.reply(&format!("250 2.0.0 Ok: queued as {id}"));
            }
            (Err(failure), tx) => {
                self.counters.count("data", false);
                let (reply, why) = match failure {
                    StoreFailure::Temporary(why) => (
                        "451 4.3.0 Error: queue file write error; the message was not accepted, try again later",
                        why,
                    ),
                    StoreFailure::Refused(why) => ("554 5.5.0 Error: the envelope cannot be queued", why),
                };
                self.note(format!("warning: queue file write error: {}", one_line(&why, 300)));
                let envelope = tx.map_or(String::new(), |tx| format!("; from=<{}>", tx.from));
                self.note(format!("NOQUEUE: reject: DATA from {}: {reply}{envelope}", self.client()));
                self.reply(reply);
            }
            (Ok(id), None) => {
                // Cannot happen (a store is only asked for within a transaction); say it was
                // taken, since it is on disk.
                self.reply(&format!("250 2.0.0 Ok: queued as {id}"));
            }
        }
        self.phase = Phase::Command;
    }

    /// The relay is stopping: the session ends as soon as no message is half received.
    pub fn shutdown(&mut self) {
        self.closing = true;
    }

    /// The device said nothing for the idle timeout.
    pub fn timed_out(&mut self) {
        if !matches!(self.phase, Phase::Closed) {
            self.note(format!("timeout after {} from {}", self.last_verb, self.client()));
            self.reply(&format!("421 4.4.2 {} Error: timeout exceeded", self.hostname));
            self.phase = Phase::Closed;
        }
    }

    /// The connection ended (by the device, or after [`Action::Close`]); writes the last log.
    pub fn disconnected(&mut self) {
        if !matches!(self.phase, Phase::Closed) {
            self.note(format!("lost connection after {} from {}", self.last_verb, self.client()));
            self.phase = Phase::Closed;
        }
        let summary = self.counters.summary();
        self.note(format!("disconnect from {} {summary}", self.client()));
    }

    /// True when the session has ended.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    fn client(&self) -> String {
        format!("unknown[{}]", self.peer)
    }

    fn note(&mut self, line: String) {
        self.log.push(line);
    }

    fn note_tls(&mut self, info: &TlsInfo) {
        self.note(format!(
            "Anonymous TLS connection established from {}: {} with cipher {}",
            self.client(),
            info.version,
            info.cipher
        ));
    }

    fn reply(&mut self, text: &str) {
        self.output.extend_from_slice(text.as_bytes());
        self.output.extend_from_slice(b"\r\n");
    }

    /// The next complete command line, without its ending; `None` when there is none yet.
    fn take_line(&mut self) -> Option<Vec<u8>> {
        loop {
            let Some(end) = memchr(b'\n', &self.input) else {
                if self.input.len() > MAX_LINE {
                    // Keep reading to the end of this line, but not keeping it.
                    if !self.overlong {
                        self.overlong = true;
                        self.error("500 5.5.2 Error: line too long");
                    }
                    self.input.clear();
                }
                return None;
            };
            let mut line: Vec<u8> = self.input.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if std::mem::take(&mut self.overlong) {
                continue;
            }
            if line.len() + 2 > MAX_LINE {
                self.error("500 5.5.2 Error: line too long");
                continue;
            }
            return Some(line);
        }
    }

    fn error(&mut self, reply: &str) {
        self.errors += 1;
        self.reply(reply);
        if self.errors >= MAX_ERRORS {
            self.too_many("errors");
        }
    }

    fn too_many(&mut self, what: &str) {
        self.note(format!("too many {what} after {} from {}", self.last_verb, self.client()));
        self.reply(&format!("421 4.7.0 {} Error: too many {what}", self.hostname));
        self.phase = Phase::Closed;
    }

    fn line(&mut self, line: &[u8], now: Instant) {
        match std::mem::replace(&mut self.phase, Phase::Command) {
            Phase::AuthPlain => self.plain_response(line),
            Phase::AuthLoginUser => self.login_user(line),
            Phase::AuthLoginPassword { user } => self.login_password(line, user),
            _ => self.command(line, now),
        }
    }

    fn command(&mut self, line: &[u8], now: Instant) {
        self.last_verb = match command::verb(line).as_deref() {
            Some("HELO") => "HELO",
            Some("EHLO") => "EHLO",
            Some("STARTTLS") => "STARTTLS",
            Some("AUTH") => "AUTH",
            Some("MAIL") => "MAIL",
            Some("RCPT") => "RCPT",
            Some("DATA") => "DATA",
            Some("RSET") => "RSET",
            Some("NOOP") => "NOOP",
            Some("QUIT") => "QUIT",
            _ => "UNKNOWN",
        };
        if self.closing {
            self.reply(&format!("421 4.3.2 {} Service shutting down", self.hostname));
            self.phase = Phase::Closed;
            return;
        }
        let command = match command::parse(line) {
            Ok(c) => c,
            Err(refusal) => {
                let name = match self.last_verb {
                    "UNKNOWN" => "unknown",
                    verb => counter_name(verb),
                };
                self.counters.count(name, false);
                self.error(&refusal.reply());
                return;
            }
        };
        match command {
            Command::Helo(name) | Command::Ehlo(name) => {
                let esmtp = self.last_verb == "EHLO";
                self.counters.count(if esmtp { "ehlo" } else { "helo" }, true);
                self.tx = None;
                self.helo = Some(printable(&name, 255));
                self.esmtp = esmtp;
                if esmtp {
                    self.ehlo_reply();
                } else {
                    self.reply(&format!("250 {}", self.hostname));
                }
            }
            Command::StartTls => self.starttls(),
            Command::Auth { mechanism, initial } => self.auth(mechanism, initial, now),
            Command::Mail { from, size } => self.mail(from, size, now),
            Command::Rcpt { to } => self.rcpt(to),
            Command::Data => self.data(),
            Command::Rset => {
                self.counters.count("rset", true);
                self.tx = None;
                self.reply("250 2.0.0 Ok");
            }
            Command::Noop => {
                self.counters.count("noop", true);
                self.reply("250 2.0.0 Ok");
            }
            Command::Vrfy => {
                self.counters.count("vrfy", true);
                self.reply("252 2.0.0 Send some mail, and see what happens");
            }
            Command::Help => {
                self.counters.count("help", true);
                self.reply("214 2.0.0 See RFC 5321");
            }
            Command::Quit => {
                self.counters.count("quit", true);
                self.reply("221 2.0.0 Bye");
                self.phase = Phase::Closed;
            }
        }
    }

    fn tls_offered(&self) -> bool {
        self.mode.tls == ListenerTls::Starttls && self.tls.is_none()
    }

    fn auth_allowed(&self) -> bool {
        self.policy.has_logins() && (self.tls.is_some() || !self.mode.auth_requires_tls)
    }

    fn ehlo_reply(&mut self) {
        let mut lines = vec![
            format!("{} Hello {} [{}]", self.hostname, self.helo.as_deref().unwrap_or(""), self.peer),
            "PIPELINING".to_owned(),
            format!("SIZE {}", self.max_size),
            "8BITMIME".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
        ];
        if self.tls_offered() {
            lines.push("STARTTLS".to_owned());
        }
        if self.auth_allowed() {
            lines.push("AUTH PLAIN LOGIN".to_owned());
            // The pre-RFC form some old clients and printers look for (Postfix's
            // broken_sasl_auth_clients).
            lines.push("AUTH=PLAIN LOGIN".to_owned());
        }
        let last = lines.len() - 1;
        for (i, line) in lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let text = format!("250{sep}{line}");
            self.reply(&text);
        }
    }

    fn starttls(&mut self) {
        if self.mode.tls != ListenerTls::Starttls {
            self.counters.count("starttls", false);
            self.error("502 5.5.1 Error: command not implemented");
        } else if self.tls.is_some() {
            self.counters.count("starttls", false);
            self.error("554 5.5.1 Error: TLS already active");
        } else {
            self.counters.count("starttls", true);
            self.reply("220 2.0.0 Ready to start TLS");
            // Commands pipelined after STARTTLS came in the clear: a man in the middle could
            // have put them there (CVE-2011-0411); they are dropped.
            self.input.clear();
            self.phase = Phase::StartingTls;
            self.pending = Some(Action::StartTls);
        }
    }

    fn auth(&mut self, mechanism: Option<Mechanism>, initial: Option<String>, now: Instant) {
        let refusal = if self.helo.is_none() || !self.esmtp {
            Some("503 5.5.1 Error: send EHLO first")
        } else if self.device.is_some() {
            Some("503 5.5.1 Error: already authenticated")
        } else if self.tx.is_some() {
            Some("503 5.5.1 Error: MAIL transaction in progress")
        } else if !self.policy.has_logins() {
            Some("503 5.5.1 Error: authentication not enabled")
        } else if !self.auth_allowed() {
            Some("538 5.7.11 Encryption required for requested authentication mechanism")
        } else if mechanism.is_none() {
            Some("504 5.5.4 Unrecognized authentication type")
        } else {
            None
        };
        if let Some(reply) = refusal {
            self.counters.count("auth", false);
            self.error(reply);
            return;
        }
        if self.policy.login_blocked(self.peer, now) {
            self.counters.count("auth", false);
            self.note(format!("warning: {}: too many failed logins from this address", self.client()));
            self.reply(&format!(
                "421 4.7.0 {} Error: too many failed logins from your address, try again later",
                self.hostname
            ));
            self.phase = Phase::Closed;
            return;
        }
        let mechanism = mechanism.unwrap_or(Mechanism::Plain);
        self.mechanism = Some(mechanism.name());
        match (mechanism, initial) {
            (Mechanism::Plain, Some(response)) => self.plain_response(response.as_bytes()),
            (Mechanism::Plain, None) => {
                // An empty challenge (RFC 4954 §4: "334" followed by a space).
                self.reply("334 ");
                self.phase = Phase::AuthPlain;
            }
            (Mechanism::Login, Some(user)) => self.login_user(user.as_bytes()),
            (Mechanism::Login, None) => {
                // "Username:" in base64, the prompt every client knows; never "User Name\0",
                // which Xerox and Outlook choke on.
                self.reply("334 VXNlcm5hbWU6");
                self.phase = Phase::AuthLoginUser;
            }
        }
    }

    /// Decodes a SASL response line; `None` after answering a cancel or bad base64.
    fn sasl_decode(&mut self, line: &[u8]) -> Option<Vec<u8>> {
        let text = trim_ascii(line);
        if text == b"*" {
            self.counters.count("auth", false);
            self.mechanism = None;
            self.reply("501 5.7.0 Error: authentication aborted");
            return None;
        }
        if text == b"=" {
            return Some(Vec::new());
        }
        match BASE64.decode(text) {
            Ok(bytes) => Some(bytes),
            Err(_) => {
                self.counters.count("auth", false);
                self.mechanism = None;
                self.error("501 5.5.2 Error: cannot decode the response (base64 expected)");
                None
            }
        }
    }

    fn plain_response(&mut self, line: &[u8]) {
        let Some(decoded) = self.sasl_decode(line) else { return };
        let decoded = Secret::new(decoded);
        let parts: Vec<&[u8]> = decoded.expose().splitn(3, |&b| b == 0).collect();
        let [authzid, authcid, password] = parts.as_slice() else {
            self.counters.count("auth", false);
            self.mechanism = None;
            self.error("501 5.5.2 Error: the PLAIN response has no NUL-separated user name and password");
            return;
        };
        let user = String::from_utf8_lossy(authcid).into_owned();
        // Acting for another identity is not a thing here: an authzid must be the user itself.
        let acting_as_other = !authzid.is_empty() && authzid != authcid;
        let password = Secret::new(if acting_as_other { Vec::new() } else { password.to_vec() });
        self.check_login(user, password);
    }

    fn login_user(&mut self, line: &[u8]) {
        let Some(user) = self.sasl_decode(line) else { return };
        let user = String::from_utf8_lossy(&user).into_owned();
        // "Password:" in base64.
        self.reply("334 UGFzc3dvcmQ6");
        self.phase = Phase::AuthLoginPassword { user };
    }

    fn login_password(&mut self, line: &[u8], user: String) {
        let Some(password) = self.sasl_decode(line) else { return };
        self.check_login(user, Secret::new(password));
    }

    fn check_login(&mut self, user: String, password: Secret) {
        self.phase = Phase::Checking;
        let mechanism = self.mechanism.unwrap_or("PLAIN");
        self.pending = Some(Action::CheckLogin(LoginRequest { mechanism, user, password }));
    }

    fn mail(&mut self, from: String, size: Option<u64>, now: Instant) {
        let refusal = if self.helo.is_none() {
            Some("503 5.5.1 Error: send HELO/EHLO first".to_owned())
        } else if self.tx.is_some() {
            Some("503 5.5.1 Error: nested MAIL command".to_owned())
        } else {
            None
        };
        if let Some(reply) = refusal {
            self.counters.count("mail", false);
            self.error(&reply);
            return;
        }
        let Some(device) = self.device.or_else(|| self.policy.network_device(self.peer)) else {
            // No device is known by this address and none signed in: no open relay.
            self.reject_mail("530 5.7.0 Authentication required".to_owned(), &from);
            return;
        };
        if size.is_some_and(|s| s > self.max_size) {
            self.reject_mail("552 5.3.4 Message size exceeds fixed limit".to_owned(), &from);
            return;
        }
        let Some(effective) = self.policy.sender(device, &from) else {
            let text = format!(
                "553 5.7.1 <{from}>: Sender address rejected: not allowed for device {}",
                self.policy.name(device)
            );
            self.reject_mail(text, &from);
            return;
        };
        if self.policy.over_rate(device, now) {
            let text = format!(
                "451 4.7.1 Error: device {} sent its {} messages for this minute, try again later",
                self.policy.name(device),
                self.policy.per_minute(device)
            );
            self.reject_mail(text, &from);
            return;
        }
        self.counters.count("mail", true);
        self.tx = Some(Transaction { device, given_from: from, from: effective, to: Vec::new() });
        self.reply("250 2.1.0 Ok");
    }

    fn reject_mail(&mut self, reply: String, from: &str) {
        self.counters.count("mail", false);
        let helo = self.helo.clone().unwrap_or_default();
        let proto = if self.esmtp { "ESMTP" } else { "SMTP" };
        self.note(format!(
            "NOQUEUE: reject: MAIL from {}: {reply}; from=<{from}> proto={proto} helo=<{helo}>",
            self.client()
        ));
        // Refusals count as errors: a client that keeps trying is closed.
        self.error(&reply);
    }

    fn rcpt(&mut self, to: String) {
        let max = self.max_recipients;
        let Some(tx) = self.tx.as_mut() else {
            self.counters.count("rcpt", false);
            self.error("503 5.5.1 Error: need MAIL command");
            return;
        };
        if tx.to.iter().any(|r| r.eq_ignore_ascii_case(&to)) {
            // The same recipient twice gets the message once.
            self.counters.count("rcpt", true);
            self.reply("250 2.1.5 Ok");
        } else if tx.to.len() >= max {
            self.counters.count("rcpt", false);
            self.reply("452 4.5.3 Error: too many recipients");
        } else {
            tx.to.push(to);
            self.counters.count("rcpt", true);
            self.reply("250 2.1.5 Ok");
        }
    }

    fn data(&mut self) {
        let reply = match &self.tx {
            None => Some("503 5.5.1 Error: need MAIL command"),
            Some(tx) if tx.to.is_empty() => Some("503 5.5.1 Error: need RCPT command"),
            Some(_) => None,
        };
        if let Some(reply) = reply {
            self.counters.count("data", false);
            self.error(reply);
            return;
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>");
        let received = self.tx.as_ref().map(|tx| self.received_header(tx)).unwrap_or_default();
        self.draft_begun = false;
        self.message_size = 0;
        self.phase = Phase::Data(DataReader::starting_with(self.max_size, received.into_bytes()));
    }

    /// The envelope of the transaction under way, as the spool stores it.
    fn envelope(&self) -> Option<Envelope> {
        let tx = self.tx.as_ref()?;
        Some(Envelope {
            from: tx.from.clone(),
            to: tx.to.clone(),
            device: self.policy.name(tx.device).to_owned(),
        })
    }

    /// Feeds input to the DATA reader; true when there is something for the driver to do (a
    /// chunk to write, or the message is complete).
    fn read_data(&mut self) -> bool {
        let Phase::Data(reader) = &mut self.phase else { return false };
        if !reader.feed(&mut self.input) {
            if reader.too_big || reader.message.len() < WRITE_CHUNK {
                return false;
            }
            // The next chunk goes to disk now; the buffer is reused at the size it reached.
            let capacity = reader.message.capacity();
            let bytes = std::mem::replace(&mut reader.message, Vec::with_capacity(capacity));
            self.message_size += bytes.len();
            let action = if self.draft_begun {
                Action::Write(bytes)
            } else {
                let Some(envelope) = self.envelope() else { return false };
                self.draft_begun = true;
                Action::Begin(StoreRequest { envelope, message: bytes })
            };
            self.pending = Some(action);
            return true;
        }
        let Phase::Data(reader) = std::mem::replace(&mut self.phase, Phase::Command) else { return false };
        if reader.too_big {
            self.counters.count("data", false);
            let from = self.tx.take().map(|tx| tx.from).unwrap_or_default();
            let text = "552 5.3.4 Error: message file too big";
            self.note(format!("NOQUEUE: reject: DATA from {}: {text}; from=<{from}>", self.client()));
            self.reply(text);
            self.message_size = 0;
            if std::mem::take(&mut self.draft_begun) {
                self.pending = Some(Action::Discard);
            }
            return true;
        }
        let Some(envelope) = self.envelope() else { return true };
        self.message_size += reader.message.len();
        self.phase = Phase::Storing;
        self.pending = Some(Action::Store(StoreRequest { envelope, message: reader.message }));
        true
    }

    /// The relay's trace header (RFC 5321 §4.4): who sent it from where, over what.
    fn received_header(&self, tx: &Transaction) -> String {
        let helo = self.helo.as_deref().map(|h| printable(h, 64).replace(['(', ')'], "")).unwrap_or_default();
        let address = match self.peer {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("IPv6:{v6}"),
        };
        // RFC 3848's protocol names.
        let protocol = match (self.esmtp, self.tls.is_some(), self.device.is_some()) {
            (false, _, _) => "SMTP",
            (true, false, false) => "ESMTP",
            (true, true, false) => "ESMTPS",
            (true, false, true) => "ESMTPA",
            (true, true, true) => "ESMTPSA",
        };
        let tls = self.tls.as_ref().map_or(String::new(), |t| format!(" ({} {})", t.version, t.cipher));
        let device = self.policy.name(tx.device);
        let date = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap_or_default();
        let recipient = match tx.to.as_slice() {
            [one] => format!("\r\n\tfor <{one}>"),
            _ => String::new(),
        };
        format!(
            "Received: from {helo} (device {device} [{address}])\r\n\tby {} (mailprobe relay) with {protocol}{tls}{recipient};\r\n\t{date}\r\n",
            self.hostname
        )
    }
}

fn counter_name(verb: &str) -> &'static str {
    match verb {
        "HELO" => "helo",
        "EHLO" => "ehlo",
        "STARTTLS" => "starttls",
        "AUTH" => "auth",
        "MAIL" => "mail",
        "RCPT" => "rcpt",
        "DATA" => "data",
        "RSET" => "rset",
        "NOOP" => "noop",
        "QUIT" => "quit",
        _ => "unknown",
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Text made safe for a log line or a header: printable ASCII, at most `max` characters.
fn printable(text: &str, max: usize) -> String {
    text.chars().map(|c| if c.is_ascii_graphic() { c } else { '?' }).take(max).collect()
}

/// Text on one line: control characters replaced, at most `max` characters.
fn one_line(text: &str, max: usize) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).take(max).collect()
}

#[cfg(test)]
mod tests;
