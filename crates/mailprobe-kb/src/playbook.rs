//! Playbooks: the field guides' ordered procedures as data, for `mailprobe guide`.
//!
//! `data/playbooks.toml` holds a library of manual steps and the playbooks that put them in
//! order; `locales/{en,it}/guide.ftl` holds every text. A playbook also says which automated
//! checks apply (the SMTP and IMAP servers to probe, whether to sign in, whether to ask about an
//! old TLS-only device), so the guide runs them before the manual steps and a help desk can run
//! them again as `mailprobe diagnose` command lines.
//!
//! Format:
//!
//! ```toml
//! [[playbook]]
//! id = "outlook-gmail-macos"       # texts: guide-outlook-gmail-macos-title, -intro, -test
//! sender = "outlook-macos"         # outlook-macos | outlook-windows | device: what is sending
//! provider = "gmail"               # a provider id (gmail, m365)
//! mode = "submission"              # optional: submission | direct-send | relay
//! audiences = ["outlook-macos", "google-account"]   # whose how-to lines this playbook shows
//! steps = ["update-os-outlook", "gmail-enable-imap"] # step ids, in the order to try them
//!
//! [playbook.check]                 # the automated checks that apply
//! smtp = { host = "smtp.gmail.com", port = 587, security = "starttls" }
//! imap = { host = "imap.gmail.com", port = 993, security = "tls" }   # optional
//! sign_in = true                   # sign in with the person's address (asks for the password)
//! old_tls = false                  # ask whether the device speaks only TLS 1.0/1.1, check as such
//! outside_recipient = false        # ask for an address outside the organisation to test with
//!                                  # `tenant_mx = true` instead of `host`: the organisation's
//!                                  # Microsoft 365 MX endpoint, derived from the address's domain
//! [[step]]
//! id = "update-os-outlook"         # texts: guide-step-update-os-outlook-title, -what
//! findings = ["auth.oauth_challenge_failed"]   # finding ids this step addresses
//! how = ["outlook-macos", "outlook-windows"]   # texts: guide-step-update-os-outlook-how-outlook-macos...
//! ```
//!
//! Texts may use the placeholders of [`GUIDE_PARAMS`]; the interface strings of the guide are
//! [`GUIDE_UI`]. The tests below check that every text exists in every language with the same
//! placeholders, that every finding id exists, and that no message is left unused.

use std::collections::HashSet;
use std::sync::OnceLock;

use mailprobe_proto::{Security, SendMode};
use serde::Deserialize;

use crate::catalogue::AUDIENCES;

/// The embedded playbooks.
const PLAYBOOKS_TOML: &str = include_str!("../data/playbooks.toml");

/// The placeholders a playbook or step text may use: the person's address, the Microsoft 365
/// MX endpoint of its domain, and the SMTP host and port the playbook checks.
pub const GUIDE_PARAMS: &[&str] = &["address", "tenant_mx", "host", "port"];

