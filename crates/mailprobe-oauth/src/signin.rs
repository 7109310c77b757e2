//! Sign-in flows with a person: the installed-app flow (a browser, a loopback redirect listener
//! on 127.0.0.1 and PKCE) and the device flow (RFC 8628). Each is two steps, so the caller can
//! show the address or the code in its own words: `start`, show, then `finish`.

use std::time::Duration;

use mailprobe_proto::Secret;
use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardDeviceAuthorizationResponse,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::error::{EndpointError, OAuthError, Step};
use crate::grant::{OAuthClient, Tokens, oauth_client, request_error};
use crate::http::Http;
use crate::provider::Endpoints;

/// The longest request head the redirect listener reads.
const MAX_REQUEST: usize = 16 * 1024;
/// How long one browser request may take to arrive.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A browser sign-in waiting for the browser to come back.
pub struct BrowserSignIn {
    listener: TcpListener,
    client: OAuthClient,
    url: String,
    redirect: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    secrets: Vec<Secret>,
}

impl BrowserSignIn {
    /// Opens the redirect listener on 127.0.0.1:`redirect_port` (0: any free port) and makes
    /// the authorization address (PKCE S256, a random state).
    pub async fn start(
        ep: &Endpoints,
        client_id: &str,
        secret: Option<&Secret>,
        scopes: &[String],
        redirect_port: u16,
    ) -> Result<Self, OAuthError> {
        let auth_url = ep.auth_url.as_deref().ok_or(OAuthError::MissingEndpoint("authorization endpoint"))?;
        let listener = TcpListener::bind(("127.0.0.1", redirect_port))
            .await
            .map_err(|source| OAuthError::Listen { port: redirect_port, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| OAuthError::Listen { port: redirect_port, source })?
            .port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let client = oauth_client(
            client_id,
            secret,
            Some(auth_url),
            &ep.token_url,
            None,
            ep.revocation_url.as_deref(),
        )?
        .set_redirect_uri(RedirectUrl::new(redirect.clone()).map_err(|e| OAuthError::Setup(e.to_string()))?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .map_err(|e| OAuthError::Setup(e.to_string()))?
            .set_pkce_challenge(challenge);
        for s in scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        for (k, v) in &ep.extra {
            request = request.add_extra_param(k.clone(), v.clone());
        }
        let (url, state) = request.url();
        Ok(Self {
            listener,
            client,
            url: url.to_string(),
            redirect,
            state,
            verifier,
            secrets: secret.into_iter().cloned().collect(),
        })
    }

    /// The address to open in a browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the browser comes back (`http://127.0.0.1:PORT/callback`).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect
    }

    /// Waits up to `timeout` for the browser to bring the code back, then exchanges it.
    pub async fn finish(self, http: &Http, timeout: Duration) -> Result<Tokens, OAuthError> {
        let code = tokio::time::timeout(timeout, wait_for_code(&self.listener, self.state.secret()))
            .await
            .map_err(|_| OAuthError::SignInTimedOut(timeout.as_secs()))??;
        let token_url = self.client.token_uri().map(|u| u.to_string()).unwrap_or_default();
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OAuthError::Setup(e.to_string()))?
            .set_pkce_verifier(self.verifier);
        let recording = http.recording();
        let obtained_at = crate::unix_now();
        let secrets: Vec<&str> = self.secrets.iter().map(Secret::expose).collect();
        match request.request_async(&recording).await {
            Ok(r) => Ok(Tokens::from_response(&r, obtained_at)),
            Err(e) => Err(request_error(e, Step::SignInCode, &token_url, http, recording.status(), &secrets)),
        }
    }
}

