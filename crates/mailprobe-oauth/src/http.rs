//! The HTTPS client of every OAuth request: the TLS trust of a probe (bundled and OS roots, plus
//! a CA file), no redirects, a timeout on every request, and a record of why a server
//! certificate was refused.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use mailprobe_net::{HttpsTrust, TrustStore};
use oauth2::reqwest;
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use crate::error::{OAuthError, RefusedCertificate};

/// The HTTP client of the OAuth requests.
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    tls: HttpsTrust,
}

impl Http {
    /// A client with `timeout` on every request (connecting included), trusting what a probe
    /// trusts plus the PEM certificates in `ca_file`.
    pub fn new(timeout: Duration, ca_file: Option<&Path>) -> Result<Self, OAuthError> {
        let trust = match ca_file {
            Some(path) => {
                TrustStore::system().with_ca_file(path).map_err(|e| OAuthError::Setup(e.to_string()))?
            }
            None => TrustStore::system(),
        };
        let tls = trust.https().map_err(|e| OAuthError::Setup(e.to_string()))?;
        let client = reqwest::Client::builder()
            // the oauth2 crate's advice: no redirects (a token request is never sent on to
            // another host: SSRF), and a timeout on every request
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("mailprobe/", env!("CARGO_PKG_VERSION")))
            .use_preconfigured_tls(tls.config())
            .build()
            .map_err(|e| OAuthError::Setup(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Self { client, tls })
    }

    /// The server certificate the last handshake refused, when it refused one.
    pub fn refused(&self) -> Option<RefusedCertificate> {
        let (failure, chain) = self.tls.refusal()?;
        Some(RefusedCertificate { failure, leaf: chain.into_iter().next() })
    }

    /// The reqwest client (for the few requests the oauth2 crate does not make).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// An oauth2 HTTP client for one request, which remembers the answer's HTTP status.
    pub(crate) fn recording(&self) -> Recording<'_> {
        Recording { client: &self.client, status: Mutex::new(None) }
    }

    /// The error of a request to `url` that got no answer: the refused certificate when the
    /// handshake refused one, else what failed.
    pub(crate) fn unreachable(&self, url: &str, detail: String) -> OAuthError {
        match self.refused() {
            Some(refused) => OAuthError::Certificate(Box::new(refused)),
            None => OAuthError::Unreachable { url: without_query(url), detail },
        }
    }
}

/// `url` without its query and fragment (a token could be in one).
pub(crate) fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_owned()
}

/// A reqwest error and its causes on one line, without the URL (its query could hold a token;
/// reqwest's own text is only "error sending request").
pub(crate) fn error_chain(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut out = e.to_string();
    let mut source = std::error::Error::source(&e);
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

/// True for `http://` on loopback: the only plain-HTTP endpoints allowed (test servers).
pub fn is_loopback_http(url: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])))
}

/// Refuses an endpoint that would carry a secret in the clear over a network.
pub(crate) fn check_endpoint(what: &str, url: &str) -> Result<String, OAuthError> {
    if !(url.starts_with("https://") || is_loopback_http(url)) {
        return Err(OAuthError::Setup(format!(
            "the {what} {url:?} is not https:// (plain http is allowed on loopback only)"
        )));
    }
    Ok(url.to_owned())
}

/// Why a request got no answer, in words without a secret.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TransportError(String);

/// The oauth2 crate's HTTP client for one request: reqwest, and the answer's status kept.
pub(crate) struct Recording<'a> {
    client: &'a reqwest::Client,
    status: Mutex<Option<u16>>,
}

impl Recording<'_> {
    /// The HTTP status of the last answer.
    pub(crate) fn status(&self) -> Option<u16> {
        *self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<'c> AsyncHttpClient<'c> for Recording<'_> {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + Sync + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request: reqwest::Request =
                request.try_into().map_err(|e: reqwest::Error| TransportError(error_chain(e)))?;
            let response = self.client.execute(request).await.map_err(|e| TransportError(error_chain(e)))?;
            let status = response.status();
            *self.status.lock().unwrap_or_else(|p| p.into_inner()) = Some(status.as_u16());
            let mut builder = oauth2::http::Response::builder().status(status.as_u16());
            for (name, value) in response.headers() {
                builder = builder.header(name.as_str(), value.as_bytes());
            }
            let body = response.bytes().await.map_err(|e| TransportError(error_chain(e)))?;
            builder.body(body.to_vec()).map_err(|e| TransportError(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(is_loopback_http("http://127.0.0.1:24444/token"));
        assert!(is_loopback_http("http://localhost/token"));
        assert!(is_loopback_http("http://[::1]:8080"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example/token"));
        assert!(!is_loopback_http("http://login.example/token"));
        assert!(check_endpoint("token endpoint", "http://login.example/token").is_err());
        assert!(check_endpoint("token endpoint", "https://login.example/token").is_ok());
        assert_eq!(without_query("https://x/t?code=abc#f"), "https://x/t");
    }
}