/// The interface strings of `mailprobe guide` (questions, headings, the summary, the Markdown
/// checklist), all in `guide.ftl`.
pub const GUIDE_UI: &[&str] = &[
    "guide-ui-welcome",
    "guide-ui-how-to-answer",
    "guide-ui-ask-sender",
    "guide-ui-sender-outlook-macos",
    "guide-ui-sender-outlook-windows",
    "guide-ui-sender-device",
    "guide-ui-ask-provider",
    "guide-ui-provider-gmail",
    "guide-ui-provider-m365",
    "guide-ui-provider-other",
    "guide-ui-ask-number",
    "guide-ui-ask-address",
    "guide-ui-bad-address",
    "guide-ui-modes-explained",
    "guide-ui-ask-can-sign-in",
    "guide-ui-ask-outside",
    "guide-ui-ask-old-tls",
    "guide-ui-ask-outside-address",
    "guide-ui-yes-no",
    "guide-ui-answer-yes-no",
    "guide-ui-chosen",
    "guide-ui-no-playbook",
    "guide-ui-ask-server",
    "guide-ui-checks-heading",
    "guide-ui-checks-what",
    "guide-ui-checks-from-here",
    "guide-ui-ask-password",
    "guide-ui-checking",
    "guide-ui-checks-could-not-run",
    "guide-ui-checks-skipped",
    "guide-ui-checks-ok",
    "guide-ui-checks-ok-envelope",
    "guide-ui-checks-ok-no-sign-in",
    "guide-ui-checks-found",
    "guide-ui-finding-see",
    "guide-ui-fallback-fixes",
    "guide-ui-steps-heading",
    "guide-ui-step-heading",
    "guide-ui-step-found",
    "guide-ui-how-for",
    "guide-ui-ask-works",
    "guide-ui-answer-works",
    "guide-ui-works",
    "guide-ui-input-ended",
    "guide-ui-summary-heading",
    "guide-ui-summary-guide",
    "guide-ui-summary-checked",
    "guide-ui-summary-not-checked",
    "guide-ui-summary-found",
    "guide-ui-summary-found-nothing",
    "guide-ui-summary-steps",
    "guide-ui-summary-step-helped",
    "guide-ui-summary-step-done",
    "guide-ui-summary-step-skipped",
    "guide-ui-summary-no-steps",
    "guide-ui-summary-works",
    "guide-ui-summary-still-broken",
    "guide-ui-summary-unknown",
    "guide-ui-summary-helpdesk",
    "guide-ui-check-smtp",
    "guide-ui-check-imap",
    "guide-ui-check-sign-in",
    "guide-ui-check-old-tls",
    "guide-md-checks",
    "guide-md-checks-intro",
    "guide-md-old-tls",
    "guide-md-steps",
    "guide-md-done",
    "guide-md-works",
    "guide-md-findings",
    "guide-md-interactive",
];

/// What is sending the mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sender {
    /// Outlook on macOS.
    OutlookMacos,
    /// Outlook on Windows.
    OutlookWindows,
    /// A printer, scanner or line-of-business application.
    Device,
}

impl Sender {
    /// Every sender, in the order the guide offers them.
    pub const ALL: [Sender; 3] = [Sender::OutlookMacos, Sender::OutlookWindows, Sender::Device];

    /// The kebab-case name (also the audience of its how-to lines).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutlookMacos => "outlook-macos",
            Self::OutlookWindows => "outlook-windows",
            Self::Device => "device",
        }
    }
}

/// Which server a check connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckHost {
    /// A fixed name (`smtp.gmail.com`).
    Name(String),
    /// The organisation's Microsoft 365 MX endpoint, derived from the address's domain
    /// ([`tenant_mx`]).
    TenantMx,
}

/// One server a playbook checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckTarget {
    /// The host.
    pub host: CheckHost,
    /// The port.
    pub port: u16,
    /// The connection security.
    pub security: Security,
}

impl CheckTarget {
    /// The host name for an address (`None` for a tenant MX endpoint without an address).
    pub fn host_for(&self, address: Option<&str>) -> Option<String> {
        match &self.host {
            CheckHost::Name(name) => Some(name.clone()),
            CheckHost::TenantMx => address.and_then(|a| a.rsplit_once('@')).map(|(_, d)| tenant_mx(d)),
        }
    }
}

/// The automated checks a playbook runs before its manual steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The SMTP server the sender uses.
    pub smtp: CheckTarget,
    /// The IMAP server too, when the client receives through it (Outlook's account wizard
    /// checks both directions).
    pub imap: Option<CheckTarget>,
    /// Sign in with the person's address (and a password, asked for).
    pub sign_in: bool,
    /// Ask whether the device speaks only TLS 1.0/1.1, and if so also check as such a client.
    pub old_tls: bool,
    /// Ask for an address outside the organisation to test delivery to (no message is sent).
    pub outside_recipient: bool,
}

