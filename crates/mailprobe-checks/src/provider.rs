//! Known providers' submission and IMAP servers, and which provider a host name belongs to.
//! The table is data (`mailprobe-providers/data/providers.toml`); this is its view by id and by host.

use std::sync::LazyLock;

use mailprobe_net::{ProviderDef, provider_for_host, providers};
use mailprobe_proto::Security;

/// A provider's well-known servers.
#[derive(Clone, Copy, Debug)]
pub struct Provider {
    /// The id rules key on.
    pub id: &'static str,
    /// The name shown to people.
    pub name: &'static str,
    /// Client submission server.
    pub smtp: (&'static str, u16, Security),
    /// IMAP server.
    pub imap: (&'static str, u16, Security),
    /// The full table entry.
    pub def: &'static ProviderDef,
}

impl Provider {
    fn from_def(def: &'static ProviderDef) -> Self {
        Self {
            id: &def.id,
            name: &def.name,
            smtp: (&def.smtp.host, def.smtp.port, def.smtp.security),
            imap: (&def.imap.host, def.imap.port, def.imap.security),
            def,
        }
    }
}

/// The built-in table.
pub static PROVIDERS: LazyLock<Vec<Provider>> =
    LazyLock::new(|| providers().iter().map(Provider::from_def).collect());

/// The provider with this id.
pub fn by_id(id: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// The provider with this id, or an error listing the known ones (`auto` among them: callers
/// take it as "infer the provider").
pub fn named(id: &str) -> Result<&'static Provider, crate::CheckError> {
    match by_id(id) {
        Some(p) => Ok(p),
        None => {
            let known = PROVIDERS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ");
            crate::invalid(format!("unknown provider {id:?}; known: auto, {known}"))
        }
    }
}

/// The provider a host name belongs to, by suffix (the most specific suffix wins).
pub fn for_host(host: &str) -> Option<&'static Provider> {
    let def = provider_for_host(host)?;
    PROVIDERS.iter().find(|p| std::ptr::eq(p.def, def))
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
        assert_eq!(for_host("smtps.aruba.it").map(|p| p.id), Some("aruba"));
        assert!(for_host("notgmail.com").is_none());
        assert!(for_host("mail.example.test").is_none());
        assert_eq!(by_id("GMAIL").map(|p| p.smtp), Some(("smtp.gmail.com", 587, Security::Starttls)));
        assert_eq!(by_id("m365").map(|p| p.imap.0), Some("outlook.office365.com"));
    }
}
