//! What a paste says about where the mail was going: the server's host name and port, and the
//! provider they belong to — from host names (`smtp.gmail.com`, `*.mail.protection.outlook.com`)
//! or the providers' signatures in their replies (`gsmtp`, `SmtpClientAuthentication`).

use std::sync::LazyLock;

use mailprobe_proto::Security;
use mailprobe_providers::{provider_for_domain, provider_for_host, provider_for_mx};
use regex::{Regex, RegexSet};
use serde::Serialize;

use super::phrases::Phrases;

/// What the paste tells about the context, for the diagnosis's [`Context`](mailprobe_proto::Context).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Hints {
    /// Provider id (`gmail`, `m365`, `outlook`), guessed from the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The words of the paste that showed the provider (`gsmtp`, `smtp.office365.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_from: Option<String>,
    /// The SMTP server's host name, when the paste names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The SMTP port, when the paste names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The connection security, when the port or the dialogue shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
}

/// An address given as the account that signs in: `LOGIN "x@aol.com"`, `with username x@...`,
/// `user=<x@...>`, Thunderbird's Italian `con nome utente x@...`.
static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)(?:login|user(?:name)?|nome utente|benutzername|account)[\s:="'<]{1,4}[A-Za-z0-9._%+*-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"#,
    )
    .expect("valid pattern")
});

/// Words in replies that only one provider writes.
const SIGNATURES: &[(&str, &str)] = &[
    ("gsmtp", "gmail"),
    ("support.google.com/mail", "gmail"),
    ("accounts.google.com", "gmail"),
    ("smtpclientauthentication", "m365"),
    ("tenantattribution", "m365"),
    ("aka.ms/", "m365"),
    ("microsoft esmtp mail service", "m365"),
    ("smtp_auth_disabled", "m365"),
];

/// A server host named by its context: `relay=host[ip]:port`, `host X said`, `Trying X:587`,
/// `Could not connect to SMTP host: X, port: 465`, a 220 greeting...
static SERVER_HOST: LazyLock<Vec<Regex>> =
    LazyLock::new(|| SERVER_HOST_PATTERNS.iter().map(|p| Regex::new(p).expect("valid pattern")).collect());

/// [`SERVER_HOST`] as one set, to find in one pass which of them may match: without their
/// word boundaries (a set of such patterns needs the slowest engine once a line has a non-ASCII
/// character), each matches wherever its pattern does, and more.
static SERVER_HOST_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SERVER_HOST_PATTERNS.iter().map(|p| p.replace(r"\b", ""))).expect("valid patterns")
});

const SERVER_HOST_PATTERNS: &[&str] = &[
    r"relay=([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\[[^\]]*\]:(\d{1,5})",
    r"\bhost ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\[[^\]]*\] (?:said|refused)",
    r"(?i)connect to ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\[[^\]]*\]:(\d{1,5})",
    r"(?i)could not connect to smtp host: ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}), port: (\d{1,5})",
    r"(?i)failed to connect to ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}) port (\d{1,5})",
    r"(?i)connected to host \x22([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\x22, port: (\d{1,5})",
    r"Trying ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}):(\d{1,5})",
    r"(?:ssl|tls|tcp)://([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}):(\d{1,5})",
    r"-connect ([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}):(\d{1,5})",
    r"SMTP \(([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\)",
    r"\bH=([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}) \[",
    r"^\s*(?:\S+\s+)?220[ -]([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\b",
    r"(?i)\b((?:smtp|smtp-mail|smtp-legacy|outlook)\.(?:gmail|googlemail|office365|outlook)\.com|[a-z0-9-]+\.mail\.protection\.outlook\.com)\b(?::(\d{1,5}))?",
    // Thunderbird's "Login to server X with username Y failed" (Italian "Accesso al server X").
    r"(?i)\bserver ([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b(?::(\d{1,5}))?",
];

static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bport:? (\d{2,5})\b").expect("valid pattern"));

/// Collects hints line by line.
#[derive(Debug, Default)]
pub(crate) struct Scanner {
    hints: Hints,
    /// The provider a signature showed, kept apart: a server host name outranks it.
    signature: Option<(String, String)>,
    /// The provider of the account that signs in, and its address's domain: the weakest hint.
    account: Option<(String, String)>,
    starttls: bool,
    implicit_tls: bool,
}

