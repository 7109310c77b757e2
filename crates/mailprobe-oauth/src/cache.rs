//! A token cache for a service that sends on its own (the relay): it hands out a valid access
//! token, asks the token endpoint again before the token expires, asks once however many
//! callers wait, keeps a rotated refresh token, and rides out a token endpoint outage while
//! the token it has is still valid. Its clock can be set, so tests can move time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use mailprobe_proto::Secret;
use tokio::sync::Mutex;

use crate::error::OAuthError;
use crate::grant::TokenEndpoint;

/// Ask for a new token this long before the current one expires, at most (a one-hour token is
/// renewed after 55 minutes; a short one at half its life).
pub const RENEW_BEFORE_SECS: i64 = 300;
/// A token is handed out only while it has at least this long left (a message in flight must
/// not reach the server with a token that expired on the way).
pub const MIN_VALIDITY_SECS: i64 = 30;
/// After a failed request, wait this long before asking again while the old token still works.
pub const RETRY_AFTER_FAILURE_SECS: i64 = 15;
/// The lifetime assumed when the server does not say one (OAuth's `expires_in` is optional).
pub const DEFAULT_LIFETIME_SECS: i64 = 3600;

/// A source of the current time, in Unix seconds.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now.
    fn now(&self) -> i64;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        crate::unix_now()
    }
}

/// A clock that stands still until it is set or moved (tests).
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock reading `now`.
    pub fn new(now: i64) -> Self {
        Self(Arc::new(AtomicI64::new(now)))
    }

    /// Sets it to `now`.
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// Moves it `secs` seconds on.
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// An access token handed out by a [`TokenCache`].
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// When it expires (Unix seconds, by the cache's clock).
    pub expires_at: i64,
    /// When it was obtained (by the cache's clock).
    pub obtained_at: i64,
}

/// Which grant gets the tokens.
#[derive(Debug)]
enum Grant {
    ClientCredentials,
    /// The current refresh token (replaced when the server rotates it).
    RefreshToken(StdMutex<Secret>),
}

#[derive(Debug, Default)]
struct State {
    current: Option<AccessToken>,
    /// When to ask the endpoint again.
    renew_at: i64,
    /// How many requests the endpoint has been sent (and how many failed).
    requests: u64,
    failures: u64,
}

type OnRotation = Box<dyn Fn(&Secret) + Send + Sync>;

/// A cache of access tokens for one client, grant and scope.
pub struct TokenCache {
    endpoint: TokenEndpoint,
    grant: Grant,
    scopes: Vec<String>,
    clock: Arc<dyn Clock>,
    on_rotation: Option<OnRotation>,
    state: Mutex<State>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("endpoint", &self.endpoint.url())
            .field("client_id", &self.endpoint.client_id())
            .field("grant", &self.grant_name())
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// Tokens from the client-credentials grant (the endpoint's client needs a secret or a
    /// certificate).
    pub fn client_credentials(endpoint: TokenEndpoint, scopes: Vec<String>) -> Self {
        Self::new(endpoint, Grant::ClientCredentials, scopes)
    }

    /// Tokens from the refresh-token grant, starting with `refresh_token`.
    pub fn refresh_token(endpoint: TokenEndpoint, refresh_token: Secret, scopes: Vec<String>) -> Self {
        Self::new(endpoint, Grant::RefreshToken(StdMutex::new(refresh_token)), scopes)
    }

    fn new(endpoint: TokenEndpoint, grant: Grant, scopes: Vec<String>) -> Self {
        Self {
            endpoint,
            grant,
            scopes,
            clock: Arc::new(SystemClock),
            on_rotation: None,
            state: Mutex::default(),
        }
    }

    /// The same cache reading `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Calls `f` with the new refresh token whenever the server rotates it (to store it).
    pub fn on_rotation(mut self, f: impl Fn(&Secret) + Send + Sync + 'static) -> Self {
        self.on_rotation = Some(Box::new(f));
        self
    }

    /// The token endpoint.
    pub fn endpoint(&self) -> &TokenEndpoint {
        &self.endpoint
    }

    /// `client_credentials` or `refresh_token`.
    pub fn grant_name(&self) -> &'static str {
        match self.grant {
            Grant::ClientCredentials => "client_credentials",
            Grant::RefreshToken(_) => "refresh_token",
        }
    }

    /// The current refresh token of a refresh-token cache.
    pub fn current_refresh_token(&self) -> Option<Secret> {
        match &self.grant {
            Grant::RefreshToken(rt) => Some(rt.lock().unwrap_or_else(|p| p.into_inner()).clone()),
            Grant::ClientCredentials => None,
        }
    }

    /// How many requests the endpoint was sent, and how many of them failed.
    pub async fn requests(&self) -> (u64, u64) {
        let s = self.state.lock().await;
        (s.requests, s.failures)
    }

    /// A valid access token: the cached one, or a new one when the cached one is due for
    /// renewal. When the endpoint fails while the cached token still has
    /// [`MIN_VALIDITY_SECS`] left, that token is handed out and the endpoint asked again after
    /// [`RETRY_AFTER_FAILURE_SECS`].
    pub async fn token(&self) -> Result<AccessToken, OAuthError> {
        let mut state = self.state.lock().await;
        let now = self.clock.now();
        let usable = |t: &AccessToken| t.expires_at - MIN_VALIDITY_SECS > now;
        if let Some(t) = &state.current
            && now < state.renew_at
            && usable(t)
        {
            return Ok(t.clone());
        }
        state.requests += 1;
        match self.fetch().await {
            Ok(token) => {
                let lifetime = (token.expires_at - token.obtained_at).max(1);
                state.renew_at = token.expires_at - RENEW_BEFORE_SECS.min(lifetime / 2);
                state.current = Some(token.clone());
                Ok(token)
            }
            Err(e) => {
                state.failures += 1;
                match state.current.clone() {
                    Some(t) if usable(&t) => {
                        state.renew_at = now + RETRY_AFTER_FAILURE_SECS;
                        Ok(t)
                    }
                    _ => {
                        state.current = None;
                        Err(e)
                    }
                }
            }
        }
    }

    /// Forgets the cached token (the server refused it): the next [`TokenCache::token`] asks
    /// the endpoint.
    pub async fn invalidate(&self) {
        let mut state = self.state.lock().await;
        state.current = None;
        state.renew_at = 0;
    }

    async fn fetch(&self) -> Result<AccessToken, OAuthError> {
        let obtained_at = self.clock.now();
        let tokens = match &self.grant {
            Grant::ClientCredentials => self.endpoint.client_credentials(&self.scopes).await?,
            Grant::RefreshToken(current) => {
                let rt = current.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let tokens = self.endpoint.refresh(&rt, &self.scopes).await?;
                if let Some(new) = tokens.refresh_token.as_ref().filter(|new| **new != rt) {
                    *current.lock().unwrap_or_else(|p| p.into_inner()) = new.clone();
                    if let Some(f) = &self.on_rotation {
                        f(new);
                    }
                }
                tokens
            }
        };
        let lifetime = tokens
            .expires_in
            .map_or(DEFAULT_LIFETIME_SECS, |d| i64::try_from(d.as_secs()).unwrap_or(DEFAULT_LIFETIME_SECS))
            .max(1);
        Ok(AccessToken { token: tokens.access_token, expires_at: obtained_at + lifetime, obtained_at })
    }
}
