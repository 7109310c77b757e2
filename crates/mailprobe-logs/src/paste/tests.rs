//! Unit tests of the paste reader, one per recognised format: each paste is summed up as the
//! evidence understood (`kind stage code enhanced/class program`).

use super::*;

pub(super) fn read(text: &str) -> Pasted {
    parse(text.as_bytes(), &Options::default())
}

/// One line per piece of evidence: `reply auth 535 5.7.8 python-smtplib`.
pub(super) fn summary(p: &Pasted) -> Vec<String> {
    p.understood
        .iter()
        .map(|u| {
            let mut parts = vec![snake(&u.kind), u.stage.to_string()];
            if let Some(c) = u.code {
                parts.push(c.to_string());
            }
            if let Some(e) = u.enhanced {
                parts.push(e.to_string());
            }
            if let Some(c) = &u.class {
                parts.push(c.clone());
            }
            parts.push(u.program.clone().unwrap_or_else(|| "-".into()));
            parts.join(" ")
        })
        .collect()
}

fn check(text: &str, want: &[&str]) -> Pasted {
    let p = read(text);
    assert_eq!(summary(&p), want, "for paste:\n{text}");
    p
}

fn events(p: &Pasted) -> Vec<&Event> {
    p.transcripts.iter().flat_map(|t| &t.events).collect()
}

use mailprobe_proto::Event;

// ─── replies and codes ───────────────────────────────────────────────────────────────────

#[test]
fn a_reply_with_its_continuation_lines() {
    let p = check(
        "535-5.7.8 Username and Password not accepted. For more information, go to\n\
         535 5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-ab7f1e2d3c4sm123456ex.42 - gsmtp",
        &["reply unknown 535 5.7.8 -"],
    );
    let EventKind::Received { reply } = &events(&p)[0].kind else { panic!() };
    assert_eq!(reply.lines.len(), 2);
    assert_eq!(p.hints.provider.as_deref(), Some("gmail"));
    assert_eq!(p.replies, 1);
}

#[test]
fn a_reply_without_its_last_line() {
    check(
        "535-5.7.8 Username and Password not accepted. For more information, go to",
        &["reply unknown 535 5.7.8 -"],
    );
}

#[test]
fn several_replies() {
    check(
        "550 5.7.60 SMTP; Client does not have permissions to send as this sender\n\
         451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35.",
        &["reply unknown 550 5.7.60 -", "reply unknown 451 4.4.62 -"],
    );
}

#[test]
fn a_bounce_wraps_the_command_onto_the_continuation() {
    // Postfix's bounce notice (realworld 577's wording): the stage is on the wrapped line
    check(
        "<someone@web.de>: host mx-ha02.web.de[213.165.67.120] said: 550 Requested\n    \
         action not taken: mailbox unavailable (in reply to RCPT TO command)",
        &["reply rcpt_to 550 -"],
    );
}

#[test]
fn rfc_5321_words_without_a_code_are_that_codes_reply() {
    // Thunderbird quotes the server's words without its code (realworld 367, IONOS): RFC 5321's
    // text says 550, the next line says why, and Thunderbird's advice says it was the recipient.
    let p = check(
        "An error occurred while sending mail. The mail server responded:\n\
         Requested action not taken: mailbox unavailable\n\
         invalid DNS MX or A/AAAA resource record.\n\
         Please check the message recipient \"a@example.test\" and try again.",
        &["reply rcpt_to 550 thunderbird"],
    );
    let EventKind::Received { reply } = &events(&p)[0].kind else { panic!() };
    assert_eq!(
        reply.lines.concat(),
        "Requested action not taken: mailbox unavailable invalid DNS MX or A/AAAA resource record."
    );
    // Words that merely mention the failure are not RFC 5321's text.
    check("the mailbox was unavailable yesterday", &[]);
}

#[test]
fn a_python_tuple_ends_where_its_quote_closes() {
    // realworld 538: the user's question on the next line is not more of the reply
    let p = read("SMTPAuthenticationError(550, 'User has no permission'))\nwhat should I set?");
    let replies: Vec<&Event> =
        events(&p).into_iter().filter(|e| matches!(e.kind, EventKind::Received { .. })).collect();
    assert_eq!(replies.len(), 1);
    let EventKind::Received { reply } = &replies[0].kind else { unreachable!() };
    assert_eq!(reply.lines.concat(), "User has no permission");
}