/// One manual step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The step id (`update-os-outlook`).
    pub id: String,
    /// Finding ids this step addresses: when the automated checks found one, the guide says so.
    pub findings: Vec<String>,
    /// The audiences whose how-to lines the playbook shows, in the data's order.
    pub how: Vec<String>,
}

impl Step {
    /// Fluent id of the title.
    pub fn title_id(&self) -> String {
        format!("guide-step-{}-title", self.id)
    }

    /// Fluent id of what to do and why.
    pub fn what_id(&self) -> String {
        format!("guide-step-{}-what", self.id)
    }

    /// Fluent id of the how-to lines for an audience (one line per instruction).
    pub fn how_id(&self, audience: &str) -> String {
        format!("guide-step-{}-how-{audience}", self.id)
    }

    /// True when the step addresses one of these finding ids.
    pub fn addresses(&self, finding_id: &str) -> bool {
        self.findings.iter().any(|f| f == finding_id)
    }
}

/// An ordered procedure for one sender, provider and sending mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Playbook {
    /// The playbook id (`outlook-gmail-macos`).
    pub id: String,
    /// What is sending.
    pub sender: Sender,
    /// The provider id (`gmail`, `m365`).
    pub provider: String,
    /// How a Microsoft 365 device sends, when that decides the playbook.
    pub mode: Option<SendMode>,
    /// Whose how-to lines are shown.
    pub audiences: Vec<String>,
    /// The automated checks.
    pub check: Check,
    /// The manual steps, in order, with only this playbook's audiences in `how`.
    pub steps: Vec<Step>,
}

impl Playbook {
    /// Fluent id of the title.
    pub fn title_id(&self) -> String {
        format!("guide-{}-title", self.id)
    }

    /// Fluent id of the introduction (what the playbook is for, what to have ready).
    pub fn intro_id(&self) -> String {
        format!("guide-{}-intro", self.id)
    }

    /// Fluent id of how to test sending after each step.
    pub fn test_id(&self) -> String {
        format!("guide-{}-test", self.id)
    }

    /// Every Fluent id the playbook uses.
    pub fn message_ids(&self) -> Vec<String> {
        let mut ids = vec![self.title_id(), self.intro_id(), self.test_id()];
        for s in &self.steps {
            ids.push(s.title_id());
            ids.push(s.what_id());
            ids.extend(s.how.iter().map(|a| s.how_id(a)));
        }
        ids
    }

    /// The placeholders of every text, filled in for an address (or stand-ins when it is not
    /// known yet, as in a printed checklist).
    pub fn params(&self, address: Option<&str>) -> Vec<(&'static str, String)> {
        let address_or = address.filter(|a| a.contains('@'));
        let tenant = match address_or.and_then(|a| a.rsplit_once('@')) {
            Some((_, domain)) => tenant_mx(domain),
            None => TENANT_MX_PLACEHOLDER.to_owned(),
        };
        let host = match &self.check.smtp.host {
            CheckHost::Name(n) => n.clone(),
            CheckHost::TenantMx => tenant.clone(),
        };
        vec![
            ("address", address_or.unwrap_or(ADDRESS_PLACEHOLDER).to_owned()),
            ("tenant_mx", tenant),
            ("host", host),
            ("port", self.check.smtp.port.to_string()),
        ]
    }
}

/// Stand-in for the person's address in a printed checklist.
pub const ADDRESS_PLACEHOLDER: &str = "<address>";
/// Stand-in for the tenant's MX endpoint in a printed checklist.
pub const TENANT_MX_PLACEHOLDER: &str = "<your-domain>.mail.protection.outlook.com";

/// The Microsoft 365 MX endpoint of a domain: its dots become dashes, under
/// `mail.protection.outlook.com` (`contoso.com` → `contoso-com.mail.protection.outlook.com`).
/// The domain's MX record has the exact name; this is the usual one.
pub fn tenant_mx(domain: &str) -> String {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    format!("{}.mail.protection.outlook.com", domain.replace('.', "-"))
}

