//! The texts as a reader sees them: Italian really in Italian with the facts filled in, provider
//! awareness, UI strings, and the public API's small promises.

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_proto::{
    Context, Endpoint, EventKind, Protocol, Reply, Role, SaslMechanism, Security, Stage, Transcript,
};

fn endpoint(host: &str, port: u16, security: Security) -> Endpoint {
    Endpoint { host: host.into(), port, security }
}

/// A STARTTLS session up to an AUTH PLAIN that gets `reply`.
fn auth_refused(host: &str, reply: Reply) -> Transcript {
    let mut t = Transcript::new(Protocol::Smtp, Role::Primary, endpoint(host, 587, Security::Starttls));
    t.push(0, Stage::Banner, EventKind::Received { reply: Reply::new(220, [format!("{host} ESMTP")]) });
    t.push(1, Stage::Ehlo, EventKind::Sent { line: "EHLO probe.local".into() });
    t.push(
        2,
        Stage::Ehlo,
        EventKind::Received { reply: Reply::new(250, [host, "STARTTLS", "AUTH PLAIN LOGIN"]) },
    );
    t.push(
        3,
        Stage::Auth,
        EventKind::Sent { line: "AUTH PLAIN <redacted: PLAIN user=alice@example.test>".into() },
    );
    t.push(4, Stage::Auth, EventKind::Received { reply });
    t
}

fn context(host: &str, provider: Option<&str>) -> Context {
    Context {
        provider: provider.map(Into::into),
        host: host.into(),
        port: 587,
        security: Some(Security::Starttls),
        user: Some("alice@example.test".into()),
        has_password: true,
        ..Context::default()
    }
}

fn diagnose(ctx: &Context, t: &[Transcript], lang: Lang) -> Vec<Finding> {
    KnowledgeBase::builtin().diagnose(ctx, t, lang)
}

fn all_text(f: &Finding) -> String {
    let mut s = format!("{}\n{}\n", f.title, f.summary);
    for c in &f.causes {
        s.push_str(c);
        s.push('\n');
    }
    for x in &f.fixes {
        s.push_str(&x.text);
        s.push('\n');
    }
    s
}

#[test]
fn credentials_rejected_reads_in_italian_with_the_facts() {
    let t = auth_refused(
        "mail.example.test",
        Reply::new(535, ["5.7.8 Error: authentication failed: (reason unavailable)"]),
    );
    let f = &diagnose(&context("mail.example.test", None), &[t], Lang::It)[0];
    assert_eq!(f.id, "auth.credentials_rejected");
    assert_eq!(f.title, "Il server ha rifiutato l'accesso");
    assert_eq!(
        f.summary,
        "mail.example.test non ha accettato il nome utente e la password ricevuti. La sua risposta: \
         535 5.7.8 Error: authentication failed: (reason unavailable)"
    );
    assert!(f.causes[0].starts_with("La password è sbagliata"), "{:?}", f.causes);
    let text = all_text(f);
    for english in [" the ", " and ", " password is ", " Sign in ", "Outlook for "] {
        assert!(!text.contains(english), "English {english:?} in Italian text:\n{text}");
    }
    assert!(text.contains("Gestione credenziali") && text.contains("Accesso Portachiavi"), "{text}");
    // Evidence is the line that triggered the finding, verbatim; the command is a param.
    assert_eq!(f.evidence, ["535 5.7.8 Error: authentication failed: (reason unavailable)"]);
    assert_eq!(f.params["command"], "AUTH PLAIN <redacted: PLAIN user=alice@example.test>");
}

#[test]
fn mode_mismatch_names_the_working_pair_in_both_languages() {
    let mut primary =
        Transcript::new(Protocol::Smtp, Role::Primary, endpoint("smtp.gmail.com", 465, Security::Starttls));
    primary.push(0, Stage::Banner, EventKind::TimedOut { waiting_for: "banner".into(), after_ms: 10_000 });
    let mut check =
        Transcript::new(Protocol::Smtp, Role::ModeCheck, endpoint("smtp.gmail.com", 465, Security::Tls));
    check.push(
        0,
        Stage::Banner,
        EventKind::Received { reply: Reply::new(220, ["smtp.gmail.com ESMTP ready"]) },
    );
    let ctx = Context { port: 465, ..context("smtp.gmail.com", Some("gmail")) };
    let transcripts = [primary, check];
    let en = &diagnose(&ctx, &transcripts, Lang::En)[0];
    let it = &diagnose(&ctx, &transcripts, Lang::It)[0];
    assert_eq!((en.id.as_str(), it.id.as_str()), ("tls.mode_mismatch", "tls.mode_mismatch"));
    assert_eq!(en.fixes[0].text, "Use port 465 with SSL/TLS.");
    assert_eq!(it.fixes[0].text, "Usa la porta 465 con SSL/TLS.");
    assert_eq!(it.params["working_port"], "465");
    // Params are facts in their machine form; the texts name them.
    assert_eq!(it.params["working_security"], "tls");
    assert_eq!(it.params["asked_security"], "starttls");
    assert!(it.summary.starts_with("La porta 465 di smtp.gmail.com non parla STARTTLS"), "{}", it.summary);
}

