//! `mailprobe demo`: starts the provider simulator on loopback, points the real probe at it as
//! the scenario's client is configured, and diagnoses each scenario live. Nothing leaves the
//! machine: the simulator's host names are only used for TLS names and provider rules.

use anyhow::{Context as _, Result, bail};
use mailprobe_kb::Lang;
use mailprobe_net::TrustStore;
use mailprobe_proto::Secret;
use mailprobe_sim::{PortKind, Scenario, Simulator};

use crate::cli::{AuthArg, DemoArgs, DiagnoseArgs, GlobalArgs, ModeArg, SecurityArg};
use crate::diagnose::{self, Secrets};
use crate::report::Report;

/// The scenarios to run: one by name, or all.
pub fn scenarios(args: &DemoArgs) -> Result<Vec<Scenario>> {
    match &args.scenario {
        None => Ok(Scenario::all().to_vec()),
        Some(name) => match Scenario::from_name(name) {
            Some(s) => Ok(vec![s]),
            None => {
                let names = Scenario::all().iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
                bail!("unknown demo scenario {name:?}; scenarios: {names}")
            }
        },
    }
}

/// The diagnose flags the scenario's client amounts to.
fn diagnose_args(scenario: Scenario, sim: &Simulator) -> DiagnoseArgs {
    let client = scenario.client();
    let mode = match client.mode {
        Some("direct-send") => Some(ModeArg::DirectSend),
        Some("relay") => Some(ModeArg::Relay),
        Some("submission") => Some(ModeArg::Submission),
        _ => None,
    };
    let direct = matches!(mode, Some(ModeArg::DirectSend | ModeArg::Relay));
    let (port, security) = match client.port_kind {
        // Direct send and relay go to port 25, plaintext then STARTTLS.
        PortKind::Submission if direct => (25, SecurityArg::Starttls),
        PortKind::Submission => (587, SecurityArg::Starttls),
        PortKind::Implicit => (465, SecurityArg::Tls),
    };
    DiagnoseArgs {
        address: None,
        autoconfig_http_port: None,
        provider: "auto".into(),
        host: Some(sim.host_name().to_owned()),
        port: Some(port),
        security,
        connect_to: vec![sim.addr(client.port_kind)],
        user: client.user.clone(),
        password_env: None,
        password_file: None,
        password_stdin: false,
        token_env: None,
        token_file: None,
        auth: match client.auth {
            Some("xoauth2") => AuthArg::Xoauth2,
            _ => AuthArg::Auto,
        },
        from: Some(client.from.clone()),
        to: Some(client.to.clone()),
        send: false,
        imap: None,
        imap_security: SecurityArg::Auto,
        mode,
        ca_file: None,
        client_tls_max: client.client_tls_max.map(str::to_owned),
        tls_scan: false,
        ehlo: None,
        ntp_server: None,
        check_clock: false,
    }
}

/// Runs one scenario against a fresh simulator and returns its report.
pub async fn run_scenario(scenario: Scenario, global: &GlobalArgs, lang: Lang) -> Result<Report> {
    let sim = Simulator::start(scenario)
        .await
        .with_context(|| format!("cannot start the simulator for {scenario}"))?;
    let client = scenario.client();
    let args = diagnose_args(scenario, &sim);
    let secrets = Secrets {
        password: client.password.as_deref().map(Secret::new),
        token: client.token.as_deref().map(Secret::new),
        sign_in: None,
    };
    let (plan, context) = diagnose::plan(&args, secrets, None)?;
    let trust = TrustStore::from_pem(sim.ca_pem().as_bytes())?;
    let env = diagnose::probe_env(global, trust)?;
    let mut report = diagnose::run(&env, &plan, context, lang).await;
    report.scenario = Some(scenario.name().to_owned());
    sim.shutdown();
    Ok(report)
}

/// `mailprobe demo --format json`: every scenario's report, and all findings together so the
/// document keeps the `findings` key every JSON output has.
#[derive(Debug, serde::Serialize)]
pub struct DemoDocument {
    /// What made it.
    pub tool: crate::report::Tool,
    /// One report per scenario.
    pub scenarios: Vec<Report>,
    /// Every scenario's findings, in scenario order.
    pub findings: Vec<mailprobe_kb::Finding>,
}

impl DemoDocument {
    /// Collects the reports.
    pub fn new(scenarios: Vec<Report>) -> Self {
        let findings = scenarios.iter().flat_map(|r| r.findings.iter().cloned()).collect();
        Self { tool: crate::report::Tool::this(), scenarios, findings }
    }
}
