//! Fuzz target `imap`: see `mailprobe_fuzz::imap`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::imap(data));
