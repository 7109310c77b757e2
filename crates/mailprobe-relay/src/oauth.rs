//! Access tokens for XOAUTH2 from an OAuth 2.0 token endpoint: the client-credentials grant
//! (Microsoft 365 app-only, `SMTP.SendAsApp`) or the refresh-token grant (a delegated sign-in
//! from `mailprobe auth login`, Google). The token is cached and fetched again before it
//! expires; a refresh token the server rotates is kept (and written back to its file).
//!
//! No secret ever reaches an error, a log line or a transcript: the errors carry the
//! endpoint's OAuth error code and description, scrubbed of the client secret and tokens.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailprobe_net::TrustStore;
use mailprobe_proto::Secret;
use tokio::sync::Mutex;

use crate::config::UpstreamAuth;

/// Refresh a token this long before it expires, at most (a token of one hour is refreshed
/// after 55 minutes; a short one at half its life).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// What went wrong getting a token. Its text never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The settings cannot be used (an unreadable file, a token URL over plain HTTP).
    #[error("OAuth 2.0 settings: {0}")]
    Setup(String),
    /// The token endpoint could not be reached (refused, timed out, TLS).
    #[error("token endpoint {url} unreachable: {detail}")]
    Unreachable {
        /// The endpoint (no query string).
        url: String,
        /// What failed.
        detail: String,
    },
    /// The endpoint answered with an OAuth error (`invalid_client`, `invalid_grant`...).
    #[error("token endpoint {url} answered HTTP {status}: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The OAuth error code.
        error: String,
        /// The server's description, when it gave one (scrubbed).
        description: Option<String>,
    },
    /// The endpoint's answer is not a token response.
    #[error("token endpoint {url}: {detail}")]
    BadResponse {
        /// The endpoint.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
}

impl OAuthError {
    /// The OAuth error code (`invalid_client`), when the endpoint gave one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Self::Refused { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Which grant gets the token.
#[derive(Debug)]
enum Grant {
    /// client_id + client_secret (+ scope): app-only.
    ClientCredentials,
    /// A refresh token from a delegated sign-in (rotated tokens are kept).
    RefreshToken { current: std::sync::Mutex<Secret>, file: PathBuf },
}

#[derive(Debug)]
struct Cached {
    token: Secret,
    refresh_at: Instant,
}

/// A cached source of access tokens for one client and scope.
#[derive(Debug)]
pub struct TokenSource {
    url: String,
    client_id: String,
    client_secret: Option<Secret>,
    scope: String,
    grant: Grant,
    http: reqwest::Client,
    cache: Mutex<Option<Cached>>,
}

impl TokenSource {
    /// The source described by an `xoauth2` upstream auth table, trusting what a probe trusts
    /// plus `ca_file`; every request is limited to `timeout`.
    pub fn from_config(
        auth: &UpstreamAuth,
        ca_file: Option<&Path>,
        timeout: Duration,
    ) -> Result<Self, OAuthError> {
        let UpstreamAuth::Xoauth2 {
            token_url, client_id, client_secret_file, refresh_token_file, scope, ..
        } = auth
        else {
            return Err(OAuthError::Setup("the upstream does not sign in with XOAUTH2".into()));
        };
        if !(token_url.starts_with("https://") || is_loopback_http(token_url)) {
            // A client secret or refresh token must not cross a network in the clear.
            return Err(OAuthError::Setup(format!(
                "token_url {token_url:?} must be https:// (plain http only on 127.0.0.1 or localhost)"
            )));
        }
        let client_secret = client_secret_file.as_deref().map(read_first_line).transpose()?;
        let grant = match refresh_token_file {
            Some(file) => Grant::RefreshToken {
                current: std::sync::Mutex::new(read_first_line(file)?),
                file: file.clone(),
            },
            None if client_secret.is_some() => Grant::ClientCredentials,
            None => {
                return Err(OAuthError::Setup(
                    "give client_secret_file (client credentials) or refresh_token_file (delegated)".into(),
                ));
            }
        };
        let mut trust = TrustStore::system();
        if let Some(path) = ca_file {
            trust = trust.with_ca_file(path).map_err(|e| OAuthError::Setup(e.to_string()))?;
        }
        let tls = trust.https().map_err(|e| OAuthError::Setup(e.to_string()))?;
        let http = reqwest::Client::builder()
            // no redirects: a token request is never sent on to another host
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("mailprobe-relay/", env!("CARGO_PKG_VERSION")))
            .use_preconfigured_tls(tls.config())
            .build()
            .map_err(|e| OAuthError::Setup(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self {
            url: token_url.split('?').next().unwrap_or(token_url).to_owned(),
            client_id: client_id.clone(),
            client_secret,
            scope: scope.clone(),
            grant,
            http,
            cache: Mutex::new(None),
        })
    }

    /// A valid access token: the cached one, or a new one when it is near expiry.
    pub async fn token(&self) -> Result<Secret, OAuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        let (token, lifetime) = self.fetch().await?;
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        *cache = Some(Cached { token: token.clone(), refresh_at: Instant::now() + lifetime - margin });
        Ok(token)
    }

