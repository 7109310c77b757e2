//! Localized texts: one Fluent bundle per language, findings and UI strings together.

use std::borrow::Cow;
use std::sync::OnceLock;

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

/// The texts of every language, each language's bundle parsed the first time it is used: a run
/// speaks one language (and English, the fallback), and a parsed bundle is several times the
/// size of its text.
pub(crate) struct Texts {
    sources: Vec<Source<'static>>,
    /// One per language, in `Lang::ALL` order.
    bundles: [OnceLock<Bundle>; Lang::ALL.len()],
}

impl Texts {
    /// The texts of `sources`; English is parsed at once (and in the crate's tests every language,
    /// so that a Fluent error in any file fails them), the others when first used.
    pub fn new(sources: &[Source<'static>]) -> Result<Self, LoadError> {
        let texts = Self { sources: sources.to_vec(), bundles: Default::default() };
        let eager: &[Lang] = if cfg!(test) { &Lang::ALL } else { &[Lang::En] };
        for &lang in eager {
            let bundle = texts.parse(lang)?;
            let _ = texts.bundles[Self::index(lang)].set(bundle);
        }
        Ok(texts)
    }

    fn index(lang: Lang) -> usize {
        Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)
    }

    fn parse(&self, lang: Lang) -> Result<Bundle, LoadError> {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
        // No U+2068/U+2069 around placeables: they show up as garbage in terminals and logs.
        bundle.set_use_isolating(false);
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

    /// `lang`'s bundle. A language whose files do not parse (the crate's tests rule that out for
    /// the builtin texts) gets an empty bundle: its texts fall back to English.
    fn bundle(&self, lang: Lang) -> &Bundle {
        self.bundles[Self::index(lang)].get_or_init(|| {
            self.parse(lang).unwrap_or_else(|_| {
                let mut empty = FluentBundle::new_concurrent(vec![lang.langid()]);
                empty.set_use_isolating(false);
                empty
            })
        })
    }

    /// True when `lang` has message `id` with a value.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).get_message(id).is_some_and(|m| m.value().is_some())
    }

    /// Formats message `id` in `lang` exactly, reporting Fluent's errors (a missing variable...).
    pub fn format_checked(
        &self,
        lang: Lang,
        id: &str,
        args: &FluentArgs<'_>,
    ) -> Option<(String, Vec<String>)> {
        let bundle = self.bundle(lang);
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        Some((text.into_owned(), errors.iter().map(ToString::to_string).collect()))
    }

    /// Formats message `id` in `lang`, falling back to English, then to the id itself.
    pub fn format(&self, lang: Lang, id: &str, args: &FluentArgs<'_>) -> String {
        self.format_checked(lang, id, args)
            .or_else(|| self.format_checked(Lang::En, id, args))
            .map_or_else(|| id.to_owned(), |(text, _)| text)
    }
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
    use super::*;

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
