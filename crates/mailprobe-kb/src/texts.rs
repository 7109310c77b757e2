//! Localized texts: one Fluent bundle per language, findings and UI strings together.

use std::borrow::Cow;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::catalogue::LoadError;
use crate::lang::Lang;

/// A Fluent source file: its language, a name for errors, and its text.
pub(crate) struct Source<'a> {
    pub lang: Lang,
    pub name: &'a str,
    pub text: &'a str,
}

pub(crate) struct Texts {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl Texts {
    pub fn new(sources: &[Source<'_>]) -> Result<Self, LoadError> {
        let mut bundles: Vec<(Lang, FluentBundle<FluentResource>)> = Vec::new();
        for lang in Lang::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
            // No U+2068/U+2069 around placeables: they show up as garbage in terminals and logs.
            bundle.set_use_isolating(false);
            for source in sources.iter().filter(|s| s.lang == lang) {
                let fluent_error =
                    |errors: String| LoadError::Fluent { file: format!("{}/{}", lang, source.name), errors };
                let resource = FluentResource::try_new(source.text.to_owned()).map_err(|(_, errs)| {
                    fluent_error(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                })?;
                bundle.add_resource(resource).map_err(|errs| {
                    fluent_error(errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                })?;
            }
            bundles.push((lang, bundle));
        }
        Ok(Self { bundles })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        &self.bundles.iter().find(|(l, _)| *l == lang).expect("a bundle per language").1
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
