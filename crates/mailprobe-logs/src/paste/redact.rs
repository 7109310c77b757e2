//! Secrets out of pasted text: AUTH payloads become `<redacted: PLAIN user=alice@example.com>`,
//! as in a live transcript, and `password=...` in a message becomes `password=<redacted>`.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use regex::Regex;

/// The longest user name shown in a redaction.
const MAX_USER: usize = 100;

/// An AUTH command as a transcript shows it: the mechanism kept, the initial response replaced.
pub(crate) fn command(line: &str) -> String {
    let line = line.trim();
    let mut words = line.split_ascii_whitespace();
    let (Some(verb), Some(mechanism)) = (words.next(), words.next()) else {
        return line.to_owned();
    };
    if !verb.eq_ignore_ascii_case("AUTH") {
        return line.to_owned();
    }
    let mechanism = mechanism.to_ascii_uppercase();
    match words.next() {
        None => format!("AUTH {mechanism}"),
        Some(initial) => format!("AUTH {mechanism} {}", describe(&mechanism, initial)),
    }
}

/// A line the client sent to answer a 334 challenge. `prompt` is the challenge it answers.
pub(crate) fn response(line: &str, mechanism: Option<&str>, prompt: Option<&str>) -> String {
    let line = line.trim();
    if line == "*" || line.is_empty() {
        return line.to_owned();
    }
    let asks_user = prompt
        .and_then(|p| BASE64.decode(p.trim()).ok())
        .is_some_and(|d| d.eq_ignore_ascii_case(b"username:"));
    match mechanism {
        Some("LOGIN") if asks_user => match decode_text(line) {
            Some(user) => format!("<redacted: LOGIN user={}>", shown_user(&user)),
            None => "<redacted>".into(),
        },
        // A LOGIN password, or an answer to a challenge not seen: nothing of it is shown.
        Some("LOGIN") | None => "<redacted>".into(),
        Some(m) => describe(m, line),
    }
}

/// `<redacted: MECH user=...>` for an initial response, naming the user when it can be read.
fn describe(mechanism: &str, payload: &str) -> String {
    let user = decode_text(payload).and_then(|text| match mechanism {
        // authzid \0 authcid \0 password: the authcid.
        "PLAIN" => text.split('\0').nth(1).map(str::to_owned),
        // user=alice@example.com \x01 auth=Bearer ... \x01\x01
        "XOAUTH2" => text.split('\u{1}').find_map(|p| p.strip_prefix("user=")).map(str::to_owned),
        // n,a=alice@example.com, \x01 ...
        "OAUTHBEARER" => text.split(',').find_map(|p| p.strip_prefix("a=")).map(str::to_owned),
        "LOGIN" => Some(text),
        _ => None,
    });
    match user.filter(|u| !u.is_empty()) {
        Some(u) => format!("<redacted: {mechanism} user={}>", shown_user(&u)),
        None => format!("<redacted: {mechanism}>"),
    }
}

fn decode_text(payload: &str) -> Option<String> {
    let bytes = BASE64.decode(payload.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

/// A user name fit to show: printable, short.
fn shown_user(user: &str) -> String {
    user.chars().filter(|c| !c.is_control() && !c.is_whitespace()).take(MAX_USER).collect()
}

static SECRET_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(pass(?:word|wd)?|pwd|secret|token|access_token|api_?key)(\s*[:=]\s*)(['"]?)[^\s'",;)}]+"#,
    )
    .expect("valid pattern")
});

/// `AUTH <mechanism> <initial response>`: only a SASL mechanism's name counts (prose such as
/// "SMTP AUTH is required", "AUTH not supported", "Must issue an AUTH command first" keeps its
/// words), and a payload that is itself a mechanism (an EHLO line `AUTH LOGIN PLAIN`) is no secret.
static AUTH_PAYLOAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(AUTH\s+(?:PLAIN|LOGIN|XOAUTH2?|OAUTHBEARER|CRAM-MD5|DIGEST-MD5|NTLM|GSSAPI|EXTERNAL|ANONYMOUS|SCRAM-SHA-[0-9]+(?:-PLUS)?)\s+)([A-Za-z0-9+/=]{4,})",
    )
    .expect("valid pattern")
});

