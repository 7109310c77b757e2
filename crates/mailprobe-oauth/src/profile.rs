//! One stored sign-in (a person's, from a browser or device sign-in): what it is, what may be
//! shown of it, and what is done with it — refresh, revocation, the token `diagnose` uses.

use std::path::Path;
use std::time::Duration;

use mailprobe_proto::{Secret, TokenExpectations, TokenInspection, decode_jwt_claims, inspect_token};
use oauth2::{RefreshToken, RevocableToken as _, StandardRevocableToken};
use serde::{Deserialize, Serialize};

use crate::error::{EndpointError, OAuthError, Step};
use crate::grant::{ClientAuth, TokenEndpoint, Tokens, oauth_client, request_error};
use crate::http::{Http, is_loopback_http};
use crate::provider::{Endpoints, Provider};
use crate::store::{Store, StoreView};

/// A stored token is refreshed when it expires within this many seconds.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// One sign-in. The secrets stay in the keyring or the owner-only file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Its name.
    pub name: String,
    /// The provider.
    pub provider: Provider,
    /// The issuer, when known.
    pub issuer: Option<String>,
    /// The client (application) id.
    pub client_id: String,
    /// The token endpoint.
    pub token_url: String,
    /// The revocation endpoint, when the provider has one.
    pub revocation_url: Option<String>,
    /// Who signed in, when the provider said.
    pub user: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When the access token expires (Unix seconds).
    pub expires_at: Option<i64>,
    /// When it was obtained (Unix seconds).
    pub obtained_at: i64,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token.
    pub refresh_token: Option<Secret>,
    /// The client secret (public clients have none).
    pub client_secret: Option<Secret>,
}

/// The stored form: the same JSON fields mailprobe has always written.
#[derive(Serialize, Deserialize)]
struct Stored {
    name: String,
    provider: Provider,
    #[serde(default)]
    issuer: Option<String>,
    client_id: String,
    token_url: String,
    #[serde(default)]
    revocation_url: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    expires_at: Option<i64>,
    obtained_at: i64,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
}

/// What may be shown of a sign-in: no secret field exists here.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileView {
    /// Its name.
    pub profile: String,
    /// The provider.
    pub provider: Provider,
    /// The issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The client id.
    pub client_id: String,
    /// Who signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When the access token expires, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Seconds until then (negative: ago).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_secs: Option<i64>,
    /// True once it has expired.
    pub expired: bool,
    /// True when a refresh token is stored.
    pub has_refresh_token: bool,
    /// True when the provider can revoke the tokens.
    pub can_revoke: bool,
    /// The access token's claims, when it is a JWT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenInspection>,
    /// Where it is stored.
    pub store: StoreView,
}

impl Profile {
    /// A new sign-in named `name` from a sign-in's `tokens`; `asked` are the scopes asked for
    /// (kept when the server does not say which it granted).
    pub fn from_sign_in(
        name: &str,
        provider: Provider,
        ep: &Endpoints,
        client_id: &str,
        secret: Option<&Secret>,
        asked: &[String],
        tokens: &Tokens,
    ) -> Self {
        Self {
            name: name.to_owned(),
            provider,
            issuer: ep.issuer.clone(),
            client_id: client_id.to_owned(),
            token_url: ep.token_url.clone(),
            revocation_url: ep.revocation_url.clone(),
            user: tokens.user.clone(),
            scopes: tokens.scopes.clone().unwrap_or_else(|| asked.to_vec()),
            expires_at: tokens.expires_at(),
            obtained_at: tokens.obtained_at,
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
            client_secret: secret.cloned(),
        }
    }

    /// This sign-in after a refresh gave `tokens`: what they do not say is kept.
    pub fn updated(&self, tokens: &Tokens) -> Self {
        Self {
            user: tokens.user.clone().or_else(|| self.user.clone()),
            scopes: tokens.scopes.clone().unwrap_or_else(|| self.scopes.clone()),
            expires_at: tokens.expires_at(),
            obtained_at: tokens.obtained_at,
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone().or_else(|| self.refresh_token.clone()),
            ..self.clone()
        }
    }

