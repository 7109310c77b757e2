//! The languages mailprobe speaks, and how to pick one from the environment.

use std::fmt;
use std::str::FromStr;

use unic_langid::{LanguageIdentifier, langid};

/// A language of the reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English (the fallback).
    #[default]
    En,
    /// Italian.
    It,
}

/// A language tag mailprobe has no texts for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {0:?} (supported: en, it)")]
pub struct UnknownLang(pub String);

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::It];

    /// The short tag: `en`, `it`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::It => "it",
        }
    }

    /// The Unicode language identifier the Fluent bundles use.
    pub fn langid(self) -> LanguageIdentifier {
        match self {
            Self::En => langid!("en"),
            Self::It => langid!("it"),
        }
    }

    /// Reads a POSIX locale name (`it_IT.UTF-8`, `en_US`, `it`, `C`): `None` when it names no
    /// language mailprobe speaks.
    pub fn from_locale(locale: &str) -> Option<Self> {
        let language = locale.split(['_', '-', '.', '@']).next().unwrap_or_default();
        language.parse().ok()
    }

    /// The language from `LC_ALL`, `LC_MESSAGES` and `LANG`, in that order (the first one set
    /// and non-empty decides, as in POSIX); English when none names a language mailprobe speaks.
    pub fn from_locale_env() -> Self {
        Self::from_locale_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_locale_env`] over any variable lookup (for tests and embedders).
    pub fn from_locale_vars(lookup: impl Fn(&str) -> Option<String>) -> Self {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(lookup)
            .find(|value| !value.is_empty())
            .and_then(|value| Self::from_locale(&value))
            .unwrap_or_default()
    }
}

impl FromStr for Lang {
    type Err = UnknownLang;

    /// Accepts `en` and `it`, in any case, with or without a region (`it-IT`, `en_GB`).
    fn from_str(s: &str) -> Result<Self, UnknownLang> {
        let language = s.split(['_', '-']).next().unwrap_or_default();
        if language.eq_ignore_ascii_case("en") {
            Ok(Self::En)
        } else if language.eq_ignore_ascii_case("it") {
            Ok(Self::It)
        } else {
            Err(UnknownLang(s.to_owned()))
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags() {
        assert_eq!("en".parse(), Ok(Lang::En));
        assert_eq!("IT".parse(), Ok(Lang::It));
        assert_eq!("it-IT".parse(), Ok(Lang::It));
        assert!("fr".parse::<Lang>().is_err());
        assert!("".parse::<Lang>().is_err());
    }

    #[test]
    fn reads_posix_locales() {
        assert_eq!(Lang::from_locale("it_IT.UTF-8"), Some(Lang::It));
        assert_eq!(Lang::from_locale("it_CH@euro"), Some(Lang::It));
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C.UTF-8"), None);
        assert_eq!(Lang::from_locale("POSIX"), None);
    }

    #[test]
    fn environment_order_and_fallback() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(Lang::from_locale_vars(env(&[("LANG", "it_IT.UTF-8")])), Lang::It);
        assert_eq!(
            Lang::from_locale_vars(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "it_IT.UTF-8")])),
            Lang::En
        );
        // An empty variable does not count; the next one decides.
        assert_eq!(
            Lang::from_locale_vars(env(&[("LC_ALL", ""), ("LC_MESSAGES", "it_IT"), ("LANG", "en_US")])),
            Lang::It
        );
        // A set but unsupported locale falls back to English rather than to the next variable.
        assert_eq!(
            Lang::from_locale_vars(env(&[("LC_ALL", "de_DE.UTF-8"), ("LANG", "it_IT.UTF-8")])),
            Lang::En
        );
        assert_eq!(Lang::from_locale_vars(env(&[])), Lang::En);
    }
}