#[test]
fn smtp_auth_disabled_fills_the_mailbox_into_powershell_in_italian() {
    let t = auth_refused(
        "smtp.office365.com",
        Reply::new(
            535,
            [
                "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
            ],
        ),
    );
    let ctx = Context {
        user: Some("printer@contoso.example".into()),
        ..context("smtp.office365.com", Some("m365"))
    };
    let f = &diagnose(&ctx, &[t], Lang::It)[0];
    assert_eq!(f.id, "auth.smtp_auth_disabled");
    assert!(f.summary.contains("per questa casella di posta"), "{}", f.summary);
    assert_eq!(f.params["disabled_for"], "Mailbox");
    assert!(f.fixes.iter().all(|x| x.audience.as_deref().is_some()));
    assert!(
        f.fixes[1].text.ends_with(
            "Set-CASMailbox -Identity printer@contoso.example -SmtpClientAuthenticationDisabled $false"
        ),
        "{}",
        f.fixes[1].text
    );
    assert!(
        f.fixes
            .iter()
            .any(|x| { x.text.contains("Set-TransportConfig -SmtpClientAuthenticationDisabled $false") })
    );
}

#[test]
fn gmail_gets_google_fixes_first_and_postfix_never_hears_of_google() {
    let reply = || {
        Reply::new(
            535,
            [
                "5.7.8 Username and Password not accepted. For more information, go to",
                "5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp",
            ],
        )
    };
    // Gmail's BadCredentials is ranked: an app password first (what the real reports found),
    // then the refused login, whose Google reasons and fixes come first.
    let found = diagnose(
        &context("smtp.gmail.com", Some("gmail")),
        &[auth_refused("smtp.gmail.com", reply())],
        Lang::En,
    );
    assert_eq!(ids(&found), ["ambiguous", "auth.app_password_required", "auth.credentials_rejected"]);
    let gmail = &found[2];
    assert!(gmail.fixes[0].text.contains("app password"), "{:?}", gmail.fixes[0]);
    assert_eq!(gmail.fixes[0].audience.as_deref(), Some("google-account"));
    assert!(gmail.causes[0].contains("2-Step Verification"));

    let postfix = &diagnose(
        &context("mail.example.test", None),
        &[auth_refused(
            "mail.example.test",
            Reply::new(535, ["5.7.8 Error: authentication failed: (reason unavailable)"]),
        )],
        Lang::En,
    )[0];
    assert_eq!(postfix.id, "auth.credentials_rejected");
    let text = all_text(postfix);
    assert!(!text.contains("Google") && !text.contains("Microsoft"), "{text}");
    assert!(postfix.fixes.iter().all(|x| x.audience.as_deref() != Some("google-account")));
}

#[test]
fn a_private_ca_is_offered_ca_file_and_a_known_provider_interception() {
    let failed = |host: &str| {
        let mut t = Transcript::new(Protocol::Smtp, Role::Primary, endpoint(host, 465, Security::Tls));
        t.push(0, Stage::Tls, EventKind::TlsStarted { server_name: host.into() });
        t.push(
            1,
            Stage::Tls,
            EventKind::TlsFailed {
                failure: mailprobe_proto::TlsFailure::CertUntrusted,
                detail: "invalid peer certificate: UnknownIssuer".into(),
                certificates: vec![],
            },
        );
        t
    };
    let own = &diagnose(&context("mail.example.test", None), &[failed("mail.example.test")], Lang::En)[0];
    assert_eq!(own.id, "tls.cert_untrusted");
    assert!(own.fixes.iter().any(|x| x.text.contains("--ca-file")));
    assert!(own.causes.iter().any(|c| c.contains("intercept")));
    // At a provider whose certificates every system trusts, an untrusted one is interception.
    let gmail =
        &diagnose(&context("smtp.gmail.com", Some("gmail")), &[failed("smtp.gmail.com")], Lang::En)[0];
    assert_eq!(gmail.id, "tls.intercepted");
    assert!(gmail.causes[0].contains("antivirus"), "{:?}", gmail.causes);
    assert!(gmail.fixes.iter().any(|x| x.text.contains("smtp.gmail.com:587 and imap.gmail.com:993")));
    // An unknown issuer is shown as a stand-in, never as a raw placeholder.
    assert!(gmail.summary.contains("(issuer: ?)"), "{}", gmail.summary);
}

