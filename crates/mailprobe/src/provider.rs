//! Known providers' submission and IMAP servers, and which provider a host name belongs to.
//! A small table for now; provider discovery (SRV, autoconfig, MX) grows it later.

use mailprobe_proto::Security;

/// A provider's well-known servers.
#[derive(Clone, Copy, Debug)]
pub struct Provider {
    /// The id rules key on.
    pub id: &'static str,
    /// Host-name suffixes that belong to it.
    pub host_suffixes: &'static [&'static str],
    /// Client submission server.
    pub smtp: (&'static str, u16, Security),
    /// IMAP server.
    pub imap: (&'static str, u16, Security),
}

/// The built-in table.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        id: "gmail",
        host_suffixes: &["gmail.com", "googlemail.com", "google.com"],
        smtp: ("smtp.gmail.com", 587, Security::Starttls),
        imap: ("imap.gmail.com", 993, Security::Tls),
    },
    Provider {
        id: "m365",
        host_suffixes: &["office365.com", "mail.protection.outlook.com", "outlook.office.com"],
        smtp: ("smtp.office365.com", 587, Security::Starttls),
        imap: ("outlook.office365.com", 993, Security::Tls),
    },
    Provider {
        id: "outlook",
        host_suffixes: &["smtp-mail.outlook.com", "outlook.com", "hotmail.com", "live.com"],
        smtp: ("smtp-mail.outlook.com", 587, Security::Starttls),
        imap: ("outlook.office365.com", 993, Security::Tls),
    },
];

/// The provider with this id.
pub fn by_id(id: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// The provider a host name belongs to, by suffix (most specific table entry first).
pub fn for_host(host: &str) -> Option<&'static Provider> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    PROVIDERS.iter().find(|p| p.host_suffixes.iter().any(|s| host == *s || host.ends_with(&format!(".{s}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_map_to_providers() {
        assert_eq!(for_host("smtp.gmail.com").map(|p| p.id), Some("gmail"));
        assert_eq!(for_host("SMTP.Office365.com.").map(|p| p.id), Some("m365"));
        assert_eq!(for_host("contoso-com.mail.protection.outlook.com").map(|p| p.id), Some("m365"));
        assert_eq!(for_host("smtp-mail.outlook.com").map(|p| p.id), Some("outlook"));
        assert!(for_host("notgmail.com").is_none());
        assert!(for_host("mail.example.test").is_none());
    }
}
