//! Turns `data/findings.toml` into JSON at build time. Reading the catalogue as TOML at run time
//! was the largest part of a `diagnose` run's heap (the TOML parser keeps the whole document as
//! tokens and tables before anything is deserialized); JSON deserializes in one pass. The TOML
//! stays the source: on a TOML error an empty file is written, and the crate then reads the TOML
//! itself, so that the error is reported as before (by its tests and at load).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=data/findings.toml");
    let source = std::fs::read_to_string("data/findings.toml").expect("data/findings.toml is readable");
    let json = toml::from_str::<toml::Value>(&source)
        .ok()
        .and_then(|value| serde_json::to_string(&value).ok())
        .unwrap_or_default();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("findings.json");
    std::fs::write(out, json).expect("OUT_DIR is writable");
}
