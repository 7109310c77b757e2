//! The built-in provider table (`data/providers.toml`): who runs a mailbox, the host names that
//! belong to it, and the servers its mail programs use. Data, not code: a new provider is a new
//! `[[provider]]` table. No I/O: the network code (mailprobe-net) and the paste reader
//! (mailprobe-logs) look providers up in the same table.

use std::sync::OnceLock;

use mailprobe_proto::Security;
use serde::{Deserialize, Serialize};

/// The embedded table, as the JSON build.rs makes of `data/providers.toml`.
const PROVIDERS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/providers.json"));

/// One server: host, port and connection security.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerDef {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub security: Security,
}

/// A provider's entry in the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDef {
    /// Stable id (`gmail`, `m365`, `outlook`, `aruba-pec`...); the knowledge base keys on it.
    pub id: String,
    /// The name shown to people.
    pub name: String,
    /// Address domains that belong to it.
    pub domains: Vec<String>,
    /// Server host-name suffixes that belong to it.
    pub host_suffixes: Vec<String>,
    /// MX host-name suffixes that show a domain is hosted there.
    pub mx_suffixes: Vec<String>,
    /// The client submission server.
    pub smtp: ServerDef,
    /// Other documented submission endpoints.
    pub smtp_alt: Vec<ServerDef>,
    /// The IMAP server.
    pub imap: ServerDef,
    /// What mail programs sign in with (`password`, `app-password`, `oauth`,
    /// `oauth-or-app-password`, `pec`).
    pub login: String,
    /// Where the provider documents its settings.
    pub docs: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    provider: Vec<ProviderDef>,
}

/// Every provider of the built-in table, in its order.
pub fn providers() -> &'static [ProviderDef] {
    static TABLE: OnceLock<Vec<ProviderDef>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str::<File>(PROVIDERS_JSON)
            .unwrap_or_else(|e| panic!("embedded provider table is invalid: {e}"))
            .provider
    })
}

/// The provider with this id (case-insensitive).
pub fn provider(id: &str) -> Option<&'static ProviderDef> {
    providers().iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn under(name: &str, suffix: &str) -> bool {
    name == suffix || name.strip_suffix(suffix).is_some_and(|rest| rest.ends_with('.'))
}

/// The entry whose longest suffix in `field` matches `name`.
fn best_match(name: &str, field: impl Fn(&ProviderDef) -> &[String]) -> Option<&'static ProviderDef> {
    let name = normalize(name);
    providers()
        .iter()
        .filter_map(|p| {
            field(p).iter().filter(|s| under(&name, s)).map(|s| (s.len(), p)).max_by_key(|(l, _)| *l)
        })
        .max_by_key(|(l, _)| *l)
        .map(|(_, p)| p)
}

/// The provider a server host name belongs to (`smtp.gmail.com` → gmail), most specific suffix
/// first (`x.mail.protection.outlook.com` is Microsoft 365, not Outlook.com).
pub fn provider_for_host(host: &str) -> Option<&'static ProviderDef> {
    best_match(host, |p| &p.host_suffixes)
}

/// The provider of an address domain (`libero.it` → libero), exact match.
pub fn provider_for_domain(domain: &str) -> Option<&'static ProviderDef> {
    let domain = normalize(domain);
    providers().iter().find(|p| p.domains.contains(&domain))
}

/// The provider an MX host name shows (`aspmx.l.google.com` → gmail).
pub fn provider_for_mx(mx_host: &str) -> Option<&'static ProviderDef> {
    best_match(mx_host, |p| &p.mx_suffixes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_ids_are_unique() {
        let all = providers();
        assert!(all.len() >= 15, "{}", all.len());
        let mut ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "duplicate ids");
        for p in all {
            assert!(p.smtp.port != 25, "{}: submission is never port 25", p.id);
            assert!(!p.host_suffixes.is_empty(), "{}", p.id);
            assert!(p.docs.starts_with("https://"), "{}", p.id);
            for s in p.host_suffixes.iter().chain(&p.mx_suffixes).chain(&p.domains) {
                assert_eq!(s, &s.to_ascii_lowercase(), "{}: {s}", p.id);
            }
            assert!(provider_for_host(&p.smtp.host).is_some_and(|q| q.id == p.id), "{} smtp host", p.id);
        }
        for id in
            ["gmail", "m365", "outlook", "yahoo", "icloud", "zoho", "fastmail", "gmx", "aruba", "libero"]
        {
            assert!(provider(id).is_some(), "{id}");
        }
        for id in ["virgilio", "tim", "tiscali", "register", "aruba-pec", "legalmail"] {
            assert!(provider(id).is_some(), "{id}");
        }
    }

    #[test]
    fn most_specific_suffix_wins() {
        fn id(p: Option<&ProviderDef>) -> Option<&str> {
            p.map(|p| p.id.as_str())
        }
        assert_eq!(id(provider_for_host("smtp.gmail.com")), Some("gmail"));
        assert_eq!(id(provider_for_host("SMTP.Office365.com.")), Some("m365"));
        assert_eq!(id(provider_for_host("contoso-com.mail.protection.outlook.com")), Some("m365"));
        assert_eq!(id(provider_for_host("smtp-mail.outlook.com")), Some("outlook"));
        assert_eq!(id(provider_for_host("smtps.pec.aruba.it")), Some("aruba-pec"));
        assert_eq!(id(provider_for_host("smtps.aruba.it")), Some("aruba"));
        assert!(provider_for_host("notgmail.com").is_none());
        assert!(provider_for_host("mail.example.test").is_none());
        assert_eq!(id(provider_for_mx("alt1.aspmx.l.google.com.")), Some("gmail"));
        assert_eq!(id(provider_for_mx("contoso-com.mail.protection.outlook.com")), Some("m365"));
        assert_eq!(id(provider_for_mx("hotmail-com.olc.protection.outlook.com")), Some("outlook"));
        assert_eq!(id(provider_for_mx("in1-smtp.messagingengine.com")), Some("fastmail"));
        assert_eq!(id(provider_for_domain("Libero.it")), Some("libero"));
        assert_eq!(id(provider_for_domain("pec.it")), Some("aruba-pec"));
        assert!(provider_for_domain("example.test").is_none());
    }
}
