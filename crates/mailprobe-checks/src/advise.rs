//! `advise`: which Microsoft 365 sending mode fits a device, and its settings.
//!
//! Follows the Microsoft 365 guide's comparison of the three modes:
//! - SMTP AUTH client submission (`smtp.office365.com:587`, STARTTLS with TLS 1.2, a mailbox's
//!   credentials): recommended whenever the device can sign in; reaches everyone.
//! - Direct send (the tenant's MX endpoint, port 25, no login, TLS optional): only recipients
//!   inside the organization; a static IP in SPF keeps its mail out of spam.
//! - Relay through a connector (the MX endpoint, port 25, no login, TLS optional): reaches
//!   everyone; the connector recognizes the device by its static IP.
//! - and, for a device that can sign in but speaks only TLS 1.0/1.1, the legacy endpoint
//!   `smtp-legacy.office365.com` after the tenant opts in (`AllowLegacyTLSClients`).
//!
//! Beside Microsoft's modes, always: `mailprobe relay` on the LAN, for a device that cannot
//! change. Its texts are the Microsoft 365 guide's step `m365-mailprobe-relay`, so `advise` and
//! `guide` say the same.
//!
//! The decision ([`recommend`]) is pure; with a domain the MX endpoint and the SPF record are
//! read from DNS to print exact values.

use std::net::IpAddr;

use mailprobe_kb::{Finding, KnowledgeBase, Lang};
use mailprobe_proto::dns::spf_with_ip;
use mailprobe_proto::{Context, DeviceProfile};
use mailprobe_report::Tool;
use mailprobe_report::advise::{Advice, Facts, Line, Mode, Record, RelayOption, Settings};
use serde::Serialize;

use crate::dns::domain_of;
use crate::{CheckEnv, CheckError, invalid};

/// What is known about the device.
#[derive(Clone, Debug)]
pub struct AdviseRequest {
    /// Provider the device sends through (m365; others get their client submission settings).
    pub provider: String,
    /// The newest TLS version the device speaks: "1.0", "1.1", "1.2" or "1.3".
    pub tls: String,
    /// Whether the device can sign in with a user name and password (`None`: not said).
    pub can_login: Option<bool>,
    /// Whether it must mail recipients outside the organization (`None`: not said).
    pub external: Option<bool>,
    /// Whether it sends from a static public IP address (`None`: not said; an `ip` implies yes).
    pub static_ip: Option<bool>,
    /// The organization's mail domain (its MX endpoint and SPF record are looked up).
    pub domain: Option<String>,
    /// The device's public IP.
    pub ip: Option<IpAddr>,
    /// The mailbox the device signs in with (for the PowerShell commands).
    pub user: Option<String>,
}

impl Default for AdviseRequest {
    /// Microsoft 365, TLS 1.2, nothing else said.
    fn default() -> Self {
        Self {
            provider: "m365".into(),
            tls: "1.2".into(),
            can_login: None,
            external: None,
            static_ip: None,
            domain: None,
            ip: None,
            user: None,
        }
    }
}

/// One mode considered and not chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// The mode.
    pub mode: Mode,
    /// Whether it would work.
    pub possible: bool,
    /// Text id of why (not) chosen.
    pub why: &'static str,
}

/// The decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The mode, or `None` when none fits.
    pub mode: Option<Mode>,
    /// Text id of why.
    pub why: &'static str,
    /// What keeps client submission out (text id), when it is.
    pub blocker: Option<&'static str>,
    /// The modes not chosen.
    pub alternatives: Vec<Alternative>,
}

