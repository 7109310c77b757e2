//! Lays out the functions a `diagnose` runs next to each other in the binary (issue 20).
//!
//! The kernel maps a binary's pages from the page cache in whole folios (here 64-128 KiB around
//! each page touched), so a process's resident code follows how spread out the code it runs
//! is, not how much of it there is: a session runs 2 MB of functions scattered over 19 MB of
//! `.text`, which made 9.5 MiB of it resident. `symbol-order/<profile>.txt` lists those
//! functions (made by `scripts/symbol-order` from what callgrind saw a few sessions run), and
//! the linker puts them first, together; a session's resident code is then 2.5 MiB.
//!
//! Only where the linker is LLD (rustc's default on x86_64 Linux since 1.90) and not replaced:
//! GNU ld has no such option. Names the list has and the binary lacks (code changed since the
//! list was made) are skipped without a word: a stale list costs memory, never the build.
//! Symbol names carry a hash of the profile's settings, so each profile has its own list; a
//! profile without one is linked as before. `MAILPROBE_SYMBOL_ORDER=0` turns it off.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=MAILPROBE_SYMBOL_ORDER");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    println!("cargo:rerun-if-changed=symbol-order");
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    if env("MAILPROBE_SYMBOL_ORDER") == "0" || env("TARGET") != "x86_64-unknown-linux-gnu" {
        return;
    }
    // another linker chosen (config's `linker`, `-C linker=`, `-fuse-ld=`, LLD turned off)
    let flags = env("CARGO_ENCODED_RUSTFLAGS");
    if std::env::var_os("RUSTC_LINKER").is_some()
        || ["linker", "fuse-ld", "link-self-contained"].iter().any(|f| flags.contains(f))
    {
        return;
    }
    let Some(profile) = profile_dir() else { return };
    let list = Path::new(&env("CARGO_MANIFEST_DIR")).join("symbol-order").join(format!("{profile}.txt"));
    if list.is_file() {
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", list.display());
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// The profile's directory under the target directory (`release`, `dist`, `debug`): OUT_DIR is
/// `<target>/[<triple>/]<profile>/build/<package>-<hash>/out`.
fn profile_dir() -> Option<String> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR")?);
    let name = out.ancestors().nth(3)?.file_name()?.to_str()?.to_owned();
    Some(name)
}
