//! The `advise` report: which Microsoft 365 sending mode fits a device, its settings, the DNS
//! records and admin steps it needs, the alternatives, and `mailprobe relay` beside them.

use std::fmt::Write as _;

use mailprobe_kb::{Finding, KnowledgeBase, Lang};
use serde::Serialize;

use crate::Tool;
use crate::text::Style;

/// The modes advise chooses among.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// SMTP AUTH client submission.
    Submission,
    /// Client submission through `smtp-legacy.office365.com` (TLS 1.0/1.1 opt-in).
    LegacySubmission,
    /// Direct send.
    DirectSend,
    /// Relay through a connector.
    Relay,
}

impl Mode {
    /// The id of its name among the UI texts.
    pub fn text_id(self) -> &'static str {
        match self {
            Self::Submission => "advise-mode-submission",
            Self::LegacySubmission => "advise-mode-legacy",
            Self::DirectSend => "advise-mode-direct-send",
            Self::Relay => "advise-mode-relay",
        }
    }
}

/// What the admin said about the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Newest TLS version, as tenths (10, 11, 12, 13).
    pub tls: u8,
    /// Can sign in (`None`: not said, taken as yes).
    pub can_login: Option<bool>,
    /// Must reach outside recipients (`None`: not said, taken as yes).
    pub external: Option<bool>,
    /// Has a static IP (`None`: not said, taken as no).
    pub static_ip: Option<bool>,
}

/// A line of advice: a text with its arguments, rendered in the reader's language.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// Text id.
    pub id: &'static str,
    /// The text.
    pub text: String,
    /// A command to run, when the line has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// Device settings.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// Server host name.
    pub server: String,
    /// Port, in words.
    pub port: String,
    /// Encryption, in words.
    pub tls: String,
    /// What to sign in with.
    pub credentials: String,
    /// The sender address to use.
    pub from: String,
    /// Who can be reached.
    pub recipients: String,
}

impl Settings {
    /// Each setting with the id of the text that labels it, in the order a device's form asks.
    pub(crate) fn labelled(&self) -> [(&'static str, &String); 6] {
        [
            ("advise-setting-server", &self.server),
            ("advise-setting-port", &self.port),
            ("advise-setting-tls", &self.tls),
            ("advise-setting-credentials", &self.credentials),
            ("advise-setting-from", &self.from),
            ("advise-setting-recipients", &self.recipients),
        ]
    }
}

/// `mailprobe relay` as an option beside Microsoft's modes: what it is, the device's exact
/// settings, and the administrators' steps.
#[derive(Clone, Debug, Serialize)]
pub struct RelayOption {
    /// Its heading.
    pub title: String,
    /// What it is.
    pub what: String,
    /// The device's settings, one per line.
    pub device_settings: Vec<String>,
    /// The administrators' steps, in order.
    pub admin_steps: Vec<String>,
}

/// A DNS record to add or check.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// The record type (`TXT`).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The name it is published at.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Why it is needed.
    pub why: String,
}

/// The whole advice.
#[derive(Debug, Serialize)]
pub struct Advice {
    /// What made it.
    pub tool: Tool,
    /// True when a mode fits.
    pub ok: bool,
    /// The provider id.
    pub provider: String,
    /// What was said about the device.
    pub facts: Facts,
    /// The mode recommended, when one fits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Its heading.
    pub title: String,
    /// The recommendation in a sentence.
    pub recommendation: String,
    /// Why it is needed.
    pub why: String,
    /// The device's settings for that mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// The tenant's MX endpoint (direct send and relay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mx_endpoint: Option<String>,
    /// The MX endpoint was derived from the domain, not read from DNS.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mx_endpoint_guessed: bool,
    /// DNS records to add or check.
    pub dns_records: Vec<Record>,
    /// The administrators' steps, in order.
    pub admin_steps: Vec<Line>,
    /// What to keep in mind.
    pub caveats: Vec<Line>,
    /// The modes not chosen, and why.
    pub alternatives: Vec<Line>,
    /// `mailprobe relay` on the LAN, offered beside Microsoft's modes (Microsoft 365 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailprobe_relay: Option<RelayOption>,
    /// The knowledge base's findings on the device.
    pub findings: Vec<Finding>,
}

impl Advice {
    /// The exit status: 0 a mode fits, 1 none does.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.ok)
    }
}

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