    pub(crate) fn to_json(&self) -> String {
        let s = Stored {
            name: self.name.clone(),
            provider: self.provider,
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            token_url: self.token_url.clone(),
            revocation_url: self.revocation_url.clone(),
            user: self.user.clone(),
            scopes: self.scopes.clone(),
            expires_at: self.expires_at,
            obtained_at: self.obtained_at,
            access_token: self.access_token.expose().to_owned(),
            refresh_token: self.refresh_token.as_ref().map(|s| s.expose().to_owned()),
            client_secret: self.client_secret.as_ref().map(|s| s.expose().to_owned()),
        };
        serde_json::to_string(&s).unwrap_or_default()
    }

    /// `None` when `json` is not a stored sign-in (its parse error is not kept: it could quote
    /// a token).
    pub(crate) fn from_json(json: &str) -> Option<Self> {
        let s: Stored = serde_json::from_str(json).ok()?;
        Some(Self {
            name: s.name,
            provider: s.provider,
            issuer: s.issuer,
            client_id: s.client_id,
            token_url: s.token_url,
            revocation_url: s.revocation_url,
            user: s.user,
            scopes: s.scopes,
            expires_at: s.expires_at,
            obtained_at: s.obtained_at,
            access_token: Secret::new(s.access_token),
            refresh_token: s.refresh_token.map(Secret::new),
            client_secret: s.client_secret.map(Secret::new),
        })
    }

    /// True when the access token expires within `margin_secs` of `now` (or has expired).
    pub fn expires_within(&self, now: i64, margin_secs: i64) -> bool {
        self.expires_at.is_some_and(|e| e <= now + margin_secs)
    }

    /// What may be shown of it at `now`, stored in `store`.
    pub fn view(&self, store: StoreView, now: i64) -> ProfileView {
        let access = self.access_token.expose();
        let token = decode_jwt_claims(access).map(|_| {
            let expect = TokenExpectations {
                accounts: self.user.iter().cloned().collect(),
                ..TokenExpectations::default()
            };
            inspect_token(access, now, &expect)
        });
        ProfileView {
            profile: self.name.clone(),
            provider: self.provider,
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            user: self.user.clone(),
            scopes: self.scopes.clone(),
            expires_at: self.expires_at.map(crate::rfc3339),
            expires_in_secs: self.expires_at.map(|e| e - now),
            expired: self.expires_at.is_some_and(|e| e <= now),
            has_refresh_token: self.refresh_token.is_some(),
            can_revoke: self.revocation_url.is_some(),
            token,
            store,
        }
    }

    /// Its token endpoint, with the client's secret (HTTP Basic) when it has one.
    pub fn token_endpoint(&self, http: &Http) -> Result<TokenEndpoint, OAuthError> {
        let auth = self.client_secret.clone().map_or(ClientAuth::None, ClientAuth::SecretBasic);
        TokenEndpoint::new(&self.token_url, &self.client_id, auth, http.clone())
    }

    /// Refreshes it with its refresh token; the error names the provider's code
    /// (`invalid_grant`: revoked or expired refresh token).
    pub async fn refresh(&self, http: &Http) -> Result<Self, OAuthError> {
        let Some(rt) = &self.refresh_token else {
            return Err(OAuthError::Setup("no refresh token is stored: sign in again".into()));
        };
        let tokens = self.token_endpoint(http)?.refresh(rt, &[]).await?;
        Ok(self.updated(&tokens))
    }

