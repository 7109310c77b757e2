//! Removes secrets a peer repeats back before anything it sent is recorded.
//!
//! A probe redacts what it sends, but a server may echo it: Sendmail's `500 5.5.1 Command
//! unrecognized: "AUTH PLAIN <payload>"`, a debugging proxy, an appliance that quotes the
//! password in its error, an OAuth challenge whose JSON repeats the token. The scrubber knows
//! every form a secret can take on the wire and replaces each with a label:
//!
//! - the secret itself, and its escaped form (`\"`, `\\`) as IMAP quoting and JSON write it;
//! - each base64 payload sent (the PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER responses);
//! - the secret's base64 at each of the three byte alignments it can have inside a longer
//!   base64 text (only the characters that depend on the secret alone), standard and URL-safe;
//! - decoded forms: a base64 word that decodes to text holding a secret is decoded, scrubbed
//!   and encoded again, so an OAuth error document keeps its JSON (and its status) readable.
//!
//! Texts cut short (a preview ending in `…`, a line longer than the limit) also lose a tail that
//! is the beginning of a secret. Forms shorter than four characters only match as whole words,
//! so a very short secret does not erase every occurrence of a letter.

use mailprobe_proto::{EventKind, decode_challenge};

/// Shortest form matched inside a word; shorter ones must stand alone.
const MIN_INNER_LEN: usize = 4;

/// The note added to a reply (or after an IMAP line) that had a secret removed.
pub(crate) const REMOVED_NOTE: &str =
    "the server sent back a secret mailprobe had sent; it is shown redacted";

/// What kind of secret a form belongs to: decides the label shown instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretKind {
    /// A password.
    Password,
    /// A bearer token.
    Token,
    /// A SASL response sent (base64, the user name and a password or token inside).
    Payload,
}

impl SecretKind {
    fn label(self) -> &'static str {
        match self {
            Self::Password => "<redacted: password>",
            Self::Token => "<redacted: token>",
            Self::Payload => "<redacted: AUTH data>",
        }
    }
}

#[derive(Clone, Debug)]
struct Form {
    text: String,
    kind: SecretKind,
}

/// The known forms of every secret of one probe.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scrubber {
    /// Longest first, so a payload is replaced whole before a secret inside it.
    forms: Vec<Form>,
}

impl Scrubber {
    fn add_form(&mut self, text: String, kind: SecretKind) {
        if text.is_empty() || self.forms.iter().any(|f| f.text == text) {
            return;
        }
        self.forms.push(Form { text, kind });
        self.forms.sort_by_key(|f| std::cmp::Reverse(f.text.len()));
    }

    /// Adds a secret (a password or token) in all its forms.
    pub(crate) fn add_secret(&mut self, secret: &str, kind: SecretKind) {
        if secret.is_empty() {
            return;
        }
        self.add_form(secret.to_owned(), kind);
        self.add_form(escape_quoted(secret), kind);
        for core in base64_cores(secret.as_bytes()) {
            if core.len() >= MIN_INNER_LEN {
                let url_safe = core.replace('+', "-").replace('/', "_");
                self.add_form(core, kind);
                self.add_form(url_safe, kind);
            }
        }
    }

    /// Adds a base64 payload exactly as it was sent.
    pub(crate) fn add_payload(&mut self, payload: &str) {
        self.add_form(payload.trim().to_owned(), SecretKind::Payload);
    }

    /// `text` with every known form replaced, or `None` when none occurs. With `cut`, a tail
    /// that begins a form (the text was cut inside it) is replaced too.
    pub(crate) fn scrub(&self, text: &str, cut: bool) -> Option<String> {
        if self.forms.is_empty() {
            return None;
        }
        let decoded = self.reencode_base64_words(text);
        let current = decoded.as_deref().unwrap_or(text);
        let replaced = self.replace_forms(current);
        let current = replaced.as_deref().unwrap_or(current);
        let tail = if cut { self.replace_cut_tail(current) } else { None };
        tail.or(replaced).or(decoded)
    }

    /// Scrubs every text of an event that can carry what a peer sent; true when one changed.
    pub(crate) fn scrub_event(&self, kind: &mut EventKind, cut: bool) -> bool {
        if self.forms.is_empty() {
            return false;
        }
        let mut changed = false;
        let mut fix = |text: &mut String, cut: bool| {
            // A preview or note cut short ends with an ellipsis.
            if let Some(clean) = self.scrub(text, cut || text.ends_with('…')) {
                *text = clean;
                changed = true;
            }
        };
        match kind {
            EventKind::Received { reply } => {
                let was_cut = cut || reply.notes.iter().any(|n| n.contains("was cut"));
                for line in &mut reply.lines {
                    fix(line, was_cut);
                }
                for note in &mut reply.notes {
                    fix(note, false);
                }
            }
            EventKind::ImapReceived { line } | EventKind::Sent { line } => fix(line, cut),
            EventKind::Unexpected { preview, .. } => fix(preview, cut),
            EventKind::Note { text } => fix(text, cut),
            EventKind::TlsFailed { detail, .. } => fix(detail, cut),
            EventKind::ClientError { message, .. } => fix(message, cut),
            _ => {}
        }
        changed
    }

