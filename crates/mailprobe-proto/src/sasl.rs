//! SASL mechanisms and the client side of PLAIN and LOGIN, with secrets kept out of output.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

/// A SASL mechanism name as servers advertise it (`AUTH PLAIN LOGIN XOAUTH2`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SaslMechanism {
    /// RFC 4616.
    Plain,
    /// The de-facto `LOGIN` mechanism (username and password in two base64 steps).
    Login,
    /// Google's and Microsoft's bearer-token mechanism.
    XOAuth2,
    /// RFC 7628.
    OAuthBearer,
    /// RFC 2195 (challenge-response; mailprobe does not speak it).
    CramMd5,
    /// SCRAM-SHA-1, RFC 5802.
    ScramSha1,
    /// SCRAM-SHA-256, RFC 7677.
    ScramSha256,
    /// Kerberos.
    Gssapi,
    /// NTLM (Microsoft's legacy challenge-response).
    Ntlm,
    /// Any other name, kept upper-case.
    Other(String),
}

impl SaslMechanism {
    /// The advertised name.
    pub fn name(&self) -> &str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::XOAuth2 => "XOAUTH2",
            Self::OAuthBearer => "OAUTHBEARER",
            Self::CramMd5 => "CRAM-MD5",
            Self::ScramSha1 => "SCRAM-SHA-1",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::Gssapi => "GSSAPI",
            Self::Ntlm => "NTLM",
            Self::Other(s) => s,
        }
    }

    /// True for mechanisms that carry a password (rather than a token).
    pub fn uses_password(&self) -> bool {
        matches!(self, Self::Plain | Self::Login | Self::CramMd5 | Self::ScramSha1 | Self::ScramSha256)
    }

    /// True for bearer-token mechanisms.
    pub fn uses_token(&self) -> bool {
        matches!(self, Self::XOAuth2 | Self::OAuthBearer)
    }
}

impl FromStr for SaslMechanism {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.to_ascii_uppercase();
        Ok(match up.as_str() {
            "PLAIN" => Self::Plain,
            "LOGIN" => Self::Login,
            "XOAUTH2" => Self::XOAuth2,
            "OAUTHBEARER" => Self::OAuthBearer,
            "CRAM-MD5" => Self::CramMd5,
            "SCRAM-SHA-1" => Self::ScramSha1,
            "SCRAM-SHA-256" => Self::ScramSha256,
            "GSSAPI" => Self::Gssapi,
            "NTLM" => Self::Ntlm,
            _ => Self::Other(up),
        })
    }
}

impl fmt::Display for SaslMechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for SaslMechanism {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for SaslMechanism {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or_else(|e| match e {}))
    }
}

/// A secret (password, token). Its `Debug` and `Display` never show it and it is not
/// serializable, so it cannot leak through a log line, an error or a report by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: call only where it goes onto the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for an empty secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The client's part of a SASL exchange: what to send, and how to show it in a transcript.
#[derive(Clone, Debug)]
pub struct SaslStep {
    /// The base64 line to send.
    pub wire: Secret,
    /// What the transcript shows instead, e.g. `<redacted: PLAIN user=alice@example.com>`.
    pub shown: String,
}

/// The initial response of SASL PLAIN (RFC 4616): `\0user\0password`, base64.
pub fn plain_initial_response(user: &str, password: &Secret) -> SaslStep {
    let raw = format!("\0{user}\0{}", password.expose());
    SaslStep { wire: Secret::new(BASE64.encode(raw)), shown: format!("<redacted: PLAIN user={user}>") }
}

/// The two client steps of LOGIN: the username, then the password, each base64.
pub fn login_steps(user: &str, password: &Secret) -> [SaslStep; 2] {
    [
        SaslStep {
            wire: Secret::new(BASE64.encode(user)),
            // The username is not secret, but its base64 form is noise: name it instead.
            shown: format!("<LOGIN user={user}>"),
        },
        SaslStep {
            wire: Secret::new(BASE64.encode(password.expose())),
            shown: "<redacted: LOGIN password>".to_owned(),
        },
    ]
}