/// Every built-in playbook, in the data's order.
pub fn playbooks() -> &'static [Playbook] {
    static BUILTIN: OnceLock<Vec<Playbook>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        parse(PLAYBOOKS_TOML).unwrap_or_else(|e| panic!("embedded playbooks are invalid: {e}"))
    })
}

/// The built-in playbook with this id.
pub fn playbook(id: &str) -> Option<&'static Playbook> {
    playbooks().iter().find(|p| p.id == id)
}

/// The built-in playbook for a sender, a provider and (for devices on Microsoft 365) a mode.
pub fn find_playbook(sender: Sender, provider: &str, mode: Option<SendMode>) -> Option<&'static Playbook> {
    playbooks()
        .iter()
        .find(|p| p.sender == sender && p.provider == provider && (p.mode.is_none() || p.mode == mode))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    playbook: Vec<PlaybookFile>,
    step: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaybookFile {
    id: String,
    sender: Sender,
    provider: String,
    #[serde(default)]
    mode: Option<SendMode>,
    audiences: Vec<String>,
    steps: Vec<String>,
    check: CheckFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    smtp: TargetFile,
    #[serde(default)]
    imap: Option<TargetFile>,
    #[serde(default)]
    sign_in: bool,
    #[serde(default)]
    old_tls: bool,
    #[serde(default)]
    outside_recipient: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    tenant_mx: bool,
    port: u16,
    security: Security,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    id: String,
    #[serde(default)]
    findings: Vec<String>,
    #[serde(default)]
    how: Vec<String>,
}

/// Why the playbooks could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PlaybookError {
    #[error("playbooks.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("playbooks.toml: {0}")]
    Invalid(String),
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn target(t: TargetFile, what: &str) -> Result<CheckTarget, PlaybookError> {
    let host = match (t.host, t.tenant_mx) {
        (Some(h), false) if !h.is_empty() && !h.contains(char::is_whitespace) => CheckHost::Name(h),
        (None, true) => CheckHost::TenantMx,
        _ => {
            return Err(PlaybookError::Invalid(format!(
                "{what}: give either a host name or tenant_mx = true"
            )));
        }
    };
    if t.port == 0 {
        return Err(PlaybookError::Invalid(format!("{what}: port 0")));
    }
    Ok(CheckTarget { host, port: t.port, security: t.security })
}

