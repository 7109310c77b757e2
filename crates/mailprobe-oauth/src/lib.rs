//! OAuth 2.0 for mail: sign-in flows, token store and refresh, inspection.
//!
//! - [`signin`]: a person signs in — Google's installed-app flow (a loopback redirect listener
//!   on 127.0.0.1 and PKCE) or Microsoft's device-code flow; any other provider from its
//!   issuer's discovery document ([`Endpoints::discover`]).
//! - [`store`] and [`profile`]: the sign-in is kept in the OS keyring, or where there is none in
//!   an owner-only (0600) file; refreshed, revoked, and handed to `diagnose`.
//! - [`grant`]: requests without a person — the refresh-token grant and the client-credentials
//!   grant (Microsoft 365 app-only, `SMTP.SendAsApp`) with a client secret or a certificate's
//!   signed assertion ([`CertificateCredential`]).
//! - [`cache`]: a token cache that hands out a valid access token and renews it before expiry,
//!   for a service that sends on its own (the relay).
//! - [`evidence`]: what a token says (audience, scopes, account, expiry) as transcript evidence.
//!
//! Requests are made by the `oauth2` crate (no hand-made OAuth requests, but the RFC 7009
//! revocation on a plain-HTTP loopback test server), over HTTPS that trusts what a probe
//! trusts. Nothing here prints: functions return data and typed errors ([`OAuthError`]), whose
//! text never holds a token or a secret — of a server's error answer only its OAuth `error`
//! and `error_description` (with Microsoft's `AADSTS` code) are kept, scrubbed of the secrets
//! the request carried.

pub mod assertion;
pub mod cache;
pub mod error;
pub mod evidence;
pub mod grant;
pub mod http;
pub mod profile;
pub mod provider;
pub mod signin;
pub mod store;

pub use assertion::{AssertionAlgorithm, CertificateCredential};
pub use cache::{AccessToken, Clock, ManualClock, SystemClock, TokenCache};
pub use error::{EndpointError, OAuthError, RefusedCertificate, Step, StoreError};
pub use grant::{ClientAuth, TokenEndpoint, Tokens};
pub use http::Http;
pub use profile::{
    Profile, ProfileView, RefreshFailure, Revocation, Revocations, StoredSignIn, StoredToken, TokenKind,
    stored_access_token,
};
pub use provider::{
    Endpoints, Flow, GOOGLE_MAIL_SCOPE, MICROSOFT_APP_ONLY_SCOPE, MICROSOFT_SMTP_SCOPE, Provider,
    microsoft_token_url,
};
pub use signin::{BrowserSignIn, DeviceSignIn};
pub use store::{Store, StoreKind, StoreView};

/// Now, in Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Unix seconds as RFC 3339 (`2026-12-07T10:00:00Z`).
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}
