//! Bearer-token inspection without trusting the token: a JWT access token (Microsoft's are JWTs;
//! Google's are opaque) is decoded, never verified, and its claims are compared with what the
//! mail server needs — a live audience, the sending scope, the right account, a sane clock.
//!
//! Nothing here proves a token valid (only the provider can); it explains why a token the server
//! refused would be refused, and it never keeps or shows the token itself.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Protocol;

/// Tolerance for clock differences between issuer and client (as most validators allow).
pub const CLOCK_LEEWAY_SECS: i64 = 300;

/// What a token was found to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFormat {
    /// A JSON Web Token: its claims could be read.
    Jwt,
    /// Anything else (Google's `ya29.…`, most other providers): nothing to read.
    Opaque,
}

/// One thing wrong with a token, as its claims show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TokenProblem {
    /// `exp` is in the past.
    Expired {
        /// Seconds since it expired.
        seconds_ago: i64,
    },
    /// `nbf` is in the future (beyond the leeway): the token is not valid yet, or the local
    /// clock is behind.
    NotYetValid {
        /// Seconds until it becomes valid.
        seconds_until: i64,
    },
    /// `iat` is in the future (beyond the leeway): the issuer's clock and this one disagree.
    IssuedInFuture {
        /// Seconds ahead of the local clock.
        seconds_ahead: i64,
    },
    /// The token is for another service (`aud`), e.g. Microsoft Graph instead of Outlook.
    WrongAudience {
        /// The audiences that would do.
        expected: Vec<String>,
        /// The token's audiences.
        found: Vec<String>,
    },
    /// None of the scopes the mail server needs was granted.
    MissingScope {
        /// Any one of these would do.
        needed: Vec<String>,
        /// The scopes (or roles) the token has.
        found: Vec<String>,
    },
    /// The token belongs to another account than the one logging in or sending.
    WrongAccount {
        /// The account in the token.
        token_user: String,
        /// The login name or sender address.
        expected: String,
    },
}

impl TokenProblem {
    /// The problem's serde name (`expired`, `wrong_scope`…), for ids and rules.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::IssuedInFuture { .. } => "issued_in_future",
            Self::WrongAudience { .. } => "wrong_audience",
            Self::MissingScope { .. } => "missing_scope",
            Self::WrongAccount { .. } => "wrong_account",
        }
    }

    /// True for problems that point at the local clock rather than at the token.
    pub fn suggests_clock_skew(&self) -> bool {
        matches!(self, Self::NotYetValid { .. } | Self::IssuedInFuture { .. })
    }
}

/// What a token's claims say (never the token, never its signature).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// `iss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `aud`, one or many.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<String>,
    /// Delegated scopes: `scp` (Microsoft) or `scope` (RFC 9068), split on spaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Application roles (`roles`, app-only tokens).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The account: `upn`, `unique_name`, `email`, `preferred_username` or `sub`, first found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Which claim `user` came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_claim: Option<String>,
    /// `tid` (Microsoft's tenant id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// `azp` / `appid` / `client_id`: the application the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// `exp`, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// `nbf`, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<i64>,
    /// `iat`, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<i64>,
}

/// The result of inspecting one token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInspection {
    /// JWT or opaque.
    pub format: TokenFormat,
    /// The claims, for a JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<TokenClaims>,
    /// The local clock when inspected, Unix seconds.
    pub checked_at: i64,
    /// What is wrong, most decisive first.
    #[serde(default)]
    pub problems: Vec<TokenProblem>,
}

/// What the mail server needs from a token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenExpectations {
    /// Audiences that would do (empty: not checked).
    pub audiences: Vec<String>,
    /// Scopes of which one must be present (empty: not checked). Matched with or without the
    /// resource prefix (`SMTP.Send` = `https://outlook.office.com/SMTP.Send`).
    pub scopes_any: Vec<String>,
    /// The login name and sender address the token must belong to.
    pub accounts: Vec<String>,
}

