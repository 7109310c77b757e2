//! The Exchange admin center's SMTP AUTH clients report, as a file: which accounts send through
//! Microsoft 365's SMTP AUTH endpoint, each with `advise`'s recommendation.
//!
//! The columns are the ones Microsoft documents for the report's "Messages sent using SMTP
//! Auth" section (<https://learn.microsoft.com/en-us/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report>):
//! Sender address, Domain, TLS 1.0 (percentage), TLS 1.1 (percentage), TLS 1.2 (percentage),
//! Messages sent. Microsoft does not document the export file's exact header text, so a header is
//! recognised by those names in any case and order, with or without `(percentage)` or `%`;
//! other columns are ignored.
//!
//! What the report cannot say: whether an account signed in with a password (Basic
//! authentication) or with OAuth. Every account in it uses SMTP AUTH; each one that uses a
//! password stops sending when Microsoft turns Basic authentication off. The listing says so
//! rather than guessing.

use std::fmt::Write as _;
use std::path::Path;

use mailprobe_checks::advise::recommend;
use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_report::Tool;
use mailprobe_report::advise::{Facts, Mode};
use mailprobe_report::html::{self, escape};
use mailprobe_report::safe::safe;
use serde::Serialize;

use crate::inventory::{CsvRecords, InventoryError, Position};

/// The report's page in Microsoft's documentation, where its columns are listed.
pub const DOC_URL: &str =
    "https://learn.microsoft.com/en-us/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report";

/// The columns, by what they hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Sender,
    Domain,
    Tls10,
    Tls11,
    Tls12,
    Messages,
}

/// A header's name, as Microsoft documents it: lower case, spaces collapsed, without
/// `(percentage)` or `%`.
fn column(name: &str) -> Option<Column> {
    let lower = name.trim().trim_start_matches('\u{feff}').to_lowercase();
    let lower = lower.replace("(percentage)", "").replace('%', "");
    let words: Vec<&str> = lower.split_whitespace().collect();
    Some(match words.join(" ").as_str() {
        "sender address" => Column::Sender,
        "domain" => Column::Domain,
        "tls 1.0" => Column::Tls10,
        "tls 1.1" => Column::Tls11,
        "tls 1.2" => Column::Tls12,
        "messages sent" => Column::Messages,
        _ => return None,
    })
}

/// Whether a CSV's first line is this report's header: a "Sender address" column and at least
/// one of its TLS columns.
pub fn is_smtp_auth_report(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(Ok(header)) = CsvRecords::new(text).next() else { return false };
    let columns: Vec<Option<Column>> = header.fields.iter().map(|(n, _)| column(n)).collect();
    columns.contains(&Some(Column::Sender))
        && columns.iter().any(|c| matches!(c, Some(Column::Tls10 | Column::Tls11 | Column::Tls12)))
}

/// One account of the report, with what `advise` recommends for it.
#[derive(Clone, Debug, Serialize)]
pub struct SmtpAuthSender {
    /// Sender address.
    pub address: String,
    /// Domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Share of its messages sent over TLS 1.0, 1.1 and 1.2, in percent.
    pub tls_1_0: Option<f64>,
    /// TLS 1.1.
    pub tls_1_1: Option<f64>,
    /// TLS 1.2.
    pub tls_1_2: Option<f64>,
    /// Messages sent.
    pub messages: Option<u64>,
    /// The oldest TLS version it used ("1.0", "1.1", "1.2"): what `advise` is asked with.
    pub oldest_tls: String,
    /// `advise`'s mode for a device that signs in and speaks at most `oldest_tls`.
    pub recommended: Option<Mode>,
    /// The mode in words.
    pub recommendation: String,
    /// Why, in words.
    pub why: String,
    /// Its line in the file.
    pub line: usize,
}

/// The whole listing.
#[derive(Debug, Serialize)]
pub struct SmtpAuthReport {
    /// What made it.
    pub tool: Tool,
    /// What the file is.
    pub source: &'static str,
    /// Where its columns are documented.
    pub documentation: &'static str,
    /// What the report cannot tell.
    pub note: String,
    /// Each account, most messages first.
    pub senders: Vec<SmtpAuthSender>,
}

