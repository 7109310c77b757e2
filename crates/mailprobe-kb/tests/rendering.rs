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
    let gmail = &diagnose(
        &context("smtp.gmail.com", Some("gmail")),
        &[auth_refused("smtp.gmail.com", reply())],
        Lang::En,
    )[0];
    assert_eq!(gmail.id, "auth.credentials_rejected");
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
