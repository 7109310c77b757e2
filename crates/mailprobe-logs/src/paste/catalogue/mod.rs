//! Mail programs' own message catalogues, in every language they ship: a line that holds one of
//! their translated messages is read as the program's English message would be.
//!
//! Each program has one table (a file of this module), taken from its translation files and
//! citing them: the English text of each message id, and every translation of it (language,
//! message id, text). A line that holds a translation gets the English text of the same message
//! id as a gloss (`Errore SMTP: Impossibile autenticarsi. [SMTP Error: Could not authenticate.]`),
//! and the readers then see both: whatever the English text is recognised as (an event, a client
//! program's error, a knowledge-base phrase), the translation is recognised as too, so the
//! knowledge base gives the same finding for both. English texts are not matched here: the
//! readers know them already.
//!
//! Placeholders (`%s`, `%1$s`, `{0}`, `$name`) are matched by their fixed parts: every part in
//! order, the longest one looked for in all tables at once (one [`Phrases`] pass a line), the
//! others checked only when it is there. What stood in a placeholder is put in the English
//! text's placeholder of the same number; what follows the message (PHPMailer appends the
//! addresses or the server's words) follows the gloss.

mod phpmailer;
mod roundcube;

use std::sync::LazyLock;

use regex::Regex;

use super::phrases::Phrases;

/// One program's catalogue.
pub(crate) struct Catalogue {
    /// The program, as the paste reader names it (`phpmailer`).
    pub program: &'static str,
    /// The program's own text of each message id it is read for (its source language).
    pub english: &'static [(&'static str, &'static str)],
    /// Every translation: language, message id, text as the catalogue has it.
    pub translations: &'static [(&'static str, &'static str, &'static str)],
}

/// Every table.
pub(crate) static CATALOGUES: &[&Catalogue] = &[&phpmailer::PHPMAILER, &roundcube::ROUNDCUBE];

/// A piece of a message template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Fixed(String),
    /// A placeholder and what names it: its number (`%2$s` is `2`, `{0}` is `1`, unnumbered ones
    /// count up from 1) or its name (`$code`, `{ $host }`).
    Slot(String),
}

/// Placeholders of printf (`%s`, `%1$s`, `%d`, `%@`), .NET and ICU (`{0}`, `{name}`), Fluent
/// (`{ $host }`) and PHP (`$name`).
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"%(?:(\d+)\$)?[-+0#]*\d*(?:\.\d+)?[sdiufxXc@]|\{\s*\$?(\w*)\s*\}|\$([A-Za-z_]\w*)")
        .expect("valid pattern")
});

fn pieces(template: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let (mut at, mut next) = (0, 1);
    for c in PLACEHOLDER.captures_iter(template) {
        let m = c.get(0).expect("whole match");
        if m.start() > at {
            out.push(Piece::Fixed(template[at..m.start()].to_owned()));
        }
        let named = c.get(3).or_else(|| c.get(2).filter(|n| n.as_str().parse::<usize>().is_err()));
        let key = match (named, c.get(1), c.get(2)) {
            (Some(name), _, _) if !name.as_str().is_empty() => name.as_str().to_owned(),
            // `{0}` counts from 0, `%1$s` from 1.
            (_, _, Some(n)) if !n.as_str().is_empty() => {
                (n.as_str().parse::<usize>().unwrap_or(0) + 1).to_string()
            }
            (_, Some(n), _) => n.as_str().to_owned(),
            _ => next.to_string(),
        };
        if let Ok(n) = key.parse::<usize>() {
            next = n + 1;
        }
        out.push(Piece::Slot(key));
        at = m.end();
    }
    if at < template.len() {
        out.push(Piece::Fixed(template[at..].to_owned()));
    }
    out
}

/// Lower case, typographic apostrophes as `'`, white space runs as one space, none before a
/// colon; with the byte offset in `text` of each byte of the result (and one past the end).
fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut at = Vec::with_capacity(text.len() + 1);
    let mut space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                at.push(i);
            }
            space = true;
            continue;
        }
        // French typography's space before a colon, which pastes often lose.
        if c == ':' && space && out.ends_with(' ') {
            out.pop();
            at.pop();
        }
        space = false;
        let c = if matches!(c, '’' | '‘' | 'ʼ') { '\'' } else { c };
        for l in c.to_lowercase() {
            let before = out.len();
            out.push(l);
            at.extend(std::iter::repeat_n(i, out.len() - before));
        }
    }
    at.push(text.len());
    (out, at)
}

/// A translation ready to match.
struct Entry {
    catalogue: usize,
    row: usize,
    /// Its fixed parts, normalised and trimmed, in order, each with the slots between it and the
    /// next part.
    parts: Vec<(String, Vec<String>)>,
    /// Slots before the first part.
    lead: Vec<String>,
    /// Total length of the fixed parts: the longest match wins.
    weight: usize,
}

struct Index {
    entries: Vec<Entry>,
    anchors: Phrases,
}