    /// Revokes its refresh token, and its access token unless it is a JWT (which cannot be
    /// revoked: it lives until it expires), at the provider's RFC 7009 endpoint.
    pub async fn revoke(&self, http: &Http) -> Revocations {
        let Some(url) = &self.revocation_url else {
            return Revocations { endpoint: false, outcomes: Vec::new() };
        };
        let mut tokens = Vec::new();
        if let Some(rt) = &self.refresh_token {
            tokens.push((
                TokenKind::Refresh,
                StandardRevocableToken::RefreshToken(RefreshToken::new(rt.expose().to_owned())),
            ));
        }
        if decode_jwt_claims(self.access_token.expose()).is_none() {
            tokens.push((
                TokenKind::Access,
                StandardRevocableToken::AccessToken(oauth2::AccessToken::new(
                    self.access_token.expose().to_owned(),
                )),
            ));
        }
        let mut outcomes = Vec::new();
        for (kind, token) in tokens {
            let result = self.revoke_one(http, url, &token).await;
            outcomes.push(Revocation { token: kind, result });
        }
        Revocations { endpoint: true, outcomes }
    }

    async fn revoke_one(
        &self,
        http: &Http,
        url: &str,
        token: &StandardRevocableToken,
    ) -> Result<(), OAuthError> {
        let secrets: Vec<&str> = [Some(token.secret()), self.client_secret.as_ref().map(Secret::expose)]
            .into_iter()
            .flatten()
            .collect();
        if is_loopback_http(url) {
            // the oauth2 crate accepts only https:// revocation endpoints; a test server on
            // loopback speaks plain HTTP: the same RFC 7009 request, made here
            return revoke_on_loopback(http, url, self, token, &secrets).await;
        }
        let client = oauth_client(
            &self.client_id,
            self.client_secret.as_ref(),
            None,
            &self.token_url,
            None,
            Some(url),
        )?;
        let request = client.revoke_token(token.clone()).map_err(|e| OAuthError::Setup(e.to_string()))?;
        let recording = http.recording();
        match request.request_async(&recording).await {
            Ok(()) => Ok(()),
            Err(e) => Err(request_error(e, Step::Revocation, url, http, recording.status(), &secrets)),
        }
    }
}

/// RFC 7009 revocation against an `http://` loopback endpoint (see [`Profile::revoke`]).
async fn revoke_on_loopback(
    http: &Http,
    url: &str,
    profile: &Profile,
    token: &StandardRevocableToken,
    secrets: &[&str],
) -> Result<(), OAuthError> {
    let mut form = vec![("token", token.secret().to_owned()), ("client_id", profile.client_id.clone())];
    if let Some(hint) = token.type_hint() {
        form.push(("token_type_hint", hint.to_string()));
    }
    if let Some(secret) = &profile.client_secret {
        form.push(("client_secret", secret.expose().to_owned()));
    }
    let body = form
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", oauth2::url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>())
        })
        .collect::<Vec<_>>()
        .join("&");
    let res = http
        .client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| http.unreachable(url, crate::error::scrub(&crate::http::error_chain(e), secrets)))?;
    if res.status().is_success() {
        return Ok(());
    }
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let code = v.get("error").and_then(|c| c.as_str()).unwrap_or("unknown_error");
    let desc = v.get("error_description").and_then(|c| c.as_str());
    Err(OAuthError::Endpoint {
        step: Step::Revocation,
        error: EndpointError::new(Some(status), code, desc, secrets),
    })
}

/// Which token a revocation was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TokenKind {
    /// The refresh token.
    #[serde(rename = "refresh token")]
    Refresh,
    /// The access token.
    #[serde(rename = "access token")]
    Access,
}

impl TokenKind {
    /// `refresh token` or `access token`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Refresh => "refresh token",
            Self::Access => "access token",
        }
    }
}

/// One token's revocation.
#[derive(Debug)]
pub struct Revocation {
    /// The token.
    pub token: TokenKind,
    /// Its outcome.
    pub result: Result<(), OAuthError>,
}

/// What [`Profile::revoke`] did.
#[derive(Debug)]
pub struct Revocations {
    /// False when the provider has no revocation endpoint (nothing was tried).
    pub endpoint: bool,
    /// Each token tried.
    pub outcomes: Vec<Revocation>,
}