#[test]
fn a_dsn_status_is_not_continued_by_the_next_field() {
    // Postfix's own diagnostic under a bare `Status:` (realworld 899): the connection that
    // timed out is evidence of its own, not the text of an inferred 4.4.1 reply.
    let p = read(
        "Action: failed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx01.mail.icloud.com[17.56.9.17]:25:\n    Operation timed out",
    );
    let kinds: Vec<&EventKind> = events(&p).into_iter().map(|e| &e.kind).collect();
    assert!(kinds.iter().any(|k| matches!(k, EventKind::ConnectFailed { .. })), "{kinds:?}");
    assert!(
        kinds.iter().all(
            |k| !matches!(k, EventKind::Received { reply } if reply.lines.concat().contains("timed out"))
        ),
        "{kinds:?}"
    );
    // A remote server's words without their code are the text of the Status code (realworld
    // 684, Gmail's DMARC refusal).
    check(
        "Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
        &["reply unknown 550 5.0.0 -"],
    );
}

#[test]
fn a_timestamped_log_record_is_not_the_wrapped_rest_of_a_reply() {
    // NeoMutt's debug log (realworld 321): the reply ends without a full stop, and the next
    // record, which starts with its own time, is the client's summary, not more of the reply.
    let p = read(
        "[2020-10-07 21:00:02]<2> mutt_socket_readln_d() 4< 535 5.7.8 Error: authentication failed: \
         Connection lost to authentication server\n\
         [2020-10-07 21:00:02]<E> smtp_auth() SASL authentication failed",
    );
    let replies: Vec<&Event> =
        events(&p).into_iter().filter(|e| matches!(e.kind, EventKind::Received { .. })).collect();
    assert_eq!(replies.len(), 1);
    let EventKind::Received { reply } = &replies[0].kind else { unreachable!() };
    assert_eq!(
        reply.lines.concat(),
        "5.7.8 Error: authentication failed: Connection lost to authentication server"
    );
    assert!(markers::starts_log_record("Feb 09 05:33:28 host postfix/smtpd[1]: x"));
    assert!(markers::starts_log_record("2024-01-05T10:00:00Z x"));
    assert!(markers::starts_log_record("monit[74501]: Mail: Mailserver response error -- 550-x"));
    assert!(!markers::starts_log_record("[BN8NAM11FT066.eop-nam11.prod.protection.outlook.com]: x"));
    assert!(!markers::starts_log_record("    [BN8NAM11FT066.eop-nam11.prod.protection.outlook.com]"));
}

#[test]
fn bare_codes() {
    check("535", &["reply unknown 535 -"]);
    let p = check("5.7.60", &["reply unknown 550 5.7.60 -"]);
    assert!(p.understood[0].inferred);
    check("5.7.139", &["reply unknown 535 5.7.139 -"]);
    check("550 5.1.8", &["reply unknown 550 5.1.8 -"]);
    check("4.4.62", &["reply unknown 451 4.4.62 -"]);
    check("error 535", &["reply unknown 535 -"]);
}

#[test]
fn stage_option_applies_where_the_paste_shows_none() {
    let p = parse(
        b"535 5.7.3 Authentication unsuccessful",
        &Options { stage: Some(Stage::Auth), ..Options::default() },
    );
    assert_eq!(summary(&p), ["reply auth 535 5.7.3 -"]);
    assert_eq!(events(&p)[0].stage, Stage::Auth);
}

#[test]
fn outlook_codes() {
    check("Error 4af4", &["client_error unknown 4af4 outlook"]);
    check(
        "Sending reported error (0x800CCC0E) : 'Cannot connect to the server.'",
        &["client_error unknown 0x800CCC0E outlook"],
    );
    // A code with the server's reply: both are evidence.
    check(
        "Error 4af4: 535 5.7.8 Username and Password not accepted",
        &["client_error unknown 4af4 outlook", "reply unknown 535 5.7.8 outlook"],
    );
    check(
        "Task 'smtp.office365.com - Sending' reported error (0x800CCC78) : 'Unable to send the message. The server responded: 530 5.7.57 Client not authenticated to send mail.'",
        &["client_error unknown 0x800CCC78 outlook", "reply unknown 530 5.7.57 outlook"],
    );
}