/// The guide's comparison, as a decision.
pub fn recommend(f: Facts) -> Decision {
    let tls_ok = f.tls >= 12;
    let login = f.can_login.unwrap_or(true);
    let external = f.external.unwrap_or(true);
    let static_ip = f.static_ip.unwrap_or(false);
    let submission = login && tls_ok;
    let legacy = login && !tls_ok;
    let direct = !external;
    let relay = static_ip;
    let blocker = (!submission).then_some(if login { "advise-blocker-tls" } else { "advise-blocker-login" });
    let (mode, why) = if submission {
        (Some(Mode::Submission), "advise-why-submission")
    } else if direct {
        (Some(Mode::DirectSend), "advise-why-direct-send")
    } else if relay {
        (Some(Mode::Relay), "advise-why-relay")
    } else if legacy {
        (Some(Mode::LegacySubmission), "advise-why-legacy")
    } else {
        (None, "advise-why-none")
    };
    let mut alternatives = Vec::new();
    for m in [Mode::Submission, Mode::DirectSend, Mode::Relay, Mode::LegacySubmission] {
        if Some(m) == mode {
            continue;
        }
        let (possible, why) = match m {
            Mode::Submission if submission => (true, "advise-altwhy-submission-ok"),
            Mode::Submission if !login => (false, "advise-altwhy-needs-login"),
            Mode::Submission => (false, "advise-altwhy-needs-tls12"),
            Mode::DirectSend if direct => (true, "advise-altwhy-direct-ok"),
            Mode::DirectSend => (false, "advise-altwhy-internal-only"),
            Mode::Relay if relay => (true, "advise-altwhy-relay-ok"),
            Mode::Relay => (false, "advise-altwhy-needs-static"),
            Mode::LegacySubmission if legacy => (true, "advise-altwhy-legacy-ok"),
            Mode::LegacySubmission if login => (false, "advise-altwhy-legacy-not-needed"),
            Mode::LegacySubmission => (false, "advise-altwhy-needs-login"),
        };
        // The legacy endpoint is only worth naming when the device's TLS is the problem.
        if m == Mode::LegacySubmission && tls_ok {
            continue;
        }
        alternatives.push(Alternative { mode: m, possible, why });
    }
    Decision { mode, why, blocker, alternatives }
}

/// The guide's step that offers `mailprobe relay`, whose texts advise shows too.
const RELAY_STEP: &str = "m365-mailprobe-relay";

