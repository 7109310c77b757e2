//! EHLO capabilities, read from a 250 reply.

use serde::{Deserialize, Serialize};

use crate::{Reply, SaslMechanism};

/// What a server says it can do in its EHLO reply. Unknown keywords are kept verbatim, because
/// an odd one (a firewall's `XXXXXXXA` in place of `STARTTLS`) can be the whole diagnosis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EhloCapabilities {
    /// The first line: the server's name and greeting.
    pub greeting: String,
    /// `STARTTLS` (RFC 3207).
    pub starttls: bool,
    /// `AUTH` mechanisms, in the server's order (also read from the old `AUTH=` form).
    pub auth: Vec<SaslMechanism>,
    /// `SIZE` limit in bytes; `Some(0)` means no fixed limit.
    pub size: Option<u64>,
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030).
    pub chunking: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
    /// Every other line, verbatim.
    pub other: Vec<String>,
}

impl EhloCapabilities {
    /// Reads capabilities from an EHLO reply (its first line is the greeting).
    pub fn from_reply(reply: &Reply) -> Self {
        let mut caps = Self { greeting: reply.lines.first().cloned().unwrap_or_default(), ..Self::default() };
        for line in reply.lines.iter().skip(1) {
            caps.add_line(line);
        }
        caps
    }

    fn add_line(&mut self, line: &str) {
        let line = line.trim();
        let (keyword, params) = match line.find([' ', '=']) {
            Some(i) => (&line[..i], line[i + 1..].trim()),
            None => (line, ""),
        };
        match keyword.to_ascii_uppercase().as_str() {
            "STARTTLS" => self.starttls = true,
            "AUTH" => {
                for mech in params.split_ascii_whitespace() {
                    let mech: SaslMechanism = mech.parse().unwrap_or_else(|e| match e {});
                    if !self.auth.contains(&mech) {
                        self.auth.push(mech);
                    }
                }
            }
            "SIZE" => self.size = Some(params.parse().unwrap_or(0)),
            "PIPELINING" => self.pipelining = true,
            "8BITMIME" => self.eight_bit_mime = true,
            "SMTPUTF8" => self.smtputf8 = true,
            "CHUNKING" => self.chunking = true,
            "ENHANCEDSTATUSCODES" => self.enhanced_status_codes = true,
            "DSN" => self.dsn = true,
            "REQUIRETLS" => self.requiretls = true,
            _ if !line.is_empty() => self.other.push(line.to_owned()),
            _ => {}
        }
    }

    /// True when the server offers `mechanism`.
    pub fn offers(&self, mechanism: &SaslMechanism) -> bool {
        self.auth.contains(mechanism)
    }

    /// Keywords that look like a capability masked by a middlebox: all `X`s, possibly with a
    /// trailing letter (Cisco's `XXXXXXXA` for `STARTTLS`, `XXXA` for `AUTH`).
    pub fn masked_keywords(&self) -> Vec<&str> {
        self.other
            .iter()
            .map(|l| l.split_ascii_whitespace().next().unwrap_or(""))
            .filter(|k| {
                let body = k.strip_suffix(|c: char| c.is_ascii_alphabetic() && c != 'X').unwrap_or(k);
                body.len() >= 3 && body.chars().all(|c| c == 'X')
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_like_list() {
        let reply = Reply::new(
            250,
            [
                "smtp.gmail.com at your service, [203.0.113.5]",
                "SIZE 35882577",
                "8BITMIME",
                "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH",
                "ENHANCEDSTATUSCODES",
                "PIPELINING",
                "CHUNKING",
                "SMTPUTF8",
            ],
        );
        let caps = EhloCapabilities::from_reply(&reply);
        assert_eq!(caps.size, Some(35_882_577));
        assert!(caps.offers(&SaslMechanism::XOAuth2));
        assert!(caps.offers(&SaslMechanism::Other("PLAIN-CLIENTTOKEN".into())));
        assert!(caps.eight_bit_mime && caps.pipelining && caps.chunking && caps.smtputf8);
        assert!(!caps.starttls);
        assert!(caps.other.is_empty());
    }

    #[test]
    fn old_auth_form_unknown_and_masked() {
        let reply = Reply::new(
            250,
            ["mx ready", "AUTH=LOGIN PLAIN", "XXXXXXXA", "X-EXPS GSSAPI NTLM", "DSN", "REQUIRETLS"],
        );
        let caps = EhloCapabilities::from_reply(&reply);
        assert_eq!(caps.auth, vec![SaslMechanism::Login, SaslMechanism::Plain]);
        assert_eq!(caps.other, vec!["XXXXXXXA", "X-EXPS GSSAPI NTLM"]);
        assert_eq!(caps.masked_keywords(), vec!["XXXXXXXA"]);
        assert!(caps.dsn && caps.requiretls);
    }
}