// ─── 334 challenges ──────────────────────────────────────────────────────────────────────

#[test]
fn a_334_challenge_is_an_auth_reply() {
    // {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}
    let p = check(
        "334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
        &["reply auth 334 -"],
    );
    assert_eq!(events(&p)[0].stage, Stage::Auth);
    assert_eq!(p.hints.provider.as_deref(), Some("gmail"));
}

#[test]
fn outlooks_expected_235_actual_334() {
    check(
        "Unexpected SMTP server response. Expected: 235, actual: 334",
        &["reply auth 334 outlook", "client_error auth outlook"],
    );
    let p = check(
        "Unexpected SMTP server response. Expected: 235, actual: 334, description: eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==.",
        &["reply auth 334 outlook", "client_error auth outlook"],
    );
    let EventKind::Received { reply } = &events(&p)[0].kind else { panic!() };
    assert!(decode_challenge(&reply.lines[0]).unwrap().contains("401"));
    check(
        "Unexpected SMTP server response. Expected: 250, actual: 530, description: 5.7.0 Authentication Required",
        &["reply unknown 530 5.7.0 outlook"],
    );
}

// ─── dialogues ───────────────────────────────────────────────────────────────────────────

#[test]
fn a_c_s_dialogue_puts_replies_at_their_commands() {
    let p = check(
        "S: 220 smtp.gmail.com ESMTP x - gsmtp\n\
         C: EHLO me\n\
         S: 250-smtp.gmail.com at your service\n\
         S: 250 STARTTLS\n\
         C: STARTTLS\n\
         S: 220 2.0.0 Ready to start TLS\n\
         C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAGh1bnRlcjI=\n\
         S: 535-5.7.8 Username and Password not accepted. For more information, go to\n\
         S: 535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp\n\
         C: QUIT",
        &["reply auth 535 5.7.8 -"],
    );
    assert_eq!((p.commands, p.replies), (4, 4));
    // STARTTLS accepted and the dialogue went on: the handshake worked.
    assert!(events(&p).iter().any(|e| matches!(e.kind, EventKind::TlsEstablished { .. })));
    let stages: Vec<Stage> = events(&p).iter().map(|e| e.stage).collect();
    assert_eq!(stages[0], Stage::Banner);
    assert!(stages.contains(&Stage::Tls));
    let shown: Vec<String> = events(&p)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Sent { line } => Some(line.clone()),
            _ => None,
        })
        .collect();
    assert!(shown.contains(&"AUTH PLAIN <redacted: PLAIN user=alice@example.com>".to_owned()), "{shown:?}");
    assert!(!format!("{:?}", p.transcripts).contains("AGFsaWNl"));
    assert_eq!(
        (p.hints.host.as_deref(), p.hints.security),
        (Some("smtp.gmail.com"), Some(Security::Starttls))
    );
}

#[test]
fn roundcube_and_dokuwiki_logs_are_dialogues() {
    // Roundcube's smtp_log: a time, a session tag, then Recv:/Send: (realworld 901)
    let p = check(
        "[23-Aug-2018 20:03:48 +0200]: <j2slr4va> Recv: 220 smtp.example.com ESMTP Exim\n\
         [23-Aug-2018 20:03:48 +0200]: <j2slr4va> Send: EHLO _\n\
         [23-Aug-2018 20:03:48 +0200]: <j2slr4va> Recv: 501 Syntactically invalid EHLO argument(s)",
        &["reply ehlo 501 -"],
    );
    assert_eq!((p.commands, p.replies), (1, 2));
    // DokuWiki's smtp plugin: Got:/Sent: (realworld 208, 1018)
    let p = check(
        "Got: 220 mail.example.test ESMTP Postfix\n\
         Sent: EHLO [172.17.0.20]\n\
         Got: 250-mail.example.test\n\
         Got: 250 AUTH PLAIN\n\
         Sent: AUTH LOGIN\n\
         Got: 535 5.7.8 Error: authentication failed: Invalid authentication mechanism",
        &["reply auth 535 5.7.8 -"],
    );
    assert_eq!((p.commands, p.replies), (2, 3));
}