// ------------------------------------------------------------------ the token diagnose uses

/// Why the refresh of a stored sign-in failed (no secret in it).
#[derive(Clone, Debug)]
pub struct RefreshFailure {
    /// The provider's error code (`invalid_grant`), or a refused certificate's finding id.
    pub code: Option<String>,
    /// In words.
    pub message: String,
}

impl From<&OAuthError> for RefreshFailure {
    fn from(e: &OAuthError) -> Self {
        Self { code: e.code().map(str::to_owned), message: e.detail() }
    }
}

/// The stored sign-in a `diagnose` used (no secret in it).
#[derive(Clone, Debug)]
pub struct StoredSignIn {
    /// The sign-in's name.
    pub profile: String,
    /// A page of its issuer, whose `Date` header a clock check compares with this clock.
    pub clock_url: String,
    /// The refresh that was needed and failed (`invalid_grant`: revoked or expired).
    pub refresh_failure: Option<RefreshFailure>,
}

/// A stored sign-in's access token, and where it came from.
#[derive(Debug)]
pub struct StoredToken {
    /// The access token.
    pub token: Secret,
    /// Where it came from, and whether a refresh failed.
    pub use_: StoredSignIn,
}

/// The access token of the stored sign-in `profile` (`None`: the only one stored), refreshed
/// first when it has expired or expires within [`REFRESH_MARGIN_SECS`]. A failed refresh is not
/// an error here: the stale token is handed back with the failure, as evidence.
pub async fn stored_access_token(
    store: &Store,
    profile: Option<&str>,
    timeout: Duration,
    ca_file: Option<&Path>,
) -> Result<StoredToken, OAuthError> {
    let name = store.pick(profile, None)?;
    let (mut p, _) = store.load(&name).await?;
    let mut refresh_failure = None;
    if p.expires_within(crate::unix_now(), REFRESH_MARGIN_SECS) {
        let http = Http::new(timeout, ca_file)?;
        match p.refresh(&http).await {
            Ok(new) => {
                store.save(&new).await?;
                p = new;
            }
            Err(e) => refresh_failure = Some(RefreshFailure::from(&e)),
        }
    }
    // the issuer's discovery document: a page every OAuth server serves, for its Date header
    let clock_url = match &p.issuer {
        Some(i) => format!("{}/.well-known/openid-configuration", i.trim_end_matches('/')),
        None => p.token_url.clone(),
    };
    Ok(StoredToken {
        token: p.access_token.clone(),
        use_: StoredSignIn { profile: name, clock_url, refresh_failure },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_json_keeps_its_fields_and_a_refresh_keeps_what_it_does_not_say() {
        let json = r#"{"name":"p","provider":"microsoft","client_id":"c","token_url":"https://t/token",
            "obtained_at":5,"access_token":"A","refresh_token":"R","scopes":["s1"],"user":"u@x"}"#;
        let p = Profile::from_json(json).unwrap();
        assert_eq!((p.provider, p.expires_at, p.issuer.as_deref()), (Provider::Microsoft, None, None));
        let back: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(back["access_token"], "A");
        assert_eq!(back["provider"], "microsoft");
        let tokens = Tokens {
            access_token: Secret::new("A2"),
            refresh_token: None,
            expires_in: Some(Duration::from_secs(600)),
            obtained_at: 1000,
            scopes: None,
            user: None,
        };
        let q = p.updated(&tokens);
        assert_eq!(q.refresh_token.as_ref().map(Secret::expose), Some("R"));
        assert_eq!(
            (q.user.as_deref(), q.scopes.clone(), q.expires_at),
            (Some("u@x"), vec!["s1".to_owned()], Some(1600))
        );
        assert!(q.expires_within(1545, 60) && !q.expires_within(1539, 60));
        assert!(Profile::from_json("{\"access_token\":\"SECRET\"").is_none());
    }
}
