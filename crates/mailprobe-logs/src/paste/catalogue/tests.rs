//! Every translation of every table is recognised, and read as its English text is.

use mailprobe_kb::{KnowledgeBase, Lang};

use super::*;
// the paste reader's own test helpers: the evidence understood, one line a piece
use crate::paste::tests::{read, summary};

/// The template with each placeholder filled (a reply code, else a host name), as a program
/// would print it.
fn filled(template: &str) -> String {
    pieces(template)
        .into_iter()
        .map(|p| match p {
            Piece::Fixed(f) => f,
            Piece::Slot(key) if key == "code" => "535".to_owned(),
            Piece::Slot(_) => "smtp.example.com".to_owned(),
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn english_of(cat: &Catalogue, id: &str) -> &'static str {
    cat.english
        .iter()
        .find(|(i, _)| *i == id)
        .unwrap_or_else(|| panic!("{}: no English for {id}", cat.program))
        .1
}

/// The finding ids `mailprobe explain` gives for a paste.
fn explain(text: &str) -> Vec<String> {
    let pasted = read(text);
    let context = pasted.context(None);
    KnowledgeBase::builtin()
        .diagnose(&context, &pasted.transcripts, Lang::En)
        .into_iter()
        .map(|f| f.id)
        .collect()
}

#[test]
fn placeholders_are_split_out() {
    use Piece::Fixed;
    let f = |s: &str| Fixed(s.to_owned());
    let slot = |s: &str| Piece::Slot(s.to_owned());
    assert_eq!(pieces("Certificate error for %s"), [f("Certificate error for "), slot("1")]);
    assert_eq!(pieces("%2$s a %1$s."), [slot("2"), f(" a "), slot("1"), f(".")]);
    assert_eq!(pieces("{0} failed: {1}"), [slot("1"), f(" failed: "), slot("2")]);
    assert_eq!(pieces("Server { $host } is unknown"), [f("Server "), slot("host"), f(" is unknown")]);
    assert_eq!(pieces("SMTP Error ($code): $msg"), [f("SMTP Error ("), slot("code"), f("): "), slot("msg")]);
    assert_eq!(pieces("100% sure"), [f("100% sure")]);
}

#[test]
fn normalising_keeps_the_offsets() {
    let line = "Errore  SMTP: Impossibile connettersi all’Host";
    let (norm, at) = normalise(line);
    assert_eq!(norm, "errore smtp: impossibile connettersi all'host");
    let start = norm.find("all'host").unwrap();
    assert_eq!(&line[at[start]..at[norm.len()]], "all’Host");
}

#[test]
fn what_stood_in_the_placeholders_goes_into_the_english() {
    let found =
        find("2024-05-02 SMTP Error: I seguenti indirizzi destinatari hanno generato un errore: a@b.example")
            .unwrap();
    assert_eq!((found.program, found.language, found.id), ("phpmailer", "it", "recipients_failed"));
    assert_eq!(found.english, "SMTP Error: The following recipients failed: a@b.example");
    let (glossed, _) = gloss("SMTP Error: Impossibile autenticarsi.").unwrap();
    assert_eq!(glossed, "SMTP Error: Impossibile autenticarsi. [SMTP Error: Could not authenticate.]");
}

/// Every row of every table: long enough to be looked for, found in a line that holds it, as
/// its own message id; and no English text of any table is taken for a translation.
#[test]
fn every_translation_is_found_and_no_english_text_is() {
    for cat in CATALOGUES {
        for (lang, id, text) in cat.translations {
            english_of(cat, id);
            assert!(
                entry(0, 0, text).is_some(),
                "{} {lang} {id}: no fixed part of 6 characters: {text:?}",
                cat.program
            );
            let line = format!("Error: {}", filled(text));
            let found =
                find(&line).unwrap_or_else(|| panic!("{} {lang} {id} not found in {line:?}", cat.program));
            assert_eq!((found.program, found.id), (cat.program, *id), "{line:?} read as {found:?}");
        }
        for other in CATALOGUES {
            for (id, text) in other.english {
                let line = filled(text);
                assert_eq!(
                    find(&line),
                    None,
                    "{}'s English {id} {line:?} taken for a translation",
                    other.program
                );
            }
        }
    }
}

/// Every translation is read as its English text: the same evidence, and the same findings.
#[test]
fn every_translation_is_read_as_its_english() {
    let mut english_read = std::collections::HashMap::new();
    for cat in CATALOGUES {
        for (lang, id, text) in cat.translations {
            // A translation that shows more or less than the English (a reply code only one of
            // them has) is read for what it shows.
            let keys = |t: &str| -> Vec<String> {
                pieces(t)
                    .into_iter()
                    .filter_map(|p| if let Piece::Slot(k) = p { Some(k) } else { None })
                    .collect()
            };
            let (mut a, mut b) = (keys(english_of(cat, id)), keys(text));
            a.sort();
            b.sort();
            if a != b {
                continue;
            }
            let (english, translated) = (filled(english_of(cat, id)), filled(text));
            let want = english_read
                .entry((cat.program, *id))
                .or_insert_with(|| (summary(&read(&english)), explain(&english)))
                .clone();
            let got = (summary(&read(&translated)), explain(&translated));
            assert_eq!(got, want, "{} {lang} {id}: {translated:?} and {english:?}", cat.program);
        }
    }
}

/// What each PHPMailer message is read as, in English and so in every language.
#[test]
fn phpmailer_messages() {
    let cases = [
        ("authenticate", vec!["client_error auth phpmailer"], vec!["auth.credentials_rejected"]),
        ("connect_host", vec!["client_error connect phpmailer"], vec!["connect.failed"]),
        ("smtp_connect_failed", vec!["client_error unknown phpmailer"], vec!["connect.failed"]),
        ("data_not_accepted", vec!["client_error data phpmailer"], vec!["client.unexplained_error"]),
        ("recipients_failed", vec!["client_error rcpt_to phpmailer"], vec!["client.unexplained_error"]),
    ];
    for (id, evidence, findings) in cases {
        let english = filled(english_of(&phpmailer::PHPMAILER, id));
        assert_eq!(summary(&read(&english)), evidence, "{id}");
        assert_eq!(explain(&english), findings, "{id}");
    }
}

/// Real pastes of translated messages, each with its source: the message found, and the
/// findings the English text of the same message gets.
#[test]
fn real_pastes() {
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        // https://github.com/luolongfei/freenom/issues/123 (QQ Mail, an authorisation code needed)
        (
            "[2022-07-20 17:04:51] 邮件发送失败：SMTP 错误：登录失败。",
            "phpmailer",
            "zh_cn",
            "authenticate",
            "auth.credentials_rejected",
        ),
        // https://github.com/PHPMailer/PHPMailer/issues/1110 (pt_br, the same words as an earlier pt,
        // whose row it is)
        (
            "Erro: SMTP Connect() falhou. https://github.com/PHPMailer/PHPMailer/wiki/Troubleshooting",
            "phpmailer",
            "pt",
            "smtp_connect_failed",
            "connect.failed",
        ),
        // https://github.com/PHPMailer/PHPMailer/issues/1110 (the server's 530 follows)
        (
            "Os seguintes remententes falharam: gusbemacbe@gmail.com : MAIL FROM command failed,Authentication Required. Learn more at https://support.google.com/mail/?p=WantAuthError f15sm16086125qtf.93 - gsmtp ,530,5.5.1Erro de servidor SMTP: MAIL FROM command failed Detail: Authentication Required. Learn more at https://support.google.com/mail/?p=WantAuthError f15sm16086125qtf.93 - gsmtp SMTP code: 530 Additional SMTP info: 5.5.1",
            "phpmailer",
            "pt_br",
            "from_failed",
            "",
        ),
        // https://github.com/libertempo/web/issues/155 (PHP's mail() not set up)
        (
            "2016-04-19 09:01:29 Impossible d'instancier la fonction mail. Message was not sent \nMailer Error: Impossible d'instancier la fonction mail.",
            "phpmailer",
            "fr",
            "instantiate",
            "",
        ),
        // https://github.com/Blount/Cheky/issues/9
        ("WARN Échec de la connexion SMTP", "phpmailer", "fr", "smtp_connect_failed", "connect.failed"),
        // https://github.com/roundcube/roundcubemail/issues/7089 (Roundcube 1.4 without tls://:
        // the server offered no AUTH before STARTTLS)
        (
            "SMTP Fehler (250): Die Authentisierung ist fehlgeschlagen",
            "roundcube",
            "de_DE",
            "smtpautherror",
            "",
        ),
    ];
    for &(paste, program, language, id, finding) in cases {
        let line = paste.lines().find_map(find).unwrap_or_else(|| panic!("nothing found in {paste:?}"));
        assert_eq!((line.program, line.language, line.id), (program, language, id), "{paste:?}");
        // The same paste with the English text of the message in place of the translation.
        let english: String = paste
            .lines()
            .map(|l| find(l).map_or_else(|| l.to_owned(), |f| f.english))
            .collect::<Vec<_>>()
            .join("\n");
        let got = explain(paste);
        assert_eq!(got, explain(&english), "{paste:?} and {english:?}");
        if !finding.is_empty() {
            assert_eq!(got.first().map(String::as_str), Some(finding), "{paste:?}: {got:?}");
        }
    }
}