/// SASL mechanism names, which an EHLO `AUTH` line lists after the first.
fn is_mechanism(word: &str) -> bool {
    // `CRAM`, `DIGEST`, `SCRAM`: the start of CRAM-MD5 and the like.
    const NAMES: &[&str] = &[
        "PLAIN",
        "LOGIN",
        "XOAUTH",
        "XOAUTH2",
        "OAUTHBEARER",
        "NTLM",
        "GSSAPI",
        "EXTERNAL",
        "ANONYMOUS",
        "CRAM",
        "DIGEST",
        "SCRAM",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(word))
}

static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{4,}").expect("valid pattern"));

/// A free-text message with `password=...`, `pass: '...'`, `Bearer ...` values replaced.
pub(crate) fn scrub(text: &str) -> String {
    let text = SECRET_FIELD.replace_all(text, "$1$2$3<redacted>");
    let text = AUTH_PAYLOAD.replace_all(&text, |c: &regex::Captures<'_>| {
        if is_mechanism(&c[2]) { c[0].to_owned() } else { format!("{}<redacted>", &c[1]) }
    });
    BEARER.replace_all(&text, "$1<redacted>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_commands() {
        // \0alice@example.com\0hunter2
        assert_eq!(
            command("AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAGh1bnRlcjI="),
            "AUTH PLAIN <redacted: PLAIN user=alice@example.com>"
        );
        assert_eq!(command("auth login"), "AUTH LOGIN");
        assert_eq!(command("AUTH XOAUTH2 not-base64!"), "AUTH XOAUTH2 <redacted: XOAUTH2>");
        // user=a@b.example\x01auth=Bearer tok\x01\x01
        let x = BASE64.encode("user=a@b.example\u{1}auth=Bearer tok\u{1}\u{1}");
        assert_eq!(
            command(&format!("AUTH XOAUTH2 {x}")),
            "AUTH XOAUTH2 <redacted: XOAUTH2 user=a@b.example>"
        );
        assert_eq!(command("EHLO x"), "EHLO x");
        assert!(!command("AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAGh1bnRlcjI=").contains("hunter2"));
    }

    #[test]
    fn challenge_responses() {
        let user = BASE64.encode("alice");
        assert_eq!(response(&user, Some("LOGIN"), Some("VXNlcm5hbWU6")), "<redacted: LOGIN user=alice>");
        assert_eq!(response("aHVudGVyMg==", Some("LOGIN"), Some("UGFzc3dvcmQ6")), "<redacted>");
        assert_eq!(response("aHVudGVyMg==", Some("LOGIN"), None), "<redacted>");
        assert_eq!(response("*", Some("LOGIN"), None), "*");
        assert_eq!(response("anything", None, None), "<redacted>");
    }

    #[test]
    fn scrubs_secrets_in_messages() {
        assert_eq!(
            scrub("auth: { user: 'a@b', pass: 'hunter2' }"),
            "auth: { user: 'a@b', pass: '<redacted>' }"
        );
        assert_eq!(scrub("password=hunter2 port=587"), "password=<redacted> port=587");
        assert_eq!(scrub("Authorization: Bearer ya29.abc"), "Authorization: Bearer <redacted>");
        assert_eq!(scrub("Username and Password not accepted"), "Username and Password not accepted");
        assert_eq!(scrub("sent AUTH PLAIN AGFAYgBj then"), "sent AUTH PLAIN <redacted> then");
        for prose in [
            "SMTP AUTH is required for message submission on port 587",
            "502 AUTH not supported.",
            "530 5.5.1 Invalid command: Must issue an AUTH command first",
            "250-AUTH LOGIN PLAIN",
            "250-AUTH PLAIN CRAM-MD5",
        ] {
            assert_eq!(scrub(prose), prose);
        }
    }
}