/// The shortest fixed part a translation is looked for by, in characters: shorter ones would
/// be found in too many lines.
const MIN_ANCHOR_CHARS: usize = 6;

fn entry(catalogue: usize, row: usize, text: &str) -> Option<Entry> {
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    let mut lead = Vec::new();
    for p in pieces(text) {
        match p {
            Piece::Fixed(f) => {
                let n = normalise(&f).0.trim().to_owned();
                if !n.is_empty() {
                    parts.push((n, Vec::new()));
                }
            }
            Piece::Slot(n) => match parts.last_mut() {
                Some((_, slots)) => slots.push(n),
                None => lead.push(n),
            },
        }
    }
    // A message's closing full stop or colon is often lost in a paste (or glued to what follows).
    if let Some((last, slots)) = parts.last_mut()
        && slots.is_empty()
    {
        let kept = last.trim_end_matches(['.', ':', '。', '：', ' ']).len();
        last.truncate(kept);
        if last.is_empty() {
            parts.pop();
        }
    }
    let anchor = parts.iter().map(|(p, _)| p.chars().count()).max()?;
    (anchor >= MIN_ANCHOR_CHARS).then(|| {
        let weight = parts.iter().map(|(p, _)| p.len()).sum();
        Entry { catalogue, row, parts, lead, weight }
    })
}

fn anchor(e: &Entry) -> &str {
    e.parts.iter().map(|(p, _)| p.as_str()).max_by_key(|p| p.chars().count()).unwrap_or_default()
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let entries: Vec<Entry> = CATALOGUES
        .iter()
        .enumerate()
        .flat_map(|(c, cat)| {
            cat.translations.iter().enumerate().filter_map(move |(r, (_, _, text))| entry(c, r, text))
        })
        .collect();
    let anchors = Phrases::new(entries.iter().map(|e| [anchor(e)]));
    Index { entries, anchors }
});

/// A translated message found on a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub program: &'static str,
    pub language: &'static str,
    pub id: &'static str,
    /// The English text of the same message id, with what stood in the placeholders and what
    /// followed the message.
    pub english: String,
}

/// The translated message on the line, if any (the one with most fixed text when several fit).
pub(crate) fn find(line: &str) -> Option<Found> {
    let index = &*INDEX;
    let (norm, at) = normalise(line);
    let mut best: Option<(&Entry, Vec<(usize, usize)>)> = None;
    for i in index.anchors.all(&norm) {
        let e = &index.entries[i];
        if best.as_ref().is_some_and(|(b, _)| b.weight >= e.weight) {
            continue;
        }
        let mut spans = Vec::with_capacity(e.parts.len());
        let mut from = 0;
        for (part, _) in &e.parts {
            let Some(start) = norm[from..].find(part.as_str()).map(|s| s + from) else { break };
            from = start + part.len();
            spans.push((start, from));
        }
        if spans.len() == e.parts.len() {
            best = Some((e, spans));
        }
    }
    let (e, spans) = best?;
    let cat = CATALOGUES[e.catalogue];
    let (language, id, _) = cat.translations[e.row];
    let original = |a: usize, b: usize| line[at[a]..at[b]].trim();
    // What stood in each slot: the text between two parts goes to the first slot between them.
    let mut values: Vec<(&str, &str)> = Vec::new();
    if let (Some(n), Some(&(first, _))) = (e.lead.first(), spans.first()) {
        values.push((n, original(0, first)));
    }
    let mut rest = "";
    for (k, ((_, slots), &(_, end))) in e.parts.iter().zip(&spans).enumerate() {
        let next = spans.get(k + 1).map_or(norm.len(), |s| s.0);
        match slots.first() {
            Some(n) => values.push((n, original(end, next))),
            None if k + 1 == spans.len() => {
                rest = original(end, next).trim_start_matches(['.', ':', '。', '：', ' ']);
            }
            None => {}
        }
    }
    let template = cat.english.iter().find(|(i, _)| *i == id).map_or("", |(_, t)| t);
    let mut english = String::new();
    for p in pieces(template) {
        match p {
            Piece::Fixed(f) => english.push_str(&f),
            Piece::Slot(n) => {
                english.push_str(values.iter().find(|(m, _)| *m == n).map_or("", |(_, v)| v));
            }
        }
    }
    let english = english.trim_end();
    let english = if rest.is_empty() {
        english.to_owned()
    } else if english.ends_with([':', '.']) || english.is_empty() {
        format!("{english} {rest}")
    } else {
        format!("{english}: {rest}")
    };
    Some(Found { program: cat.program, language, id, english: english.trim().to_owned() })
}

/// The line with the English text of the translated message on it appended in brackets, if it
/// holds one.
pub(crate) fn gloss(line: &str) -> Option<(String, Found)> {
    let found = find(line)?;
    Some((format!("{} [{}]", line.trim_end(), found.english), found))
}

#[cfg(test)]
mod tests;
