//! Localized texts: one Fluent bundle per language, findings and UI strings together, each
//! message parsed the first time it is used.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::catalogue::LoadError;
use crate::lang::Lang;

/// A Fluent source file: its language, a name for errors, and its text.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub lang: Lang,
    pub name: &'a str,
    pub text: &'a str,
}

type Bundle = FluentBundle<FluentResource>;

/// The texts of every language, parsed a message at a time. A run speaks one language (and
/// English, the fallback) and formats a few dozen of its ~1,000 messages, and a parsed Fluent
/// file is several times the size of its text: parsing all of English's files was 1.2 MB of a
/// 2.8 MiB `diagnose` heap (issue 20). So a language's files are first only cut into entries
/// (where each message's text is, an index into the embedded sources), and a message is parsed
/// into the language's bundle when it is first formatted. The crate's tests parse every file
/// whole, as Fluent reads it, and check that each message formats the same either way.
pub(crate) struct Texts {
    sources: Vec<Source<'static>>,
    /// One per language, in `Lang::ALL` order: each message's source text, by id.
    entries: [OnceLock<HashMap<&'static str, &'static str>>; Lang::ALL.len()],
    /// One per language: the messages parsed so far (and the terms, which any may use).
    bundles: [OnceLock<RwLock<Bundle>>; Lang::ALL.len()],
}

impl Texts {
    /// The texts of `sources`; the crate's tests parse every file of every language now, so
    /// that a Fluent error in any of them fails them.
    pub fn new(sources: &[Source<'static>]) -> Result<Self, LoadError> {
        let texts =
            Self { sources: sources.to_vec(), entries: Default::default(), bundles: Default::default() };
        if cfg!(test) {
            for lang in Lang::ALL {
                texts.parse_whole(lang)?;
            }
        }
        Ok(texts)
    }

    fn index(lang: Lang) -> usize {
        Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)
    }

    /// `lang`'s files parsed whole into one bundle, as Fluent reads them (the tests' check).
    pub(crate) fn parse_whole(&self, lang: Lang) -> Result<Bundle, LoadError> {
        let mut bundle = Self::empty_bundle(lang);
        for source in self.sources.iter().filter(|s| s.lang == lang) {
            let fluent_error =
                |errors: String| LoadError::Fluent { file: format!("{}/{}", lang, source.name), errors };
            let resource = FluentResource::try_new(source.text.to_owned()).map_err(|(_, errs)| {
                fluent_error(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            })?;
            bundle.add_resource(resource).map_err(|errs| {
                fluent_error(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            })?;
        }
        Ok(bundle)
    }

    fn empty_bundle(lang: Lang) -> Bundle {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
        // No U+2068/U+2069 around placeables: they show up as garbage in terminals and logs.
        bundle.set_use_isolating(false);
        bundle
    }

    /// Where each of `lang`'s messages is in its files.
    fn entries(&self, lang: Lang) -> &HashMap<&'static str, &'static str> {
        self.entries[Self::index(lang)].get_or_init(|| {
            let mut entries = HashMap::new();
            for source in self.sources.iter().filter(|s| s.lang == lang) {
                for (id, text) in split_entries(source.text) {
                    entries.entry(id).or_insert(text);
                }
            }
            entries
        })
    }

    /// `lang`'s bundle of the messages parsed so far; made with every term of its files.
    fn bundle(&self, lang: Lang) -> &RwLock<Bundle> {
        self.bundles[Self::index(lang)].get_or_init(|| {
            let mut bundle = Self::empty_bundle(lang);
            let terms: String = self
                .sources
                .iter()
                .filter(|s| s.lang == lang)
                .flat_map(|s| split_entries(s.text))
                .filter(|(id, _)| id.starts_with('-'))
                .map(|(_, text)| text)
                .collect();
            if !terms.is_empty()
                && let Ok(resource) = FluentResource::try_new(terms)
            {
                let _ = bundle.add_resource(resource);
            }
            RwLock::new(bundle)
        })
    }

    /// True when `lang` has message `id` with a value.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.entries(lang).get(id).is_some_and(|text| has_value(text))
    }

    /// Formats message `id` in `lang` exactly, reporting Fluent's errors (a missing variable...).
    /// A message whose text does not parse (the crate's tests rule that out for the builtin
    /// texts) is missing, so that it falls back to English.
    pub fn format_checked(
        &self,
        lang: Lang,
        id: &str,
        args: &FluentArgs<'_>,
    ) -> Option<(String, Vec<String>)> {
        let text = *self.entries(lang).get(id)?;
        let lock = self.bundle(lang);
        {
            let bundle = lock.read().unwrap_or_else(PoisonError::into_inner);
            if bundle.has_message(id) {
                return format_in(&bundle, id, args);
            }
        }
        let mut bundle = lock.write().unwrap_or_else(PoisonError::into_inner);
        if !bundle.has_message(id) {
            let resource = FluentResource::try_new(text.to_owned()).ok()?;
            bundle.add_resource(resource).ok()?;
        }
        format_in(&bundle, id, args)
    }

    /// Formats message `id` in `lang`, falling back to English, then to the id itself.
    pub fn format(&self, lang: Lang, id: &str, args: &FluentArgs<'_>) -> String {
        self.format_checked(lang, id, args)
            .or_else(|| self.format_checked(Lang::En, id, args))
            .map_or_else(|| id.to_owned(), |(text, _)| text)
    }
}

fn format_in(bundle: &Bundle, id: &str, args: &FluentArgs<'_>) -> Option<(String, Vec<String>)> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    Some((text.into_owned(), errors.iter().map(ToString::to_string).collect()))
}

/// The entries of a Fluent file: each message's or term's id (a term's with its `-`) and its
/// text, from its first line to the next line that starts an entry or a comment. In Fluent
/// only those start in the first column: a message's other lines (more text, variants, a
/// closing brace, attributes) are indented or start with `[`, `*`, `}` or `.`.
fn split_entries(text: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '-' || c == '#') {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    let entries = starts.windows(2).filter_map(|w| {
        let entry = &text[w[0]..w[1]];
        let (id, _) = entry.split_once('=')?;
        let id = id.trim_end();
        let valid = !entry.starts_with('#')
            && !id.is_empty()
            && id
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then_some((id, entry))
    });
    entries.collect()
}

/// True when a message's text has a value, not only attributes (`id =` then `.attr = ...`).
fn has_value(entry: &str) -> bool {
    let Some((_, rest)) = entry.split_once('=') else { return false };
    rest.lines().map(str::trim).find(|l| !l.is_empty()).is_some_and(|l| !l.starts_with('.'))
}

/// Fluent arguments from string pairs. A plain decimal number (`2`, `2.5`) becomes a Fluent
/// number, so plural selectors work; Fluent prints it back unchanged (no digit grouping).
/// Anything else stays a string.
pub(crate) fn args<'a>(pairs: impl IntoIterator<Item = (&'a str, Cow<'a, str>)>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for (k, v) in pairs {
        let value = if is_plain_number(&v) {
            FluentValue::try_number(v.as_ref()).into_owned()
        } else {
            FluentValue::String(v)
        };
        args.set(k, value);
    }
    args
}

