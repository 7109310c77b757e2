//! mailprobe relay: a small relay on the LAN that keeps printers, scanners and old applications
//! sending after their provider stops taking passwords or old TLS. Devices keep their settings
//! (plain SMTP, STARTTLS, implicit TLS, even TLS 1.0 on a listener that asks for it) and sign in
//! with per-device credentials or come from allowed addresses; the relay stores each message
//! durably before it says `250` (Postfix's contract, see [`spool`]), then delivers it upstream
//! over modern TLS, signing in with OAuth 2.0, and retries, bounces and explains with mailprobe's
//! knowledge base.

pub mod arrivals;
pub mod config;
pub mod device;
pub mod diagnosis;
pub mod dsn;
pub mod oauth;
pub mod queue;
pub mod runner;
pub mod spool;
pub mod upstream;
mod window;

pub use arrivals::Arrivals;
pub use config::{ConfigError, RelayConfig};
pub use device::{MailLog, NewDevice, Relay, RelayError, ServeOptions, ServeSummary, add_device};
pub use oauth::TokenSource;
pub use queue::{Queue, QueueEntry};
pub use runner::{Log, PassSummary, Runner, RunnerError, StderrLog};
pub use spool::{DeliveryState, Draft, Envelope, MessageReader, QueueId, QueuedMessage, Spool, SpoolError};
