//! Fuzz target `certificate`: see `mailprobe_fuzz::certificate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::certificate(data));