/// Reads and checks the playbooks.
pub(crate) fn parse(source: &str) -> Result<Vec<Playbook>, PlaybookError> {
    let invalid = |m: String| PlaybookError::Invalid(m);
    let file: File = toml::from_str(source)?;
    let mut steps: Vec<Step> = Vec::new();
    for s in file.step {
        if !valid_id(&s.id) {
            return Err(invalid(format!("bad step id {:?}: lower-case words joined by dashes", s.id)));
        }
        if steps.iter().any(|t| t.id == s.id) {
            return Err(invalid(format!("step {} defined twice", s.id)));
        }
        let mut seen = HashSet::new();
        for a in &s.how {
            if !AUDIENCES.contains(&a.as_str()) {
                return Err(invalid(format!("step {}: unknown audience {a:?}", s.id)));
            }
            if !seen.insert(a) {
                return Err(invalid(format!("step {}: audience {a} twice", s.id)));
            }
        }
        steps.push(Step { id: s.id, findings: s.findings, how: s.how });
    }
    let mut out: Vec<Playbook> = Vec::new();
    for p in file.playbook {
        let id = p.id;
        // Playbook texts are guide-ID-…, beside guide-step-… and guide-ui-…: keep them apart.
        if !valid_id(&id) || ["step-", "ui-", "md-"].iter().any(|pre| id.starts_with(pre)) {
            return Err(invalid(format!("bad playbook id {id:?}")));
        }
        if out.iter().any(|q| q.id == id) {
            return Err(invalid(format!("playbook {id} defined twice")));
        }
        if let Some(a) = p.audiences.iter().find(|a| !AUDIENCES.contains(&a.as_str())) {
            return Err(invalid(format!("{id}: unknown audience {a:?}")));
        }
        if p.steps.is_empty() {
            return Err(invalid(format!("{id}: no steps")));
        }
        let mut own = Vec::new();
        for sid in &p.steps {
            let step = steps
                .iter()
                .find(|s| &s.id == sid)
                .ok_or_else(|| invalid(format!("{id}: unknown step {sid}")))?;
            if own.iter().any(|s: &Step| &s.id == sid) {
                return Err(invalid(format!("{id}: step {sid} twice")));
            }
            let how = step.how.iter().filter(|a| p.audiences.contains(a)).cloned().collect();
            own.push(Step { how, ..step.clone() });
        }
        if out.iter().any(|q| q.sender == p.sender && q.provider == p.provider && q.mode == p.mode) {
            return Err(invalid(format!("{id}: another playbook has the same sender, provider and mode")));
        }
        let check = Check {
            smtp: target(p.check.smtp, &format!("{id}: check.smtp"))?,
            imap: p.check.imap.map(|t| target(t, &format!("{id}: check.imap"))).transpose()?,
            sign_in: p.check.sign_in,
            old_tls: p.check.old_tls,
            outside_recipient: p.check.outside_recipient,
        };
        out.push(Playbook {
            id,
            sender: p.sender,
            provider: p.provider,
            mode: p.mode,
            audiences: p.audiences,
            check,
            steps: own,
        });
    }
    for s in &steps {
        if !out.iter().any(|p| p.steps.iter().any(|t| t.id == s.id)) {
            return Err(invalid(format!("step {} is in no playbook", s.id)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;
    use crate::lang::Lang;
    use crate::{KnowledgeBase, LOCALES};

    /// Interface strings that are names, the same in every language.
    const SAME_IN_EVERY_LANGUAGE: &[&str] = &["guide-ui-provider-gmail", "guide-ui-provider-m365"];

    /// Message id → (variables, value as written).
    type Messages = BTreeMap<String, (BTreeSet<String>, String)>;

    fn inline_vars(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, out);
                }
                for a in &arguments.named {
                    inline_vars(&a.value, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expr_vars(expression, out),
            _ => {}
        }
    }

    fn expr_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline_vars(i, out),
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    pattern_vars(&v.value, out);
                }
            }
        }
    }

    fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr_vars(expression, out);
            }
        }
    }

    fn messages(source: &str, name: &str, problems: &mut Vec<String>) -> Messages {
        let resource = match fluent_syntax::parser::parse(source) {
            Ok(r) => r,
            Err((r, errors)) => {
                problems.push(format!("{name}: {} syntax errors: {errors:?}", errors.len()));
                r
            }
        };
        let mut out = Messages::new();
        for entry in &resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                match &m.value {
                    Some(p) => pattern_vars(p, &mut vars),
                    None => problems.push(format!("{name}: {} has no value", m.id.name)),
                }
                if out.insert(m.id.name.to_owned(), (vars, format!("{:?}", m.value))).is_some() {
                    problems.push(format!("{name}: {} defined twice", m.id.name));
                }
            }
        }
        out
    }

    /// Every problem of playbook data and its texts, given the finding ids that exist.
    fn problems(toml: &str, en: &str, it: &str, finding_ids: &[&str]) -> Vec<String> {
        let playbooks = match parse(toml) {
            Ok(p) => p,
            Err(e) => return vec![e.to_string()],
        };
        let mut problems = Vec::new();
        let en = messages(en, "en/guide.ftl", &mut problems);
        let it = messages(it, "it/guide.ftl", &mut problems);
        let files = [(Lang::En, &en), (Lang::It, &it)];

        // Data texts: in every language, with the same placeholders, and only known ones.
        let mut used: BTreeSet<String> = BTreeSet::new();
        for p in &playbooks {
            for id in p.message_ids() {
                let mut vars_by_lang = Vec::new();
                for (lang, file) in &files {
                    match file.get(&id) {
                        None => problems.push(format!("{}: {id} missing in {lang}/guide.ftl", p.id)),
                        Some((vars, _)) => {
                            for v in vars.iter().filter(|v| !GUIDE_PARAMS.contains(&v.as_str())) {
                                problems
                                    .push(format!("{lang}/guide.ftl: {id} uses unknown placeholder ${v}"));
                            }
                            vars_by_lang.push(vars.clone());
                        }
                    }
                }
                if vars_by_lang.windows(2).any(|w| w[0] != w[1]) {
                    problems.push(format!("{id}: placeholders differ between languages: {vars_by_lang:?}"));
                }
                used.insert(id);
            }
            for s in &p.steps {
                for f in s.findings.iter().filter(|f| !finding_ids.contains(&f.as_str())) {
                    problems.push(format!("step {}: unknown finding id {f}", s.id));
                }
            }
            if p.steps.iter().all(|s| s.how.is_empty()) {
                problems.push(format!("{}: no step has how-to lines for its audiences", p.id));
            }
        }

        // Interface texts: in every language, with the same placeholders.
        for key in GUIDE_UI {
            let vars: Vec<_> = files.iter().map(|(_, f)| f.get(*key).map(|m| &m.0)).collect();
            if vars.iter().any(Option::is_none) {
                problems.push(format!("{key}: missing in a language ({vars:?})"));
            } else if vars.windows(2).any(|w| w[0] != w[1]) {
                problems.push(format!("{key}: placeholders differ between languages: {vars:?}"));
            }
            used.insert((*key).to_owned());
        }

        // Nothing unused, and nothing left in English in the Italian file.
        for (lang, file) in &files {
            for id in file.keys().filter(|id| !used.contains(*id)) {
                problems
                    .push(format!("{lang}/guide.ftl: {id} is used by no playbook, step or interface string"));
            }
        }
        for (id, (_, value)) in &en {
            if it.get(id).is_some_and(|m| &m.1 == value) && !SAME_IN_EVERY_LANGUAGE.contains(&id.as_str()) {
                problems.push(format!("it/guide.ftl: {id} is the English text"));
            }
        }
        problems
    }

    fn guide_sources() -> (&'static str, &'static str) {
        let find = |lang| {
            LOCALES
                .iter()
                .find(|(l, name, _)| *l == lang && *name == "guide.ftl")
                .map(|l| l.2)
                .expect("guide.ftl is in the kb's Fluent file list")
        };
        (find(Lang::En), find(Lang::It))
    }

    #[test]
    fn the_builtin_playbooks_are_complete() {
        let ids: Vec<&str> = KnowledgeBase::builtin().ids().collect();
        let (en, it) = guide_sources();
        let problems = problems(PLAYBOOKS_TOML, en, it, &ids);
        assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    }

    #[test]
    fn every_text_formats_without_errors() {
        let kb = KnowledgeBase::builtin();
        for p in playbooks() {
            for address in [None, Some("printer@contoso.example")] {
                let params = p.params(address);
                let args =
                    crate::texts::args(params.iter().map(|(k, v)| (*k, std::borrow::Cow::from(v.as_str()))));
                for id in p.message_ids() {
                    for lang in Lang::ALL {
                        let (text, errors) =
                            kb.texts.format_checked(lang, &id, &args).expect("message exists");
                        assert!(errors.is_empty(), "{lang}/{id}: {errors:?}");
                        assert!(!text.trim().is_empty(), "{lang}/{id} is empty");
                    }
                }
            }
        }
    }

    #[test]
    fn the_guides_order_is_kept() {
        let order = |id: &str| playbook(id).unwrap().steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>();
        let outlook = [
            "update-os-outlook",
            "gmail-enable-imap",
            "gmail-server-settings",
            "outlook-modern-auth",
            "stored-credentials",
            "security-software",
            "clock",
            "outlook-logs",
        ];
        assert_eq!(order("outlook-gmail-macos"), outlook);
        assert_eq!(order("outlook-gmail-windows"), outlook);
        let submission = order("m365-submission");
        assert_eq!(submission[0], "m365-device-settings");
        let pos = |id: &str| submission.iter().position(|s| *s == id).unwrap();
        assert!(pos("network-reach") < pos("m365-tls12"));
        assert!(pos("m365-tls12") < pos("m365-smtp-auth"));
        assert!(pos("m365-smtp-auth") < pos("m365-mfa"));
        assert!(pos("m365-mfa") < pos("m365-security-defaults"));
        assert!(pos("m365-security-defaults") < pos("m365-conditional-access"));
        assert_eq!(submission.last(), Some(&"m365-admin-diagnostic"));
        assert_eq!(
            order("m365-direct-send")[..3],
            ["m365-direct-send-settings", "ip-blocklist", "network-reach"]
        );
        assert_eq!(order("m365-relay")[..3], ["m365-relay-settings", "ip-blocklist", "network-reach"]);
    }

    #[test]
    fn playbooks_are_found_by_sender_provider_and_mode() {
        let id = |s, p, m| find_playbook(s, p, m).map(|p| p.id.as_str());
        assert_eq!(id(Sender::OutlookMacos, "gmail", None), Some("outlook-gmail-macos"));
        assert_eq!(id(Sender::OutlookWindows, "gmail", None), Some("outlook-gmail-windows"));
        assert_eq!(id(Sender::Device, "m365", Some(SendMode::Submission)), Some("m365-submission"));
        assert_eq!(id(Sender::Device, "m365", Some(SendMode::DirectSend)), Some("m365-direct-send"));
        assert_eq!(id(Sender::Device, "m365", Some(SendMode::Relay)), Some("m365-relay"));
        assert_eq!(id(Sender::Device, "gmail", None), None);
        assert_eq!(id(Sender::OutlookMacos, "other", None), None);
    }

    #[test]
    fn how_lines_follow_the_playbooks_audiences() {
        let mac = playbook("outlook-gmail-macos").unwrap();
        let update = &mac.steps[0];
        assert_eq!(update.how, ["outlook-macos"]);
        let win = playbook("outlook-gmail-windows").unwrap();
        assert_eq!(win.steps[0].how, ["outlook-windows"]);
    }

    #[test]
    fn checks_and_params() {
        let direct = playbook("m365-direct-send").unwrap();
        assert_eq!(direct.check.smtp.host, CheckHost::TenantMx);
        assert_eq!(direct.check.smtp.port, 25);
        assert_eq!(
            direct.check.smtp.host_for(Some("scanner@contoso.example")).as_deref(),
            Some("contoso-example.mail.protection.outlook.com")
        );
        assert_eq!(direct.check.smtp.host_for(None), None);
        let params = direct.params(None);
        assert!(params.contains(&("address", ADDRESS_PLACEHOLDER.to_owned())));
        assert!(params.contains(&("host", TENANT_MX_PLACEHOLDER.to_owned())));
        assert_eq!(tenant_mx("Sub.Contoso.co.uk."), "sub-contoso-co-uk.mail.protection.outlook.com");
        let gmail = playbook("outlook-gmail-macos").unwrap();
        assert!(gmail.check.sign_in && gmail.check.imap.is_some());
        assert!(playbook("m365-submission").unwrap().check.old_tls);
    }

    const DATA: &str = r#"
