//! Fuzz target `analyze`: see `mailprobe_fuzz::analyze`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::analyze(data));