    fn replace_forms(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut changed = false;
        let mut rest_from = 0;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < text.len() {
            if !text.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let hit = self.forms.iter().find(|f| {
                text[i..].starts_with(f.text.as_str())
                    && (f.text.len() >= MIN_INNER_LEN || stands_alone(bytes, i, i + f.text.len()))
            });
            match hit {
                Some(form) => {
                    out.push_str(&text[rest_from..i]);
                    out.push_str(form.kind.label());
                    i += form.text.len();
                    rest_from = i;
                    changed = true;
                }
                None => i += 1,
            }
        }
        changed.then(|| {
            out.push_str(&text[rest_from..]);
            out
        })
    }

    /// Decodes each base64 word; one that decodes to text holding a secret is scrubbed and
    /// encoded again.
    fn reencode_base64_words(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut changed = false;
        let mut rest_from = 0;
        for (start, end) in base64_words(text.as_bytes()) {
            let word = &text[start..end];
            // A payload as sent is replaced whole below, under its own label.
            if self.forms.iter().any(|f| f.text == word) {
                continue;
            }
            let Some(decoded) = decode_challenge(word) else { continue };
            let Some(clean) = self.replace_forms(&decoded) else { continue };
            out.push_str(&text[rest_from..start]);
            out.push_str(&base64(clean.as_bytes()));
            rest_from = end;
            changed = true;
        }
        changed.then(|| {
            out.push_str(&text[rest_from..]);
            out
        })
    }

    fn replace_cut_tail(&self, text: &str) -> Option<String> {
        let (body, ellipsis) = match text.strip_suffix('…') {
            Some(body) => (body, "…"),
            None => (text, ""),
        };
        // The longest tail that begins a form; a whole form was already replaced.
        let mut best: Option<(usize, SecretKind)> = None;
        for form in &self.forms {
            for (len, _) in form.text.char_indices().skip(1) {
                if len >= MIN_INNER_LEN && body.ends_with(&form.text[..len]) && best.is_none_or(|b| len > b.0)
                {
                    best = Some((len, form.kind));
                }
            }
        }
        let (len, kind) = best?;
        Some(format!("{}{}{ellipsis}", &body[..body.len() - len], kind.label()))
    }
}

/// True when the bytes before `start` and from `end` are not letters or digits.
fn stands_alone(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).and_then(|i| bytes.get(i));
    let after = bytes.get(end);
    !before.is_some_and(u8::is_ascii_alphanumeric) && !after.is_some_and(u8::is_ascii_alphanumeric)
}

