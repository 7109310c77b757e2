//! The simulated providers, their accounts, and the scenarios (what a client does in each).

use std::fmt;

/// The fake accounts the simulator knows. Every value here is made up for the simulator; none is
/// ever written to a reply, a log or an error.
pub mod accounts {
    /// The Gmail user of every Gmail scenario.
    pub const GMAIL_USER: &str = "pat.example@gmail.com";
    /// The Gmail account's normal (web sign-in) password: refused for SMTP because the account
    /// has 2-Step Verification, which is what real Gmail does.
    pub const GMAIL_ACCOUNT_PASSWORD: &str = "sim-account-password-1234";
    /// The Gmail account's app password: accepted by PLAIN and LOGIN.
    pub const GMAIL_APP_PASSWORD: &str = "sim-app-password-abcd";
    /// An OAuth 2.0 access token with the `https://mail.google.com/` scope: accepted by XOAUTH2.
    pub const GMAIL_VALID_TOKEN: &str = "ya29.sim-valid-token";
    /// An OAuth 2.0 access token issued without the mail scope: answered with status 400.
    pub const GMAIL_TOKEN_WITHOUT_MAIL_SCOPE: &str = "ya29.sim-token-without-mail-scope";
    /// An expired OAuth 2.0 access token: answered with status 401 (as is any unknown token).
    pub const GMAIL_EXPIRED_TOKEN: &str = "ya29.sim-expired-token";
    /// The recipient the simulated Gmail clients write to.
    pub const GMAIL_RECIPIENT: &str = "friend@example.net";

    /// The Microsoft 365 mailbox a printer signs in with.
    pub const M365_USER: &str = "printer@contoso.example";
    /// The printer mailbox's password.
    pub const M365_PASSWORD: &str = "sim-m365-password-wxyz";
    /// An OAuth 2.0 access token for the printer mailbox, accepted by XOAUTH2.
    pub const M365_VALID_TOKEN: &str = "eyJ0eXAiOiJKV1QifQ.sim-m365-valid-token";
    /// Another mailbox of the tenant, which the printer has no Send As permission for.
    pub const M365_OTHER_SENDER: &str = "scanner@contoso.example";
    /// The recipient the simulated Microsoft 365 clients write to.
    pub const M365_RECIPIENT: &str = "frontdesk@contoso.example";
    /// The tenant's accepted domain: direct send delivers only to recipients in it.
    pub const M365_TENANT_DOMAIN: &str = "contoso.example";
    /// The tenant's MX endpoint, where direct send connects (port 25, no sign-in).
    pub const M365_MX_HOST: &str = "contoso-example.mail.protection.outlook.com";
    /// A recipient outside the tenant, which direct send cannot reach.
    pub const M365_EXTERNAL_RECIPIENT: &str = "partner@fabrikam.example";
}

/// A mail provider the simulator can play.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Google's Gmail (`smtp.gmail.com`).
    Gmail,
    /// Microsoft 365 / Exchange Online (`smtp.office365.com`).
    Microsoft365,
}

impl Provider {
    /// The public submission host name the simulator's certificate is issued for.
    pub fn host_name(self) -> &'static str {
        match self {
            Self::Gmail => "smtp.gmail.com",
            Self::Microsoft365 => "smtp.office365.com",
        }
    }

    /// A short kebab-case name: `gmail` or `m365`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gmail => "gmail",
            Self::Microsoft365 => "m365",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One simulated situation: a provider plus what the person or device does (right or wrong).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Gmail, client signs in with an app password: mail goes through.
    GmailOk,
    /// Gmail, client uses the account's normal password on a 2-Step Verification account.
    GmailAppPasswordRequired,
    /// Gmail, client uses XOAUTH2 with a token lacking the `https://mail.google.com/` scope.
    GmailXoauth2Rejected,
    /// Microsoft 365, printer signs in with correct credentials and sends as itself.
    M365Ok,
    /// Microsoft 365, SMTP AUTH is disabled for the whole tenant.
    M365SmtpAuthDisabled,
    /// Microsoft 365, printer sends as another mailbox it has no Send As permission for.
    M365SendAsDenied,
    /// Microsoft 365, an old device that speaks TLS 1.0 only.
    M365LegacyTlsRefused,
    /// Microsoft 365 direct send: a printer sends without signing in to the tenant's MX endpoint,
    /// to a recipient outside the tenant, which direct send cannot reach.
    M365DirectSendExternal,
}

