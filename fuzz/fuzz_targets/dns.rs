//! Fuzz target `dns`: the readers of DNS answers, private to mailprobe-net (see
//! `mailprobe_net::fuzzing::dns_answers`, built with cargo-fuzz's `--cfg fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mailprobe_net::fuzzing::dns_answers(data));
