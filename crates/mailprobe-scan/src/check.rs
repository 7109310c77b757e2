//! Checking the targets: each target's secrets read, its request built, `mailprobe-checks`'s
//! `diagnose` run with the environment every target shares (one trust store, one language, the
//! knowledge base compiled once), at most N at once; each result handed back as it finishes,
//! then kept in its small form.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mailprobe_checks::{CheckEnv, CheckError, DiagnoseRequest, SecurityChoice, diagnose};
use mailprobe_proto::{Role, Secret, Security};
use mailprobe_report::Report;

use crate::inventory::Target;
use crate::runner::{Outcome, run_bounded};
use crate::secret;
use crate::summary::{Connection, Summary, SummaryBuilder, TargetResult};
use crate::texts;

/// How a scan runs.
#[derive(Clone, Copy, Debug)]
pub struct ScanOptions {
    /// Targets checked at once.
    pub concurrency: usize,
    /// The most one target's whole check may take (each network step also has its own limit).
    pub deadline: Duration,
}

impl ScanOptions {
    /// The default concurrency: enough to hide network round trips on a small machine without
    /// looking like an attack to a provider's rate limits.
    pub const DEFAULT_CONCURRENCY: u16 = 32;

    /// The default deadline for a target whose every step may take `step_timeout`: a full
    /// session is about a dozen steps, plus the confirming probes.
    pub fn default_deadline(step_timeout: Duration) -> Duration {
        step_timeout.saturating_mul(12)
    }
}

/// A finished target as the caller sees it first: its small result and, when it was checked,
/// its whole report (for JSON lines); the report is dropped after the call.
#[derive(Debug)]
pub struct Finished<'a> {
    /// The target's position in the inventory.
    pub index: usize,
    /// What the scan keeps of it.
    pub result: &'a TargetResult,
    /// The whole report, when the check ran.
    pub report: Option<&'a Report>,
}

/// The scan's results: every target's, in inventory order, and the summary.
#[derive(Debug)]
pub struct ScanResults {
    /// The summary grouped by finding.
    pub summary: Summary,
    /// Each target's result, in inventory order.
    pub targets: Vec<TargetResult>,
}

/// Checks every target, at most `options.concurrency` at once, calling `on_finished` as each
/// finishes (on the caller's task). Must run inside a tokio runtime; on a multi-threaded one,
/// the checks use all its threads.
pub async fn scan(
    targets: Vec<Target>,
    env: Arc<CheckEnv>,
    options: ScanOptions,
    mut on_finished: impl FnMut(Finished<'_>),
) -> ScanResults {
    let started = Instant::now();
    let total = targets.len();
    // kept apart from the targets, which move into their tasks: a target stopped at its deadline
    // still has a name and a server in the report
    let labels: Vec<(String, String)> = targets.iter().map(|t| (t.name.clone(), planned_server(t))).collect();
    let mut results: Vec<Option<TargetResult>> = vec![None; total];
    let mut builder = SummaryBuilder::new(total);
    let lang = env.lang;
    run_bounded(
        targets,
        options.concurrency,
        options.deadline,
        |target| {
            let env = env.clone();
            async move { check_one(target, &env).await }
        },
        |index, outcome| {
            let (name, server) = labels[index].clone();
            let (result, report) = match outcome {
                Outcome::Done(done) => done,
                Outcome::TimedOut(d) => {
                    (TargetResult::not_checked(name, server, texts::timed_out(lang, d), ms(d)), None)
                }
                Outcome::Crashed => (TargetResult::not_checked(name, server, texts::crashed(lang), 0), None),
            };
            let findings = report.as_ref().map_or(&[][..], |r| &r.findings[..]);
            builder.add(index, &result, findings);
            on_finished(Finished { index, result: &result, report: report.as_ref() });
            results[index] = Some(result);
        },
    )
    .await;
    let targets = results
        .into_iter()
        .zip(labels)
        .map(|(r, (name, server))| {
            // every index is reported once by the runner; this is only a guard
            r.unwrap_or_else(|| TargetResult::not_checked(name, server, texts::crashed(lang), 0))
        })
        .collect();
    ScanResults { summary: builder.finish(ms(started.elapsed())), targets }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Checks one target: its secrets, its request, the diagnosis.
async fn check_one(target: Target, env: &CheckEnv) -> (TargetResult, Option<Report>) {
    let started = Instant::now();
    let server = planned_server(&target);
    let not_checked = |name: String, why: String| {
        (TargetResult::not_checked(name, server.clone(), why, ms(started.elapsed())), None)
    };
    let password = match read_secret(&target.password_from, "password").await {
        Ok(p) => p,
        Err(why) => return not_checked(target.name, why),
    };
    let token = match read_secret(&target.token_from, "token").await {
        Ok(t) => t,
        Err(why) => return not_checked(target.name, why),
    };
    let request = request(&target, password, token);
    let report = match diagnose(&request, env, &mut |_| {}).await {
        Ok(report) => report,
        Err(CheckError::Invalid(why)) => return not_checked(target.name, why),
        Err(e) => return not_checked(target.name, e.to_string()),
    };
    let c = &report.context;
    let security = c.security.map_or_else(String::new, |s| format!(" {}", security_name(s)));
    let server = format!("{}:{}{security}", c.host, c.port);
    let connections = report
        .transcripts
        .iter()
        .filter(|t| t.transcript.role != Role::TlsScan)
        .map(|t| Connection {
            label: mailprobe_report::html::connection_label(&t.transcript, env.lang),
            steps: t.steps.clone(),
        })
        .collect();
    let result = TargetResult::checked(
        target.name,
        server,
        report.ok,
        &report.findings,
        connections,
        ms(started.elapsed()),
    );
    (result, Some(report))
}

async fn read_secret(
    source: &Option<crate::SecretSource>,
    what: &'static str,
) -> Result<Option<Secret>, String> {
    match source {
        Some(s) => secret::read(s, what).await.map(Some).map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

/// The request a target amounts to.
pub fn request(target: &Target, password: Option<Secret>, token: Option<Secret>) -> DiagnoseRequest {
    DiagnoseRequest {
        provider: target.provider.clone(),
        host: target.host.clone(),
        port: target.port,
        security: match target.security {
            None => SecurityChoice::Auto,
            Some(Security::Starttls) => SecurityChoice::Starttls,
            Some(Security::Tls) => SecurityChoice::Tls,
            Some(Security::None) => SecurityChoice::None,
        },
        connect_to: target.connect_to.clone(),
        user: target.user.clone(),
        password,
        token,
        auth: target.auth.clone(),
        from: target.from.clone(),
        to: target.to.clone(),
        mode: target.mode,
        client_tls_max: target.tls_max,
        ..DiagnoseRequest::default()
    }
}

/// The server as the inventory names it, before the check settles the defaults.
fn planned_server(t: &Target) -> String {
    let host = t.host.as_deref().or(t.provider.as_deref()).unwrap_or("?");
    match t.port {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

fn security_name(s: Security) -> &'static str {
    match s {
        Security::Starttls => "starttls",
        Security::Tls => "tls",
        Security::None => "none",
    }
}
