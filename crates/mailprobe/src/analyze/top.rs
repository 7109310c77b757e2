//! Counting the most frequent keys (clients, replies) in bounded memory.
//!
//! A log may have any number of distinct clients and reply texts; `analyze` shows the first
//! ten and how many sessions the others had. Counts are exact while at most [`Top::keep`]
//! twice over distinct keys were seen (every log short of a flood). Past that, the least
//! counted are dropped down to `keep` and a floor remembers the largest count dropped: a key
//! seen anew may have been dropped before, so it starts from that floor (the Space-Saving
//! algorithm of Metwally, Agrawal and El Abbadi, dropping in batches). Every key more frequent
//! than the floor is still there, and each count is known within its own error: the lower
//! bound, shown, never overstates.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// Counts of keys, bounded.
pub struct Top<K> {
    /// Each key's count, and how much of it may come from before the key was (re)counted.
    counts: FxHashMap<K, (u64, u64)>,
    /// The largest count dropped so far (0 while nothing was).
    floor: u64,
    /// Everything added.
    total: u64,
    /// Keys kept after dropping (twice as many are kept before dropping).
    keep: usize,
}

/// One key's count as it can be shown: at least `count`.
#[derive(Debug, PartialEq, Eq)]
pub struct Counted<K> {
    pub key: K,
    pub count: u64,
}

impl<K: Hash + Eq + Ord> Top<K> {
    /// Counts that keep at least `keep` keys (at least 1).
    pub fn new(keep: usize) -> Self {
        Self { counts: FxHashMap::default(), floor: 0, total: 0, keep: keep.max(1) }
    }

    /// Adds `n` to `key`'s count.
    pub fn add(&mut self, key: K, n: u64) {
        self.total += n;
        if let Some(c) = self.counts.get_mut(&key) {
            c.0 += n;
            return;
        }
        self.counts.insert(key, (self.floor + n, self.floor));
        if self.counts.len() > 2 * self.keep {
            self.shrink();
        }
    }

    /// Adds `n` to the count of the key `key` borrows as, making the key only when it is new.
    pub fn add_borrowed<Q>(&mut self, key: &Q, n: u64)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized + ToOwned<Owned = K>,
    {
        match self.counts.get_mut(key) {
            Some(c) => {
                self.total += n;
                c.0 += n;
            }
            None => self.add(key.to_owned(), n),
        }
    }

    /// Drops the least counted keys (the greatest first among equals), down to `keep`.
    fn shrink(&mut self) {
        let mut all: Vec<(K, (u64, u64))> = self.counts.drain().collect();
        all.select_nth_unstable_by(self.keep, |a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
        let dropped = all.split_off(self.keep);
        self.floor = dropped.iter().map(|(_, c)| c.0).fold(self.floor, u64::max);
        self.counts.extend(all);
    }

    /// Another thread's counts added in, under keys `key` maps them to.
    pub fn merge<J>(&mut self, other: Top<J>, mut key: impl FnMut(J) -> K) {
        let mut theirs: FxHashMap<K, (u64, u64)> = FxHashMap::default();
        for (k, (count, error)) in other.counts {
            let c = theirs.entry(key(k)).or_default();
            c.0 += count;
            c.1 += error;
        }
        // a key missing on one side may have counted up to that side's floor there
        for (k, c) in &mut self.counts {
            let (count, error) = theirs.remove(k).unwrap_or((other.floor, other.floor));
            c.0 += count;
            c.1 += error;
        }
        for (k, (count, error)) in theirs {
            self.counts.insert(k, (self.floor + count, self.floor + error));
        }
        self.floor += other.floor;
        self.total += other.total;
        if self.counts.len() > 2 * self.keep {
            self.shrink();
        }
    }

    /// The `n` keys counted most (at least; ties by key), and how much of the total the
    /// others had.
    pub fn top(self, n: usize) -> (Vec<Counted<K>>, u64) {
        let mut v: Vec<Counted<K>> = self
            .counts
            .into_iter()
            .map(|(key, (count, error))| Counted { key, count: count - error })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        v.truncate(n);
        let shown: u64 = v.iter().map(|c| c.count).sum();
        (v, self.total - shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(items: &[(&str, u64)]) -> Vec<Counted<String>> {
        items.iter().map(|&(k, c)| Counted { key: k.to_owned(), count: c }).collect()
    }

    #[test]
    fn exact_while_few_keys() {
        let mut t = Top::new(4);
        for (k, n) in
            [("a", 3), ("b", 1), ("c", 5), ("a", 1), ("d", 1), ("e", 2), ("f", 1), ("g", 1), ("h", 1)]
        {
            t.add(k.to_owned(), n);
        }
        let (top, others) = t.top(3);
        assert_eq!(top, exact(&[("c", 5), ("a", 4), ("e", 2)]));
        assert_eq!(others, 5);
    }

    /// Issue 17 item 9: a million distinct keys are counted in bounded memory, and a key
    /// that stands out is still found, with a count that is never overstated.
    #[test]
    fn bounded_and_finds_the_frequent() {
        let mut t = Top::new(100);
        for i in 0..1_000_000u64 {
            t.add(format!("k{i}"), 1);
            // 1 in 20: more than the 1 in 100 that 100 keys kept guarantee to find
            if i % 19 == 0 {
                t.add_borrowed("printer", 1);
            }
            assert!(t.counts.len() <= 200);
        }
        let printer = 1_000_000 / 19 + 1;
        let (top, others) = t.top(10);
        assert_eq!(top[0].key, "printer");
        assert!(top[0].count <= printer && top[0].count > printer - 1_000_000 / 100, "{top:?}");
        assert_eq!(others + top.iter().map(|c| c.count).sum::<u64>(), 1_000_000 + printer);
    }

    /// Dropping keeps `keep` keys even when all but one are tied (it dropped them all once).
    #[test]
    fn ties_do_not_empty_the_counts() {
        let mut t = Top::new(4);
        for i in 0..100u64 {
            t.add(format!("k{i:03}"), 1);
            t.add("hot".to_owned(), 1);
        }
        let (top, others) = t.top(10);
        assert!(top.len() >= 4, "{top:?}");
        assert_eq!(top[0], Counted { key: "hot".to_owned(), count: 100 });
        assert_eq!(others + top.iter().map(|c| c.count).sum::<u64>(), 200);
    }

    #[test]
    fn merged_counts_add_up() {
        let (mut a, mut b) = (Top::new(2), Top::new(2));
        for (k, n) in [("x", 5), ("y", 3)] {
            a.add(k.to_owned(), n);
        }
        for (k, n) in [("y", 4), ("z", 1)] {
            b.add(k, n);
        }
        a.merge(b, str::to_owned);
        let (top, others) = a.top(10);
        assert_eq!(top, exact(&[("y", 7), ("x", 5), ("z", 1)]));
        assert_eq!(others, 0);

        // past the bound on both sides: lower bounds, and the total still exact
        let (mut a, mut b) = (Top::new(2), Top::new(2));
        for i in 0..50u64 {
            a.add(format!("a{i}"), 1);
            b.add(format!("b{i}"), 1);
            a.add("hot".to_owned(), 2);
            b.add("hot".to_owned(), 2);
        }
        a.merge(b, |k| k);
        let (top, others) = a.top(1);
        assert_eq!(top[0].key, "hot");
        assert!(top[0].count <= 200 && top[0].count >= 150, "{top:?}");
        assert_eq!(top[0].count + others, 300);
    }
}
