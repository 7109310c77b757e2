//! Why `mailprobe serve` could not start or stopped.

use std::net::SocketAddr;

/// An error of the web server itself (a check's own failure is a result, not this).
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A non-loopback address was asked for without `allow_remote`.
    #[error(
        "{0} is not a loopback address: anyone who can reach it could use this page; \
         pass --allow-remote to listen there anyway"
    )]
    RemoteNotAllowed(SocketAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The OS random number generator failed (no secret, no server).
    #[error("cannot read the operating system's random number generator: {0}")]
    Random(String),
    /// The server stopped on an I/O error.
    #[error("the web server stopped: {0}")]
    Serve(std::io::Error),
}