impl Scanner {
    /// Reads one line.
    pub fn scan(&mut self, line: &str) {
        if self.hints.host.is_none() {
            // the first pattern that matches, as trying each in turn finds it
            let candidates = SERVER_HOST_SET.matches(line);
            if let Some(c) = candidates.iter().find_map(|i| SERVER_HOST[i].captures(line)) {
                let host = c[1].trim_end_matches('.').to_ascii_lowercase();
                self.hints.host = Some(host);
                if let Some(port) = c.get(2).and_then(|p| p.as_str().parse::<u16>().ok()).filter(|p| *p > 0) {
                    self.hints.port.get_or_insert(port);
                }
            }
        }
        if self.hints.port.is_none()
            && let Some(port) = PORT.captures(line).and_then(|c| c[1].parse::<u16>().ok()).filter(|p| *p > 0)
        {
            self.hints.port = Some(port);
        }
        if self.signature.is_none() {
            let lower = line.to_ascii_lowercase();
            static SIGNATURE_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::pairs(SIGNATURES));
            if let Some((word, provider)) = SIGNATURE_PHRASES.first(&lower, |_| true).map(|i| &SIGNATURES[i])
            {
                self.signature = Some(((*provider).to_owned(), (*word).to_owned()));
            } else if let Some((suffix, provider)) = host_words(&lower).find_map(provider_of) {
                self.signature = Some((provider.to_owned(), suffix));
            }
        }
        if self.account.is_none()
            && let Some(c) = ACCOUNT.captures(line)
        {
            // Only the domain is kept: the address is the user's own, not for the report.
            let domain = c[1].to_ascii_lowercase();
            if let Some(provider) = provider_for_domain(&domain) {
                self.account = Some((provider.id.clone(), domain));
            }
        }
        let upper = line.to_ascii_uppercase();
        if upper.contains("STARTTLS") {
            self.starttls = true;
        }
        if line.contains("ssl://") || line.contains("smtps://") {
            self.implicit_tls = true;
        }
    }

    /// The port the paste named so far, if any.
    pub fn port(&self) -> Option<u16> {
        self.hints.port
    }

    /// A port the paste showed in a connection failure's address (`dial tcp 192.0.2.1:25`).
    pub fn port_seen(&mut self, port: u16) {
        if port > 0 {
            self.hints.port.get_or_insert(port);
        }
    }

    /// A Gmail-style OAuth error document named this scope (`https://mail.google.com/`).
    pub fn oauth_scope(&mut self, scope: &str) {
        if self.signature.is_none() && scope.contains("google.com") {
            self.signature = Some(("gmail".into(), scope.to_owned()));
        }
    }

    /// The hints; `saw_ehlo_without_starttls` is true when the dialogue had an EHLO reply that
    /// did not offer STARTTLS and no STARTTLS was sent (then the security asked for is unknown).
    pub fn finish(mut self, saw_ehlo_without_starttls: bool) -> Hints {
        let from_host = self.hints.host.as_deref().and_then(|h| provider_of(h.to_owned()));
        match (from_host, self.signature) {
            (Some((host, provider)), _) => {
                self.hints.provider = Some(provider.to_owned());
                self.hints.provider_from = Some(host);
            }
            (None, Some((provider, word))) => {
                self.hints.provider = Some(provider);
                self.hints.provider_from = Some(word);
            }
            // A server the paste names but no table knows (a sending service that takes a
            // Gmail address as its login) outranks the account's domain.
            (None, None) => {
                if let Some((provider, words)) = self.account.filter(|_| self.hints.host.is_none()) {
                    self.hints.provider = Some(provider);
                    self.hints.provider_from = Some(words);
                }
            }
        }
        self.hints.security = match self.hints.port {
            Some(port) => Some(Security::default_for_port(port)),
            None if self.implicit_tls => Some(Security::Tls),
            None if self.starttls => Some(Security::Starttls),
            None if saw_ehlo_without_starttls => Some(Security::None),
            None => None,
        };
        self.hints
    }
}

