//! `mailprobe scan`: reads an inventory of devices and accounts and checks them all, with
//! bounded concurrency, into one report grouped by finding.
//!
//! - [`inventory`]: the CSV or TOML inventory, one target per row, checked with line and column.
//! - [`secret`]: each target's password or token, read from where the inventory says (an
//!   environment variable, a file, the OS keyring) only when the target is checked.
//! - [`runner`]: many checks at once, at most N in flight, each with its deadline.
//! - [`summary`]: what is kept of each target, and the findings grouped across targets.
//! - [`check`]: each target checked with `mailprobe-checks`, all sharing one environment.
//! - [`eac`]: the Exchange admin center's SMTP AUTH clients report (its CSV export), each account
//!   with `advise`'s recommendation.
//! - [`render`]: text, JSON, JSON lines and HTML.
//! - [`progress`]: the progress bar on a terminal.

pub mod check;
pub mod eac;
pub mod inventory;
pub mod progress;
pub mod render;
pub mod runner;
pub mod secret;
pub mod summary;
mod texts;

pub use check::{Finished, ScanOptions, ScanResults, scan};
pub use inventory::{COLUMNS, InventoryError, Position, SecretSource, Target};
pub use runner::{Outcome, run_bounded};
pub use secret::SecretError;
pub use summary::{Connection, Group, Status, Summary, SummaryBuilder, TargetFinding, TargetResult};