#[test]
fn mechanism_missing_quotes_what_is_offered() {
    let mut t =
        Transcript::new(Protocol::Smtp, Role::Primary, endpoint("mail.example.test", 465, Security::Tls));
    t.push(0, Stage::Tls, EventKind::TlsStarted { server_name: "mail.example.test".into() });
    t.push(1, Stage::Banner, EventKind::Received { reply: Reply::new(220, ["mail.example.test ESMTP"]) });
    t.push(
        2,
        Stage::Ehlo,
        EventKind::Received { reply: Reply::new(250, ["mail.example.test", "AUTH PLAIN LOGIN"]) },
    );
    let ctx = Context {
        port: 465,
        has_password: false,
        has_token: true,
        auth_mechanism: Some(SaslMechanism::XOAuth2),
        ..context("mail.example.test", None)
    };
    let f = &diagnose(&ctx, &[t], Lang::It)[0];
    assert_eq!(f.id, "auth.mechanism_unsupported");
    assert_eq!(f.summary, "L'accesso richiede XOAUTH2, ma mail.example.test offre soltanto: PLAIN LOGIN.");
    assert_eq!(f.evidence, ["250 AUTH PLAIN LOGIN"]);
}

#[test]
fn success_is_an_empty_list() {
    let mut t = auth_refused("mail.example.test", Reply::new(235, ["2.7.0 Authentication successful"]));
    t.push(5, Stage::Quit, EventKind::Sent { line: "QUIT".into() });
    t.push(6, Stage::Quit, EventKind::Received { reply: Reply::new(221, ["2.0.0 Bye"]) });
    assert!(t.succeeded());
    assert_eq!(diagnose(&context("mail.example.test", None), &[t], Lang::En), vec![]);
}

#[test]
fn findings_serialize_as_the_json_contract_says() {
    let t = auth_refused("mail.example.test", Reply::new(535, ["5.7.8 Error: authentication failed"]));
    let f = diagnose(&context("mail.example.test", None), &[t], Lang::En);
    let json = serde_json::to_value(&f).unwrap();
    let first = &json[0];
    for key in ["id", "severity", "stage", "title", "summary", "evidence", "causes", "fixes", "params"] {
        assert!(first.get(key).is_some(), "missing {key}: {first}");
    }
    assert_eq!(first["severity"], "error");
    assert_eq!(first["stage"], "auth");
    // A fix without an audience has no `audience` key at all.
    assert!(first["fixes"].as_array().unwrap().iter().any(|x| x.get("audience").is_none()));
    assert_eq!(f[0].severity, Severity::Error);
}

#[test]
fn ui_strings_in_both_languages() {
    let kb = KnowledgeBase::builtin();
    assert_eq!(kb.text(Lang::En, "ui-what-to-do", &[]), "What to do");
    assert_eq!(kb.text(Lang::It, "ui-what-to-do", &[]), "Cosa fare");
    assert_eq!(kb.text(Lang::It, "ui-why", &[]), "Perché");
    assert_eq!(kb.text(Lang::It, "ui-stage-mail_from", &[]), "Mittente (MAIL FROM)");
    assert_eq!(kb.text(Lang::En, "ui-finding-count", &[("count", "1")]), "One finding");
    assert_eq!(kb.text(Lang::En, "ui-finding-count", &[("count", "3")]), "3 findings");
    assert_eq!(kb.text(Lang::It, "ui-finding-count", &[("count", "1")]), "Una diagnosi");
    assert_eq!(kb.text(Lang::It, "ui-finding-count", &[("count", "3")]), "3 diagnosi");
    let line = kb.text(Lang::It, "ui-transcript-smtp", &[("endpoint", "smtp.gmail.com:587 (STARTTLS)")]);
    assert_eq!(line, "SMTP: smtp.gmail.com:587 (STARTTLS)");
    assert!(!line.contains('\u{2068}') && !line.contains('\u{2069}'), "no isolation marks");
    // Every audience of the catalogue has a label in both languages.
    for audience in mailprobe_kb::AUDIENCES {
        let key = format!("ui-audience-{audience}");
        for lang in Lang::ALL {
            assert_ne!(kb.text(lang, &key, &[]), key, "{lang}: no label for {audience}");
        }
    }
    // An unknown key comes back as itself rather than failing.
    assert_eq!(kb.text(Lang::It, "no-such-key", &[]), "no-such-key");
}