const ALL: &[Scenario] = &[
    Scenario::GmailOk,
    Scenario::GmailAppPasswordRequired,
    Scenario::GmailXoauth2Rejected,
    Scenario::M365Ok,
    Scenario::M365SmtpAuthDisabled,
    Scenario::M365SendAsDenied,
    Scenario::M365LegacyTlsRefused,
    Scenario::M365DirectSendExternal,
];

impl Scenario {
    /// Every scenario, Gmail first.
    pub fn all() -> &'static [Scenario] {
        ALL
    }

    /// The scenario's kebab-case name, as `mailprobe demo NAME` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::GmailOk => "gmail-ok",
            Self::GmailAppPasswordRequired => "gmail-app-password",
            Self::GmailXoauth2Rejected => "gmail-xoauth2-rejected",
            Self::M365Ok => "m365-ok",
            Self::M365SmtpAuthDisabled => "m365-smtp-auth-disabled",
            Self::M365SendAsDenied => "m365-send-as-denied",
            Self::M365LegacyTlsRefused => "m365-legacy-tls",
            Self::M365DirectSendExternal => "m365-direct-send-external",
        }
    }

    /// The scenario with this name (exact, kebab-case), if any.
    pub fn from_name(s: &str) -> Option<Scenario> {
        ALL.iter().copied().find(|sc| sc.name() == s)
    }

    /// The provider this scenario simulates.
    pub fn provider(self) -> Provider {
        match self {
            Self::GmailOk | Self::GmailAppPasswordRequired | Self::GmailXoauth2Rejected => Provider::Gmail,
            Self::M365Ok
            | Self::M365SmtpAuthDisabled
            | Self::M365SendAsDenied
            | Self::M365LegacyTlsRefused
            | Self::M365DirectSendExternal => Provider::Microsoft365,
        }
    }

    /// True when the client uses Microsoft 365 direct send: the tenant's MX endpoint, no sign-in.
    pub fn direct_send(self) -> bool {
        self == Self::M365DirectSendExternal
    }

    /// The host name the client connects to and the certificate is issued for: the provider's
    /// submission host, or for direct send the tenant's MX endpoint
    /// (`contoso-example.mail.protection.outlook.com`).
    pub fn host_name(self) -> &'static str {
        if self.direct_send() { accounts::M365_MX_HOST } else { self.provider().host_name() }
    }

    /// One English sentence: what the simulated person or device does (wrong).
    pub fn description(self) -> &'static str {
        match self {
            Self::GmailOk => {
                "A mail client signs in to Gmail with an app password and sends normally: nothing is wrong."
            }
            Self::GmailAppPasswordRequired => {
                "A mail client signs in to Gmail with the account's normal password, but the account has \
                 2-Step Verification and only accepts an app password."
            }
            Self::GmailXoauth2Rejected => {
                "A mail client signs in to Gmail with an OAuth 2.0 token that was issued without the \
                 https://mail.google.com/ scope."
            }
            Self::M365Ok => {
                "A printer signs in to Microsoft 365 with its own mailbox and sends as itself: nothing is wrong."
            }
            Self::M365SmtpAuthDisabled => {
                "A printer signs in to Microsoft 365 with correct credentials, but SMTP AUTH is disabled for \
                 the whole tenant."
            }
            Self::M365SendAsDenied => {
                "A printer signs in as printer@contoso.example but sends from scanner@contoso.example, which \
                 it has no Send As permission for."
            }
            Self::M365LegacyTlsRefused => {
                "An old scanner can only speak TLS 1.0, while Microsoft 365 requires TLS 1.2 or newer, so the \
                 STARTTLS handshake fails."
            }
            Self::M365DirectSendExternal => {
                "A printer uses direct send (the tenant's MX endpoint, no sign-in) to mail an address \
                 outside the tenant, which direct send cannot deliver to."
            }
        }
    }

    /// How the simulated client is configured in this scenario (what the demo hands the probe).
    pub fn client(self) -> ClientSetup {
        use accounts::*;
        let gmail = |password: Option<&str>, token: Option<&str>, port_kind| ClientSetup {
            user: Some(GMAIL_USER.into()),
            password: password.map(Into::into),
            token: token.map(Into::into),
            auth: token.map(|_| "xoauth2"),
            from: GMAIL_USER.into(),
            to: GMAIL_RECIPIENT.into(),
            port_kind,
            client_tls_max: None,
            mode: None,
        };
        let m365 = |from: &str, client_tls_max| ClientSetup {
            user: Some(M365_USER.into()),
            password: Some(M365_PASSWORD.into()),
            token: None,
            auth: None,
            from: from.into(),
            to: M365_RECIPIENT.into(),
            port_kind: PortKind::Submission,
            client_tls_max,
            mode: None,
        };
        match self {
            Self::GmailOk => gmail(Some(GMAIL_APP_PASSWORD), None, PortKind::Submission),
            Self::GmailAppPasswordRequired => gmail(Some(GMAIL_ACCOUNT_PASSWORD), None, PortKind::Submission),
            // Clients that use OAuth often use implicit TLS (port 465): show that path too.
            Self::GmailXoauth2Rejected => {
                gmail(None, Some(GMAIL_TOKEN_WITHOUT_MAIL_SCOPE), PortKind::Implicit)
            }
            Self::M365Ok | Self::M365SmtpAuthDisabled => m365(M365_USER, None),
            Self::M365SendAsDenied => m365(M365_OTHER_SENDER, None),
            Self::M365LegacyTlsRefused => m365(M365_USER, Some("1.0")),
            // Direct send signs in to nothing; the submission listener plays port 25 here.
            Self::M365DirectSendExternal => ClientSetup {
                user: None,
                password: None,
                token: None,
                auth: None,
                from: M365_USER.into(),
                to: M365_EXTERNAL_RECIPIENT.into(),
                port_kind: PortKind::Submission,
                client_tls_max: None,
                mode: Some("direct-send"),
            },
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which of the simulator's two listeners a client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortKind {
    /// Plaintext, then STARTTLS (plays port 587; port 25 for direct send).
    Submission,
    /// TLS from the first byte (plays port 465).
    Implicit,
}

/// How the simulated client is configured: what it does, which in failing scenarios is the
/// wrong thing. Its `Debug` output hides the password and the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSetup {
    /// The login name, or `None` when the client does not sign in (direct send).
    pub user: Option<String>,
    /// The password the client sends, if it uses one.
    pub password: Option<String>,
    /// The OAuth 2.0 access token the client sends, if it uses one.
    pub token: Option<String>,
    /// `Some("xoauth2")` when the client uses a token, else `None` (best mechanism offered).
    pub auth: Option<&'static str>,
    /// The envelope sender (MAIL FROM).
    pub from: String,
    /// The envelope recipient (RCPT TO).
    pub to: String,
    /// Which listener the client connects to.
    pub port_kind: PortKind,
    /// The newest TLS version the client can speak (`Some("1.0")` for the legacy device).
    pub client_tls_max: Option<&'static str>,
    /// How the client sends, as `mailprobe diagnose --mode` takes it (`Some("direct-send")`), or
    /// `None` for authenticated submission.
    pub mode: Option<&'static str>,
}

impl fmt::Debug for ClientSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |o: &Option<String>| o.as_ref().map(|_| "<redacted>");
        f.debug_struct("ClientSetup")
            .field("user", &self.user)
            .field("password", &hidden(&self.password))
            .field("token", &hidden(&self.token))
            .field("auth", &self.auth)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("port_kind", &self.port_kind)
            .field("client_tls_max", &self.client_tls_max)
            .field("mode", &self.mode)
            .finish()
    }
}