#[test]
fn a_swaks_dialogue() {
    let p = check(
        "=== Trying smtp.office365.com:587...\n\
         === Connected to smtp.office365.com.\n\
         <-  220 AM0PR02CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready\n\
          -> EHLO printer.local\n\
         <-  250-AM0PR02CA0123.outlook.office365.com Hello\n\
         <-  250-STARTTLS\n\
         <-  250 SMTPUTF8\n\
          -> STARTTLS\n\
         <-  220 2.0.0 SMTP server ready\n\
         === TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256\n\
          ~> EHLO printer.local\n\
         <~  250-AUTH LOGIN XOAUTH2\n\
         <~  250 SMTPUTF8\n\
          ~> AUTH LOGIN\n\
         <~  334 VXNlcm5hbWU6\n\
          ~> cHJpbnRlckBjb250b3NvLmNvbQ==\n\
         <~  334 UGFzc3dvcmQ6\n\
          ~> aHVudGVyMg==\n\
         <~* 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\n\
          ~> QUIT\n\
         <~  221 2.0.0 Service closing transmission channel\n\
         === Connection closed with remote host.",
        &["reply auth 334 swaks", "reply auth 334 swaks", "reply auth 535 5.7.139 swaks"],
    );
    assert_eq!(p.hints.provider.as_deref(), Some("m365"));
    assert_eq!(p.hints.port, Some(587));
    let text = format!("{:?}", p.transcripts);
    assert!(!text.contains("aHVudGVyMg"), "password leaked");
    assert!(text.contains("<redacted: LOGIN user=printer@contoso.com>"));
    let established: Vec<&Event> =
        events(&p).into_iter().filter(|e| matches!(e.kind, EventKind::TlsEstablished { .. })).collect();
    assert_eq!(established.len(), 1, "one handshake, as swaks printed it");
    assert!(
        matches!(&established[0].kind, EventKind::TlsEstablished { session } if session.version == "TLSv1.3")
    );
}

#[test]
fn arrows_and_angle_brackets() {
    check(
        ">>> MAIL FROM:<a@b.example>\n<<< 550 5.7.60 SMTP; Client does not have permissions",
        &["reply mail_from 550 5.7.60 -"],
    );
    check("-> RCPT TO:<x@y.example>\n<- 550 5.1.1 User unknown", &["reply rcpt_to 550 5.1.1 -"]);
    check("--> DATA\n<-- 554 5.2.0 STOREDRV.Submission.Exception", &["reply data 554 5.2.0 -"]);
}

#[test]
fn curl_verbose() {
    check(
        "* Connected to smtp.gmail.com (142.250.102.108) port 587 (#0)\n\
         < 220 smtp.gmail.com ESMTP x - gsmtp\n\
         > EHLO me\n\
         < 250-smtp.gmail.com at your service\n\
         < 250 SMTPUTF8\n\
         > AUTH PLAIN AGFsaWNlAGh1bnRlcjI=\n\
         < 535 5.7.8 Username and Password not accepted\n\
         curl: (67) Login denied",
        &["reply auth 535 5.7.8 curl"],
    );
}

#[test]
fn phpmailer_debug_output() {
    check(
        "2024-01-10 10:00:00 SERVER -> CLIENT: 220 smtp.gmail.com ESMTP x - gsmtp\n\
         2024-01-10 10:00:00 CLIENT -> SERVER: EHLO localhost\n\
         2024-01-10 10:00:00 SERVER -> CLIENT: 250 SMTPUTF8\n\
         2024-01-10 10:00:00 CLIENT -> SERVER: AUTH LOGIN\n\
         2024-01-10 10:00:00 SERVER -> CLIENT: 334 VXNlcm5hbWU6\n\
         2024-01-10 10:00:00 CLIENT -> SERVER: [credentials hidden]\n\
         2024-01-10 10:00:00 SERVER -> CLIENT: 334 UGFzc3dvcmQ6\n\
         2024-01-10 10:00:00 CLIENT -> SERVER: [credentials hidden]\n\
         2024-01-10 10:00:00 SERVER -> CLIENT: 535-5.7.8 Username and Password not accepted. Learn more at\n\
         2024-01-10 10:00:00 SERVER -> CLIENT: 535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp\n\
         2024-01-10 10:00:00 SMTP ERROR: Password command failed: 535-5.7.8 Username and Password not accepted. Learn more at\n\
         535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp\n\
         SMTP Error: Could not authenticate.",
        &["reply auth 334 phpmailer", "reply auth 334 phpmailer", "reply auth 535 5.7.8 phpmailer"],
    );
}

