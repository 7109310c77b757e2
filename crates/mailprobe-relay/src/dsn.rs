//! Delivery status notifications (RFC 3464 inside an RFC 6522 `multipart/report`): the bounce
//! the envelope sender gets when the upstream refuses a message for good (5xx) or the message
//! stays undelivered past its lifetime. It explains in the relay's language, with the
//! knowledge base's finding, and carries the machine-readable status per recipient and the
//! original message's headers. A bounce never gets a bounce (empty sender).

use mailprobe_kb::Lang;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

use crate::diagnosis::Diagnosis;
use crate::spool::QueuedMessage;
use crate::upstream::Failure;

/// The most of the original headers copied into the report.
const MAX_HEADERS: usize = 64 * 1024;
/// How much of the original message a DSN needs read: its header block is cut at
/// [`MAX_HEADERS`], and a few bytes more show whether the block ends right there.
pub(crate) const QUOTED_HEAD: usize = MAX_HEADERS + 4;

/// A recipient the message could not be delivered to, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRecipient {
    /// The address.
    pub address: String,
    /// The upstream's refusal, or the last temporary failure for an expired message.
    pub failure: Failure,
}

/// Why the message is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The upstream refused these recipients for good.
    Refused,
    /// The message stayed undelivered past its lifetime (seconds).
    Expired {
        /// The configured lifetime.
        lifetime_secs: u64,
    },
}

/// Everything a report says.
#[derive(Debug)]
pub struct Report<'a> {
    /// The relay's host name (`Reporting-MTA`).
    pub reporting_mta: &'a str,
    /// The address the report comes from (its `From:`): the upstream mailbox the relay signs
    /// in as, since a provider refuses other senders (Microsoft 365's Send As check).
    pub from_address: &'a str,
    /// The upstream host (`Remote-MTA`).
    pub remote_mta: &'a str,
    /// The returned message.
    pub message: &'a QueuedMessage,
    /// Its bytes (only the headers are copied).
    pub original: &'a [u8],
    /// The recipients it failed for.
    pub recipients: &'a [FailedRecipient],
    /// Refused or expired.
    pub why: Why,
    /// The knowledge base's explanation, when it has one.
    pub diagnosis: Option<&'a Diagnosis>,
    /// The language of the explanation.
    pub lang: Lang,
    /// The report's date.
    pub now: OffsetDateTime,
}

/// True when a message from `sender` may be returned: never for a bounce (empty sender, RFC
/// 5321 section 4.5.5), which would make loops.
pub fn may_bounce(sender: &str) -> bool {
    let s = sender.trim().trim_start_matches('<').trim_end_matches('>');
    !s.is_empty() && !s.eq_ignore_ascii_case("MAILER-DAEMON")
}

struct Texts {
    subject: &'static str,
    refused: &'static str,
    expired: &'static str,
    why: &'static str,
    what_to_do: &'static str,
    recipients: &'static str,
    headers: &'static str,
}

fn texts(lang: Lang) -> Texts {
    match lang {
        Lang::En => Texts {
            subject: "Undelivered Mail Returned to Sender",
            refused: "This is the mailprobe relay at {relay}. Your message could not be delivered to the \
                      recipients below: the server {remote} refused it for good. Nothing more will be tried.",
            expired: "This is the mailprobe relay at {relay}. Your message could not be delivered to the \
                      recipients below within {lifetime}, although the relay kept trying since {arrived}. \
                      It has given up.",
            why: "Why (mailprobe's diagnosis)",
            what_to_do: "What to do",
            recipients: "Recipients",
            headers: "The headers of your message are attached.",
        },
        Lang::It => Texts {
            subject: "Messaggio non recapitato",
            refused: "Questo è il relay mailprobe su {relay}. Non è stato possibile recapitare il tuo \
                      messaggio ai destinatari qui sotto: il server {remote} lo ha rifiutato in modo \
                      definitivo. Non verranno fatti altri tentativi.",
            expired: "Questo è il relay mailprobe su {relay}. Non è stato possibile recapitare il tuo \
                      messaggio ai destinatari qui sotto entro {lifetime}, benché il relay abbia riprovato \
                      dal {arrived}. Il relay ha rinunciato.",
            why: "Perché (diagnosi di mailprobe)",
            what_to_do: "Cosa fare",
            recipients: "Destinatari",
            headers: "In allegato le intestazioni del tuo messaggio.",
        },
    }
}

/// A duration in days, hours, minutes or seconds, whichever reads best.
fn duration_words(secs: u64, lang: Lang) -> String {
    let (n, unit) = match secs {
        s if s >= 86_400 && s % 86_400 == 0 => (s / 86_400, ("days", "giorni")),
        s if s >= 3600 && s % 3600 == 0 => (s / 3600, ("hours", "ore")),
        s if s >= 60 && s % 60 == 0 => (s / 60, ("minutes", "minuti")),
        s => (s, ("seconds", "secondi")),
    };
    match lang {
        Lang::En => format!("{n} {}", unit.0),
        Lang::It => format!("{n} {}", unit.1),
    }
}

