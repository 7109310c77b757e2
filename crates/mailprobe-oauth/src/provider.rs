//! Identity providers and their endpoints: Google and Microsoft built in, any other from its
//! issuer's discovery document.

use serde::{Deserialize, Serialize};

use crate::error::OAuthError;
use crate::http::{Http, error_chain};

/// The scope of a Microsoft 365 app-only token for SMTP (`SMTP.SendAsApp`) and IMAP.
pub const MICROSOFT_APP_ONLY_SCOPE: &str = "https://outlook.office365.com/.default";
/// The delegated scope of Microsoft 365 SMTP AUTH.
pub const MICROSOFT_SMTP_SCOPE: &str = "https://outlook.office.com/SMTP.Send";
/// Google's scope for IMAP, POP and SMTP.
pub const GOOGLE_MAIL_SCOPE: &str = "https://mail.google.com/";

/// An identity provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Google (Gmail, Workspace).
    Google,
    /// Microsoft (Exchange Online, Outlook.com).
    Microsoft,
    /// Any OAuth 2.0 / OpenID Connect server, from its discovery document.
    Custom,
}

impl Provider {
    /// Its name (`google`), also the default name of its stored sign-in.
    pub fn id(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Microsoft => "microsoft",
            Self::Custom => "custom",
        }
    }
}

/// How a person signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// In a browser, back to a listener on 127.0.0.1 (authorization code + PKCE).
    Browser,
    /// With a code entered on another device (RFC 8628).
    Device,
}

/// The endpoints and defaults of one provider.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// The issuer (its discovery document and `Date` header are at its address).
    pub issuer: Option<String>,
    /// The authorization endpoint (browser flow).
    pub auth_url: Option<String>,
    /// The token endpoint.
    pub token_url: String,
    /// The device authorization endpoint.
    pub device_url: Option<String>,
    /// The RFC 7009 revocation endpoint.
    pub revocation_url: Option<String>,
    /// The scopes asked for when none are given.
    pub default_scopes: Vec<String>,
    /// The flow used when none is given.
    pub default_flow: Flow,
    /// Extra authorization parameters (Google: `access_type=offline`, `prompt=consent`).
    pub extra: Vec<(String, String)>,
}

impl Endpoints {
    /// Google's endpoints: the installed-app flow, scope `https://mail.google.com/`.
    pub fn google() -> Self {
        Self {
            issuer: Some("https://accounts.google.com".into()),
            auth_url: Some("https://accounts.google.com/o/oauth2/v2/auth".into()),
            token_url: "https://oauth2.googleapis.com/token".into(),
            device_url: Some("https://oauth2.googleapis.com/device/code".into()),
            revocation_url: Some("https://oauth2.googleapis.com/revoke".into()),
            default_scopes: vec![GOOGLE_MAIL_SCOPE.into(), "openid".into(), "email".into()],
            default_flow: Flow::Browser,
            extra: vec![("access_type".into(), "offline".into()), ("prompt".into(), "consent".into())],
        }
    }

    /// Microsoft's endpoints for `tenant` (`organizations`, `common`, a domain or a tenant id):
    /// the device-code flow, scope `SMTP.Send` with a refresh token.
    pub fn microsoft(tenant: &str) -> Result<Self, OAuthError> {
        let base = microsoft_base(tenant)?;
        Ok(Self {
            issuer: Some(format!("https://login.microsoftonline.com/{tenant}/v2.0")),
            auth_url: Some(format!("{base}/authorize")),
            token_url: format!("{base}/token"),
            device_url: Some(format!("{base}/devicecode")),
            // Microsoft's identity platform has no RFC 7009 revocation endpoint
            revocation_url: None,
            default_scopes: vec![MICROSOFT_SMTP_SCOPE.into(), "offline_access".into()],
            default_flow: Flow::Device,
            extra: vec![],
        })
    }

    /// Reads `ISSUER/.well-known/openid-configuration` (or the OAuth 2.0 server metadata).
    pub async fn discover(issuer: &str, http: &Http) -> Result<Self, OAuthError> {
        let issuer = issuer.trim_end_matches('/');
        let mut last = String::new();
        for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
            let url = format!("{issuer}{path}");
            let res = match http.client().get(&url).send().await {
                Ok(r) => r,
                Err(e) => {
                    if let Some(refused) = http.refused() {
                        return Err(OAuthError::Certificate(Box::new(refused)));
                    }
                    last = format!("{url}: {}", error_chain(e));
                    continue;
                }
            };
            if !res.status().is_success() {
                last = format!("{url}: HTTP {}", res.status());
                continue;
            }
            let bytes = res.bytes().await.map_err(|e| OAuthError::Discovery {
                issuer: issuer.to_owned(),
                detail: format!("reading {url}: {}", error_chain(e)),
            })?;
            let doc: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|_| OAuthError::Discovery {
                    issuer: issuer.to_owned(),
                    detail: format!("{url} is not a JSON document"),
                })?;
            let s = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let token_url = s("token_endpoint").ok_or_else(|| OAuthError::Discovery {
                issuer: issuer.to_owned(),
                detail: format!("{url} names no token_endpoint"),
            })?;
            let device_url = s("device_authorization_endpoint");
            let auth_url = s("authorization_endpoint");
            return Ok(Self {
                issuer: s("issuer").or_else(|| Some(issuer.to_owned())),
                default_flow: if auth_url.is_none() && device_url.is_some() {
                    Flow::Device
                } else {
                    Flow::Browser
                },
                auth_url,
                token_url,
                device_url,
                revocation_url: s("revocation_endpoint"),
                default_scopes: vec!["openid".into(), "email".into(), "offline_access".into()],
                extra: vec![("prompt".into(), "consent".into())],
            });
        }
        Err(OAuthError::Discovery { issuer: issuer.to_owned(), detail: last })
    }
}

/// Microsoft's token endpoint for `tenant`: where an app-only (client-credentials) or a
/// headless refresh request goes.
pub fn microsoft_token_url(tenant: &str) -> Result<String, OAuthError> {
    Ok(format!("{}/token", microsoft_base(tenant)?))
}

fn microsoft_base(tenant: &str) -> Result<String, OAuthError> {
    let t = tenant;
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
        return Err(OAuthError::Setup(format!("the tenant {t:?} is not a tenant name or id")));
    }
    Ok(format!("https://login.microsoftonline.com/{t}/oauth2/v2.0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_tenants_become_urls_and_odd_ones_are_refused() {
        assert_eq!(
            microsoft_token_url("contoso.com").unwrap(),
            "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token"
        );
        let ep = Endpoints::microsoft("organizations").unwrap();
        assert_eq!(ep.default_flow, Flow::Device);
        assert!(ep.revocation_url.is_none());
        for bad in ["", "a/b", "x?y", "evil.example/../"] {
            assert!(Endpoints::microsoft(bad).is_err(), "{bad}");
        }
        assert_eq!(Endpoints::google().default_scopes[0], GOOGLE_MAIL_SCOPE);
        assert_eq!(Provider::Microsoft.id(), "microsoft");
    }
}