fn percent(value: &str, at: &Position) -> Result<Option<f64>, InventoryError> {
    let v = value.trim().trim_end_matches('%').trim().replace(',', ".");
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(Some(p)),
        _ => Err(InventoryError::Bad {
            at: at.clone(),
            message: format!("{value:?} is not a percentage between 0 and 100"),
        }),
    }
}

fn count(value: &str, at: &Position) -> Result<Option<u64>, InventoryError> {
    let v: String = value.chars().filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\'')).collect();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| InventoryError::Bad {
        at: at.clone(),
        message: format!("{value:?} is not a number of messages"),
    })
}

/// Reads the report's CSV export and asks `advise` about each account: it signs in (it uses
/// SMTP AUTH) and speaks at most the oldest TLS version it used.
pub fn parse(text: &str, lang: Lang) -> Result<SmtpAuthReport, InventoryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = CsvRecords::new(text);
    let Some(header) = records.next().transpose()? else {
        return Err(InventoryError::Empty);
    };
    let columns: Vec<Option<Column>> = header.fields.iter().map(|(n, _)| column(n)).collect();
    if !columns.contains(&Some(Column::Sender)) {
        return Err(InventoryError::Bad {
            at: Position { line: header.line, column: 1, field: None },
            message: "no \"Sender address\" column: is this the SMTP AUTH clients report?".into(),
        });
    }
    let kb = KnowledgeBase::builtin();
    let mut senders = Vec::new();
    for record in records {
        let record = record?;
        let mut s = SmtpAuthSender {
            address: String::new(),
            domain: None,
            tls_1_0: None,
            tls_1_1: None,
            tls_1_2: None,
            messages: None,
            oldest_tls: String::new(),
            recommended: None,
            recommendation: String::new(),
            why: String::new(),
            line: record.line,
        };
        for (i, ((value, line), column)) in record.fields.iter().zip(&columns).enumerate() {
            let at = Position { line: *line, column: i + 1, field: None };
            match column {
                Some(Column::Sender) => s.address = value.trim().to_owned(),
                Some(Column::Domain) => s.domain = Some(value.trim().to_owned()).filter(|d| !d.is_empty()),
                Some(Column::Tls10) => s.tls_1_0 = percent(value, &at)?,
                Some(Column::Tls11) => s.tls_1_1 = percent(value, &at)?,
                Some(Column::Tls12) => s.tls_1_2 = percent(value, &at)?,
                Some(Column::Messages) => s.messages = count(value, &at)?,
                None => {}
            }
        }
        if s.address.is_empty() {
            continue;
        }
        let used = |p: Option<f64>| p.is_some_and(|p| p > 0.0);
        let (tls, tenths) = if used(s.tls_1_0) {
            ("1.0", 10)
        } else if used(s.tls_1_1) {
            ("1.1", 11)
        } else {
            ("1.2", 12)
        };
        let decision =
            recommend(Facts { tls: tenths, can_login: Some(true), external: None, static_ip: None });
        let blocker = decision.blocker.map_or_else(String::new, |b| kb.text(lang, b, &[("tls", tls)]));
        s.oldest_tls = tls.to_owned();
        s.recommended = decision.mode;
        s.recommendation = decision
            .mode
            .map_or_else(|| kb.text(lang, "advise-mode-none", &[]), |m| kb.text(lang, m.text_id(), &[]));
        s.why = kb.text(lang, decision.why, &[("blocker", &blocker), ("tls", tls)]);
        senders.push(s);
    }
    if senders.is_empty() {
        return Err(InventoryError::Empty);
    }
    senders.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.line.cmp(&b.line)));
    Ok(SmtpAuthReport {
        tool: Tool::this(),
        source: "Exchange admin center: SMTP AUTH clients report",
        documentation: DOC_URL,
        note: note(lang).to_owned(),
        senders,
    })
}

/// Reads `path` when it is the report's export, `None` when it is an inventory.
pub fn read_if_report(path: &Path, lang: Lang) -> Result<Option<SmtpAuthReport>, InventoryError> {
    let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|source| InventoryError::Io { path: path.to_owned(), source })?;
    let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(None) };
    if !is_smtp_auth_report(text) {
        return Ok(None);
    }
    parse(text, lang).map(Some)
}

