//! Property tests: reading any paste, and diagnosing what it gave, never panics and stays
//! bounded — on arbitrary bytes, and on "line soup" made of the codes, keywords, markers and
//! library phrases the reader looks for, in any order and any mix.

use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_logs::paste::{self, MAX_EVENTS, Options};
use mailprobe_proto::Stage;
use proptest::prelude::*;

/// Fragments the reader reacts to; soups of them reach every branch in odd combinations.
const FRAGMENTS: &[&str] = &[
    "535",
    "535-",
    "535 ",
    "5.7.8",
    "5.7.139",
    "5.7.60",
    "550 5.1.8",
    "4.4.62",
    "334 ",
    "334",
    "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==",
    "4af4",
    "0x800CCC0E",
    "C: ",
    "S: ",
    " -> ",
    "<- ",
    "<~* ",
    ">>> ",
    "<<< ",
    "> ",
    "< ",
    "* ",
    "=== ",
    "*** ",
    "CLIENT -> SERVER: ",
    "SERVER -> CLIENT: ",
    "send: b'",
    "reply: b'",
    "\\r\\n'",
    "EHLO x",
    "AUTH PLAIN AGFAYgBj",
    "AUTH LOGIN",
    "MAIL FROM:<a@b>",
    "RCPT TO:<c@d>",
    "DATA",
    "STARTTLS",
    "QUIT",
    ".",
    "354 go ahead",
    "250-STARTTLS",
    "250 OK",
    "220 smtp.gmail.com ESMTP",
    "a1 LOGIN u p",
    "a1 NO [AUTHENTICATIONFAILED] x",
    "* BYE",
    "Expected: 235, actual: 334",
    ", description: ",
    "Error: Invalid login: ",
    "code: 'EAUTH',",
    "responseCode: 535,",
    "command: 'AUTH PLAIN'",
    "response: '535-5.7.8 x\\n' +",
    "'535 5.7.8 y',",
    "smtplib.SMTPAuthenticationError: (535, b'",
    "')",
    "SMTP ERROR: Password command failed: ",
    "SMTP Error: Could not authenticate.",
    "SMTP connect() failed.",
    "The server response was: ",
    "Error: ",
    "[SSL: WRONG_VERSION_NUMBER] wrong version number",
    "certificate verify failed",
    "self signed certificate",
    "Connection refused",
    "ECONNREFUSED 127.0.0.1:587",
    "ETIMEDOUT",
    "getaddrinfo ENOTFOUND smtp.x",
    "timed out",
    "Connection reset by peer",
    "curl: (67) Login denied",
    "curl: (35) ",
    "x509: ",
    "postfix/smtp[1]: ",
    "said: ",
    "(in reply to RCPT TO command)",
    "postfix/smtpd[2]: warning: x: SASL LOGIN authentication failed: ",
    "SMTP error from remote mail server after ",
    "RCPT TO:<x@y>: ",
    "authenticator failed for x: ",
    " 0 s:CN = x",
    "   i:CN = y",
    "verify error:num=20:",
    "File \"x.py\", line 1, in y",
    "    at f (x.js:1:1)",
    "Traceback (most recent call last):",
    "gsmtp",
    "smtp.office365.com:587",
    "TenantAttribution",
    "password=secret",
    "\\n",
    "'",
    "\"",
    "(",
    ")",
    ":",
    "\t",
    "\u{1b}[31m",
    "\r",
    "é",
    "\u{fffd}",
    " ",
];

fn soup() -> impl Strategy<Value = String> {
    let line = prop::collection::vec(prop::sample::select(FRAGMENTS), 0..8).prop_map(|parts| parts.concat());
    prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

fn stage() -> impl Strategy<Value = Option<Stage>> {
    prop::option::of(prop::sample::select(vec![Stage::Auth, Stage::MailFrom, Stage::RcptTo, Stage::Unknown]))
}

fn check(bytes: &[u8], stage: Option<Stage>) {
    let pasted = paste::parse(bytes, &Options { stage, ..Options::default() });
    let events: usize = pasted.transcripts.iter().map(|t| t.events.len()).sum();
    assert!(events <= MAX_EVENTS, "{events} events");
    assert!(pasted.understood.len() <= events);
    assert!(pasted.transcripts.len() <= 2);
    for provider in [None, Some("gmail"), Some("m365")] {
        let context = pasted.context(provider);
        for lang in [Lang::En, Lang::It] {
            let findings = KnowledgeBase::builtin().diagnose(&context, &pasted.transcripts, lang);
            // One finding per catalogue id at most, plus the engine's `ambiguous`.
            assert!(findings.len() <= KnowledgeBase::builtin().ids().count() + 1);
            for f in &findings {
                assert!(f.evidence.len() <= 2 * MAX_EVENTS);
                assert!(!format!("{f:?}").contains("secret"), "a secret reached a finding: {f:?}");
            }
        }
    }
}

proptest! {
    // 1,024 cases each: since the catalogue's word boundaries are ASCII and the regex crates are
    // optimised in test builds, the file runs in seconds (a run of 4,000 took 31 s).
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096), stage in stage()) {
        check(&bytes, stage);
    }

    #[test]
    fn line_soup(text in soup(), stage in stage()) {
        check(text.as_bytes(), stage);
    }
}

#[test]
fn huge_inputs_are_bounded() {
    // Over the byte cap, over the line cap, one endless line, endless continuation lines.
    let cases: Vec<Vec<u8>> = vec![
        "535-5.7.8 x\n".repeat(200_000).into_bytes(),
        "x\n".repeat(paste::MAX_LINES * 3).into_bytes(),
        vec![b'5'; paste::MAX_INPUT_BYTES * 2],
        "C: EHLO x\nS: 250 ok\n".repeat(20_000).into_bytes(),
    ];
    for bytes in cases {
        let pasted = paste::parse(&bytes, &Options::default());
        assert!(pasted.lines <= paste::MAX_LINES);
        check(&bytes, None);
    }
}
