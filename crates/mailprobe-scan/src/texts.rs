//! The scan's own words, in English and Italian: headings and counts around the knowledge
//! base's findings (whose texts come from the knowledge base itself).

use std::time::Duration;

use mailprobe_kb::{KnowledgeBase, Lang};

/// A UI text of the knowledge base (`ui-what-to-do`, `ui-audience-device`...).
pub fn kb(lang: Lang, key: &str) -> String {
    KnowledgeBase::builtin().text(lang, key, &[])
}

/// "12 targets" / "12 dispositivi o account".
pub fn targets(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 target".into(),
        (Lang::En, n) => format!("{n} targets"),
        (Lang::It, 1) => "1 dispositivo o account".into(),
        (Lang::It, n) => format!("{n} dispositivi o account"),
    }
}

/// The headline: how many targets, how many work, how many failed, how long it took.
pub fn headline(lang: Lang, total: usize, ok: usize, failed: usize, not_checked: usize, ms: u64) -> String {
    let secs = ms as f64 / 1000.0;
    match lang {
        Lang::En => format!(
            "mailprobe scan: {} checked in {secs:.1} s: {ok} work, {failed} with a problem, {not_checked} not checked",
            targets(lang, total)
        ),
        Lang::It => format!(
            "mailprobe scan: {} verificati in {secs:.1} s: {ok} funzionano, {failed} con un problema, {not_checked} non verificati",
            targets(lang, total)
        ),
    }
}

/// The heading of the grouped summary.
pub fn across(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Findings across targets",
        Lang::It => "Diagnosi per tutti i dispositivi e account",
    }
}

/// The heading of the targets that could not be checked.
pub fn not_checked_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Not checked",
        Lang::It => "Non verificati",
    }
}

/// The heading of each target's result.
pub fn each_target(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Each target",
        Lang::It => "Ogni dispositivo o account",
    }
}

/// The verdict when every target works.
pub fn all_ok(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Every target works: mail can be sent from each of them.",
        Lang::It => "Tutti funzionano: la posta si può inviare da ciascuno.",
    }
}

/// The verdict when some target does not.
pub fn some_failed(lang: Lang, failed: usize) -> String {
    match lang {
        Lang::En => format!("{} cannot send as configured, or could not be checked.", targets(lang, failed)),
        Lang::It => {
            format!("{}: impossibile inviare così come configurati, o non verificati.", targets(lang, failed))
        }
    }
}

/// The title of the HTML report.
pub fn title(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "mailprobe scan",
        Lang::It => "mailprobe scan",
    }
}

/// Why a target was stopped.
pub fn timed_out(lang: Lang, d: Duration) -> String {
    match lang {
        Lang::En => format!("the check did not finish within {} s and was stopped", d.as_secs()),
        Lang::It => format!("la verifica non è finita entro {} s ed è stata fermata", d.as_secs()),
    }
}

/// A check that failed inside mailprobe (a bug), not at the server.
pub fn crashed(lang: Lang) -> String {
    match lang {
        Lang::En => "the check stopped on an internal error of mailprobe (please report it)".into(),
        Lang::It => "la verifica si è fermata per un errore interno di mailprobe (segnalatelo)".into(),
    }
}

/// "not checked" in a target's line.
pub fn not_checked_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "not checked",
        Lang::It => "non verificato",
    }
}

/// "works" in a target's line.
pub fn works_word(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "works",
        Lang::It => "funziona",
    }
}

/// A group's texts are one target's, the others' name their own accounts or hosts.
pub fn as_for(lang: Lang, example: &str) -> String {
    match lang {
        Lang::En => format!("as for {example}; each target's own steps are in its report"),
        Lang::It => format!("come per {example}; i passi di ciascuno sono nel suo rapporto"),
    }
}

/// "… and 12 more" after the names shown.
pub fn and_more(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => format!("… and {n} more (each is listed below)"),
        Lang::It => format!("… e altri {n} (ciascuno è elencato sotto)"),
    }
}