/// `"` and `\` escaped with a backslash, as an IMAP quoted string and JSON write them.
fn escape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Byte ranges of runs of base64 characters long enough to hide a secret.
fn base64_words(bytes: &[u8]) -> Vec<(usize, usize)> {
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=';
    let mut words = Vec::new();
    let mut start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        match (is_b64(b) && i < bytes.len(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 8 {
                    words.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    words
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648).
pub(crate) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The base64 characters that depend only on `secret`, for each of the three byte offsets it
/// can start at within a base64 group: whatever precedes or follows it in a longer encoded
/// text, one of these appears there.
fn base64_cores(secret: &[u8]) -> Vec<String> {
    (0..3usize)
        .filter_map(|offset| {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(secret);
            let encoded = base64(&bytes);
            // The first characters mix the preceding bytes in; the last one the following.
            let start = [0, 2, 3][offset];
            let end = bytes.len() * 8 / 6;
            (end > start).then(|| encoded[start..end].to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use mailprobe_proto::{Reply, Secret, login_steps, plain_initial_response, xoauth2_initial_response};

    use super::*;

    const PW: &str = "Canary-Pw-7f3a9c";
    const TOKEN: &str = "ya29.Canary-Token_0123456789";

    fn scrubber() -> Scrubber {
        let mut s = Scrubber::default();
        s.add_secret(PW, SecretKind::Password);
        s.add_secret(TOKEN, SecretKind::Token);
        s
    }

    /// Every rendering the issue lists, and none left behind.
    fn assert_clean(text: &str) {
        assert!(!text.contains(PW) && !text.contains(TOKEN), "{text}");
        for core in base64_cores(PW.as_bytes()).into_iter().chain(base64_cores(TOKEN.as_bytes())) {
            assert!(!text.contains(&core), "{core} in {text}");
        }
    }

    #[test]
    fn encoder_matches_the_protocol_crate() {
        for s in ["", "a", "ab", "abc", "abcd", "pässwörd\"\\", PW] {
            let [_, step] = login_steps("u", &Secret::new(s));
            assert_eq!(base64(s.as_bytes()), step.wire.expose(), "{s}");
        }
    }

    #[test]
    fn a_secret_inside_any_base64_text_leaves_a_core() {
        for before in 0..7 {
            for after in 0..4 {
                let text = format!("{}{PW}{}", "x".repeat(before), "y".repeat(after));
                let encoded = base64(text.as_bytes());
                let cores = base64_cores(PW.as_bytes());
                assert!(cores.iter().any(|c| encoded.contains(c.as_str())), "{before} {after}: {encoded}");
                assert_clean(&scrubber().scrub(&format!("535 {encoded} end"), false).unwrap());
            }
        }
    }

    /// Sendmail's echo of the whole AUTH command: the payload as sent is replaced whole.
    #[test]
    fn echoed_payload_is_replaced_whole() {
        let mut s = scrubber();
        let step = plain_initial_response("alice@example.com", &Secret::new(PW));
        s.add_payload(step.wire.expose());
        let echo = format!("5.5.1 Command unrecognized: \"AUTH PLAIN {}\"", step.wire.expose());
        let clean = s.scrub(&echo, false).unwrap();
        assert_eq!(clean, "5.5.1 Command unrecognized: \"AUTH PLAIN <redacted: AUTH data>\"");
        // decoded, NULs and all
        let clean = s.scrub(&format!("got \0alice@example.com\0{PW}"), false).unwrap();
        assert_eq!(clean, "got \0alice@example.com\0<redacted: password>");
    }

    /// An OAuth challenge repeating the token stays base64 JSON, minus the token.
    #[test]
    fn base64_json_is_decoded_scrubbed_and_encoded_again() {
        let s = scrubber();
        let doc = format!(r#"{{"status":"401","token":"{TOKEN}","schemes":"Bearer"}}"#);
        let clean = s.scrub(&base64(doc.as_bytes()), false).unwrap();
        assert_eq!(
            decode_challenge(&clean).unwrap(),
            r#"{"status":"401","token":"<redacted: token>","schemes":"Bearer"}"#
        );
        // a payload that is not UTF-8 inside still loses its core
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend_from_slice(TOKEN.as_bytes());
        assert_clean(&s.scrub(&base64(&bytes), false).unwrap());
        let x = xoauth2_initial_response("u@x", &Secret::new(TOKEN));
        assert_clean(&s.scrub(x.wire.expose(), false).unwrap());
    }

    #[test]
    fn quoted_and_url_safe_forms() {
        let mut s = Scrubber::default();
        s.add_secret(r#"p"w\d+/?>"#, SecretKind::Password);
        assert_eq!(s.scrub(r#"a1 NO LOGIN "u" "p\"w\\d+/?>" failed"#, false).unwrap(), {
            r#"a1 NO LOGIN "u" "<redacted: password>" failed"#
        });
        let url = base64(br#"xp"w\d+/?>"#).replace('+', "-").replace('/', "_");
        let clean = s.scrub(&url, false).unwrap();
        assert!(clean.contains("<redacted: password>"), "{clean}");
    }

    #[test]
    fn cut_text_loses_a_secret_it_ends_inside() {
        let s = scrubber();
        let cut = format!("500 unrecognized: {}…", &PW[..9]);
        assert_eq!(s.scrub(&cut, true).unwrap(), "500 unrecognized: <redacted: password>…");
        // not cut: an ordinary word that happens to begin a secret stays
        assert_eq!(s.scrub("Canary-P is fine", false), None);
    }

    #[test]
    fn short_secrets_match_only_whole_words() {
        let mut s = Scrubber::default();
        s.add_secret("ab1", SecretKind::Password);
        assert_eq!(s.scrub("cab1e ab1", false).unwrap(), "cab1e <redacted: password>");
        assert_eq!(s.scrub("nothing here", false), None);
    }

    #[test]
    fn events_are_scrubbed_and_the_reply_says_so() {
        let s = scrubber();
        let mut kind = EventKind::Received { reply: Reply::new(535, [format!("5.7.8 bad password {PW}")]) };
        assert!(s.scrub_event(&mut kind, false));
        let EventKind::Received { reply } = &kind else { unreachable!() };
        assert_eq!(reply.lines, ["5.7.8 bad password <redacted: password>"]);
        let mut quiet = EventKind::Note { text: "nothing secret".into() };
        assert!(!s.scrub_event(&mut quiet, false));
        assert!(!Scrubber::default().scrub_event(&mut kind, false));
    }
}
