//! Fuzz target `paste`: see `mailprobe_fuzz::paste`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::paste(data));
