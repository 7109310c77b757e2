//! Fuzz target `smtp_reply`: see `mailprobe_fuzz::smtp_reply`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::smtp_reply(data));
