//! `mailprobe serve`: the checks as a local web page (the `mailprobe-web` crate). This module
//! reads the flags, prints the address with its per-run token, opens the browser, and serves
//! until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use mailprobe_net::TrustStore;
use mailprobe_web::{CheckEnv, Checks, ServeOptions};

use crate::cli::GlobalArgs;

/// `mailprobe serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen; port 0 picks a free port. A non-loopback address needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Listen on a non-loopback --listen address: anyone who can reach it and has the printed
    /// address can then run checks from this machine.
    #[arg(long)]
    pub allow_remote: bool,
    /// Print the address only; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Also trust the CA certificates in this PEM file, for every check (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Vec<PathBuf>,
}

/// Serves the page until Ctrl-C or SIGTERM.
pub async fn run(args: &ServeArgs, global: &GlobalArgs) -> Result<u8> {
    let mut trust = TrustStore::system();
    for file in &args.ca_file {
        trust = trust.with_ca_file(file)?;
    }
    let env = CheckEnv {
        timeout: Duration::from_secs_f64(global.timeout),
        dns_server: global.dns_server,
        trust,
        ..CheckEnv::new(crate::lang(global))
    };
    let options =
        ServeOptions { listen: args.listen, allow_remote: args.allow_remote, checks: Checks { env } };
    let server = mailprobe_web::bind(options).await?;
    let url = server.url();
    if !server.local_addr().ip().is_loopback() {
        eprintln!(
            "mailprobe serve: WARNING: listening on {}, not only on this computer: anyone who can reach \
             it and learns the address below can run checks from here",
            server.local_addr()
        );
    }
    println!("mailprobe serve: open {url}");
    println!("mailprobe serve: press Ctrl-C to stop");
    if !args.no_browser && !open_browser(&url) {
        println!("mailprobe serve: no browser could be opened; copy the address above into one");
    }
    server.serve(stop_signal()).await?;
    Ok(0)
}

/// Asks the desktop to open `url` in the default browser; false when there is no way to.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        // `start`'s first quoted argument is a window title
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    let child = command.arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    match child {
        Ok(mut child) => {
            // reaped on a thread of its own: a browser launcher may take a while to return
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

/// Completes on Ctrl-C, or on SIGTERM where there is one.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
