//! Serves every provider-simulator scenario on loopback for `scripts/bench scan`, until its
//! standard input ends: writes `DIR/sims.tsv` (scenario, STARTTLS listener, implicit-TLS
//! listener) and `DIR/sims-ca.pem` (every simulator's CA), then says `ready` on stdout.
//!
//! `cargo run --release -p mailprobe-scan --example sim-fleet -- DIR`

use std::io::{BufRead as _, Write as _};
use std::time::Duration;

use mailprobe_sim::{Scenario, SimOptions, Simulator};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: sim-fleet DIR")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    // a scan keeps up to --concurrency sessions open at one simulator
    let options = SimOptions { idle_timeout: Duration::from_secs(30), max_connections: 4096 };
    let sims = runtime.block_on(async {
        let mut sims = Vec::new();
        for scenario in Scenario::all() {
            sims.push(Simulator::start_with(*scenario, options).await?);
        }
        Ok::<_, mailprobe_sim::SimError>(sims)
    })?;
    let mut table = String::new();
    let mut cas = String::new();
    for sim in &sims {
        table.push_str(&format!("{}\t{}\t{}\n", sim.scenario(), sim.submission_addr(), sim.implicit_addr()));
        cas.push_str(sim.ca_pem());
    }
    std::fs::write(format!("{dir}/sims.tsv"), table)?;
    std::fs::write(format!("{dir}/sims-ca.pem"), cas)?;
    println!("ready");
    std::io::stdout().flush()?;
    // serve until the script closes our standard input
    for line in std::io::stdin().lock().lines() {
        line?;
    }
    drop(sims);
    Ok(())
}