fn date(t: OffsetDateTime) -> String {
    t.format(&Rfc2822).unwrap_or_default()
}

/// A DSN field value: ASCII only, no line breaks (RFC 3464 fields are ASCII).
fn field(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' }).collect()
}

/// Quoted-printable (RFC 2045), so the explanation's accented letters pass any server.
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut len = 0;
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let piece =
                if (b == b' ' || b == b'\t') && last || b == b'=' || !(32..127).contains(&b) && b != b'\t' {
                    format!("={b:02X}")
                } else {
                    (b as char).to_string()
                };
            if len + piece.len() > 75 {
                out.push_str("=\r\n");
                len = 0;
            }
            len += piece.len();
            out.push_str(&piece);
        }
        out.push_str("\r\n");
    }
    out
}

/// Wraps text at about 72 columns.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        if len > 0 && len + 1 + word.chars().count() > 72 {
            out.push('\n');
            len = 0;
        } else if len > 0 {
            out.push(' ');
            len += 1;
        }
        out.push_str(word);
        len += word.chars().count();
    }
    out
}

/// The original message's header block (up to the first empty line), cut at a line end if long.
fn header_block(original: &[u8]) -> Vec<u8> {
    let end = original
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .or_else(|| original.windows(2).position(|w| w == b"\n\n").map(|p| p + 1))
        .unwrap_or(original.len());
    let mut headers = &original[..end];
    if headers.len() > MAX_HEADERS {
        let cut = headers[..MAX_HEADERS].iter().rposition(|&b| b == b'\n').map_or(MAX_HEADERS, |p| p + 1);
        headers = &headers[..cut];
    }
    // CRLF line ends throughout: DATA sends it as it is.
    let mut out = Vec::with_capacity(headers.len() + 16);
    let mut prev = 0u8;
    for &b in headers {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    if !out.ends_with(b"\r\n") && !out.is_empty() {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The report as a complete message (headers and body, CRLF line ends), ready to queue.
pub fn build(r: &Report<'_>) -> Vec<u8> {
    let t = texts(r.lang);
    let arrived = OffsetDateTime::from_unix_timestamp(i64::try_from(r.message.arrived).unwrap_or(0))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let boundary = format!("=_mailprobe-relay_{}_{}", r.message.id, r.now.unix_timestamp());
    let intro = match r.why {
        Why::Refused => t.refused.replace("{relay}", r.reporting_mta).replace("{remote}", r.remote_mta),
        Why::Expired { lifetime_secs } => t
            .expired
            .replace("{relay}", r.reporting_mta)
            .replace("{lifetime}", &duration_words(lifetime_secs, r.lang))
            .replace("{arrived}", &date(arrived)),
    };
    let mut text = wrap(&intro);
    text.push_str("\n\n");
    if let Some(d) = r.diagnosis {
        text.push_str(&format!("{}: {}\n", t.why, d.id));
        text.push_str(&wrap(&d.summary));
        text.push('\n');
        if let Some(fix) = &d.fix {
            text.push_str(&format!("\n{}:\n", t.what_to_do));
            text.push_str(&wrap(fix));
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(&format!("{}:\n", t.recipients));
    for rcpt in r.recipients {
        text.push_str(&format!("  <{}>: {}\n", rcpt.address, rcpt.failure.detail));
    }
    text.push('\n');
    text.push_str(t.headers);
    text.push('\n');

    let mut out = String::new();
    let mut h = |name: &str, value: &str| out.push_str(&format!("{name}: {value}\r\n"));
    h("From", &format!("Mail Delivery System <{}>", field(r.from_address)));
    h("To", &format!("<{}>", field(&r.message.envelope.from)));
    h("Subject", t.subject);
    h("Date", &date(r.now));
    h("Message-ID", &format!("<{}.{}.dsn@{}>", r.message.id, r.now.unix_timestamp(), field(r.reporting_mta)));
    h("Auto-Submitted", "auto-replied");
    h("MIME-Version", "1.0");
    h(
        "Content-Type",
        &format!("multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\""),
    );
    out.push_str("\r\nThis is a MIME-encapsulated delivery status notification.\r\n\r\n");
    out.push_str(&format!("--{boundary}\r\n"));
    out.push_str(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
    );
    out.push_str(&quoted_printable(&text));
    out.push_str(&format!("\r\n--{boundary}\r\n"));
    out.push_str("Content-Type: message/delivery-status\r\n\r\n");
    out.push_str(&format!("Reporting-MTA: dns; {}\r\n", field(r.reporting_mta)));
    out.push_str(&format!("X-Mailprobe-Queue-ID: {}\r\n", r.message.id));
    out.push_str(&format!("Arrival-Date: {}\r\n", date(arrived)));
    for rcpt in r.recipients {
        out.push_str("\r\n");
        out.push_str(&format!("Final-Recipient: rfc822; {}\r\n", field(&rcpt.address)));
        out.push_str("Action: failed\r\n");
        out.push_str(&format!("Status: {}\r\n", field(&rcpt.failure.status)));
        if rcpt.failure.from_server {
            out.push_str(&format!("Remote-MTA: dns; {}\r\n", field(r.remote_mta)));
            out.push_str(&format!("Diagnostic-Code: smtp; {}\r\n", field(&rcpt.failure.detail)));
        } else {
            out.push_str(&format!("Diagnostic-Code: X-mailprobe; {}\r\n", field(&rcpt.failure.detail)));
        }
        out.push_str(&format!("Last-Attempt-Date: {}\r\n", date(r.now)));
        if let Some(d) = r.diagnosis {
            out.push_str(&format!("X-Mailprobe-Finding: {}\r\n", field(&d.id)));
        }
    }
    out.push_str(&format!("\r\n--{boundary}\r\n"));
    out.push_str("Content-Type: text/rfc822-headers\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&header_block(r.original));
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::{Envelope, QueueId};

    fn message() -> QueuedMessage {
        QueuedMessage {
            id: QueueId::parse("0005F1A2B3C4D5000123000001").unwrap(),
            envelope: Envelope {
                from: "scanner@contoso.example".into(),
                to: vec!["a@example.net".into(), "b@example.net".into()],
                device: "hp".into(),
            },
            arrived: 1_700_000_000,
            size: 10,
        }
    }

    #[test]
    fn a_report_has_the_three_parts_and_names_the_finding() {
        let m = message();
        let failure = Failure {
            status: "5.7.60".into(),
            detail: "550 5.7.60 SMTP; Client does not have permissions to send as this sender".into(),
            from_server: true,
        };
        let recipients = vec![FailedRecipient { address: "a@example.net".into(), failure }];
        let diagnosis = Diagnosis {
            id: "sender.send_as_denied".into(),
            summary: "The mailbox may not send as this address.".into(),
            fix: Some("Give the mailbox Send As permission.".into()),
        };
        let original = b"Subject: scan\nFrom: scanner@contoso.example\n\nbody that is not copied\n";
        let report = Report {
            reporting_mta: "relay.office.lan",
            from_address: "printer@contoso.example",
            remote_mta: "smtp.office365.com",
            message: &m,
            original,
            recipients: &recipients,
            why: Why::Refused,
            diagnosis: Some(&diagnosis),
            lang: Lang::It,
            now: OffsetDateTime::from_unix_timestamp(1_700_000_100).unwrap(),
        };
        let bytes = build(&report);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("Content-Type: multipart/report; report-type=delivery-status;"), "{text}");
        assert!(
            text.contains(
                "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.office.lan"
            )
        );
        assert!(
            text.contains("Final-Recipient: rfc822; a@example.net\r\nAction: failed\r\nStatus: 5.7.60\r\n")
        );
        assert!(text.contains("Diagnostic-Code: smtp; 550 5.7.60 SMTP; Client does not"));
        assert!(text.contains("X-Mailprobe-Finding: sender.send_as_denied"));
        assert!(text.contains(
            "Content-Type: text/rfc822-headers\r\n\r\nSubject: scan\r\nFrom: scanner@contoso.example\r\n"
        ));
        assert!(!text.contains("body that is not copied"));
        assert!(!text.contains("b@example.net"), "only failed recipients are reported");
        // Italian, quoted-printable: "è" is =C3=A8
        assert!(text.contains("Questo =C3=A8 il relay mailprobe"), "{text}");
        assert!(text.contains("Perch=C3=A9 (diagnosi di mailprobe): sender.send_as_denied"), "{text}");
        assert!(text.lines().all(|l| l.len() <= 998));
        assert!(bytes.iter().all(u8::is_ascii), "7-bit only");
    }

    #[test]
    fn bounces_never_bounce() {
        assert!(!may_bounce(""));
        assert!(!may_bounce("<>"));
        assert!(!may_bounce("MAILER-DAEMON"));
        assert!(may_bounce("printer@contoso.example"));
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_escapes() {
        let qp = quoted_printable(&format!("{} = è end ", "x".repeat(100)));
        assert!(qp.lines().all(|l| l.len() <= 76), "{qp}");
        assert!(qp.contains("=3D") && qp.contains("=C3=A8") && qp.contains("end=20"), "{qp}");
    }
}
