//! `mailprobe explain`, tested from a table: `explain_cases.tsv` holds what people paste (server
//! replies in the providers' documented wording, library and tool error formats, log lines,
//! dialogues) and the finding that must come first. The rows run through the library directly
//! (`mailprobe_logs::paste` and the knowledge base), the way the binary does, and every failing
//! row is reported at once. A few runs of the real binary check text, JSON, stdin and Italian.

use std::path::Path;
use std::process::Output;

use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_logs::paste::{self, Options};
use serde_json::Value;

mod support;

struct Row {
    line: usize,
    provider: Option<String>,
    evidence: String,
    expected: String,
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn rows() -> Vec<Row> {
    let file = "explain_cases.tsv";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(file);
    let text = std::fs::read_to_string(&path).expect(file);
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "{file}:{}: expected 3 tab-separated columns", i + 1);
        rows.push(Row {
            line: i + 1,
            provider: Some(cols[0].trim()).filter(|p| *p != "auto").map(str::to_owned),
            evidence: unescape(cols[1]),
            expected: cols[2].trim().to_owned(),
        });
    }
    rows
}

/// The first finding for a row, as `mailprobe explain` would show it, with what was understood.
fn explain(row: &Row) -> (String, Vec<String>, String) {
    let pasted = paste::parse(row.evidence.as_bytes(), &Options::default());
    let context = pasted.context(row.provider.as_deref());
    let findings = KnowledgeBase::builtin().diagnose(&context, &pasted.transcripts, Lang::En);
    let ids: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    let understood = pasted
        .understood
        .iter()
        .map(|u| {
            let code = u.code.map(|c| c.to_string()).unwrap_or_default();
            let enhanced = u.enhanced.map(|e| e.to_string()).unwrap_or_default();
            format!(
                "{:?} {code} {enhanced} {} at {} ({})",
                u.kind,
                u.class.as_deref().unwrap_or(""),
                u.stage,
                u.program.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let first = ids.first().cloned().unwrap_or_else(|| "(none)".to_owned());
    (first, ids, format!("{understood} | provider {:?}", context.provider))
}

#[test]
fn every_row_explains_as_expected() {
    let rows = rows();
    assert!(rows.len() >= 150, "the table has {} rows; it should have at least 150", rows.len());
    check(&rows);
}

fn check(rows: &[Row]) {
    let mut failures = Vec::new();
    for row in rows {
        let (first, ids, understood) = explain(row);
        if first != row.expected {
            let evidence: String = row.evidence.chars().take(140).collect();
            failures.push(format!(
                "  line {}: [{}] {evidence:?}\n      expected {}, got {first} (all: {}); understood: {understood}",
                row.line,
                row.provider.as_deref().unwrap_or("auto"),
                row.expected,
                ids.join(", "),
            ));
        }
    }
    eprintln!("explain table: {} of {} rows pass", rows.len() - failures.len(), rows.len());
    assert!(failures.is_empty(), "{} of {} rows fail:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
fn every_code_of_the_field_guides_is_in_the_table() {
    let rows = rows();
    for code in [
        "535",
        "334",
        "Expected: 235, actual: 334",
        "4af4",
        "5.7.3",
        "5.7.57",
        "5.7.60",
        "5.1.8",
        "5.7.139",
        "5.7.64",
        "4.4.62",
    ] {
        assert!(rows.iter().any(|r| r.evidence.contains(code)), "no row for {code}");
    }
    // 5.7.139 in every variant the Microsoft 365 guide names.
    for variant in [
        "disabled for the Tenant",
        "disabled for the Mailbox",
        "security defaults",
        "did not meet the criteria",
        "federated STS service is unreachable",
        "federated STS URL does not support HTTPS",
    ] {
        assert!(
            rows.iter().any(|r| r.evidence.contains("5.7.139") && r.evidence.contains(variant)),
            "no 5.7.139 row for {variant:?}"
        );
    }
}

#[test]
fn every_row_renders_in_italian_without_panicking() {
    for row in rows() {
        let pasted = paste::parse(row.evidence.as_bytes(), &Options::default());
        let context = pasted.context(row.provider.as_deref());
        for f in KnowledgeBase::builtin().diagnose(&context, &pasted.transcripts, Lang::It) {
            assert!(!f.title.is_empty(), "line {}: {} has no Italian title", row.line, f.id);
        }
    }
}

// ─── the real binary ─────────────────────────────────────────────────────────────────────

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    support::cli::mailprobe(&[&["explain"], args].concat(), stdin, &[])
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn binary_text_report_says_what_it_understood_then_the_findings() {
    let out = run(
        &[
            "smtplib.SMTPAuthenticationError:",
            "(535,",
            "b'5.7.8",
            "Username",
            "and",
            "Password",
            "not",
            "accepted.",
            "-",
            "gsmtp')",
        ],
        None,
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("understood: reply 535 5.7.8 at auth (from python-smtplib)\n"), "{text}");
    assert!(text.contains("understood: provider gmail (from \"gsmtp\")"), "{text}");
    assert!(text.contains("[auth.credentials_rejected]"), "{text}");
    let findings_at = text.find("Findings").expect("a findings section");
    assert!(text.find("understood:").unwrap() < findings_at);
}

#[test]
fn binary_json_from_stdin() {
    let paste = "Error: Invalid login: 535-5.7.8 Username and Password not accepted. For more information, go to\n\
                 535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp\n  code: 'EAUTH',\n  command: 'AUTH PLAIN'\n";
    let out = run(&["--format", "json", "-"], Some(paste.as_bytes()));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["tool"]["name"], "mailprobe");
    assert_eq!(doc["ok"], false);
    let evidence = &doc["input"]["evidence"][0];
    assert_eq!((evidence["kind"].as_str(), evidence["code"].as_u64()), (Some("reply"), Some(535)));
    assert_eq!(
        (evidence["stage"].as_str(), evidence["program"].as_str()),
        (Some("auth"), Some("nodemailer"))
    );
    assert_eq!(doc["input"]["provider"], "gmail");
    // Gmail's BadCredentials: an app password ranked first, the refused login second.
    assert_eq!(doc["findings"][0]["id"], "ambiguous");
    assert_eq!(doc["findings"][1]["id"], "auth.app_password_required");
    for key in ["id", "severity", "stage", "title", "evidence", "causes", "fixes"] {
        assert!(doc["findings"][0].get(key).is_some(), "findings[0] has no {key}");
    }
}

#[test]
fn binary_italian_with_provider_and_stage() {
    let out = run(&["--lang", "it", "--provider", "m365", "--stage", "mail_from", "5.7.60"], None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("capito: risposta 550 5.7.60 (codice di risposta dedotto) in fase mail_from"),
        "{text}"
    );
    assert!(text.contains("Diagnosi"), "{text}");
    assert!(text.contains("[sender.send_as_denied]"), "{text}");
    assert!(!text.contains("Findings"), "{text}");
}

#[test]
fn binary_nothing_recognised_and_bad_input() {
    let out = run(&["my", "email", "is", "broken"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("Nothing in this text was recognised"), "{text}");
    assert!(text.contains("Paste the server's reply"), "{text}");

    let out = run(&["--format", "json", "my", "email", "is", "broken"], None);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["findings"], Value::Array(Vec::new()));
    assert_eq!(doc["input"]["recognised"], false);
    assert!(doc["input"]["suggestion"].is_string());

    // Empty input, a bad stage, an unknown provider: bad usage (2), JSON still one document.
    let out = run(&["-"], Some(b"  \n\n"));
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--format", "json", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON error document");
    assert_eq!(doc["findings"], Value::Array(Vec::new()));
    assert_eq!(run(&["--stage", "login", "535"], None).status.code(), Some(2));
    assert_eq!(run(&["--provider", "no-such-provider", "535"], None).status.code(), Some(2));
}

#[test]
fn binary_success_and_secrets() {
    let out = run(&["250", "2.0.0", "OK"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Nothing in this evidence failed."));
    // A pasted dialogue with credentials: the password never comes back out.
    let dialogue = "C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAGh1bnRlcjI=\nS: 535 5.7.8 Error: authentication failed\n\
                    C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\nC: aHVudGVyMg==\nS: 535 5.7.8 no\n\
                    password=hunter2 in a config line\n";
    for format in ["text", "json"] {
        let out = run(&["--format", format, "-"], Some(dialogue.as_bytes()));
        let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(
            !all.contains("hunter2") && !all.contains("aHVudGVyMg") && !all.contains("AGFsaWNl"),
            "{all}"
        );
    }
}