fn yes_no(lang: Lang, v: Option<bool>) -> String {
    t(
        lang,
        match v {
            Some(true) => "advise-yes",
            Some(false) => "advise-no",
            None => "advise-unknown",
        },
        &[],
    )
}

/// The advice as text (`md` false; colours when `style.color`) or Markdown (`md` true).
pub fn render(a: &Advice, style: &Style, md: bool) -> String {
    let lang = style.lang;
    let tls = format!("{}.{}", a.facts.tls / 10, a.facts.tls % 10);
    let mut out = String::new();
    let color = !md && style.color;
    let bold = |s: &str| if color { format!("\x1b[1m{s}\x1b[0m") } else { s.to_owned() };
    let heading = |out: &mut String, s: &str| {
        if md {
            let _ = writeln!(out, "\n## {s}\n");
        } else {
            let _ = writeln!(out, "\n{}", bold(s));
        }
    };
    let item = |out: &mut String, s: &str| {
        if md {
            let _ = writeln!(out, "- {s}");
        } else {
            let _ = writeln!(out, "  - {s}");
        }
    };
    if md {
        let _ = writeln!(out, "# {}\n", a.title);
    } else {
        let _ = writeln!(out, "{}\n", bold(&a.title));
    }
    let inputs = t(
        lang,
        "advise-inputs",
        &[
            ("tls", &tls),
            ("login", &yes_no(lang, a.facts.can_login)),
            ("external", &yes_no(lang, a.facts.external)),
            ("static", &yes_no(lang, a.facts.static_ip)),
        ],
    );
    let _ = writeln!(out, "{inputs}\n");
    let _ =
        writeln!(out, "{}", if md { format!("**{}**", a.recommendation) } else { bold(&a.recommendation) });
    let _ = writeln!(out, "{}", a.why);
    if let Some(s) = &a.settings {
        heading(&mut out, &t(lang, "advise-heading-settings", &[]));
        for (id, v) in s.labelled() {
            let v = if md && id == "advise-setting-server" { format!("`{v}`") } else { v.clone() };
            item(&mut out, &t(lang, id, &[("value", &v)]));
        }
        if a.mx_endpoint_guessed
            && let Some(h) = &a.mx_endpoint
        {
            item(&mut out, &t(lang, "advise-dns-mx-guess", &[("host", h)]));
        }
    }
    if !a.dns_records.is_empty() {
        heading(&mut out, &t(lang, "advise-heading-dns", &[]));
        for r in &a.dns_records {
            let value = if md { format!("`{}`", r.value) } else { r.value.clone() };
            item(
                &mut out,
                &format!(
                    "{} ({})",
                    t(lang, "advise-dns-spf", &[("domain", &r.name), ("value", &value)]),
                    r.why
                ),
            );
        }
    }
    for (key, lines) in [
        ("advise-heading-admin", &a.admin_steps),
        ("advise-heading-caveats", &a.caveats),
        ("advise-heading-alternatives", &a.alternatives),
    ] {
        if lines.is_empty() {
            continue;
        }
        heading(&mut out, &t(lang, key, &[]));
        for (i, l) in lines.iter().enumerate() {
            let text = match (&l.command, md) {
                (Some(c), true) if l.text.contains(c.as_str()) => {
                    l.text.replace(c.as_str(), &format!("`{c}`"))
                }
                _ => l.text.clone(),
            };
            if key == "advise-heading-admin" {
                let _ = writeln!(out, "{}{}. {text}", if md { "" } else { "  " }, i + 1);
            } else {
                item(&mut out, &text);
            }
        }
    }
    if let Some(r) = &a.mailprobe_relay {
        heading(&mut out, &r.title);
        let _ = writeln!(out, "{}", r.what);
        heading(&mut out, &t(lang, "advise-heading-settings", &[]));
        for s in &r.device_settings {
            item(&mut out, s);
        }
        heading(&mut out, &t(lang, "advise-heading-admin", &[]));
        for (i, s) in r.admin_steps.iter().enumerate() {
            let _ = writeln!(out, "{}{}. {s}", if md { "" } else { "  " }, i + 1);
        }
    }
    if !a.findings.is_empty() {
        out.push('\n');
        crate::dns::render_findings(&mut out, &a.findings, lang, color, &t(lang, "dns-findings", &[]));
    }
    out
}
