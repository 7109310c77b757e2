//! Fuzz target `sasl`: see `mailprobe_fuzz::sasl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::sasl(data));
