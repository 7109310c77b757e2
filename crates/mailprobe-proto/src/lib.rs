//! Mail protocol pieces with no I/O: mailprobe's evidence model and the parsers that build it.
//!
//! This crate has no sockets, no async runtime and takes no time from the OS: callers feed it
//! bytes and read back parsed values. `mailprobe-net` drives it over the network; the log parsers
//! drive it from files; tests drive it from byte strings.

mod chain;
mod clock;
mod command;
pub mod dns;
mod ehlo;
mod enhanced;
pub mod imap;
mod line;
mod reply;
mod sasl;
mod tls_hello;
mod token;
mod transcript;

pub use chain::{ChainAssessment, EXPIRES_SOON_DAYS, assess_chain, name_matches, unix_from_rfc3339};
pub use clock::{
    CLOCK_ERROR_MS, CLOCK_WARNING_MS, ClockCheck, ClockLevel, ClockSource, SNTP_PACKET_LEN, SntpSample,
    clock_level, parse_http_date, parse_sntp_reply, sntp_request, sntp_server_reply,
};
pub use command::{Command, dot_stuff};
pub use ehlo::EhloCapabilities;
pub use enhanced::EnhancedCode;
pub use line::{Line, LineReader};
pub use reply::{MAX_LINE_LEN, MAX_REPLY_LINES, PeerBytes, Reply, ReplyError, ReplyParser, preview_bytes};
pub use sasl::{
    SaslMechanism, SaslStep, Secret, choose_mechanism, decode_challenge, empty_response, login_steps,
    oauthbearer_initial_response, plain_initial_response, xoauth2_initial_response,
};
pub use tls_hello::{HelloAnswer, TlsVersion, alert_name, client_hello, read_hello_answer};
pub use token::{
    CLOCK_LEEWAY_SECS, GOOGLE_MAIL_SCOPE, OUTLOOK_AUDIENCES, TokenClaims, TokenExpectations, TokenFormat,
    TokenInspection, TokenProblem, claims_from_map, decode_jwt_claims, inspect_token, problems_of,
};
pub use transcript::{
    CertificateInfo, CloseReason, ConnectFailure, Context, DeviceProfile, Endpoint, Event, EventKind,
    EvidenceSource, Protocol, ResolveFailure, Role, Security, SendMode, Stage, Step, TlsFailure, TlsSession,
    TlsVersionResult, Transcript, snake, summarize, tls_versions,
};
