//! The Debian package (issue 20): `scripts/package` makes a .deb of the binary these tests
//! built (no second build), `dpkg -i` installs it, the installed files work — the binary, the
//! man page, the bash completion, the relay's conffile and systemd unit — and `dpkg --purge`
//! takes every one of them away again. Runs as root (as CI does): it changes the system.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = "/usr/bin/mailprobe";
const MAN: &str = "/usr/share/man/man1/mailprobe.1.gz";
const BASH: &str = "/usr/share/bash-completion/completions/mailprobe";
const ZSH: &str = "/usr/share/zsh/vendor-completions/_mailprobe";
const FISH: &str = "/usr/share/fish/vendor_completions.d/mailprobe.fish";
const CONFIG: &str = "/etc/mailprobe-relay/relay.toml";
const UNIT: &str = "/usr/lib/systemd/system/mailprobe-relay.service";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn installed() -> bool {
    let out =
        Command::new("dpkg-query").args(["-W", "-f=${Status}", "mailprobe"]).output().expect("dpkg-query");
    String::from_utf8_lossy(&out.stdout).contains("ok installed")
}

/// Purges the package when the test ends, passed or not: no test leaves it on the machine.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = Command::new("dpkg").args(["--purge", "mailprobe"]).output();
    }
}

#[test]
fn the_deb_installs_works_and_purges_cleanly() {
    let uid = run(Command::new("id").arg("-u"));
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "this test installs a Debian package: run it as root (CI does)"
    );
    assert!(
        !installed() && !Path::new(BIN).exists(),
        "{BIN} or a `mailprobe` package is already on this machine; this test installs and \
         purges its own, so remove it first (dpkg --purge mailprobe)"
    );

    // the binary under test, where cargo-deb looks for a release build, in a target dir of
    // the test's own: packaging it costs no build at all
    let scratch = std::env::temp_dir().join(format!("mailprobe-package-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let release = scratch.join("target/release");
    std::fs::create_dir_all(&release).expect("scratch dir");
    std::fs::copy(env!("CARGO_BIN_EXE_mailprobe"), release.join("mailprobe")).expect("copy binary");
    let deb = scratch.join("mailprobe.deb");

    let started = std::time::Instant::now();
    run(Command::new(repo_root().join("scripts/package"))
        .args(["--profile", "release", "--no-build", "--fast", "--output"])
        .arg(&deb)
        .env("CARGO_TARGET_DIR", scratch.join("target")));
    let packaged = started.elapsed();

    let guard = Installed;
    run(Command::new("dpkg").arg("-i").arg(&deb));
    assert!(installed());

    let version = run(Command::new(BIN).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("mailprobe {}", env!("CARGO_PKG_VERSION"))
    );
    let depends = run(Command::new("dpkg-query").args(["-W", "-f=${Depends}", "mailprobe"]));
    assert!(String::from_utf8_lossy(&depends.stdout).contains("libssl3"), "legacy-tls needs libssl");

    // the man page: every subcommand in it (the unit tests check each flag)
    let mut man = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(MAN).expect("man page installed"))
        .read_to_string(&mut man)
        .expect("gzip'd roff");
    assert!(man.contains(".TH MAILPROBE 1"), "{}", &man[..man.len().min(300)]);
    for section in ["\"MAILPROBE DIAGNOSE\"", "\"MAILPROBE RELAY QUEUE\"", "\"MAILPROBE DEMO\""] {
        assert!(man.contains(&format!(".SH {section}")), "{section} missing from the man page");
    }

    // bash, from the installed file, completes a subcommand and a flag
    let complete = |words: &str, cword: usize, cur: &str, prev: &str| {
        let script = format!(
            "source {BASH}; COMP_WORDS=({words}); COMP_CWORD={cword}; _mailprobe mailprobe '{cur}' '{prev}'; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        String::from_utf8(run(Command::new("bash").args(["--noprofile", "--norc", "-c", &script])).stdout)
            .expect("utf-8")
    };
    assert_eq!(complete("mailprobe rel", 1, "rel", "mailprobe").trim(), "relay");
    assert!(complete("mailprobe relay queue --c", 3, "--c", "queue").lines().any(|l| l == "--config"));
    let zsh = std::fs::read_to_string(ZSH).expect("zsh completion installed");
    assert!(zsh.starts_with("#compdef mailprobe"), "{}", &zsh[..zsh.len().min(100)]);
    let fish = std::fs::read_to_string(FISH).expect("fish completion installed");
    assert!(fish.contains("complete -c mailprobe "));

    // the relay's sample configuration is a conffile (an upgrade keeps the admin's edits); the
    // unit starts the installed binary (a bare name: systemd finds /usr/bin/mailprobe)
    let conffiles = run(Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "mailprobe"]));
    assert!(String::from_utf8_lossy(&conffiles.stdout).contains(CONFIG), "{conffiles:?}");
    assert!(Path::new(CONFIG).is_file());
    let unit = std::fs::read_to_string(UNIT).expect("unit installed");
    assert!(unit.lines().any(|l| l.starts_with("ExecStart=mailprobe relay serve")), "{unit}");

    run(Command::new("dpkg").args(["--purge", "mailprobe"]));
    drop(guard);
    assert!(!installed(), "still installed after dpkg --purge");
    for path in [BIN, MAN, BASH, ZSH, FISH, CONFIG, UNIT] {
        assert!(!Path::new(path).exists(), "{path} left behind by dpkg --purge");
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!("package: built in {packaged:.1?}, whole test {:.1?}", started.elapsed());
}