#[test]
fn smtplib_debug_output() {
    let p = check(
        "send: 'ehlo [127.0.1.1]\\r\\n'\n\
         reply: b'250-smtp.gmail.com at your service\\r\\n'\n\
         reply: b'250 SMTPUTF8\\r\\n'\n\
         reply: retcode (250); Msg: b'smtp.gmail.com at your service\\nSMTPUTF8'\n\
         send: 'AUTH PLAIN AGFAYi5leGFtcGxlAGh1bnRlcjI=\\r\\n'\n\
         reply: b'535-5.7.8 Username and Password not accepted.\\r\\n'\n\
         reply: b'535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp\\r\\n'\n\
         reply: retcode (535); Msg: b'5.7.8 Username and Password not accepted.'",
        &["reply auth 535 5.7.8 python-smtplib"],
    );
    assert_eq!(p.commands, 2);
    assert!(!format!("{:?}", p.transcripts).contains("aHVudGVy"));
}

#[test]
fn imap_responses() {
    let p = check(
        "a1 LOGIN user@gmail.com hunter2\n\
         a1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
        &["imap_reply auth -"],
    );
    assert_eq!(p.transcripts[0].protocol, Protocol::Imap);
    assert!(!format!("{:?}", p.transcripts).contains("hunter2"));
}

// ─── client libraries ────────────────────────────────────────────────────────────────────

#[test]
fn phpmailer_errors() {
    check(
        "SMTP ERROR: Password command failed: 535-5.7.8 Username and Password not accepted. Learn more at\n\
         535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp",
        &["reply auth 535 5.7.8 phpmailer"],
    );
    check("SMTP Error: Could not authenticate.", &["client_error auth phpmailer"]);
    check(
        "SMTP connect() failed. https://github.com/PHPMailer/PHPMailer/wiki/Troubleshooting",
        &["client_error unknown phpmailer"],
    );
    check(
        "SMTP ERROR: MAIL FROM command failed: 550 5.7.60 SMTP; Client does not have permissions to send as this sender",
        &["reply mail_from 550 5.7.60 phpmailer"],
    );
    check(
        "SMTP ERROR: Failed to connect to server: Connection refused (111)\nSMTP connect() failed.",
        &["connect_failed connect refused phpmailer"],
    );
}

#[test]
fn nodemailer_errors() {
    check(
        "Error: Invalid login: 535-5.7.8 Username and Password not accepted. For more information, go to\n\
         535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-2002 - gsmtp\n\
             at SMTPConnection._formatError (/app/node_modules/nodemailer/lib/smtp-connection/index.js:790:19)\n\
             at SMTPConnection._actionAUTHComplete (/app/node_modules/nodemailer/lib/smtp-connection/index.js:1564:34) {\n\
           code: 'EAUTH',\n\
           response: '535-5.7.8 Username and Password not accepted. For more information, go to\\n' +\n\
             '535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-2002 - gsmtp',\n\
           responseCode: 535,\n\
           command: 'AUTH PLAIN'\n\
         }",
        &["reply auth 535 5.7.8 nodemailer"],
    );
    check(
        "Error: connect ECONNREFUSED 127.0.0.1:587\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {\n  errno: -111,\n  code: 'ESOCKET',\n  syscall: 'connect',\n  address: '127.0.0.1',\n  port: 587,\n  command: 'CONN'\n}",
        &["connect_failed connect refused nodemailer"],
    );
    check(
        "Error: Connection timeout\n  code: 'ETIMEDOUT',\n  command: 'CONN'",
        &["connect_failed connect timed_out nodemailer"],
    );
    check(
        "Error: Greeting never received\n  code: 'ETIMEDOUT',\n  command: 'CONN'",
        &["timed_out banner nodemailer"],
    );
    check("ECONNREFUSED", &["connect_failed connect refused -"]);
    check(
        "Error: Missing credentials for \"PLAIN\"\n  code: 'EAUTH',\n  command: 'API'",
        &["client_error auth EAUTH nodemailer"],
    );
    check(
        "Error: Mail command failed: 550 5.7.60 SMTP; Client does not have permissions to send as this sender\n  code: 'EENVELOPE',\n  responseCode: 550,\n  command: 'MAIL FROM'",
        &["reply mail_from 550 5.7.60 nodemailer"],
    );
    check(
        "Error: 140350311364480:error:1408F10B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:332:\n  code: 'ESOCKET',\n  command: 'CONN'",
        &["tls_failed tls not_tls nodemailer"],
    );
    check("Error: some socket problem\n  code: 'ESOCKET'", &["client_error unknown ESOCKET nodemailer"]);
    check("Error: Responsecode 535\n  responseCode: 535,\n  command: 'AUTH LOGIN'", &["reply auth 535 -"]);
}