fn note(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "Every account here sends through Microsoft 365's SMTP AUTH endpoint. The report does not say \
             whether it signs in with a password (Basic authentication) or with OAuth: each one that uses a \
             password stops sending when Basic authentication is turned off at the end of December 2026. \
             `mailprobe diagnose` on a device tells which it uses."
        }
        Lang::It => {
            "Ogni account qui invia tramite l'endpoint SMTP AUTH di Microsoft 365. Il report non dice se \
             accede con una password (autenticazione di base) o con OAuth: ognuno che usa una password \
             smetterà di inviare quando l'autenticazione di base verrà disattivata a fine dicembre 2026. \
             `mailprobe diagnose` su un dispositivo dice quale usa."
        }
    }
}

fn heading(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Accounts sending with SMTP AUTH (Exchange admin center report)",
        Lang::It => {
            "Account che inviano con SMTP AUTH (report dell'interfaccia di amministrazione di Exchange)"
        }
    }
}

fn headers(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::En => ["Account", "Messages", "Oldest TLS", "Recommended", "Why"],
        Lang::It => ["Account", "Messaggi", "TLS più vecchio", "Consigliato", "Perché"],
    }
}

fn shown(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// The listing as text: the note, then one paragraph per account.
pub fn text(report: &SmtpAuthReport, lang: Lang) -> String {
    let h = headers(lang);
    let mut out = format!("{}\n\n{}\n\n", heading(lang), safe(&report.note));
    for s in &report.senders {
        let _ = writeln!(
            out,
            "{}  ({} {}, {} {})\n  {}: {}\n  {}\n",
            safe(&s.address),
            shown(s.messages),
            h[1].to_lowercase(),
            h[2].to_lowercase(),
            s.oldest_tls,
            h[3],
            safe(&s.recommendation),
            safe(&s.why)
        );
    }
    out
}

/// The listing as a self-contained HTML page.
pub fn html(report: &SmtpAuthReport, lang: Lang) -> String {
    let h = headers(lang);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<div class=\"mailprobe-report smtp-auth-report\">\n<h1>{}</h1>",
        escape(heading(lang))
    );
    let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&report.note));
    let _ = writeln!(out, "<table>\n<thead><tr>");
    for name in h {
        let _ = write!(out, "<th>{}</th>", escape(name));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for s in &report.senders {
        let mode = s.recommended.map_or("none", |m| match m {
            Mode::Submission => "submission",
            Mode::LegacySubmission => "legacy-submission",
            Mode::DirectSend => "direct-send",
            Mode::Relay => "relay",
        });
        let _ = writeln!(
            out,
            "<tr data-sender=\"{}\" data-mode=\"{mode}\"><td>{}</td><td class=\"num\">{}</td><td>TLS {}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.address),
            escape(&s.address),
            shown(s.messages),
            escape(&s.oldest_tls),
            escape(&s.recommendation),
            escape(&s.why)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</div>");
    html::page(lang, heading(lang), &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_as_documented_in_any_case_and_order() {
        assert!(is_smtp_auth_report(
            "Sender address,Domain,TLS 1.0 (percentage),TLS 1.1 (percentage),TLS 1.2 (percentage),Messages sent\n"
        ));
        assert!(is_smtp_auth_report("\u{feff}\"messages sent\";\"TLS 1.2 %\";\"SENDER ADDRESS\"\n"));
        assert!(!is_smtp_auth_report("name,host,port,user,password_from\n"));
        assert!(!is_smtp_auth_report("Sender address,Recipient\n"));
    }

    #[test]
    fn oldest_tls_decides_the_advice_and_bad_values_say_where() {
        let text = "Sender address,TLS 1.0 (percentage),TLS 1.1 (percentage),TLS 1.2 (percentage),Messages sent\n\
                    scanner@contoso.com,25,0,75,\"1,200\"\n\
                    app@contoso.com,0,0,100,40\n";
        let r = parse(text, Lang::En).unwrap();
        assert_eq!(r.senders[0].address, "scanner@contoso.com");
        assert_eq!(r.senders[0].messages, Some(1200));
        assert_eq!(r.senders[0].oldest_tls, "1.0");
        assert_eq!(r.senders[0].recommended, Some(Mode::LegacySubmission));
        assert_eq!(r.senders[1].recommended, Some(Mode::Submission));
        let e = parse("Sender address,TLS 1.0\nx@contoso.com,lots\n", Lang::En).unwrap_err().to_string();
        assert!(e.contains("line 2, column 2") && e.contains("percentage"), "{e}");
    }
}
