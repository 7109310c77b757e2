//! Token requests without a person: the refresh-token grant and the client-credentials grant
//! (client secret, or a certificate's signed assertion), and what a token endpoint answers.

use std::sync::Arc;
use std::time::Duration;

use mailprobe_proto::{Secret, claims_from_map, decode_jwt_claims};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, Client, ClientId, ClientSecret, DeviceAuthorizationUrl, EndpointMaybeSet,
    EndpointNotSet, ExtraTokenFields, RefreshToken, RequestTokenError, RevocationUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::assertion::CertificateCredential;
use crate::error::{EndpointError, OAuthError, Step, scrub};
use crate::http::{Http, Recording, TransportError, check_endpoint, without_query};

/// What a token endpoint gave.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// The access token.
    pub access_token: Secret,
    /// A refresh token, when the server gave one (a new one replaces the old: rotation).
    pub refresh_token: Option<Secret>,
    /// Its lifetime, when the server said it.
    pub expires_in: Option<Duration>,
    /// When it was asked for (Unix seconds).
    pub obtained_at: i64,
    /// The scopes granted, when the server said them.
    pub scopes: Option<Vec<String>>,
    /// Who signed in, from the ID token (OpenID Connect) or the access token's claims.
    pub user: Option<String>,
}

impl Tokens {
    /// When the access token expires (Unix seconds), when the server said its lifetime.
    pub fn expires_at(&self) -> Option<i64> {
        self.expires_in
            .map(|d| self.obtained_at.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)))
    }

    pub(crate) fn from_response(response: &TokenResponse, obtained_at: i64) -> Self {
        let access_token = response.access_token().secret().clone();
        let user = response
            .extra_fields()
            .id_token
            .as_deref()
            .and_then(decode_jwt_claims)
            .and_then(|m| claims_from_map(&m).user)
            .or_else(|| decode_jwt_claims(&access_token).and_then(|m| claims_from_map(&m).user));
        Self {
            refresh_token: response.refresh_token().map(|r| Secret::new(r.secret().clone())),
            expires_in: response.expires_in(),
            obtained_at,
            scopes: response.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()),
            user,
            access_token: Secret::new(access_token),
        }
    }
}

/// How the client proves who it is at the token endpoint.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// A public client: only its id (installed apps, device flow).
    None,
    /// A client secret in an HTTP Basic header (`client_secret_basic`, RFC 6749 §2.3.1).
    SecretBasic(Secret),
    /// A client secret in the form body (`client_secret_post`, as Microsoft's documentation
    /// shows it).
    SecretPost(Secret),
    /// An assertion signed with the client's certificate (`private_key_jwt`, RFC 7523; Microsoft
    /// Entra's certificate credentials).
    Certificate(Arc<CertificateCredential>),
}

impl ClientAuth {
    /// The client secret, when there is one.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            Self::SecretBasic(s) | Self::SecretPost(s) => Some(s),
            _ => None,
        }
    }
}