#[test]
fn python_smtplib_errors() {
    check(
        "Traceback (most recent call last):\n  File \"send.py\", line 10, in <module>\n    server.login(user, password)\n  File \"/usr/lib/python3.10/smtplib.py\", line 750, in login\n    raise last_exception\nsmtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. Learn more at\\n5.7.8  https://support.google.com/mail/?p=BadCredentials m5-2002 - gsmtp')",
        &["reply auth 535 5.7.8 python-smtplib"],
    );
    check(
        "smtplib.SMTPSenderRefused: (550, b'5.7.60 SMTP; Client does not have permissions to send as this sender', 'printer@contoso.com')",
        &["reply mail_from 550 5.7.60 python-smtplib"],
    );
    check(
        "smtplib.SMTPRecipientsRefused: {'bob@example.com': (550, b'5.1.1 The email account that you tried to reach does not exist.')}",
        &["reply rcpt_to 550 5.1.1 python-smtplib"],
    );
    check(
        "smtplib.SMTPServerDisconnected: Connection unexpectedly closed",
        &["closed unknown peer_closed python-smtplib"],
    );
    check(
        "smtplib.SMTPServerDisconnected: please run connect() first",
        &["client_error unknown SMTPServerDisconnected python-smtplib"],
    );
    check(
        "smtplib.SMTPNotSupportedError: SMTP AUTH extension not supported by server.",
        &["client_error auth SMTPNotSupportedError python-smtplib"],
    );
    check(
        "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1129)",
        &["tls_failed tls not_tls python"],
    );
    check(
        "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate (_ssl.c:1129)",
        &["tls_failed tls cert_untrusted python"],
    );
    check(
        "ConnectionRefusedError: [Errno 111] Connection refused",
        &["connect_failed connect refused python"],
    );
    check(
        "socket.gaierror: [Errno -2] Name or service not known",
        &["resolve_failed resolve no_such_host python"],
    );
}

#[test]
fn dotnet_and_mailkit_errors() {
    check(
        "System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client was not authenticated. The server response was: 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
        &["reply unknown 530 5.7.57 dotnet-smtpclient", "reply auth 535 5.7.139 dotnet-smtpclient"],
    );
    check(
        "System.Net.Mail.SmtpException: Mailbox unavailable. The server response was: 5.7.60 SMTP; Client does not have permissions to send as this sender",
        &["reply unknown 550 5.7.60 dotnet-smtpclient"],
    );
    check(
        "System.Net.Mail.SmtpException: Failure sending mail. ---> System.IO.IOException: Unable to read data from the transport connection: net_io_connectionclosed.",
        &["closed unknown peer_closed dotnet-smtpclient"],
    );
    check(
        "MailKit.Security.AuthenticationException: 535: 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
        &["reply auth 535 5.7.139 mailkit"],
    );
    check(
        "MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.",
        &["tls_failed tls other mailkit"],
    );
}