/// Serves the loopback redirect until a request brings `code` (or `error`) with our `state`.
async fn wait_for_code(listener: &TcpListener, state: &str) -> Result<String, OAuthError> {
    loop {
        let (mut sock, _) = listener.accept().await.map_err(|source| OAuthError::Listen {
            port: listener.local_addr().map_or(0, |a| a.port()),
            source,
        })?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_REQUEST {
            match tokio::time::timeout(REQUEST_TIMEOUT, sock.read(&mut chunk)).await {
                Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
                Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&buf);
        let target = text.lines().next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or("/");
        let Ok(url) = oauth2::url::Url::parse(&format!("http://127.0.0.1{target}")) else {
            respond(&mut sock, 400, "Bad request").await;
            continue;
        };
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        if url.path() != "/callback" {
            respond(&mut sock, 404, "Not found").await;
            continue;
        }
        if q.get("state").map(String::as_str) != Some(state) {
            respond(&mut sock, 400, "This sign-in does not belong to the mailprobe that is waiting.").await;
            continue;
        }
        if let Some(err) = q.get("error") {
            respond(&mut sock, 200, "Sign-in refused. You can close this window.").await;
            let desc = q.get("error_description").map(String::as_str);
            return Err(OAuthError::SignInRefused(EndpointError::new(None, err, desc, &[])));
        }
        if let Some(code) = q.get("code") {
            respond(&mut sock, 200, "Signed in. You can close this window and go back to mailprobe.").await;
            return Ok(code.clone());
        }
        respond(&mut sock, 400, "No sign-in code in this request.").await;
    }
}

async fn respond(sock: &mut tokio::net::TcpStream, status: u16, message: &str) {
    let body = format!("<!doctype html><meta charset=utf-8><title>mailprobe</title><p>{message}</p>\n");
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // a browser that went away gets nothing: the sign-in itself is unaffected
    let _ = tokio::time::timeout(REQUEST_TIMEOUT, async {
        let _ = sock.write_all(head.as_bytes()).await;
        let _ = sock.write_all(body.as_bytes()).await;
        let _ = sock.shutdown().await;
    })
    .await;
}

/// A device sign-in waiting for the person to enter the code.
pub struct DeviceSignIn {
    client: OAuthClient,
    details: StandardDeviceAuthorizationResponse,
    secrets: Vec<Secret>,
}

impl DeviceSignIn {
    /// Asks the device authorization endpoint for a user code.
    pub async fn start(
        ep: &Endpoints,
        client_id: &str,
        secret: Option<&Secret>,
        scopes: &[String],
        http: &Http,
    ) -> Result<Self, OAuthError> {
        let device_url =
            ep.device_url.as_deref().ok_or(OAuthError::MissingEndpoint("device authorization endpoint"))?;
        let client = oauth_client(
            client_id,
            secret,
            None,
            &ep.token_url,
            Some(device_url),
            ep.revocation_url.as_deref(),
        )?;
        let mut request = client.exchange_device_code().map_err(|e| OAuthError::Setup(e.to_string()))?;
        for s in scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let recording = http.recording();
        let secrets: Vec<&str> = secret.map(Secret::expose).into_iter().collect();
        let details = match request.request_async(&recording).await {
            Ok(d) => d,
            Err(e) => {
                return Err(request_error(
                    e,
                    Step::DeviceStart,
                    device_url,
                    http,
                    recording.status(),
                    &secrets,
                ));
            }
        };
        Ok(Self { client, details, secrets: secret.into_iter().cloned().collect() })
    }

    /// Where the person goes to enter the code.
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }

    /// The code to enter (short-lived and useless without the person's sign-in: shown).
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }

    /// The address with the code in it, when the provider gives one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details.verification_uri_complete().map(|u| u.secret().as_str())
    }

    /// Polls the token endpoint (at the interval the provider asks) until the sign-in is
    /// completed, refused, or `timeout` passes.
    pub async fn finish(self, http: &Http, timeout: Duration) -> Result<Tokens, OAuthError> {
        let token_url = self.client.token_uri().map(|u| u.to_string()).unwrap_or_default();
        let request = self
            .client
            .exchange_device_access_token(&self.details)
            .map_err(|e| OAuthError::Setup(e.to_string()))?;
        let recording = http.recording();
        let obtained_at = crate::unix_now();
        let secrets: Vec<&str> = self.secrets.iter().map(Secret::expose).collect();
        match request.request_async(&recording, tokio::time::sleep, Some(timeout)).await {
            Ok(r) => Ok(Tokens::from_response(&r, obtained_at)),
            Err(e) => {
                Err(request_error(e, Step::DeviceToken, &token_url, http, recording.status(), &secrets))
            }
        }
    }
}