fn is_plain_number(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !int.is_empty()
        && s.len() <= 15
        && digits(int)
        && digits(frac)
        && !(s.contains('.') && frac.is_empty())
        && !(int.len() > 1 && int.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use fluent_bundle::FluentMessage;
    use fluent_syntax::ast::Entry;

    use super::*;

    fn builtin() -> Texts {
        let sources: Vec<Source<'static>> =
            crate::LOCALES.iter().map(|&(lang, name, text)| Source { lang, name, text }).collect();
        Texts::new(&sources).expect("the builtin texts parse")
    }

    /// Every message of every language, parsed a message at a time, is there exactly when the
    /// whole files parsed by Fluent have it, and formats to the same text with the same errors.
    #[test]
    fn messages_parsed_one_at_a_time_read_as_the_whole_files() {
        let texts = builtin();
        for lang in Lang::ALL {
            let whole = texts.parse_whole(lang).unwrap();
            let mut ids = Vec::new();
            for source in texts.sources.iter().filter(|s| s.lang == lang) {
                let resource = FluentResource::try_new(source.text.to_owned()).unwrap();
                for entry in resource.entries() {
                    if let Entry::Message(m) = entry {
                        ids.push(m.id.name.to_owned());
                    }
                }
            }
            let lazy_ids = texts.entries(lang).keys().filter(|id| !id.starts_with('-')).count();
            assert_eq!(lazy_ids, ids.len(), "{lang}: messages found by cutting the files into entries");
            let mut args = FluentArgs::new();
            args.set("host", "mail.example.test");
            args.set("count", 2);
            for id in &ids {
                let has = whole.get_message(id).as_ref().and_then(FluentMessage::value).is_some();
                assert_eq!(texts.has(lang, id), has, "{lang} {id}");
                let expected = format_in(&whole, id, &args);
                assert_eq!(texts.format_checked(lang, id, &args), expected, "{lang} {id}");
            }
        }
    }

    #[test]
    fn entries_end_where_the_next_one_starts() {
        let text = "# comment\nfirst = one\n    two\n\n## group\nsecond =\n    { $n ->\n[one] a\n   *[other] b\n}\n-term = t\nattrs-only =\n    .a = x\n";
        let entries = split_entries(text);
        assert_eq!(
            entries,
            [
                ("first", "first = one\n    two\n\n"),
                ("second", "second =\n    { $n ->\n[one] a\n   *[other] b\n}\n"),
                ("-term", "-term = t\n"),
                ("attrs-only", "attrs-only =\n    .a = x\n"),
            ]
        );
        assert!(has_value(entries[0].1) && has_value(entries[1].1) && !has_value(entries[3].1));
    }

    #[test]
    fn plain_numbers() {
        for n in ["0", "2", "587", "2.5"] {
            assert!(is_plain_number(n), "{n}");
        }
        for s in ["", "5.7.8", "007", "1.", ".5", "NaN", "inf", "1e5", "-1", "TLSv1.1"] {
            assert!(!is_plain_number(s), "{s}");
        }
    }
}
