//! What can go wrong, as types: every error's text is safe to print (no token, no secret; what a
//! server sent is kept to its OAuth `error` and `error_description`, scrubbed of known secrets).

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use mailprobe_proto::{CertificateInfo, TlsFailure};
use serde::Serialize;

/// An OAuth error answer (RFC 6749 §5.2) from a token, device or revocation endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndpointError {
    /// The HTTP status, when it was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The OAuth error code (`invalid_grant`, `invalid_client`, `invalid_scope`…).
    pub code: String,
    /// The server's `error_description`, when it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Microsoft's `AADSTS…` code, found in the description (`AADSTS7000215`: wrong secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<String>,
}

impl EndpointError {
    /// An error answer with `code` and `description`, scrubbed of `secrets`.
    pub fn new(status: Option<u16>, code: &str, description: Option<&str>, secrets: &[&str]) -> Self {
        let description = description.filter(|d| !d.trim().is_empty()).map(|d| scrub(d, secrets));
        let aadsts = description.as_deref().and_then(aadsts_code);
        Self { status, code: scrub(code, secrets), description, aadsts }
    }

    /// True when trying again later may work (the server said it is busy or broken), as opposed
    /// to a refusal that stays until the settings change (`invalid_client`, `invalid_grant`).
    pub fn is_transient(&self) -> bool {
        matches!(self.code.as_str(), "temporarily_unavailable" | "server_error" | "slow_down")
            || self.status.is_some_and(|s| s >= 500 || s == 429)
    }
}

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// The first `AADSTS` followed by digits in `text`.
fn aadsts_code(text: &str) -> Option<String> {
    let at = text.find("AADSTS")?;
    let digits: String = text[at + 6..].chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("AADSTS{digits}"))
}

/// A server certificate the HTTPS client refused (a sign-in server behind a private CA, an
/// HTTPS-inspecting proxy, an expired certificate).
#[derive(Clone, Debug, Serialize)]
pub struct RefusedCertificate {
    /// Why it was refused.
    pub failure: TlsFailure,
    /// The server's own certificate, when one was seen.
    pub leaf: Option<CertificateInfo>,
}

impl RefusedCertificate {
    /// The knowledge base's id for this failure (`tls.cert_untrusted`).
    pub fn finding_id(&self) -> &'static str {
        match self.failure {
            TlsFailure::CertUntrusted => "tls.cert_untrusted",
            TlsFailure::CertExpired => "tls.cert_expired",
            TlsFailure::CertHostnameMismatch => "tls.cert_hostname_mismatch",
            _ => "tls.handshake_failed",
        }
    }

    /// What was refused and why, in one sentence (no advice: the caller knows its own options).
    pub fn describe(&self) -> String {
        let cert = self.leaf.as_ref().map_or_else(String::new, |c| {
            format!(" (subject {}, issued by {}, for {})", c.subject, c.issuer, c.names.join(", "))
        });
        let why = match self.failure {
            TlsFailure::CertUntrusted => "is not signed by a certificate authority this computer trusts",
            TlsFailure::CertExpired => "has expired (or this computer's clock is wrong)",
            TlsFailure::CertHostnameMismatch => "is not valid for the server's name in the issuer URL",
            _ => "was refused",
        };
        format!("the sign-in server's certificate{cert} {why}")
    }
}

/// The request an [`OAuthError::Endpoint`] answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Exchanging the authorization code of a browser sign-in.
    SignInCode,
    /// Starting a device sign-in (RFC 8628 device authorization request).
    DeviceStart,
    /// Waiting for a device sign-in to be completed.
    DeviceToken,
    /// The refresh-token grant.
    Refresh,
    /// The client-credentials grant.
    ClientCredentials,
    /// Revoking a token (RFC 7009).
    Revocation,
}

impl Step {
    fn says(self) -> &'static str {
        match self {
            Self::SignInCode => "the provider refused the sign-in code",
            Self::DeviceStart => "the provider refused to start the device sign-in",
            Self::DeviceToken => "the device sign-in did not complete",
            Self::Refresh => "the provider refused the refresh",
            Self::ClientCredentials => "the provider refused the client credentials",
            Self::Revocation => "the provider refused the revocation",
        }
    }
}