/// Microsoft Exchange Online's audiences (URL forms and the app id).
pub const OUTLOOK_AUDIENCES: &[&str] =
    &["https://outlook.office.com", "https://outlook.office365.com", "00000002-0000-0ff1-ce00-000000000000"];
/// Google's full mail scope (the only one that allows SMTP and IMAP).
pub const GOOGLE_MAIL_SCOPE: &str = "https://mail.google.com/";

/// Microsoft Graph's audiences (URL form and app id): a Microsoft token, but not one for mail.
pub const GRAPH_AUDIENCES: &[&str] = &["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"];

fn is_outlook_audience(aud: &str) -> bool {
    let a = aud.trim_end_matches('/');
    OUTLOOK_AUDIENCES.iter().any(|o| a.eq_ignore_ascii_case(o))
}

/// A token Microsoft's identity platform issued: for Exchange Online, for Graph, or signed by
/// its issuers (`login.microsoftonline.com`, `sts.windows.net`).
fn is_microsoft_token(c: &TokenClaims) -> bool {
    let graph = |a: &str| GRAPH_AUDIENCES.iter().any(|g| a.trim_end_matches('/').eq_ignore_ascii_case(g));
    c.audience.iter().any(|a| is_outlook_audience(a) || graph(a))
        || c.issuer.as_deref().is_some_and(|i| {
            let i = i.to_ascii_lowercase();
            i.starts_with("https://login.microsoftonline.com/") || i.starts_with("https://sts.windows.net/")
        })
}

