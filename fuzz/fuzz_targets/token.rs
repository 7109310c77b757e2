//! Fuzz target `token`: see `mailprobe_fuzz::token`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::token(data));
