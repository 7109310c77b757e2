//! The provider simulator on a tokio runtime of its own, serving while a test drives the real
//! binary, with its CA written to a file for `--ca-file`.
#![allow(dead_code)]

use std::path::PathBuf;

use mailprobe_sim::{Scenario, Simulator};

/// A running simulator and the file holding its CA (removed on drop).
pub struct Sim {
    /// The simulator.
    pub sim: Simulator,
    /// Its CA, PEM.
    pub ca_file: PathBuf,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    /// Starts `scenario` on two fresh loopback ports.
    pub fn start(scenario: Scenario) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let sim = runtime.block_on(Simulator::start(scenario)).expect("start the simulator");
        let ca_file = std::env::temp_dir().join(format!(
            "mailprobe-sim-ca-{}-{}.pem",
            std::process::id(),
            sim.submission_addr().port()
        ));
        std::fs::write(&ca_file, sim.ca_pem()).expect("write the CA");
        Sim { sim, ca_file, _runtime: runtime }
    }

    /// `--host HOST`, `--connect-to` the STARTTLS listener, `--ca-file` the simulator's CA and a
    /// 5 s timeout: the flags that point a check at this simulator as `host`.
    pub fn flags_as(&self, host: &str) -> Vec<String> {
        let connect = self.sim.submission_addr().to_string();
        let ca = self.ca_file.display().to_string();
        ["--host", host, "--connect-to", &connect, "--ca-file", &ca, "--timeout", "5"]
            .map(String::from)
            .to_vec()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}
