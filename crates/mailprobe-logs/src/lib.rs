//! Parsers that turn what people and programs write about a mail session back into
//! [`Transcript`](mailprobe_proto::Transcript)s, the evidence the knowledge base diagnoses.
//!
//! Like `mailprobe-proto`, this crate does no I/O: no files, no sockets, no clock. Callers hand it
//! bytes and read back transcripts; the binary reads files and standard input, tests pass byte
//! strings. Hostile input costs bounded time and memory: what is read is capped and every
//! parser is linear in its input.
//!
//! - [`paste`]: turn text a person pastes into Transcripts — a server reply, a bare code
//!   (`535`, `5.7.60`, `4af4`), a 334 challenge, a client library's error message, a few log
//!   lines or a whole SMTP dialogue.
//!
//! ```
//! use mailprobe_logs::paste::{self, Options};
//! use mailprobe_proto::{EventKind, Stage};
//!
//! let pasted = paste::parse(
//!     b"smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. - gsmtp')",
//!     &Options::default(),
//! );
//! let event = &pasted.transcripts[0].events[0];
//! assert_eq!(event.stage, Stage::Auth);
//! assert!(matches!(&event.kind, EventKind::Received { reply } if reply.code == 535));
//! assert_eq!(pasted.understood[0].program.as_deref(), Some("python-smtplib"));
//! assert_eq!(pasted.hints.provider.as_deref(), Some("gmail"));
//! ```

pub mod analyze;
pub mod paste;

pub use paste::{EvidenceKind, Hints, Note, Options, Pasted, Understood};