/// The initial response of Google's and Microsoft's XOAUTH2:
/// `user=U^Aauth=Bearer T^A^A`, base64.
pub fn xoauth2_initial_response(user: &str, token: &Secret) -> SaslStep {
    let raw = format!("user={user}\x01auth=Bearer {}\x01\x01", token.expose());
    SaslStep { wire: Secret::new(BASE64.encode(raw)), shown: format!("<redacted: XOAUTH2 user={user}>") }
}

/// The initial response of OAUTHBEARER (RFC 7628): a GS2 header naming the user, then the host,
/// port and bearer token, base64.
pub fn oauthbearer_initial_response(user: &str, host: &str, port: u16, token: &Secret) -> SaslStep {
    // RFC 5801: in a GS2 authzid, ',' and '=' are escaped as =2C and =3D.
    let authzid = user.replace('=', "=3D").replace(',', "=2C");
    let raw =
        format!("n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {}\x01\x01", token.expose());
    SaslStep { wire: Secret::new(BASE64.encode(raw)), shown: format!("<redacted: OAUTHBEARER user={user}>") }
}

/// The empty line a client sends after an OAuth error challenge (RFC 7628 section 3.2.3), so the
/// server can finish the exchange with its final failure reply.
pub fn empty_response() -> SaslStep {
    SaslStep { wire: Secret::new(""), shown: "(empty response after the error challenge)".to_owned() }
}

/// Decodes a 334 challenge's base64 text, for showing `Username:` / `Password:` or an OAuth
/// error document. Returns `None` when it is not base64 or not UTF-8.
pub fn decode_challenge(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return Some(String::new());
    }
    let bytes = BASE64.decode(text).ok()?;
    String::from_utf8(bytes).ok()
}

/// Picks the mechanism to try from those offered, for a client that has a password (and/or a
/// token): bearer mechanisms when a token is given, else PLAIN before LOGIN.
pub fn choose_mechanism(offered: &[SaslMechanism], have_token: bool) -> Option<SaslMechanism> {
    let preference: &[SaslMechanism] = if have_token {
        &[SaslMechanism::XOAuth2, SaslMechanism::OAuthBearer]
    } else {
        &[SaslMechanism::Plain, SaslMechanism::Login]
    };
    preference.iter().find(|m| offered.contains(m)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_encodes_and_redacts() {
        let step = plain_initial_response("alice@example.com", &Secret::new("pw"));
        assert_eq!(step.wire.expose(), "AGFsaWNlQGV4YW1wbGUuY29tAHB3");
        assert_eq!(step.shown, "<redacted: PLAIN user=alice@example.com>");
        assert_eq!(format!("{:?}", step.wire), "Secret(<redacted>)");
    }

    #[test]
    fn login_steps_encode() {
        let [u, p] = login_steps("bob", &Secret::new("secret"));
        assert_eq!(u.wire.expose(), "Ym9i");
        assert_eq!(p.wire.expose(), "c2VjcmV0");
        assert!(!p.shown.contains("secret"));
    }

    #[test]
    fn bearer_mechanisms_encode() {
        let x = xoauth2_initial_response("a@b", &Secret::new("tok"));
        assert_eq!(decode_challenge(x.wire.expose()).unwrap(), "user=a@b\x01auth=Bearer tok\x01\x01");
        let o = oauthbearer_initial_response("a,b=c", "h", 587, &Secret::new("tok"));
        assert_eq!(
            decode_challenge(o.wire.expose()).unwrap(),
            "n,a=a=2Cb=3Dc,\x01host=h\x01port=587\x01auth=Bearer tok\x01\x01"
        );
        assert!(!x.shown.contains("tok") && !o.shown.contains("tok"));
    }

    #[test]
    fn challenges_decode() {
        assert_eq!(decode_challenge("VXNlcm5hbWU6").as_deref(), Some("Username:"));
        assert_eq!(decode_challenge("not base64!"), None);
    }

    #[test]
    fn mechanism_choice() {
        let offered: Vec<SaslMechanism> =
            ["LOGIN", "PLAIN", "XOAUTH2"].iter().map(|m| m.parse().unwrap()).collect();
        assert_eq!(choose_mechanism(&offered, false), Some(SaslMechanism::Plain));
        assert_eq!(choose_mechanism(&offered, true), Some(SaslMechanism::XOAuth2));
        assert_eq!(choose_mechanism(&[SaslMechanism::CramMd5], false), None);
    }
}
