//! Fuzz target `ehlo`: see `mailprobe_fuzz::ehlo`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::ehlo(data));