impl TokenExpectations {
    /// What a mail server at `host` needs for `protocol`, from the host name (Microsoft and
    /// Google) or, when the host says nothing, from the token's own audience.
    pub fn for_server(protocol: Protocol, host: &str, claims: Option<&TokenClaims>) -> Self {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let microsoft = ["office365.com", "outlook.com", "office.com", "hotmail.com"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
        let google = ["gmail.com", "googlemail.com", "google.com"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
        // a token for Graph sent to a mail server is still judged by what Exchange Online needs
        let token_outlook = claims.is_some_and(is_microsoft_token);
        let token_google = claims.is_some_and(|c| {
            c.audience.iter().any(|a| a == GOOGLE_MAIL_SCOPE)
                || c.scopes.iter().any(|s| s == GOOGLE_MAIL_SCOPE)
        });
        let ms_scope = match protocol {
            // DNS checks carry no token; they are about sending.
            Protocol::Smtp | Protocol::Dns => "SMTP.Send",
            Protocol::Imap => "IMAP.AccessAsUser.All",
        };
        if microsoft || (!google && token_outlook) {
            Self {
                audiences: OUTLOOK_AUDIENCES.iter().map(|s| (*s).to_owned()).collect(),
                scopes_any: vec![ms_scope.to_owned()],
                accounts: Vec::new(),
            }
        } else if google || token_google {
            Self {
                audiences: Vec::new(),
                scopes_any: vec![GOOGLE_MAIL_SCOPE.to_owned()],
                accounts: Vec::new(),
            }
        } else {
            Self::default()
        }
    }
}

/// Splits a token into its three JWT parts and decodes the claims; `None` when it is not a JWT
/// with a JSON object as payload.
pub fn decode_jwt_claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let token = token.trim();
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).or_else(|_| URL_SAFE.decode(s)).ok();
    let header: Value = serde_json::from_slice(&decode(header)?).ok()?;
    header.get("alg")?;
    match serde_json::from_slice(&decode(payload)?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn string_claim(map: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn time_claim(map: &serde_json::Map<String, Value>, key: &str) -> Option<i64> {
    match map.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn list_claim(map: &serde_json::Map<String, Value>, key: &str) -> Vec<String> {
    match map.get(key) {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

/// Reads the claims mailprobe cares about from a decoded JWT payload.
pub fn claims_from_map(map: &serde_json::Map<String, Value>) -> TokenClaims {
    let mut scopes = list_claim(map, "scp");
    if scopes.is_empty() {
        scopes = list_claim(map, "scope");
    }
    let (user_claim, user) = ["upn", "unique_name", "email", "preferred_username", "sub"]
        .iter()
        .find_map(|k| string_claim(map, k).map(|v| (Some((*k).to_owned()), Some(v))))
        .unwrap_or((None, None));
    TokenClaims {
        issuer: string_claim(map, "iss"),
        audience: list_claim(map, "aud"),
        scopes,
        roles: list_claim(map, "roles"),
        user,
        user_claim,
        tenant: string_claim(map, "tid"),
        client: ["azp", "appid", "client_id"].iter().find_map(|k| string_claim(map, k)),
        expires_at: time_claim(map, "exp"),
        not_before: time_claim(map, "nbf"),
        issued_at: time_claim(map, "iat"),
    }
}

/// True when `granted` contains `wanted`, with or without a resource prefix
/// (`https://outlook.office.com/SMTP.Send` grants `SMTP.Send`).
fn scope_matches(granted: &str, wanted: &str) -> bool {
    let short = |s: &str| -> String {
        let s = s.trim_end_matches('/');
        match s.rsplit_once('/') {
            Some((prefix, last)) if prefix.contains("://") && !last.is_empty() && !s.ends_with(".com") => {
                last.to_owned()
            }
            _ => s.to_owned(),
        }
    };
    granted.eq_ignore_ascii_case(wanted) || short(granted).eq_ignore_ascii_case(&short(wanted))
}

/// Inspects a token at local time `now` (Unix seconds) against what the server needs.
pub fn inspect_token(token: &str, now: i64, expect: &TokenExpectations) -> TokenInspection {
    let Some(map) = decode_jwt_claims(token) else {
        return TokenInspection {
            format: TokenFormat::Opaque,
            claims: None,
            checked_at: now,
            problems: Vec::new(),
        };
    };
    let claims = claims_from_map(&map);
    let problems = problems_of(&claims, now, expect);
    TokenInspection { format: TokenFormat::Jwt, claims: Some(claims), checked_at: now, problems }
}

/// What is wrong with a token whose claims are known (from a JWT, or from what the provider
/// said when it issued the token).
pub fn problems_of(claims: &TokenClaims, now: i64, expect: &TokenExpectations) -> Vec<TokenProblem> {
    let mut problems = Vec::new();
    if let Some(exp) = claims.expires_at
        && exp <= now
    {
        problems.push(TokenProblem::Expired { seconds_ago: now - exp });
    }
    if let Some(nbf) = claims.not_before
        && nbf > now + CLOCK_LEEWAY_SECS
    {
        problems.push(TokenProblem::NotYetValid { seconds_until: nbf - now });
    }
    if let Some(iat) = claims.issued_at
        && iat > now + CLOCK_LEEWAY_SECS
    {
        problems.push(TokenProblem::IssuedInFuture { seconds_ahead: iat - now });
    }
    if !expect.audiences.is_empty()
        && !claims.audience.is_empty()
        && !claims.audience.iter().any(|a| {
            expect
                .audiences
                .iter()
                .any(|e| a.trim_end_matches('/').eq_ignore_ascii_case(e.trim_end_matches('/')))
        })
    {
        problems.push(TokenProblem::WrongAudience {
            expected: expect.audiences.clone(),
            found: claims.audience.clone(),
        });
    }
    let granted: Vec<&String> = claims.scopes.iter().chain(&claims.roles).collect();
    // An app-only token (client credentials) carries the application permission
    // SMTP.SendAsApp as a role: Exchange Online takes it for SMTP as SMTP.Send for a user.
    let app_send = |g: &str, w: &str| {
        w.eq_ignore_ascii_case("SMTP.Send")
            && scope_matches(g, "SMTP.SendAsApp")
            && claims.roles.iter().any(|r| r == g)
    };
    if !expect.scopes_any.is_empty()
        && !expect.scopes_any.iter().any(|w| granted.iter().any(|g| scope_matches(g, w) || app_send(g, w)))
    {
        problems.push(TokenProblem::MissingScope {
            needed: expect.scopes_any.clone(),
            found: granted.into_iter().cloned().collect(),
        });
    }
    if let Some(user) = &claims.user
        && user.contains('@')
        && let Some(other) = expect.accounts.iter().find(|a| a.contains('@') && !a.eq_ignore_ascii_case(user))
    {
        problems.push(TokenProblem::WrongAccount { token_user: user.clone(), expected: other.clone() });
    }
    problems
}

/// One line for a step list: `token (JWT) for alice@… , scopes SMTP.Send, expires in 9 min: expired`.
pub fn summarize_inspection(i: &TokenInspection) -> String {
    let Some(c) = &i.claims else {
        return "token inspected: opaque (no claims to read)".to_owned();
    };
    let mut out = format!("token (JWT) for {}", c.user.as_deref().unwrap_or("unknown user"));
    if !c.audience.is_empty() {
        out.push_str(&format!(", audience {}", c.audience.join(" ")));
    }
    if !c.scopes.is_empty() || !c.roles.is_empty() {
        let all: Vec<&str> = c.scopes.iter().chain(&c.roles).map(String::as_str).collect();
        out.push_str(&format!(", scopes {}", all.join(" ")));
    }
    if let Some(exp) = c.expires_at {
        let left = exp - i.checked_at;
        if left >= 0 {
            out.push_str(&format!(", expires in {left} s"));
        } else {
            out.push_str(&format!(", expired {} s ago", -left));
        }
    }
    if !i.problems.is_empty() {
        let names: Vec<&str> = i.problems.iter().map(TokenProblem::name).collect();
        out.push_str(&format!(": {}", names.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwt(claims: Value) -> String {
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        format!("{}.{}.c2ln", enc(&json!({"alg": "RS256", "typ": "JWT"})), enc(&claims))
    }

    const NOW: i64 = 1_800_000_000;

    fn ms_expect(account: &str) -> TokenExpectations {
        TokenExpectations {
            accounts: vec![account.to_owned()],
            ..TokenExpectations::for_server(Protocol::Smtp, "smtp.office365.com", None)
        }
    }

    fn good() -> Value {
        json!({"aud": "https://outlook.office.com", "scp": "SMTP.Send offline_access", "upn": "a@contoso.com",
               "tid": "t1", "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3000, "appid": "app"})
    }

    #[test]
    fn a_good_microsoft_token_has_no_problem() {
        let i = inspect_token(&jwt(good()), NOW, &ms_expect("a@contoso.com"));
        assert_eq!(i.format, TokenFormat::Jwt);
        assert_eq!(i.problems, vec![]);
        let c = i.claims.unwrap();
        assert_eq!(c.user.as_deref(), Some("a@contoso.com"));
        assert_eq!(c.user_claim.as_deref(), Some("upn"));
        assert_eq!(c.scopes, vec!["SMTP.Send", "offline_access"]);
        assert_eq!(c.tenant.as_deref(), Some("t1"));
        assert_eq!(c.client.as_deref(), Some("app"));
    }

    #[test]
    fn each_problem_is_found() {
        let mut v = good();
        v["exp"] = json!(NOW - 10);
        assert_eq!(
            inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems,
            vec![TokenProblem::Expired { seconds_ago: 10 }]
        );
        let mut v = good();
        v["nbf"] = json!(NOW + 600);
        v["iat"] = json!(NOW + 600);
        let p = inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems;
        assert_eq!(
            p,
            vec![
                TokenProblem::NotYetValid { seconds_until: 600 },
                TokenProblem::IssuedInFuture { seconds_ahead: 600 }
            ]
        );
        assert!(p.iter().all(TokenProblem::suggests_clock_skew));
        // within the leeway: nothing
        let mut v = good();
        v["iat"] = json!(NOW + 90);
        assert_eq!(inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems, vec![]);
        let mut v = good();
        v["aud"] = json!("https://graph.microsoft.com");
        v["scp"] = json!("Mail.Send User.Read");
        let p = inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems;
        assert_eq!(
            p.iter().map(TokenProblem::name).collect::<Vec<_>>(),
            vec!["wrong_audience", "missing_scope"]
        );
        let p = inspect_token(&jwt(good()), NOW, &ms_expect("b@contoso.com")).problems;
        assert_eq!(
            p,
            vec![TokenProblem::WrongAccount {
                token_user: "a@contoso.com".into(),
                expected: "b@contoso.com".into()
            }]
        );
    }

    #[test]
    fn scopes_match_with_or_without_their_resource() {
        let mut v = good();
        v.as_object_mut().unwrap().remove("scp");
        v["scope"] = json!("https://outlook.office.com/SMTP.Send");
        assert_eq!(inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems, vec![]);
        assert!(!scope_matches("https://mail.google.com/", "SMTP.Send"));
        assert!(scope_matches("https://mail.google.com/", GOOGLE_MAIL_SCOPE));
        // app-only tokens carry roles: SMTP.SendAsApp is what Exchange Online takes for SMTP
        let mut v = good();
        v.as_object_mut().unwrap().remove("scp");
        v["roles"] = json!(["SMTP.SendAsApp"]);
        assert_eq!(inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems, vec![]);
        // ... as a role only, and only for sending
        let mut v = good();
        v.as_object_mut().unwrap().remove("scp");
        v["roles"] = json!(["Mail.Send"]);
        assert_eq!(inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems.len(), 1);
        let mut v = good();
        v["scp"] = json!("SMTP.SendAsApp");
        assert_eq!(inspect_token(&jwt(v), NOW, &ms_expect("a@contoso.com")).problems.len(), 1);
    }

    #[test]
    fn expectations_follow_the_host_or_the_token() {
        let e = TokenExpectations::for_server(Protocol::Imap, "outlook.office365.com", None);
        assert_eq!(e.scopes_any, vec!["IMAP.AccessAsUser.All"]);
        let e = TokenExpectations::for_server(Protocol::Smtp, "smtp.gmail.com", None);
        assert_eq!(e.scopes_any, vec![GOOGLE_MAIL_SCOPE]);
        let c = claims_from_map(&decode_jwt_claims(&jwt(good())).unwrap());
        let e = TokenExpectations::for_server(Protocol::Smtp, "127.0.0.1", Some(&c));
        assert_eq!(e.scopes_any, vec!["SMTP.Send"]);
        assert_eq!(
            TokenExpectations::for_server(Protocol::Smtp, "mail.example.net", None),
            TokenExpectations::default()
        );
        // a Graph token on an unnamed host is judged as Exchange Online would: wrong audience
        let mut graph = good();
        graph["aud"] = json!("https://graph.microsoft.com");
        graph["scp"] = json!("Mail.Send");
        let c = claims_from_map(&decode_jwt_claims(&jwt(graph.clone())).unwrap());
        let e = TokenExpectations::for_server(Protocol::Smtp, "127.0.0.1", Some(&c));
        let names: Vec<&str> =
            inspect_token(&jwt(graph), NOW, &e).problems.iter().map(TokenProblem::name).collect();
        assert_eq!(names, ["wrong_audience", "missing_scope"]);
    }

    #[test]
    fn opaque_and_garbage_tokens() {
        for t in ["ya29.a0AfB_byC", "", "a.b.c", "....", "eyJhbGciOiJub25lIn0.bm90IGpzb24.x"] {
            let i = inspect_token(t, NOW, &ms_expect("a@b"));
            assert_eq!(i.format, TokenFormat::Opaque, "{t}");
            assert!(i.problems.is_empty());
        }
    }
}
