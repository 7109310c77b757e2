//! The fuzz targets' seeds (`fuzz/seeds/TARGET`, from the test corpora by `fuzz/seed.py`) and
//! the crashes they found (`fuzz/regressions/TARGET`), replayed through the targets' own entry
//! functions on the stable toolchain, with their assertions. This is what CI runs of the
//! fuzzing (issue 17): building the targets with nightly and libFuzzer takes minutes, more than
//! a short run of each is worth in CI; `scripts/fuzz` runs the fuzzer itself.
//!
//! Here because this crate depends on every crate with a fuzzed parser (and on flate2, for the
//! gzip target). The `dns` target's entry is private to mailprobe-net, whose own test replays
//! its seeds.

#[path = "../../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod entries;

use std::path::{Path, PathBuf};

/// A target's entry function: the fuzzer's bytes in, a panic when a check fails.
type Entry = fn(&[u8]);

/// Every target but `dns`, and its entry function.
const TARGETS: &[(&str, Entry)] = &[
    ("smtp_reply", entries::smtp_reply),
    ("ehlo", entries::ehlo),
    ("sasl", entries::sasl),
    ("tls_hello", entries::tls_hello),
    ("certificate", entries::certificate),
    ("imap", entries::imap),
    ("paste", entries::paste),
    ("analyze", entries::analyze),
    ("gzip", entries::gzip),
    ("token", entries::token),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `fuzz/DIR/TARGET`, sorted (none when it does not exist).
fn inputs(dir: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("a directory entry").path()).collect();
    files.sort();
    files
}

fn replay(target: &str, entry: Entry, dirs: &[&str]) -> usize {
    let mut count = 0;
    for dir in dirs {
        for path in inputs(dir, target) {
            let data = std::fs::read(&path).expect("a readable input");
            let run = std::panic::catch_unwind(|| entry(&data));
            assert!(run.is_ok(), "{target}: {} fails its target's checks", path.display());
            count += 1;
        }
    }
    count
}

/// Every seed of every target passes the target's checks (and every target has seeds).
#[test]
fn every_fuzz_seed_passes_its_target() {
    for (target, entry) in TARGETS {
        let n = replay(target, *entry, &["seeds"]);
        assert!(n > 0, "no seeds in fuzz/seeds/{target}: run fuzz/seed.py");
    }
}

/// Every crash the fuzzer found stays fixed.
#[test]
fn every_fuzz_regression_stays_fixed() {
    for (target, entry) in TARGETS {
        replay(target, *entry, &["regressions"]);
    }
}

/// Every target the fuzz crate builds is replayed here or by mailprobe-net (`dns`).
#[test]
fn every_fuzz_target_is_replayed() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let built: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \"")?.strip_suffix('"'))
        .filter(|n| *n != "mailprobe-fuzz")
        .collect();
    let mut replayed: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).chain(["dns"]).collect();
    let mut built_sorted = built.clone();
    built_sorted.sort_unstable();
    replayed.sort_unstable();
    assert_eq!(built_sorted, replayed);
}