    /// Forgets the cached token (the server refused it): the next [`TokenSource::token`]
    /// fetches a new one.
    pub async fn invalidate(&self) {
        *self.cache.lock().await = None;
    }

    /// Every secret this source knows: what must never appear in text it produces.
    fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.client_secret.iter().map(|s| s.expose().to_owned()).collect();
        if let Grant::RefreshToken { current, .. } = &self.grant {
            out.push(current.lock().unwrap_or_else(|p| p.into_inner()).expose().to_owned());
        }
        out
    }

    /// Replaces every known secret (plain and base64) in `text`.
    fn scrub(&self, text: &str) -> String {
        scrub(text, &self.secrets())
    }

    async fn fetch(&self) -> Result<(Secret, Duration), OAuthError> {
        let mut form: Vec<(&str, String)> = vec![("client_id", self.client_id.clone())];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose().to_owned()));
        }
        match &self.grant {
            Grant::ClientCredentials => {
                form.push(("grant_type", "client_credentials".into()));
                form.push(("scope", self.scope.clone()));
            }
            Grant::RefreshToken { current, .. } => {
                form.push(("grant_type", "refresh_token".into()));
                let refresh = current.lock().unwrap_or_else(|p| p.into_inner()).expose().to_owned();
                form.push(("refresh_token", refresh));
                form.push(("scope", self.scope.clone()));
            }
        }
        let response =
            self.http.post(&self.url).form(&form).send().await.map_err(|e| OAuthError::Unreachable {
                url: self.url.clone(),
                detail: self.scrub(&error_chain(&e.without_url())),
            })?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| OAuthError::Unreachable {
            url: self.url.clone(),
            detail: self.scrub(&error_chain(&e.without_url())),
        })?;
        let json: serde_json::Value = serde_json::from_slice(&body).map_err(|_| OAuthError::BadResponse {
            url: self.url.clone(),
            detail: format!("HTTP {status}, not a JSON token response"),
        })?;
        let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        if let Some(error) = text("error") {
            return Err(OAuthError::Refused {
                url: self.url.clone(),
                status,
                error: self.scrub(&error),
                description: text("error_description").map(|d| self.scrub(&d)),
            });
        }
        let Some(access) = text("access_token").filter(|t| !t.is_empty()) else {
            return Err(OAuthError::BadResponse {
                url: self.url.clone(),
                detail: format!("HTTP {status} without an access_token"),
            });
        };
        if let Some(kind) = text("token_type")
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(OAuthError::BadResponse {
                url: self.url.clone(),
                detail: format!("token_type {kind:?}, not Bearer"),
            });
        }
        // expires_in is a number, or a string from some servers; one hour when missing.
        let lifetime = json
            .get("expires_in")
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .unwrap_or(3600)
            .max(1);
        if let (Grant::RefreshToken { current, file }, Some(rotated)) = (&self.grant, text("refresh_token")) {
            let changed = {
                let mut guard = current.lock().unwrap_or_else(|p| p.into_inner());
                let changed = guard.expose() != rotated;
                *guard = Secret::new(rotated.clone());
                changed
            };
            if changed {
                // Best effort: the new token is in memory either way; the old one usually stays
                // valid for a while, so a failed write is not fatal.
                let _ = write_secret_file(file, &rotated);
            }
        }
        Ok((Secret::new(access), Duration::from_secs(lifetime)))
    }
}

fn is_loopback_http(url: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])))
}

fn read_first_line(path: &Path) -> Result<Secret, OAuthError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| OAuthError::Setup(format!("cannot read {}: {e}", path.display())))?;
    let line = text.lines().next().unwrap_or_default().trim();
    if line.is_empty() {
        return Err(OAuthError::Setup(format!("{} is empty", path.display())));
    }
    Ok(Secret::new(line))
}

/// Replaces a secret file atomically, readable by its owner only.
fn write_secret_file(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(value.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// An error and its sources on one line (reqwest's own text is only "error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Replaces each secret, and its base64 form, with `<redacted>`.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret.as_str(), "<redacted>");
        let b64 = BASE64.encode(secret);
        out = out.replace(b64.trim_end_matches('='), "<redacted>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_plain_and_base64() {
        let secrets = vec!["Canary-Secret-1234".to_owned()];
        let text = format!("bad: Canary-Secret-1234 and {}", BASE64.encode("Canary-Secret-1234"));
        let clean = scrub(&text, &secrets);
        assert!(!clean.contains("Canary"), "{clean}");
        assert!(!clean.contains(BASE64.encode("Canary-Secret-1234").trim_end_matches('=')), "{clean}");
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(is_loopback_http("http://127.0.0.1:24444/token"));
        assert!(is_loopback_http("http://localhost/token"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example/token"));
        assert!(!is_loopback_http("http://login.example/token"));
    }

    #[test]
    fn refused_errors_name_the_oauth_code() {
        let e = OAuthError::Refused {
            url: "https://login.example/token".into(),
            status: 401,
            error: "invalid_client".into(),
            description: Some("client authentication failed".into()),
        };
        assert_eq!(e.error_code(), Some("invalid_client"));
        assert_eq!(
            e.to_string(),
            "token endpoint https://login.example/token answered HTTP 401: invalid_client (client authentication failed)"
        );
    }
}
