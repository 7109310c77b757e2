//! Turns the embedded blocklist table (`data/dnsbl.toml`) into JSON at build time, as
//! mailprobe-kb does with its catalogue and mailprobe-providers with the provider table: reading
//! TOML at run time brought the TOML parser's code and its document of tokens and tables into
//! every run (issue 20: peak memory). The TOML stays the source; one that does not parse fails
//! the build with the parser's message.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let path = "data/dnsbl.toml";
    println!("cargo:rerun-if-changed={path}");
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value: toml::Value = toml::from_str(&source).unwrap_or_else(|e| panic!("{path} is invalid: {e}"));
    let json = serde_json::to_string(&value).expect("a TOML value is JSON");
    std::fs::write(out.join("dnsbl.json"), json).expect("OUT_DIR is writable");
}