/// Words of a line that look like host names. The domain of a mail address is not one: the
/// address may be a recipient's (`not send emails: x@gmail.com ... x509: ...` was a self-hosted
/// server's certificate, not Gmail's).
fn host_words(lower: &str) -> impl Iterator<Item = String> + '_ {
    let mut after_at = false;
    lower.split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-')).filter_map(
        move |piece| {
            let word = piece.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'));
            let address_domain = std::mem::replace(&mut after_at, piece.ends_with('@'));
            (!address_domain && word.contains('.') && word.len() > 4)
                .then(|| word.trim_matches('.').to_owned())
        },
    )
}

/// The provider a host name belongs to, with the host: a server's name or an MX's (the
/// provider table's, as the network code reads it).
fn provider_of(host: String) -> Option<(String, &'static str)> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let provider = provider_for_host(&host).or_else(|| provider_for_mx(&host))?;
    Some((host, provider.id.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(lines: &[&str]) -> Hints {
        let mut s = Scanner::default();
        for l in lines {
            s.scan(l);
        }
        s.finish(false)
    }

    #[test]
    fn providers_from_hosts_and_signatures() {
        let h = hints(&["535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp"]);
        assert_eq!((h.provider.as_deref(), h.provider_from.as_deref()), (Some("gmail"), Some("gsmtp")));
        let h = hints(&[
            "550 5.7.64 TenantAttribution; Relay Access Denied [SN1NAM02FT0123.eop-nam02.prod.protection.outlook.com]",
        ]);
        assert_eq!(h.provider.as_deref(), Some("m365"));
        let h = hints(&["220 BY1PR10CA0041.outlook.office365.com Microsoft ESMTP MAIL Service ready"]);
        assert_eq!(h.provider.as_deref(), Some("m365"));
        assert_eq!(h.host.as_deref(), Some("by1pr10ca0041.outlook.office365.com"));
        let h = hints(&["=== Trying smtp-mail.outlook.com:587..."]);
        assert_eq!(
            (h.provider.as_deref(), h.port, h.security),
            (Some("outlook"), Some(587), Some(Security::Starttls))
        );
        let h = hints(&["contoso-com.mail.protection.outlook.com"]);
        assert_eq!(h.provider.as_deref(), Some("m365"));
        let h = hints(&["nothing here"]);
        assert_eq!(h, Hints::default());
    }

    #[test]
    fn hosts_and_ports() {
        let h = hints(&[
            "postfix/smtp[1]: 4F1A: to=<a@b.example>, relay=smtp.gmail.com[142.250.102.108]:587, status=deferred",
        ]);
        assert_eq!((h.host.as_deref(), h.port), (Some("smtp.gmail.com"), Some(587)));
        let h = hints(&[
            "javax.mail.MessagingException: Could not connect to SMTP host: smtp.office365.com, port: 465;",
        ]);
        assert_eq!(
            (h.host.as_deref(), h.port, h.security),
            (Some("smtp.office365.com"), Some(465), Some(Security::Tls))
        );
        let h = hints(&[
            "curl: (7) Failed to connect to mail.example.net port 25 after 2 ms: Connection refused",
        ]);
        assert_eq!((h.host.as_deref(), h.port, h.provider), (Some("mail.example.net"), Some(25), None));
    }

    #[test]
    fn the_account_that_signs_in_names_the_provider_when_no_server_does() {
        let h = hints(&[
            "1 LOGIN \"*****@aol.com\" *****",
            "1 NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials",
        ]);
        assert_eq!(h.provider.as_deref(), Some("aol"));
        let h = hints(&["Login to server imap.example.net with username alice@yahoo.co.uk failed."]);
        assert_eq!(h.provider.as_deref(), None, "a server the paste names outranks the account");
        let h = hints(&["Accesso con nome utente mario@icloud.com non riuscito."]);
        assert_eq!(h.provider.as_deref(), Some("icloud"));
        let h = hints(&["Impossibile accedere con nome utente mario@yahoo.it"]);
        assert_eq!(h.provider.as_deref(), Some("yahoo"));
        // a recipient's or a sender's address is not the account
        let h =
            hints(&["550 5.1.1 <bob@yahoo.com>: Recipient address rejected", "MAIL FROM:<carol@icloud.com>"]);
        assert_eq!(h.provider, None);
        let h =
            hints(&["535 5.7.0 (#AUTH005) Too many bad auth attempts.", "Trying smtp.mail.yahoo.com:465..."]);
        assert_eq!((h.provider.as_deref(), h.port), (Some("yahoo"), Some(465)));
    }
}