/// A token endpoint and the client that asks it, for requests without a person.
#[derive(Clone, Debug)]
pub struct TokenEndpoint {
    url: String,
    client_id: String,
    auth: ClientAuth,
    http: Http,
}

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl TokenEndpoint {
    /// The endpoint at `url` (https://, or http:// on loopback only) for the client `client_id`.
    pub fn new(url: &str, client_id: &str, auth: ClientAuth, http: Http) -> Result<Self, OAuthError> {
        if client_id.trim().is_empty() {
            return Err(OAuthError::Setup("the client id is empty".into()));
        }
        let url = check_endpoint("token endpoint", url)?;
        Ok(Self { url: without_query(&url), client_id: client_id.trim().to_owned(), auth, http })
    }

    /// The endpoint's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The HTTP client (to ask why a certificate was refused).
    pub fn http(&self) -> &Http {
        &self.http
    }

    /// The client-credentials grant: a token for the app itself (Microsoft 365 app-only with
    /// `https://outlook.office365.com/.default`). Needs a secret or a certificate.
    pub async fn client_credentials(&self, scopes: &[String]) -> Result<Tokens, OAuthError> {
        if matches!(self.auth, ClientAuth::None) {
            return Err(OAuthError::Setup(
                "the client-credentials grant needs a client secret or a client certificate".into(),
            ));
        }
        let client = self.client()?;
        let mut request = client
            .exchange_client_credentials()
            .map_err(|e| OAuthError::Setup(e.to_string()))?
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())));
        let assertion = self.assertion()?;
        if let Some(a) = &assertion {
            request = request.add_extra_param("client_assertion_type", ASSERTION_TYPE);
            request = request.add_extra_param("client_assertion", a.expose());
        }
        let http = self.http.recording();
        let obtained_at = crate::unix_now();
        let response = request.request_async(&http).await;
        self.finish(response, &http, obtained_at, Step::ClientCredentials, &[assertion.as_ref()])
    }

    /// The refresh-token grant: a new access token (and perhaps a new refresh token) without a
    /// person. `scopes` empty: the scopes of the original sign-in.
    pub async fn refresh(&self, refresh_token: &Secret, scopes: &[String]) -> Result<Tokens, OAuthError> {
        let client = self.client()?;
        let rt = RefreshToken::new(refresh_token.expose().to_owned());
        let mut request = client
            .exchange_refresh_token(&rt)
            .map_err(|e| OAuthError::Setup(e.to_string()))?
            .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())));
        let assertion = self.assertion()?;
        if let Some(a) = &assertion {
            request = request.add_extra_param("client_assertion_type", ASSERTION_TYPE);
            request = request.add_extra_param("client_assertion", a.expose());
        }
        let http = self.http.recording();
        let obtained_at = crate::unix_now();
        let response = request.request_async(&http).await;
        self.finish(response, &http, obtained_at, Step::Refresh, &[Some(refresh_token), assertion.as_ref()])
    }

    fn client(&self) -> Result<OAuthClient, OAuthError> {
        let client = oauth_client(&self.client_id, self.auth.secret(), None, &self.url, None, None)?;
        Ok(match self.auth {
            ClientAuth::SecretPost(_) => client.set_auth_type(AuthType::RequestBody),
            _ => client,
        })
    }

    fn assertion(&self) -> Result<Option<Secret>, OAuthError> {
        match &self.auth {
            ClientAuth::Certificate(c) => {
                c.assertion(&self.url, &self.client_id, crate::unix_now()).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn finish(
        &self,
        response: Result<TokenResponse, RequestTokenError<TransportError, BasicErrorResponse>>,
        http: &Recording<'_>,
        obtained_at: i64,
        step: Step,
        also_secret: &[Option<&Secret>],
    ) -> Result<Tokens, OAuthError> {
        let mut secrets: Vec<&str> = also_secret.iter().flatten().map(|s| s.expose()).collect();
        secrets.extend(self.auth.secret().map(Secret::expose));
        match response {
            Ok(r) => {
                let tokens = Tokens::from_response(&r, obtained_at);
                if tokens.access_token.is_empty() {
                    return Err(OAuthError::BadResponse {
                        url: self.url.clone(),
                        status: http.status(),
                        detail: "an empty access_token".into(),
                    });
                }
                Ok(tokens)
            }
            Err(e) => Err(request_error(e, step, &self.url, &self.http, http.status(), &secrets)),
        }
    }
}

// ------------------------------------------------------------------ the oauth2 crate's client

/// The `id_token` next to the access token (OpenID Connect): only to say who signed in.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(crate) struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

pub(crate) type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
pub(crate) type OAuthClient = Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointMaybeSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// An oauth2 client for these endpoints; each must be https:// (or http:// on loopback).
pub(crate) fn oauth_client(
    client_id: &str,
    secret: Option<&Secret>,
    auth_url: Option<&str>,
    token_url: &str,
    device_url: Option<&str>,
    revocation_url: Option<&str>,
) -> Result<OAuthClient, OAuthError> {
    let bad = |e: oauth2::url::ParseError| OAuthError::Setup(format!("an endpoint is not a URL: {e}"));
    let url = |what: &str, u: Option<&str>| u.map(|u| check_endpoint(what, u)).transpose();
    let mut client = Client::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri_option(
            url("authorization endpoint", auth_url)?.map(AuthUrl::new).transpose().map_err(bad)?,
        )
        .set_token_uri_option(Some(TokenUrl::new(check_endpoint("token endpoint", token_url)?).map_err(bad)?))
        .set_device_authorization_url_option(
            url("device endpoint", device_url)?.map(DeviceAuthorizationUrl::new).transpose().map_err(bad)?,
        )
        .set_revocation_url_option(
            url("revocation endpoint", revocation_url)?.map(RevocationUrl::new).transpose().map_err(bad)?,
        );
    if let Some(s) = secret {
        client = client.set_client_secret(ClientSecret::new(s.expose().to_owned()));
    }
    Ok(client)
}

/// An oauth2 request's error as an [`OAuthError`]: of what the server sent back, only its
/// error code and description (scrubbed of `secrets`); a response that did not parse could hold
/// a token and is not quoted.
pub(crate) fn request_error<ER: oauth2::ErrorResponse + 'static>(
    e: RequestTokenError<TransportError, ER>,
    step: Step,
    url: &str,
    http: &Http,
    status: Option<u16>,
    secrets: &[&str],
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let v = serde_json::to_value(&r).unwrap_or_default();
            let code = v.get("error").and_then(|c| c.as_str()).unwrap_or("unknown_error");
            let desc = v.get("error_description").and_then(|c| c.as_str());
            OAuthError::Endpoint { step, error: EndpointError::new(status, code, desc, secrets) }
        }
        RequestTokenError::Request(e) => http.unreachable(url, scrub(&e.to_string(), secrets)),
        RequestTokenError::Parse(_, _) => OAuthError::BadResponse {
            url: without_query(url),
            status,
            detail: "not an OAuth 2.0 token response".into(),
        },
        RequestTokenError::Other(s) => {
            OAuthError::BadResponse { url: without_query(url), status, detail: scrub(&s, secrets) }
        }
    }
}
