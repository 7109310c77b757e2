//! Runs one scenario's simulator until it is killed, printing its ports and CA (for trying clients by hand).

use mailprobe_sim::{Scenario, Simulator};

#[tokio::main]
async fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "gmail-ok".into());
    let Some(scenario) = Scenario::from_name(&name) else {
        eprintln!("unknown scenario {name}; one of:");
        for s in Scenario::all() {
            eprintln!("  {s}  {}", s.description());
        }
        std::process::exit(2);
    };
    let sim = match Simulator::start(scenario).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    println!("scenario   {scenario}");
    println!("host       {}", sim.host_name());
    println!("submission {}", sim.submission_addr());
    println!("implicit   {}", sim.implicit_addr());
    print!("{}", sim.ca_pem());
    std::future::pending::<()>().await;
}