/// The relay option in `lang`, naming `mailbox` (the mailbox the relay sends as).
fn relay_option(lang: Lang, mailbox: &str) -> RelayOption {
    let args = [("address", mailbox)];
    let text = |suffix: &str| t(lang, &format!("guide-step-{RELAY_STEP}-{suffix}"), &args);
    // the guide's how-to texts hold one instruction per line
    let lines = |suffix: &str| -> Vec<String> {
        text(suffix).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    let mut admin_steps = lines("how-m365-admin");
    admin_steps.extend(lines("how-network-admin"));
    RelayOption {
        title: text("title"),
        what: text("what"),
        device_settings: lines("how-device"),
        admin_steps,
    }
}

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

/// Decides the mode and writes the advice: with a domain, its MX endpoint and SPF record are
/// read from DNS to print exact values.
pub async fn advise(args: &AdviseRequest, env: &CheckEnv) -> Result<Advice, CheckError> {
    let lang = env.lang;
    let domain = match &args.domain {
        Some(d) => match domain_of(d) {
            Some(d) => Some(d),
            None => return invalid(format!("--domain {d:?} is not a domain name")),
        },
        None => None,
    };
    let Some(provider) = crate::provider::by_id(&args.provider) else {
        let known = crate::provider::PROVIDERS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ");
        return invalid(format!("unknown provider {:?}; known: {known}", args.provider));
    };
    let tls: u8 = match args.tls.as_str() {
        "1.0" => 10,
        "1.1" => 11,
        "1.2" => 12,
        "1.3" => 13,
        other => return invalid(format!("--tls {other:?}: give 1.0, 1.1, 1.2 or 1.3")),
    };
    let facts = Facts {
        tls,
        can_login: args.can_login,
        external: args.external,
        static_ip: args.static_ip.or(args.ip.map(|_| true)),
    };
    let title = t(lang, "advise-title", &[("provider", provider.name)]);
    if provider.id != "m365" {
        return Ok(other_provider(lang, provider, facts, title));
    }
    let decision = recommend(facts);
    let ip = args.ip.map(|i| i.to_string());
    let ip_or = ip.clone().unwrap_or_else(|| "<static-IP>".into());
    let user = args.user.clone().unwrap_or_else(|| "<device-mailbox>".into());
    let domain_shown = domain.clone().unwrap_or_else(|| "<your-domain>".into());

    // DNS facts, when a domain was given.
    let (mut mx_endpoint, mut mx_guessed, mut spf_record) = (None, false, None);
    if let Some(d) = &domain {
        let checker = crate::dns_checker(env)?;
        let mx = checker.mx(d).await;
        mx_endpoint = mx.m365_endpoint.clone();
        if mx_endpoint.is_none() {
            mx_endpoint = Some(mailprobe_kb::tenant_mx(d));
            mx_guessed = true;
        }
        spf_record = checker.txt(d).await.ok().and_then(|txt| {
            txt.into_iter().find(|r| r.trim_start().to_ascii_lowercase().starts_with("v=spf1"))
        });
    }
    let mx_host = mx_endpoint.clone().unwrap_or_else(|| "<your-domain>.mail.protection.outlook.com".into());

    let line = |id: &'static str, args: &[(&str, &str)]| Line { id, text: t(lang, id, args), command: None };
    let blocker_text = decision.blocker.map(|b| t(lang, b, &[("tls", &args.tls)])).unwrap_or_default();
    let mode_text =
        decision.mode.map_or_else(|| t(lang, "advise-mode-none", &[]), |m| t(lang, m.text_id(), &[]));
    let recommendation = t(lang, "advise-recommended", &[("mode", &mode_text)]);
    let why = t(lang, decision.why, &[("blocker", &blocker_text), ("tls", &args.tls)]);

    let mut dns_records = Vec::new();
    let mut admin = Vec::new();
    let mut caveats = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let spf_for_device = |ip: &str| {
        let base =
            spf_record.clone().unwrap_or_else(|| "v=spf1 include:spf.protection.outlook.com -all".into());
        spf_with_ip(Some(&base), ip)
    };
    let test_cmd = |extra: &str| {
        let mut c = format!(
            "mailprobe diagnose --provider m365 --host {}",
            match decision.mode {
                Some(Mode::Submission) => "smtp.office365.com",
                Some(Mode::LegacySubmission) => "smtp-legacy.office365.com",
                _ => mx_host.as_str(),
            }
        );
        c.push_str(extra);
        c
    };
    let settings = match decision.mode {
        Some(Mode::Submission) | Some(Mode::LegacySubmission) => {
            let legacy = decision.mode == Some(Mode::LegacySubmission);
            let spf =
                spf_record.clone().unwrap_or_else(|| "v=spf1 include:spf.protection.outlook.com -all".into());
            dns_records.push(Record {
                kind: "TXT",
                name: domain_shown.clone(),
                value: spf,
                why: t(lang, "advise-dns-spf-why-provider", &[]),
            });
            if legacy {
                let mut l = line("advise-step-legacy-optin", &[]);
                l.command = Some("Set-TransportConfig -AllowLegacyTLSClients $true".into());
                admin.push(l);
                caveats.push(line("advise-caveat-legacy", &[]));
            }
            let mut l = line("advise-step-smtp-auth", &[("user", &user)]);
            l.command =
                Some(format!("Set-CASMailbox -Identity {user} -SmtpClientAuthenticationDisabled $false"));
            admin.push(l);
            admin.push(line("advise-step-mfa", &[]));
            admin.push(line("advise-step-send-as", &[("user", &user)]));
            admin.push(line("advise-step-owa", &[]));
            let cmd = test_cmd(&format!(" --mode submission --user {user} --client-tls-max {}", args.tls));
            let mut l = line("advise-step-test", &[("command", &cmd)]);
            l.command = Some(cmd);
            admin.push(l);
            Some(Settings {
                server: if legacy { "smtp-legacy.office365.com".into() } else { "smtp.office365.com".into() },
                port: t(lang, "advise-port-submission", &[]),
                tls: t(lang, if legacy { "advise-tls-legacy" } else { "advise-tls-required" }, &[]),
                credentials: t(lang, "advise-credentials-mailbox", &[]),
                from: t(lang, "advise-from-mailbox", &[]),
                recipients: t(lang, "advise-recipients-all", &[]),
            })
        }
        Some(m @ (Mode::DirectSend | Mode::Relay)) => {
            let relay = m == Mode::Relay;
            if relay || facts.static_ip == Some(true) {
                dns_records.push(Record {
                    kind: "TXT",
                    name: domain_shown.clone(),
                    value: spf_for_device(&ip_or),
                    why: t(lang, "advise-dns-spf-why-ip", &[]),
                });
            }
            let mut l = line("advise-step-mx", &[]);
            l.command = None;
            admin.push(l);
            if relay {
                admin.push(line("advise-step-connector", &[("ip", &ip_or)]));
                admin.push(line("advise-step-accepted-domain", &[]));
                admin.push(line("advise-step-spf", &[]));
                admin.push(line("advise-step-port25", &[("host", &mx_host)]));
                admin.push(line("advise-step-ip-change", &[]));
            } else {
                admin.push(line("advise-step-no-connector", &[]));
                admin.push(line("advise-step-accepted-domain", &[]));
                if facts.static_ip == Some(true) {
                    admin.push(line("advise-step-spf", &[]));
                }
                admin.push(line("advise-step-port25", &[("host", &mx_host)]));
                caveats.push(line("advise-caveat-direct-internal", &[]));
                if facts.static_ip != Some(true) {
                    caveats.push(line("advise-caveat-no-static-direct", &[]));
                }
            }
            caveats.push(line("advise-caveat-mx-long", &[]));
            let mode_flag = if relay { "relay" } else { "direct-send" };
            let cmd = test_cmd(&format!(" --port 25 --mode {mode_flag} --from device@{domain_shown}"));
            let mut l = line("advise-step-test", &[("command", &cmd)]);
            l.command = Some(cmd);
            admin.push(l);
            if let Some(ip) = &ip
                && let Some(d) = &domain
            {
                let cmd = format!("mailprobe dns {d} --ip {ip}");
                let mut l = line("advise-step-test", &[("command", &cmd)]);
                l.command = Some(cmd);
                admin.push(l);
            }
            Some(Settings {
                server: mx_host.clone(),
                port: t(lang, "advise-port-25", &[]),
                tls: t(lang, "advise-tls-optional", &[]),
                credentials: t(lang, "advise-credentials-none", &[]),
                from: t(lang, "advise-from-domain", &[("domain", &domain_shown)]),
                recipients: t(
                    lang,
                    if relay { "advise-recipients-all" } else { "advise-recipients-internal" },
                    &[],
                ),
            })
        }
        // No mode fits: the knowledge base says why and what to change (advise.no_mode_fits).
        None => None,
    };
    findings.extend(device_findings(&args.tls, facts, lang));
    if decision.alternatives.iter().any(|a| a.mode == Mode::LegacySubmission && a.possible) {
        caveats.push(line("advise-caveat-legacy", &[]));
    }
    let mut alternatives: Vec<Line> = decision
        .alternatives
        .iter()
        .map(|a| {
            let mode = t(lang, a.mode.text_id(), &[]);
            let why = t(lang, a.why, &[("tls", &args.tls)]);
            let id = if a.possible { "advise-alt-possible" } else { "advise-alt-impossible" };
            line(id, &[("mode", &mode), ("why", &why)])
        })
        .collect();
    // Whatever Microsoft's modes allow, the relay fits: it is the last alternative, in full below.
    let relay = relay_option(lang, &user);
    alternatives.push(Line {
        id: "guide-step-m365-mailprobe-relay-title",
        text: relay.title.clone(),
        command: Some("mailprobe relay check --config /etc/mailprobe-relay/relay.toml".into()),
    });
    let advice = Advice {
        tool: Tool::this(),
        ok: decision.mode.is_some(),
        provider: provider.id.to_owned(),
        facts,
        mode: decision.mode,
        title,
        recommendation,
        why,
        settings,
        mx_endpoint: matches!(decision.mode, Some(Mode::DirectSend | Mode::Relay)).then(|| mx_host.clone()),
        mx_endpoint_guessed: mx_guessed,
        dns_records,
        admin_steps: admin,
        caveats,
        alternatives,
        mailprobe_relay: Some(relay),
        findings,
    };
    Ok(advice)
}

/// The knowledge base's findings on what was said about a Microsoft 365 device (its
/// `device_profile` rules: a device no mode fits).
fn device_findings(tls: &str, facts: Facts, lang: Lang) -> Vec<Finding> {
    let context = Context {
        provider: Some("m365".to_owned()),
        client_tls_max: Some(format!("TLSv{tls}")),
        device: Some(DeviceProfile {
            can_login: facts.can_login,
            external_recipients: facts.external,
            static_ip: facts.static_ip,
        }),
        ..Context::default()
    };
    KnowledgeBase::builtin().diagnose(&context, &[], lang)
}

fn other_provider(lang: Lang, provider: &crate::provider::Provider, facts: Facts, title: String) -> Advice {
    let def = provider.def;
    let server = def.smtp.host.clone();
    let tls_text = format!("{} ({})", def.smtp.security, t(lang, "advise-tls-required", &[]));
    let login = t(lang, &format!("advise-login-{}", def.login), &[]);
    let settings = Settings {
        server,
        port: def.smtp.port.to_string(),
        tls: tls_text,
        credentials: t(lang, "advise-other-login", &[("login", &login)]),
        from: t(lang, "advise-from-mailbox", &[]),
        recipients: t(lang, "advise-recipients-all", &[]),
    };
    let mode_text = t(lang, "advise-mode-submission", &[]);
    Advice {
        tool: Tool::this(),
        ok: true,
        provider: def.id.clone(),
        facts,
        mode: Some(Mode::Submission),
        title,
        recommendation: t(lang, "advise-recommended", &[("mode", &mode_text)]),
        why: t(lang, "advise-other-provider", &[("provider", &def.name)]),
        settings: Some(settings),
        mx_endpoint: None,
        mx_endpoint_guessed: false,
        dns_records: Vec::new(),
        admin_steps: Vec::new(),
        caveats: Vec::new(),
        alternatives: Vec::new(),
        mailprobe_relay: None,
        findings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(tls: u8, login: Option<bool>, external: Option<bool>, static_ip: Option<bool>) -> Facts {
        Facts { tls, can_login: login, external, static_ip }
    }

    #[test]
    fn the_guides_cases() {
        // A TLS-1.0-only printer that must mail outsiders, with a static IP: relay.
        let d = recommend(facts(10, Some(true), Some(true), Some(true)));
        assert_eq!(d.mode, Some(Mode::Relay));
        assert!(d.alternatives.iter().any(|a| a.mode == Mode::LegacySubmission && a.possible));
        assert!(d.alternatives.iter().any(|a| a.mode == Mode::Submission && !a.possible));
        // ... without a static IP: the legacy endpoint, opted into.
        assert_eq!(
            recommend(facts(10, Some(true), Some(true), Some(false))).mode,
            Some(Mode::LegacySubmission)
        );
        // ... that cannot log in either: nothing fits.
        assert_eq!(recommend(facts(10, Some(false), Some(true), Some(false))).mode, None);
        // An app that can log in: client submission.
        assert_eq!(recommend(facts(12, Some(true), None, None)).mode, Some(Mode::Submission));
        // A scanner that only mails colleagues: direct send.
        let d = recommend(facts(12, Some(false), Some(false), None));
        assert_eq!(d.mode, Some(Mode::DirectSend));
        assert!(d.alternatives.iter().any(|a| a.mode == Mode::Relay && !a.possible));
    }

    /// The knowledge base's advise.no_mode_fits and the decision agree on every combination of
    /// what can be said (or not) about a device.
    #[test]
    fn the_knowledge_base_says_no_mode_fits_exactly_when_none_is_chosen() {
        let said = [None, Some(true), Some(false)];
        for (tls, tenths) in [("1.0", 10), ("1.1", 11), ("1.2", 12), ("1.3", 13)] {
            for login in said {
                for external in said {
                    for static_ip in said {
                        let f = facts(tenths, login, external, static_ip);
                        let ids: Vec<String> =
                            device_findings(tls, f, Lang::En).into_iter().map(|x| x.id).collect();
                        let none_fits = recommend(f).mode.is_none();
                        assert_eq!(
                            ids.contains(&"advise.no_mode_fits".to_owned()),
                            none_fits,
                            "{f:?}: {ids:?}"
                        );
                        // Nothing else is said about a device alone.
                        assert!(ids.iter().all(|i| i == "advise.no_mode_fits"), "{f:?}: {ids:?}");
                    }
                }
            }
        }
    }

    /// The relay's texts come from the guide's step, in both languages, with the mailbox named,
    /// the device's settings and the admins' steps one per line.
    #[test]
    fn the_relay_option_has_device_settings_and_admin_steps_in_each_language() {
        for lang in [Lang::En, Lang::It] {
            let r = relay_option(lang, "scanner@contoso.test");
            assert!(r.title.contains("mailprobe relay"), "{r:?}");
            assert!(r.what.contains("SMTP.SendAsApp") && r.what.contains("2026"), "{r:?}");
            assert_eq!(r.device_settings.len(), 4, "{r:?}");
            assert!(r.device_settings.iter().any(|s| s.contains("scanner@contoso.test")), "{r:?}");
            assert!(r.device_settings.iter().any(|s| s.contains("legacy_tls = true")), "{r:?}");
            assert!(r.admin_steps.iter().any(|s| s.contains("mailprobe relay add-device")), "{r:?}");
            assert!(r.admin_steps.iter().any(|s| s.contains("mailprobe relay check --config")), "{r:?}");
            assert!(
                r.admin_steps
                    .iter()
                    .any(|s| s.contains("Add-MailboxPermission -Identity scanner@contoso.test")),
                "{r:?}"
            );
            // no Fluent isolation marks or raw ids
            let all = format!("{r:?}");
            assert!(!all.contains('\u{2068}') && !all.contains("guide-step-"), "{all}");
        }
    }

    #[test]
    fn submission_wins_whenever_possible() {
        for external in [None, Some(true), Some(false)] {
            for static_ip in [None, Some(true), Some(false)] {
                let d = recommend(facts(13, Some(true), external, static_ip));
                assert_eq!(d.mode, Some(Mode::Submission));
                assert!(d.alternatives.iter().all(|a| a.mode != Mode::LegacySubmission));
            }
        }
    }
}
