//! Client programs' logs read into sessions and diagnosed by the knowledge base. The samples in
//! tests/samples/client/ were made by the real programs against the test Postfix
//! (make-samples.sh): swaks, openssl s_client, curl -v, msmtp (--debug and its log file), Python
//! smtplib, PHPMailer, nodemailer and Jakarta Mail. Outlook cannot run here: its two samples are
//! built from the documented (Windows) and observed (macOS) shapes and say so in their first line.

mod samples;

use mailprobe_logs::analyze::{self, LogFormat};
use samples::{Read, read, sample};

/// One session's outcome: (failed stage, finding ids).
type Outcome = (Option<String>, Vec<String>);

fn outcomes(r: &Read) -> Vec<Outcome> {
    r.sessions.iter().map(|s| (s.failed.as_ref().map(|f| f.0.clone()), s.findings.clone())).collect()
}

fn o(stage: Option<&str>, findings: &[&str]) -> Outcome {
    (stage.map(str::to_owned), findings.iter().map(|s| (*s).to_owned()).collect())
}

/// Reads a sample, checks the format it was detected as, and returns it.
fn read_as(name: &str, format: LogFormat) -> Read {
    let bytes = sample(&format!("client/{name}"));
    assert_eq!(analyze::detect(&bytes), Some(format), "{name}");
    read(&bytes, None)
}

const WRONG_PASSWORD: &[&str] = &["auth.credentials_rejected"];

#[test]
fn every_program_shows_where_a_wrong_password_stopped_it() {
    let cases = [
        ("swaks-wrong-password.log", LogFormat::Swaks),
        ("curl-wrong-password.log", LogFormat::CurlVerbose),
        ("openssl-starttls-wrong-password.log", LogFormat::OpensslSClient),
        ("msmtp-debug-wrong-password.log", LogFormat::Msmtp),
        ("phpmailer-debug2-wrong-password.log", LogFormat::Phpmailer),
        ("nodemailer-debug-wrong-password.log", LogFormat::Nodemailer),
        ("javamail-debug-wrong-password.log", LogFormat::Javamail),
    ];
    for (name, format) in cases {
        let r = read_as(name, format);
        assert_eq!(outcomes(&r), [o(Some("auth"), WRONG_PASSWORD)], "{name}");
        let s = &r.sessions[0];
        assert!(s.session.meta.client.is_some(), "{name}");
        assert!(s.failed.as_ref().unwrap().1.starts_with("535 5.7.8"), "{name}: {:?}", s.failed);
    }
}

#[test]
fn swaks_outcomes() {
    let ok = read_as("swaks-ok.log", LogFormat::Swaks);
    assert_eq!(outcomes(&ok), [o(None, &[])]);
    let s = &ok.sessions[0];
    assert_eq!(s.user.as_deref(), Some("alice@example.test"));
    assert_eq!(s.session.meta.server.as_deref(), Some("127.0.0.1:28025"));
    assert!(s.dialogue.contains("C: AUTH PLAIN <redacted"), "{}", s.dialogue);
    let relay = read_as("swaks-relay-denied.log", LogFormat::Swaks);
    assert_eq!(outcomes(&relay), [o(Some("rcpt_to"), &["smtp.relay_denied"])]);
    // implicit TLS spoken to the STARTTLS port: the guide's wrong encryption setting
    let mode = read_as("swaks-tls-on-starttls-port.log", LogFormat::Swaks);
    assert_eq!(outcomes(&mode), [o(Some("tls"), &["tls.mode_mismatch"])]);
}

#[test]
fn curl_handshake_trace_is_not_a_failure_and_a_lost_auth_service_is_temporary() {
    let r = read_as("curl-wrong-password.log", LogFormat::CurlVerbose);
    assert!(!r.sessions[0].findings.iter().any(|f| f.starts_with("tls.")), "{:?}", r.sessions[0].findings);
    // made right after the wrong-password run: Dovecot was still holding back its auth service
    let lost = read_as("curl-auth-server-lost.log", LogFormat::CurlVerbose);
    assert_eq!(outcomes(&lost), [o(Some("auth"), &["auth.temporary_failure"])]);
    assert_eq!(lost.sessions[0].session.meta.server.as_deref(), Some("127.0.0.1:28025"));
}

#[test]
fn openssl_session_gets_its_handshake_and_reply_steps() {
    let r = read_as("openssl-starttls-wrong-password.log", LogFormat::OpensslSClient);
    let d = &r.sessions[0].dialogue;
    assert!(d.starts_with("   tls: TlsEstablished"), "{d}");
    assert!(d.contains("TLSv1.3"), "{d}");
}