#[test]
fn javamail_errors() {
    check(
        "javax.mail.AuthenticationFailedException: 535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp",
        &["reply auth 535 5.7.8 javamail"],
    );
    check(
        "jakarta.mail.MessagingException: Could not convert socket to TLS;\n  nested exception is:\n\tjavax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher suites are inappropriate)",
        &["tls_failed tls handshake_rejected javamail"],
    );
    check(
        "com.sun.mail.util.MailConnectException: Couldn't connect to host, port: smtp.gmail.com, 25; timeout -1;\n  nested exception is:\n\tjava.net.ConnectException: Connection timed out: connect",
        &["connect_failed connect timed_out javamail"],
    );
    check(
        "com.sun.mail.smtp.SMTPSendFailedException: 530 5.7.0 Must issue a STARTTLS command first. x - gsmtp",
        &["reply unknown 530 5.7.0 javamail"],
    );
}

#[test]
fn go_and_curl_and_openssl() {
    // Go's textproto.Error: continuation lines keep their enhanced code but lose the reply code.
    let p = check(
        "535 5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp",
        &["reply unknown 535 5.7.8 -"],
    );
    let EventKind::Received { reply } = &events(&p)[0].kind else { panic!() };
    assert_eq!(reply.lines.len(), 2);
    check("x509: certificate signed by unknown authority", &["tls_failed tls cert_untrusted go"]);
    check("dial tcp: lookup smtp.gmial.com: no such host", &["resolve_failed resolve no_such_host go"]);
    check("curl: (67) Login denied", &["client_error auth 67 curl"]);
    check("curl: (35) error:0A00010B:SSL routines::wrong version number", &["tls_failed tls not_tls curl"]);
    check(
        "curl: (7) Failed to connect to smtp.gmail.com port 587 after 3 ms: Connection refused",
        &["connect_failed connect refused curl"],
    );
    let p = check(
        "CONNECTED(00000003)\n\
         depth=0 CN = smtp.gmail.com\n\
         verify error:num=20:unable to get local issuer certificate\n\
         ---\n\
         Certificate chain\n\
          0 s:CN = smtp.gmail.com\n\
            i:C = US, O = Avast, CN = Avast Web/Mail Shield Root\n\
         ---\n\
         Verify return code: 20 (unable to get local issuer certificate)",
        &["tls_failed tls cert_untrusted openssl"],
    );
    let EventKind::TlsFailed { certificates, .. } = &events(&p)[0].kind else { panic!() };
    assert!(certificates[0].issuer.contains("Avast"));
    check("tlsv1 alert protocol version", &["tls_failed tls protocol_version -"]);
    check("error:0A000102:SSL routines::unsupported protocol", &["tls_failed tls handshake_rejected -"]);
}

#[test]
fn postfix_and_exim_logs() {
    let p = check(
        "Jan 10 12:00:00 mx postfix/smtp[123]: 4F1A: to=<a@b.example>, relay=smtp.gmail.com[142.250.102.108]:587, delay=1, dsn=5.7.8, status=deferred (SASL authentication failed; server smtp.gmail.com[142.250.102.108] said: 535-5.7.8 Username and Password not accepted. Learn more at?535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp)",
        &["reply auth 535 5.7.8 postfix"],
    );
    assert_eq!((p.hints.host.as_deref(), p.hints.port), (Some("smtp.gmail.com"), Some(587)));
    check(
        "Jan 10 12:00:00 mx postfix/smtp[123]: 4F1A: to=<bob@example.net>, relay=mx.example.net[192.0.2.2]:25, status=bounced (host mx.example.net[192.0.2.2] said: 550 5.7.1 Service unavailable; client [198.51.100.7] blocked using zen.spamhaus.org (in reply to RCPT TO command))",
        &["reply rcpt_to 550 5.7.1 postfix"],
    );
    check(
        "Jan 10 12:00:00 mx postfix/smtpd[77]: warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
        &["reply auth 535 5.7.8 postfix"],
    );
    check(
        "2024-01-10 12:00:00 1rNXYZ-000ABC-12 ** bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.2]: SMTP error from remote mail server after RCPT TO:<bob@example.net>: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown",
        &["reply rcpt_to 550 5.1.1 exim"],
    );
}

// ─── robustness ──────────────────────────────────────────────────────────────────────────

