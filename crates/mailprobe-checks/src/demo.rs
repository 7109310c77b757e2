//! The demo: starts the provider simulator on loopback, points the real probe at it as the
//! scenario's client is configured, and diagnoses it live. Nothing leaves the machine: the
//! simulator's host names are only used for TLS names and provider rules.

use mailprobe_net::TrustStore;
use mailprobe_proto::{SaslMechanism, Secret, SendMode};
use mailprobe_report::Report;
pub use mailprobe_sim::Scenario;
use mailprobe_sim::{PortKind, Simulator};

use crate::diagnose::{DiagnoseRequest, SecurityChoice, diagnose};
use crate::progress::StepUpdate;
use crate::{CheckEnv, CheckError, invalid};

/// The scenarios to run: the one named, or all.
pub fn scenarios(name: Option<&str>) -> Result<Vec<Scenario>, CheckError> {
    match name {
        None => Ok(Scenario::all().to_vec()),
        Some(name) => match Scenario::from_name(name) {
            Some(s) => Ok(vec![s]),
            None => {
                let names = Scenario::all().iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
                invalid(format!("unknown demo scenario {name:?}; scenarios: {names}"))
            }
        },
    }
}

/// The request the scenario's client amounts to, against this simulator.
fn request(scenario: Scenario, sim: &Simulator) -> DiagnoseRequest {
    let client = scenario.client();
    let mode = match client.mode {
        Some("direct-send") => Some(SendMode::DirectSend),
        Some("relay") => Some(SendMode::Relay),
        Some("submission") => Some(SendMode::Submission),
        _ => None,
    };
    let direct = matches!(mode, Some(SendMode::DirectSend | SendMode::Relay));
    let (port, security) = match client.port_kind {
        // Direct send and relay go to port 25, plaintext then STARTTLS.
        PortKind::Submission if direct => (25, SecurityChoice::Starttls),
        PortKind::Submission => (587, SecurityChoice::Starttls),
        PortKind::Implicit => (465, SecurityChoice::Tls),
    };
    DiagnoseRequest {
        host: Some(sim.host_name().to_owned()),
        port: Some(port),
        security,
        connect_to: vec![sim.addr(client.port_kind)],
        user: client.user.clone(),
        password: client.password.as_deref().map(Secret::new),
        token: client.token.as_deref().map(Secret::new),
        auth: match client.auth {
            Some("xoauth2") => Some(SaslMechanism::XOAuth2),
            _ => None,
        },
        from: Some(client.from.clone()),
        to: Some(client.to.clone()),
        mode,
        client_tls_max: client.client_tls_max.and_then(|v| v.parse().ok()),
        ..DiagnoseRequest::default()
    }
}

/// Runs one scenario against a fresh simulator (trusting only its CA; `env`'s timeout,
/// resolver and language) and returns its report, steps told to `observer` as they happen.
pub async fn run_scenario(
    scenario: Scenario,
    env: &CheckEnv,
    observer: &mut (dyn FnMut(StepUpdate) + Send),
) -> Result<Report, CheckError> {
    let sim = Simulator::start(scenario)
        .await
        .map_err(|e| CheckError::Invalid(format!("cannot start the simulator for {scenario}: {e}")))?;
    let request = request(scenario, &sim);
    let env = CheckEnv { trust: TrustStore::from_pem(sim.ca_pem().as_bytes())?, ..env.clone() };
    let report = diagnose(&request, &env, observer).await;
    sim.shutdown();
    let mut report = report?;
    report.scenario = Some(scenario.name().to_owned());
    Ok(report)
}
