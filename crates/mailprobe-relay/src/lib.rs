//! mailprobe relay: a small relay on the LAN that keeps printers, scanners and old applications
//! sending after their provider stops taking passwords or old TLS. Devices keep their settings
//! (plain SMTP, STARTTLS, implicit TLS, even TLS 1.0 on a listener that asks for it) and sign in
//! with per-device credentials or come from allowed addresses; the relay stores each message
//! durably before it says `250` (Postfix's contract, see [`spool`]), then delivers it upstream
//! over modern TLS, signing in with OAuth 2.0, and retries, bounces and explains with mailprobe's
//! knowledge base.

pub mod config;
pub mod spool;

pub use config::{ConfigError, RelayConfig};
pub use spool::{DeliveryState, Envelope, QueueId, QueuedMessage, Spool, SpoolError};