#[test]
fn nothing_recognisable() {
    let p = read("hello, my email does not work, please help");
    assert!(!p.recognised());
    // The words are kept, as a message of no known program, for the knowledge base's phrases.
    let [t] = p.transcripts.as_slice() else { panic!("one transcript: {:?}", p.transcripts) };
    assert!(matches!(
        &t.events[..],
        [e] if matches!(&e.kind, EventKind::ClientError { program: None, code: None, message }
            if message == "hello, my email does not work, please help")
    ));
    assert!(!p.blank);
    assert!(read("  \n\t\n").blank);
}

#[test]
fn secrets_in_messages_are_cut() {
    let p = read("Error: Missing credentials for \"PLAIN\" (pass: 'hunter2')\n  code: 'EAUTH'");
    assert!(!format!("{:?} {:?}", p.transcripts, p.understood).contains("hunter2"));
    // a field of an error object runs to the line's end, whatever follows it (found by the
    // line soup property test: the secret reached the client error's code)
    let p = read("code: 'EAUTH',\\npassword=hunter2 timed out\ncommand: 'AUTH PLAIN'");
    assert!(!format!("{:?} {:?}", p.transcripts, p.understood).contains("hunter2"), "{:?}", p.transcripts);
    // a 334 that is not a base64 challenge is scrubbed like any reply (line soup again: the
    // secret reached auth.never_completed's challenge); a real challenge is kept whole
    let p = read("AUTH PLAIN AGFAYgBj\n334 password=hunter2\n");
    assert!(!format!("{:?}", p.transcripts).contains("hunter2"), "{:?}", p.transcripts);
    let p = read("AUTH LOGIN\n334 VXNlcm5hbWU6\n");
    assert!(format!("{:?}", p.transcripts).contains("VXNlcm5hbWU6"), "{:?}", p.transcripts);
}

#[test]
fn events_are_bounded() {
    let text = "535 5.7.8 no\n".repeat(MAX_EVENTS + 50);
    let p = read(&text);
    assert_eq!(p.transcripts[0].events.len(), MAX_EVENTS);
    assert!(matches!(p.notes[..], [Note::EvidenceCut { kept: MAX_EVENTS, dropped: 50 }]));
}

#[test]
fn starttls_accepted_then_handshake_failed() {
    let p = check(
        "C: EHLO laptop\nS: 250-mx.example.net\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 2.0.0 Ready to start TLS\n\
         x509: certificate signed by unknown authority",
        &["tls_failed tls cert_untrusted go"],
    );
    assert!(!events(&p).iter().any(|e| matches!(e.kind, EventKind::TlsEstablished { .. })));
}

/// mailprobe's own report pasted back: its steps are the evidence; its findings section is
/// mailprobe's words, and a fix quoting a server log ("no shared cipher") is not that log.
#[test]
fn an_own_report_is_read_up_to_its_findings() {
    let report = "SMTP: mail.example.test:587 (STARTTLS)\n  \
        ✓ Greeting                  0 ms  220 mail.example.test ESMTP\n  \
        ✗ Encryption (TLS)          1 ms  handshake_rejected: received fatal alert: HandshakeFailure\n\n\
        Findings\n\n\
        ✗ 1. The server refused the TLS handshake  [tls.server_refused_handshake]\n   \
        What to do\n     \
        1. On the server, read the mail log (Postfix: \"SSL_accept error\", \"no shared cipher\")\n";
    let p = read(report);
    let all = summary(&p).join("\n");
    assert!(all.contains("handshake_rejected"), "{all}");
    assert_eq!(p.understood.len(), 1, "{all}");
    // The same words in a real log are evidence.
    let log = read("postfix/smtpd[1]: SSL_accept error from unknown[192.0.2.9]: no shared cipher\n");
    assert!(!log.understood.is_empty());
}

#[test]
fn openssl_s_client_starttls_shows_the_encrypted_session() {
    // realworld 1088: the EHLO after `s_client -starttls` lists no STARTTLS, as it should.
    let p = read(
        "$ openssl s_client -starttls smtp -crlf -connect aspmx.l.google.com:25\n...\nEHLO foo.com\n\
         250-mx.google.com at your service, [xxx]\n250-SIZE 157286400\n250 SMTPUTF8\nQUIT\nDONE",
    );
    let kinds: Vec<&EventKind> = events(&p).iter().map(|e| &e.kind).collect();
    assert!(matches!(kinds[0], EventKind::TlsEstablished { .. }), "{kinds:?}");
}