#[test]
fn every_id_is_listed_once() {
    let ids: Vec<&str> = KnowledgeBase::builtin().ids().collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len());
    for required in [
        "auth.credentials_rejected",
        "tls.required_first",
        "tls.starttls_not_offered",
        "tls.mode_mismatch",
        "tls.cert_untrusted",
        "tls.cert_hostname_mismatch",
        "tls.cert_expired",
        "tls.handshake_failed",
        "smtp.relay_denied",
        "sender.not_owned",
        "auth.mechanism_unsupported",
        "connect.refused",
        "connect.timeout",
        "connect.unreachable",
        "banner.timeout",
        "banner.not_smtp",
        "dns.no_such_host",
        "dns.timeout",
        "auth.app_password_required",
        "auth.oauth_challenge_failed",
        "oauth.wrong_scope",
        "oauth.token_invalid",
        "auth.smtp_auth_disabled",
        "sender.send_as_denied",
        "auth.not_authenticated",
        "tls.version_too_old",
        "ambiguous",
    ] {
        assert!(ids.contains(&required), "{required} missing");
    }
}

#[test]
fn port_advice_follows_the_protocol() {
    let refused = |protocol: Protocol, port: u16| {
        let mut t =
            Transcript::new(protocol, Role::Primary, endpoint("mail.example.test", port, Security::Tls));
        let address = format!("192.0.2.25:{port}").parse().unwrap();
        t.push(0, Stage::Connect, EventKind::Connecting { address });
        t.push(
            1,
            Stage::Connect,
            EventKind::ConnectFailed {
                address,
                failure: mailprobe_proto::ConnectFailure::Refused,
                detail: "Connection refused (os error 111)".into(),
            },
        );
        t
    };
    let ctx = context("mail.example.test", None);
    let imap = &diagnose(&ctx, &[refused(Protocol::Imap, 9993)], Lang::It)[0];
    let smtp = &diagnose(&ctx, &[refused(Protocol::Smtp, 2465)], Lang::It)[0];
    assert_eq!((imap.id.as_str(), smtp.id.as_str()), ("connect.refused", "connect.refused"));
    assert_eq!(imap.fixes[0].text, "Controlla la porta: per IMAP, 993 con SSL/TLS o 143 con STARTTLS.");
    assert_eq!(smtp.fixes[0].text, "Controlla la porta: per l'invio, 587 con STARTTLS o 465 con SSL/TLS.");
    assert_eq!(imap.evidence, ["192.0.2.25:9993: Connection refused (os error 111)"]);
}

#[test]
fn fallbacks_take_the_stage_of_their_evidence() {
    let mut t = Transcript::new(
        Protocol::Smtp,
        Role::Primary,
        endpoint("mail.example.test", 587, Security::Starttls),
    );
    t.push(0, Stage::Banner, EventKind::Received { reply: Reply::new(220, ["mail.example.test ESMTP"]) });
    t.push(1, Stage::Ehlo, EventKind::Sent { line: "EHLO probe.local".into() });
    t.push(2, Stage::Ehlo, EventKind::TimedOut { waiting_for: "reply to EHLO".into(), after_ms: 10_000 });
    let f = &diagnose(&context("mail.example.test", None), &[t], Lang::En)[0];
    assert_eq!((f.id.as_str(), f.stage.as_str()), ("session.no_reply", "ehlo"));
    assert_eq!(
        f.summary,
        "mail.example.test stopped answering: nothing came within 10 seconds (waiting for: reply to EHLO)."
    );
}