[[playbook]]
id = "p"
sender = "device"
provider = "m365"
audiences = ["device"]
steps = ["s"]
[playbook.check]
smtp = { host = "smtp.example", port = 587, security = "starttls" }
[[step]]
id = "s"
findings = ["a.b"]
how = ["device"]
"#;
    const EN: &str = "guide-p-title = T\nguide-p-intro = I { $address }\nguide-p-test = X\nguide-step-s-title = S\nguide-step-s-what = W { $host }\nguide-step-s-how-device = H\n";
    const IT: &str = "guide-p-title = Ti\nguide-p-intro = In { $address }\nguide-p-test = Xi\nguide-step-s-title = Si\nguide-step-s-what = Wi { $host }\nguide-step-s-how-device = Hi\n";

    fn run(data: &str, en: &str, it: &str) -> Vec<String> {
        // The interface strings are checked too: give them in both languages.
        let ui_en: String = GUIDE_UI.iter().map(|k| format!("{k} = {k} en\n")).collect();
        let ui_it: String = GUIDE_UI.iter().map(|k| format!("{k} = {k} it\n")).collect();
        problems(data, &format!("{en}{ui_en}"), &format!("{it}{ui_it}"), &["a.b"])
    }

    #[test]
    fn a_good_small_playbook_passes() {
        assert_eq!(run(DATA, EN, IT), Vec::<String>::new());
    }

    #[test]
    fn each_check_can_fail() {
        let cases: Vec<(String, String, String, &str)> = vec![
            (DATA.into(), EN.into(), IT.replace("guide-step-s-how-device = Hi\n", ""), "missing in it"),
            (DATA.into(), EN.replace("guide-p-test = X\n", ""), IT.into(), "missing in en"),
            (DATA.into(), EN.into(), IT.replace("Wi { $host }", "Wi { $port }"), "placeholders differ"),
            (
                DATA.into(),
                EN.replace("W { $host }", "W { $colour }"),
                IT.replace("Wi { $host }", "Wi { $colour }"),
                "unknown placeholder",
            ),
            (DATA.into(), EN.into(), IT.replace("= Si", "= S"), "not translated"),
            (
                DATA.into(),
                format!("{EN}guide-step-s-extra = E\n"),
                format!("{IT}guide-step-s-extra = Ei\n"),
                "unused message",
            ),
            (DATA.replace("\"a.b\"", "\"a.c\""), EN.into(), IT.into(), "unknown finding id"),
            (DATA.replace("steps = [\"s\"]", "steps = [\"t\"]"), EN.into(), IT.into(), "unknown step"),
            (
                DATA.replace("how = [\"device\"]", "how = [\"printer\"]"),
                EN.into(),
                IT.into(),
                "unknown audience",
            ),
            (
                DATA.replace("audiences = [\"device\"]", "audiences = [\"m365-admin\"]"),
                EN.into(),
                IT.into(),
                "no how shown",
            ),
            (DATA.replace("port = 587", "port = 587, colour = 1"), EN.into(), IT.into(), "unknown key"),
            (
                DATA.replace("host = \"smtp.example\"", "host = \"smtp.example\", tenant_mx = true"),
                EN.into(),
                IT.into(),
                "host and tenant_mx",
            ),
            (
                DATA.replace("id = \"p\"", "id = \"step-p\""),
                EN.into(),
                IT.into(),
                "id clashes with step texts",
            ),
            (format!("{DATA}[[step]]\nid = \"lonely\"\n"), EN.into(), IT.into(), "step in no playbook"),
            (DATA.into(), EN.replace("= T\n", "= { $x\n"), IT.into(), "syntax error"),
        ];
        for (data, en, it, what) in cases {
            assert!(!run(&data, &en, &it).is_empty(), "check did not fire: {what}");
        }
        // An interface string missing in one language.
        let ui_en: String = GUIDE_UI.iter().map(|k| format!("{k} = {k} en\n")).collect();
        let ui_it: String = GUIDE_UI.iter().skip(1).map(|k| format!("{k} = {k} it\n")).collect();
        assert!(!problems(DATA, &format!("{EN}{ui_en}"), &format!("{IT}{ui_it}"), &["a.b"]).is_empty());
    }
}
