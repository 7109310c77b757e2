//! The device side: everything from a device's TCP connection to its message on disk and its
//! `250`. Listeners (plain, STARTTLS, implicit TLS; TLS 1.0/1.1 through OpenSSL only where a
//! listener asks), the SMTP dialogue, device logins and policy, and the durable store.
//!
//! No open relay: a device either signs in (AUTH PLAIN or LOGIN, checked against its argon2
//! hash) or comes from an address range configured for a device without a password; anyone
//! else gets `554` at connect (no device could match the address) or `530` at MAIL FROM, and
//! nothing is queued.

mod command;
mod data;
mod enroll;
mod log;
mod policy;
mod server;
mod session;
mod tls;

pub use enroll::{EnrollError, NewDevice, PASSWORD_ALPHABET, PASSWORD_LENGTH, add_device};
pub use log::{MailLog, PROGRAM};
pub use policy::{LoginLimits, Policy, PolicyError, Secret};
pub use server::{Relay, RelayError, ServeOptions, ServeSummary};
pub use session::{
    Action, ListenerMode, LoginRequest, MAX_LINE, Session, StoreFailure, StoreRequest, TlsInfo,
};
pub use tls::{Acceptor, DeviceStream, TlsSetupError};