/// The same 535 5.7.8 means different things at Gmail and at a generic Postfix: Google's
/// reasons and the Google account's fixes first at Gmail, none of it at Postfix.
#[test]
fn bad_credentials_at_gmail_and_at_postfix() {
    let gmail_reply = || {
        Reply::new(
            535,
            [
                "5.7.8 Username and Password not accepted. For more information, go to",
                "5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a - gsmtp",
            ],
        )
    };
    let found = diagnose(
        &context("smtp.gmail.com", Some("gmail")),
        &[auth_refused("smtp.gmail.com", gmail_reply())],
        Lang::It,
    );
    assert_eq!(ids(&found), ["ambiguous", "auth.app_password_required", "auth.credentials_rejected"]);
    let gmail = &found[2];
    assert!(gmail.causes[0].contains("verifica in due passaggi"), "{:?}", gmail.causes);
    assert_eq!(gmail.fixes[0].audience.as_deref(), Some("google-account"));
    let mac = gmail.fixes.iter().find(|f| f.audience.as_deref() == Some("outlook-macos")).unwrap();
    assert!(mac.text.contains("smtp.gmail.com, imap.gmail.com"), "{}", mac.text);
    let win = gmail.fixes.iter().find(|f| f.audience.as_deref() == Some("outlook-windows")).unwrap();
    assert!(win.text.contains("Credenziali di Windows"), "{}", win.text);

    let postfix = &diagnose(
        &context("mail.example.test", None),
        &[auth_refused(
            "mail.example.test",
            Reply::new(535, ["5.7.8 Error: authentication failed: UGFzc3dvcmQ6"]),
        )],
        Lang::It,
    )[0];
    assert_eq!(postfix.id, "auth.credentials_rejected");
    let text = all_text(postfix);
    for provider_word in ["Google", "gmail", "Microsoft", "verifica in due passaggi"] {
        assert!(!text.contains(provider_word), "{provider_word} at Postfix:\n{text}");
    }
    assert!(postfix.causes[0].starts_with("La password è sbagliata"), "{:?}", postfix.causes);
    let mac = postfix.fixes.iter().find(|f| f.audience.as_deref() == Some("outlook-macos")).unwrap();
    assert!(mac.text.contains("mail.example.test"), "{}", mac.text);
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.id.as_str()).collect()
}

/// 535 5.7.139 in its variants: Microsoft 365 (a tenant an administrator can change) and
/// Outlook.com (a personal account nobody can switch back) get different reasons and fixes.
#[test]
fn the_5_7_139_variants_at_microsoft_365_and_outlook_com() {
    let at = |host: &str, provider: &str, text: &str| {
        diagnose(&context(host, Some(provider)), &[auth_refused(host, Reply::new(535, [text]))], Lang::En)
    };
    let tag = "[PH7P220CA0132.NAMP220.PROD.OUTLOOK.COM 2026-11-24T21:51:32.927Z 08DD021D9EEB05BC]";
    let basic = format!("5.7.139 Authentication unsuccessful, basic authentication is disabled. {tag}");

    let consumer = at("smtp-mail.outlook.com", "outlook", &basic);
    assert_eq!(ids(&consumer), ["auth.basic_auth_disabled"]);
    let c = &consumer[0];
    assert!(c.causes[0].contains("Outlook.com") && c.causes[0].contains("September 2024"), "{:?}", c.causes);
    assert!(c.fixes[0].text.contains("as a Microsoft or Outlook.com account"), "{:?}", c.fixes[0]);
    assert!(c.fixes.iter().all(|f| f.audience.as_deref() != Some("m365-admin")), "{:?}", c.fixes);

    let tenant = at("smtp.office365.com", "m365", &basic);
    assert_eq!(ids(&tenant), ["auth.basic_auth_disabled", "m365.mode_detected"]);
    let t = &tenant[0];
    assert!(t.causes[0].contains("authentication policy"), "{:?}", t.causes);
    // What the end of December 2026 means for a device that signs in with a password.
    assert!(t.causes[1].contains("December 2026") && t.causes[1].contains("5.7.30"), "{:?}", t.causes);
    assert!(!all_text(t).contains("September 2024"));
    assert!(t.fixes.iter().any(|f| f.audience.as_deref() == Some("m365-admin")
        && f.text.contains("Set-AuthenticationPolicy -AllowBasicAuthSmtp")));

    let mailbox = at(
        "smtp.office365.com",
        "m365",
        "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.",
    );
    assert_eq!(mailbox[0].id, "auth.smtp_auth_disabled");
    assert!(mailbox[0].summary.contains("for this mailbox,"), "{}", mailbox[0].summary);

    let defaults = at(
        "smtp.office365.com",
        "m365",
        "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.",
    );
    assert_eq!(defaults[0].id, "auth.mfa_or_security_defaults");
    let warning = &defaults[0].fixes[1].text;
    assert!(
        warning.contains("Manage security defaults") && warning.contains("understand that risk"),
        "{warning}"
    );

    let conditional = at(
        "smtp.office365.com",
        "m365",
        "5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.",
    );
    assert_eq!(conditional[0].id, "auth.conditional_access_blocks_legacy");
    assert!(conditional[0].fixes.iter().any(|f| f.text.contains("Users and groups > Exclude")));

    let sts = at(
        "smtp.office365.com",
        "m365",
        "5.7.139 Authentication unsuccessful, federated STS service was unreachable.",
    );
    assert_eq!(sts[0].id, "auth.federated_sts_unreachable");
}

