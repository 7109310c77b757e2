//! The handlers that run checks: each turns the page's request into `mailprobe-checks`' typed
//! request, runs it, and answers with the report as JSON, Markdown and HTML (rendered by
//! `mailprobe-report`, the renderers the command line uses too).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use mailprobe_checks::advise::AdviseRequest;
use mailprobe_checks::dns::DnsRequest;
use mailprobe_checks::{
    CheckEnv, CheckError, DiagnoseRequest, ExplainRequest, SecurityChoice, StepState, StepUpdate,
};
use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_proto::{Context, Secret, SendMode, TlsVersion, Transcript};
use mailprobe_report::Report;
use mailprobe_report::html::{self, HtmlReport};
use mailprobe_report::markdown::MarkdownReport;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use crate::api::{PRESETS, bad_request, could_not_run, lang_of, ndjson};
use crate::steps::{self, ConnectionView, StepView};

/// What every check of this server shares: the checks library's environment (trust roots,
/// DNS server, step timeout); each request sets its own language.
#[derive(Clone, Debug)]
pub struct Checks {
    /// The environment every request starts from.
    pub env: CheckEnv,
}

impl Checks {
    fn env(&self, lang: Lang) -> CheckEnv {
        CheckEnv { lang, ..self.env.clone() }
    }
}

/// A finished report as the page gets it: the report, its Markdown and HTML (a fragment for
/// the page, a whole document to download).
pub(crate) fn answer<R: Serialize + HtmlReport + MarkdownReport>(report: &R, lang: Lang) -> Value {
    json!({
        "report": report,
        "markdown": report.markdown(lang),
        "html": html::fragment(report, lang),
        "document": html::document(report, lang),
    })
}

/// The answer for a diagnose report: [`answer`] plus its connections' steps (with their
/// transcript lines) and the TLS section.
pub(crate) fn diagnose_answer(report: &Report, lang: Lang) -> Value {
    let mut value = answer(report, lang);
    let connections: Vec<ConnectionView> = report
        .transcripts
        .iter()
        .enumerate()
        .filter(|(_, t)| steps::shown(&t.transcript))
        .map(|(i, t)| steps::view(i as u64, &t.transcript, true, lang))
        .collect();
    value["type"] = json!("report");
    value["connections"] = json!(connections);
    value["tls"] = json!(report.tls);
    value
}

fn check_error(e: &CheckError) -> Response {
    match e {
        CheckError::Invalid(message) => bad_request(message.clone()),
        CheckError::Setup(e) => could_not_run(e.to_string()),
    }
}

// ------------------------------------------------------------------ the mailbox test

