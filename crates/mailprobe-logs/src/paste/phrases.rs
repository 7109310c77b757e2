//! Tables of phrases looked for in every line: all the phrases of a table found in one pass
//! over the line (a set of the escaped phrases), rather than one substring search per phrase.
//! The answer is the same as asking `line.contains(phrase)` of each phrase in table order.

use regex::RegexSet;

/// The phrases of a table whose rows have one or more phrases each.
pub(crate) struct Phrases {
    set: RegexSet,
    /// The row of each phrase of `set`.
    row: Vec<usize>,
    rows: usize,
}

impl Phrases {
    /// The phrases of each row, rows in table order.
    pub(crate) fn new<'a, R: IntoIterator<Item = &'a str>>(rows: impl IntoIterator<Item = R>) -> Self {
        let (mut patterns, mut row, mut count) = (Vec::new(), Vec::new(), 0);
        for (i, phrases) in rows.into_iter().enumerate() {
            for p in phrases {
                patterns.push(regex::escape(p));
                row.push(i);
            }
            count = i + 1;
        }
        let set = RegexSet::new(patterns).expect("escaped phrases are valid patterns");
        Self { set, row, rows: count }
    }

    /// A table of `(value, phrases)` rows.
    pub(crate) fn table<T>(table: &[(T, &[&'static str])]) -> Self {
        Self::new(table.iter().map(|(_, phrases)| phrases.iter().copied()))
    }

    /// A table of `(phrase, value)` rows, one phrase each.
    pub(crate) fn pairs<T>(table: &[(&'static str, T)]) -> Self {
        Self::new(table.iter().map(|(phrase, _)| [*phrase]))
    }

    /// Every row with a phrase in `text`, in table order.
    pub(crate) fn all(&self, text: &str) -> Vec<usize> {
        let mut rows: Vec<usize> = self.set.matches(text).iter().map(|i| self.row[i]).collect();
        rows.dedup();
        rows
    }

    /// The first row (in table order) with a phrase in `text` that `keep` accepts.
    pub(crate) fn first(&self, text: &str, mut keep: impl FnMut(usize) -> bool) -> Option<usize> {
        let found = self.set.matches(text);
        if !found.matched_any() {
            return None;
        }
        let mut rows = vec![false; self.rows];
        for i in found.iter() {
            rows[self.row[i]] = true;
        }
        rows.iter().enumerate().find(|&(i, &has)| has && keep(i)).map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_contains_in_table_order() {
        const TABLE: &[(u8, &[&str])] =
            &[(0, &["timed out", "x.y"]), (1, &["out"]), (2, &["\\026\\003", "a|b"])];
        let phrases = Phrases::table(TABLE);
        for text in ["", "it timed out", "out", "x.y", "xzy", "said \\026\\003\\001", "a|b", "ab", "é out"] {
            for keep in [0u8, 1, 2, 3] {
                let want =
                    TABLE.iter().find(|(t, p)| *t >= keep && p.iter().any(|p| text.contains(p))).map(|r| r.0);
                let got = phrases.first(text, |i| TABLE[i].0 >= keep).map(|i| TABLE[i].0);
                assert_eq!(got, want, "{text:?} keep >= {keep}");
            }
        }
    }
}