/// Evidence pasted without its command (stage unknown) still meets the rules, and the finding
/// keeps its own stage; a bare code with no provider is listed as the candidates it may be.
#[test]
fn pasted_evidence_matches_whatever_the_stage() {
    let pasted = |code: u16, line: &str| {
        let mut t = Transcript::new(Protocol::Smtp, Role::Primary, endpoint("", 0, Security::Starttls));
        t.push(0, Stage::Unknown, EventKind::Received { reply: Reply::new(code, [line]) });
        t
    };
    let none = Context::default();
    let f = diagnose(
        &none,
        &[pasted(550, "5.7.60 SMTP; Client does not have permissions to send as this sender")],
        Lang::En,
    );
    assert_eq!(ids(&f), ["sender.send_as_denied"]);
    assert_eq!(f[0].stage, "mail_from");
    // No server named: the texts say "the server", capitalized at the start of a sentence.
    assert!(f[0].summary.starts_with("The login worked, but the server refused"), "{}", f[0].summary);

    // Generic servers' wording for a refused password names no provider: a wrong login, not a
    // provider's policy.
    let worded = diagnose(&none, &[pasted(535, "Authentication failed")], Lang::En);
    assert_eq!(ids(&worded), ["auth.credentials_rejected"]);
    let bare = diagnose(&none, &[pasted(535, "")], Lang::It);
    assert_eq!(
        ids(&bare),
        ["ambiguous", "auth.credentials_rejected", "auth.app_password_required", "auth.smtp_auth_disabled"]
    );
    assert!(bare[0].summary.contains("3 diagnosi"), "{}", bare[0].summary);
    assert!(bare[1].summary.starts_with("Il server non ha accettato"), "{}", bare[1].summary);
    // The same bare code from a live session (stage known) at a generic server is just that.
    let live = diagnose(
        &context("mail.example.test", None),
        &[auth_refused("mail.example.test", Reply::new(535, ["Authentication failed"]))],
        Lang::En,
    );
    assert_eq!(ids(&live), ["auth.credentials_rejected"]);
}

/// Outlook's 4af4, reported by the client program, ranks after the server's own reply and
/// carries the guide's procedure for both platforms.
#[test]
fn outlook_4af4_follows_the_servers_reply() {
    let mut t = Transcript::new(Protocol::Smtp, Role::Primary, endpoint("", 0, Security::Starttls));
    t.push(
        0,
        Stage::Unknown,
        EventKind::ClientError {
            program: Some("outlook".into()),
            code: Some("4AF4".into()),
            message: "Unexpected SMTP server response. Expected: 235, actual: 535".into(),
        },
    );
    let alone = diagnose(&Context::default(), std::slice::from_ref(&t), Lang::En);
    assert_eq!(ids(&alone), ["client.outlook_4af4"]);
    let audiences: Vec<&str> = alone[0].fixes.iter().filter_map(|f| f.audience.as_deref()).collect();
    assert_eq!(&audiences[..2], ["outlook-macos", "outlook-windows"], "updates first");
    assert!(alone[0].fixes[0].text.contains("System Settings > General > Software Update"));
    t.push(
        1,
        Stage::Unknown,
        EventKind::Received {
            reply: Reply::new(535, ["5.7.8 Username and Password not accepted. https://support.google.com/mail/?p=BadCredentials - gsmtp"]),
        },
    );
    let both = diagnose(&Context::default(), &[t], Lang::En);
    assert_eq!(
        ids(&both),
        ["ambiguous", "auth.app_password_required", "auth.credentials_rejected", "client.outlook_4af4"]
    );
    assert!(
        both[2].causes[0].contains("2-Step Verification"),
        "the evidence names Gmail: {:?}",
        both[0].causes
    );
}