/// The mailbox form as the page posts it. Its `Debug` never shows the password.
#[derive(Deserialize)]
pub(crate) struct MailboxForm {
    preset: String,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    security: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    use_token: bool,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    imap: bool,
    /// The IMAP server, `HOST` or `HOST:PORT` (port 993 when not given); empty: the preset's,
    /// or the SMTP server on 993.
    #[serde(default)]
    imap_server: Option<String>,
    #[serde(default)]
    tls_scan: bool,
    #[serde(default)]
    old_tls: bool,
    #[serde(default)]
    connect_to: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

impl std::fmt::Debug for MailboxForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxForm")
            .field("preset", &self.preset)
            .field("host", &self.host)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

fn security_choice(s: Option<&str>) -> Result<SecurityChoice, String> {
    Ok(match s.unwrap_or("auto") {
        "auto" | "" => SecurityChoice::Auto,
        "starttls" => SecurityChoice::Starttls,
        "tls" => SecurityChoice::Tls,
        "none" => SecurityChoice::None,
        other => return Err(format!("unknown encryption {other:?}: auto, starttls, tls or none")),
    })
}

/// Trims a text field; empty is absent.
fn given(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The IMAP server typed into the form as the checks library's `HOST:PORT`: a name or address
/// without a port gets 993 (IMAP over TLS), an IPv6 address its brackets.
fn imap_spec(server: String) -> String {
    let has_port = |s: &str| {
        s.rsplit_once(':').is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    if server.starts_with('[') {
        if server.ends_with(']') { format!("{server}:993") } else { server }
    } else if server.matches(':').count() > 1 {
        format!("[{server}]:993")
    } else if has_port(&server) {
        server
    } else {
        format!("{server}:993")
    }
}

/// The checks library's request for a mailbox form. The password moves into the request (and
/// is dropped with it when the run ends).
fn mailbox_request(form: MailboxForm) -> Result<DiagnoseRequest, String> {
    let Some(&(_, provider, mode)) = PRESETS.iter().find(|(id, _, _)| *id == form.preset) else {
        return Err(format!("unknown preset {:?}", form.preset));
    };
    let direct = matches!(mode, Some(SendMode::DirectSend | SendMode::Relay));
    let from = given(form.from);
    let mut host = given(form.host);
    if host.is_none() && direct {
        // Direct send and relay go to the tenant's MX endpoint, named after the sender's domain.
        let domain = from.as_deref().and_then(|f| f.rsplit_once('@')).map(|(_, d)| d);
        match domain {
            Some(d) => host = Some(mailprobe_kb::tenant_mx(d)),
            None => return Err("direct send and relay need the sender's address (from) or the server".into()),
        }
    }
    if provider == "auto" && host.is_none() {
        return Err("which server? fill in the server's name".into());
    }
    let connect_to = match given(form.connect_to) {
        Some(spec) => match spec.parse() {
            Ok(addr) => vec![addr],
            Err(_) => return Err(format!("{spec:?} is not ADDRESS:PORT (192.0.2.1:587, [2001:db8::1]:587)")),
        },
        None => Vec::new(),
    };
    let user = given(form.user).filter(|_| !direct);
    // A password typed for a mode that does not sign in goes nowhere.
    let password = form.password.filter(|p| !p.is_empty() && !direct && !form.use_token).map(Secret::new);
    Ok(DiagnoseRequest {
        provider: (provider != "auto").then(|| provider.to_owned()),
        host,
        port: form.port,
        security: security_choice(form.security.as_deref())?,
        connect_to,
        user,
        password,
        from,
        to: given(form.to),
        imap: form.imap.then(|| given(form.imap_server).map(imap_spec).unwrap_or_default()),
        mode,
        client_tls_max: form.old_tls.then_some(TlsVersion::Tls10),
        tls_scan: form.tls_scan,
        ..DiagnoseRequest::default()
    })
}

/// The streamed connections: each update redraws its connection's steps.
#[derive(Default)]
struct Streamed {
    connections: HashMap<u64, ConnectionView>,
}

impl Streamed {
    fn update(&mut self, u: StepUpdate) -> Option<&ConnectionView> {
        if u.role == mailprobe_proto::Role::TlsScan {
            return None;
        }
        let view = self.connections.entry(u.probe).or_insert_with(|| ConnectionView {
            probe: u.probe,
            title: u.connection.clone(),
            steps: Vec::new(),
        });
        if let (Some(step), true) = (u.step, u.state != StepState::Connecting) {
            let sentence = if step.summary.is_empty() {
                u.name.clone()
            } else {
                format!("{}: {}", u.name, step.summary)
            };
            let shown = StepView {
                stage: step.stage.as_str(),
                sentence,
                ok: step.ok,
                running: u.state == StepState::Running,
                duration_ms: step.duration_ms,
                lines: Vec::new(),
            };
            match view.steps.get_mut(u.index) {
                Some(slot) => *slot = shown,
                None => view.steps.push(shown),
            }
        }
        Some(view)
    }
}

/// Runs a diagnose request on a task of its own, streaming each step and then the report.
fn stream_diagnose(
    checks: Arc<Checks>,
    request: DiagnoseRequest,
    lang: Lang,
    extra: impl FnOnce(&Report) -> Value + Send + 'static,
) -> Response {
    let (tx, response) = ndjson();
    tokio::spawn(async move {
        let env = checks.env(lang);
        let mut streamed = Streamed::default();
        let progress = tx.clone();
        let mut observer = move |u: StepUpdate| {
            if let Some(view) = streamed.update(u) {
                let mut line = json!(view);
                line["type"] = json!("progress");
                let _ = progress.send(line);
            }
        };
        let result = mailprobe_checks::diagnose(&request, &env, &mut observer).await;
        // The password goes with the request, now.
        drop(request);
        send_result(&tx, result, lang, extra);
    });
    response
}

fn send_result(
    tx: &UnboundedSender<Value>,
    result: Result<Report, CheckError>,
    lang: Lang,
    extra: impl FnOnce(&Report) -> Value,
) {
    let line = match result {
        Ok(report) => {
            let mut value = diagnose_answer(&report, lang);
            if let (Some(map), Value::Object(more)) = (value.as_object_mut(), extra(&report)) {
                map.extend(more);
            }
            value
        }
        Err(e) => json!({ "type": "error", "message": e.to_string() }),
    };
    let _ = tx.send(line);
}

/// `POST /api/diagnose`: the mailbox test, streamed.
pub(crate) async fn diagnose(State(checks): State<Arc<Checks>>, Json(form): Json<MailboxForm>) -> Response {
    let lang = lang_of(form.lang.as_deref());
    let use_token = form.use_token;
    let mut request = match mailbox_request(form) {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    if use_token && let Some(signed_in) = crate::signin::current() {
        // signed in on this page: the token from this run's memory
        if request.user.is_none() {
            request.user = signed_in.user;
        }
        request.token = Some(signed_in.token);
        request.sign_in = Some(signed_in.sign_in);
        request.auth = Some(mailprobe_proto::SaslMechanism::XOAuth2);
    } else if use_token {
        let store = match mailprobe_oauth::Store::open() {
            Ok(s) => s,
            Err(e) => return could_not_run(e.to_string()),
        };
        let timeout = checks.env.timeout.max(std::time::Duration::from_secs(1));
        match mailprobe_oauth::stored_access_token(&store, None, timeout, None).await {
            Ok(stored) => {
                request.token = Some(stored.token);
                request.sign_in = Some(stored.use_);
                request.auth = Some(mailprobe_proto::SaslMechanism::XOAuth2);
            }
            Err(e) => return could_not_run(e.to_string()),
        }
    }
    stream_diagnose(checks, request, lang, |_| json!({}))
}

/// `POST /api/relocalize`: a diagnose report's findings again, in another language. Diagnosis is
/// pure, so the evidence already gathered is enough: nothing is probed again and no password is
/// needed.
#[derive(Debug, Deserialize)]
pub(crate) struct Relocalize {
    report: SavedReport,
    #[serde(default)]
    lang: Option<String>,
}

/// The parts of a report's JSON that diagnosis reads.
#[derive(Debug, Deserialize)]
struct SavedReport {
    context: Context,
    transcripts: Vec<Transcript>,
}

pub(crate) async fn relocalize(Json(request): Json<Relocalize>) -> Response {
    let lang = lang_of(request.lang.as_deref());
    let SavedReport { context, transcripts } = request.report;
    let findings = KnowledgeBase::builtin().diagnose(&context, &transcripts, lang);
    let report = Report::new(context, transcripts, findings);
    Json(diagnose_answer(&report, lang)).into_response()
}

// ------------------------------------------------------------------ explain

/// The paste box.
#[derive(Debug, Deserialize)]
pub(crate) struct ExplainForm {
    text: String,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /api/explain`.
pub(crate) async fn explain(State(checks): State<Arc<Checks>>, Json(form): Json<ExplainForm>) -> Response {
    let lang = lang_of(form.lang.as_deref());
    let request = ExplainRequest { text: form.text.into_bytes(), provider: None, stage: None };
    match mailprobe_checks::explain(&request, &checks.env(lang)) {
        Ok(report) => {
            let mut value = answer(&report, lang);
            value["understood"] = json!(report.understood());
            value["notes"] = json!(report.notes());
            value["no_findings"] = json!(report.no_findings_sentence());
            Json(value).into_response()
        }
        Err(e) => check_error(&e),
    }
}

// ------------------------------------------------------------------ dns and advise

/// The DNS form.
#[derive(Debug, Deserialize)]
pub(crate) struct DnsForm {
    domain: String,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// An IP address typed into a form; empty is none.
fn ip_field(ip: Option<String>) -> Result<Option<std::net::IpAddr>, String> {
    match given(ip) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| format!("{text:?} is not an IP address")),
    }
}

/// `POST /api/dns`: MX and provider, SPF for the IP, DMARC, blocklists, reverse DNS.
pub(crate) async fn dns(State(checks): State<Arc<Checks>>, Json(form): Json<DnsForm>) -> Response {
    let lang = lang_of(form.lang.as_deref());
    let ip = match ip_field(form.ip) {
        Ok(ip) => ip,
        Err(message) => return bad_request(message),
    };
    let request = DnsRequest { domain: form.domain, ip, ..DnsRequest::default() };
    match mailprobe_checks::dns::dns(&request, &checks.env(lang)).await {
        Ok(report) => Json(answer(&report, lang)).into_response(),
        Err(e) => check_error(&e),
    }
}

/// The Advise form: `yes`, `no` or nothing for each question.
#[derive(Debug, Deserialize)]
pub(crate) struct AdviseForm {
    #[serde(default)]
    tls: Option<String>,
    #[serde(default)]
    can_login: Option<String>,
    #[serde(default)]
    external: Option<String>,
    #[serde(default)]
    static_ip: Option<String>,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

fn yes_no(answer: Option<String>) -> Result<Option<bool>, String> {
    match given(answer).as_deref() {
        None => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(other) => Err(format!("{other:?}: answer yes or no")),
    }
}

/// `POST /api/advise`: which Microsoft 365 mode a device should use, with its settings.
pub(crate) async fn advise(State(checks): State<Arc<Checks>>, Json(form): Json<AdviseForm>) -> Response {
    let lang = lang_of(form.lang.as_deref());
    let request = (|| -> Result<AdviseRequest, String> {
        Ok(AdviseRequest {
            tls: given(form.tls).unwrap_or_else(|| "1.2".into()),
            can_login: yes_no(form.can_login)?,
            external: yes_no(form.external)?,
            static_ip: yes_no(form.static_ip)?,
            domain: given(form.domain),
            ip: ip_field(form.ip)?,
            ..AdviseRequest::default()
        })
    })();
    let request = match request {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    match mailprobe_checks::advise::advise(&request, &checks.env(lang)).await {
        Ok(advice) => Json(answer(&advice, lang)).into_response(),
        Err(e) => check_error(&e),
    }
}

// ------------------------------------------------------------------ the guide

/// The guide form: a playbook, the person's address, and what its checks ask. Its `Debug` never
/// shows the password.
#[derive(Deserialize)]
pub(crate) struct GuideForm {
    playbook: String,
    address: String,
    #[serde(default)]
    password: Option<String>,
    /// The device speaks at most TLS 1.0 or 1.1 (asked when the playbook says so).
    #[serde(default)]
    old_tls: bool,
    /// An address outside the organisation to test delivery to (asked when the playbook says so).
    #[serde(default)]
    outside: Option<String>,
    /// Connect the SMTP check to this address instead (ADDRESS:PORT).
    #[serde(default)]
    connect_to: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

impl std::fmt::Debug for GuideForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuideForm")
            .field("playbook", &self.playbook)
            .field("address", &self.address)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

fn security_of(s: mailprobe_proto::Security) -> SecurityChoice {
    match s {
        mailprobe_proto::Security::Starttls => SecurityChoice::Starttls,
        mailprobe_proto::Security::Tls => SecurityChoice::Tls,
        mailprobe_proto::Security::None => SecurityChoice::None,
    }
}

/// The playbook's automated checks as a diagnose request, as `mailprobe guide` runs them:
/// its servers, a sign-in with the address when it has one and a password was given (else
/// the connection and encryption only), the old-TLS client check when the device needs it.
fn guide_request(p: &mailprobe_kb::Playbook, form: GuideForm) -> Result<DiagnoseRequest, String> {
    let address = form.address.trim().to_owned();
    mailprobe_checks::diagnose::address_domain(&address).map_err(|e| e.to_string())?;
    let check = &p.check;
    let host = check.smtp.host_for(Some(&address)).ok_or("the playbook names no server")?;
    let imap = check.imap.as_ref().and_then(|t| t.host_for(Some(&address)).map(|h| (h, t.port, t.security)));
    let password = form.password.filter(|p| !p.is_empty() && check.sign_in).map(Secret::new);
    let signs_in = password.is_some();
    let envelope = signs_in || p.mode.is_some_and(|m| m != SendMode::Submission);
    let connect_to = match given(form.connect_to) {
        Some(spec) => vec![spec.parse().map_err(|_| format!("{spec:?} is not ADDRESS:PORT"))?],
        None => Vec::new(),
    };
    Ok(DiagnoseRequest {
        provider: Some(p.provider.clone()),
        host: Some(host),
        port: Some(check.smtp.port),
        security: security_of(check.smtp.security),
        imap_security: imap.as_ref().map_or(SecurityChoice::Auto, |i| security_of(i.2)),
        // --connect-to moves only the SMTP check, as in `mailprobe guide`
        imap: imap.filter(|_| connect_to.is_empty()).map(|(h, port, _)| format!("{h}:{port}")),
        connect_to,
        user: signs_in.then(|| address.clone()),
        password,
        from: envelope.then(|| address.clone()),
        to: envelope.then(|| given(form.outside).unwrap_or_else(|| address.clone())),
        mode: p.mode,
        client_tls_max: (check.old_tls && form.old_tls).then_some(TlsVersion::Tls10),
        ..DiagnoseRequest::default()
    })
}

/// The playbook's texts for the wizard: its manual steps, each marked when the checks found a
/// problem it addresses.
fn guide_steps(p: &mailprobe_kb::Playbook, address: &str, report: &Report, lang: Lang) -> Value {
    let kb = KnowledgeBase::builtin();
    let params = p.params(Some(address));
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let steps: Vec<Value> = p
        .steps
        .iter()
        .map(|step| {
            let how: Vec<Value> = step
                .how
                .iter()
                .map(|a| {
                    json!({
                        "audience": a,
                        "label": kb.text(lang, &format!("ui-audience-{a}"), &[]),
                        "text": kb.text(lang, &step.how_id(a), &params),
                    })
                })
                .collect();
            json!({
                "id": step.id,
                "title": kb.text(lang, &step.title_id(), &params),
                "what": kb.text(lang, &step.what_id(), &params),
                "how": how,
                "found": report.findings.iter().any(|f| step.addresses(&f.id)),
            })
        })
        .collect();
    json!({
        "id": p.id,
        "title": kb.text(lang, &p.title_id(), &params),
        "intro": kb.text(lang, &p.intro_id(), &params),
        "test": kb.text(lang, &p.test_id(), &params),
        "steps": steps,
    })
}

/// `GET /api/guide?lang=&playbook=`: what a playbook's checks will ask (sign in, old TLS, an
/// outside address) and its introduction.
#[derive(Debug, Deserialize)]
pub(crate) struct GuideQuery {
    playbook: String,
    #[serde(default)]
    lang: Option<String>,
}

pub(crate) async fn guide_info(axum::extract::Query(q): axum::extract::Query<GuideQuery>) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let Some(p) = mailprobe_kb::playbook(&q.playbook) else {
        return bad_request(format!("no playbook {:?}", q.playbook));
    };
    let params = p.params(None);
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let kb = KnowledgeBase::builtin();
    Json(json!({
        "id": p.id,
        "intro": kb.text(lang, &p.intro_id(), &params),
        "sign_in": p.check.sign_in,
        "old_tls": p.check.old_tls,
        "outside_recipient": p.check.outside_recipient,
    }))
    .into_response()
}

/// `POST /api/guide`: runs a playbook's checks (streamed like the mailbox test), then hands the
/// page its manual steps.
pub(crate) async fn guide(State(checks): State<Arc<Checks>>, Json(form): Json<GuideForm>) -> Response {
    let lang = lang_of(form.lang.as_deref());
    let Some(p) = mailprobe_kb::playbook(&form.playbook) else {
        return bad_request(format!("no playbook {:?}", form.playbook));
    };
    let address = form.address.trim().to_owned();
    let request = match guide_request(p, form) {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    stream_diagnose(
        checks,
        request,
        lang,
        move |report| json!({ "playbook": guide_steps(p, &address, report, lang) }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(json: Value) -> MailboxForm {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn presets_become_requests() {
        let r = mailbox_request(form(json!({
            "preset": "gmail", "user": " pat@gmail.com ", "password": "pw", "connect_to": "127.0.0.1:2525",
            "old_tls": true, "imap": true
        })))
        .unwrap();
        assert_eq!(r.provider.as_deref(), Some("gmail"));
        assert_eq!(r.host, None);
        assert_eq!(r.user.as_deref(), Some("pat@gmail.com"));
        assert!(r.password.is_some());
        assert_eq!(r.connect_to, ["127.0.0.1:2525".parse().unwrap()]);
        assert_eq!(r.client_tls_max, Some(TlsVersion::Tls10));
        assert_eq!(r.imap.as_deref(), Some(""));
        for (typed, spec) in [
            ("imap.example.com", "imap.example.com:993"),
            (" imap.example.com:143 ", "imap.example.com:143"),
            ("192.0.2.1", "192.0.2.1:993"),
            ("2001:db8::1", "[2001:db8::1]:993"),
            ("[2001:db8::1]", "[2001:db8::1]:993"),
            ("[2001:db8::1]:1993", "[2001:db8::1]:1993"),
        ] {
            let r = mailbox_request(form(
                json!({ "preset": "other", "host": "smtp.example.com", "imap": true, "imap_server": typed }),
            ))
            .unwrap();
            assert_eq!(r.imap.as_deref(), Some(spec), "{typed}");
        }
        let unchecked =
            mailbox_request(form(json!({ "preset": "gmail", "imap_server": "imap.example.com" }))).unwrap();
        assert_eq!(unchecked.imap, None, "a server typed without the box ticked is not probed");
        assert!(!format!("{r:?}").contains("\"pw\""));

        let direct = mailbox_request(form(json!({
            "preset": "m365-direct-send", "user": "x", "password": "pw", "from": "printer@contoso.com"
        })))
        .unwrap();
        assert_eq!(direct.host.as_deref(), Some("contoso-com.mail.protection.outlook.com"));
        assert_eq!(direct.mode, Some(SendMode::DirectSend));
        assert!(direct.user.is_none() && direct.password.is_none());
    }

    #[test]
    fn bad_forms_say_what_is_wrong() {
        for (json, says) in [
            (json!({ "preset": "nope" }), "unknown preset"),
            (json!({ "preset": "other" }), "which server"),
            (json!({ "preset": "m365-relay" }), "sender's address"),
            (json!({ "preset": "gmail", "connect_to": "here" }), "ADDRESS:PORT"),
            (json!({ "preset": "gmail", "security": "ssl3" }), "unknown encryption"),
        ] {
            let e = mailbox_request(form(json)).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
        let f = form(json!({ "preset": "gmail", "password": "Canary-123" }));
        assert!(!format!("{f:?}").contains("Canary"));
    }
}
