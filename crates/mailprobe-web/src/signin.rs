//! OAuth sign-in from the page, through `mailprobe auth login`'s flows (mailprobe-oauth's
//! browser flow with its loopback redirect and PKCE, or the device flow): the page starts one,
//! shows the address to open or the code to enter, and asks until it is done. The access token
//! stays in this process's memory for the run (nothing is saved, unlike `auth login`) and is
//! used by the next test with "use the OAuth sign-in" ticked.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use mailprobe_oauth::{BrowserSignIn, DeviceSignIn, Endpoints, Flow, Http, OAuthError, StoredSignIn, Tokens};
use mailprobe_proto::Secret;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

use crate::api::{bad_request, could_not_run};
use crate::run::Checks;

/// How long a person has to finish signing in.
const SIGN_IN_WAIT: Duration = Duration::from_secs(300);

/// Where one sign-in is.
#[derive(Clone, Debug)]
enum Progress {
    Waiting,
    Done { user: Option<String> },
    Failed(String),
}

/// The sign-in the next test uses: its token (never sent to the page) and who it is.
#[derive(Clone, Debug)]
pub(crate) struct SignedIn {
    pub token: Secret,
    pub user: Option<String>,
    pub sign_in: StoredSignIn,
}

#[derive(Default)]
struct SignIns {
    next: u64,
    progress: HashMap<u64, Progress>,
    current: Option<SignedIn>,
}

static SIGN_INS: LazyLock<Mutex<SignIns>> = LazyLock::new(Mutex::default);

fn with<T>(f: impl FnOnce(&mut SignIns) -> T) -> T {
    f(&mut SIGN_INS.lock().unwrap_or_else(PoisonError::into_inner))
}

/// The page's latest finished sign-in, if any.
pub(crate) fn current() -> Option<SignedIn> {
    with(|s| s.current.clone())
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub(crate) struct StartForm {
    provider: String,
    client_id: String,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    /// Space-separated; empty: the provider's defaults.
    #[serde(default)]
    scopes: Option<String>,
    /// `browser` or `device`; empty: the provider's usual one (device for Microsoft).
    #[serde(default)]
    flow: Option<String>,
}

fn given(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `POST /api/signin`: starts a sign-in; answers with its id and what the person must do.
pub(crate) async fn start(State(checks): State<Arc<Checks>>, Json(form): Json<StartForm>) -> Response {
    let client_id = form.client_id.trim().to_owned();
    if client_id.is_empty() {
        return bad_request(
            "the client id is needed: the id of your organisation's app registered with the provider",
        );
    }
    let http = match Http::new(checks.env.timeout.max(Duration::from_secs(10)), None) {
        Ok(h) => h,
        Err(e) => return could_not_run(e.to_string()),
    };
    let ep = match form.provider.as_str() {
        "google" => Endpoints::google(),
        "microsoft" => {
            let tenant = given(form.tenant).unwrap_or_else(|| "organizations".into());
            match Endpoints::microsoft(&tenant) {
                Ok(ep) => ep,
                Err(_) => return bad_request(format!("{tenant:?} is not a tenant name or id")),
            }
        }
        "custom" => {
            let Some(issuer) = given(form.issuer) else {
                return bad_request("another provider needs its issuer's address");
            };
            match Endpoints::discover(&issuer, &http).await {
                Ok(ep) => ep,
                Err(e) => return could_not_run(e.to_string()),
            }
        }
        other => return bad_request(format!("unknown provider {other:?}: google, microsoft or custom")),
    };
    let scopes: Vec<String> = match given(form.scopes) {
        Some(s) => s.split_whitespace().map(str::to_owned).collect(),
        None => ep.default_scopes.clone(),
    };
    let clock_url = match &ep.issuer {
        Some(i) => format!("{}/.well-known/openid-configuration", i.trim_end_matches('/')),
        None => ep.token_url.clone(),
    };
    let flow = match given(form.flow).as_deref() {
        None => ep.default_flow,
        Some("browser") => Flow::Browser,
        Some("device") => Flow::Device,
        Some(other) => return bad_request(format!("unknown flow {other:?}: browser or device")),
    };
    let id = with(|s| {
        s.next += 1;
        s.progress.insert(s.next, Progress::Waiting);
        s.next
    });
    let answer = match flow {
        Flow::Browser => match BrowserSignIn::start(&ep, &client_id, None, &scopes, 0).await {
            Ok(sign_in) => {
                let answer = json!({ "id": id, "flow": "browser", "url": sign_in.url() });
                tokio::spawn(async move { finish(id, sign_in.finish(&http, SIGN_IN_WAIT).await, clock_url) });
                answer
            }
            Err(e) => return failed_to_start(id, &e),
        },
        Flow::Device => match DeviceSignIn::start(&ep, &client_id, None, &scopes, &http).await {
            Ok(sign_in) => {
                let answer = json!({
                    "id": id, "flow": "device",
                    "url": sign_in.verification_uri_complete().unwrap_or(sign_in.verification_uri()),
                    "verification_uri": sign_in.verification_uri(),
                    "user_code": sign_in.user_code(),
                });
                tokio::spawn(async move { finish(id, sign_in.finish(&http, SIGN_IN_WAIT).await, clock_url) });
                answer
            }
            Err(e) => return failed_to_start(id, &e),
        },
    };
    Json(answer).into_response()
}

fn failed_to_start(id: u64, e: &OAuthError) -> Response {
    with(|s| s.progress.remove(&id));
    could_not_run(e.to_string())
}

fn finish(id: u64, result: Result<Tokens, OAuthError>, clock_url: String) {
    with(|s| {
        let progress = match result {
            Ok(tokens) => {
                let user = tokens.user.clone();
                s.current = Some(SignedIn {
                    token: tokens.access_token,
                    user: user.clone(),
                    sign_in: StoredSignIn { profile: "serve".into(), clock_url, refresh_failure: None },
                });
                Progress::Done { user }
            }
            Err(e) => Progress::Failed(e.to_string()),
        };
        s.progress.insert(id, progress);
    });
}

/// `GET /api/signin?id=`.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusQuery {
    id: u64,
}

/// Where a sign-in is: `waiting`, `done` (with who signed in) or `failed` (with why).
pub(crate) async fn status(Query(q): Query<StatusQuery>) -> Response {
    match with(|s| s.progress.get(&q.id).cloned()) {
        None => bad_request(format!("no sign-in {}", q.id)),
        Some(Progress::Waiting) => Json(json!({ "state": "waiting" })).into_response(),
        Some(Progress::Done { user }) => Json(json!({ "state": "done", "user": user })).into_response(),
        Some(Progress::Failed(message)) => {
            Json(json!({ "state": "failed", "message": message })).into_response()
        }
    }
}
