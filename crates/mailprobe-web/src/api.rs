//! The page's JSON API. Reading is `GET`; anything that runs a check is `POST` with a JSON (or,
//! for a log, a raw) body. Each answer carries the report as JSON and, where the report library
//! renders it, as Markdown and HTML; a live test streams its steps as NDJSON while it runs.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mailprobe_kb::{AUDIENCES, KnowledgeBase, Lang, playbooks};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::mpsc;

pub use crate::run::Checks;

/// `?lang=` of a `GET`.
#[derive(Debug, Deserialize)]
pub(crate) struct LangQuery {
    /// `en` or `it`; anything else is English.
    #[serde(default)]
    pub lang: Option<String>,
}

/// The language a request asks for: `it` is Italian, anything else English.
pub(crate) fn lang_of(lang: Option<&str>) -> Lang {
    match lang {
        Some(l) if l.eq_ignore_ascii_case("it") => Lang::It,
        _ => Lang::En,
    }
}

/// Every API route.
pub(crate) fn routes(checks: Arc<Checks>) -> Router {
    Router::new()
        .route("/api/info", get(info))
        .route("/api/diagnose", post(crate::run::diagnose))
        .route("/api/relocalize", post(crate::run::relocalize))
        .route("/api/explain", post(crate::run::explain))
        .route("/api/analyze", post(crate::logs::analyze))
        .route("/api/dns", post(crate::run::dns))
        .route("/api/advise", post(crate::run::advise))
        .route("/api/guide", get(crate::run::guide_info).post(crate::run::guide))
        .route("/api/signin", get(crate::signin::status).post(crate::signin::start))
        .with_state(checks)
}

/// A request the page got wrong: 400 with a sentence the page shows.
pub(crate) fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": message.into() }))).into_response()
}

/// A check that could not run at all: 422 with the reason.
pub(crate) fn could_not_run(message: impl Into<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({ "error": message.into() }))).into_response()
}

/// One preset of the mailbox test, as the page offers it.
#[derive(Debug, Serialize)]
struct PresetInfo {
    id: &'static str,
    /// The server it fills in (shown as the field's placeholder).
    host: String,
    port: u16,
    /// False for direct send and relay: no user name or password to ask for.
    signs_in: bool,
}

/// The page's presets: the provider they stand for and, for Microsoft 365, the mode.
pub(crate) const PRESETS: &[(&str, &str, Option<mailprobe_proto::SendMode>)] = &[
    ("gmail", "gmail", None),
    ("m365-submission", "m365", Some(mailprobe_proto::SendMode::Submission)),
    ("m365-direct-send", "m365", Some(mailprobe_proto::SendMode::DirectSend)),
    ("m365-relay", "m365", Some(mailprobe_proto::SendMode::Relay)),
    ("outlook", "outlook", None),
    ("other", "auto", None),
];

/// `GET /api/info?lang=`: what the page fills its menus with — the audiences (labels from the
/// knowledge base), the presets (servers from the provider table), the playbooks' titles.
async fn info(Query(q): Query<LangQuery>) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let kb = KnowledgeBase::builtin();
    let audiences: Vec<Value> = AUDIENCES
        .iter()
        .map(|id| json!({ "id": id, "label": kb.text(lang, &format!("ui-audience-{id}"), &[]) }))
        .collect();
    let presets: Vec<PresetInfo> = PRESETS
        .iter()
        .map(|&(id, provider, mode)| {
            use mailprobe_proto::SendMode;
            let def = mailprobe_net::providers().iter().find(|p| p.id == provider);
            let direct = matches!(mode, Some(SendMode::DirectSend | SendMode::Relay));
            let (host, port) = match def {
                // the tenant's MX endpoint, from the sender's domain: the page says so
                _ if direct => (String::new(), 25),
                Some(d) => (d.smtp.host.clone(), d.smtp.port),
                None => (String::new(), 587),
            };
            PresetInfo { id, host, port, signs_in: !direct }
        })
        .collect();
    let playbooks: Vec<Value> = playbooks()
        .iter()
        .map(|p| json!({ "id": p.id, "title": kb.text(lang, &p.title_id(), &[]) }))
        .collect();
    axum::Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "audiences": audiences,
        "presets": presets,
        "playbooks": playbooks,
    }))
    .into_response()
}

/// A stream of JSON lines (`application/x-ndjson`) fed by the sender this returns: each value
/// sent is one line, read by the page with `fetch` as it arrives.
pub(crate) fn ndjson() -> (mpsc::UnboundedSender<Value>, Response) {
    let (tx, rx) = mpsc::unbounded_channel::<Value>();
    let lines = futures_util::stream::unfold(rx, |mut rx| async move {
        let value = rx.recv().await?;
        let mut line = serde_json::to_vec(&value).unwrap_or_else(|_| b"{}".to_vec());
        line.push(b'\n');
        Some((Ok::<Bytes, Infallible>(Bytes::from(line)), rx))
    });
    let response = Response::builder()
        .header(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")
        .body(Body::from_stream(lines))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    (tx, response)
}
