//! Fuzz target `tls_hello`: see `mailprobe_fuzz::tls_hello`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_fuzz::tls_hello(data));