#[test]
fn msmtp_debug_output_and_log_file() {
    // msmtp's stderr summary comes first in the captured file: it still is one session
    let debug = read_as("msmtp-debug-wrong-password.log", LogFormat::Msmtp);
    assert_eq!(debug.sessions.len(), 1);
    assert_eq!(debug.sessions[0].user.as_deref(), Some("alice@example.test"));
    let file = read_as("msmtp-logfile.log", LogFormat::Msmtp);
    assert_eq!(outcomes(&file), [o(Some("auth"), WRONG_PASSWORD), o(None, &[])]);
    assert_eq!(file.sessions[0].session.meta.started.as_deref(), Some("Nov 24 03:28:21"));
    assert_eq!(file.sessions[1].session.meta.server.as_deref(), Some("127.0.0.1"));
}

#[test]
fn smtplib_debug_levels() {
    let ok = read_as("smtplib-debug2-ok.log", LogFormat::PythonSmtplib);
    assert_eq!(outcomes(&ok), [o(None, &[])]);
    // smtplib tried PLAIN (the auth service was away: 454), then LOGIN (535): both are told
    let wrong = read_as("smtplib-debug1-wrong-password.log", LogFormat::PythonSmtplib);
    assert_eq!(wrong.sessions.len(), 1);
    let findings = &wrong.sessions[0].findings;
    assert!(findings.contains(&"auth.credentials_rejected".to_owned()), "{findings:?}");
    assert!(findings.contains(&"auth.temporary_failure".to_owned()), "{findings:?}");
}

#[test]
fn outlook_windows_sessions_skip_imap() {
    let r = read_as("outlook-windows-smtp.log", LogFormat::OutlookWindows);
    let servers: Vec<_> =
        r.sessions.iter().map(|s| s.session.meta.server.clone().unwrap_or_default()).collect();
    assert_eq!(servers, ["smtp.office365.com", "smtp.gmail.com", "smtp.gmail.com"]);
    let first: Vec<_> = r
        .sessions
        .iter()
        .map(|s| (s.failed.as_ref().map(|f| f.0.as_str()), s.findings.first().map(String::as_str)))
        .collect();
    assert_eq!(
        first,
        [
            (Some("auth"), Some("auth.basic_auth_disabled")), // Microsoft 365, 535 5.7.139
            (Some("auth"), Some("ambiguous")), // Gmail, 535 5.7.8: app password first, then the login
            (Some("tls"), Some("ambiguous")),  // SSL on 587: 0x800CCC1A (mode first, then an old TLS)
        ]
    );
    assert_eq!(r.sessions[0].session.meta.started.as_deref(), Some("2026.11.24 09:12:05"));
    assert_eq!(r.sessions[0].session.meta.ended.as_deref(), Some("2026.11.24 09:12:11"));
}

#[test]
fn outlook_mac_expected_235_actual_334() {
    let r = read_as("outlook-mac-smtp.log", LogFormat::OutlookMac);
    assert_eq!(r.sessions.len(), 1);
    let s = &r.sessions[0];
    assert_eq!(s.session.meta.server.as_deref(), Some("smtp.gmail.com:587"));
    // the guide's symptom: Gmail answered the token with its 334 error challenge
    assert_eq!(s.failed.as_ref().map(|f| f.0.as_str()), Some("auth"));
    assert_eq!(s.findings.first().map(String::as_str), Some("auth.oauth_challenge_failed"));
    assert!(s.dialogue.contains("Expected 235, actual 334"), "{}", s.dialogue);
}

/// No sample's sessions (their Debug form holds every field a report could show) carry a
/// password or token the programs were given: not plain, and not inside any base64 word.
#[test]
fn no_canary_survives_in_any_session() {
    use base64::Engine;
    let dir = format!("{}/tests/samples/client", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let decoded = base64_words(&text);
        let canaries: Vec<String> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .chain(decoded.iter().flat_map(|d| d.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))))
            .filter(|w| w.starts_with("Canary-"))
            .map(str::to_owned)
            .collect();
        if canaries.is_empty() {
            continue; // the program never printed the secret (openssl's typed input, msmtp's log file)
        }
        for s in &read(&bytes, None).sessions {
            let shown = format!("{:?}", s.session);
            for found in std::iter::once(shown.clone()).chain(base64_words(&shown)) {
                for canary in &canaries {
                    assert!(!found.contains(canary.as_str()), "{}: {canary} in {}", path.display(), s.id);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} sessions checked");

    /// Every word of `text` that decodes as base64, decoded.
    fn base64_words(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
            .filter(|w| w.len() >= 8)
            .filter_map(|w| base64::engine::general_purpose::STANDARD.decode(w).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect()
    }
}
