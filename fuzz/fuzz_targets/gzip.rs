//! Fuzz target `gzip`: see `mailprobe_fuzz::gzip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::gzip(data));