/// Why an OAuth operation failed. The text never holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// Settings that cannot work: an endpoint over plain HTTP off loopback, a bad tenant, an
    /// unreadable client certificate.
    #[error("{0}")]
    Setup(String),
    /// The server's TLS certificate was refused.
    #[error("{}", .0.describe())]
    Certificate(Box<RefusedCertificate>),
    /// The endpoint could not be reached (refused, timed out, reset).
    #[error("cannot reach {url}: {detail}")]
    Unreachable {
        /// The endpoint, without its query.
        url: String,
        /// What failed.
        detail: String,
    },
    /// The endpoint answered with an OAuth error.
    #[error("{}: {error}", .step.says())]
    Endpoint {
        /// The request it answered.
        step: Step,
        /// Its answer.
        error: EndpointError,
    },
    /// The endpoint's answer is not what OAuth 2.0 says it should be.
    #[error("the provider's answer from {url} could not be read{}: {detail}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    BadResponse {
        /// The endpoint.
        url: String,
        /// The HTTP status, when seen.
        status: Option<u16>,
        /// What is wrong with it (never its content).
        detail: String,
    },
    /// The issuer's discovery document could not be read.
    #[error("cannot read the discovery document of {issuer}: {detail}")]
    Discovery {
        /// The issuer.
        issuer: String,
        /// Why.
        detail: String,
    },
    /// The provider has no endpoint for the flow asked for.
    #[error("the provider has no {0}")]
    MissingEndpoint(&'static str),
    /// The loopback listener of a browser sign-in could not be opened.
    #[error("cannot listen on 127.0.0.1:{port} for the sign-in redirect: {source}")]
    Listen {
        /// The port asked for (0: any).
        port: u16,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// Nobody completed the sign-in in time.
    #[error("no sign-in came back within {0} s")]
    SignInTimedOut(u64),
    /// The sign-in came back refused (the person declined, or the provider refused the client).
    #[error("the provider refused the sign-in: {0}")]
    SignInRefused(EndpointError),
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OAuthError {
    /// A code for the failure: the provider's OAuth error code (`invalid_grant`), or the
    /// knowledge base's id of a refused certificate (`tls.cert_untrusted`).
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Endpoint { error, .. } | Self::SignInRefused(error) => Some(&error.code),
            Self::Certificate(r) => Some(r.finding_id()),
            _ => None,
        }
    }

    /// The endpoint's error answer, when there was one.
    pub fn endpoint_error(&self) -> Option<&EndpointError> {
        match self {
            Self::Endpoint { error, .. } | Self::SignInRefused(error) => Some(error),
            _ => None,
        }
    }

    /// The failure in words without the step that failed (`invalid_grant: …`), for a caller
    /// that says the step itself.
    pub fn detail(&self) -> String {
        match self {
            Self::Endpoint { error, .. } => error.to_string(),
            other => other.to_string(),
        }
    }

    /// True when trying again later may work: the endpoint was unreachable or said it was busy.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Endpoint { error, .. } => error.is_transient(),
            Self::BadResponse { status, .. } => status.is_none_or(|s| s >= 500 || s == 429),
            _ => false,
        }
    }
}

/// Why the token store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No per-user config directory is known.
    #[error("cannot find the user's config directory (set MAILPROBE_CONFIG_DIR)")]
    NoConfigDir,
    /// A file or directory could not be created, read, written or deleted.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done (`create`, `read the token file`…).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// Nothing is stored.
    #[error("nobody is signed in: run `mailprobe auth login --provider …` first")]
    NotSignedIn,
    /// No sign-in of that name is stored.
    #[error("no stored sign-in {0:?}: run `mailprobe auth login` first")]
    NoSuchProfile(String),
    /// Several sign-ins are stored and none was named.
    #[error("several sign-ins are stored ({}): say which with --profile NAME", .0.join(", "))]
    Ambiguous(Vec<String>),
    /// A stored sign-in does not parse.
    #[error("the stored sign-in {0:?} is damaged: sign in again")]
    Damaged(String),
    /// The OS keyring holds the sign-in but did not give it back.
    #[error("cannot read the sign-in {name:?} from the OS keyring: {reason}")]
    Keyring {
        /// The sign-in.
        name: String,
        /// The keyring's reason (first line).
        reason: String,
    },
    /// A name that cannot be a profile (it becomes a file name).
    #[error("{0:?} is not a profile name (letters, digits, - _ . @)")]
    BadName(String),
}

/// `text` with each secret (of 4 characters or more), plain, base64 and base64url, replaced by
/// `<redacted>`: for what a server sent back, which could echo what it was sent.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "<redacted>");
        for encoded in [STANDARD.encode(secret), URL_SAFE_NO_PAD.encode(secret)] {
            out = out.replace(encoded.trim_end_matches('='), "<redacted>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_errors_keep_the_code_and_the_aadsts_but_not_the_secret() {
        let secret = "Canary-Secret-0a1b2c3d";
        let desc = format!(
            "AADSTS7000215: Invalid client secret provided ({secret} / {}). Trace ID: 1",
            STANDARD.encode(secret)
        );
        let e = EndpointError::new(Some(401), "invalid_client", Some(&desc), &[secret]);
        assert_eq!(e.aadsts.as_deref(), Some("AADSTS7000215"));
        assert_eq!(e.code, "invalid_client");
        let text = OAuthError::Endpoint { step: Step::ClientCredentials, error: e }.to_string();
        assert!(
            text.starts_with("the provider refused the client credentials: invalid_client: AADSTS7000215")
        );
        assert!(!text.contains("Canary") && !text.contains(&STANDARD.encode(secret)[..20]), "{text}");
    }

    #[test]
    fn transient_and_permanent_answers_are_told_apart() {
        let e = |code: &str, status| EndpointError::new(Some(status), code, None, &[]);
        assert!(e("temporarily_unavailable", 400).is_transient());
        assert!(e("invalid_request", 503).is_transient());
        assert!(!e("invalid_client", 401).is_transient());
        assert!(!e("invalid_grant", 400).is_transient());
        assert_eq!(aadsts_code("no code here"), None);
        assert_eq!(aadsts_code("AADSTS"), None);
    }
}
